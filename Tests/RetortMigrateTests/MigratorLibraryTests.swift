import Foundation
import RetortCore
import RetortMigrate
import RetortTestSupport
import XCTest

/// `Migrator` as a service calls it on start-up: values back instead of printing, and
/// the CLI's migration lock, so replicas starting together apply each revision once.
final class MigratorLibraryTests: XCTestCase {
    /// A project of three revisions; each one records itself in `applied` with a plain
    /// INSERT, so a revision applied twice leaves two rows.
    func project(database: String) throws -> String {
        let dir = try temporaryProject()
        try FileManager.default.createDirectory(atPath: dir + "/migrations/versions", withIntermediateDirectories: true)
        try "database: \(database)\nscript_location: migrations\n"
            .write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        let ids = ["a00000000001", "b00000000002", "c00000000003"]
        for (i, id) in ids.enumerated() {
            let create = i == 0
                ? """
                  - create_table:
                      name: applied
                      columns:
                        - {name: rev, type: string(20), nullable: false}
                """
                : ""
            try writeRevision(dir, id, """
                revision: \(id)
                down_revision: \(i == 0 ? "null" : ids[i - 1])
                message: step \(i + 1)
                upgrade:
                \(create)
                  - execute: INSERT INTO applied (rev) VALUES ('\(id)')
                downgrade:
                  - execute: DELETE FROM applied WHERE rev = '\(id)'
                """)
        }
        return dir
    }

    func databases() throws -> [(name: String, url: String)] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-migrator-lib-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return [("sqlite", "sqlite:///" + dir.appendingPathComponent("app.db").path),
                ("postgresql", try PostgreSQLTestServer.freshDatabaseURL())]
    }

    func testThreeReplicasStartingAtOnceApplyEachRevisionOnce() async throws {
        for (name, url) in try databases() {
            let dir = try project(database: url)
            let config = dir + "/migrator.yaml"
            // Two library calls (each with its own engine) and the CLI, all at once.
            let cli = try startMigrator(["upgrade", "head"], in: dir)
            async let first = Migrator(configPath: config, environment: [:]).upgrade(to: .head)
            async let second = Migrator(configPath: config, environment: [:]).upgrade(to: .head)
            let reports = try await [first, second]
            let cliResult = cli.wait()
            XCTAssertEqual(cliResult.status, 0, "\(name): \(cliResult.stderr)")

            let byLibrary = reports.flatMap { $0.map(\.step.revision.id) }
            XCTAssertEqual(Set(byLibrary).count, byLibrary.count, "\(name): both library calls applied \(byLibrary)")
            let engine = try createEngine(url)
            defer { engine.dispose() }
            let rows = try engine.connect { conn in
                try conn.execute(text("SELECT rev, count(*) AS n FROM applied GROUP BY rev ORDER BY rev")).all()
                    .map { "\(try $0.get("rev", as: String.self))×\(try $0.get("n", as: Int.self))" }
            }
            XCTAssertEqual(rows, ["a00000000001×1", "b00000000002×1", "c00000000003×1"], name)
            let current = try await Migrator(configPath: config, environment: [:]).current()
            XCTAssertEqual(current, ["c00000000003"], name)
            // Already at head: nothing more to do.
            let again = try await Migrator(configPath: config, environment: [:]).upgrade(to: "head")
            XCTAssertEqual(again.count, 0, name)
        }
    }

    func testCheckAndCurrentAnswerWithValues() async throws {
        for (name, url) in try databases() {
            let dir = try project(database: url)
            let migrator = Migrator(configPath: dir + "/migrator.yaml", environment: [:])
            let models = MetaData()
            _ = Table("applied", models, Column("rev", .string(20), nullable: false))

            let before = try await migrator.current()
            XCTAssertEqual(before, [], name)
            guard case .behind(let at, let head) = try await migrator.check(models) else {
                return XCTFail("\(name): a fresh database is not behind")
            }
            XCTAssertEqual(at, [], name)
            XCTAssertEqual(head, "c00000000003", name)

            let steps = try await migrator.upgrade(to: .revision("b00000000002"))
            XCTAssertEqual(steps.map(\.step.revision.id), ["a00000000001", "b00000000002"], name)
            let middle = try await migrator.current()
            XCTAssertEqual(middle, ["b00000000002"], name)

            try await migrator.upgrade()
            let report = try await migrator.check(models)
            XCTAssertEqual(report.status, "ok", "\(name): \(report.json)")
            let fewerModels = MetaData()
            let drift = try await migrator.check(fewerModels)
            XCTAssertEqual(drift.status, "drift", "\(name): \(drift.json)")
        }
    }

    func testAFailingRevisionIsAnErrorValueAndLeavesTheRevisionsBeforeIt() async throws {
        for (name, url) in try databases() {
            let dir = try project(database: url)
            try writeRevision(dir, "d00000000004", """
                revision: d00000000004
                down_revision: c00000000003
                message: broken
                upgrade:
                  - execute: INSERT INTO no_such_table (x) VALUES (1)
                downgrade: []
                """)
            let migrator = Migrator(configPath: dir + "/migrator.yaml", environment: [:])
            do {
                try await migrator.upgrade()
                XCTFail("\(name): the broken revision was applied")
            } catch {
                XCTAssertTrue("\(error)".contains("no_such_table"), "\(name): \(error)")
            }
            let current = try await migrator.current()
            XCTAssertEqual(current, ["c00000000003"], name)
        }
    }
}
