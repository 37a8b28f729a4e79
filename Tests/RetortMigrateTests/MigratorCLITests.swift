import Foundation
import RetortCore
import RetortTestSupport
import XCTest

/// End to end through the real `migrator` binary, on a real SQLite file.
final class MigratorCLITests: XCTestCase {
    /// A project with three revisions made with `execute` steps: a -> b -> c.
    func makeProject(database: String? = nil) throws -> (dir: String, db: String) {
        let dir = try temporaryProject()
        let init_ = try runMigrator(["init", "migrations"], in: dir)
        XCTAssertEqual(init_.status, 0, init_.stderr)
        XCTAssertTrue(init_.stdout.contains("created migrator.yaml"), init_.stdout)
        let db = database ?? "sqlite:///" + (dir as NSString).appendingPathComponent("app.db")
        var config = try String(contentsOfFile: dir + "/migrator.yaml", encoding: .utf8)
        config = config.replacingOccurrences(of: "${DATABASE_URL:-sqlite:///app.db}", with: db)
        try config.write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        try writeRevision(dir, "a", """
            revision: aaaa00000001
            down_revision: null
            message: create authors
            upgrade:
              - execute: CREATE TABLE authors (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL)
            downgrade:
              - execute: DROP TABLE authors
            """)
        try writeRevision(dir, "b", """
            revision: bbbb00000002
            down_revision: aaaa00000001
            message: create books
            upgrade:
              - execute: CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors(id))
              - bulk_insert: {table: authors, rows: [{id: 1, name: "Ursula"}]}
            downgrade:
              - execute: DROP TABLE books
              - execute: DELETE FROM authors
            """)
        try writeRevision(dir, "c", """
            revision: cccc00000003
            down_revision: bbbb00000002
            message: add pages
            upgrade:
              - execute: ALTER TABLE books ADD COLUMN pages INTEGER
            downgrade:
              - execute: ALTER TABLE books DROP COLUMN pages
            """)
        return (dir, db)
    }

    /// A revision whose third step adds a column the second already added.
    func writeBrokenRevision(_ dir: String) throws {
        try writeRevision(dir, "d", """
            revision: dddd00000004
            down_revision: cccc00000003
            message: broken
            upgrade:
              - execute: CREATE TABLE tags (id INTEGER PRIMARY KEY)
              - execute: ALTER TABLE books ADD COLUMN isbn VARCHAR(13)
              - execute: ALTER TABLE books ADD COLUMN isbn VARCHAR(13)
            downgrade: []
            """)
    }

    func tables(_ db: String) throws -> [String] {
        let engine = try createEngine(db)
        defer { engine.dispose() }
        return try Inspector(engine, excluding: []).tableNames().sorted()
    }

    func testUpgradeDowngradeCurrentHistoryStamp() throws {
        let (dir, db) = try makeProject()
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 0, up.stderr)
        XCTAssertTrue(up.stdout.contains("upgrade base -> aaaa00000001  create authors  ("), up.stdout)
        XCTAssertTrue(up.stdout.contains("upgrade bbbb00000002 -> cccc00000003  add pages  ("), up.stdout)
        XCTAssertTrue(up.stdout.contains("3 revisions applied"), up.stdout)
        XCTAssertEqual(try tables(db), ["authors", "books", "migrator_history", "migrator_version"])

        let current = try runMigrator(["current"], in: dir)
        XCTAssertEqual(current.stdout, "bbbb00000002 -> cccc00000003 (head) (current), add pages\n")
        let json = try runMigrator(["current", "--format", "json"], in: dir)
        XCTAssertTrue(json.stdout.contains("\"revision\" : \"cccc00000003\""), json.stdout)

        let history = try runMigrator(["history", "--indicate-current"], in: dir)
        XCTAssertEqual(history.stdout, """
            bbbb00000002 -> cccc00000003 (head) (current), add pages
            aaaa00000001 -> bbbb00000002, create books
            <base> -> aaaa00000001, create authors

            """)
        XCTAssertEqual(try runMigrator(["history", "-r", "aaaa:bbbb"], in: dir).stdout.split(separator: "\n").count, 2)

        let again = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertTrue(again.stdout.contains("nothing to do: the database is at cccc00000003"), again.stdout)

        let down1 = try runMigrator(["downgrade", "-1"], in: dir)
        XCTAssertEqual(down1.status, 0, down1.stderr)
        XCTAssertTrue(down1.stdout.contains("downgrade cccc00000003 -> bbbb00000002  add pages"), down1.stdout)
        let up1 = try runMigrator(["upgrade", "+1"], in: dir)
        XCTAssertTrue(up1.stdout.contains("now at cccc00000003"), up1.stdout)

        let base = try runMigrator(["downgrade", "base"], in: dir)
        XCTAssertEqual(base.status, 0, base.stderr)
        XCTAssertEqual(try tables(db), ["migrator_history", "migrator_version"], "only the migrator's own tables remain")
        XCTAssertEqual(try runMigrator(["current"], in: dir).stdout, "base (no revision applied)\n")

        let stamp = try runMigrator(["stamp", "bbbb"], in: dir)
        XCTAssertEqual(stamp.status, 0, stamp.stderr)
        XCTAssertTrue(stamp.stdout.contains("now at bbbb00000002"))
        XCTAssertEqual(try tables(db), ["migrator_history", "migrator_version"], "stamp runs nothing")
        XCTAssertEqual(try runMigrator(["stamp", "base"], in: dir).status, 0)
    }

    func testRevisionMergeAndBranches() throws {
        let (dir, _) = try makeProject()
        let branch = try runMigrator(["revision", "-m", "side branch", "--head", "bbbb", "--splice", "--rev-id", "dddd00000004",
                                      "--branch-label", "side"], in: dir)
        XCTAssertEqual(branch.status, 0, branch.stderr)
        XCTAssertTrue(branch.stdout.contains("_dddd00000004_side_branch.yaml"), branch.stdout)
        let heads = try runMigrator(["heads"], in: dir)
        XCTAssertEqual(heads.stdout, """
            bbbb00000002 -> cccc00000003 (head), add pages
            bbbb00000002 -> dddd00000004 (side) (head), side branch

            """)
        let ambiguous = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(ambiguous.status, 1)
        XCTAssertTrue(ambiguous.stderr.contains("several heads: cccc00000003, dddd00000004"), ambiguous.stderr)
        XCTAssertTrue(try runMigrator(["branches"], in: dir).stdout.contains("(branchpoint)"))
        let notHead = try runMigrator(["revision", "-m", "x", "--head", "aaaa"], in: dir)
        XCTAssertTrue(notHead.stderr.contains("aaaa00000001 is not a head; pass --splice"), notHead.stderr)

        let up = try runMigrator(["upgrade", "heads"], in: dir)
        XCTAssertEqual(up.status, 0, up.stderr)
        XCTAssertTrue(up.stdout.contains("now at cccc00000003, dddd00000004"), up.stdout)

        let merge = try runMigrator(["merge", "heads", "-m", "join", "--rev-id", "eeee00000005"], in: dir)
        XCTAssertEqual(merge.status, 0, merge.stderr)
        let afterMerge = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertTrue(afterMerge.stdout.contains("upgrade cccc00000003, dddd00000004 -> eeee00000005  join"), afterMerge.stdout)
        XCTAssertEqual(try runMigrator(["current"], in: dir).stdout.contains("eeee00000005"), true)
        // Unmerging puts both branch heads back in the version table.
        let unmerge = try runMigrator(["downgrade", "-1"], in: dir)
        XCTAssertTrue(unmerge.stdout.contains("now at cccc00000003, dddd00000004"), unmerge.stdout)

        let empty = try runMigrator(["revision", "-m", "next step", "--head", "side@head"], in: dir)
        XCTAssertEqual(empty.status, 0, empty.stderr)
        let path = dir + "/" + empty.stdout.replacingOccurrences(of: "created ", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("down_revision: eeee00000005\n"), "side@head is the merge now: \(text)")
        XCTAssertTrue(text.contains("upgrade: []\ndowngrade: []\n"), text)
        XCTAssertEqual(try runMigrator(["show", "side@head"], in: dir).status, 0)
    }

    func testOfflineSQL() throws {
        let (dir, db) = try makeProject()
        let sql = try runMigrator(["upgrade", "--sql", "head"], in: dir)
        XCTAssertEqual(sql.status, 0, sql.stderr)
        XCTAssertTrue(sql.stdout.hasPrefix("CREATE TABLE IF NOT EXISTS migrator_version"), sql.stdout)
        XCTAssertTrue(sql.stdout.contains("BEGIN IMMEDIATE;") || sql.stdout.contains("BEGIN;"), sql.stdout)
        XCTAssertTrue(sql.stdout.contains("CREATE TABLE authors (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);"), sql.stdout)
        XCTAssertTrue(sql.stdout.contains("INSERT INTO migrator_version (version_num) VALUES ('aaaa00000001');"), sql.stdout)
        XCTAssertTrue(sql.stdout.contains("UPDATE migrator_version SET version_num = 'bbbb00000002' WHERE migrator_version.version_num = 'aaaa00000001';"), sql.stdout)
        XCTAssertTrue(sql.stdout.contains(#"INSERT INTO authors ("id", "name") VALUES (1, 'Ursula');"#)
                      || sql.stdout.contains("INSERT INTO authors (id, name) VALUES (1, 'Ursula');"), sql.stdout)
        XCTAssertTrue(sql.stdout.contains("COMMIT;"), sql.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: String(db.dropFirst("sqlite:///".count))), "offline mode does not connect")

        let range = try runMigrator(["downgrade", "--sql", "cccc00000003:aaaa00000001"], in: dir)
        XCTAssertEqual(range.status, 0, range.stderr)
        XCTAssertTrue(range.stdout.contains("ALTER TABLE books DROP COLUMN pages;"), range.stdout)
        XCTAssertTrue(range.stdout.contains("DROP TABLE books;"), range.stdout)
        XCTAssertFalse(range.stdout.contains("DROP TABLE authors"), range.stdout)
        let noRange = try runMigrator(["downgrade", "--sql", "-1"], in: dir)
        XCTAssertEqual(noRange.status, 1)
        XCTAssertTrue(noRange.stderr.contains("needs a range START:END"), noRange.stderr)
    }

    func testFailureHalfwayLeavesThePreviousRevision() throws {
        let (dir, db) = try makeProject()
        try writeBrokenRevision(dir)
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 1)
        XCTAssertTrue(up.stderr.hasPrefix("migrator: error: "), up.stderr)
        XCTAssertTrue(up.stderr.contains("revision dddd00000004, upgrade step 3 (execute) failed"), up.stderr)
        XCTAssertTrue(up.stderr.contains("duplicate column name: isbn"), up.stderr)
        XCTAssertEqual(up.stderr.split(separator: "\n").count, 1, "one line, no stack trace")
        XCTAssertEqual(try runMigrator(["current"], in: dir).stdout.contains("cccc00000003"), true)
        XCTAssertFalse(try tables(db).contains("tags"), "the failed revision left nothing behind")
        let engine = try createEngine(db)
        let columns = try engine.connect { try $0.execute(text("SELECT * FROM books")).columns }
        XCTAssertEqual(columns, ["id", "author_id", "pages"])
    }

    func testEditedRevisionIsRefusedButCRLFIsNot() throws {
        let (dir, _) = try makeProject()
        XCTAssertEqual(try runMigrator(["upgrade", "bbbb"], in: dir).status, 0)
        let path = (dir as NSString).appendingPathComponent("migrations/versions/a.yaml")
        let original = try String(contentsOfFile: path, encoding: .utf8)
        try original.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        let crlf = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(crlf.status, 0, crlf.stderr)
        try (original + "\n# a change\n").write(toFile: path, atomically: true, encoding: .utf8)
        try runMigrator(["downgrade", "-1"], in: dir)
        let edited = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(edited.status, 1)
        XCTAssertTrue(edited.stderr.contains("a.yaml: revision aaaa00000001 was edited after it was applied"), edited.stderr)
        XCTAssertEqual(try runMigrator(["upgrade", "head", "--allow-edited"], in: dir).status, 0)
    }

    func testBadInputIsOneClearLine() throws {
        let (dir, _) = try makeProject()
        try writeRevision(dir, "bad", "revision: ffff\ndown_revision: cccc00000003\nupgrade:\n  - drop_tabel: {name: x}\n")
        // `history`, `current` and `heads` read only the files' headers; the commands that
        // run or print operations read (and check) them.
        XCTAssertEqual(try runMigrator(["history"], in: dir).status, 0)
        let unknown = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("bad.yaml:4:5: unknown operation 'drop_tabel'; did you mean 'drop_table'?"), unknown.stderr)
        try writeRevision(dir, "bad", "revision: ffff\ndown_revision: [cccc00000003\n")
        let malformed = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertTrue(malformed.stderr.contains("bad.yaml:"), malformed.stderr)
        XCTAssertTrue(malformed.stderr.contains("malformed YAML"), malformed.stderr)
        try writeRevision(dir, "bad", "revision: aaaa00000001\ndown_revision: null\n")
        let dup = try runMigrator(["heads"], in: dir)
        XCTAssertTrue(dup.stderr.contains("duplicate revision id aaaa00000001"), dup.stderr)
        try FileManager.default.removeItem(atPath: dir + "/migrations/versions/bad.yaml")

        let noConfig = try runMigrator(["current", "-c", "nope.yaml"], in: dir)
        XCTAssertEqual(noConfig.status, 2, "current could not run")
        XCTAssertTrue(noConfig.stderr.contains("cannot read the config file nope.yaml"), noConfig.stderr)
        let badURL = try runMigrator(["current"], in: dir, environment: [:])
        XCTAssertEqual(badURL.status, 0)
        var config = try String(contentsOfFile: dir + "/migrator.yaml", encoding: .utf8)
        config = config.replacingOccurrences(of: "database: sqlite:///", with: "database: db2:///")
        try config.write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        let scheme = try runMigrator(["current"], in: dir)
        XCTAssertEqual(scheme.status, 2, "current could not run")
        XCTAssertTrue(scheme.stderr.contains("unknown database URL scheme 'db2'"), scheme.stderr)
        let down = try runMigrator(["current"], in: dir, environment: [:])
        XCTAssertEqual(down.stderr.split(separator: "\n").count, 1)
    }

    /// A revision leaving a book whose author does not exist fails and rolls back; with
    /// `transaction: all` too, where the revision after it only creates a table (the
    /// check before commit must see every revision of the walk, not the last one).
    func testForeignKeyViolationsRollBackInBothTransactionModes() throws {
        for mode in ["per_migration", "all"] {
            let (dir, db) = try makeProject()
            try setTransactionMode(mode, in: dir)
            try writeDanglingBookRevision(dir)
            try writeRevision(dir, "e", """
                revision: eeee00000005
                down_revision: dddd00000004
                message: tags
                upgrade:
                  - create_table: {name: tags, columns: [{name: id, type: integer, primary_key: true}]}
                downgrade:
                  - drop_table: {name: tags}
                """)
            let up = try runMigrator(["upgrade", "head"], in: dir)
            XCTAssertEqual(up.status, 1, mode)
            XCTAssertTrue(up.stderr.contains("violating foreign keys: table books (rowid 1) refers to a missing row of authors"),
                          "\(mode): \(up.stderr)")
            XCTAssertFalse(try tables(db).contains("tags"), mode)
            if mode == "all" {
                XCTAssertFalse(try tables(db).contains("books"), "one transaction: nothing of the walk stays")
            } else {
                let rows = try createEngine(db).connect { try $0.scalar(text("SELECT count(*) FROM books"), as: Int.self) }
                XCTAssertEqual(rows, 0, "the dangling row was rolled back with its revision")
            }
        }
    }

    func testTransactionAllRollsBackTheWholeWalk() throws {
        let (dir, db) = try makeProject()
        try setTransactionMode("all", in: dir)
        try writeRevision(dir, "d", """
            revision: dddd00000004
            down_revision: cccc00000003
            message: broken
            upgrade:
              - execute: SELECT * FROM no_such_table
            downgrade: []
            """)
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 1)
        XCTAssertTrue(up.stderr.contains("no such table: no_such_table"), up.stderr)
        XCTAssertEqual(try runMigrator(["current"], in: dir).stdout, "base (no revision applied)\n", "one transaction: all or nothing")
        XCTAssertFalse(try tables(db).contains("authors"))
        XCTAssertEqual(try runMigrator(["upgrade", "cccc"], in: dir).status, 0)
        XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains("cccc00000003"))
    }

    func testNonTransactionalRevisionOnPostgreSQL() throws {
        let (dir, db) = try makeProject(database: try PostgreSQLTestServer.freshDatabaseURL())
        try writeRevision(dir, "d", """
            revision: dddd00000004
            down_revision: cccc00000003
            message: concurrent index
            transactional: false
            upgrade:
              - execute: CREATE INDEX CONCURRENTLY ix_books_pages ON books (pages)
            downgrade:
              - execute: DROP INDEX CONCURRENTLY ix_books_pages
            """)
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 0, up.stderr)
        let engine = try createEngine(db)
        XCTAssertEqual(try Inspector(engine).indexes("books").map(\.name), ["ix_books_pages"])
        XCTAssertEqual(try runMigrator(["downgrade", "-1"], in: dir).status, 0)
        XCTAssertEqual(try Inspector(engine).indexes("books").map(\.name), [])
        engine.dispose()
    }

    func testTwoProcessesAtOnceApplyEachRevisionOnce() throws {
        try twoProcessesAtOnce(try makeProject())
    }

    func testPostgreSQLUpgradeDowngradeAndTwoProcessesAtOnce() throws {
        let project = try makeProject(database: try PostgreSQLTestServer.freshDatabaseURL())
        let up = try runMigrator(["upgrade", "head"], in: project.dir)
        XCTAssertEqual(up.status, 0, up.stderr)
        XCTAssertEqual(try tables(project.db), ["authors", "books", "migrator_history", "migrator_version"])
        let base = try runMigrator(["downgrade", "base"], in: project.dir)
        XCTAssertEqual(base.status, 0, base.stderr)
        XCTAssertEqual(try tables(project.db), ["migrator_history", "migrator_version"])
        try twoProcessesAtOnce(project)
    }

    func testPostgreSQLFailureHalfwayAndConnectionErrors() throws {
        let (dir, db) = try makeProject(database: try PostgreSQLTestServer.freshDatabaseURL())
        try writeBrokenRevision(dir)
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 1)
        XCTAssertTrue(up.stderr.contains("revision dddd00000004, upgrade step 3 (execute) failed"), up.stderr)
        XCTAssertEqual(up.stderr.split(separator: "\n").count, 1)
        XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains("cccc00000003"))
        XCTAssertFalse(try tables(db).contains("tags"))

        var config = try String(contentsOfFile: dir + "/migrator.yaml", encoding: .utf8)
        let wrong = try XCTUnwrap(PostgreSQLTestServer.passwordURL(password: "not-it"))
        config = config.replacingOccurrences(of: db, with: wrong)
        try config.write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        let auth = try runMigrator(["current"], in: dir)
        XCTAssertEqual(auth.status, 2, "current could not run")
        XCTAssertTrue(auth.stderr.contains("password authentication failed"), auth.stderr)
        XCTAssertFalse(auth.stderr.contains("not-it"))
        XCTAssertEqual(auth.stderr.split(separator: "\n").count, 1, auth.stderr)
        config = config.replacingOccurrences(of: wrong, with: "postgresql://postgres@127.0.0.1:1/postgres")
        try config.write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        let down = try runMigrator(["current"], in: dir)
        XCTAssertEqual(down.status, 2, "current could not run")
        XCTAssertTrue(down.stderr.contains("could not connect"), down.stderr)
        XCTAssertEqual(down.stderr.split(separator: "\n").count, 1, down.stderr)

        // libpq is opened on the first PostgreSQL connection: one that cannot be opened,
        // or is not libpq, is one clear line.
        let missing = try runMigrator(["current"], in: dir, environment: ["RETORT_LIBPQ": "/nonexistent/libpq.so.5"])
        XCTAssertEqual(missing.status, 2, "current could not run")
        XCTAssertTrue(missing.stderr.contains("libpq could not be loaded (/nonexistent/libpq.so.5"), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("set RETORT_LIBPQ"), missing.stderr)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
        let notLibPQ = try runMigrator(["current"], in: dir, environment: ["RETORT_LIBPQ": "libsqlite3.so.0"])
        XCTAssertEqual(notLibPQ.status, 2, "current could not run")
        XCTAssertTrue(notLibPQ.stderr.contains("libsqlite3.so.0 has no function PQclear"), notLibPQ.stderr)
    }

    func twoProcessesAtOnce(_ project: (dir: String, db: String)) throws {
        let (dir, db) = project
        // Count only what the two processes apply.
        let before = try createEngine(db)
        try before.begin { conn in
            if try Inspector(conn, excluding: []).tableNames().contains("migrator_history") {
                try conn.execute(text("DELETE FROM migrator_history"))
            }
        }
        before.dispose()
        let a = try startMigrator(["upgrade", "head"], in: dir)
        let b = try startMigrator(["upgrade", "head"], in: dir)
        let ra = a.wait(), rb = b.wait()
        XCTAssertEqual(ra.status, 0, ra.stderr)
        XCTAssertEqual(rb.status, 0, rb.stderr)
        let engine = try createEngine(db)
        let applied = try engine.connect {
            try $0.scalars(text("SELECT revision FROM migrator_history WHERE direction = 'upgrade' ORDER BY revision"), as: String.self).all()
        }
        XCTAssertEqual(applied, ["aaaa00000001", "bbbb00000002", "cccc00000003"], "\(ra.stdout)\n\(rb.stdout)")
    }
}
