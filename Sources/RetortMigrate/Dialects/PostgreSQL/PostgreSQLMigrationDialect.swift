import Foundation
import RetortCore

/// The migrator on PostgreSQL: transactional DDL, ALTER TABLE in place (taking ACCESS
/// EXCLUSIVE locks that queue other sessions while they wait), the migration lock as a
/// session-level advisory lock, and `lock_timeout` / `statement_timeout` settings.
struct PostgreSQLMigrationDialect: MigrationDialect {
    var ddlBlocksWhileWaiting: Bool { true }

    var migrationLock: (tryLock: TextClause, unlock: TextClause)? {
        (text("SELECT pg_try_advisory_lock(:key)"), text("SELECT pg_advisory_unlock(:key)"))
    }

    func timeoutStatements(lockTimeout: Double?, statementTimeout: Double?) -> [String] {
        var out: [String] = []
        if let t = lockTimeout { out.append("SET lock_timeout = \(Int((t * 1000).rounded()))") }
        if let t = statementTimeout { out.append("SET statement_timeout = \(Int((t * 1000).rounded()))") }
        return out
    }
}
