import Foundation
import XCTest
@testable import RetortCore
import RetortTestSupport

/// Engine execute events and executemany with RETURNING, on both databases.
final class EngineEventsTests: XCTestCase {
    final class Seen: @unchecked Sendable {
        let lock = NSLock()
        var before: [(String, Int)] = []
        var after = 0
    }

    func testExecuteEventsReportStatementsAndSetCounts() throws {
        try forEachBackend { engine in
            let seen = Seen()
            let b = engine.events.beforeExecute { e in seen.lock.lock(); seen.before.append((e.sql, e.parameterSetCount)); seen.lock.unlock() }
            let a = engine.events.afterExecute { _ in seen.lock.lock(); seen.after += 1; seen.lock.unlock() }
            try engine.begin { conn in
                try conn.execute(text("CREATE TABLE ev (id INTEGER PRIMARY KEY, name VARCHAR(20))"))
                try conn.execute(text("INSERT INTO ev (id, name) VALUES (:i, :n)"), [["i": 1, "n": "a"], ["i": 2, "n": "b"], ["i": 3, "n": "c"]])
            }
            XCTAssertEqual(seen.before.map(\.1), [1, 3])
            XCTAssertEqual(seen.after, 2)
            XCTAssertFalse(seen.before.contains { $0.0 == "BEGIN" || $0.0 == "COMMIT" }, "transaction control is not reported")
            engine.events.remove(b)
            engine.events.remove(a)
            try engine.connect { _ = try $0.execute(text("SELECT 1")) }
            XCTAssertEqual(seen.before.count, 2)
            try engine.begin { try $0.execute(text("DROP TABLE ev")) }
        }
    }

    func testFailedStatementsAreReportedWithTheirErrorAndNotAsDone() throws {
        final class Failures: @unchecked Sendable {  // fields only under `lock`
            let lock = NSLock()
            var failed: [(String, Int, String)] = []
            var after: [String] = []
        }
        try forEachBackend { engine in
            let seen = Failures()
            let f = engine.events.executeFailed { e, error in
                seen.lock.withLock { seen.failed.append((e.sql, e.parameterSetCount, "\(type(of: error))")) }
            }
            let a = engine.events.afterExecute { e in seen.lock.withLock { seen.after.append(e.sql) } }
            defer {
                engine.events.remove(f)
                engine.events.remove(a)
            }
            try engine.begin { try $0.execute(text("CREATE TABLE evf (id INTEGER PRIMARY KEY)")) }
            try engine.begin { try $0.execute(text("INSERT INTO evf (id) VALUES (1)")) }
            XCTAssertThrowsError(try engine.begin { try $0.execute(text("INSERT INTO evf (id) VALUES (1)")) })
            XCTAssertThrowsError(try engine.begin { try $0.execute(text("INSERT INTO evf (id) VALUES (:i)"), [["i": 2], ["i": 1]]) })
            XCTAssertThrowsError(try engine.connect { _ = try $0.execute(text("SELECT nothing FROM nowhere")) })
            XCTAssertEqual(seen.failed.map(\.1), [1, 2, 1])
            XCTAssertEqual(seen.failed.map(\.2), ["IntegrityError", "IntegrityError", "ProgrammingError"])
            XCTAssertEqual(seen.failed.first?.0.hasPrefix("INSERT INTO evf"), true)
            XCTAssertEqual(seen.after.count, 2, "a failed statement is not reported as done: \(seen.after)")
        }
    }

    func testExecuteManyReturningHandsBackEachSetsRows() throws {
        try forEachBackend { engine in
            let metadata = MetaData()
            let t = Table("rt", metadata, Column("id", .integer, primaryKey: true), Column("name", .string(20), nullable: false),
                          Column("state", .string(10), serverDefault: "'new'"))
            try metadata.createAll(engine)
            var insert = Insert(table: t)
            insert.columnNames = ["name"]
            insert.rows = [[.parameter(name: "name", type: .string(20))]]
            insert.returning = [t.columnNode(at: 0), t.columnNode(at: 2)]
            let compiled = try StatementCache.shared.compile(.insert(insert), engine.dialect)
            let names = (0..<2500).map { "n\($0)" }  // more than one PostgreSQL pipeline batch
            var returned: [Int: [SQLValue]] = [:]
            try engine.begin { conn in
                let n = try conn.executeManyReturning(compiled: compiled, count: names.count, fill: { i, v in v.append(.text(names[i])) }) { i, row in
                    XCTAssertNil(returned[i], "one row per set")
                    returned[i] = row
                }
                XCTAssertEqual(n, names.count)
            }
            XCTAssertEqual(returned.count, names.count)
            XCTAssertEqual(returned[0]?[1], .text("new"))
            let ids = try engine.connect { try $0.scalars(text("SELECT id FROM rt ORDER BY name"), as: Int.self).all() }
            let byName = try engine.connect { conn in
                try conn.execute(text("SELECT name, id FROM rt")).all().reduce(into: [String: Int]()) { $0[try $1.get(0)] = try $1.get(1) }
            }
            XCTAssertEqual(ids.count, names.count)
            for (i, row) in returned { XCTAssertEqual(row[0], .integer(Int64(byName[names[i]]!)), "set \(i) got its own row's key") }
            // A failing set raises, and the rows before it were handed back in order.
            var seen = 0
            XCTAssertThrowsError(try engine.begin { conn in
                try conn.executeManyReturning(compiled: compiled, count: 3, fill: { i, v in v.append(i == 1 ? .null : .text("x")) }) { _, _ in seen += 1 }
            })
            XCTAssertEqual(seen, 1)
        }
    }

    func testExecuteManyInsertHandsBackEachRowID() throws {
        let engine = try createEngine("sqlite://")
        let metadata = MetaData()
        let t = Table("rid", metadata, Column("id", .integer, primaryKey: true), Column("name", .string(20), nullable: false))
        try metadata.createAll(engine)
        var insert = Insert(table: t)
        insert.columnNames = ["name"]
        insert.rows = [[.parameter(name: "name", type: .string(20))]]
        let compiled = try StatementCache.shared.compile(.insert(insert), engine.dialect)
        var ids: [Int: Int64] = [:]
        try engine.begin { conn in
            let n = try conn.executeManyInsert(compiled: compiled, count: 3, fill: { i, v in v.append(.text("n\(i)")) }) { i, id in ids[i] = id }
            XCTAssertEqual(n, 3)
        }
        let stored = try engine.connect { conn in
            try conn.execute(text("SELECT name, id FROM rid")).all().reduce(into: [String: Int64]()) { $0[try $1.get(0)] = try $1.get(1) }
        }
        XCTAssertEqual(ids, [0: stored["n0"]!, 1: stored["n1"]!, 2: stored["n2"]!])
    }
}
