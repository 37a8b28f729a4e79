import Foundation
import RetortCore
import RetortTestSupport
import XCTest

final class PoolTests: XCTestCase {
    /// A TEMP table lives only as long as its connection: a cheap way to tell connections apart.
    private func sameConnection(_ engine: Engine) throws -> Bool {
        try engine.connect { conn in
            try conn.scalar(text("SELECT count(*) FROM marker"), as: Int.self) == 0
        }
    }

    func testRecycleReplacesOldConnections() throws {
        let engine = try createEngine(temporarySQLiteURL(), pool: PoolOptions(size: 1, recycle: 0.05))
        try engine.connect { conn in
            try conn.setIsolationLevel(.autocommit)
            try conn.execute(text("CREATE TEMP TABLE marker (x INTEGER)"))
        }
        XCTAssertTrue(try sameConnection(engine), "reused while young")
        Thread.sleep(forTimeInterval: 0.1)
        let error = assertThrows(ProgrammingError.self) { try sameConnection(engine) }
        XCTAssertEqual(error?.kind, .undefinedTable, "a recycled connection is a new one")
    }

    func testDisposeClosesIdleConnectionsAndEngineStaysUsable() throws {
        let engine = try createEngine(temporarySQLiteURL())
        try engine.connect { conn in
            try conn.setIsolationLevel(.autocommit)
            try conn.execute(text("CREATE TEMP TABLE marker (x INTEGER)"))
        }
        XCTAssertEqual(engine.poolStatus.idle, 1)
        engine.dispose()
        XCTAssertEqual(engine.poolStatus.idle, 0)
        XCTAssertEqual(assertThrows(ProgrammingError.self) { try sameConnection(engine) }?.kind, .undefinedTable)
    }

    func testPrePingReplacesATerminatedPostgresConnection() throws {
        let url = try PostgreSQLTestServer.freshDatabaseURL()
        let engine = try createEngine(url, pool: PoolOptions(size: 2, prePing: true))
        defer { engine.dispose() }
        let pid = try engine.connect { try $0.scalar(text("SELECT pg_backend_pid()"), as: Int.self) }
        XCTAssertEqual(engine.poolStatus.idle, 1)
        // The pooled connection is idle; another engine's connection kills it.
        let killer = try createEngine(url)
        defer { killer.dispose() }
        try killer.connect { conn in
            XCTAssertEqual(try conn.scalar(text("SELECT pg_terminate_backend(:pid)"), ["pid": pid], as: Bool.self), true)
        }
        Thread.sleep(forTimeInterval: 0.1)
        // Checkout pings, finds the dead connection, and hands out a fresh one.
        let again = try engine.connect { conn in
            try conn.scalar(text("SELECT pg_backend_pid()"), as: Int.self)
        }
        XCTAssertNotEqual(again, pid)
    }

    func testLostPostgresConnectionIsReportedThenRecovered() throws {
        let engine = try createEngine(PostgreSQLTestServer.freshDatabaseURL(), pool: PoolOptions(size: 2))
        defer { engine.dispose() }
        let conn = try engine.connect()
        defer { conn.close() }
        let pid = try conn.scalar(text("SELECT pg_backend_pid()"), as: Int.self)
        try engine.connect { killer in  // a second pooled connection: `conn` is still checked out
            XCTAssertNotEqual(try killer.scalar(text("SELECT pg_backend_pid()"), as: Int.self), pid)
            _ = try killer.execute(text("SELECT pg_terminate_backend(:pid)"), ["pid": pid])
        }
        Thread.sleep(forTimeInterval: 0.1)
        let lost = assertThrows(OperationalError.self) { try conn.execute(text("SELECT 1")) }
        XCTAssertEqual(lost?.kind, .connectionLost)
        let stuck = assertThrows(InterfaceError.self) { try conn.execute(text("SELECT 1")) }
        XCTAssertTrue(stuck?.message.contains("call rollback()") ?? false)
        try conn.rollback()
        XCTAssertNotEqual(try conn.scalar(text("SELECT pg_backend_pid()"), as: Int.self), pid)
    }

    func testPostgresConnectionFailuresAreOneLine() throws {
        // Nothing listens on this port.
        let down = try createEngine("postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2")
        let error = assertThrows(OperationalError.self) { try down.connect() }
        XCTAssertEqual(error?.kind, .cannotConnect)
        XCTAssertFalse(error?.message.contains("\n") ?? true, error?.message ?? "")

        guard let wrong = try PostgreSQLTestServer.passwordURL(password: "wrong-password") else {
            throw XCTSkip("password authentication needs the throwaway server")
        }
        let auth = assertThrows(OperationalError.self) { try createEngine(wrong).connect() }
        XCTAssertEqual(auth?.kind, .authenticationFailed)
        XCTAssertFalse(auth?.message.contains("wrong-password") ?? true)
        XCTAssertFalse(auth?.message.contains("\n") ?? true, auth?.message ?? "")
        let right = try XCTUnwrap(PostgreSQLTestServer.passwordURL(password: "s3cret"))
        XCTAssertEqual(try createEngine(right).connect { try $0.scalar(text("SELECT 1"), as: Int.self) }, 1)
    }
}
