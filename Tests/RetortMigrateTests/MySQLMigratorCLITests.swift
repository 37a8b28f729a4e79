import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// The migrator on MariaDB, through the real `migrator` binary: every DDL statement
/// commits, so every revision runs step by step with its progress recorded, and says so.
extension MigratorCLITests {
    /// A revision whose third step fails stops naming the applied steps, the failed one
    /// and what to do; `current` shows it part-applied; the fixed revision resumes at the
    /// failed step.
    func testARevisionWhoseThirdStepFailsStopsAndResumesOnMariaDB() throws {
        let (dir, db) = try makeProject(database: try MariaDBTestServer.freshDatabaseURL())
        let first = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(first.status, 0, first.stderr)
        try writeBrokenRevision(dir)  // no `transactional: false`: MySQL cannot roll its DDL back anyway
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 1, up.stdout)
        XCTAssertTrue(up.stderr.contains("revision dddd00000004, upgrade step 3 (execute) failed"), up.stderr)
        XCTAssertTrue(up.stderr.contains(
            "the revision runs outside a transaction (this database cannot roll DDL back), so steps 1-2 (execute CREATE TABLE "
                + "tags (id INTEGER PRIMARY KE…, execute ALTER TABLE books ADD COLUMN isbn VARCHA…) ran and stay applied, "
                + "not rolled back; step 3 was not applied; the version table still says cccc00000003; fix the cause and run "
                + "the upgrade again: it resumes at step 3"), up.stderr)
        XCTAssertTrue(try tables(db).contains("tags"), "step 1 stays")
        let current = try runMigrator(["current"], in: dir)
        XCTAssertTrue(current.stdout.contains("cccc00000003"), current.stdout)
        XCTAssertTrue(current.stdout.contains("revision dddd00000004 is partly applied: upgrade steps 1-2 ran; the next "
                                              + "`migrator upgrade` through it resumes at step 3"), current.stdout)

        try writeRevision(dir, "d", """
            revision: dddd00000004
            down_revision: cccc00000003
            message: broken
            upgrade:
              - execute: CREATE TABLE tags (id INTEGER PRIMARY KEY)
              - execute: ALTER TABLE books ADD COLUMN isbn VARCHAR(13)
              - execute: ALTER TABLE books ADD COLUMN isbn13 VARCHAR(13)
            downgrade: []
            """)
        let again = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("resumed at step 3"), again.stdout)
        let engine = try createEngine(db)
        defer { engine.dispose() }
        let columns = try Inspector(engine).columns("books").map(\.name)
        XCTAssertEqual(columns.filter { $0.hasPrefix("isbn") }, ["isbn", "isbn13"], "steps 1-2 did not run again")
        XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains("dddd00000004"))
    }

    func testADowngradeUndoesThePartOfAnUpgradeThatRanOnMariaDB() throws {
        try partialUpgradeIsUndoneByDowngrade(database: try MariaDBTestServer.freshDatabaseURL())
    }

    /// On MySQL every revision runs step by step, and its data steps still each run in a
    /// transaction: a bulk_insert failing at its third row leaves none of its rows.
    func testADataStepIsAllOrNothingOnMariaDB() throws {
        try dataStepIsAllOrNothing(database: try MariaDBTestServer.freshDatabaseURL(), transactional: true)
    }
}
