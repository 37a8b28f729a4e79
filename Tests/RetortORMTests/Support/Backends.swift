import Foundation
import RetortCore
import RetortORM
import RetortTestSupport
import XCTest

/// Runs `body` against a fresh SQLite file, a fresh PostgreSQL database and a fresh
/// MySQL/MariaDB database (RetortTestSupport's `forEachBackend`), each with the test
/// models' tables created.
func forEachBackend(includeMySQL: Bool = true, _ body: (Engine) throws -> Void) throws {
    TestModels.register()
    try RetortTestSupport.forEachBackend(includeMySQL: includeMySQL, prepare: { try TestModels.metadata.createAll($0) }, body)
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
