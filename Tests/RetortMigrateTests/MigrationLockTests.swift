import Foundation
import RetortCore
import RetortMigrate
import XCTest

/// On SQLite a migration run keeps the database's write lock from its first commit to
/// its end, and gives it back: other connections cannot write between revisions, and
/// can as soon as the run is over (also after a failed run).
final class MigrationLockTests: XCTestCase {
    func project(_ urlOptions: String = "") throws -> (Project, dbURL: String) {
        let dir = try temporaryProject()
        let db = "sqlite:///" + (dir as NSString).appendingPathComponent("app.db")
        try FileManager.default.createDirectory(atPath: dir + "/migrations/versions", withIntermediateDirectories: true)
        try "database: \(db)\(urlOptions)\nscript_location: migrations\n"
            .write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        for (i, name) in ["a", "b", "c"].enumerated() {
            let parent = i == 0 ? "null" : "\(["a", "b", "c"][i - 1])0000000000\(i)"
            try writeRevision(dir, name, """
                revision: \(name)0000000000\(i + 1)
                down_revision: \(parent)
                message: table \(name)
                upgrade:
                  - execute: CREATE TABLE t_\(name) (id INTEGER PRIMARY KEY)
                downgrade:
                  - execute: DROP TABLE t_\(name)
                """)
        }
        return (try Project(configPath: dir + "/migrator.yaml", environment: [:]), db)
    }

    /// Tries one write from a separate connection that does not wait for locks.
    func otherWriterSucceeds(_ db: String) throws -> Bool {
        let engine = try createEngine(db + "?timeout=0")
        defer { engine.dispose() }
        do {
            try engine.begin { try $0.execute(text("CREATE TABLE IF NOT EXISTS other (x INTEGER)")) }
            try engine.begin { try $0.execute(text("INSERT INTO other VALUES (1)")) }
            return true
        } catch let error as OperationalError where error.kind == .locked {
            return false
        }
    }

    func testSQLiteRunHoldsTheWriteLockBetweenRevisionsAndGivesItBack() throws {
        let (project, db) = try project()
        let runner = try project.runner()
        var duringRun: [Bool] = []
        runner.onStep = { _ in duringRun.append((try? self.otherWriterSucceeds(db)) ?? true) }
        XCTAssertEqual(try runner.upgrade(to: "head").count, 3)
        XCTAssertEqual(duringRun, [false, false, false], "another connection wrote between revisions")
        XCTAssertTrue(try otherWriterSucceeds(db), "the lock is given back when the run ends")
        XCTAssertFalse(FileManager.default.fileExists(atPath: String(db.dropFirst("sqlite:///".count)) + "-journal"))

        // A failed run gives it back too, having applied nothing of the failing revision.
        try runner.downgrade(to: "base")
        runner.onStep = { _ in }
        try writeRevision(URL(fileURLWithPath: project.config.path).deletingLastPathComponent().path, "d", """
            revision: d00000000004
            down_revision: c00000000003
            message: broken
            upgrade:
              - execute: CREATE TABLE t_d (id INTEGER PRIMARY KEY)
              - execute: CREATE TABLE t_d (id INTEGER PRIMARY KEY)
            downgrade: []
            """)
        let again = try Project(configPath: project.config.path, environment: [:]).runner()
        XCTAssertThrowsError(try again.upgrade(to: "head"))
        XCTAssertEqual(try again.current(), ["c00000000003"])
        XCTAssertTrue(try otherWriterSucceeds(db), "the lock is given back after a failure")
    }

    func testWALDatabaseStaysInWALAndUnlocked() throws {
        let (project, db) = try project("?journal_mode=wal")
        let runner = try project.runner()
        XCTAssertEqual(try runner.upgrade(to: "head").count, 3)
        XCTAssertTrue(try otherWriterSucceeds(db))
        let engine = try createEngine(db)
        defer { engine.dispose() }
        XCTAssertEqual(try engine.connect { try $0.scalar(text("PRAGMA journal_mode"), as: String.self) }, "wal")
    }
}
