import Foundation

/// One value as it travels between Swift and a database: a bound parameter or a
/// column of a result row.
///
/// The first five cases are SQLite's storage classes; the others carry the richer
/// kinds that SQL types need so that drivers can bind them the way their database
/// expects (PostgreSQL receives a `uuid` as a UUID, SQLite as text).
///
/// ```swift
/// let values: [SQLValue] = [42, "Ursula", nil, 3.5, true]
/// ```
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
    case bool(Bool)
    /// An exact decimal number (`NUMERIC`). Bound as its decimal text.
    case decimal(Decimal)
    /// An instant in time. Bound as ISO-8601 text in UTC.
    case timestamp(Date)
    case uuid(UUID)

    /// True for `.null`.
    @inlinable public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the value's kind, used in error messages.
    public var kindName: String {
        switch self {
        case .null: return "NULL"
        case .integer: return "integer"
        case .real: return "real"
        case .text: return "text"
        case .blob: return "blob"
        case .bool: return "boolean"
        case .decimal: return "decimal"
        case .timestamp: return "timestamp"
        case .uuid: return "uuid"
        }
    }
}

extension SQLValue: ExpressibleByNilLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension SQLValue: CustomStringConvertible {
    /// A readable rendering for logs and messages (blobs are summarised, not dumped).
    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .text(let v):
            let shown = v.count > 200 ? String(v.prefix(200)) + "…(\(v.utf8.count) bytes)" : v
            return "'" + shown.replacingOccurrences(of: "'", with: "''") + "'"
        case .blob(let d): return "<\(d.count) bytes>"
        case .bool(let b): return b ? "true" : "false"
        case .decimal(let d): return d.description
        case .timestamp(let d): return "'" + SQLDateFormat.timestampString(d) + "'"
        case .uuid(let u): return "'" + u.uuidString.lowercased() + "'"
        }
    }
}
