/// A column's SQL type, independent of any database: what a ``Column`` declares and
/// what each dialect's ``TypeCompiler`` spells in DDL.
///
/// ```swift
/// Column("title", .string(200), nullable: false)   // SQLite: VARCHAR(200)   PostgreSQL: VARCHAR(200)
/// Column("price", .numeric(10, 2))                 // NUMERIC(10, 2) on both
/// Column("at", .datetime(timezone: true))          // SQLite: DATETIME       PostgreSQL: TIMESTAMP WITH TIME ZONE
/// Column("format", .enum("book_format", ["hardcover", "paperback"]))
/// ```
///
/// Every type has one compact name (``name``), the spelling used in revision files,
/// metadata JSON and messages: `string(200)`, `numeric(10,2)`, `enum(book_format)`.
/// ``init(name:enums:)`` reads it back. A type Retort has no name for travels as
/// ``sql(_:)`` with the database's own spelling.
public enum SQLType: Sendable, Hashable {
    /// A 32-bit integer: `INTEGER`.
    case integer
    /// A 64-bit integer: `BIGINT` (`INTEGER` on SQLite).
    case bigint
    /// A 16-bit integer: `SMALLINT`.
    case smallint
    /// Variable-length text with an optional maximum length: `VARCHAR(N)`.
    case string(Int?)
    /// Unbounded text: `TEXT`.
    case text
    /// `BOOLEAN` (stored as 0/1 on SQLite).
    case boolean
    /// A single-precision float: `FLOAT` on SQLite, `REAL` on PostgreSQL.
    case float
    /// A double-precision float: `REAL` on SQLite, `DOUBLE PRECISION` on PostgreSQL.
    case double
    /// An exact decimal number, `NUMERIC(P,S)`. Read it as `Decimal`.
    ///
    /// PostgreSQL's NUMERIC is exact. SQLite keeps numbers only as INTEGER (64 bits) or
    /// REAL (an IEEE double), so on SQLite a `Decimal` goes as an INTEGER when it is
    /// whole and fits 64 bits (exact to 19 digits) and as a REAL otherwise: exact up to
    /// 15 significant digits, the nearest double beyond (about 16–17 digits; read back
    /// rounded to the column's scale). Either way it compares and sorts correctly with
    /// every other number (SQLAlchemy stores the same REAL).
    case numeric(precision: Int?, scale: Int?)
    /// A calendar date without time: `DATE`. Binds a `Date` as its UTC day.
    case date
    /// A date and time: `DATETIME` on SQLite, `TIMESTAMP [WITH|WITHOUT] TIME ZONE` on PostgreSQL.
    case datetime(timezone: Bool)
    /// A time of day: `TIME`. Binds a `Date` as its UTC time of day.
    case time
    /// Bytes: `BLOB` on SQLite, `BYTEA` on PostgreSQL.
    case binary
    /// JSON text: `JSON` on SQLite, `JSONB` on PostgreSQL.
    case json
    /// A UUID: `CHAR(36)` on SQLite (lower-case text), `UUID` on PostgreSQL.
    case uuid
    /// An enumeration of strings: a native `CREATE TYPE name AS ENUM` on PostgreSQL, a
    /// `VARCHAR` sized to the longest value with a named `CHECK` on SQLite.
    case `enum`(name: String, values: [String])
    /// A type Retort has no name for, in the database's own spelling, carried through
    /// unchanged: `.sql("INTEGER[]")`.
    case sql(String)

    /// `string` without a length: `VARCHAR`.
    public static var string: SQLType { .string(nil) }
    /// `numeric` without precision or scale: `NUMERIC`.
    public static var numeric: SQLType { .numeric(precision: nil, scale: nil) }
    /// `numeric(P,S)`: `NUMERIC(10, 2)`.
    public static func numeric(_ precision: Int, _ scale: Int) -> SQLType { .numeric(precision: precision, scale: scale) }
    /// `datetime` without a time zone.
    public static var datetime: SQLType { .datetime(timezone: false) }
    /// An enum type named `name` with `values`, in order.
    public static func `enum`(_ name: String, _ values: [String]) -> SQLType { .enum(name: name, values: values) }

    /// True for integer, bigint and smallint.
    public var isInteger: Bool {
        switch self {
        case .integer, .bigint, .smallint: return true
        default: return false
        }
    }

    /// True for the types whose values are text in SQL (string, text, enum): `+` on
    /// them concatenates.
    public var isTextual: Bool {
        switch self {
        case .string, .text, .enum: return true
        default: return false
        }
    }

    /// True for integer, floating and numeric types.
    public var isNumeric: Bool {
        switch self {
        case .integer, .bigint, .smallint, .float, .double, .numeric: return true
        default: return false
        }
    }

    /// The enum's name and values, for `.enum` types.
    public var enumDefinition: (name: String, values: [String])? {
        if case .enum(let name, let values) = self { return (name, values) }
        return nil
    }

    /// True when `other` is the same type by compact name (enum values are not compared):
    /// what a migration compares.
    public func hasSameName(as other: SQLType) -> Bool { name == other.name }
}
