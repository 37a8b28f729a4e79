/// Reads a PostgreSQL schema from `pg_catalog` with a fixed number of queries.
struct PostgresReflector: SchemaReflector {
    func schemaNames(_ conn: Connection) throws -> [String] {
        try conn.scalars(text("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname"),
                         as: String.self).all()
    }

    func reflect(_ conn: Connection, schema: String?, only: Set<String>?, exclude: Set<String>) throws -> ReflectedSchema {
        throw ProgrammingError(kind: .notSupported, message: "PostgreSQL reflection is being written (branch pg-reflection)")
    }
}
