extension Dialect {
    /// Statements run before a migration's transaction and after it, and a query run
    /// just before each commit whose rows are foreign-key violations.
    ///
    /// SQLite cannot switch foreign keys inside a transaction, and its table rebuild
    /// (create, copy, drop, rename) would trip them half-way; so migrations run with
    /// them off and check them all (`PRAGMA foreign_key_check`) before committing.
    public var migrationForeignKeyHandling: (before: [String], check: TextClause?, after: [String]) {
        switch name {
        case "sqlite": return (["PRAGMA foreign_keys = OFF"], text("PRAGMA foreign_key_check"), ["PRAGMA foreign_keys = ON"])
        default: return ([], nil, [])
        }
    }

    /// True when constraints and column definitions change only by rebuilding the
    /// table (SQLite's ALTER TABLE cannot alter a column or add and drop constraints).
    public var altersByRebuildingTables: Bool { !supportsAlterColumn }
}
