/// SQLite's spelling of types: what SQLite's type affinity rules make of them.
///
/// `datetime` is `DATETIME` (text), `uuid` is `CHAR(36)` (lower-case text), `json` is
/// `JSON` (text), an enum a `VARCHAR` sized to its longest value with a named CHECK,
/// and an autoincrementing integer key is exactly `INTEGER`, which makes it SQLite's
/// rowid.
final class SQLiteTypeCompiler: TypeCompiler, @unchecked Sendable {
    // @unchecked Sendable: stateless, as ``TypeCompiler`` is.
    override func visitFloat() -> String { "FLOAT" }
    override func visitDouble() -> String { "REAL" }
    override func visitDatetime(timezone: Bool) -> String { "DATETIME" }
    override func visitBinary() -> String { "BLOB" }
    override func visitJSON() -> String { "JSON" }
    override func visitUUID() -> String { "CHAR(36)" }
    /// Only a column declared exactly `INTEGER PRIMARY KEY` is the rowid, so BIGINT
    /// and SMALLINT autoincrement keys are spelled INTEGER (SQLite integers are 64-bit).
    override func autoincrementTypeName(_ type: SQLType) throws -> String {
        type.isInteger ? "INTEGER" : try typeName(type)
    }
    /// A decimal goes as an INTEGER or a REAL (see ``SQLiteDecimalStorage``); a Double
    /// bound for a `numeric` column stays the REAL it is (there is nothing more exact
    /// to keep on SQLite).
    override func processBind(_ value: SQLValue, _ type: SQLType) -> SQLValue {
        if case .numeric = type, case .real = value { return value }
        let processed = type.processBind(value)
        guard case .decimal(let d) = processed else { return processed }
        return SQLiteDecimalStorage.value(for: d)
    }
    override func castTypeName(_ type: SQLType) throws -> String {
        switch type {
        case .uuid: return "TEXT"
        case .datetime, .date, .time, .json: return "TEXT"
        default: return try typeName(type)
        }
    }
}
