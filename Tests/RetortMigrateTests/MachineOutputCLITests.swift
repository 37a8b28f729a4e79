import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// Exit codes 0/1/2 and the one-JSON-object rule of `--format json` (DESIGN.md, "Exit
/// codes and machine output"), through the built binary.
final class MachineOutputCLITests: XCTestCase {
    /// A project with one revision creating `authors`, and models.json declaring it.
    func project(database: String? = nil) throws -> String {
        let dir = try temporaryProject()
        XCTAssertEqual(try runMigrator(["init", "migrations"], in: dir).status, 0)
        var config = try String(contentsOfFile: dir + "/migrator.yaml", encoding: .utf8)
        config = config.replacingOccurrences(of: "${DATABASE_URL:-sqlite:///app.db}", with: database ?? "sqlite:///" + dir + "/app.db")
        try config.write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        try writeRevision(dir, "a", """
            revision: aaaa00000001
            down_revision: null
            message: create authors
            upgrade:
              - create_table: {name: authors, columns: [{name: id, type: integer, primary_key: true}, {name: name, type: string(100), nullable: false}]}
            downgrade:
              - drop_table: {name: authors}
            """)
        let m = MetaData()
        _ = Table("authors", m, Column("id", .integer, primaryKey: true), Column("name", .string(100), nullable: false))
        try MetadataJSON.render(m).write(toFile: dir + "/models.json", atomically: true, encoding: .utf8)
        return dir
    }

    /// Stdout as exactly one JSON object (fails when it is empty, two objects, or text).
    func object(_ r: ProcessResult, file: StaticString = #filePath, line: UInt = #line) -> [String: Any] {
        guard let o = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] else {
            XCTFail("stdout is not one JSON object: <\(r.stdout)> (stderr: \(r.stderr))", file: file, line: line)
            return [:]
        }
        return o
    }

    func checkStatuses(database: String?) throws {
        let dir = try project(database: database)
        // Behind head: exit 1 and a JSON object saying so (it printed nothing before).
        var r = try runMigrator(["check", "--metadata", "models.json", "--format", "json"], in: dir)
        XCTAssertEqual(r.status, 1, r.stderr)
        var o = object(r)
        XCTAssertEqual(o["status"] as? String, "behind")
        XCTAssertEqual(o["current"] as? [String], [])
        XCTAssertEqual(o["head"] as? String, "aaaa00000001")
        r = try runMigrator(["check", "--metadata", "models.json"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("The database is behind: it is at base, the head is aaaa00000001"), r.stdout)

        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
        r = try runMigrator(["check", "--metadata", "models.json", "--format", "json"], in: dir)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        o = object(r)
        XCTAssertEqual(o["status"] as? String, "ok")
        XCTAssertEqual((o["differences"] as? [Any])?.count, 0)

        // Drift: exit 1 with the differences.
        let m = MetaData()
        _ = Table("authors", m, Column("id", .integer, primaryKey: true), Column("name", .string(100), nullable: false),
                  Column("email", .string(200)))
        try MetadataJSON.render(m).write(toFile: dir + "/drift.json", atomically: true, encoding: .utf8)
        r = try runMigrator(["check", "--metadata", "drift.json", "--format", "json"], in: dir)
        XCTAssertEqual(r.status, 1, r.stderr)
        o = object(r)
        XCTAssertEqual(o["status"] as? String, "drift")
        XCTAssertEqual((o["differences"] as? [[String: Any]])?.first?["kind"] as? String, "add_column")

        // Malformed metadata: could not run (2), naming line and column.
        try "{\n  \"format\": \"retort-metadata/1\",\n  \"tables\": [1, 2,, 3]\n}\n"
            .write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        r = try runMigrator(["check", "--metadata", "bad.json"], in: dir)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("bad.json:3:19: not valid JSON"), r.stderr)
        r = try runMigrator(["check", "--metadata", "bad.json", "--format", "json"], in: dir)
        XCTAssertEqual(r.status, 2)
        o = object(r)
        XCTAssertEqual(o["status"] as? String, "error")
        XCTAssertEqual(o["file"] as? String, "bad.json")
        XCTAssertEqual(o["line"] as? Int, 3)
        XCTAssertEqual(o["column"] as? Int, 19)

        // No manifest and no --metadata: could not run.
        r = try runMigrator(["check", "--format", "json"], in: dir)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue((object(r)["message"] as? String)?.contains("names no manifest module") == true, r.stdout)
    }

    func testCheckExitCodesAndJSONOnSQLite() throws {
        try checkStatuses(database: nil)
    }

    func testCheckExitCodesAndJSONOnPostgreSQL() throws {
        try checkStatuses(database: try PostgreSQLTestServer.freshDatabaseURL())
    }

    /// Every command with `--format json`, in every way it can fail to run (bad config,
    /// no server, a malformed revision file, a command line that does not parse):
    /// exit 2 and one JSON object with status error; and on success a status ok.
    func testEveryJSONCommandPrintsOneObjectAndExits2OnErrors() throws {
        let dir = try project()
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
        let commands: [[String]] = [["check", "--metadata", "models.json"], ["current"], ["history"], ["heads"]]
        for c in commands {
            let r = try runMigrator(c + ["--format", "json"], in: dir)
            XCTAssertEqual(r.status, 0, "\(c): \(r.stderr)")
            XCTAssertEqual(object(r)["status"] as? String, "ok", "\(c)")
        }
        let serverDown = dir + "/down.yaml"
        try (try String(contentsOfFile: dir + "/migrator.yaml", encoding: .utf8))
            .replacingOccurrences(of: "sqlite:///" + dir + "/app.db", with: "postgresql://postgres@127.0.0.1:1/postgres")
            .write(toFile: serverDown, atomically: true, encoding: .utf8)
        let failures: [(String, [String], () throws -> Void, String)] = [
            ("no config", ["-c", "nope.yaml"], {}, "cannot read the config file nope.yaml"),
            ("server down", ["-c", serverDown], {}, "could not connect"),
            ("malformed revision", [], { try writeRevision(dir, "b", "revision: bbbb\ndown_revision: [aaaa00000001\n") }, "b.yaml"),
            ("unknown option", ["--bogus"], {}, "--bogus"),
        ]
        for (what, extra, prepare, expected) in failures {
            try prepare()
            for c in commands where !(what == "server down" && (c == ["heads"] || c == ["history"])) {
                let r = try runMigrator(c + extra + ["--format", "json"], in: dir)
                XCTAssertEqual(r.status, 2, "\(what), \(c): \(r.stdout) \(r.stderr)")
                let o = object(r)
                XCTAssertEqual(o["status"] as? String, "error", "\(what), \(c)")
                XCTAssertTrue((o["message"] as? String ?? "").contains(expected) || (o["file"] as? String ?? "").contains(expected),
                              "\(what), \(c): \(o)")
                let text = try runMigrator(c + extra, in: dir)
                XCTAssertEqual(text.status, what == "unknown option" ? 64 : 2, "\(what), \(c) as text: \(text.stderr)")
            }
            try? FileManager.default.removeItem(atPath: dir + "/migrations/versions/b.yaml")
        }
    }

    /// The JSON locator agrees with Foundation's parser on what is valid, over seeded
    /// random corruptions of a valid document, and never points before the corruption.
    func testJSONSyntaxErrorsAreLocated() throws {
        let valid = Array(try String(contentsOfFile: project() + "/models.json", encoding: .utf8).utf8)
        XCTAssertNil(JSONSyntax.firstError(in: valid))
        var rng = SeededGenerator(seed: 18_7)
        let junk = Array(",:{}[]\"tfn0-. \nx\\".utf8)
        for _ in 0..<2000 {
            var doc = valid
            let at = Int(rng.next() % UInt64(doc.count))
            switch rng.next() % 3 {
            case 0: doc.insert(junk[Int(rng.next() % UInt64(junk.count))], at: at)
            case 1: doc.remove(at: at)
            default: doc[at] = junk[Int(rng.next() % UInt64(junk.count))]
            }
            let foundation = (try? JSONSerialization.jsonObject(with: Data(doc))) != nil
            let located = JSONSyntax.firstError(in: doc)
            XCTAssertEqual(located == nil, foundation, "\(String(decoding: doc, as: UTF8.self))")
            if let located {
                var line = 1
                for b in doc[..<at] where b == 0x0A { line += 1 }
                // What comes before the change is a valid beginning: the error cannot be before it.
                XCTAssertGreaterThanOrEqual(located.line, line, String(decoding: doc, as: UTF8.self))
            }
        }
    }
}

