/// Spells ``SQLType``s in a dialect's DDL, one method per type, and processes values
/// bound to or read from columns of each type. Dialects subclass it.
///
/// ```swift
/// try Dialect.sqlite.typeCompiler.typeName(.uuid)          // "CHAR(36)"
/// try Dialect.postgresql.typeCompiler.typeName(.uuid)      // "UUID"
/// try Dialect.postgresql.typeCompiler.typeName(.datetime(timezone: true))   // "TIMESTAMP WITH TIME ZONE"
/// ```
///
/// Type compilers hold no state; one instance per dialect is shared.
public class TypeCompiler: @unchecked Sendable {
    // @unchecked Sendable: a non-final class cannot be checked; its one stored property is an
    // immutable @Sendable closure, and the dialects' subclasses add only `let`s.
    /// The dialect's quoting, for enum type names.
    public let quoteIdentifier: @Sendable (String) -> String

    /// A type compiler quoting enum type names with `quoteIdentifier`.
    public required init(quoteIdentifier: @escaping @Sendable (String) -> String) {
        self.quoteIdentifier = quoteIdentifier
    }

    /// The DDL spelling of `type`.
    public func typeName(_ type: SQLType) throws -> String {
        switch type {
        case .integer: return visitInteger()
        case .bigint: return visitBigint()
        case .smallint: return visitSmallint()
        case .string(let n): return visitString(n)
        case .text: return visitText()
        case .boolean: return visitBoolean()
        case .float: return visitFloat()
        case .double: return visitDouble()
        case .numeric(let p, let s): return visitNumeric(p, s)
        case .date: return visitDate()
        case .datetime(let tz): return visitDatetime(timezone: tz)
        case .time: return visitTime()
        case .binary: return visitBinary()
        case .json: return visitJSON()
        case .uuid: return visitUUID()
        case .enum(let name, let values): return try visitEnum(name, values)
        case .sql(let raw): return raw
        }
    }

    /// The spelling of `type` in `CAST(x AS type)`.
    public func castTypeName(_ type: SQLType) throws -> String { try typeName(type) }

    /// The spelling of an autoincrementing column's type.
    public func autoincrementTypeName(_ type: SQLType) throws -> String { try typeName(type) }

    /// `INTEGER`.
    public func visitInteger() -> String { "INTEGER" }
    /// `BIGINT`.
    public func visitBigint() -> String { "BIGINT" }
    /// `SMALLINT`.
    public func visitSmallint() -> String { "SMALLINT" }
    /// `VARCHAR(N)`, or `VARCHAR` without a length.
    public func visitString(_ length: Int?) -> String { length.map { "VARCHAR(\($0))" } ?? "VARCHAR" }
    /// `TEXT`.
    public func visitText() -> String { "TEXT" }
    /// `BOOLEAN`.
    public func visitBoolean() -> String { "BOOLEAN" }
    /// Single precision: `FLOAT` (SQLite) / `REAL` (PostgreSQL).
    public func visitFloat() -> String { "FLOAT" }
    /// Double precision: `REAL` (SQLite) / `DOUBLE PRECISION` (PostgreSQL).
    public func visitDouble() -> String { "DOUBLE PRECISION" }
    /// `NUMERIC(P, S)`.
    public func visitNumeric(_ precision: Int?, _ scale: Int?) -> String {
        switch (precision, scale) {
        case (let p?, let s?): return "NUMERIC(\(p), \(s))"
        case (let p?, nil): return "NUMERIC(\(p))"
        default: return "NUMERIC"
        }
    }
    /// `DATE`.
    public func visitDate() -> String { "DATE" }
    /// `DATE`.
    public func visitDatetime(timezone: Bool) -> String { timezone ? "TIMESTAMP WITH TIME ZONE" : "TIMESTAMP WITHOUT TIME ZONE" }
    /// `TIME`.
    public func visitTime() -> String { "TIME" }
    /// `BLOB` (SQLite) / `BYTEA` (PostgreSQL).
    public func visitBinary() -> String { "BLOB" }
    /// `JSON` (SQLite) / `JSONB` (PostgreSQL).
    public func visitJSON() -> String { "JSON" }
    /// `CHAR(36)` (SQLite) / `UUID` (PostgreSQL).
    public func visitUUID() -> String { "UUID" }
    /// A native enum is its type name; without native enums, a VARCHAR as long as the
    /// longest value (the DDL compiler adds the CHECK).
    public func visitEnum(_ name: String, _ values: [String]) throws -> String {
        "VARCHAR(\(max(1, values.map(\.count).max() ?? 1)))"
    }

    /// The value to bind for a parameter of `type` (see ``SQLType/processBind(_:)``).
    public func processBind(_ value: SQLValue, _ type: SQLType) -> SQLValue { type.processBind(value) }

    /// The value a result column of `type` reads as (see ``SQLType/processResult(_:)``).
    public func processResult(_ value: SQLValue, _ type: SQLType) -> SQLValue { type.processResult(value) }
}
