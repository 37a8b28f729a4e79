import Foundation
import RetortCore
import RetortTestSupport
import XCTest

/// The async API against a real SQLite file and the real PostgreSQL and MariaDB servers: the pool
/// under many tasks, cancellation and statement timeouts stopping the statement on the
/// server, the cooperative pool staying free while statements block, streaming.
///
/// Timing bounds are generous on purpose (these tests run on a loaded 2-core machine):
/// each is an order of magnitude above what a working implementation takes and an
/// order of magnitude below what a broken one would (a statement that is not stopped
/// runs its full 10 s or more; a blocked cooperative pool frees only when they end).
final class AsyncEngineTests: XCTestCase {
    /// One database to test against, with a statement that runs for a long time (10 s on
    /// PostgreSQL and MySQL, far longer on SQLite) unless it is stopped.
    struct Backend {
        let name: String
        let engine: AsyncEngine
        let slowSQL: String
        /// A statement whose answer tells one connection from another.
        let connectionIdentity: String
    }

    static let sqliteSlow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
        + "SELECT count(*) FROM c"

    /// A fresh SQLite file, a fresh PostgreSQL database and a fresh MariaDB database,
    /// each with `pool`.
    /// `sqliteOptions`: URL options of the SQLite file (e.g. a longer busy `timeout`).
    func backends(pool: PoolOptions, sqliteOptions: String = "") throws -> [Backend] {
        [
            Backend(name: "sqlite", engine: AsyncEngine(try createEngine(temporarySQLiteURL("async") + sqliteOptions, pool: pool)),
                    slowSQL: Self.sqliteSlow, connectionIdentity: "SELECT count(*) FROM temp.sqlite_master"),
            Backend(name: "postgresql",
                    engine: AsyncEngine(try createEngine(PostgreSQLTestServer.freshDatabaseURL(), pool: pool)),
                    slowSQL: "SELECT pg_sleep(10)", connectionIdentity: "SELECT pg_backend_pid()"),
            Backend(name: "mysql",
                    engine: AsyncEngine(try createEngine(MariaDBTestServer.freshDatabaseURL(), pool: pool)),
                    slowSQL: "SELECT SLEEP(10)", connectionIdentity: "SELECT CONNECTION_ID()"),
        ]
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    // MARK: The pool under load

    func testFiveHundredTasksOverAPoolOfTenAllSucceedAndNeverExceedIt() async throws {
        // SQLite lets one writer in at a time and its busy handler is not fair: with 500
        // writers on a loaded machine one of them can wait longer than the default 5 s.
        for backend in try backends(pool: PoolOptions(size: 10, maxOverflow: 0, timeout: 60), sqliteOptions: "?timeout=60") {
            let engine = backend.engine
            try await engine.begin { conn in
                try await conn.execute(text("CREATE TABLE hits (id INTEGER PRIMARY KEY, task INTEGER NOT NULL)"))
            }
            let inside = Gauge()
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<500 {
                    group.addTask {
                        try await engine.connect { conn in
                            inside.enter()
                            defer { inside.leave() }
                            // Immediate: SQLite's deferred writers can deadlock (one of
                            // them then gets "locked" at once, whatever the timeout).
                            try await conn.begin(immediate: true)
                            try await conn.execute(text("INSERT INTO hits (id, task) VALUES (:id, :task)"), ["id": i + 1, "task": i])
                            let task = try await conn.scalar(text("SELECT task FROM hits WHERE id = :id"), ["id": i + 1], as: Int.self)
                            try await conn.commit()
                            return task
                        }
                    }
                }
                var seen: [Int] = []
                for try await value in group { seen.append(value) }
                return seen
            }
            XCTAssertEqual(results.sorted(), Array(0..<500), backend.name)
            let count = try await engine.connect { try await $0.scalar(text("SELECT count(*) FROM hits"), as: Int.self) }
            XCTAssertEqual(count, 500, backend.name)
            let status = engine.poolStatus
            XCTAssertLessThanOrEqual(status.highWaterMark, 10, "\(backend.name): more connections than the pool allows")
            XCTAssertGreaterThan(status.highWaterMark, 1, "\(backend.name): the tasks never ran side by side")
            XCTAssertLessThanOrEqual(inside.peak, 10, "\(backend.name): more bodies ran at once than connections exist")
            XCTAssertEqual(status.checkedOut, 0, "\(backend.name): a connection was not given back")
            XCTAssertEqual(status.waiting, 0, backend.name)
            engine.dispose()
        }
    }

    func testWaitingForAConnectionSuspendsTimesOutAndCanBeCancelled() async throws {
        for backend in try backends(pool: PoolOptions(size: 1, maxOverflow: 0, timeout: 0.3)) {
            let engine = backend.engine
            let holding = Signal()
            let release = Signal()
            let holder = Task {
                try await engine.connect { conn in
                    _ = try await conn.scalar(text("SELECT 1"), as: Int.self)
                    holding.fire()
                    await release.wait()
                }
            }
            await holding.wait()
            // The pool's timeout passes while the only connection is held.
            let clock = ContinuousClock()
            let start = clock.now
            do {
                try await engine.connect { _ in XCTFail("\(backend.name): got a connection the pool does not have") }
            } catch let error as InterfaceError {
                XCTAssertEqual(error.kind, .poolExhausted, backend.name)
                XCTAssertTrue(error.message.contains("pool is exhausted"), error.message)
            }
            XCTAssertGreaterThanOrEqual(Self.seconds(clock.now - start), 0.25, backend.name)
            XCTAssertEqual(engine.poolStatus.waiting, 0, backend.name)

            // A waiting task that is cancelled stops waiting at once.
            let waiter = Task { try await engine.connect { _ in "got one" } }
            try await Task.sleep(for: .milliseconds(50))
            XCTAssertEqual(engine.poolStatus.waiting, 1, backend.name)
            waiter.cancel()
            let outcome = await waiter.result
            XCTAssertThrowsError(try outcome.get(), backend.name) { XCTAssertTrue($0 is CancellationError, "\($0)") }

            // When the holder gives the connection back, a waiter gets it.
            let next = Task { try await engine.connect { conn in try await conn.scalar(text("SELECT 7"), as: Int.self) } }
            try await Task.sleep(for: .milliseconds(50))
            release.fire()
            try await holder.value
            let seven = try await next.value
            XCTAssertEqual(seven, 7, backend.name)
            XCTAssertEqual(engine.poolStatus.highWaterMark, 1, backend.name)
            engine.dispose()
        }
    }

    // MARK: Cancellation and timeouts

    func testCancellingATaskStopsItsStatementAndTheConnectionIsReusedClean() async throws {
        for backend in try backends(pool: PoolOptions(size: 1, maxOverflow: 0)) {
            let engine = backend.engine
            try await engine.begin { conn in
                try await conn.execute(text("CREATE TABLE marks (id INTEGER PRIMARY KEY)"))
            }
            let identity = Box<String>()
            let running = Signal()
            let task = Task {
                try await engine.connect { conn in
                    // Something connection-private, to recognise the connection afterwards.
                    try await conn.execute(text("CREATE TEMPORARY TABLE mine (x INTEGER)"))
                    try await conn.commit()
                    identity.value = try await conn.scalar(text(backend.connectionIdentity), as: SQLValue.self).description
                    try await conn.execute(text("INSERT INTO marks (id) VALUES (1)"))
                    running.fire()
                    _ = try await conn.execute(text(backend.slowSQL)).all()
                    XCTFail("\(backend.name): the slow statement finished")
                }
            }
            await running.wait()
            try await Task.sleep(for: .milliseconds(200))  // well inside the statement
            let clock = ContinuousClock()
            let start = clock.now
            task.cancel()
            let outcome = await task.result
            let elapsed = Self.seconds(clock.now - start)
            print("\(backend.name): cancelling the running statement took \(Int(elapsed * 1000)) ms")
            XCTAssertThrowsError(try outcome.get(), backend.name) { XCTAssertTrue($0 is CancellationError, "\(backend.name): \($0)") }
            XCTAssertLessThan(elapsed, 1.0, "\(backend.name): the statement was not stopped")

            // The one connection of the pool is back, rolled back, and works.
            XCTAssertEqual(engine.poolStatus.checkedOut, 0, backend.name)
            try await engine.connect { conn in
                XCTAssertFalse(conn.inTransaction, backend.name)
                let again = try await conn.scalar(text(backend.connectionIdentity), as: SQLValue.self).description
                XCTAssertEqual(again, identity.value, "\(backend.name): not the same connection")
                let marks = try await conn.scalar(text("SELECT count(*) FROM marks"), as: Int.self)
                XCTAssertEqual(marks, 0, "\(backend.name): the cancelled transaction's insert was kept")
            }
            engine.dispose()
        }
    }

    func testAStatementTimeoutStopsTheStatementAndTheConnectionGoesOn() async throws {
        for backend in try backends(pool: PoolOptions(size: 1, maxOverflow: 0)) {
            let engine = backend.engine
            try await engine.connect { conn in
                try await conn.execute(text("CREATE TABLE marks (id INTEGER PRIMARY KEY)"))
                try await conn.commit()
                try await conn.execute(text("INSERT INTO marks (id) VALUES (1)"))
                conn.statementTimeout = .milliseconds(300)
                let clock = ContinuousClock()
                let start = clock.now
                do {
                    _ = try await conn.execute(text(backend.slowSQL)).all()
                    XCTFail("\(backend.name): the slow statement finished")
                } catch let error as OperationalError {
                    XCTAssertEqual(error.kind, .timeout, backend.name)
                    XCTAssertTrue(error.message.contains("timeout of 0.3 s"), error.message)
                    // MySQL reports a killed SELECT's error after its metadata, past the call
                    // that ran the statement: the error then has no SQL to name.
                    XCTAssertEqual(error.sql, backend.name == "mysql" ? nil : backend.slowSQL, backend.name)
                }
                let elapsed = Self.seconds(clock.now - start)
                XCTAssertGreaterThanOrEqual(elapsed, 0.29, backend.name)
                XCTAssertLessThan(elapsed, 2.0, "\(backend.name): the statement was not stopped at its timeout")
                // Same connection, same task: rolled back and usable.
                XCTAssertFalse(conn.inTransaction, backend.name)
                let marks = try await conn.scalar(text("SELECT count(*) FROM marks"), as: Int.self)
                XCTAssertEqual(marks, 0, backend.name)
                // A quick statement under the timeout is not disturbed by it.
                let answer = try await conn.scalar(text("SELECT 42"), as: Int.self, timeout: .seconds(5))
                XCTAssertEqual(answer, 42, backend.name)
            }
            engine.dispose()
        }
    }

    // MARK: The cooperative pool

    func testSlowStatementsDoNotBlockTheCooperativePool() async throws {
        for backend in try backends(pool: PoolOptions(size: 10, maxOverflow: 0)) {
            let engine = backend.engine
            let started = Gauge()
            let slow = (0..<10).map { _ in
                Task {
                    try await engine.connect { conn in
                        started.enter()
                        _ = try await conn.execute(text(backend.slowSQL)).all()
                    }
                }
            }
            while started.peak < 10 { try await Task.sleep(for: .milliseconds(10)) }
            try await Task.sleep(for: .milliseconds(200))  // all ten are inside their statements
            // Trivial tasks on the cooperative pool (2 threads on this machine: ten
            // blocked statements would hold them for the 10 s the statements run).
            let clock = ContinuousClock()
            var worst = 0.0
            for _ in 0..<20 {
                let start = clock.now
                _ = await Task.detached { (1...100).reduce(0, +) }.value
                worst = max(worst, Self.seconds(clock.now - start))
            }
            print("\(backend.name): slowest trivial task while 10 statements ran: \(Int(worst * 1_000_000)) µs")
            XCTAssertLessThan(worst, 1.0, "\(backend.name): the cooperative pool was blocked")
            XCTAssertEqual(engine.poolStatus.checkedOut, 10, backend.name)
            for task in slow { task.cancel() }
            for task in slow {
                let outcome = await task.result
                XCTAssertThrowsError(try outcome.get(), backend.name) { XCTAssertTrue($0 is CancellationError, "\($0)") }
            }
            XCTAssertEqual(engine.poolStatus.checkedOut, 0, backend.name)
            engine.dispose()
        }
    }

    func testTheBodyAndItsStatementsRunOnTheConnectionsThreadWithoutAHopEach() async throws {
        for backend in try backends(pool: PoolOptions(size: 2)) {
            let onThread = try await backend.engine.connect { conn -> [Bool] in
                var onThread: [Bool] = []
                for _ in 0..<3 {
                    onThread.append(conn.thread.isCurrent)
                    _ = try await conn.scalar(text("SELECT 1"), as: Int.self)
                    onThread.append(conn.thread.isCurrent)
                }
                return onThread
            }
            XCTAssertEqual(onThread, Array(repeating: true, count: 6), "\(backend.name): the body left the connection's thread")
            backend.engine.dispose()
        }
    }

    // MARK: Streaming and transactions

    func testRowsStreamWithForAwaitAcrossBatches() async throws {
        for backend in try backends(pool: PoolOptions(size: 2)) {
            let engine = backend.engine
            let n = AsyncResult.batchSize * 3 + 17
            try await engine.begin { conn in
                try await conn.execute(text("CREATE TABLE nums (id INTEGER PRIMARY KEY, label TEXT NOT NULL)"))
                try await conn.execute(text("INSERT INTO nums (id, label) VALUES (:id, :label)"),
                                       (1...n).map { ["id": $0, "label": "n\($0)"] as Parameters })
            }
            try await engine.connect { conn in
                var ids: [Int] = []
                for try await row in try await conn.execute(text("SELECT id, label FROM nums ORDER BY id")) {
                    let id: Int = try row.get("id")
                    XCTAssertEqual(try row.get("label", as: String.self), "n\(id)")
                    ids.append(id)
                }
                XCTAssertEqual(ids, Array(1...n), backend.name)

                var labels: [String] = []
                for try await label in try await conn.scalars(text("SELECT label FROM nums WHERE id <= 300 ORDER BY id"), as: String.self) {
                    labels.append(label)
                    if labels.count == 260 { break }  // past the first batch, then stop early
                }
                XCTAssertEqual(labels, (1...260).map { "n\($0)" }, backend.name)
                // The connection goes on after a result left part-read.
                let count = try await conn.scalar(text("SELECT count(*) FROM nums"), as: Int.self)
                XCTAssertEqual(count, n, backend.name)
                let last = try await conn.all(text("SELECT id FROM nums WHERE id > :k ORDER BY id"), ["k": n - 2])
                XCTAssertEqual(try last.map { try $0.get(0, as: Int.self) }, [n - 1, n], backend.name)
            }
            engine.dispose()
        }
    }

    func testBeginCommitsOnReturnAndRollsBackOnThrow() async throws {
        struct Refused: Error {}
        for backend in try backends(pool: PoolOptions(size: 2)) {
            let engine = backend.engine
            try await engine.begin { try await $0.execute(text("CREATE TABLE notes (body TEXT)")) }
            try await engine.begin { try await $0.execute(text("INSERT INTO notes (body) VALUES ('kept')")) }
            do {
                try await engine.begin { conn in
                    try await conn.execute(text("INSERT INTO notes (body) VALUES ('dropped')"))
                    throw Refused()
                }
                XCTFail("the error did not come through")
            } catch is Refused {}
            try await engine.connect { conn in
                try await conn.beginNested { try await $0.execute(text("INSERT INTO notes (body) VALUES ('nested')")) }
                _ = try? await conn.beginNested { conn -> Void in
                    try await conn.execute(text("INSERT INTO notes (body) VALUES ('undone')"))
                    throw Refused()
                }
                try await conn.commit()
            }
            let bodies = try await engine.connect {
                try await $0.scalars(text("SELECT body FROM notes ORDER BY body"), as: String.self).all()
            }
            XCTAssertEqual(bodies, ["kept", "nested"], backend.name)
            engine.dispose()
        }
    }
}

/// Counts bodies inside a region and remembers the most at once.
final class Gauge: @unchecked Sendable {  // every field is read and written under `lock`
    private let lock = NSLock()
    private var now = 0
    private var most = 0
    func enter() { lock.withLock { now += 1; most = max(most, now) } }
    func leave() { lock.withLock { now -= 1 } }
    var peak: Int { lock.withLock { most } }
}

/// A one-shot event tasks can wait for.
final class Signal: @unchecked Sendable {  // `fired` and `waiters` only under `lock`
    private let lock = NSLock()
    private var fired = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    func fire() {
        let waiting = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            fired = true
            defer { waiters = [] }
            return waiters
        }
        for w in waiting { w.resume() }
    }
    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = lock.withLock { () -> Bool in
                if fired { return true }
                waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }
}

/// A value set in one task and read in another.
final class Box<T: Sendable>: @unchecked Sendable {  // `stored` only under `lock`
    private let lock = NSLock()
    private var stored: T?
    var value: T? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
