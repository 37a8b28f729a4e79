extension PostgreSQLReflector {
    /// The planner's row estimate (`reltuples`, -1 before the first ANALYZE, read as 0)
    /// and `pg_total_relation_size`, in one query for all tables of the current schema.
    func tableSizes(_ conn: Connection, tables: [String]) throws -> [String: TableSize] {
        let rows = try conn.execute(text("""
            SELECT c.relname, GREATEST(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
            """)).all()
        let wanted = Set(tables)
        var out: [String: TableSize] = [:]
        for r in rows {
            let name = try r.get(0, as: String.self)
            guard wanted.contains(name) else { continue }
            out[name] = TableSize(rows: try r.get(1, as: Int64.self), bytes: try r.get(2, as: Int64.self))
        }
        return out
    }
}
