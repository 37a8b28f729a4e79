import Foundation
import RetortCore
import RetortMigrate
import RetortTestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Progress lines arrive as each revision commits; SIGTERM/SIGINT stop a run between
/// revisions; a revision run outside a transaction records its steps and resumes.
final class ProgressCLITests: XCTestCase {
    /// A project of `count` revisions, each a few tens of milliseconds of work.
    func slowProject(count: Int, database: String? = nil, rows: Int = 150_000) throws -> (dir: String, db: String) {
        let dir = try temporaryProject()
        XCTAssertEqual(try runMigrator(["init", "migrations"], in: dir).status, 0)
        let db = database ?? "sqlite:///" + dir + "/app.db"
        var config = try String(contentsOfFile: dir + "/migrator.yaml", encoding: .utf8)
        config = config.replacingOccurrences(of: "${DATABASE_URL:-sqlite:///app.db}", with: db)
        try config.write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        for i in 1...count {
            try writeRevision(dir, String(format: "r%03d", i), """
                revision: \(String(format: "r%011d", i))
                down_revision: \(i == 1 ? "null" : String(format: "r%011d", i - 1))
                message: table \(i)
                upgrade:
                  - execute: CREATE TABLE t\(i) AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < \(rows)) SELECT x FROM c
                downgrade:
                  - execute: DROP TABLE t\(i)
                """)
        }
        return (dir, db)
    }

    /// Reads stdout until `lines` step lines have arrived; fails if the process ended first
    /// (its output came only at the end).
    func readLines(_ p: RunningProcess, until lines: Int) -> String {
        var text = ""
        while text.components(separatedBy: "\n").filter({ $0.contains(" upgrade ") }).count < lines {
            let chunk = p.out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        XCTAssertTrue(p.process.isRunning, "the lines arrived only when the run ended: <\(text)>")
        return text
    }

    func historyRevisions(_ db: String) throws -> [String] {
        let engine = try createEngine(db)
        defer { engine.dispose() }
        return try engine.connect {
            try $0.scalars(text("SELECT revision FROM migrator_history ORDER BY revision"), as: String.self).all()
        }
    }

    func stepLines(_ text: String) -> [String] {
        text.components(separatedBy: "\n").filter { $0.contains(" upgrade ") }.compactMap { line in
            line.range(of: "-> ").map { String(line[$0.upperBound...].prefix(12)) }
        }
    }

    func testSIGTERMStopsAfterTheCurrentRevisionAndSaysWhereTheDatabaseIs() throws {
        try stopsAfterTheCurrentRevision(database: { nil })
    }

    func testSIGTERMStopsAfterTheCurrentRevisionOnPostgreSQL() throws {
        try stopsAfterTheCurrentRevision(database: { try PostgreSQLTestServer.freshDatabaseURL() })
    }

    func stopsAfterTheCurrentRevision(database: () throws -> String?) throws {
        for sig in [SIGTERM, SIGINT] {
            let (dir, db) = try slowProject(count: 40, database: try database())
            let p = try startMigrator(["upgrade", "head"], in: dir)
            var text = readLines(p, until: 3)
            kill(p.process.processIdentifier, sig)
            let rest = p.wait()
            text += rest.stdout
            XCTAssertEqual(rest.status, 128 + sig, "\(sig): \(text) \(rest.stderr)")
            let applied = try historyRevisions(db)
            XCTAssertLessThan(applied.count, 40, "it stopped early")
            XCTAssertEqual(stepLines(text), applied, "a line for each committed revision, and only those")
            let last = try XCTUnwrap(applied.last)
            XCTAssertTrue(text.contains("stopped by \(sig == SIGTERM ? "SIGTERM" : "SIGINT"): \(applied.count) revisions applied and "
                                        + "committed; the database is at \(last)"), text)
            XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains(last))
            let again = try runMigrator(["upgrade", "head"], in: dir)
            XCTAssertEqual(again.status, 0, again.stderr)
            XCTAssertEqual(try historyRevisions(db).count, 40)
        }
    }

    /// A second signal stops at once: the process ends by the signal, and the database
    /// holds only whole revisions, its version table agreeing with its history.
    func testASecondSignalStopsAtOnce() throws {
        // Revisions of a second or more, so that the second signal comes while one runs.
        let (dir, db) = try slowProject(count: 10, rows: 3_000_000)
        let p = try startMigrator(["upgrade", "head"], in: dir)
        var text = readLines(p, until: 1)
        kill(p.process.processIdentifier, SIGTERM)
        var errors = ""
        while !errors.contains("SIGTERM received") {
            let chunk = p.err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            errors += String(decoding: chunk, as: UTF8.self)
        }
        kill(p.process.processIdentifier, SIGTERM)
        let rest = p.wait()
        text += rest.stdout
        XCTAssertTrue(errors.contains("SIGTERM received: stopping after the revision in progress"), "the first signal was heard: \(errors)")
        XCTAssertEqual(p.process.terminationReason, .uncaughtSignal, text + rest.stderr)
        XCTAssertEqual(rest.status, SIGTERM)
        XCTAssertFalse(text.contains("stopped by"), text)
        let applied = try historyRevisions(db)
        XCTAssertLessThan(applied.count, 10)
        let last = try XCTUnwrap(applied.last)
        XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains(last), "the version table agrees with the history")
        XCTAssertTrue(try Inspector(createEngine(db)).tableNames().contains("t\(applied.count)"))
        XCTAssertFalse(try Inspector(createEngine(db)).tableNames().contains("t\(applied.count + 1)"), "no half revision")
    }

    /// With `transaction: all`, a signal rolls back the whole run and says so.
    func testSIGTERMUnderTransactionAllRollsBackAndSaysSo() throws {
        let (dir, db) = try slowProject(count: 40)
        try setTransactionMode("all", in: dir)
        let p = try startMigrator(["upgrade", "head"], in: dir)
        var text = readLines(p, until: 2)
        kill(p.process.processIdentifier, SIGTERM)
        let rest = p.wait()
        text += rest.stdout
        XCTAssertEqual(rest.status, 128 + SIGTERM, text + rest.stderr)
        XCTAssertTrue(text.contains("stopped by SIGTERM: 0 revisions applied and committed, "), text)
        XCTAssertTrue(text.contains("rolled back (transaction: all); the database is at base"), text)
        XCTAssertEqual(try historyRevisions(db), [])
    }

    /// A reader that goes away (`migrator upgrade head | head -1`) does not stop the run.
    func testAClosedStdoutDoesNotStopTheRun() throws {
        let (dir, db) = try slowProject(count: 20)
        let p = try startMigrator(["upgrade", "head"], in: dir)
        _ = readLines(p, until: 1)
        try p.out.fileHandleForReading.close()
        p.process.waitUntilExit()
        XCTAssertEqual(p.process.terminationReason, .exit, "not killed by SIGPIPE")
        XCTAssertEqual(p.process.terminationStatus, 0)
        XCTAssertEqual(try historyRevisions(db).count, 20)
    }

    /// `kill -9` cannot be caught: every revision committed before it has its line written.
    func testKill9LeavesTheLinesOfCommittedRevisions() throws {
        let (dir, db) = try slowProject(count: 40)
        let p = try startMigrator(["upgrade", "head"], in: dir)
        var text = readLines(p, until: 3)
        kill(p.process.processIdentifier, SIGKILL)
        text += p.wait().stdout
        let applied = try historyRevisions(db)
        let printed = stepLines(text)
        XCTAssertLessThan(applied.count, 40)
        XCTAssertEqual(Array(applied.prefix(printed.count)), printed, "every line printed is a committed revision")
        // The line is written right after the commit: a kill between the two leaves one behind.
        XCTAssertLessThanOrEqual(applied.count - printed.count, 1, "\(applied) vs \(printed)")
    }
}

/// A revision with `transactional: false` that fails half-way: what it says, and how
/// the next run finishes it.
extension MigratorCLITests {
    func writeHalfBrokenNonTransactional(_ dir: String, thirdStep: String) throws {
        try writeRevision(dir, "d", """
            revision: dddd00000004
            down_revision: cccc00000003
            message: outside a transaction
            transactional: false
            upgrade:
              - execute: CREATE TABLE t1 (id INTEGER)
              - execute: CREATE TABLE t2 (id INTEGER)
              - execute: \(thirdStep)
              - execute: CREATE TABLE t4 (id INTEGER)
            downgrade:
              - execute: DROP TABLE t4
              - execute: DROP TABLE t3
              - execute: DROP TABLE t2
              - execute: DROP TABLE t1
            """)
    }

    func nonTransactionalFailureResumes(database: String?) throws {
        let (dir, db) = try makeProject(database: database)
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
        XCTAssertFalse(try tables(db).contains("migrator_progress"), "made only when a revision needs it")
        try writeHalfBrokenNonTransactional(dir, thirdStep: "INSERT INTO no_such_table VALUES (1)")
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 1)
        XCTAssertTrue(up.stderr.contains("revision dddd00000004, upgrade step 3 (execute) failed"), up.stderr)
        XCTAssertTrue(up.stderr.contains("the revision runs outside a transaction (transactional: false), so steps 1-2 "
                                         + "(execute CREATE TABLE t1 (id INTEGER), execute CREATE TABLE t2 (id INTEGER)) ran and "
                                         + "stay applied, not rolled back; steps 3-4 were not applied; the version table still says "
                                         + "cccc00000003; fix the cause and run the upgrade again: it resumes at step 3"), up.stderr)
        XCTAssertFalse(up.stderr.contains("nothing of this revision was applied"), up.stderr)
        var t = try tables(db)
        XCTAssertTrue(t.contains("t1") && t.contains("t2") && !t.contains("t4"), "\(t)")
        let current = try runMigrator(["current"], in: dir)
        XCTAssertTrue(current.stdout.contains("cccc00000003"))
        XCTAssertTrue(current.stdout.contains("revision dddd00000004 is partly applied: upgrade steps 1-2 ran; the next "
                                              + "`migrator upgrade` through it resumes at step 3"), current.stdout)
        let currentJSON = try runMigrator(["current", "--format", "json"], in: dir)
        XCTAssertTrue(currentJSON.stdout.contains("\"steps_done\" : 2"), currentJSON.stdout)

        // Fixed, the next run resumes at step 3: steps 1 and 2 do not run again.
        try writeHalfBrokenNonTransactional(dir, thirdStep: "CREATE TABLE t3 (id INTEGER)")
        let again = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("upgrade cccc00000003 -> dddd00000004  outside a transaction  ("), again.stdout)
        XCTAssertTrue(again.stdout.contains("resumed at step 3: an earlier run applied the steps before it (the file has changed "
                                            + "since; steps 1-2 as they were then stay, not run again)"), again.stdout)
        t = try tables(db)
        XCTAssertTrue(["t1", "t2", "t3", "t4"].allSatisfy(t.contains), "\(t)")
        let engine = try createEngine(db)
        defer { engine.dispose() }
        try engine.connect { conn in
            XCTAssertEqual(try conn.scalar(text("SELECT count(*) FROM migrator_progress"), as: Int.self), 0, "the record is gone")
            XCTAssertEqual(try conn.scalar(text("SELECT count(*) FROM migrator_history WHERE revision = 'dddd00000004'"), as: Int.self), 1)
        }
        // The progress table is the migrator's own: check and autogenerate leave it alone.
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(dir))  // script_location is relative to it
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let diff = try Project(configPath: "migrator.yaml").compare(MetaData())
        XCTAssertTrue(diff.summaryLines.contains { $0.contains("t1") }, "\(diff.summaryLines)")
        XCTAssertFalse(diff.summaryLines.contains { $0.contains("migrator_") }, "\(diff.summaryLines)")

        // A downgrade failing half-way resumes the same way.
        try engine.connect { conn in
            try conn.execute(text("DROP TABLE t3"))
            try conn.commit()
        }
        let down1 = try runMigrator(["downgrade", "-1"], in: dir)
        XCTAssertEqual(down1.status, 1)
        XCTAssertTrue(down1.stderr.contains("downgrade step 2 (execute) failed"), down1.stderr)
        XCTAssertTrue(down1.stderr.contains("so step 1 (execute DROP TABLE t4) ran and stays applied"), down1.stderr)
        let up2 = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertTrue(up2.stderr.contains("revision dddd00000004 is partly unapplied"), up2.stderr)
        try engine.connect { conn in
            try conn.execute(text("CREATE TABLE t3 (id INTEGER)"))
            try conn.commit()
        }
        let down2 = try runMigrator(["downgrade", "-1"], in: dir)
        XCTAssertEqual(down2.status, 0, down2.stderr)
        XCTAssertTrue(down2.stdout.contains("resumed at step 2: an earlier run applied the steps before it\n")
                      || down2.stdout.contains("resumed at step 2: an earlier run applied the steps before it  "), down2.stdout)
        XCTAssertFalse(down2.stdout.contains("the file has changed"), "the file did not change: \(down2.stdout)")
        t = try tables(db)
        XCTAssertFalse(t.contains("t1") || t.contains("t2") || t.contains("t3") || t.contains("t4"), "\(t)")
        XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains("cccc00000003"))

        // Stamping says where the database is, and forgets a revision left part-way.
        try writeHalfBrokenNonTransactional(dir, thirdStep: "INSERT INTO no_such_table VALUES (1)")
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 1)
        XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains("partly applied"))
        XCTAssertEqual(try runMigrator(["stamp", "cccc00000003"], in: dir).status, 0)
        let stamped = try runMigrator(["current"], in: dir)
        XCTAssertFalse(stamped.stdout.contains("partly"), stamped.stdout)
        XCTAssertTrue(try tables(db).contains("t1"), "stamp runs nothing")
    }

    func testNonTransactionalFailureSaysWhatStaysAndResumesOnSQLite() throws {
        try nonTransactionalFailureResumes(database: nil)
    }

    func testNonTransactionalFailureSaysWhatStaysAndResumesOnPostgreSQL() throws {
        try nonTransactionalFailureResumes(database: try PostgreSQLTestServer.freshDatabaseURL())
    }
}
