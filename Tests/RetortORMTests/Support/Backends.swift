import Foundation
import RetortCore
import RetortORM
import RetortTestSupport
import XCTest

/// A fresh SQLite file in a temporary directory.
func temporarySQLiteURL(_ name: String = "orm") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-orm-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return "sqlite:///" + dir.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).db").path
}

/// Runs `body` against a fresh SQLite file, a fresh PostgreSQL database and a fresh
/// MySQL/MariaDB database, each with the test models' tables created
/// (`includeMySQL: false` leaves MariaDB out, for a test that cannot apply there; say
/// why beside it). Without a PostgreSQL server the SQLite half runs and the test is then
/// skipped (failed under RETORT_REQUIRE_POSTGRES=1); the same for MySQL under
/// RETORT_REQUIRE_MYSQL=1.
func forEachBackend(includeMySQL: Bool = true, _ body: (Engine) throws -> Void) throws {
    TestModels.register()
    let sqlite = try createEngine(temporarySQLiteURL())
    defer { sqlite.dispose() }
    try TestModels.metadata.createAll(sqlite)
    try body(sqlite)
    let pg = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
    defer { pg.dispose() }
    try TestModels.metadata.createAll(pg)
    try body(pg)
    guard includeMySQL else { return }
    let mysql = try createEngine(MariaDBTestServer.freshDatabaseURL())
    defer { mysql.dispose() }
    try TestModels.metadata.createAll(mysql)
    try body(mysql)
}

/// The statements an engine executes, captured through its execute events.
final class StatementLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ExecuteEvent] = []
    private let engine: Engine
    private var token: EngineEvents.Token?

    init(_ engine: Engine) {
        self.engine = engine
        token = engine.events.beforeExecute { [weak self] e in self?.append(e) }
    }

    deinit { if let token { engine.events.remove(token) } }

    private func append(_ e: ExecuteEvent) {
        lock.lock()
        events.append(e)
        lock.unlock()
    }

    /// The SQL of each statement, with PostgreSQL's `$n` written as `?` so one expectation fits both.
    var sql: [String] {
        lock.lock()
        defer { lock.unlock() }
        return events.map { Self.unnumbered($0.sql) }
    }

    /// Each statement with the number of parameter sets it ran with.
    var calls: [(String, Int)] {
        lock.lock()
        defer { lock.unlock() }
        return events.map { (Self.unnumbered($0.sql), $0.parameterSetCount) }
    }

    func reset() {
        lock.lock()
        events.removeAll()
        lock.unlock()
    }

    static func unnumbered(_ sql: String) -> String {
        var out = ""
        var it = sql.makeIterator()
        var pending: Character? = nil
        while let ch = pending ?? it.next() {
            pending = nil
            if ch == "$" {
                var digits = ""
                while let d = it.next() {
                    if d.isNumber { digits.append(d) } else { pending = d; break }
                }
                out += digits.isEmpty ? "$" : "?"
            } else {
                out.append(ch)
            }
        }
        return out
    }
}

/// Asserts that `body` throws an error of type `E` and returns it.
@discardableResult
func assertThrows<E: Error, T>(_ expected: E.Type, file: StaticString = #filePath, line: UInt = #line,
                               _ body: () throws -> T) -> E? {
    do {
        _ = try body()
        XCTFail("expected \(E.self) but nothing was thrown", file: file, line: line)
    } catch let e as E {
        return e
    } catch {
        XCTFail("expected \(E.self) but got \(type(of: error)): \(error)", file: file, line: line)
    }
    return nil
}

/// The number of rows in a table, read through a separate connection.
func rowCount(_ engine: Engine, _ table: String) throws -> Int {
    try engine.connect { try $0.scalar(text("SELECT count(*) FROM \(table)"), as: Int.self) }
}

/// The RETURNING clause a flush adds for a generated integer key: none on SQLite, whose
/// rowid is the key, nor on MySQL, whose last insert id is the AUTO_INCREMENT key;
/// ` RETURNING id` elsewhere.
func returningKey(_ engine: Engine, _ column: String = "id") -> String {
    engine.dialect.integerPrimaryKeyIsRowID || engine.dialect.lastInsertIDIsAutoincrementKey ? "" : " RETURNING \(column)"
}
