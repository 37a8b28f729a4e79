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

    /// Makes `conn` keep the database's write lock from the end of its current
    /// transaction until the returned statements run (outside a transaction, also when
    /// the run fails), so that a migration run takes one lock rather than one per revision.
    ///
    /// Call it inside the run's first write transaction, once `BEGIN IMMEDIATE` holds the
    /// write lock. Called earlier, a migrator still waiting for the lock would keep the
    /// read lock of its first read, and two migrators would wait on each other.
    ///
    /// On SQLite this is `PRAGMA locking_mode = EXCLUSIVE`, given back with
    /// `locking_mode = NORMAL` and a read. Besides keeping other processes out between
    /// revisions, it keeps the rollback journal open from one commit to the next instead
    /// of creating and deleting it for every revision, about a quarter of what a small
    /// revision costs on disk. Commits are exactly as durable as before (the same syncs).
    /// A database in WAL mode is left alone: a commit there is already one sync, and
    /// exclusive mode could not be given back. PostgreSQL needs nothing here; its
    /// migration lock is an advisory lock.
    public func holdWriteLockForMigrationRun(on conn: Connection) throws -> [String] {
        guard name == "sqlite" else { return [] }
        let mode = try conn.scalar(text("PRAGMA journal_mode"), as: String.self)
        guard mode.lowercased() != "wal" else { return [] }
        try conn.execute(text("PRAGMA locking_mode = EXCLUSIVE"))
        return ["PRAGMA locking_mode = NORMAL", "SELECT 1 FROM sqlite_master LIMIT 1"]
    }

    /// True when constraints and column definitions change only by rebuilding the
    /// table (SQLite's ALTER TABLE cannot alter a column or add and drop constraints).
    public var altersByRebuildingTables: Bool { !supportsAlterColumn }
}
