extension SQLiteReflector {
    /// Exact row counts (`count(*)`, which reads the table); SQLite keeps no per-table size.
    func tableSizes(_ conn: Connection, tables: [String]) throws -> [String: TableSize] {
        let existing = Set(try conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'"), as: String.self).all())
        var out: [String: TableSize] = [:]
        for t in tables where existing.contains(t) {
            out[t] = TableSize(rows: try conn.scalar(text("SELECT count(*) FROM \(conn.dialect.quoteIdentifier(t))"), as: Int64.self),
                               bytes: nil)
        }
        return out
    }
}
