/// PostgreSQL's spelling of types: `DOUBLE PRECISION`, `TIMESTAMP WITH TIME ZONE`,
/// `BYTEA`, `JSONB` (chosen over `JSON` for indexing and equality), `UUID`, and an
/// enum as its own type name (created with `CREATE TYPE ... AS ENUM`).
final class PostgreSQLTypeCompiler: TypeCompiler, @unchecked Sendable {
    // @unchecked Sendable: stateless, as ``TypeCompiler`` is.
    override func visitFloat() -> String { "REAL" }
    override func visitDouble() -> String { "DOUBLE PRECISION" }
    override func visitBinary() -> String { "BYTEA" }
    override func visitJSON() -> String { "JSONB" }
    override func visitUUID() -> String { "UUID" }
    override func visitEnum(_ name: String, _ values: [String]) throws -> String { quoteIdentifier(name) }
}
