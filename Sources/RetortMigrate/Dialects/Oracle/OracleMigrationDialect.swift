import Foundation
import RetortCore

/// The migrator on Oracle, offline only: DDL commits by itself (so there is no
/// transaction to open, and each revision's version-table update is followed by a
/// COMMIT), and the script is written for SQL*Plus / SQLcl: each statement without a
/// semicolon, followed by a `/` line that runs it — which runs PL/SQL blocks too.
struct OracleMigrationDialect: MigrationDialect {
    var transactionalDDL: Bool { false }
    var offlineStatementEnd: (terminator: String, separatorLine: String?) { ("", "/") }
    var offlineTransaction: (begin: String?, commit: String?) { (nil, "COMMIT") }
    var createsTablesIfNotExists: Bool { false }
}
