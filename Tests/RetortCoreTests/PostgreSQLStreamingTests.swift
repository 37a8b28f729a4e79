import Foundation
import RetortTestSupport
import XCTest

@testable import RetortCore

/// A PostgreSQL query's rows stream (libpq single-row mode): the driver holds one row at
/// a time, the first row is readable while the server is still producing the rest, an
/// error part way through surfaces where it happens, a result closed early leaves the
/// connection clean, and other statements may run on the connection between rows.
/// Against the real server (see `PostgreSQLTestServer`).
final class PostgreSQLStreamingTests: XCTestCase {
    private func engine() throws -> Engine {
        try createEngine(PostgreSQLTestServer.freshDatabaseURL())
    }

    private func driverConnection(streaming: Bool = true) throws -> any DriverConnection {
        let c = try PostgreSQLDriver(url: DatabaseURL(PostgreSQLTestServer.freshDatabaseURL())).connect()
        c.setStreamsResults(streaming)
        return c
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    // MARK: Bounded memory

    func testALargeSelectIsHeldOneRowAtATime() throws {
        let c = try driverConnection()
        defer { c.close() }
        let n = 300_000
        let cursor = try c.execute("SELECT i, 'row ' || i FROM generate_series(1, \(n)) AS i", [])
        let pg = try XCTUnwrap(cursor as? PostgreSQLCursor)
        var count = 0
        var sum: Int64 = 0
        var mostHeld = pg.rowsHeld
        while try cursor.advance() {
            mostHeld = max(mostHeld, pg.rowsHeld)
            guard case .integer(let i) = cursor.value(at: 0) else { return XCTFail("row \(count + 1): \(cursor.value(at: 0))") }
            XCTAssertEqual(cursor.value(at: 1), .text("row \(i)"))
            sum += i
            count += 1
        }
        XCTAssertEqual(count, n)
        XCTAssertEqual(sum, Int64(n) * Int64(n + 1) / 2)
        XCTAssertLessThanOrEqual(mostHeld, 1, "the driver held \(mostHeld) rows at once; a streamed result holds one")
        // The connection is free again.
        XCTAssertEqual(try c.execute("SELECT 42", []).next(), [.integer(42)])
    }

    /// Streaming is asked for (SQLAlchemy's `stream_results`): by default a query's rows
    /// are read whole, which costs less per row, and a connection that streamed goes
    /// back to the pool reading whole again.
    func testRowsAreReadWholeUnlessStreamingIsAskedFor() throws {
        let c = try driverConnection(streaming: false)
        defer { c.close() }
        let whole = try XCTUnwrap(try c.execute("SELECT i FROM generate_series(1, 1000) AS i", []) as? PostgreSQLCursor)
        XCTAssertEqual(whole.rowsHeld, 1000)
        let engine = try createEngine(PostgreSQLTestServer.freshDatabaseURL(), pool: PoolOptions(size: 1))
        defer { engine.dispose() }
        try engine.connect { conn in
            conn.streamResults = true
            let driver = try XCTUnwrap(conn.currentDriverConnection)
            let streamed = try XCTUnwrap(try driver.execute("SELECT i FROM generate_series(1, 1000) AS i", []) as? PostgreSQLCursor)
            XCTAssertLessThanOrEqual(streamed.rowsHeld, 1)
            streamed.close()
        }
        try engine.connect { conn in
            XCTAssertFalse(conn.streamResults)
            let driver = try XCTUnwrap(conn.currentDriverConnection)
            let again = try XCTUnwrap(try driver.execute("SELECT i FROM generate_series(1, 1000) AS i", []) as? PostgreSQLCursor)
            XCTAssertEqual(again.rowsHeld, 1000, "the pooled connection still streamed")
        }
    }

    func testTheFirstRowIsReadWhileTheServerIsStillSendingTheRest() throws {
        // Rows 1 and 2 (100 kB each: the server flushes its 8 kB output buffer as it fills,
        // so row 1 is whole on the wire once row 2 is sent) come before row 3 sleeps 4 s.
        let sql = "SELECT i, repeat('x', 100000) AS pad, CASE WHEN i = 3 THEN pg_sleep(4) END AS nap "
            + "FROM generate_series(1, 3) AS i"
        try engine().connect { conn in
            conn.streamResults = true
            let start = ContinuousClock.now
            let result = try conn.execute(text(sql))
            let first = try XCTUnwrap(result.next())
            let firstAfter = Self.seconds(since: start)
            XCTAssertEqual(try first.get(0, as: Int.self), 1)
            XCTAssertLessThan(firstAfter, 2.5, "the first row came after \(firstAfter) s: the whole result was awaited")
            XCTAssertEqual(try result.next().map { try $0.get(0, as: Int.self) }, 2)
            XCTAssertEqual(try result.next().map { try $0.get(0, as: Int.self) }, 3)
            XCTAssertNil(try result.next())
            XCTAssertGreaterThanOrEqual(Self.seconds(since: start), 4)
        }
    }

    @available(macOS 15, *)
    func testForAwaitReadsTheFirstBatchWhileTheServerIsStillSending() async throws {
        // The first batch (AsyncResult.batchSize rows of 1 kB) is on the wire before the
        // last row sleeps 4 s.
        let rows = AsyncResult.batchSize * 2
        let sql = "SELECT i, repeat('x', 1000) AS pad, CASE WHEN i = \(rows) THEN pg_sleep(4) END AS nap "
            + "FROM generate_series(1, \(rows)) AS i"
        let engine = AsyncEngine(try engine())
        try await engine.connect { conn in
            let start = ContinuousClock.now
            var firstAfter: Double?
            var count = 0
            for try await row in try await conn.stream(text(sql)) {
                if firstAfter == nil { firstAfter = Self.seconds(since: start) }
                count += 1
                XCTAssertEqual(try row.get(0, as: Int.self), count)
            }
            XCTAssertEqual(count, rows)
            let first = try XCTUnwrap(firstAfter)
            XCTAssertLessThan(first, 2.5, "the first row came after \(first) s: the whole result was awaited")
        }
        engine.dispose()
    }

    @available(macOS 15, *)
    func testACancelledTaskStopsTheStatementItsResultStillStreams() async throws {
        // 200 000 rows at 1 ms each: minutes, were the rest read to its end. The task
        // reads a batch, then is cancelled while it waits between reads.
        let engine = AsyncEngine(try engine())
        let firstBatch = Signal()
        let task = Task {
            try await engine.connect { conn in
                var count = 0
                for try await _ in try await conn.stream(text("SELECT i, pg_sleep(0.001) FROM generate_series(1, 200000) AS i")) {
                    count += 1
                    if count == 1 { firstBatch.fire() }
                    if count == AsyncResult.batchSize { try await Task.sleep(for: .seconds(60)) }
                }
                return count
            }
        }
        await firstBatch.wait()
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        task.cancel()
        let outcome = await task.result
        let took = Self.seconds(since: start)
        XCTAssertThrowsError(try outcome.get()) { XCTAssertTrue($0 is CancellationError, "\($0)") }
        XCTAssertLessThan(took, 5, "the cancelled task took \(took) s to end: its statement was read to its end")
        // The connection went back to the pool clean: the next task gets it and works.
        XCTAssertEqual(engine.poolStatus.checkedOut, 0)
        try await engine.connect { conn in
            let stillRunning = try await conn.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(0.001)%' "
                    + "AND state = 'active' AND pid <> pg_backend_pid()"), as: Int.self)
            XCTAssertEqual(stillRunning, 0, "the cancelled statement still runs on the server")
            let nine = try await conn.scalar(text("SELECT 9"), as: Int.self)
            XCTAssertEqual(nine, 9)
        }
        engine.dispose()
    }

    @available(macOS 15, *)
    func testBreakingOutOfForAwaitLeavesTheConnectionReusable() async throws {
        let engine = AsyncEngine(try engine())
        try await engine.connect { conn in
            var count = 0
            for try await row in try await conn.stream(text("SELECT i FROM generate_series(1, 1000000) AS i")) {
                count += 1
                XCTAssertEqual(try row.get(0, as: Int.self), count)
                if count == 300 { break }
            }
            let five = try await conn.scalar(text("SELECT 5"), as: Int.self)
            XCTAssertEqual(five, 5)
            try await conn.commit()
        }
        engine.dispose()
    }

    // MARK: Errors

    func testAnErrorPartWayThroughSurfacesWhereItHappensAndTheConnectionGoesOn() throws {
        try engine().connect { conn in
            conn.streamResults = true
            let result = try conn.execute(text("SELECT 100000 / (20001 - i) AS q FROM generate_series(1, 40000) AS i"))
            var read = 0
            do {
                while let row = try result.next() {
                    read += 1
                    XCTAssertEqual(try row.get(0, as: Int.self), 100000 / (20001 - read))
                }
                XCTFail("the division by zero at row 20001 was not raised")
            } catch let error as DataError {
                XCTAssertEqual(error.code, "22012", "\(error)")
                XCTAssertTrue(error.message.contains("division by zero"), error.message)
            }
            XCTAssertGreaterThan(read, 0, "no row came before the error: the result was read whole")
            XCTAssertLessThanOrEqual(read, 20000)
            // The failed statement aborted the transaction; after a rollback the connection works.
            try conn.rollback()
            XCTAssertEqual(try conn.scalar(text("SELECT 7"), as: Int.self), 7)
        }
    }

    // MARK: The connection between rows

    func testClosingEarlyInsideATransactionLeavesItUsableAndCommitsWhatItDid() throws {
        let engine = try engine()
        try engine.begin { try $0.execute(text("CREATE TABLE marks (id integer PRIMARY KEY)")) }
        try engine.connect { conn in
            conn.streamResults = true
            try conn.execute(text("INSERT INTO marks (id) VALUES (1)"))
            let big = try conn.execute(text("SELECT i FROM generate_series(1, 500000) AS i"))
            for _ in 0..<10 { _ = try big.next() }
            big.close()
            // An abandoned result that is simply dropped, too.
            do {
                let dropped = try conn.execute(text("SELECT i FROM generate_series(1, 100000) AS i"))
                _ = try dropped.next()
            }
            try conn.execute(text("INSERT INTO marks (id) VALUES (2)"))
            XCTAssertEqual(try conn.scalar(text("SELECT count(*) FROM marks"), as: Int.self), 2)
            try conn.commit()
        }
        let ids = try engine.connect { try $0.scalars(text("SELECT id FROM marks ORDER BY id"), as: Int.self).all() }
        XCTAssertEqual(ids, [1, 2])
    }

    func testOtherStatementsMayRunBetweenRowsAndTheRestIsStillRead() throws {
        let engine = try engine()
        try engine.begin { try $0.execute(text("CREATE TABLE seen (n integer NOT NULL)")) }
        try engine.connect { conn in
            conn.streamResults = true
            let n = 3000
            let outer = try conn.execute(text("SELECT i FROM generate_series(1, \(n)) AS i"))
            var read: [Int] = []
            while let row = try outer.next() {
                let i = try row.get(0, as: Int.self)
                read.append(i)
                if i == 5 {
                    // A query, a command and a pipelined executemany on the same connection.
                    XCTAssertEqual(try conn.scalar(text("SELECT count(*) FROM seen"), as: Int.self), 0)
                    try conn.execute(text("INSERT INTO seen (n) VALUES (0)"))
                    try conn.execute(text("INSERT INTO seen (n) VALUES (:n)"), (1...1500).map { ["n": $0] })
                }
            }
            XCTAssertEqual(read, Array(1...n))
            XCTAssertEqual(try conn.scalar(text("SELECT count(*) FROM seen"), as: Int.self), 1501)
            XCTAssertEqual(try conn.scalar(text("SELECT sum(n) FROM seen"), as: Int.self), 1500 * 1501 / 2)
            try conn.commit()
        }
    }

    func testAPipelinedInsertReturningAfterAStreamedQueryHandsBackEveryRow() throws {
        // libpq keeps the single-row mode of a streamed query for the next statement it
        // sends in pipeline mode: that statement's rows then arrive one result each.
        let c = try driverConnection()
        defer { c.close() }
        try c.executeCommand("CREATE TABLE p (id serial PRIMARY KEY, n text NOT NULL)")
        for round in 1...3 {
            let cursor = try c.execute("SELECT i FROM generate_series(1, 3) AS i", [])
            while try cursor.next() != nil {}
            var returned: [Int: [SQLValue]] = [:]
            let affected = try c.executeManyReturning(
                "INSERT INTO p (n) VALUES ($1) RETURNING id, n", count: 4,
                fill: { i, values in values = [.text("r\(round)-\(i)")] },
                row: { i, values in returned[i] = values })
            XCTAssertEqual(affected, 4, "round \(round)")
            XCTAssertEqual(returned.keys.sorted(), [0, 1, 2, 3], "round \(round)")
            XCTAssertEqual(returned[3]?[1], .text("r\(round)-3"), "round \(round)")
            var counted: [Int: Int] = [:]
            let cursor2 = try c.execute("SELECT n FROM p", [])
            _ = try cursor2.next()
            let updated = try c.executeManyCounted("UPDATE p SET n = n || '!' WHERE n = $1", count: 2,
                                                   fill: { i, values in values = [.text("r\(round)-\(i)")] },
                                                   counted: { i, n in counted[i] = n })
            XCTAssertEqual(updated, 2, "round \(round)")
            XCTAssertEqual(counted, [0: 1, 1: 1], "round \(round)")
            cursor2.close()
        }
        XCTAssertEqual(try c.execute("SELECT count(*) FROM p", []).next(), [.integer(12)])
    }

    func testTwoResultsReadInTurnOnOneConnection() throws {
        try engine().connect { conn in
            conn.streamResults = true
            let a = try conn.execute(text("SELECT i FROM generate_series(1, 1000) AS i"))
            let b = try conn.execute(text("SELECT -i FROM generate_series(1, 1000) AS i"))
            var pairs = 0
            while let x = try a.next(), let y = try b.next() {
                XCTAssertEqual(try x.get(0, as: Int.self), -(try y.get(0, as: Int.self)))
                pairs += 1
            }
            XCTAssertEqual(pairs, 1000)
        }
    }

    // MARK: What streams

    func testOnlyStatementsThatOnlyReadAreStreamed() throws {
        let queries = [
            "SELECT 1", "  select * from t", "(SELECT 1) UNION (SELECT 2)", "VALUES (1), (2)", "TABLE t",
            "WITH x AS (SELECT 1) SELECT * FROM x", "WITH updated_at AS (SELECT 1 AS deleted_flag) SELECT * FROM updated_at",
        ]
        let others = [
            "INSERT INTO t VALUES (1) RETURNING id", "UPDATE t SET a = 1 RETURNING a", "DELETE FROM t RETURNING *",
            "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "with x as (select 1) insert into t select * from x returning *",
            "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DO NOTHING", "SHOW search_path", "",
        ]
        for sql in queries { XCTAssertTrue(PostgreSQLConnection.isQuery(sql), sql) }
        for sql in others { XCTAssertFalse(PostgreSQLConnection.isQuery(sql), sql) }
    }

    func testRowsAffectedOfAWritingCTEWithReturningIsStillKnown() throws {
        try engine().connect { conn in
            conn.streamResults = true
            try conn.execute(text("CREATE TABLE w (id integer PRIMARY KEY)"))
            try conn.execute(text("INSERT INTO w SELECT generate_series(1, 5)"))
            let result = try conn.execute(text("WITH gone AS (DELETE FROM w WHERE id > 2 RETURNING id) SELECT id FROM gone ORDER BY id"))
            XCTAssertEqual(try result.all().map { try $0.get(0, as: Int.self) }, [3, 4, 5])
            XCTAssertEqual(try conn.scalar(text("SELECT count(*) FROM w"), as: Int.self), 2)
            let returning = try conn.execute(text("UPDATE w SET id = id + 10 RETURNING id"))
            XCTAssertEqual(returning.rowCount, 2)
        }
    }
}
