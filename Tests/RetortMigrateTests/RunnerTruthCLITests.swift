import Foundation
import RetortCore
import RetortTestSupport
import XCTest

/// The runner and the CLI say what happened, and refuse what would mislead (#18).
extension MigratorCLITests {
    func testDowngradeRefusesAnEditedRevision() throws {
        let (dir, db) = try makeProject()
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
        let path = dir + "/migrations/versions/c.yaml"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        try original.replacingOccurrences(of: "DROP COLUMN pages", with: "DROP COLUMN author_id")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let down = try runMigrator(["downgrade", "-1"], in: dir)
        XCTAssertEqual(down.status, 1)
        XCTAssertTrue(down.stderr.contains("c.yaml: revision cccc00000003 was edited after it was applied"), down.stderr)
        let columns = try createEngine(db).connect { try $0.execute(text("SELECT * FROM books")).columns }
        XCTAssertEqual(columns, ["id", "author_id", "pages"], "nothing ran")
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        let allowed = try runMigrator(["downgrade", "-1", "--allow-edited"], in: dir)
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
    }

    func testTransactionAllFailureSaysTheEarlierRevisionsWereRolledBack() throws {
        let (dir, _) = try makeProject()
        try setTransactionMode("all", in: dir)
        XCTAssertEqual(try runMigrator(["upgrade", "aaaa"], in: dir).status, 0)
        try writeBrokenRevision(dir)
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 1)
        XCTAssertTrue(up.stderr.contains("the 2 revisions this run had applied (bbbb00000002, cccc00000003) were rolled back too, "
                                         + "not applied; the database is still at aaaa00000001"), up.stderr)
        XCTAssertEqual(try runMigrator(["current"], in: dir).stdout.hasPrefix("<base> -> aaaa00000001"), true)
    }

    /// With `transaction: all`, a revision outside a transaction commits what the run
    /// holds before its first step: foreign keys are checked first, as at a run's end.
    func testTransactionAllChecksForeignKeysBeforeANonTransactionalRevisionCommits() throws {
        let (dir, db) = try makeProject()
        try setTransactionMode("all", in: dir)
        try writeDanglingBookRevision(dir)
        try writeRevision(dir, "e", """
            revision: eeee00000005
            down_revision: dddd00000004
            message: tags outside a transaction
            transactional: false
            upgrade:
              - execute: CREATE TABLE tags (id INTEGER PRIMARY KEY)
            downgrade:
              - execute: DROP TABLE tags
            """)
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 1, up.stdout)
        XCTAssertTrue(up.stderr.contains("violating foreign keys: table books (rowid 1) refers to a missing row of authors"), up.stderr)
        XCTAssertTrue(up.stderr.contains("the 4 revisions this run had applied (aaaa00000001, bbbb00000002, cccc00000003, "
                                         + "dddd00000004) were rolled back too, not applied; the database is still at base"), up.stderr)
        XCTAssertEqual(try tables(db), ["migrator_history", "migrator_version"], "nothing of the run was committed")
    }

    func testWrongDirectionIsRefused() throws {
        let (dir, _) = try makeProject()
        XCTAssertEqual(try runMigrator(["upgrade", "bbbb"], in: dir).status, 0)
        let below = try runMigrator(["upgrade", "aaaa"], in: dir)
        XCTAssertEqual(below.status, 1)
        XCTAssertTrue(below.stderr.contains("aaaa (aaaa00000001) is below the database's current revision bbbb00000002: "
                                            + "upgrading to it is the wrong direction; to go back to it, run `migrator downgrade aaaa`"),
                      below.stderr)
        let above = try runMigrator(["downgrade", "cccc"], in: dir)
        XCTAssertEqual(above.status, 1)
        XCTAssertTrue(above.stderr.contains("cccc is not applied (the database is at bbbb00000002): downgrading to it is the wrong "
                                            + "direction; to apply it, run `migrator upgrade cccc`"), above.stderr)
        XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains("bbbb00000002"), "neither moved the database")
        // Where the database already is: nothing to do, both ways.
        XCTAssertTrue(try runMigrator(["upgrade", "bbbb"], in: dir).stdout.contains("nothing to do"))
        XCTAssertTrue(try runMigrator(["downgrade", "bbbb"], in: dir).stdout.contains("nothing to do"))

        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
        let past = try runMigrator(["upgrade", "head+1"], in: dir)
        XCTAssertEqual(past.status, 1)
        XCTAssertTrue(past.stderr.contains("there is no revision above cccc00000003 (it is a head), so head+1 names none"), past.stderr)
        XCTAssertTrue(try runMigrator(["upgrade", "+2"], in: dir).stderr.contains("there is no revision above cccc00000003"))
        let bogus = try runMigrator(["upgrade", "head", "--bogus"], in: dir)
        XCTAssertEqual(bogus.status, 1)
        XCTAssertTrue(bogus.stderr.contains("unknown option '--bogus'"), bogus.stderr)
        XCTAssertTrue(try runMigrator(["downgrade", "-x", "-1"], in: dir).stderr.contains("unknown option '-x'"))
        XCTAssertEqual(try runMigrator(["downgrade", "base"], in: dir).status, 0)
        XCTAssertTrue(try runMigrator(["downgrade", "-1"], in: dir).stderr
            .contains("the database is at base: there is no revision below it to downgrade -1 to"))
    }

    /// Several statements in one `execute` get the hint on both databases; PostgreSQL's
    /// `CREATE INDEX CONCURRENTLY` in a transaction gets `transactional: false`.
    func testServerErrorsGetTheHintThatFixesThem() throws {
        for database in [nil, try PostgreSQLTestServer.freshDatabaseURL()] {
            let (dir, _) = try makeProject(database: database)
            try writeRevision(dir, "d", """
                revision: dddd00000004
                down_revision: cccc00000003
                message: two at once
                upgrade:
                  - execute: CREATE TABLE t1 (id INTEGER); CREATE TABLE t2 (id INTEGER)
                downgrade: []
                """)
            let up = try runMigrator(["upgrade", "head"], in: dir)
            XCTAssertEqual(up.status, 1)
            XCTAssertTrue(up.stderr.contains("revision dddd00000004, upgrade step 1 (execute) failed"), up.stderr)
            XCTAssertTrue(up.stderr.contains("give each statement its own `execute` operation (one statement per operation)"),
                          "\(database ?? "sqlite"): \(up.stderr)")
        }
        let (dir, db) = try makeProject(database: try PostgreSQLTestServer.freshDatabaseURL())
        try writeRevision(dir, "d", """
            revision: dddd00000004
            down_revision: cccc00000003
            message: concurrent index
            upgrade:
              - execute: CREATE INDEX CONCURRENTLY ix_books_pages ON books (pages)
            downgrade: []
            """)
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 1)
        XCTAssertTrue(up.stderr.contains("cannot run inside a transaction block"), up.stderr)
        XCTAssertTrue(up.stderr.contains("put it in a revision of its own with `transactional: false`"), up.stderr)
        XCTAssertEqual(try Inspector(createEngine(db)).indexes("books").map(\.name), [])
    }

    /// A database the migrator cannot write is refused before anything runs, saying
    /// whether the file or its directory is the problem.
    func testReadOnlySQLiteDatabaseIsRefusedBeforeStarting() throws {
        let (dir, db) = try makeProject()
        XCTAssertEqual(try runMigrator(["upgrade", "aaaa"], in: dir).status, 0)
        let file = String(db.dropFirst("sqlite:///".count))
        var config = try String(contentsOfFile: dir + "/migrator.yaml", encoding: .utf8)
        try config.replacingOccurrences(of: db, with: db + "?mode=ro").write(toFile: dir + "/ro.yaml", atomically: true, encoding: .utf8)
        let ro = try runMigrator(["upgrade", "head", "-c", "ro.yaml"], in: dir)
        XCTAssertEqual(ro.status, 1)
        XCTAssertTrue(ro.stderr.contains("cannot migrate: the SQLite database file '\(file)' is not writable: the URL opens it "
                                         + "read-only (mode=ro); nothing was run"), ro.stderr)
        XCTAssertEqual(ro.stderr.split(separator: "\n").count, 1)

        // Immutable (chattr +i) keeps even root from writing: the file, then its directory.
        func chattr(_ flag: String, _ path: String) throws -> Bool {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
            p.arguments = [flag, path]
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { return false }
            p.waitUntilExit()
            return p.terminationStatus == 0
        }
        guard try chattr("+i", file) else { throw XCTSkip("chattr +i is not available here") }
        let fileRO = try runMigrator(["upgrade", "head"], in: dir)
        _ = try chattr("-i", file)
        XCTAssertEqual(fileRO.status, 1)
        XCTAssertTrue(fileRO.stderr.contains("the SQLite database file '\(file)' is not writable: the file is not writable by this process"),
                      fileRO.stderr)
        XCTAssertTrue(try chattr("+i", dir))
        let dirRO = try runMigrator(["upgrade", "head"], in: dir)
        _ = try chattr("-i", dir)
        XCTAssertEqual(dirRO.status, 1)
        XCTAssertTrue(dirRO.stderr.contains("the directory '\(dir)' holding the SQLite database '\(file)' is not writable"), dirRO.stderr)
        XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains("aaaa00000001"), "nothing ran")
        config = ""
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
    }
}
