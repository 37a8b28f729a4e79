import RetortCore

/// The functions `@Model`'s generated code calls to infer column types and to convert
/// property values, resolved by the Swift compiler from each property's type.
///
/// The macro sees only syntax: for a property of a type it does not know by name
/// (`var format: BookFormat`) it writes `columnType(BookFormat.self, enumName:
/// "book_format")`, and overload resolution picks the rule that fits the type: a
/// ``ModelColumnValue``, a `String`-backed `CaseIterable` enum, an enum with integer
/// raw values. A type that fits none fails to compile at that call, naming the type.
/// All of this is decided at compile time; nothing here inspects values at run time.
public enum ModelColumnSupport {
    // MARK: Column types

    /// A ``ModelColumnValue``: its declared column type.
    @inlinable
    public static func columnType<T: ModelColumnValue>(_ type: T.Type, enumName: String) -> SQLType {
        T.columnType
    }

    /// An enum with `String` raw values: an enum type named `enumName` with the raw
    /// values of its cases, in declaration order.
    @inlinable
    public static func columnType<T: RawRepresentable & CaseIterable>(_ type: T.Type, enumName: String) -> SQLType
    where T.RawValue == String {
        .enum(name: enumName, values: T.allCases.map(\.rawValue))
    }

    /// An enum with `String` raw values that declares its own column type.
    @inlinable
    public static func columnType<T: RawRepresentable & CaseIterable & ModelColumnValue>(
        _ type: T.Type, enumName: String
    ) -> SQLType where T.RawValue == String {
        T.columnType
    }

    /// An enum whose raw values are integers: its raw type's column (`Int` → integer).
    @inlinable
    public static func columnType<T: RawRepresentable>(_ type: T.Type, enumName: String) -> SQLType
    where T.RawValue: ModelColumnValue & BinaryInteger {
        T.RawValue.columnType
    }

    /// An enum with integer raw values that declares its own column type.
    @inlinable
    public static func columnType<T: RawRepresentable & ModelColumnValue>(_ type: T.Type, enumName: String) -> SQLType
    where T.RawValue: ModelColumnValue & BinaryInteger {
        T.columnType
    }

    /// A `String`-backed enum without `CaseIterable`: its values cannot be listed.
    @available(
        *, unavailable,
        message: "a String-backed enum property needs CaseIterable, so that its enum column can list the values"
    )
    public static func columnType<T: RawRepresentable>(_ type: T.Type, enumName: String) -> SQLType
    where T.RawValue == String {
        fatalError("unavailable")
    }

    /// Any other type: no column type is known for it.
    @available(
        *, unavailable,
        message: "this property's type has no column type: conform it to ModelColumnValue, or name one with @Column(<type>)"
    )
    public static func columnType<T>(_ type: T.Type, enumName: String) -> SQLType {
        fatalError("unavailable")
    }

    // MARK: Reading values

    /// The next column of `decoder` as `T`: the `decode(_:as:property:)` below that fits
    /// `T`, or a direct read for the common types (`Int`, `String` and their optionals).
    @inlinable
    public static func decode<T: SQLValueConvertible>(_ decoder: inout ModelDecoder, as type: T.Type, property: StaticString) throws -> T {
        try decode(decoder.next(), as: type, property: property)
    }

    /// An enum, from its raw value in the next column.
    @inlinable
    public static func decode<T: RawRepresentable>(_ decoder: inout ModelDecoder, as type: T.Type, property: StaticString) throws -> T
    where T.RawValue: SQLValueConvertible {
        try decode(decoder.next(), as: type, property: property)
    }

    /// An optional enum, from its raw value or NULL in the next column.
    @inlinable
    public static func decode<T: RawRepresentable>(_ decoder: inout ModelDecoder, as type: T?.Type, property: StaticString) throws -> T?
    where T.RawValue: SQLValueConvertible {
        try decode(decoder.next(), as: type, property: property)
    }

    /// An enum that is also ``SQLValueConvertible``, from the next column.
    @inlinable
    public static func decode<T: RawRepresentable & SQLValueConvertible>(
        _ decoder: inout ModelDecoder, as type: T.Type, property: StaticString
    ) throws -> T where T.RawValue: SQLValueConvertible {
        try decode(decoder.next(), as: type, property: property)
    }

    /// An optional enum that is also ``SQLValueConvertible``, from the next column.
    @inlinable
    public static func decode<T: RawRepresentable & SQLValueConvertible>(
        _ decoder: inout ModelDecoder, as type: T?.Type, property: StaticString
    ) throws -> T? where T.RawValue: SQLValueConvertible {
        try decode(decoder.next(), as: type, property: property)
    }

    @inlinable
    public static func decode(_ decoder: inout ModelDecoder, as type: Int.Type, property: StaticString) throws -> Int {
        try decoder.decodeInt(property: property)
    }

    @inlinable
    public static func decode(_ decoder: inout ModelDecoder, as type: Int?.Type, property: StaticString) throws -> Int? {
        try decoder.decodeOptionalInt(property: property)
    }

    @inlinable
    public static func decode(_ decoder: inout ModelDecoder, as type: String.Type, property: StaticString) throws -> String {
        try decoder.decodeString(property: property)
    }

    @inlinable
    public static func decode(_ decoder: inout ModelDecoder, as type: String?.Type, property: StaticString) throws -> String? {
        try decoder.decodeOptionalString(property: property)
    }

    /// A value of a ``SQLValueConvertible`` type (optionals included).
    @inlinable
    public static func decode<T: SQLValueConvertible>(_ value: SQLValue, as type: T.Type, property: StaticString) throws -> T {
        do {
            return try T(sqlValue: value)
        } catch let error as DataError {
            throw DataError(message: "\(property): \(error.message)")
        }
    }

    /// An enum, from its raw value.
    @inlinable
    public static func decode<T: RawRepresentable>(_ value: SQLValue, as type: T.Type, property: StaticString) throws -> T
    where T.RawValue: SQLValueConvertible {
        let raw: T.RawValue = try decode(value, as: T.RawValue.self, property: property)
        guard let v = T(rawValue: raw) else {
            throw DataError(message: "\(property): \(raw) is not a value of \(T.self)")
        }
        return v
    }

    /// An optional enum, from its raw value or NULL.
    @inlinable
    public static func decode<T: RawRepresentable>(_ value: SQLValue, as type: T?.Type, property: StaticString) throws -> T?
    where T.RawValue: SQLValueConvertible {
        if value.isNull { return nil }
        return try decode(value, as: T.self, property: property) as T
    }

    /// An enum that is also ``SQLValueConvertible``: its own conversion.
    @inlinable
    public static func decode<T: RawRepresentable & SQLValueConvertible>(
        _ value: SQLValue, as type: T.Type, property: StaticString
    ) throws -> T where T.RawValue: SQLValueConvertible {
        do {
            return try T(sqlValue: value)
        } catch let error as DataError {
            throw DataError(message: "\(property): \(error.message)")
        }
    }

    /// An optional enum that is also ``SQLValueConvertible``.
    @inlinable
    public static func decode<T: RawRepresentable & SQLValueConvertible>(
        _ value: SQLValue, as type: T?.Type, property: StaticString
    ) throws -> T? where T.RawValue: SQLValueConvertible {
        if value.isNull { return nil }
        return try decode(value, as: T.self, property: property) as T
    }

    /// Any other type: it cannot be read from a column.
    @available(
        *, unavailable,
        message: "this property's type cannot be read from a column: conform it to SQLValueConvertible (or ModelColumnValue)"
    )
    public static func decode<T>(_ value: SQLValue, as type: T.Type, property: StaticString) throws -> T {
        fatalError("unavailable")
    }

    /// Any other type: it cannot be read from a column.
    @available(
        *, unavailable,
        message: "this property's type cannot be read from a column: conform it to SQLValueConvertible (or ModelColumnValue)"
    )
    public static func decode<T>(_ decoder: inout ModelDecoder, as type: T.Type, property: StaticString) throws -> T {
        fatalError("unavailable")
    }

    // MARK: Writing values

    /// A ``SQLValueConvertible`` value (optionals included).
    @inlinable
    public static func encode<T: SQLValueConvertible>(_ value: T) -> SQLValue { value.sqlValue }

    /// An enum: its raw value.
    @inlinable
    public static func encode<T: RawRepresentable>(_ value: T) -> SQLValue where T.RawValue: SQLValueConvertible {
        value.rawValue.sqlValue
    }

    /// An optional enum: its raw value or NULL.
    @inlinable
    public static func encode<T: RawRepresentable>(_ value: T?) -> SQLValue where T.RawValue: SQLValueConvertible {
        value.map { $0.rawValue.sqlValue } ?? .null
    }

    /// An enum that is also ``SQLValueConvertible``: its own conversion.
    @inlinable
    public static func encode<T: RawRepresentable & SQLValueConvertible>(_ value: T) -> SQLValue
    where T.RawValue: SQLValueConvertible {
        value.sqlValue
    }

    /// An optional enum that is also ``SQLValueConvertible``.
    @inlinable
    public static func encode<T: RawRepresentable & SQLValueConvertible>(_ value: T?) -> SQLValue
    where T.RawValue: SQLValueConvertible {
        value.sqlValue
    }

    /// Any other type: it cannot be written to a column.
    @available(
        *, unavailable,
        message: "this property's type cannot be written to a column: conform it to SQLValueConvertible (or ModelColumnValue)"
    )
    public static func encode<T>(_ value: T) -> SQLValue {
        fatalError("unavailable")
    }

    // MARK: Indexes

    /// A mapped index the model does not have: a bug in the caller.
    public static func noProperty<M>(_ index: Int, of model: M.Type) -> Never {
        preconditionFailure("\(M.self) has no mapped property at index \(index)")
    }
}
