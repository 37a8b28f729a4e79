import Foundation
import Logging
import RetortTestSupport
import XCTest

@testable import RetortCore

/// The PostgreSQL driver against a real server (see `PostgreSQLTestServer`).
final class PostgreSQLDriverTests: XCTestCase {
    // MARK: Helpers

    private func connect(_ url: String? = nil, logger: Logger? = nil) throws -> any DriverConnection {
        let url = try url ?? PostgreSQLTestServer.freshDatabaseURL()
        return try PostgreSQLDriver(url: DatabaseURL(url), logger: logger).connect()
    }

    private func rows(_ c: any DriverConnection, _ sql: String, _ parameters: [SQLValue] = []) throws -> [[SQLValue]] {
        let cursor = try c.execute(sql, parameters)
        var out: [[SQLValue]] = []
        while let row = try cursor.next() { out.append(row) }
        return out
    }

    private func scalar(_ c: any DriverConnection, _ sql: String, _ parameters: [SQLValue] = []) throws -> SQLValue {
        try XCTUnwrap(rows(c, sql, parameters).first?.first)
    }

    /// Runs `body`, expecting it to throw `E`; returns the error.
    private func expectError<E: Error>(
        _ type: E.Type, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
    ) -> E? {
        do {
            try body()
            XCTFail("expected \(E.self), nothing was thrown", file: file, line: line)
        } catch let error as E {
            return error
        } catch {
            XCTFail("expected \(E.self), got \(error)", file: file, line: line)
        }
        return nil
    }

    // MARK: Values

    func testEveryValueKindRoundTripsThroughTypedColumns() throws {
        let c = try connect()
        try c.executeCommand("""
            CREATE TABLE v (id serial PRIMARY KEY, i8 bigint, i4 integer, i2 smallint, r double precision,
                f4 real, n numeric, t text, b bytea, bo boolean, ts timestamptz, u uuid, d date, j jsonb)
            """)
        let when = Date(timeIntervalSince1970: 1_795_262_400.123456)
        let uuid = try XCTUnwrap(UUID(uuidString: "3F2A9C1B-7D4E-4B1A-9E2F-0123456789AB"))
        let blob = Data([0, 1, 2, 0xFE, 0xFF, 0x5C, 0x78])
        let insert = "INSERT INTO v (i8, i4, i2, r, f4, n, t, b, bo, ts, u, d, j) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        let full: [SQLValue] = [
            .integer(Int64.min), .integer(-2_147_483_648), .integer(32767), .real(0.1), .real(1.5),
            .decimal(try XCTUnwrap(Decimal(string: "-12345678901234567890.0123456789"))), .text("Zoë — 日本語 — 👩‍👩‍👧 🎉"),
            .blob(blob), .bool(true), .timestamp(when), .uuid(uuid), .text("2026-11-21"), .text("{\"a\": [1, 2]}"),
        ]
        let cursor = try c.execute(insert, full)
        XCTAssertEqual(cursor.rowsAffected, 1)
        _ = try c.execute(insert, Array(repeating: SQLValue.null, count: 13))
        _ = try c.execute(insert, [.integer(Int64.max), 0, 0, .real(.infinity), .real(-.infinity), .decimal(0),
                                   .text(""), .blob(Data()), .bool(false), .null, .null, .null, .null])

        let result = try rows(c, "SELECT i8, i4, i2, r, f4, n, t, b, bo, ts, u, d, j FROM v ORDER BY id")
        XCTAssertEqual(result.count, 3)
        let first = result[0]
        XCTAssertEqual(Array(first[0...8]), Array(full[0...8]))
        guard case .text(let tsText) = first[9] else { return XCTFail("timestamptz should read as text: \(first[9])") }
        XCTAssertEqual(SQLDateFormat.parse(tsText).map { $0.timeIntervalSince1970 * 1_000_000 }?.rounded(),
                       (when.timeIntervalSince1970 * 1_000_000).rounded(), "timestamp \(tsText)")
        XCTAssertEqual(first[10], .uuid(uuid))
        XCTAssertEqual(first[11], .text("2026-11-21"))
        XCTAssertEqual(first[12], .text("{\"a\": [1, 2]}"))
        XCTAssertEqual(result[1], Array(repeating: SQLValue.null, count: 13))
        XCTAssertEqual(Array(result[2][0...8]), [.integer(Int64.max), 0, 0, .real(.infinity), .real(-.infinity),
                                                 .decimal(0), .text(""), .blob(Data()), .bool(false)])
    }

    func testSpecialFloatsAndNumericsDecode() throws {
        let c = try connect(PostgreSQLTestServer.url())
        let row = try XCTUnwrap(rows(c, "SELECT 'NaN'::float8, 'NaN'::numeric, 'Infinity'::numeric, 1.50::numeric, "
            + "(repeat('9', 50))::numeric, 7::oid, 2.5::float4").first)
        guard case .real(let nan) = row[0] else { return XCTFail("\(row[0])") }
        XCTAssertTrue(nan.isNaN)
        XCTAssertEqual(row[1], .text("NaN"))
        XCTAssertEqual(row[2], .text("Infinity"))
        XCTAssertEqual(row[3], .decimal(try XCTUnwrap(Decimal(string: "1.50"))))
        XCTAssertEqual(row[4], .text(String(repeating: "9", count: 50)), "too many digits for Decimal: kept exact")
        XCTAssertEqual(row[5], .integer(7))
        XCTAssertEqual(row[6], .real(2.5))
        // Parameters are typed by their value, so they come back as what they are.
        XCTAssertEqual(try scalar(c, "SELECT $1::float8 = 'NaN'", [.real(.nan)]), .bool(true))
        XCTAssertEqual(try scalar(c, "SELECT $1", [.integer(42)]), .integer(42))
        XCTAssertEqual(try scalar(c, "SELECT $1", [.text("42")]), .text("42"))
    }

    func testDecimalsAreSentExactly() throws {
        let texts = ["0", "12.5", "-0.05", "0.000001", "1000", "-98765432109876.54321",
                     "123456789012345678901234567890.5", "18446744073709551615", "18446744073709551616"]
        var values = try texts.map { try XCTUnwrap(Decimal(string: $0)) }
        values.append(Decimal(sign: .plus, exponent: 3, significand: 7))
        values.append(Decimal(sign: .minus, exponent: -2, significand: 5))
        let c = try connect(PostgreSQLTestServer.url())
        for d in values { XCTAssertEqual(try scalar(c, "SELECT $1::numeric", [.decimal(d)]), .decimal(d)) }
        XCTAssertEqual(try scalar(c, "SELECT $1::numeric", [.decimal(.nan)]), .text("NaN"))
    }

    func testHundredMegabyteBlobRoundTripsWithSaneMemory() throws {
        let c = try connect()
        try c.executeCommand("CREATE TABLE big (id int PRIMARY KEY, b bytea)")
        let size = 100 * 1024 * 1024
        let blob = try XCTUnwrap(FileHandle(forReadingAtPath: "/dev/urandom")?.readData(ofLength: size))
        XCTAssertEqual(blob.count, size)
        let before = Self.residentMegabytes()
        _ = try c.execute("INSERT INTO big VALUES (1, $1)", [.blob(blob)])
        XCTAssertEqual(try scalar(c, "SELECT length(b) FROM big WHERE id = 1"), .integer(Int64(size)))
        let value = try scalar(c, "SELECT b FROM big WHERE id = 1")
        guard case .blob(let back) = value else { return XCTFail("expected a blob") }
        XCTAssertTrue(back == blob, "the blob came back changed")
        if let before, let peak = Self.peakResidentMegabytes() {
            // Sent in binary (no 200 MB hex copy of the parameter); read as hex text once.
            XCTAssertLessThan(peak - before, 900, "peak memory grew by \(peak - before) MB")
        }
    }

    private static func statusField(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 / 1024 }
        }
        return nil
    }
    private static func residentMegabytes() -> Int? { statusField("VmRSS") }
    private static func peakResidentMegabytes() -> Int? { statusField("VmHWM") }

    func testNULInTextIsADataErrorAndNothingIsSent() throws {
        let c = try connect()
        try c.executeCommand("CREATE TABLE t (s text)")
        try c.executeCommand("BEGIN")
        let error = expectError(DataError.self) { _ = try c.execute("INSERT INTO t VALUES ($1)", [.text("a\u{0}b")]) }
        XCTAssertTrue(error?.message.contains("cannot contain NUL") == true, "\(String(describing: error))")
        _ = expectError(DataError.self) {
            _ = try c.executeMany("INSERT INTO t VALUES ($1)", [["ok"], [.text("x\u{0}")]])
        }
        // The transaction was not aborted: nothing reached the server.
        _ = try c.execute("INSERT INTO t VALUES ($1)", ["fine"])
        try c.executeCommand("COMMIT")
        XCTAssertEqual(try rows(c, "SELECT s FROM t"), [["fine"]])
    }

    func testParameterCountsAreChecked() throws {
        let c = try connect(PostgreSQLTestServer.url())
        let missing = expectError(InterfaceError.self) { _ = try c.execute("SELECT $1::int + $2::int", [1]) }
        XCTAssertEqual(missing?.kind, .missingParameter)
        let extra = expectError(InterfaceError.self) { _ = try c.execute("SELECT $1::int", [1, 2]) }
        XCTAssertEqual(extra?.kind, .unexpectedParameter)
        let tooMany = expectError(InterfaceError.self) {
            _ = try c.execute("SELECT 1", Array(repeating: SQLValue.integer(1), count: 65536))
        }
        XCTAssertEqual(tooMany?.kind, .tooManyParameters)
        XCTAssertTrue(tooMany?.message.contains("65535") == true)
        XCTAssertEqual(try scalar(c, "SELECT $1::int + $2::int", [1, 2]), .integer(3), "still usable")
    }

    // MARK: Errors from real failures

    func testIntegrityErrorsCarryConstraintTableAndColumns() throws {
        let c = try connect()
        try c.executeCommand("""
            CREATE TABLE authors (id int PRIMARY KEY, email text CONSTRAINT uq_authors_email UNIQUE,
                name text NOT NULL, pages int CONSTRAINT ck_authors_pages CHECK (pages > 0));
            CREATE TABLE books (id int PRIMARY KEY,
                author_id int CONSTRAINT fk_books_author_id_authors REFERENCES authors (id))
            """)
        _ = try c.execute("INSERT INTO authors VALUES ($1, $2, $3, $4)", [1, "u@example.org", "Ursula", 10])

        let unique = expectError(IntegrityError.self) {
            _ = try c.execute("INSERT INTO authors VALUES ($1, $2, $3, $4)", [2, "u@example.org", "Other", 1])
        }
        XCTAssertEqual(unique?.kind, .unique)
        XCTAssertEqual(unique?.constraintName, "uq_authors_email")
        XCTAssertEqual(unique?.tableName, "authors")
        XCTAssertEqual(unique?.columnNames, ["email"])
        XCTAssertEqual(unique?.code, "23505")
        XCTAssertEqual(unique?.sql, "INSERT INTO authors VALUES ($1, $2, $3, $4)")
        XCTAssertTrue(unique?.driverMessage?.contains("duplicate key") == true)

        let foreignKey = expectError(IntegrityError.self) { _ = try c.execute("INSERT INTO books VALUES (1, 99)", []) }
        XCTAssertEqual(foreignKey?.kind, .foreignKey)
        XCTAssertEqual(foreignKey?.constraintName, "fk_books_author_id_authors")
        XCTAssertEqual(foreignKey?.columnNames, ["author_id"])

        let notNull = expectError(IntegrityError.self) {
            _ = try c.execute("INSERT INTO authors (id, name) VALUES ($1, $2)", [3, nil])
        }
        XCTAssertEqual(notNull?.kind, .notNull)
        XCTAssertEqual(notNull?.columnNames, ["name"])
        XCTAssertEqual(notNull?.tableName, "authors")

        let check = expectError(IntegrityError.self) {
            _ = try c.execute("INSERT INTO authors VALUES (4, NULL, 'x', $1)", [0])
        }
        XCTAssertEqual(check?.kind, .check)
        XCTAssertEqual(check?.constraintName, "ck_authors_pages")
    }

    func testProgrammingAndDataErrors() throws {
        let c = try connect()
        let syntax = expectError(ProgrammingError.self) { _ = try c.execute("SELEC 1", []) }
        XCTAssertEqual(syntax?.kind, .syntax)
        XCTAssertEqual(syntax?.code, "42601")
        let table = expectError(ProgrammingError.self) { _ = try c.execute("SELECT * FROM nowhere", []) }
        XCTAssertEqual(table?.kind, .undefinedTable)
        XCTAssertTrue(table?.message.contains("nowhere") == true)
        try c.executeCommand("CREATE TABLE t (a int)")
        let column = expectError(ProgrammingError.self) { _ = try c.execute("SELECT b FROM t", []) }
        XCTAssertEqual(column?.kind, .undefinedColumn)
        let duplicate = expectError(ProgrammingError.self) { try c.executeCommand("CREATE TABLE t (a int)") }
        XCTAssertEqual(duplicate?.kind, .duplicateObject)

        let division = expectError(DataError.self) { _ = try c.execute("SELECT 1 / $1::int", [0]) }
        XCTAssertEqual(division?.code, "22012")
        let badInt = expectError(DataError.self) { _ = try c.execute("INSERT INTO t VALUES ($1)", ["twelve"]) }
        XCTAssertEqual(badInt?.code, "22P02")

        let empty = expectError(ProgrammingError.self) { _ = try c.execute("", []) }
        XCTAssertEqual(empty?.kind, .syntax)
    }

    func testCopyIsRefusedAndTheConnectionStaysUsable() throws {
        let c = try connect()
        try c.executeCommand("CREATE TABLE t (a int)")
        _ = try c.execute("INSERT INTO t VALUES (1), (2)", [])
        let copyIn = expectError(ProgrammingError.self) { _ = try c.execute("COPY t FROM STDIN", []) }
        XCTAssertEqual(copyIn?.kind, .notSupported)
        let copyOut = expectError(ProgrammingError.self) { try c.executeCommand("COPY t TO STDOUT") }
        XCTAssertEqual(copyOut?.kind, .notSupported)
        XCTAssertFalse(c.inTransaction)
        XCTAssertEqual(try scalar(c, "SELECT count(*) FROM t"), .integer(2))
    }

    func testTimeoutAndAbortedTransactionErrors() throws {
        let c = try connect(PostgreSQLTestServer.url())
        try c.executeCommand("SET statement_timeout = 50")
        let timeout = expectError(OperationalError.self) { _ = try c.execute("SELECT pg_sleep(2)", []) }
        XCTAssertEqual(timeout?.kind, .timeout)
        XCTAssertEqual(timeout?.code, "57014")
        try c.executeCommand("RESET statement_timeout")

        try c.executeCommand("BEGIN")
        _ = expectError(DataError.self) { _ = try c.execute("SELECT 1 / 0", []) }
        XCTAssertTrue(c.inTransaction)
        XCTAssertTrue(c.ping(), "a failed transaction still answers")
        let aborted = expectError(InterfaceError.self) { _ = try c.execute("SELECT 1", []) }
        XCTAssertEqual(aborted?.kind, .misuse)
        XCTAssertEqual(aborted?.code, "25P02")
        try c.executeCommand("ROLLBACK")
        XCTAssertFalse(c.inTransaction)
        XCTAssertEqual(try scalar(c, "SELECT 1"), .integer(1))
    }

    // MARK: Connecting

    func testWrongPasswordIsOneLineWithoutThePassword() throws {
        guard let good = try PostgreSQLTestServer.passwordURL(password: PostgreSQLTestServer.rolePassword),
            let bad = try PostgreSQLTestServer.passwordURL(password: "hunter2-wrong")
        else { throw XCTSkip("password authentication needs the local test server") }
        let c = try connect(good)
        XCTAssertEqual(try scalar(c, "SELECT current_user"), .text("retort_pw"))

        let error = expectError(OperationalError.self) { _ = try connect(bad) }
        XCTAssertEqual(error?.kind, .authenticationFailed)
        let text = error.map { "\($0)" } ?? ""
        XCTAssertFalse(text.contains("\n"), "one line: \(text)")
        XCTAssertFalse(text.contains("hunter2"), "the password leaked: \(text)")
        XCTAssertFalse(error?.driverMessage?.contains("hunter2") ?? true)
        XCTAssertTrue(text.contains("password authentication failed for user \"retort_pw\""), text)
        XCTAssertTrue(text.contains("127.0.0.1:"), text)
    }

    func testServerNotListeningIsCannotConnect() throws {
        _ = try PostgreSQLTestServer.url()  // skip with the others when there is no PostgreSQL
        let port = try LocalCluster.freePort()
        let error = expectError(OperationalError.self) {
            _ = try connect("postgresql://nobody:pw@127.0.0.1:\(port)/postgres?connect_timeout=5")
        }
        XCTAssertEqual(error?.kind, .cannotConnect)
        XCTAssertTrue(error?.isDisconnect == true)
        XCTAssertEqual(error?.message,
                       "could not connect to PostgreSQL at 127.0.0.1:\(port): is the server running and accepting "
                        + "connections there?")

        let socket = expectError(OperationalError.self) {
            _ = try connect("postgresql://nobody@/postgres?host=/nonexistent-retort-dir")
        }
        XCTAssertEqual(socket?.kind, .cannotConnect)
        XCTAssertTrue(socket?.message.contains("/nonexistent-retort-dir/.s.PGSQL.5432") == true,
                      socket?.message ?? "")
    }

    func testMissingDatabaseIsNamed() throws {
        var url = try DatabaseURL(PostgreSQLTestServer.url())
        url.database = "retort_no_such_db"
        let error = expectError(OperationalError.self) { _ = try connect(url.render(maskPassword: false)) }
        XCTAssertEqual(error?.kind, .cannotConnect)
        XCTAssertTrue(error?.message.contains("the database \"retort_no_such_db\" does not exist") == true,
                      error?.message ?? "")
    }

    func testTerminatedBackendIsConnectionLost() throws {
        let url = try PostgreSQLTestServer.url()
        let victim = try connect(url)
        let admin = try connect(url)
        let pid = try scalar(victim, "SELECT pg_backend_pid()")
        XCTAssertEqual(try scalar(admin, "SELECT pg_terminate_backend($1::int)", [pid]), .bool(true))
        for _ in 0..<250 {
            if try rows(admin, "SELECT 1 FROM pg_stat_activity WHERE pid = $1::int", [pid]).isEmpty { break }
            usleep(20_000)
        }
        let error = expectError(OperationalError.self) { _ = try victim.execute("SELECT 1", []) }
        XCTAssertEqual(error?.kind, .connectionLost)
        XCTAssertTrue(error?.isDisconnect == true)
        XCTAssertTrue(error?.message.contains("the connection to the server was lost") == true)
        XCTAssertFalse(victim.ping())
        let again = expectError(OperationalError.self) { try victim.executeCommand("BEGIN") }
        XCTAssertEqual(again?.kind, .connectionLost)
        victim.close()
        victim.close()
        XCTAssertTrue(admin.ping())
    }

    func testURLOptionsAreValidated() throws {
        let unknown = expectError(ArgumentError.self) {
            _ = try PostgreSQLDriver(url: DatabaseURL("postgresql://u@h/db?sslmod=require"))
        }
        XCTAssertTrue(unknown?.message.contains("'sslmod'") == true)
        XCTAssertTrue(unknown?.message.contains("sslmode, sslrootcert") == true, unknown?.message ?? "")
        let badMode = expectError(ArgumentError.self) {
            _ = try PostgreSQLDriver(url: DatabaseURL("postgresql://u@h/db?sslmode=sometimes"))
        }
        XCTAssertTrue(badMode?.message.contains("verify-full") == true)
        _ = expectError(ArgumentError.self) {
            _ = try PostgreSQLDriver(url: DatabaseURL("postgresql://u@h/db?connect_timeout=soon"))
        }

        let driver = try PostgreSQLDriver(url: DatabaseURL(
            "postgresql://app:it's%5Cme@db.internal:6432/shop?sslmode=require&application_name=my%20app"))
        XCTAssertEqual(driver.dialect, .postgresql)
        XCTAssertEqual(driver.conninfo(), "user='app' password='it\\'s\\\\me' host='db.internal' port='6432' "
            + "dbname='shop' sslmode='require' application_name='my app' client_encoding='UTF8' "
            + "fallback_application_name='retort'")
        XCTAssertFalse(driver.conninfo(maskPassword: true).contains("me'"))
        let socket = try PostgreSQLDriver(url: DatabaseURL("postgresql://u@db/x?host=/var/run/postgresql"))
        XCTAssertTrue(socket.conninfo().contains("host='/var/run/postgresql'"))
        XCTAssertFalse(socket.conninfo().contains("host='db'"))
    }

    func testApplicationNameAndOptionsReachTheServer() throws {
        var url = try DatabaseURL(PostgreSQLTestServer.url())
        url.query.append(("application_name", "retort tests"))
        url.query.append(("options", "-c work_mem=8MB"))
        let c = try connect(url.render(maskPassword: false))
        XCTAssertEqual(try scalar(c, "SELECT current_setting('application_name')"), .text("retort tests"))
        XCTAssertEqual(try scalar(c, "SHOW work_mem"), .text("8MB"))
        XCTAssertEqual(try scalar(c, "SHOW client_encoding"), .text("UTF8"))
    }

    // MARK: Connection behaviour

    func testConnectionStateAndClose() throws {
        let c = try connect()
        XCTAssertNotNil(c.serverVersion.range(of: #"^\d+\.\d+$"#, options: .regularExpression), c.serverVersion)
        XCTAssertTrue(c.ping())
        XCTAssertFalse(c.inTransaction)
        try c.executeCommand("BEGIN")
        XCTAssertTrue(c.inTransaction)
        try c.executeCommand("SAVEPOINT sp_1")
        try c.executeCommand("RELEASE SAVEPOINT sp_1")
        try c.executeCommand("COMMIT")
        XCTAssertFalse(c.inTransaction)
        c.close()
        c.close()
        XCTAssertFalse(c.ping())
        let closed = expectError(InterfaceError.self) { _ = try c.execute("SELECT 1", []) }
        XCTAssertEqual(closed?.kind, .closed)
    }

    func testCursorsReadLazilyAndReportRowCounts() throws {
        let c = try connect()
        try c.executeCommand("CREATE TABLE t (id int PRIMARY KEY, name text)")
        XCTAssertEqual(try c.executeMany("INSERT INTO t VALUES ($1, $2)", (1...5).map { [.integer($0), .text("n\($0)")] }), 5)
        let update = try c.execute("UPDATE t SET name = name || '!' WHERE id > $1", [2])
        XCTAssertEqual(update.rowsAffected, 3)
        XCTAssertNil(try update.next())
        let returning = try c.execute("DELETE FROM t WHERE id = $1 RETURNING id, name", [5])
        XCTAssertEqual(returning.rowsAffected, 1)
        XCTAssertEqual(returning.columnNames, ["id", "name"])
        XCTAssertEqual(try returning.next(), [5, "n5!"])
        let select = try c.execute("SELECT id AS \"Ident\", name FROM t ORDER BY id", [])
        XCTAssertEqual(select.columnNames, ["Ident", "name"])
        XCTAssertEqual(select.rowsAffected, -1)
        XCTAssertNil(select.lastInsertRowID)
        XCTAssertEqual(try select.next(), [1, "n1"])
        select.close()
        select.close()
        XCTAssertNil(try select.next(), "a closed cursor has no rows")
    }

    func testExecuteManyPipelinesAndSurvivesAnErrorInTheMiddle() throws {
        let c = try connect()
        try c.executeCommand("CREATE TABLE items (id int CONSTRAINT pk_items PRIMARY KEY, label text, payload bytea)")
        let sets: [[SQLValue]] = (0..<10_000).map { (i: Int) -> [SQLValue] in
            let payload: SQLValue = i % 3 == 0 ? .null : .blob(Data([UInt8(i % 256)]))
            return [.integer(Int64(i == 5_500 ? 10 : i)), .text("item \(i)"), payload]
        }
        let error = expectError(IntegrityError.self) { _ = try c.executeMany("INSERT INTO items VALUES ($1, $2, $3)", sets) }
        XCTAssertEqual(error?.kind, .unique)
        XCTAssertEqual(error?.constraintName, "pk_items")
        // Usable afterwards; batches before the failing one committed, the failing one rolled back.
        XCTAssertFalse(c.inTransaction)
        XCTAssertEqual(try scalar(c, "SELECT count(*) FROM items"), .integer(5_000))

        // Inside a transaction it is all or nothing.
        try c.executeCommand("BEGIN")
        _ = expectError(IntegrityError.self) { _ = try c.executeMany("INSERT INTO items VALUES ($1, $2, $3)", sets) }
        XCTAssertTrue(c.inTransaction)
        try c.executeCommand("ROLLBACK")
        XCTAssertEqual(try scalar(c, "SELECT count(*) FROM items"), .integer(5_000))

        try c.executeCommand("TRUNCATE items")
        let unique = (0..<10_000).map { i -> [SQLValue] in [.integer(Int64(i)), .text("item \(i)"), .blob(Data([1]))] }
        XCTAssertEqual(try c.executeMany("INSERT INTO items VALUES ($1, $2, $3)", unique), 10_000)
        XCTAssertEqual(try scalar(c, "SELECT count(*) FROM items"), .integer(10_000))
        XCTAssertEqual(try scalar(c, "SELECT payload FROM items WHERE id = 7"), .blob(Data([1])))
        XCTAssertEqual(try c.executeMany("UPDATE items SET label = $1 WHERE id < $2", [["a", 10], ["b", 5]]), 15)
        XCTAssertEqual(try c.executeMany("INSERT INTO items VALUES ($1, $2, $3)", []), 0)
    }

    func testPreparedStatementsAreCachedAndEvicted() throws {
        let url = try PostgreSQLTestServer.freshDatabaseURL()
        let c = try connect(url)
        let sql = "SELECT $1::int * 2"
        for i in 1...3 { XCTAssertEqual(try scalar(c, sql, [.integer(Int64(i))]), .integer(Int64(i) * 2)) }
        let prepared = try rows(c, "SELECT name, statement FROM pg_prepared_statements ORDER BY name")
        XCTAssertEqual(prepared.filter { $0[1] == .text(sql) }.count, 1, "prepared once: \(prepared)")
        XCTAssertEqual(prepared.count, 2, "this statement and the pg_prepared_statements query: \(prepared)")

        var small = try DatabaseURL(url)
        small.query.append(("statement_cache_size", "2"))
        let d = try connect(small.render(maskPassword: false))
        for n in 1...5 { XCTAssertEqual(try scalar(d, "SELECT \(n)"), .integer(Int64(n))) }
        let held = try rows(d, "SELECT statement FROM pg_prepared_statements")
        XCTAssertEqual(held.count, 2, "least recently used statements are deallocated: \(held)")

        var none = try DatabaseURL(url)
        none.query.append(("statement_cache_size", "0"))
        let e = try connect(none.render(maskPassword: false))
        XCTAssertEqual(try scalar(e, "SELECT $1::int + 1", [1]), .integer(2))
        XCTAssertEqual(try rows(e, "SELECT name FROM pg_prepared_statements"), [])
    }

    func testCachedStatementSurvivesTableChangesAndDiscardAll() throws {
        let c = try connect()
        try c.executeCommand("CREATE TABLE t (a int)")
        _ = try c.execute("INSERT INTO t VALUES ($1)", [1])
        XCTAssertEqual(try rows(c, "SELECT * FROM t"), [[1]])
        try c.executeCommand("ALTER TABLE t ADD COLUMN b text DEFAULT 'x'")
        XCTAssertEqual(try rows(c, "SELECT * FROM t"), [[1, "x"]], "re-prepared after the result type changed")
        try c.executeCommand("DISCARD ALL")
        XCTAssertEqual(try rows(c, "SELECT * FROM t"), [[1, "x"]])
        _ = try c.execute("DEALLOCATE ALL", [])
        XCTAssertEqual(try rows(c, "SELECT * FROM t"), [[1, "x"]])
        // Statements that refuse transaction blocks run through execute as well.
        _ = try c.execute("CREATE INDEX CONCURRENTLY ix_t_a ON t (a)", [])
        _ = try c.execute("VACUUM t", [])
        XCTAssertEqual(try scalar(c, "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_t_a'"), .integer(1))
    }

    func testServerNoticesGoToTheLogger() throws {
        let store = CapturedLogs()
        var logger = Logger(label: "retort.tests") { _ in NoticeCapturingLogHandler(store: store) }
        logger.logLevel = .debug
        let c = try connect(PostgreSQLTestServer.url(), logger: logger)
        try c.executeCommand("DO $$ BEGIN RAISE NOTICE 'hello %', 42; RAISE WARNING 'careful'; END $$")
        _ = try c.execute("SELECT 1", [])
        try c.executeCommand("COMMIT")  // no transaction in progress: a server WARNING
        let entries = store.entries
        XCTAssertTrue(entries.contains { $0.level == .debug && $0.message == "hello 42" }, "\(entries)")
        XCTAssertTrue(entries.contains { $0.level == .warning && $0.message == "careful" }, "\(entries)")
        XCTAssertTrue(entries.contains {
            $0.level == .warning && $0.message == "there is no transaction in progress"
                && $0.metadata["postgresql.sqlstate"] == "25P01"
        }, "\(entries)")
        c.close()
    }
}

/// Log entries captured by ``NoticeCapturingLogHandler``.
private final class CapturedLogs: @unchecked Sendable {
    struct Entry: CustomStringConvertible {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
        var description: String { "\(level): \(message) \(metadata)" }
    }

    private let lock = NSLock()
    private var stored: [Entry] = []

    func append(_ entry: Entry) {
        lock.lock()
        defer { lock.unlock() }
        stored.append(entry)
    }

    var entries: [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

/// A log handler that keeps what it is given, for assertions.
private struct NoticeCapturingLogHandler: LogHandler {
    let store: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.append(.init(level: event.level, message: event.message.description,
                           metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }
}
