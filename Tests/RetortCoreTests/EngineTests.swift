import Foundation
import Logging
import RetortCore
import XCTest
import RetortTestSupport

/// Picks the DDL spelling for the engine's database (the type compiler is not needed
/// for these driver-level tests).
func ddl(_ engine: Engine, sqlite: String, postgresql: String) -> TextClause {
    text(engine.dialect.name == "sqlite" ? sqlite : postgresql)
}

final class EngineTests: XCTestCase {
    func testEveryValueKindRoundTrips() throws {
        // Not on MySQL: raw SQLite/PostgreSQL DDL; MySQLDriverTests covers the same on MariaDB.
        try forEachBackend(includeMySQL: false) { engine in
            try engine.begin { conn in
                try conn.execute(ddl(engine,
                    sqlite: "CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, f BOOLEAN, d NUMERIC, ts TIMESTAMP, u CHAR(36), n TEXT)",
                    postgresql: "CREATE TABLE v (id SERIAL PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT, b BYTEA, f BOOLEAN, d NUMERIC(30,10), ts TIMESTAMPTZ, u UUID, n TEXT)"))
            }
            let when = Date(timeIntervalSince1970: 1_795_262_400.25)
            let id = UUID()
            let amount = Decimal(string: "12345678901234567890.0123456789")!
            let weird = "O'Brien \"quoted\" -- ; \\ back\\slash ünïcödé 🎉 中文"
            try engine.begin { conn in
                try conn.execute(
                    text("INSERT INTO v (i, r, t, b, f, d, ts, u, n) VALUES (:i, :r, :t, :b, :f, :d, :ts, :u, :n)"),
                    ["i": Int64.max, "r": 3.25, "t": weird, "b": Data([0, 1, 2, 255]), "f": true, "d": amount,
                     "ts": when, "u": id, "n": nil])
            }
            let row = try engine.connect { conn in
                try conn.execute(text("SELECT i, r, t, b, f, d, ts, u, n FROM v")).one()
            }
            XCTAssertEqual(try row.get("i", as: Int64.self), Int64.max)
            XCTAssertEqual(try row.get("r", as: Double.self), 3.25)
            XCTAssertEqual(try row.get("t", as: String.self), weird)
            XCTAssertEqual(try row.get("b", as: Data.self), Data([0, 1, 2, 255]))
            XCTAssertEqual(try row.get("f", as: Bool.self), true)
            if engine.dialect.name == "sqlite" {
                // A Decimal is a number; SQLite keeps a fraction to a double's precision (see SQLType.numeric).
                XCTAssertEqual(Double(try row.get("d", as: Decimal.self).description), Double(amount.description))
            } else {
                XCTAssertEqual(try row.get("d", as: Decimal.self), amount, engine.dialect.name)
            }
            XCTAssertEqual(try row.get("ts", as: Date.self), when, engine.dialect.name)
            XCTAssertEqual(try row.get("u", as: UUID.self), id)
            XCTAssertNil(try row.get("n", as: String?.self))
            XCTAssertEqual(row["n"], .null)
            XCTAssertNil(row["missing"])
            let missing = assertThrows(InterfaceError.self) { try row.get("nope", as: Int.self) }
            XCTAssertTrue(missing?.message.contains("its columns are: i, r, t") ?? false)
        }
    }

    func testCommitAsYouGoAndEngineBegin() throws {
        try forEachBackend { engine in
            try engine.begin { try $0.execute(text("CREATE TABLE t (x INTEGER)")) }
            let conn = try engine.connect()
            try conn.execute(text("INSERT INTO t VALUES (1)"))
            XCTAssertTrue(conn.inTransaction)
            try conn.commit()
            XCTAssertFalse(conn.inTransaction)
            try conn.execute(text("INSERT INTO t VALUES (2)"))
            try conn.rollback()
            try conn.commit()  // nothing open: a no-op, like SQLAlchemy
            XCTAssertEqual(try conn.scalar(text("SELECT count(*) FROM t"), as: Int.self), 1)
            conn.close()

            struct Boom: Error {}
            XCTAssertThrowsError(try engine.begin { conn in
                try conn.execute(text("INSERT INTO t VALUES (3)"))
                throw Boom()
            }) { XCTAssertTrue($0 is Boom) }
            // Uncommitted work is rolled back when a connection closes.
            try engine.connect { conn in _ = try conn.execute(text("INSERT INTO t VALUES (4)")) }
            XCTAssertEqual(try engine.connect { try $0.scalars(text("SELECT x FROM t"), as: Int.self).all() }, [1])
        }
    }

    func testSavepointRollbackKeepsOuterTransaction() throws {
        try forEachBackend { engine in
            try engine.begin { try $0.execute(text("CREATE TABLE t (x INTEGER)")) }
            try engine.connect { conn in
                try conn.execute(text("INSERT INTO t VALUES (1)"))
                let outer = try conn.beginNested()
                try conn.execute(text("INSERT INTO t VALUES (2)"))
                let inner = try conn.beginNested()
                try conn.execute(text("INSERT INTO t VALUES (3)"))
                try inner.rollback()
                XCTAssertTrue(conn.inNestedTransaction)
                try outer.commit()
                XCTAssertFalse(conn.inNestedTransaction)
                struct Boom: Error {}
                XCTAssertThrowsError(try conn.beginNested { conn in
                    try conn.execute(text("INSERT INTO t VALUES (4)"))
                    throw Boom()
                })
                XCTAssertTrue(conn.inTransaction)
                try conn.commit()
                let stale = assertThrows(InterfaceError.self) { try outer.rollback() }
                XCTAssertEqual(stale?.kind, .noTransaction)
            }
            XCTAssertEqual(try engine.connect { try $0.scalars(text("SELECT x FROM t ORDER BY x"), as: Int.self).all() }, [1, 2])
        }
    }

    func testExplicitBeginRefusesWhenOpen() throws {
        try forEachBackend { engine in
            try engine.connect { conn in
                let tx = try conn.begin()
                XCTAssertTrue(tx.isActive)
                assertThrows(InterfaceError.self) { try conn.begin() }
                try tx.rollback()
                XCTAssertFalse(tx.isActive)
                assertThrows(InterfaceError.self) { try tx.commit() }
            }
        }
    }

    func testPoolExhaustionTimesOut() throws {
        try forEachBackend(pool: PoolOptions(size: 1, maxOverflow: 1, timeout: 0.3)) { engine in
            let a = try engine.connect()
            let b = try engine.connect()
            _ = try a.execute(text("SELECT 1"))
            _ = try b.execute(text("SELECT 1"))
            let start = Date()
            let error = assertThrows(InterfaceError.self) { try engine.connect() }
            XCTAssertEqual(error?.kind, .poolExhausted)
            XCTAssertTrue(error?.message.contains("size 1 and overflow 1") ?? false, error?.message ?? "")
            XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.29)
            b.close()
            XCTAssertEqual(engine.poolStatus.checkedOut, 1)
            let c = try engine.connect()  // b's slot is free again
            _ = try c.execute(text("SELECT 1"))
            a.close()
            c.close()
            XCTAssertEqual(engine.poolStatus.checkedOut, 0)
            XCTAssertEqual(engine.poolStatus.idle, 1, "the overflow connection is closed on return")
        }
    }

    func testConcurrentUseFromEightThreads() throws {
        try forEachBackend(pool: PoolOptions(size: 5, maxOverflow: 10, timeout: 30)) { engine in
            try engine.begin { try $0.execute(text("CREATE TABLE hits (thread INTEGER, n INTEGER)")) }
            let failures = LockedBox<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                for n in 0..<40 {
                    do {
                        try engine.begin { conn in
                            try conn.execute(text("INSERT INTO hits VALUES (:t, :n)"), ["t": thread, "n": n])
                        }
                    } catch {
                        failures.mutate { $0.append("\(error)") }
                    }
                }
            }
            XCTAssertEqual(failures.value, [])
            XCTAssertEqual(try engine.connect { try $0.scalar(text("SELECT count(*) FROM hits"), as: Int.self) }, 320)
            let status = engine.poolStatus
            XCTAssertEqual(status.checkedOut, 0, "\(status)")
            XCTAssertLessThanOrEqual(status.idle, 5, "\(status)")
            XCTAssertGreaterThanOrEqual(status.idle, 1, "\(status)")
        }
    }

    func testMisuseIsATypedError() throws {
        try forEachBackend { engine in
            let conn = try engine.connect()
            try conn.execute(text("CREATE TABLE t (a INTEGER, b INTEGER)"))
            let missing = assertThrows(InterfaceError.self) {
                try conn.execute(text("INSERT INTO t VALUES (:a, :b)"), ["a": 1])
            }
            XCTAssertEqual(missing?.kind, .missingParameter)
            XCTAssertTrue(missing?.message.contains("'b'") ?? false)
            let extra = assertThrows(InterfaceError.self) {
                try conn.execute(text("INSERT INTO t VALUES (:a, :b)"), ["a": 1, "b": 2, "c": 3])
            }
            XCTAssertEqual(extra?.kind, .unexpectedParameter)
            XCTAssertTrue(extra?.message.contains("'c'") ?? false)
            let twice = assertThrows(InterfaceError.self) {
                try conn.execute(text("INSERT INTO t VALUES (:a, :b)"), ["a": 1, "b": 2, "a": 3])
            }
            XCTAssertTrue(twice?.message.contains("'a' given more than once") ?? false, twice?.message ?? "")
            conn.close()
            conn.close()  // closing twice is fine
            let closed = assertThrows(InterfaceError.self) { try conn.execute(text("SELECT 1")) }
            XCTAssertEqual(closed?.kind, .closed)
            assertThrows(InterfaceError.self) { try conn.commit() }
        }
    }

    func testResultReading() throws {
        try forEachBackend { engine in
            try engine.begin { conn in
                try conn.execute(text("CREATE TABLE a (id INTEGER PRIMARY KEY, name VARCHAR(20))"))
                let inserted = try conn.execute(text("INSERT INTO a (id, name) VALUES (:id, :name)"),
                                                (1...5).map { (i: Int) -> Parameters in ["id": i, "name": "n" + String(i)] })
                XCTAssertEqual(inserted.rowCount, 5)
                XCTAssertFalse(inserted.returnsRows)
            }
            try engine.connect { conn in
                let result = try conn.execute(text("SELECT id, name FROM a ORDER BY id"))
                XCTAssertEqual(result.columns, ["id", "name"])
                var seen: [Int] = []
                while let row = try result.next() { seen.append(try row.get(0)) }
                XCTAssertEqual(seen, [1, 2, 3, 4, 5])
                XCTAssertNil(try result.next())

                XCTAssertEqual(try conn.execute(text("SELECT name FROM a ORDER BY id")).first()?[0], "n1")
                XCTAssertEqual(try conn.execute(text("SELECT name FROM a WHERE id = :i"), ["i": 3]).one()["name"], "n3")
                XCTAssertNil(try conn.execute(text("SELECT name FROM a WHERE id = 99")).oneOrNil())
                XCTAssertEqual(assertThrows(InterfaceError.self) { try conn.execute(text("SELECT name FROM a")).one() }?.kind,
                               .multipleRows)
                XCTAssertEqual(assertThrows(InterfaceError.self) { try conn.execute(text("SELECT name FROM a WHERE id = 0")).one() }?.kind,
                               .noRows)
                XCTAssertEqual(try conn.scalars(text("SELECT name FROM a WHERE id > 3 ORDER BY id"), as: String.self).all(), ["n4", "n5"])
                XCTAssertEqual(try conn.execute(text("SELECT id, name FROM a WHERE id = 2")).mappings().one(),
                               ["id": .integer(2), "name": .text("n2")])
                XCTAssertNil(try conn.scalar(text("SELECT name FROM a WHERE id = 0"), as: String?.self))
                let updated = try conn.execute(text("UPDATE a SET name = 'x' WHERE id <= :n"), ["n": 2])
                XCTAssertEqual(updated.rowCount, 2)
                let returning = try conn.execute(text("DELETE FROM a WHERE id >= 4 RETURNING id"))
                XCTAssertEqual(try returning.scalars(Int.self).all().sorted(), [4, 5])
                XCTAssertEqual(returning.rowCount, 2)
                var streamed = 0
                try conn.execute(text("SELECT id FROM a")).forEach { _ in streamed += 1 }
                XCTAssertEqual(streamed, 3)
            }
        }
    }

    func testIntegrityErrorFamilies() throws {
        // Not on MySQL: raw SQLite/PostgreSQL DDL; MySQLDriverTests covers the same on MariaDB.
        try forEachBackend(includeMySQL: false) { engine in
            try engine.begin { conn in
                try conn.execute(text("CREATE TABLE p (id INTEGER PRIMARY KEY, email VARCHAR(50) CONSTRAINT uq_p_email UNIQUE)"))
                try conn.execute(text("CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER NOT NULL CONSTRAINT fk_c_p REFERENCES p(id), n INTEGER CONSTRAINT ck_c_n_positive CHECK (n > 0))"))
                try conn.execute(text("INSERT INTO p VALUES (1, 'a@x')"))
            }
            try engine.connect { conn in
                let unique = assertThrows(IntegrityError.self) { try conn.execute(text("INSERT INTO p VALUES (2, 'a@x')")) }
                XCTAssertEqual(unique?.kind, .unique)
                XCTAssertNotNil(unique?.sql)
                XCTAssertNotNil(unique?.code)
                if engine.dialect.name == "postgresql" {
                    XCTAssertEqual(unique?.constraintName, "uq_p_email")
                } else {
                    XCTAssertEqual(unique?.columnNames, ["email"])
                }
                try conn.rollback()
                let fk = assertThrows(IntegrityError.self) { try conn.execute(text("INSERT INTO c VALUES (1, 42, 1)")) }
                XCTAssertEqual(fk?.kind, .foreignKey)
                try conn.rollback()
                let notNull = assertThrows(IntegrityError.self) { try conn.execute(text("INSERT INTO c (id, n) VALUES (1, 1)")) }
                XCTAssertEqual(notNull?.kind, .notNull)
                try conn.rollback()
                let check = assertThrows(IntegrityError.self) { try conn.execute(text("INSERT INTO c VALUES (1, 1, -5)")) }
                XCTAssertEqual(check?.kind, .check)
                XCTAssertEqual(check?.constraintName, "ck_c_n_positive")
                try conn.rollback()
                // The connection is still usable after rolling back.
                XCTAssertEqual(try conn.scalar(text("SELECT count(*) FROM p"), as: Int.self), 1)
            }
        }
    }

    func testProgrammingAndDataErrors() throws {
        try forEachBackend { engine in
            try engine.connect { conn in
                let syntax = assertThrows(ProgrammingError.self) { try conn.execute(text("SELEC 1")) }
                XCTAssertEqual(syntax?.kind, .syntax)
                try conn.rollback()
                let table = assertThrows(ProgrammingError.self) { try conn.execute(text("SELECT * FROM nowhere")) }
                XCTAssertEqual(table?.kind, .undefinedTable)
                XCTAssertTrue(table?.description.contains("nowhere") ?? false)
                try conn.rollback()
                try conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)"))
                let column = assertThrows(ProgrammingError.self) { try conn.execute(text("SELECT y FROM t")) }
                XCTAssertEqual(column?.kind, .undefinedColumn)
                try conn.rollback()
                // The rollback took the table away where DDL is transactional, not on MySQL.
                try conn.execute(text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, x INTEGER)"))
                // A value the column cannot hold.
                let data = assertThrows(DataError.self) {
                    try conn.execute(text("INSERT INTO t (id) VALUES (:v)"), ["v": "not a number"])
                }
                XCTAssertNotNil(data?.code)
                try conn.rollback()
                // Reading a value as the wrong Swift type.
                let conversion = assertThrows(DataError.self) {
                    try conn.execute(text("SELECT 'abc' AS v")).one().get("v", as: Int.self)
                }
                XCTAssertTrue(conversion?.message.contains("column 'v'") ?? false)
            }
        }
    }

    func testEchoLogsStatementsAndMasksSecrets() throws {
        let captured = LockedBox<[String]>([])
        let logger = Logger(label: "test.echo") { _ in CapturingLogHandler(captured) }
        let engine = try createEngine(temporarySQLiteURL(), echo: true, logger: logger)
        try engine.begin { conn in
            try conn.execute(text("CREATE TABLE users (name TEXT, password TEXT, api_token TEXT)"))
            try conn.execute(text("INSERT INTO users VALUES (:name, :password, :api_token)"),
                             ["name": "ursula", "password": "hunter2", "api_token": "tok-123"])
        }
        let lines = captured.value
        // engine.begin takes SQLite's write lock at once (SQLiteWriteLockTests).
        XCTAssertTrue(lines.contains("BEGIN IMMEDIATE"), lines.joined(separator: " | "))
        XCTAssertTrue(lines.contains("INSERT INTO users VALUES (?, ?, ?)"), "\(lines)")
        XCTAssertTrue(lines.contains("[parameters: name='ursula', password=***, api_token=***]"), "\(lines)")
        XCTAssertTrue(lines.contains("COMMIT"), "\(lines)")
        XCTAssertFalse(lines.joined().contains("hunter2"))
        XCTAssertFalse(lines.joined().contains("tok-123"))
    }

    func testAutocommitIsolation() throws {
        try forEachBackend { engine in
            try engine.connect { conn in
                try conn.setIsolationLevel(.autocommit)
                try conn.execute(text("CREATE TABLE t (x INTEGER)"))
                try conn.execute(text("INSERT INTO t VALUES (1)"))
                XCTAssertFalse(conn.inTransaction)
                // Visible to another connection without a commit.
                XCTAssertEqual(try engine.connect { try $0.scalar(text("SELECT count(*) FROM t"), as: Int.self) }, 1)
            }
            if engine.dialect.name == "postgresql" {
                try engine.connect { conn in
                    try conn.setIsolationLevel(.serializable)
                    XCTAssertEqual(try conn.scalar(text("SHOW transaction_isolation"), as: String.self), "serializable")
                }
            } else if engine.dialect.isolationLevels.contains(.readCommitted) {
                // MySQL: each level is tested by what a transaction sees (MySQLDriverTests).
                try engine.connect { try $0.setIsolationLevel(.readCommitted) }
            } else {
                try engine.connect { conn in
                    let e = assertThrows(ArgumentError.self) { try conn.setIsolationLevel(.readCommitted) }
                    XCTAssertTrue(e?.message.contains("SERIALIZABLE") ?? false)
                }
            }
        }
    }

    func testUnicodeAndQuotedIdentifiersAndHugeBlob() throws {
        // Not on MySQL: raw SQLite/PostgreSQL DDL; MySQLDriverTests covers the same on MariaDB.
        try forEachBackend(includeMySQL: false) { engine in
            var blob = Data(capacity: 100 * 1024 * 1024)
            let pattern = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 256) })
            for _ in 0..<(100 * 256) { blob.append(pattern) }
            try engine.begin { conn in
                try conn.execute(ddl(engine,
                    sqlite: #"CREATE TABLE "Tëst ""quoted"" table" ("select" INTEGER, "Mixed Case" TEXT, payload BLOB)"#,
                    postgresql: #"CREATE TABLE "Tëst ""quoted"" table" ("select" INTEGER, "Mixed Case" TEXT, payload BYTEA)"#))
                try conn.execute(text(#"INSERT INTO "Tëst ""quoted"" table" VALUES (:s, :m, :p)"#),
                                 ["s": 1, "m": "ok", "p": blob])
            }
            let row = try engine.connect { conn in
                try conn.execute(text(#"SELECT "select", "Mixed Case", payload FROM "Tëst ""quoted"" table""#)).one()
            }
            XCTAssertEqual(row.columns.names, ["select", "Mixed Case", "payload"])
            XCTAssertEqual(try row.get("Mixed Case", as: String.self), "ok")
            let back = try row.get("payload", as: Data.self)
            XCTAssertEqual(back.count, blob.count)
            XCTAssertTrue(back == blob)
        }
    }
}

/// A value shared between threads in tests.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T { lock.withLock { stored } }
    func mutate(_ body: (inout T) -> Void) { lock.withLock { body(&stored) } }
}

/// Collects log messages.
struct CapturingLogHandler: LogHandler {
    let box: LockedBox<[String]>
    init(_ box: LockedBox<[String]>) { self.box = box }
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        box.mutate { $0.append("\(event.message)") }
    }
}
