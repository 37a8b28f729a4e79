import Foundation
import RetortCore
import RetortTestSupport
import XCTest

/// A fresh SQLite file in a temporary directory, removed when the process ends.
func temporarySQLiteURL(_ name: String = "test") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).db").path
    return "sqlite:///" + path
}

/// Runs `body` against a fresh SQLite file database, a fresh PostgreSQL database and a
/// fresh MySQL/MariaDB database (`includeMySQL: false` leaves MariaDB out, for a test
/// that cannot apply there; say why beside it). When no PostgreSQL server is available
/// the SQLite half still runs, then the test is reported skipped (or failed, under
/// RETORT_REQUIRE_POSTGRES=1); the same for MySQL under RETORT_REQUIRE_MYSQL=1.
func forEachBackend(
    pool: PoolOptions = PoolOptions(), includeMySQL: Bool = true, file: StaticString = #filePath, line: UInt = #line,
    _ body: (Engine) throws -> Void
) throws {
    let sqlite = try createEngine(temporarySQLiteURL(), pool: pool)
    defer { sqlite.dispose() }
    try body(sqlite)
    let pg = try createEngine(PostgreSQLTestServer.freshDatabaseURL(), pool: pool)
    defer { pg.dispose() }
    try body(pg)
    guard includeMySQL else { return }
    let mysql = try createEngine(MariaDBTestServer.freshDatabaseURL(), pool: pool)
    defer { mysql.dispose() }
    try body(mysql)
}

/// Asserts that `body` throws an error of type `E` and returns it.
@discardableResult
func assertThrows<E: Error, T>(
    _ expected: E.Type, _ message: String = "", file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> T
) -> E? {
    do {
        _ = try body()
        XCTFail("expected \(E.self) but nothing was thrown. \(message)", file: file, line: line)
    } catch let e as E {
        return e
    } catch {
        XCTFail("expected \(E.self) but got \(type(of: error)): \(error). \(message)", file: file, line: line)
    }
    return nil
}
