/// SQL Server's spelling of types: national strings (`NVARCHAR(N)`, `NVARCHAR(max)`
/// for text and JSON), `BIT` for booleans, `REAL` / `FLOAT` for single and double
/// precision, `DATETIME2` / `DATETIMEOFFSET`, `VARBINARY(max)`, `UNIQUEIDENTIFIER`,
/// and an enum as an `NVARCHAR` with a CHECK.
final class SQLServerTypeCompiler: TypeCompiler, @unchecked Sendable {
    // @unchecked Sendable: stateless, as ``TypeCompiler`` is.
    override func visitString(_ length: Int?) -> String { length.map { "NVARCHAR(\($0))" } ?? "NVARCHAR(max)" }
    override func visitText() -> String { "NVARCHAR(max)" }
    override func visitBoolean() -> String { "BIT" }
    override func visitFloat() -> String { "REAL" }
    override func visitDouble() -> String { "FLOAT" }
    override func visitDatetime(timezone: Bool) -> String { timezone ? "DATETIMEOFFSET" : "DATETIME2" }
    override func visitBinary() -> String { "VARBINARY(max)" }
    override func visitJSON() -> String { "NVARCHAR(max)" }
    override func visitUUID() -> String { "UNIQUEIDENTIFIER" }
    override func visitEnum(_ name: String, _ values: [String]) throws -> String {
        "NVARCHAR(\(max(1, values.map(\.count).max() ?? 1)))"
    }
}
