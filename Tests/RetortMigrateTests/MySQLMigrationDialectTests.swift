import Foundation
import RetortCore
import RetortMigrate
import XCTest

/// MySQL's migration dialect as shared code sees it, without a server (the live tests
/// run the same statements against MariaDB).
final class MySQLMigrationDialectTests: XCTestCase {
    func mysql() throws -> any MigrationDialect { try XCTUnwrap(MigrationDialects.registered["mysql"]) }

    func testDDLIsNotTransactionalAndAlterRestatesTheColumn() throws {
        let m = try mysql()
        XCTAssertFalse(m.transactionalDDL)
        XCTAssertTrue(m.restatesColumnToAlter)
        XCTAssertTrue(m.buildsIndexesOnline)
        XCTAssertTrue(m.ddlBlocksWhileWaiting)
        XCTAssertFalse(m.rebuildsTablesToAlter)
    }

    /// GET_LOCK answers 1, 0 or NULL; only 1 is taken. The name fits MySQL's 64 characters.
    func testTheLockIsANamedLockPerDatabase() throws {
        let lock = try XCTUnwrap(try mysql().migrationLock)
        let name = "CONCAT('retort_migrator_', SHA1(CONCAT(COALESCE(DATABASE(), ''), '/', :key)))"
        XCTAssertEqual(lock.tryLock.text, "SELECT COALESCE(GET_LOCK(\(name), 0), 0) = 1")
        XCTAssertEqual(lock.unlock.text, "SELECT RELEASE_LOCK(\(name))")
        XCTAssertLessThanOrEqual("retort_migrator_".count + 40, 64)
    }

    func testTimeoutsInTheServersUnits() throws {
        XCTAssertEqual(try mysql().timeoutStatements(lockTimeout: 2.5, statementTimeout: 1.5), [
            "SET SESSION lock_wait_timeout = 3",
            "SET @retort_statement_timeout = 1.500 /*M!100100 , SESSION max_statement_time = 1.500 */",
        ])
        XCTAssertEqual(try mysql().timeoutStatements(lockTimeout: 0.2, statementTimeout: nil), ["SET SESSION lock_wait_timeout = 1"])
        XCTAssertEqual(try mysql().timeoutStatements(lockTimeout: nil, statementTimeout: nil), [])
    }

    /// What an alter_column must say on a database whose ALTER restates the column.
    func testMissingExistingDefinition() {
        var typeChange = AlterColumnSpec(table: "books", column: "isbn")
        typeChange.type = "string(20)"
        XCTAssertEqual(typeChange.missingExistingDefinition, ["existing_nullable", "existing_server_default", "existing_comment"])
        typeChange.existingNullable = false
        typeChange.existingServerDefault = .some(nil)
        typeChange.existingComment = .some(nil)
        XCTAssertEqual(typeChange.missingExistingDefinition, [], "null says none")
        var comment = AlterColumnSpec(table: "books", column: "isbn")
        comment.comment = .some("x")
        XCTAssertEqual(comment.missingExistingDefinition, ["existing_type", "existing_nullable", "existing_server_default"])
        var rename = AlterColumnSpec(table: "books", column: "isbn")
        rename.newName = "isbn13"
        XCTAssertEqual(rename.missingExistingDefinition, [], "RENAME COLUMN restates nothing")
        var newDefault = AlterColumnSpec(table: "books", column: "isbn")
        newDefault.serverDefault = .some("'none'")
        XCTAssertEqual(newDefault.missingExistingDefinition, [], "ALTER COLUMN SET DEFAULT restates nothing")
    }

    /// A `mysql:` section sets the timeouts; with both, the one naming the URL's database applies.
    func testTheMySQLConfigSection() throws {
        let both = "postgresql: {lock_timeout: 3s}\nmysql: {lock_timeout: 7s, statement_timeout: 2s}\n"
        let onPostgres = try MigratorConfig.parse("database: postgresql://h/db\n" + both, path: "/p/migrator.yaml", environment: [:])
        XCTAssertEqual(onPostgres.lockTimeout, 3)
        XCTAssertNil(onPostgres.statementTimeout)
        let alone = try MigratorConfig.parse("database: mysql://u@h/db\nmysql: {lock_timeout: 7s, statement_timeout: 2s}\n",
                                             path: "/p/migrator.yaml", environment: [:])
        XCTAssertEqual(alone.lockTimeout, 7)
        XCTAssertEqual(alone.statementTimeout, 2)
        XCTAssertThrowsError(try MigratorConfig.parse("database: mysql://u@h/db\nmysql: {lock_wait: 7s}\n",
                                                      path: "/p/migrator.yaml", environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("lock_wait"), "\(error)")
        }
    }
}
