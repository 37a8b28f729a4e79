import Foundation
import RetortCore

/// The migrator on SQL Server, offline only: DDL is transactional (`BEGIN
/// TRANSACTION` … `COMMIT`), and the script is written for sqlcmd / SSMS: each
/// statement ends with `;` and a `GO` line, so each runs as its own batch (as
/// `sp_rename` and the `IF OBJECT_ID(…)` forms need).
struct SQLServerMigrationDialect: MigrationDialect {
    var offlineStatementEnd: (terminator: String, separatorLine: String?) { (";", "GO") }
    var offlineTransaction: (begin: String?, commit: String?) { ("BEGIN TRANSACTION", "COMMIT") }
    var createsTablesIfNotExists: Bool { false }
}
