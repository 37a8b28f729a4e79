import Foundation
import RetortCore

/// The migrator on SQLite: transactional DDL; ALTER TABLE cannot alter a column or add
/// and drop constraints, so those rebuild the table (``TableRebuild``); no advisory
/// locks, so a run's first transaction begins `IMMEDIATE` and keeps the write lock.
struct SQLiteMigrationDialect: MigrationDialect {
    var rebuildsTablesToAlter: Bool { true }

    /// SQLite cannot switch foreign keys inside a transaction, and a rebuild (create,
    /// copy, drop, rename) would trip them half-way; so migrations run with them off and
    /// check them all (`PRAGMA foreign_key_check`) before committing.
    var foreignKeyHandling: (before: [String], check: TextClause?, after: [String]) {
        (["PRAGMA foreign_keys = OFF"], text("PRAGMA foreign_key_check"), ["PRAGMA foreign_keys = ON"])
    }

    /// `PRAGMA locking_mode = EXCLUSIVE`, given back with `locking_mode = NORMAL` and a
    /// read. Besides keeping other processes out between revisions, it keeps the
    /// rollback journal open from one commit to the next instead of creating and
    /// deleting it for every revision, about a quarter of what a small revision costs on
    /// disk. Commits are exactly as durable as before (the same syncs). A database in
    /// WAL mode is left alone: a commit there is already one sync, and exclusive mode
    /// could not be given back.
    ///
    /// Called earlier than inside the first write transaction (once `BEGIN IMMEDIATE`
    /// holds the write lock), a migrator still waiting for the lock would keep the read
    /// lock of its first read, and two migrators would wait on each other.
    func holdWriteLockForRun(on conn: Connection) throws -> [String] {
        let mode = try conn.scalar(text("PRAGMA journal_mode"), as: String.self)
        guard mode.lowercased() != "wal" else { return [] }
        try conn.execute(text("PRAGMA locking_mode = EXCLUSIVE"))
        return ["PRAGMA locking_mode = NORMAL", "SELECT 1 FROM sqlite_master LIMIT 1"]
    }
}
