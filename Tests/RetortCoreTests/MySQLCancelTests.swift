import Foundation
import RetortTestSupport
import XCTest

@testable import RetortCore

/// The MySQL driver's `cancel()` (`KILL QUERY` from a second connection) against the
/// real MariaDB server, below the async API: what it stops, and what it leaves alone.
final class MySQLCancelTests: XCTestCase {
    func testCancelStopsTheRunningStatementOnlyAndTheSessionGoesOn() throws {
        let engine = try createEngine(MariaDBTestServer.freshDatabaseURL(), pool: PoolOptions(size: 1, maxOverflow: 0))
        defer { engine.dispose() }
        try engine.connect { conn in
            try conn.execute(text("CREATE TEMPORARY TABLE mine (x INTEGER)"))
            let session = try conn.scalar(text("SELECT CONNECTION_ID()"), as: Int.self)
            let driver = CancelHandle(try XCTUnwrap(conn.currentDriverConnection))
            let started = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                started.wait()
                Thread.sleep(forTimeInterval: 0.3)
                driver.connection.cancel()
            }
            let clock = ContinuousClock()
            let start = clock.now
            started.signal()
            XCTAssertThrowsError(try conn.execute(text("SELECT SLEEP(10)")).all()) { error in
                guard let error = error as? OperationalError else { return XCTFail("not an OperationalError: \(error)") }
                XCTAssertEqual(error.kind, .timeout)
                XCTAssertEqual(error.code, "1317", error.message)
            }
            let elapsed = clock.now - start
            XCTAssertLessThan(elapsed, .seconds(3), "SLEEP(10) was not stopped")
            // The same session, with its temporary table: only the statement was killed.
            XCTAssertEqual(try conn.scalar(text("SELECT CONNECTION_ID()"), as: Int.self), session)
            XCTAssertEqual(try conn.scalar(text("SELECT count(*) FROM mine"), as: Int.self), 0)
        }
    }

    func testACancelThatFindsNoStatementRunningStopsNothingLater() throws {
        let engine = try createEngine(MariaDBTestServer.freshDatabaseURL(), pool: PoolOptions(size: 1, maxOverflow: 0))
        defer { engine.dispose() }
        try engine.connect { conn in
            _ = try conn.scalar(text("SELECT 1"), as: Int.self)
            // The KILL arrives between statements (a cancel that came too late).
            try XCTUnwrap(conn.currentDriverConnection).cancel()
            XCTAssertEqual(try conn.scalar(text("SELECT SLEEP(0.2) + 7"), as: Int.self), 7)
        }
    }
}

/// A driver connection handed to another thread for `cancel()`, the one method made to
/// be called from there (see ``DriverConnection/cancel()``): hence `@unchecked Sendable`.
private final class CancelHandle: @unchecked Sendable {
    let connection: any DriverConnection
    init(_ connection: any DriverConnection) { self.connection = connection }
}
