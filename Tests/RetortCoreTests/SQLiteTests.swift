import CSQLite
import Foundation
import RetortCore
import XCTest
import RetortTestSupport

final class SQLiteTests: XCTestCase {
    func testMemoryEngineSharesOneConnection() throws {
        for url in ["sqlite://", "sqlite:///:memory:"] {
            let engine = try createEngine(url)
            XCTAssertEqual(engine.poolOptions.size, 1)
            XCTAssertEqual(engine.poolOptions.maxOverflow, 0)
            try engine.begin { try $0.execute(text("CREATE TABLE t (x INTEGER)")) }
            try engine.begin { try $0.execute(text("INSERT INTO t VALUES (7)")) }
            XCTAssertEqual(try engine.connect { try $0.scalar(text("SELECT x FROM t"), as: Int.self) }, 7)
            // The same thread asking twice gets an immediate, clear error instead of a hang.
            let held = try engine.connect()
            let error = assertThrows(InterfaceError.self) { try engine.connect() }
            XCTAssertEqual(error?.kind, .poolExhausted)
            XCTAssertTrue(error?.message.contains("in-memory SQLite") ?? false)
            held.close()
            XCTAssertEqual(try engine.connect { try $0.scalar(text("SELECT x FROM t"), as: Int.self) }, 7)
        }
    }

    func testForeignKeysOnByDefaultAndLastInsertRowID() throws {
        let engine = try createEngine(temporarySQLiteURL())
        try engine.begin { conn in
            XCTAssertEqual(try conn.scalar(text("PRAGMA foreign_keys"), as: Int.self), 1)
            try conn.execute(text("CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT)"))
            let r = try conn.execute(text("INSERT INTO a (name) VALUES ('x')"))
            XCTAssertEqual(r.lastInsertRowID, 1)
            XCTAssertEqual(r.rowCount, 1)
        }
        let off = try createEngine(temporarySQLiteURL() + "?foreign_keys=off")
        XCTAssertEqual(try off.connect { try $0.scalar(text("PRAGMA foreign_keys"), as: Int.self) }, 0)
    }

    func testWALAndReadOnlyModes() throws {
        let url = temporarySQLiteURL()
        let wal = try createEngine(url + "?journal_mode=wal")
        XCTAssertEqual(try wal.connect { try $0.scalar(text("PRAGMA journal_mode"), as: String.self) }, "wal")
        try wal.begin { try $0.execute(text("CREATE TABLE t (x INTEGER)")) }
        let ro = try createEngine(url + "?mode=ro")
        let error = assertThrows(OperationalError.self) {
            try ro.begin { try $0.execute(text("INSERT INTO t VALUES (1)")) }
        }
        XCTAssertEqual(error?.kind, .readOnly)
    }

    func testMissingDirectoryIsOneActionableLine() throws {
        let engine = try createEngine("sqlite:////nonexistent-dir-\(UUID().uuidString)/app.db")
        let error = assertThrows(OperationalError.self) { try engine.connect() }
        XCTAssertEqual(error?.kind, .cannotConnect)
        XCTAssertTrue(error?.message.contains("does not exist; create it first") ?? false, error?.message ?? "")
        XCTAssertFalse(error?.message.contains("\n") ?? true)
    }

    func testLockedDatabaseIsOperationalError() throws {
        let url = temporarySQLiteURL()
        let holder = try createEngine(url)
        let waiter = try createEngine(url + "?timeout=0.1")
        try holder.begin { try $0.execute(text("CREATE TABLE t (x INTEGER)")) }
        let conn = try holder.connect()
        try conn.execute(text("INSERT INTO t VALUES (1)"))  // holds the write lock
        let error = assertThrows(OperationalError.self) {
            try waiter.begin { try $0.execute(text("INSERT INTO t VALUES (2)")) }
        }
        XCTAssertEqual(error?.kind, .locked)
        XCTAssertTrue(error?.message.contains("timeout=") ?? false)
        conn.close()
    }

    func testNULAndInvalidUTF8() throws {
        let engine = try createEngine(temporarySQLiteURL())
        try engine.connect { conn in
            try conn.execute(text("CREATE TABLE t (s TEXT)"))
            let withNUL = "before\u{0}after"
            try conn.execute(text("INSERT INTO t VALUES (:s)"), ["s": withNUL])
            XCTAssertEqual(try conn.scalar(text("SELECT s FROM t"), as: String.self), withNUL)
            XCTAssertEqual(try conn.scalar(text("SELECT length(CAST(s AS BLOB)) FROM t"), as: Int.self), 12)
            try conn.execute(text("DELETE FROM t"))
            // Bytes that are not UTF-8, stored as TEXT behind our back.
            try conn.execute(text("INSERT INTO t VALUES (CAST(X'FFFE41' AS TEXT))"))
            let value = try conn.execute(text("SELECT s FROM t")).one()[0]
            XCTAssertEqual(value, .blob(Data([0xFF, 0xFE, 0x41])), "not silently repaired")
            let error = assertThrows(DataError.self) { try conn.scalar(text("SELECT s FROM t"), as: String.self) }
            XCTAssertTrue(error?.message.contains("not valid UTF-8") ?? false)
        }
    }

    func testMoreBindParametersThanSQLiteAllows() throws {
        let engine = try createEngine("sqlite://")
        try engine.connect { conn in
            // Debian builds SQLite with a limit of 250000 (the upstream default is 32766).
            let n = 250_001
            let sql = "SELECT 1 WHERE 1 IN (" + (0..<n).map { ":p\($0)" }.joined(separator: ", ") + ")"
            var params: Parameters = [:]
            for i in 0..<n { params["p\(i)"] = 1 }
            let error = assertThrows(InterfaceError.self) { try conn.execute(text(sql), params) }
            XCTAssertEqual(error?.kind, .tooManyParameters)
            XCTAssertNotNil(error?.message.range(of: #"SQLite allows at most \d+ per statement"#, options: .regularExpression),
                            error?.message ?? "")
        }
    }

    func testOneStatementAtATimeAndEmptySQL() throws {
        let engine = try createEngine("sqlite://")
        try engine.connect { conn in
            let two = assertThrows(ProgrammingError.self) { try conn.execute(text("SELECT 1; SELECT 2")) }
            XCTAssertTrue(two?.message.contains("one statement") ?? false)
            XCTAssertEqual(try conn.scalar(text("SELECT 1; -- trailing comment"), as: Int.self), 1)
            assertThrows(ProgrammingError.self) { try conn.execute(text("   ")) }
        }
    }

    func testStatementCacheReusesAndSurvivesOverlappingCursors() throws {
        let engine = try createEngine("sqlite://")
        try engine.connect { conn in
            try conn.execute(text("CREATE TABLE t (x INTEGER)"))
            try conn.execute(text("INSERT INTO t VALUES (:x)"), (1...3).map { ["x": $0] })
            let q = text("SELECT x FROM t ORDER BY x")
            // Two live cursors over the same SQL: the second must not disturb the first.
            let r1 = try conn.execute(q)
            XCTAssertEqual(try r1.next()?[0], 1)
            let r2 = try conn.execute(q)
            XCTAssertEqual(try r2.scalars(Int.self).all(), [1, 2, 3])
            XCTAssertEqual(try r1.scalars(Int.self).all(), [2, 3])
            for _ in 0..<3 { XCTAssertEqual(try conn.execute(q).scalars(Int.self).all(), [1, 2, 3]) }
        }
    }

    func testReadingAfterTheConnectionClosedIsAnError() throws {
        let engine = try createEngine(temporarySQLiteURL())
        try engine.begin { conn in
            try conn.execute(text("CREATE TABLE t (x INTEGER)"))
            try conn.execute(text("INSERT INTO t VALUES (:x)"), (1...3).map { ["x": $0] })
        }
        let result = try engine.connect { conn in try conn.execute(text("SELECT x FROM t")) }
        // The cursor belonged to a connection that has gone back to the pool (and may
        // already serve another thread): reading it is refused, not raced.
        let error = assertThrows(InterfaceError.self) { try result.all() }
        XCTAssertEqual(error?.kind, .closed)
        XCTAssertEqual(try engine.connect { try $0.scalar(text("SELECT count(*) FROM t"), as: Int.self) }, 3)
    }

    func testDataErrorFromDatatypeMismatch() throws {
        let engine = try createEngine("sqlite://")
        try engine.connect { conn in
            try conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
            let e = assertThrows(DataError.self) { try conn.execute(text("INSERT INTO t VALUES ('abc')")) }
            XCTAssertEqual(e?.code, "20")
        }
    }
}
