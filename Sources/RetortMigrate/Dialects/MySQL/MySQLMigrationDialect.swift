import Foundation
import RetortCore

/// The migrator on MySQL and MariaDB.
///
/// - Every DDL statement commits on its own (`transactionalDDL` is false), so every
///   revision runs step by step with its progress recorded in `migrator_progress`, as a
///   `transactional: false` revision does elsewhere: a failed step leaves a record of
///   exactly what stays applied, and the next run resumes at the failed step.
/// - The migration lock is a named user lock, `GET_LOCK('retort_migrator_<key>', 0)`,
///   held by the session and given back with `RELEASE_LOCK`.
/// - Timeouts: `lock_wait_timeout` (whole seconds; the server's default is a year) and
///   the statement limit, MariaDB's `max_statement_time` (seconds) and MySQL's
///   `max_execution_time` (milliseconds, SELECTs only), each set where the server has it.
/// - `ALTER TABLE … MODIFY` restates the whole column, so `alter_column` needs the
///   column's existing definition (``restatesColumnToAlter``).
/// - Lint: InnoDB builds indexes and changes nullability online (`ALGORITHM=INPLACE,
///   LOCK=NONE`, writes go on), so the rules about blocking index builds and NOT NULL
///   scans do not apply; a DDL statement still waits for the table's metadata lock and
///   queues every later query behind it while it waits, and a type change or a new
///   foreign key or check copies the table (`ALGORITHM=COPY`) while writes wait, so the
///   rules about those and about a missing lock timeout do.
struct MySQLMigrationDialect: MigrationDialect {
    var transactionalDDL: Bool { false }

    /// Offline scripts hold no BEGIN/COMMIT: every DDL statement commits on its own, so
    /// a BEGIN would promise a rollback that cannot happen (the mysql client autocommits
    /// the version-table statements).
    var offlineTransaction: (begin: String?, commit: String?) { (nil, nil) }
    var ddlBlocksWhileWaiting: Bool { true }
    var buildsIndexesOnline: Bool { true }
    var restatesColumnToAlter: Bool { true }

    /// `GET_LOCK` answers 1 (taken), 0 (another session holds it) or NULL (an error such
    /// as the session being killed); only 1 counts. Its names are per server (not per
    /// database, as PostgreSQL's advisory locks are) and at most 64 characters, so the
    /// name is `retort_migrator_` and the SHA-1 of the database's name with the key
    /// (56 characters): projects in two databases of one server do not wait on each other.
    var migrationLock: (tryLock: TextClause, unlock: TextClause)? {
        let name = "CONCAT('retort_migrator_', SHA1(CONCAT(COALESCE(DATABASE(), ''), '/', :key)))"
        return (text("SELECT COALESCE(GET_LOCK(\(name), 0), 0) = 1"), text("SELECT RELEASE_LOCK(\(name))"))
    }

    /// `lock_wait_timeout` takes whole seconds (at least 1). The statement limit is
    /// MariaDB's `max_statement_time` (seconds, any statement), written inside a
    /// MariaDB-only comment (`/*M! … */`) so that the same statement runs on MySQL, whose
    /// `max_execution_time` limits only SELECTs and so cannot bound a migration's DDL:
    /// there the setting is left alone.
    func timeoutStatements(lockTimeout: Double?, statementTimeout: Double?) -> [String] {
        var out: [String] = []
        if let t = lockTimeout { out.append("SET SESSION lock_wait_timeout = \(max(1, Int(t.rounded(.up))))") }
        if let t = statementTimeout {
            // The value is written twice: the server refuses a user variable's DECIMAL for it.
            let seconds = String(format: "%.3f", t)
            out.append("SET @retort_statement_timeout = \(seconds) /*M!100100 , SESSION max_statement_time = \(seconds) */")
        }
        return out
    }
}
