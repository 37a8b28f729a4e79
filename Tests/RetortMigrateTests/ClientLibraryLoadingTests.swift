import Foundation
import XCTest

/// The database client libraries are opened on the first connection to their database,
/// never linked: the real `migrator` binary on an SQLite project loads neither libpq
/// nor libmariadb, and a MySQL URL with no usable libmariadb is one clear line.
final class ClientLibraryLoadingTests: XCTestCase {
    private func sqliteProject() throws -> String {
        let dir = try temporaryProject()
        let made = try runMigrator(["init", "migrations"], in: dir)
        XCTAssertEqual(made.status, 0, made.stderr)
        return dir
    }

    func testAnSQLiteCommandLoadsNeitherLibpqNorLibmariadb() throws {
        #if os(Linux)
        let dir = try sqliteProject()
        // glibc's loader lists every library it initialises.
        let run = try runMigrator(["current"], in: dir, environment: ["LD_DEBUG": "libs", "DATABASE_URL": "sqlite:///app.db"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let initialised = run.stderr.split(separator: "\n").filter { $0.contains("calling init:") }
        XCTAssertTrue(initialised.contains { $0.contains("libsqlite3") }, "the loader's trace is there: \(initialised)")
        XCTAssertFalse(initialised.contains { $0.contains("libmariadb") }, "\(initialised)")
        XCTAssertFalse(initialised.contains { $0.contains("libpq") }, "\(initialised)")
        #else
        throw XCTSkip("LD_DEBUG is glibc's")
        #endif
    }

    func testAMySQLURLWithoutUsableLibmariadbIsOneClearLine() throws {
        let dir = try sqliteProject()
        let url = ["DATABASE_URL": "mysql://root@127.0.0.1:1/app"]
        let missing = try runMigrator(["current"], in: dir,
                                      environment: url.merging(["RETORT_LIBMARIADB": "/nonexistent/libmariadb.so.3"]) { $1 })
        XCTAssertEqual(missing.status, 2, "current could not run")
        XCTAssertTrue(missing.stderr.contains("libmariadb could not be loaded (/nonexistent/libmariadb.so.3"), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("set RETORT_LIBMARIADB"), missing.stderr)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
        let notIt = try runMigrator(["current"], in: dir,
                                    environment: url.merging(["RETORT_LIBMARIADB": "libsqlite3.so.0"]) { $1 })
        XCTAssertEqual(notIt.status, 2, "current could not run")
        XCTAssertTrue(notIt.stderr.contains("libsqlite3.so.0 has no function mysql_"), notIt.stderr)
        // With the real library, the failure is the server's absence, said once.
        let down = try runMigrator(["current"], in: dir, environment: url)
        XCTAssertEqual(down.status, 2, "current could not run")
        XCTAssertTrue(down.stderr.contains("could not connect to MySQL at 127.0.0.1:1"), down.stderr)
        XCTAssertEqual(down.stderr.split(separator: "\n").count, 1, down.stderr)
    }
}
