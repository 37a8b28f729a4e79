import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// MySQL's migration dialect against a real MariaDB: the named migration lock, the
/// session timeouts, and what the runner and lint make of a database whose DDL commits.
final class MariaDBMigrationDialectTests: XCTestCase {
    func project(lockTimeout: String = "10s") throws -> (dir: String, url: String) {
        let url = try MariaDBTestServer.freshDatabaseURL()
        let dir = try temporaryProject()
        try FileManager.default.createDirectory(atPath: dir + "/migrations/versions", withIntermediateDirectories: true)
        try "database: \(url)\nscript_location: migrations\nmysql: {lock_timeout: \(lockTimeout)}\n"
            .write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        for (i, name) in ["a", "b", "c"].enumerated() {
            try writeRevision(dir, name, """
                revision: \(name)0000000000\(i + 1)
                down_revision: \(i == 0 ? "null" : "\(["a", "b", "c"][i - 1])0000000000\(i)")
                message: table \(name)
                upgrade:
                  - execute: CREATE TABLE t_\(name) (id INTEGER PRIMARY KEY)
                downgrade:
                  - execute: DROP TABLE t_\(name)
                """)
        }
        return (dir, url)
    }

    /// Tries the migration lock from another session; gives it back when taken.
    func lockIsFree(_ url: String, key: Int64) throws -> Bool {
        let engine = try createEngine(url)
        defer { engine.dispose() }
        let lock = try XCTUnwrap(engine.dialect.migration.migrationLock)
        return try engine.connect { conn in
            let taken = try conn.scalar(lock.tryLock, ["key": key], as: Bool.self)
            if taken { _ = try conn.execute(lock.unlock, ["key": key]) }
            return taken
        }
    }

    func testTheMigrationLockIsHeldForTheRunAndGivenBack() throws {
        let (dir, url) = try project()
        let runner = try Project(configPath: dir + "/migrator.yaml", environment: [:]).runner()
        var freeDuringRun: [Bool] = []
        runner.onStep = { _ in freeDuringRun.append((try? self.lockIsFree(url, key: runner.lockKey)) ?? true) }
        XCTAssertEqual(try runner.upgrade(to: "head").count, 3)
        XCTAssertEqual(freeDuringRun, [false, false, false], "another session took the lock during the run")
        XCTAssertTrue(try lockIsFree(url, key: runner.lockKey), "given back when the run ends")
        // Another database's project uses another lock name.
        let (otherDir, otherURL) = try project()
        let other = try Project(configPath: otherDir + "/migrator.yaml", environment: [:]).runner()
        other.onStep = { _ in freeDuringRun.append((try? self.lockIsFree(url, key: other.lockKey)) ?? false) }
        try other.upgrade(to: "head")
        XCTAssertEqual(freeDuringRun.suffix(3), [true, true, true], "\(otherURL) and \(url) do not share a lock")
    }

    func testASecondMigratorWaitsForTheLockAndGivesUpNamingTheSetting() throws {
        let (dir, url) = try project(lockTimeout: "1s")
        let runner = try Project(configPath: dir + "/migrator.yaml", environment: [:]).runner()
        let engine = try createEngine(url)
        defer { engine.dispose() }
        let lock = try XCTUnwrap(engine.dialect.migration.migrationLock)
        let holder = try engine.connect()
        defer { holder.close() }
        XCTAssertTrue(try holder.scalar(lock.tryLock, ["key": runner.lockKey], as: Bool.self))
        try holder.commit()
        let started = Date()
        let run = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1)
        XCTAssertTrue(run.stderr.contains("could not acquire the migration lock within 1.0 s"), run.stderr)
        XCTAssertTrue(run.stderr.contains("raise mysql.lock_timeout in the config"), run.stderr)
        XCTAssertFalse(try Inspector(engine).tableNames().contains("t_a"), "nothing ran")
        _ = try holder.execute(lock.unlock, ["key": runner.lockKey])
        try holder.commit()
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
    }

    /// The timeout statements run on the server and set what they say, in its units.
    func testTimeoutStatementsSetTheSessionVariables() throws {
        let engine = try createEngine(try MariaDBTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        try engine.connect { conn in
            for sql in engine.dialect.migration.timeoutStatements(lockTimeout: 2.5, statementTimeout: 1.5) {
                try conn.execute(text(sql))
            }
            XCTAssertEqual(try conn.scalar(text("SELECT @@SESSION.lock_wait_timeout"), as: Int.self), 3, "whole seconds, rounded up")
            XCTAssertEqual(try conn.scalar(text("SELECT @@SESSION.max_statement_time"), as: Double.self), 1.5, "seconds")
            // A statement over the limit is stopped.
            XCTAssertThrowsError(try conn.execute(text("SELECT SLEEP(3)")).all())
        }
    }

    /// What lint assumes on MySQL: online index builds and nullability changes, metadata
    /// locks that queue queries, table copies for type changes, foreign keys and checks.
    func testLintAssumesInnoDBOnlineDDL() throws {
        let mysql = try XCTUnwrap(Dialect.named("mysql"))
        let config = try MigratorConfig.parse("database: mysql://u@h/db\nmysql: {lock_timeout: null}\n",
                                              path: "/p/migrator.yaml", environment: [:])
        func codes(_ ops: [MigrationOperation]) throws -> [String] {
            let revision = Revision(id: "aaaa00000001", downRevisions: [], message: "m", upgrade: ops, downgrade: [],
                                    path: "")
            return try Linter(config: config, dialect: mysql).lint(revision).map(\.code).filter { $0.hasPrefix("P") }
        }
        var notNull = AlterColumnSpec(table: "notes", column: "n")
        notNull.nullable = false
        XCTAssertEqual(try codes([.createIndex(IndexSpec(name: "ix_notes_n", table: "notes", columns: ["n"])),
                                  .alterColumn(notNull),
                                  .createUniqueConstraint(name: "uq_notes_n", table: "notes", columns: ["n"])]),
                       ["P307"], "online: only the missing lock timeout")
        XCTAssertEqual(try codes([.createCheckConstraint(name: "ck_notes_n", table: "notes", condition: "n > 0")]),
                       ["P303", "P307"])
    }
}
