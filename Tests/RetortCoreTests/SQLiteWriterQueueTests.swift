import Dispatch
import Foundation
import XCTest

@testable import RetortCore
import RetortTestSupport

/// The write transactions of one engine on a SQLite file take turns in arrival order
/// (``WriterGate``) instead of racing through SQLite's busy handler, which polls and
/// lets a late writer overtake one that has waited long (under load, until the early
/// one's timeout runs out: "database is locked" for a writer whose turn never came).
final class SQLiteWriterQueueTests: XCTestCase {
    private func makeEngine(timeout: Double) throws -> Engine {
        let engine = try createEngine(temporarySQLiteURL("queue") + "?timeout=\(timeout)", pool: PoolOptions(size: 8))
        try engine.begin { try $0.execute(text("CREATE TABLE turns (writer INTEGER NOT NULL)")) }
        return engine
    }

    private func waitUntil(_ what: String, _ condition: () -> Bool) {
        let deadline = Date(timeIntervalSinceNow: 20)
        while !condition() {
            if Date() > deadline { return XCTFail("timed out waiting until \(what)") }
            usleep(2_000)
        }
    }

    func testWritersTakeTurnsInTheOrderTheyCame() throws {
        let engine = try makeEngine(timeout: 60)
        defer { engine.dispose() }
        let gate = try XCTUnwrap(engine.writerGate, "a SQLite file engine queues its writers")
        let holder = try engine.connect()
        try holder.begin(immediate: true)
        try holder.execute(text("INSERT INTO turns VALUES (-1)"))
        let group = DispatchGroup()
        let failures = LockedBox<[String]>([])
        for writer in 0..<6 {
            DispatchQueue.global().async(group: group) {
                do {
                    try engine.begin { try $0.execute(text("INSERT INTO turns VALUES (:w)"), ["w": writer]) }
                } catch {
                    failures.mutate { $0.append("\(error)") }
                }
            }
            waitUntil("writer \(writer) waits") { gate.waitingCount == writer + 1 }
        }
        try holder.commit()
        holder.close()
        group.wait()
        XCTAssertEqual(failures.value, [])
        let order = try engine.connect {
            try $0.scalars(text("SELECT writer FROM turns ORDER BY rowid"), as: Int.self).all()
        }
        XCTAssertEqual(order, [-1, 0, 1, 2, 3, 4, 5], "the writers did not take turns in the order they came")
    }

    func testAWriterThatWaitsPastTheTimeoutFailsAsLockedAndLosesNothing() throws {
        let engine = try makeEngine(timeout: 0.3)
        defer { engine.dispose() }
        let holder = try engine.connect()
        try holder.begin(immediate: true)
        try holder.execute(text("INSERT INTO turns VALUES (1)"))
        let start = Date()
        let error = assertThrows(OperationalError.self) {
            try engine.begin { try $0.execute(text("INSERT INTO turns VALUES (2)")) }
        }
        XCTAssertEqual(error?.kind, .locked)
        XCTAssertTrue(error?.message.contains("timeout=") ?? false, error?.message ?? "")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.29)
        try holder.commit()
        holder.close()
        try engine.begin { try $0.execute(text("INSERT INTO turns VALUES (3)")) }
        XCTAssertEqual(try engine.connect { try $0.scalars(text("SELECT writer FROM turns ORDER BY rowid"), as: Int.self).all() },
                       [1, 3])
        XCTAssertEqual(engine.writerGate?.waitingCount, 0)
    }

    /// Every way a write transaction ends lets the next writer go: commit, rollback,
    /// closing the connection, a COMMIT written as SQL text, a failing block.
    func testEveryEndOfAWriteTransactionLetsTheNextWriterGo() throws {
        let engine = try makeEngine(timeout: 0.5)
        defer { engine.dispose() }
        let ends: [(String, (Connection) throws -> Void)] = [
            ("commit", { try $0.commit() }),
            ("rollback", { try $0.rollback() }),
            ("close", { $0.close() }),
            ("COMMIT as text, then a statement", { conn in
                try conn.execute(text("COMMIT"))
                _ = try conn.execute(text("SELECT 1")).all()
            }),
        ]
        for (name, end) in ends {
            let conn = try engine.connect()
            try conn.begin(immediate: true)
            try end(conn)
            XCTAssertNoThrow(try engine.begin { try $0.execute(text("INSERT INTO turns VALUES (0)")) }, name)
            conn.close()
        }
        struct Refused: Error {}
        XCTAssertThrowsError(try engine.begin { _ in throw Refused() })
        XCTAssertNoThrow(try engine.begin { try $0.execute(text("INSERT INTO turns VALUES (0)")) }, "a failing block")
    }

    /// Writers from many threads all commit, under a short timeout that SQLite's busy
    /// handler alone let run out under load (EngineTests' eight threads failed so).
    func testManyThreadsOfWritersAllCommit() throws {
        let engine = try makeEngine(timeout: 10)
        defer { engine.dispose() }
        let failures = LockedBox<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for _ in 0..<50 {
                do {
                    try engine.begin { try $0.execute(text("INSERT INTO turns VALUES (:t)"), ["t": thread]) }
                } catch {
                    failures.mutate { $0.append("\(error)") }
                }
            }
        }
        XCTAssertEqual(failures.value, [])
        XCTAssertEqual(try engine.connect { try $0.scalar(text("SELECT count(*) FROM turns"), as: Int.self) }, 400)
    }

    func testNoQueueForAReadOnlyOrInMemoryDatabase() throws {
        let memory = try createEngine("sqlite:///:memory:")
        defer { memory.dispose() }
        XCTAssertNil(memory.writerGate)
        let url = temporarySQLiteURL("ro")
        try createEngine(url).begin { try $0.execute(text("CREATE TABLE t (x INTEGER)")) }
        let readOnly = try createEngine(url + "?mode=ro")
        defer { readOnly.dispose() }
        XCTAssertNil(readOnly.writerGate)
    }
}
