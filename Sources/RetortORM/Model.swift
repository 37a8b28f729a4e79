import RetortCore

// The contract between the `@Model` macro (RetortMacros, which writes conformances) and
// the ORM runtime (Session, identity map, unit of work, which reads them). Users never
// write these members by hand; `@Model` generates all of them.

/// A `final class` mapped to one table. `@Model(table:)` writes the conformance.
///
/// ```swift
/// @Model(table: "authors")
/// final class Author {
///     @Column(primaryKey: true) var id: Int?
///     @Column(.string(100)) var name: String
///     var email: String?                 // every stored property is a column...
///     @Transient var scratch = 0         // ...unless it is @Transient
///     init(name: String, email: String? = nil) { self.name = name; self.email = email }
/// }
/// ```
///
/// Mapped properties are numbered 0..<n in the order of `mapping.table.columns`; every
/// index below is such a number.
public protocol Model: AnyObject {
    /// Typed column expressions, one per mapped property, named as the property:
    /// `Author.columns.name` is a `SQLExpression<String>`.
    associatedtype Columns: ModelColumns

    /// The table and how the mapped properties line up with its columns. Built once
    /// (a `static let` in the generated code); the table is registered in the model's
    /// `MetaData` (``ModelRegistry/metadata`` unless `@Model(metadata:)` names another)
    /// the first time this is read.
    static var mapping: ModelMapping { get }

    /// The typed columns of the model's own table.
    static var columns: Columns { get }

    /// A new instance from a result row: reads the mapped properties in index order
    /// from `decoder` (which may start part-way along the row when a query selects
    /// several models). Transient properties take their declared initial values.
    init(_decoding decoder: inout ModelDecoder) throws

    /// The value of mapped property `index`, as bound to SQL.
    func _value(at index: Int) -> SQLValue

    /// Sets mapped property `index` from a database value (a RETURNING'd key, a server
    /// default, a refresh) without recording a change.
    func _setValue(_ value: SQLValue, at index: Int) throws

    /// The ORM's bookkeeping for this instance (session, identity, state, changes),
    /// stored in the instance.
    var _state: ModelState { get set }
}

/// The typed columns of a model over one FROM element: the model's table, or an alias
/// of it (`aliased(Author.self)`).
public protocol ModelColumns: Sendable {
    init(_ source: any FromClause)
}

/// How a model's stored properties map to its table (or, in an inheritance hierarchy,
/// tables: see ``ModelInheritance``).
public struct ModelMapping: Sendable {
    /// The mapped table; in an inheritance hierarchy, the root class's table (every
    /// class's primary key and the discriminator live there).
    public let table: Table
    /// The Swift property name of each mapped property, in index order (a subclass's
    /// inherited properties first).
    public let propertyNames: [String]
    /// The indices of the primary-key properties, in primary-key order.
    public let primaryKey: [Int]
    /// The index of the column filled by the database on insert (autoincrement), if any.
    public let autoincrement: Int?
    /// The index of the version counter (`@Model(versionId:)`), if the model has one:
    /// UPDATEs and DELETEs of an instance match its row only at the version it loaded.
    public let version: Int?
    /// Where each property is stored: one table for a plain model; for a class of an
    /// inheritance hierarchy, its ancestors' tables then its own, in INSERT order.
    public let tables: [MappedTable]
    /// The class's place in an inheritance hierarchy, if it is in one.
    public let inheritance: ModelInheritance?
    /// The identity-map key type: the model itself, or the root of its hierarchy (a
    /// `Manager` loaded as an `Employee` is the same object).
    let identityModel: ModelTypeBox

    /// The mapping of `table`'s columns to the properties named `propertyNames` (one per
    /// column, in column order); `version` is the index of the version counter, if any.
    public init(table: Table, propertyNames: [String], version: Int? = nil) {
        precondition(propertyNames.count == table.columns.count, "one property name per column")
        self.table = table
        self.propertyNames = propertyNames
        let names = table.columns.map(\.name)
        self.primaryKey = (table.primaryKey?.columns ?? []).compactMap { names.firstIndex(of: $0) }
        self.autoincrement = table.columns.firstIndex { $0.autoincrement }
        self.version = version
        self.tables = [MappedTable(table, properties: Array(0..<table.columns.count), propertyCount: propertyNames.count)]
        self.inheritance = nil
        self.identityModel = ModelTypeBox(nil)
    }

    init(table: Table, propertyNames: [String], primaryKey: [Int], autoincrement: Int?, version: Int?,
         tables: [MappedTable], inheritance: ModelInheritance, identityModel: any Model.Type) {
        self.table = table
        self.propertyNames = propertyNames
        self.primaryKey = primaryKey
        self.autoincrement = autoincrement
        self.version = version
        self.tables = tables
        self.inheritance = inheritance
        self.identityModel = ModelTypeBox(identityModel)
    }

    /// The index of the mapped property named `property`.
    public func index(ofProperty property: String) -> Int? { propertyNames.firstIndex(of: property) }
}

/// One table a model's properties are stored in, and which property each column holds.
public struct MappedTable: Sendable {
    /// The table.
    public let table: Table
    /// The property index of each column (column order); nil for a column this class
    /// does not map (a sibling subclass's column of a single table).
    public let properties: [Int?]
    /// The column type of each property index stored here (others: `.text`, unused).
    let typesByProperty: [SQLType]
    /// The column position of each primary-key property (primary-key order), filled by
    /// ``ModelMapping`` for tables of a hierarchy.
    var keyColumns: [Int]

    init(_ table: Table, properties: [Int?], propertyCount: Int) {
        self.table = table
        self.properties = properties
        var types = [SQLType](repeating: .text, count: propertyCount)
        for (c, p) in properties.enumerated() { if let p { types[p] = table.columns[c].type } }
        typesByProperty = types
        keyColumns = (table.primaryKey?.columns ?? []).compactMap { table.position(of: $0) }
    }

    /// The column that holds property `index`, if this table holds it.
    func column(ofProperty index: Int) -> Int? { properties.firstIndex { $0 == index } }
}

/// A model type, held in Sendable values (nil: the type the value belongs to).
struct ModelTypeBox: @unchecked Sendable {
    let type: (any Model.Type)?
    init(_ type: (any Model.Type)?) { self.type = type }
}

/// Where `@Model` classes register their tables unless they name another `MetaData`.
public enum ModelRegistry {
    /// The default `MetaData` of models: `try ModelRegistry.metadata.createAll(engine)`.
    public static let metadata = MetaData()
}

extension MetaData {
    /// Registers the tables of `models` (reading `mapping` is what registers a table;
    /// Swift has no load-time hook). Returns self, for `let metadata = ModelRegistry
    /// .metadata.including(Author.self, Book.self)` in a manifest module.
    @discardableResult
    public func including(_ models: any Model.Type...) -> MetaData {
        for m in models { _ = m.mapping }
        return self
    }
}

/// Reads the mapped properties of one model from a row, left to right.
///
/// The row is either a built ``Row`` or the row a query's result is on, read straight
/// from the database library's cursor (the ORM's own queries: no array per row).
public struct ModelDecoder {
    let source: RowSource
    public var index: Int
    /// A column already read as an integer (the primary key the session looked up in
    /// the identity map before decoding), and its value: not read a second time.
    private var knownIndex = -1
    private var knownInteger: Int64 = 0

    public init(row: Row, offset: Int = 0) {
        self.source = .row(row)
        self.index = offset
    }

    init(_ source: RowSource, offset: Int) {
        self.source = source
        self.index = offset
    }

    /// A decoder that takes column `index`'s value as `integer`, already read.
    init(_ source: RowSource, offset: Int, known index: Int, integer: Int64) {
        self.source = source
        self.index = offset
        knownIndex = index
        knownInteger = integer
    }

    /// The next column's value as `T`.
    @inlinable
    public mutating func decode<T: SQLValueConvertible>(_ type: T.Type = T.self) throws -> T {
        try T(sqlValue: next())
    }

    /// The next raw value.
    public mutating func next() -> SQLValue {
        defer { index += 1 }
        return source[index]
    }

    // The common property types, read without a ``SQLValue`` when the column holds
    // what they expect (`@Model`'s generated code reaches these through
    // `ModelColumnSupport.decode(_:as:property:)`); anything else converts as usual.

    /// The next column as `Int`.
    public mutating func decodeInt(property: StaticString) throws -> Int {
        if case .value(let v) = integerHere() {
            index += 1
            return Int(v)
        }
        return try ModelColumnSupport.decode(next(), as: Int.self, property: property)
    }

    /// The next column as `Int?`.
    public mutating func decodeOptionalInt(property: StaticString) throws -> Int? {
        switch integerHere() {
        case .value(let v):
            index += 1
            return Int(v)
        case .null:
            index += 1
            return nil
        case .other:
            return try ModelColumnSupport.decode(next(), as: Int?.self, property: property)
        }
    }

    /// The current column when it is an integer: the one already read, or read now.
    @inline(__always)
    private func integerHere() -> TypedRead<Int64> {
        index == knownIndex ? .value(knownInteger) : source.integer(at: index)
    }

    /// The next column as `String`.
    public mutating func decodeString(property: StaticString) throws -> String {
        if case .value(let s) = source.text(at: index) {
            index += 1
            return s
        }
        return try ModelColumnSupport.decode(next(), as: String.self, property: property)
    }

    /// The next column as `String?`.
    public mutating func decodeOptionalString(property: StaticString) throws -> String? {
        switch source.text(at: index) {
        case .value(let s):
            index += 1
            return s
        case .null:
            index += 1
            return nil
        case .other:
            return try ModelColumnSupport.decode(next(), as: String?.self, property: property)
        }
    }
}

/// The row a model is decoded from: a built ``Row``, or the current row of a result
/// being read (see `CursorResult.advance()`), whose values are converted as they are asked for.
///
/// A result is held unretained (copying a `RowSource`, as every decoder does, costs no
/// reference count): whoever makes one with ``reading(_:)`` keeps the result alive
/// while it is used, as the readers reading the result's rows do.
enum RowSource {
    case row(Row)
    case result(Unmanaged<CursorResult>)

    /// The current row of `result`, which the caller keeps alive while this is used.
    @inline(__always)
    static func reading(_ result: CursorResult) -> RowSource { .result(.passUnretained(result)) }

    @inline(__always)
    subscript(_ index: Int) -> SQLValue {
        switch self {
        case .row(let row): return row[index]
        case .result(let result): return result._withUnsafeGuaranteedRef { $0.value(at: index) }
        }
    }

    /// Column `index` when it is an integer (see `CursorResult.integer(at:)`).
    @inline(__always)
    func integer(at index: Int) -> TypedRead<Int64> {
        switch self {
        case .row(let row): return TypedRead(integer: row[index])
        case .result(let result): return result._withUnsafeGuaranteedRef { $0.integer(at: index) }
        }
    }

    /// Column `index` when it is text.
    @inline(__always)
    func text(at index: Int) -> TypedRead<String> {
        switch self {
        case .row(let row): return TypedRead(text: row[index])
        case .result(let result): return result._withUnsafeGuaranteedRef { $0.text(at: index) }
        }
    }
}
