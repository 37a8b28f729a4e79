import Foundation
import RetortCore

/// What the migrator does differently on each database, beside what Core's
/// ``Dialect`` knows (Alembic's `DefaultImpl` and its per-database subclasses):
/// whether DDL rolls back, how migrators lock each other out, how foreign keys are
/// handled while tables are rebuilt, and what the lint rules may assume about locks.
///
/// One type per database, in `Dialects/<database>/`, registered in
/// ``MigrationDialects/registered`` under its dialect's name. Shared migrator code asks
/// `dialect.migration` and never compares a database's name. The defaults describe a
/// database with transactional DDL, in-place ALTER TABLE and no migration lock.
public protocol MigrationDialect: Sendable {
    /// DDL rolls back with its transaction, so a revision applies whole or not at all.
    /// Where it does not (MySQL commits every DDL statement), every revision runs step
    /// by step with its progress recorded, as a `transactional: false` revision does.
    var transactionalDDL: Bool { get }
    /// Column definitions and constraints change by rebuilding the table (SQLite),
    /// not by ALTER TABLE in place.
    var rebuildsTablesToAlter: Bool { get }
    /// DDL on an existing table takes a lock that queues every other session's reads
    /// and writes behind it while it waits (PostgreSQL's ACCESS EXCLUSIVE), so the
    /// lint rules about lock timeouts and blocking index builds apply.
    var ddlBlocksWhileWaiting: Bool { get }
    /// Indexes (unique ones included) are built and nullability is changed online,
    /// with writes going on (InnoDB's `ALGORITHM=INPLACE, LOCK=NONE`), so the lint rules
    /// about blocking index builds and NOT NULL scans (P301, P304, P306) do not apply.
    var buildsIndexesOnline: Bool { get }
    /// ALTER TABLE restates a column's whole definition to change any part of it
    /// (MySQL's `MODIFY`), so `alter_column` must carry what it leaves unchanged:
    /// `existing_type`, `existing_nullable`, `existing_server_default`, `existing_comment`
    /// (a rename alone or a default alone needs none). The migrator refuses an operation
    /// without them before any SQL runs; on such a database the column's comment is
    /// part of the one ALTER statement.
    var restatesColumnToAlter: Bool { get }
    /// The statements that take and release the session-level migration lock named by
    /// the 64-bit integer parameter `:key`: `tryLock` returns one boolean row, true when
    /// taken, without waiting (the runner retries until its lock timeout). Nil where a
    /// migrator's first write transaction takes the database's write lock instead
    /// (SQLite), which then begins `IMMEDIATE`.
    var migrationLock: (tryLock: TextClause, unlock: TextClause)? { get }
    /// Session settings for the lock and statement timeouts, in seconds (nil leaves a setting).
    func timeoutStatements(lockTimeout: Double?, statementTimeout: Double?) -> [String]
    /// Statements run before a migration run and after it, and a query run before each
    /// commit whose rows are foreign-key violations (table, rowid, parent table).
    var foreignKeyHandling: (before: [String], check: TextClause?, after: [String]) { get }
    /// Makes `conn` keep the database's write lock from the end of its current
    /// transaction until the returned statements run (outside a transaction, also when
    /// the run fails), so that a run takes one lock rather than one per revision.
    /// Called inside the run's first write transaction.
    func holdWriteLockForRun(on conn: Connection) throws -> [String]

    /// Offline scripts (`--sql`): what ends each statement (`;`), and the line written
    /// after it for the client that runs the script, if any (`GO` for sqlcmd, `/` for
    /// SQL*Plus), so that the script runs as written.
    var offlineStatementEnd: (terminator: String, separatorLine: String?) { get }
    /// Offline scripts: the statement that opens a revision's transaction (nil where DDL
    /// commits by itself and there is none to open) and the one that commits it (nil
    /// where the client commits each statement itself).
    var offlineTransaction: (begin: String?, commit: String?) { get }
    /// Offline scripts starting from base create the migrator's tables `IF NOT EXISTS`
    /// (false where the database has no such clause; the tables are new there anyway).
    var createsTablesIfNotExists: Bool { get }

    /// The one statement that replaces `table`'s primary key with one over `columns`,
    /// where dropping the old key by itself can fail or leave the table keyless between
    /// two commits (MySQL: an `AUTO_INCREMENT` column must stay in a key); nil where a
    /// drop and an add in turn will do. A `drop_constraint` of a table's primary key
    /// directly followed by that table's `create_primary_key` runs as this statement.
    func replacePrimaryKey(table: String, columns: [String]) -> (any DDLStatement)?
    /// The statement that drops foreign key `name` of `table`, where the database needs
    /// more than `DROP CONSTRAINT` (MySQL drops the index it made for the key with it);
    /// nil for Core's ``DropConstraint``. `connection` is nil offline.
    func dropForeignKey(_ name: String, table: String, dialect: Dialect, connection: Connection?) throws -> (any DDLStatement)?
    /// Called before `column` is added to `table` on a live connection: throws where the
    /// database would fill the existing rows with a value nobody chose (MySQL writes the
    /// type's zero value into every row for a NOT NULL column without a default, where
    /// other databases refuse), naming the column and that value. Does nothing by default.
    func checkAddingColumn(_ column: Column, to table: String, connection: Connection) throws
}

extension MigrationDialect {
    public var transactionalDDL: Bool { true }
    public var rebuildsTablesToAlter: Bool { false }
    public var ddlBlocksWhileWaiting: Bool { false }
    public var buildsIndexesOnline: Bool { false }
    public var restatesColumnToAlter: Bool { false }
    public var migrationLock: (tryLock: TextClause, unlock: TextClause)? { nil }
    public func timeoutStatements(lockTimeout: Double?, statementTimeout: Double?) -> [String] { [] }
    public var foreignKeyHandling: (before: [String], check: TextClause?, after: [String]) { ([], nil, []) }
    public func holdWriteLockForRun(on conn: Connection) throws -> [String] { [] }
    public var offlineStatementEnd: (terminator: String, separatorLine: String?) { (";", nil) }
    public var offlineTransaction: (begin: String?, commit: String?) { ("BEGIN", "COMMIT") }
    public var createsTablesIfNotExists: Bool { true }
    public func replacePrimaryKey(table: String, columns: [String]) -> (any DDLStatement)? { nil }
    public func dropForeignKey(_ name: String, table: String, dialect: Dialect, connection: Connection?) throws -> (any DDLStatement)? {
        nil
    }
    public func checkAddingColumn(_ column: Column, to table: String, connection: Connection) throws {}
}

/// The registered ``MigrationDialect``s, by their Core dialect's name.
public enum MigrationDialects {
    /// A new database registers its migration dialect here.
    public static let registered: [String: any MigrationDialect] = [
        Dialect.sqlite.name: SQLiteMigrationDialect(),
        Dialect.postgresql.name: PostgreSQLMigrationDialect(),
        Dialect.mysql.name: MySQLMigrationDialect(),
        Dialect.oracle.name: OracleMigrationDialect(),
        Dialect.mssql.name: SQLServerMigrationDialect(),
    ]

    /// The defaults, for a dialect without one of its own.
    struct Generic: MigrationDialect {}
}

extension Dialect {
    /// The migrator's behaviour on this database.
    public var migration: any MigrationDialect {
        MigrationDialects.registered[name] ?? MigrationDialects.Generic()
    }
}
