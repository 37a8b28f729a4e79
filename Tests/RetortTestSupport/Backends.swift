// The databases a shared test runs on: a fresh SQLite file, a fresh PostgreSQL database
// and a fresh MySQL/MariaDB database (the throwaway servers of PostgreSQLTestServer and
// MariaDBTestServer), and the small assertions every test target uses.

import Foundation
import RetortCore
import XCTest

/// A fresh SQLite file URL in a temporary directory of this process (`sqlite:///…`).
public func temporarySQLiteURL(_ name: String = "test") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return "sqlite:///" + dir.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).db").path
}

/// Runs `body` against a fresh SQLite file database, a fresh PostgreSQL database and a
/// fresh MySQL/MariaDB database, each first handed to `prepare` (e.g. to create a test's
/// tables). `includeMySQL: false` leaves MariaDB out, for a test that cannot apply there:
/// say why beside it. When no PostgreSQL server is available the SQLite half still runs,
/// then the test is reported skipped (or failed, under RETORT_REQUIRE_POSTGRES=1); the
/// same for MySQL under RETORT_REQUIRE_MYSQL=1.
public func forEachBackend(
    pool: PoolOptions = PoolOptions(), includeMySQL: Bool = true,
    prepare: (Engine) throws -> Void = { _ in },
    _ body: (Engine) throws -> Void
) throws {
    var urls: [() throws -> String] = [{ temporarySQLiteURL() }, { try PostgreSQLTestServer.freshDatabaseURL() }]
    if includeMySQL { urls.append { try MariaDBTestServer.freshDatabaseURL() } }
    for url in urls {
        let engine = try createEngine(url(), pool: pool)
        defer { engine.dispose() }
        try prepare(engine)
        try body(engine)
    }
}

/// Asserts that `body` throws an error of type `E` and returns it.
@discardableResult
public func assertThrows<E: Error, T>(
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
