import Foundation
import RetortCore
import RetortMigrate
import RetortTestSupport
import XCTest

/// A revision that runs step by step outside a transaction (`transactional: false`, or
/// every revision on a database whose DDL commits, MySQL) still runs each data step in
/// a transaction with its progress record: a `bulk_insert` that fails at its third row
/// leaves none of its rows, and the resumed run inserts each row once.
extension MigratorCLITests {
    func writeBulkInsertRevision(_ dir: String, lastID: Int, transactional: Bool) throws {
        try writeRevision(dir, "d", """
            revision: dddd00000004
            down_revision: cccc00000003
            message: fill tags
            transactional: \(transactional)
            upgrade:
              - create_table:
                  name: tags
                  columns:
                    - {name: id, type: integer, nullable: false, primary_key: true, autoincrement: false}
                    - {name: label, type: string(20), nullable: false}
              - bulk_insert:
                  table: tags
                  rows:
                    - {id: 1, label: one}
                    - {id: 2, label: two}
                    - {id: \(lastID), label: three}
              - execute: UPDATE tags SET label = 'TWO' WHERE id = 2
            downgrade:
              - drop_table: {name: tags}
            """)
    }

    func tagRows(_ db: String) throws -> [String] {
        let engine = try createEngine(db)
        defer { engine.dispose() }
        return try engine.connect {
            try $0.execute(text("SELECT id, label FROM tags ORDER BY id")).all().map {
                "\(try $0.get(0, as: Int.self)):\(try $0.get(1, as: String.self))"
            }
        }
    }

    /// `transactional`: the revision's flag (false makes it run step by step on every
    /// database; MySQL runs every revision so).
    func dataStepIsAllOrNothing(database: String?, transactional: Bool = false) throws {
        let (dir, db) = try makeProject(database: database)
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
        try writeBulkInsertRevision(dir, lastID: 1, transactional: transactional)  // the third row repeats id 1
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 1, up.stdout)
        XCTAssertTrue(up.stderr.contains("revision dddd00000004, upgrade step 2 (bulk_insert) failed: IntegrityError"), up.stderr)
        XCTAssertTrue(up.stderr.contains("so step 1 (create_table tags) ran and stays applied, not rolled back; steps 2-3 were not "
                                         + "applied"), up.stderr)
        XCTAssertTrue(up.stderr.contains("it resumes at step 2"), up.stderr)
        XCTAssertEqual(try tagRows(db), [], "none of the step's rows stay: the step is all or nothing")
        XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains("revision dddd00000004 is partly applied: upgrade step 1 ran"))

        try writeBulkInsertRevision(dir, lastID: 3, transactional: transactional)
        let again = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("resumed at step 2"), again.stdout)
        XCTAssertEqual(try tagRows(db), ["1:one", "2:TWO", "3:three"], "each row once")
        XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains("dddd00000004"))
    }

    func testADataStepOfARevisionOutsideATransactionIsAllOrNothingOnSQLite() throws {
        try dataStepIsAllOrNothing(database: nil)
    }

    func testADataStepOfARevisionOutsideATransactionIsAllOrNothingOnPostgreSQL() throws {
        try dataStepIsAllOrNothing(database: try PostgreSQLTestServer.freshDatabaseURL())
    }

    /// A downgrade after an upgrade that stopped at its third step unapplies exactly the
    /// two steps it applied (the revision's last two downgrade steps), leaves the version
    /// table alone and forgets the record; the fixed revision then upgrades from step 1.
    func partialUpgradeIsUndoneByDowngrade(database: String?) throws {
        let (dir, db) = try makeProject(database: database)
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
        try writeHalfBrokenNonTransactional(dir, thirdStep: "INSERT INTO no_such_table VALUES (1)")
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 1)
        XCTAssertTrue(try tables(db).contains("t2"))

        let down = try runMigrator(["downgrade", "cccc00000003"], in: dir)
        XCTAssertEqual(down.status, 0, down.stderr)
        XCTAssertTrue(down.stdout.contains("downgrade dddd00000004 -> cccc00000003  outside a transaction  ("), down.stdout)
        XCTAssertTrue(down.stdout.contains("undid the 2 upgrade steps an earlier run left applied (downgrade steps 3-4)"),
                      down.stdout)
        var t = try tables(db)
        XCTAssertFalse(t.contains("t1") || t.contains("t2"), "\(t)")
        XCTAssertTrue(t.contains("books"), "only the part-applied steps were undone: \(t)")
        let current = try runMigrator(["current"], in: dir)
        XCTAssertTrue(current.stdout.contains("cccc00000003"), current.stdout)
        XCTAssertFalse(current.stdout.contains("partly"), current.stdout)

        try writeHalfBrokenNonTransactional(dir, thirdStep: "CREATE TABLE t3 (id INTEGER)")
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 0, up.stderr)
        XCTAssertFalse(up.stdout.contains("resumed"), "it starts again from step 1: \(up.stdout)")
        t = try tables(db)
        XCTAssertTrue(["t1", "t2", "t3", "t4"].allSatisfy(t.contains), "\(t)")
    }

    func testADowngradeUndoesThePartOfAnUpgradeThatRanOnSQLite() throws {
        try partialUpgradeIsUndoneByDowngrade(database: nil)
    }

    func testADowngradeUndoesThePartOfAnUpgradeThatRanOnPostgreSQL() throws {
        try partialUpgradeIsUndoneByDowngrade(database: try PostgreSQLTestServer.freshDatabaseURL())
    }

    /// When the downgrade does not mirror the upgrade, which steps undo the applied ones
    /// is not known: the downgrade is refused, saying why and what to do.
    func testADowngradeThatDoesNotMirrorTheUpgradeIsRefusedAfterAPartialUpgrade() throws {
        let (dir, db) = try makeProject()
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
        try writeRevision(dir, "d", """
            revision: dddd00000004
            down_revision: cccc00000003
            message: outside a transaction
            transactional: false
            upgrade:
              - execute: CREATE TABLE t1 (id INTEGER)
              - execute: INSERT INTO no_such_table VALUES (1)
            downgrade:
              - execute: DROP TABLE t1
            """)
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 1)
        let down = try runMigrator(["downgrade", "-1"], in: dir)
        XCTAssertEqual(down.status, 1, down.stdout)
        XCTAssertTrue(down.stderr.contains("revision dddd00000004 is partly applied: an earlier upgrade ran its step 1"), down.stderr)
        XCTAssertTrue(down.stderr.contains("its downgrade (1 step) does not mirror its upgrade (2 steps)"), down.stderr)
        XCTAssertTrue(down.stderr.contains("finish it first with `migrator upgrade dddd00000004` (it resumes at step 2)"), down.stderr)
        let t = try tables(db)
        XCTAssertTrue(t.contains("t1") && t.contains("books"), "nothing was unapplied: \(t)")
    }
}
