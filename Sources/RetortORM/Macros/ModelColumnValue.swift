import Foundation
import RetortCore

/// A Swift type a `@Model` property can have without `@Column(<type>)`: it names the
/// column type it maps to. The standard types conform; conform your own value types to
/// map them (they convert to and from ``SQLValue`` as ``SQLValueConvertible`` says).
///
/// ```swift
/// struct Email: ModelColumnValue {
///     var address: String
///     static var columnType: SQLType { .string(320) }
///     var sqlValue: SQLValue { .text(address) }
///     init(sqlValue: SQLValue) throws { address = try String(sqlValue: sqlValue) }
/// }
///
/// @Model(table: "users")
/// final class User {
///     var id: Int?
///     var email: Email          // email VARCHAR(320) NOT NULL
/// }
/// ```
public protocol ModelColumnValue: SQLValueConvertible {
    /// The column type of a property of this type.
    static var columnType: SQLType { get }
}

extension String: ModelColumnValue { public static var columnType: SQLType { .string } }
extension Int: ModelColumnValue { public static var columnType: SQLType { .integer } }
extension Int64: ModelColumnValue { public static var columnType: SQLType { .bigint } }
extension Int32: ModelColumnValue { public static var columnType: SQLType { .integer } }
extension Int16: ModelColumnValue { public static var columnType: SQLType { .smallint } }
extension Double: ModelColumnValue { public static var columnType: SQLType { .double } }
extension Float: ModelColumnValue { public static var columnType: SQLType { .float } }
extension Bool: ModelColumnValue { public static var columnType: SQLType { .boolean } }
extension Date: ModelColumnValue { public static var columnType: SQLType { .datetime } }
extension Decimal: ModelColumnValue { public static var columnType: SQLType { .numeric } }
extension UUID: ModelColumnValue { public static var columnType: SQLType { .uuid } }
extension Data: ModelColumnValue { public static var columnType: SQLType { .binary } }

extension SQLType {
    /// The enum type of a `String`-backed Swift enum: its cases' raw values, in order.
    ///
    /// ```swift
    /// enum BookFormat: String, CaseIterable { case hardcover, paperback, ebook }
    /// @Column(.enum(BookFormat.self, name: "format_kind")) var format: BookFormat
    /// // PostgreSQL: CREATE TYPE format_kind AS ENUM ('hardcover', 'paperback', 'ebook')
    /// ```
    public static func `enum`<E: RawRepresentable & CaseIterable>(_ type: E.Type, name: String) -> SQLType
    where E.RawValue == String {
        .enum(name: name, values: E.allCases.map(\.rawValue))
    }
}

/// A Swift enum with raw values converts to and from ``SQLValue`` through its raw
/// value once it declares ``SQLValueConvertible``; then its typed columns compare with
/// values: `Book.columns.format == .ebook`.
///
/// ```swift
/// enum BookFormat: String, CaseIterable, SQLValueConvertible { case hardcover, paperback, ebook }
/// ```
extension SQLValueConvertible where Self: RawRepresentable, RawValue: SQLValueConvertible {
    public var sqlValue: SQLValue { rawValue.sqlValue }

    public init(sqlValue: SQLValue) throws {
        let raw = try RawValue(sqlValue: sqlValue)
        guard let value = Self(rawValue: raw) else {
            throw DataError(message: "\(raw) is not a value of \(Self.self)")
        }
        self = value
    }
}
