import Foundation
import RetortTestSupport
import XCTest

@testable import RetortCore

/// The MySQL/MariaDB driver against a real server (see `MariaDBTestServer`), through
/// `createEngine` and `text(...)` SQL.
final class MySQLDriverTests: XCTestCase {
    // MARK: Helpers

    private func engine(_ url: String? = nil, pool: PoolOptions = PoolOptions()) throws -> Engine {
        try createEngine(url ?? MariaDBTestServer.freshDatabaseURL(), pool: pool)
    }

    private func rows(_ c: Connection, _ sql: String, _ parameters: Parameters = [:]) throws -> [[SQLValue]] {
        try c.execute(text(sql), parameters).all().map(\.values)
    }

    private func scalar(_ c: Connection, _ sql: String, _ parameters: Parameters = [:]) throws -> SQLValue {
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

    private func sessionStatus(_ c: Connection, _ name: String) throws -> Int {
        let row = try XCTUnwrap(rows(c, "SHOW SESSION STATUS LIKE '\(name)'").first)
        guard case .text(let v) = row[1], let n = Int(v) else { throw XCTSkip("status \(name) unreadable: \(row)") }
        return n
    }

    private static func residentMegabytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 / 1024 }
        }
        return nil
    }

    // MARK: Values

    func testEveryValueKindRoundTripsThroughTypedColumns() throws {
        let e = try engine()
        defer { e.dispose() }
        try e.connect { c in
            try c.execute(text("""
                CREATE TABLE v (id INT AUTO_INCREMENT PRIMARY KEY, i8 BIGINT, u8 BIGINT UNSIGNED, i4 INT,
                    u4 INT UNSIGNED, i2 SMALLINT, i1 TINYINT, flag TINYINT(1), r DOUBLE, f4 FLOAT,
                    n DECIMAL(30,10), t TEXT, vc VARCHAR(200), b BLOB, vb VARBINARY(16), ts DATETIME(6),
                    tz TIMESTAMP(6) NULL, d DATE, tm TIME(6), j JSON, bits BIT(12), y YEAR, u CHAR(36))
                """))
            let when = Date(timeIntervalSince1970: 1_795_262_400.123456)
            let uuid = try XCTUnwrap(UUID(uuidString: "3F2A9C1B-7D4E-4B1A-9E2F-0123456789AB"))
            let blob = Data([0, 1, 2, 0xFE, 0xFF, 0x5C, 0x78, 0x27])
            let decimal = try XCTUnwrap(Decimal(string: "-12345678901234567890.0123456789"))
            let insert = text("""
                INSERT INTO v (i8, u8, i4, u4, i2, i1, flag, r, f4, n, t, vc, b, vb, ts, tz, d, tm, j, bits, y, u)
                VALUES (:i8, :u8, :i4, :u4, :i2, :i1, :flag, :r, :f4, :n, :t, :vc, :b, :vb, :ts, :tz, :d, :tm, :j,
                    :bits, :y, :u)
                """)
            let full: [(String, SQLValue)] = [
                ("i8", .integer(Int64.min)), ("u8", .decimal(Decimal(UInt64.max))), ("i4", .integer(-2_147_483_648)),
                ("u4", .integer(4_294_967_295)), ("i2", .integer(32767)), ("i1", .integer(-128)), ("flag", .bool(true)),
                ("r", .real(0.1)), ("f4", .real(1.5)), ("n", .decimal(decimal)), ("t", .text("Zoë — 日本語 — 👩‍👩‍👧 🎉")),
                ("vc", .text("it's \"quoted\" \\ and 𝄞")), ("b", .blob(blob)), ("vb", .blob(Data([0xAB]))),
                ("ts", .timestamp(when)), ("tz", .timestamp(when)), ("d", .text("2026-11-21")),
                ("tm", .text("-838:59:58.5")), ("j", .text("{\"a\": [1, 2]}")), ("bits", .integer(0xABC)),
                ("y", .integer(2026)), ("u", .uuid(uuid)),
            ]
            var parameters = Parameters()
            for (name, value) in full { parameters[name] = value }
            let inserted = try c.execute(insert, parameters)
            XCTAssertEqual(inserted.rowCount, 1)
            XCTAssertEqual(inserted.lastInsertRowID, 1, "the AUTO_INCREMENT id of the row")
            var nulls = Parameters()
            for (name, _) in full { nulls[name] = SQLValue.null }
            XCTAssertEqual(try c.execute(insert, nulls).lastInsertRowID, 2)

            let names = full.map(\.0).joined(separator: ", ")
            let result = try rows(c, "SELECT \(names) FROM v ORDER BY id")
            XCTAssertEqual(result.count, 2)
            let back = result[0]
            let expected: [SQLValue] = [
                .integer(Int64.min), .decimal(Decimal(UInt64.max)), .integer(-2_147_483_648), .integer(4_294_967_295),
                .integer(32767), .integer(-128), .integer(1), .real(0.1), .real(1.5), .decimal(decimal),
                .text("Zoë — 日本語 — 👩‍👩‍👧 🎉"), .text("it's \"quoted\" \\ and 𝄞"), .blob(blob), .blob(Data([0xAB])),
                .timestamp(when), .timestamp(when), .text("2026-11-21"), .text("-838:59:58.500000"),
                .text("{\"a\": [1, 2]}"), .integer(0xABC), .integer(2026), .text(uuid.uuidString.lowercased()),
            ]
            for (i, value) in back.enumerated() {
                if case .timestamp(let d) = value, case .timestamp(let w) = expected[i] {
                    XCTAssertEqual((d.timeIntervalSince1970 * 1_000_000).rounded(),
                                   (w.timeIntervalSince1970 * 1_000_000).rounded(), "column \(full[i].0)")
                } else {
                    XCTAssertEqual(value, expected[i], "column \(full[i].0)")
                }
            }
            XCTAssertEqual(result[1], Array(repeating: SQLValue.null, count: full.count))
            // TIMESTAMP is stored in UTC: the session time zone is UTC, so the instant is unchanged.
            XCTAssertEqual(try scalar(c, "SELECT CAST(tz AS CHAR) FROM v WHERE id = 1"), .text("2026-11-21 12:00:00.123456"))
            // Unsigned BIGINT below Int64.max is a plain integer; TINYINT(1) stays an integer.
            XCTAssertEqual(try scalar(c, "SELECT CAST(:x AS UNSIGNED)", ["x": 42]), .integer(42))
            XCTAssertEqual(try scalar(c, "SELECT CAST(1.50 AS DECIMAL(5,2))"), .decimal(try XCTUnwrap(Decimal(string: "1.50"))))
            XCTAssertEqual(try scalar(c, "SELECT :d + 0", ["d": try XCTUnwrap(Decimal(string: "0.000001"))]),
                           .decimal(try XCTUnwrap(Decimal(string: "0.000001"))))
            // The zero date has no instant: it comes back as the server spells it (or NULL, by sql_mode).
            let zero = try scalar(c, "SELECT CAST('0000-00-00 00:00:00' AS DATETIME)")
            XCTAssertTrue([.null, .text("0000-00-00 00:00:00")].contains(zero), "\(zero)")
            XCTAssertEqual(try c.execute(text("SELECT NULL AS nothing")).all().map(\.values), [[.null]])
        }
    }

    /// Seeded random values of every kind, through executemany and back through a
    /// streamed SELECT: what goes in comes out, across buffer sizes and value ranges.
    func testRandomValuesOfEveryKindRoundTrip() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["RETORT_TEST_SEED"] ?? "") ?? 20261207
        var rng = SeededGenerator(seed: seed)
        let e = try engine()
        defer { e.dispose() }
        let scalars: [Unicode.Scalar] = ["a", "Z", "0", " ", "'", "\"", "\\", "%", "é", "ß", "Ω", "日", "本", "🎉", "👩", "\u{200D}",
                                         "𝄞", "\u{1F9D1}", "\n", "\t"]
        func randomText() -> String {
            let length = [0, 1, 7, 255, 256, 257, 1000, 4000][Int.random(in: 0..<8, using: &rng)]
            var s = String.UnicodeScalarView()
            for _ in 0..<length { s.append(scalars[Int.random(in: 0..<scalars.count, using: &rng)]) }
            return String(s)
        }
        func randomDecimal() -> Decimal {
            let digits = (0..<Int.random(in: 1...18, using: &rng)).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
            let scale = Int.random(in: 0...10, using: &rng)
            var text = digits
            if scale > 0 { text = String(repeating: "0", count: max(0, scale + 1 - text.count)) + text
                text.insert(".", at: text.index(text.endIndex, offsetBy: -scale)) }
            return Decimal(string: (Bool.random(using: &rng) ? "-" : "") + text)!
        }
        let count = 300
        var expected: [[SQLValue]] = []
        var sets: [Parameters] = []
        for i in 0..<count {
            func maybeNull(_ v: SQLValue) -> SQLValue { Int.random(in: 0..<10, using: &rng) == 0 ? .null : v }
            let integer = [Int64.min, Int64.max, 0, -1, Int64.random(in: Int64.min...Int64.max, using: &rng)][
                Int.random(in: 0..<5, using: &rng)]
            let double = [0.1, -0.0, 1e308, -2.2250738585072014e-308, Double.random(in: -1e12...1e12, using: &rng)][
                Int.random(in: 0..<5, using: &rng)]
            let micros = Int64.random(in: -30_000_000_000_000_000...250_000_000_000_000_000, using: &rng)  // 1019 … 9892
            let when = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
            let blob = Data((0..<[0, 1, 255, 256, 257, 70_000][Int.random(in: 0..<6, using: &rng)]).map { _ in
                UInt8.random(in: 0...255, using: &rng) })
            let row: [SQLValue] = [.integer(Int64(i)), maybeNull(.integer(integer)), maybeNull(.real(double)),
                                   maybeNull(.decimal(randomDecimal())), maybeNull(.text(randomText())),
                                   maybeNull(.blob(blob)), maybeNull(.timestamp(when))]
            expected.append(row)
            sets.append(["id": row[0], "i": row[1], "r": row[2], "n": row[3], "t": row[4], "b": row[5], "ts": row[6]])
        }
        try e.begin { c in
            try c.execute(text("CREATE TABLE rnd (id INT PRIMARY KEY, i BIGINT, r DOUBLE, n DECIMAL(30,10), t TEXT, "
                + "b MEDIUMBLOB, ts DATETIME(6))"))
            try c.execute(text("INSERT INTO rnd VALUES (:id, :i, :r, :n, :t, :b, :ts)"), sets)
        }
        let back = try e.connect { c in try rows(c, "SELECT id, i, r, n, t, b, ts FROM rnd ORDER BY id") }
        XCTAssertEqual(back.count, count)
        for (row, want) in zip(back, expected) {
            for (column, (got, value)) in zip(row, want).enumerated() {
                switch (got, value) {
                case (.timestamp(let a), .timestamp(let b)):
                    XCTAssertEqual((a.timeIntervalSince1970 * 1e6).rounded(), (b.timeIntervalSince1970 * 1e6).rounded(),
                                   "seed \(seed), row \(row[0]), column \(column)")
                case (.decimal(let a), .decimal(let b)):
                    XCTAssertEqual(a, b, "seed \(seed), row \(row[0]), column \(column)")
                default:
                    XCTAssertEqual(got, value, "seed \(seed), row \(row[0]), column \(column)")
                }
            }
        }
    }

    func testAConnectionKilledWhileStreamingIsLost() throws {
        let e = try engine()
        defer { e.dispose() }
        let c = try e.connect()
        defer { c.close() }
        try c.execute(text("CREATE TABLE s (id INT PRIMARY KEY, payload VARCHAR(1000))"))
        try c.execute(text("INSERT INTO s SELECT seq, REPEAT('p', 1000) FROM seq_1_to_100000"))
        try c.commit()
        let id = try scalar(c, "SELECT CONNECTION_ID()")
        let result = try c.execute(text("SELECT id, payload FROM s"))
        for _ in 0..<10 { XCTAssertNotNil(try result.next()) }
        try MariaDBTestServer.runAdmin("KILL \(id)")
        let lost = expectError(OperationalError.self) { while try result.next() != nil {} }
        XCTAssertEqual(lost?.kind, .connectionLost)
        // Nothing more is sent on it; the connection is replaced once rolled back.
        let again = expectError(OperationalError.self) { try c.execute(text("SELECT 1")) }
        XCTAssertEqual(again?.kind, .connectionLost)
        try c.rollback()
        XCTAssertNotEqual(try scalar(c, "SELECT CONNECTION_ID()"), id)
    }

    func testFourByteUnicodeIsKeptWhole() throws {
        let e = try engine()
        defer { e.dispose() }
        try e.connect { c in
            XCTAssertEqual(try scalar(c, "SELECT @@character_set_client"), .text("utf8mb4"))
            XCTAssertEqual(try scalar(c, "SELECT @@character_set_results"), .text("utf8mb4"))
            try c.execute(text("CREATE TABLE u (`名前` VARCHAR(20), body TEXT) CHARACTER SET utf8mb4"))
            let s = "🎉👩‍👩‍👧𝄞 Ωμέγα 日本"
            try c.execute(text("INSERT INTO u VALUES (:n, :b)"), ["n": s, "b": String(repeating: s, count: 400)])
            let row = try XCTUnwrap(c.execute(text("SELECT `名前`, body, CHAR_LENGTH(`名前`) FROM u")).first())
            XCTAssertEqual(row.values, [.text(s), .text(String(repeating: s, count: 400)), .integer(Int64(s.unicodeScalars.count))])
            XCTAssertEqual(try c.execute(text("SELECT `名前` FROM u")).columns, ["名前"])
        }
    }

    func testBigBlobsAndGrowingTextsComeBackWhole() throws {
        let e = try engine()
        defer { e.dispose() }
        try e.connect { c in
            try c.execute(text("CREATE TABLE big (id INT PRIMARY KEY, b LONGBLOB, t LONGTEXT)"))
            let size = 12 * 1024 * 1024
            let blob = try XCTUnwrap(FileHandle(forReadingAtPath: "/dev/urandom")?.readData(ofLength: size))
            try c.execute(text("INSERT INTO big VALUES (1, :b, 'x')"), ["b": blob])
            XCTAssertEqual(try scalar(c, "SELECT LENGTH(b) FROM big WHERE id = 1"), .integer(Int64(size)))
            guard case .blob(let back) = try scalar(c, "SELECT b FROM big WHERE id = :id", ["id": 1]) else {
                return XCTFail("expected a blob")
            }
            XCTAssertTrue(back == blob, "the blob came back changed")
            // Rows of growing and shrinking sizes through one statement: each buffer grows to fit.
            let sizes = [0, 10, 255, 256, 257, 5000, 3, 100_000, 17, 70_000]
            for (i, n) in sizes.enumerated() {
                try c.execute(text("INSERT INTO big VALUES (:id, :b, :t)"),
                              ["id": i + 10, "b": Data(repeating: UInt8(i), count: n), "t": String(repeating: "é", count: n)])
            }
            let read = try rows(c, "SELECT b, t FROM big WHERE id >= 10 ORDER BY id")
            XCTAssertEqual(read.count, sizes.count)
            for (i, n) in sizes.enumerated() {
                XCTAssertEqual(read[i][0], .blob(Data(repeating: UInt8(i), count: n)), "row \(i) blob of \(n)")
                XCTAssertEqual(read[i][1], .text(String(repeating: "é", count: n)), "row \(i) text of \(n)")
            }
        }
    }

    // MARK: Streaming and executemany

    func testHundredThousandRowsStreamWithoutBeingHeld() throws {
        let e = try engine()
        defer { e.dispose() }
        try e.connect { c in
            try c.execute(text("CREATE TABLE s (id INT PRIMARY KEY, payload VARCHAR(1000))"))
            try c.execute(text("INSERT INTO s SELECT seq, REPEAT('p', 1000) FROM seq_1_to_100000"))
            try c.commit()
            let before = try XCTUnwrap(Self.residentMegabytes())
            var peak = before
            var count = 0
            var sum: Int64 = 0
            let result = try c.execute(text("SELECT id, payload FROM s ORDER BY id"))
            while let row = try result.next() {
                count += 1
                if case .integer(let id) = row.values[0] { sum += id }
                if count % 5000 == 0, let now = Self.residentMegabytes() { peak = max(peak, now) }
            }
            XCTAssertEqual(count, 100_000)
            XCTAssertEqual(sum, 100_000 * 100_001 / 2)
            // The rows hold 100 MB of payload; streaming keeps a row at a time.
            XCTAssertLessThan(peak - before, 40, "memory grew by \(peak - before) MB while streaming")
        }
    }

    func testAnotherStatementWhileStreamingSeesEveryRow() throws {
        let e = try engine()
        defer { e.dispose() }
        try e.connect { c in
            try c.execute(text("CREATE TABLE s (id INT PRIMARY KEY)"))
            try c.execute(text("INSERT INTO s SELECT seq FROM seq_1_to_1000"))
            let outer = try c.execute(text("SELECT id FROM s ORDER BY id"))
            var seen: [Int64] = []
            while let row = try outer.next() {
                guard case .integer(let id) = row.values[0] else { return XCTFail("\(row)") }
                seen.append(id)
                if id % 100 == 0 {
                    // A second statement (the same one included) while the first still streams.
                    XCTAssertEqual(try scalar(c, "SELECT COUNT(*) FROM s WHERE id <= :id", ["id": id]), .integer(id))
                    let inner = try c.execute(text("SELECT id FROM s ORDER BY id")).all()
                    XCTAssertEqual(inner.count, 1000)
                }
            }
            XCTAssertEqual(seen, Array(1...1000))
            // A cursor closed early leaves the connection usable.
            let early = try c.execute(text("SELECT id FROM s ORDER BY id"))
            XCTAssertNotNil(try early.next())
            early.close()
            XCTAssertEqual(try scalar(c, "SELECT COUNT(*) FROM s"), .integer(1000))
        }
    }

    func testExecuteManyOfTenThousandRows() throws {
        let e = try engine()
        defer { e.dispose() }
        try e.connect { c in
            try c.execute(text("CREATE TABLE items (id INT PRIMARY KEY, label VARCHAR(50), payload BLOB) ENGINE=InnoDB"))
            try c.commit()
            let insert = text("INSERT INTO items VALUES (:id, :label, :payload)")
            let sets: [Parameters] = (0..<10_000).map { i in
                ["id": i, "label": "item \(i) 🎉", "payload": i % 3 == 0 ? nil : Data([UInt8(i % 256)])]
            }
            let executions = try sessionStatus(c, "Com_stmt_execute")
            XCTAssertEqual(try c.execute(insert, sets).rowCount, 10_000)
            // MariaDB takes the sets in bulk: ten batches of 1000, not 10 000 round trips
            // (one more execution: this status query).
            XCTAssertEqual(try sessionStatus(c, "Com_stmt_execute") - executions, 11)
            try c.commit()
            XCTAssertEqual(try scalar(c, "SELECT COUNT(*) FROM items"), .integer(10_000))
            XCTAssertEqual(try scalar(c, "SELECT label FROM items WHERE id = 9999"), .text("item 9999 🎉"))
            XCTAssertEqual(try scalar(c, "SELECT payload FROM items WHERE id = 7"), .blob(Data([7])))
            XCTAssertEqual(try scalar(c, "SELECT payload FROM items WHERE id = 9"), .null)
            // An UPDATE reports the rows it matched, changed or not (CLIENT_FOUND_ROWS).
            XCTAssertEqual(try c.execute(text("UPDATE items SET label = :l WHERE id < :n"),
                                         [["l": "a", "n": 10], ["l": "a", "n": 5]]).rowCount, 15)
            try c.commit()

            // Inside a transaction a failing set undoes its batch; the transaction stays open.
            let failing: [Parameters] = (20_000..<20_100).map { i in ["id": i == 20_050 ? 5 : i, "label": "x", "payload": nil] }
            let error = expectError(IntegrityError.self) { _ = try c.execute(insert, failing) }
            XCTAssertEqual(error?.kind, .unique)
            XCTAssertEqual(error?.constraintName, "PRIMARY")
            XCTAssertTrue(c.inTransaction)
            XCTAssertEqual(try scalar(c, "SELECT COUNT(*) FROM items WHERE id >= 20000"), .integer(0))
            try c.rollback()

            // Outside a transaction each batch of 1000 commits as a unit: the batches before
            // the failing one stay, the failing one is undone, nothing after it is sent.
            try c.setIsolationLevel(.autocommit)
            let many: [Parameters] = (30_000..<32_500).map { i in ["id": i == 31_500 ? 5 : i, "label": "y", "payload": nil] }
            _ = expectError(IntegrityError.self) { _ = try c.execute(insert, many) }
            XCTAssertFalse(c.inTransaction)
            XCTAssertEqual(try scalar(c, "SELECT COUNT(*) FROM items WHERE id >= 30000"), .integer(1000))

            // Values of differing types at one position go set by set, each with its own type.
            let mixed: [Parameters] = [["id": 40_000, "label": 12, "payload": "text, not bytes"],
                                       ["id": 40_001, "label": "twelve", "payload": Data([0, 1])],
                                       ["id": 40_002, "label": 1.5, "payload": nil]]
            XCTAssertEqual(try c.execute(insert, mixed).rowCount, 3)
            XCTAssertEqual(try rows(c, "SELECT label, payload FROM items WHERE id >= 40000 ORDER BY id"),
                           [["12", .blob(Data("text, not bytes".utf8))], ["twelve", .blob(Data([0, 1]))], ["1.5", .null]])
        }
    }

    // MARK: The statement cache

    func testPreparedStatementsAreCachedPerConnectionAndEvicted() throws {
        let url = try MariaDBTestServer.freshDatabaseURL()
        let e = try engine(url)
        defer { e.dispose() }
        try e.connect { c in
            let prepared = try sessionStatus(c, "Com_stmt_prepare")
            for i in 1...5 { XCTAssertEqual(try scalar(c, "SELECT :n * 2", ["n": i]), .integer(Int64(i) * 2)) }
            // Five runs of that statement, prepared once (the status query itself is cached too).
            XCTAssertEqual(try sessionStatus(c, "Com_stmt_prepare") - prepared, 1)
            XCTAssertEqual(try sessionStatus(c, "Com_stmt_execute") >= 5, true)
        }
        var small = try DatabaseURL(url)
        small.query.append(("statement_cache_size", "2"))
        let s = try engine(small.render(maskPassword: false))
        defer { s.dispose() }
        try s.connect { c in
            let closed = try sessionStatus(c, "Com_stmt_close")
            for n in 1...5 { XCTAssertEqual(try scalar(c, "SELECT \(n)"), .integer(Int64(n))) }
            // Two held: each new statement beyond them closed the least recently used one
            // (the first connection also holds the dialect's `SELECT @@SESSION.sql_mode`,
            // read when the engine settles its dialect, which is evicted too).
            XCTAssertEqual(try sessionStatus(c, "Com_stmt_close") - closed, 6)
        }
        var none = try DatabaseURL(url)
        none.query.append(("statement_cache_size", "0"))
        let z = try engine(none.render(maskPassword: false))
        defer { z.dispose() }
        try z.connect { c in
            let prepared = try sessionStatus(c, "Com_stmt_prepare")
            for _ in 1...3 { XCTAssertEqual(try scalar(c, "SELECT 1 + 1"), .integer(2)) }
            XCTAssertEqual(try sessionStatus(c, "Com_stmt_prepare") - prepared, 4, "no cache: prepared every time")
        }
    }

    func testACachedStatementFollowsTableChanges() throws {
        let e = try engine()
        defer { e.dispose() }
        try e.connect { c in
            try c.execute(text("CREATE TABLE t (a INT)"))
            try c.execute(text("INSERT INTO t VALUES (:a)"), ["a": 1])
            XCTAssertEqual(try rows(c, "SELECT * FROM t"), [[1]])
            try c.execute(text("ALTER TABLE t MODIFY a VARCHAR(10)"))
            try c.execute(text("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'"))
            XCTAssertEqual(try rows(c, "SELECT * FROM t"), [["1", "x"]], "the new columns and types, not the old buffers")
        }
    }

    // MARK: Transactions

    func testCommitRollbackAndTheTransactionFlag() throws {
        let e = try engine()
        defer { e.dispose() }
        try e.connect { c in
            try c.execute(text("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB"))
            try c.commit()
            XCTAssertFalse(c.inTransaction)
            try c.execute(text("INSERT INTO t VALUES (1)"))
            XCTAssertTrue(c.inTransaction, "the first statement began a transaction")
            try e.connect { other in XCTAssertEqual(try scalar(other, "SELECT COUNT(*) FROM t"), .integer(0)) }
            try c.commit()
            XCTAssertFalse(c.inTransaction)
            try e.connect { other in XCTAssertEqual(try scalar(other, "SELECT COUNT(*) FROM t"), .integer(1)) }
            try c.execute(text("INSERT INTO t VALUES (2)"))
            try c.rollback()
            XCTAssertEqual(try scalar(c, "SELECT COUNT(*) FROM t"), .integer(1))
        }
        try e.begin { c in try c.execute(text("INSERT INTO t VALUES (3)")) }
        XCTAssertThrowsError(try e.begin { c in
            try c.execute(text("INSERT INTO t VALUES (4)"))
            throw ArgumentError("stop")
        })
        try e.connect { c in XCTAssertEqual(try rows(c, "SELECT id FROM t ORDER BY id"), [[1], [3]]) }
    }

    func testSavepointsRollBackOnlyTheirPart() throws {
        let e = try engine()
        defer { e.dispose() }
        try e.begin { c in
            try c.execute(text("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB"))
        }
        try e.begin { c in
            try c.execute(text("INSERT INTO t VALUES (1)"))
            let sp = try c.beginNested()
            try c.execute(text("INSERT INTO t VALUES (2)"))
            try sp.rollback()
            try c.beginNested { c in try c.execute(text("INSERT INTO t VALUES (3)")) }
            XCTAssertThrowsError(try c.beginNested { c in
                try c.execute(text("INSERT INTO t VALUES (4)"))
                try c.execute(text("INSERT INTO t VALUES (1)"))  // duplicate: the savepoint rolls back
            })
            XCTAssertTrue(c.inTransaction)
        }
        try e.connect { c in XCTAssertEqual(try rows(c, "SELECT id FROM t ORDER BY id"), [[1], [3]]) }
    }

    func testIsolationLevelsGovernWhatATransactionSeesAndLocks() throws {
        let e = try engine()
        defer { e.dispose() }
        try e.begin { c in
            try c.execute(text("CREATE TABLE t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB"))
            try c.execute(text("INSERT INTO t VALUES (1, 0)"))
        }
        // REPEATABLE READ reads one snapshot; READ COMMITTED sees each commit.
        var next = 2
        for (level, seesNewRows) in [(IsolationLevel.repeatableRead, false), (.readCommitted, true)] {
            try e.connect { c in
                try c.setIsolationLevel(level)
                XCTAssertEqual(try scalar(c, "SELECT COUNT(*) FROM t"), .integer(Int64(next - 1)))
                try e.begin { other in try other.execute(text("INSERT INTO t VALUES (:n, 0)"), ["n": next]) }
                next += 1
                XCTAssertEqual(try scalar(c, "SELECT COUNT(*) FROM t"), .integer(Int64(seesNewRows ? next - 1 : next - 2)),
                               "\(level)")
                try c.commit()
            }
        }
        // SERIALIZABLE reads take shared locks: another transaction cannot change the row read.
        for (level, blocks) in [(IsolationLevel.serializable, true), (.repeatableRead, false)] {
            try e.connect { c in
                try c.setIsolationLevel(level)
                XCTAssertEqual(try scalar(c, "SELECT v FROM t WHERE id = 1"), .integer(0))
                try e.connect { other in
                    try other.execute(text("SET SESSION innodb_lock_wait_timeout = 1"))
                    do {
                        try other.execute(text("UPDATE t SET v = 0 WHERE id = 1"))
                        XCTAssertFalse(blocks, "\(level): the update should have waited for the reader's lock")
                    } catch let error as OperationalError {
                        XCTAssertTrue(blocks, "\(level): \(error)")
                        XCTAssertEqual(error.code, "1205")
                    }
                    try other.rollback()
                }
                try c.rollback()
            }
        }
        try e.connect { c in
            // Autocommit: no transaction is begun, each statement commits by itself.
            try c.setIsolationLevel(.autocommit)
            try c.execute(text("INSERT INTO t VALUES (100, 0)"))
            XCTAssertFalse(c.inTransaction)
            try e.connect { other in XCTAssertEqual(try scalar(other, "SELECT COUNT(*) FROM t WHERE id = 100"), .integer(1)) }
        }
    }

    // MARK: Errors, each provoked for real

    func testIntegrityErrorsCarryTheConstraint() throws {
        let e = try engine()
        defer { e.dispose() }
        try e.connect { c in
            try c.execute(text("""
                CREATE TABLE parent (id INT PRIMARY KEY, email VARCHAR(50), CONSTRAINT uq_parent_email UNIQUE (email))
                ENGINE=InnoDB
                """))
            try c.execute(text("""
                CREATE TABLE child (id INT PRIMARY KEY, parent_id INT NOT NULL, qty INT,
                    CONSTRAINT fk_child_parent_id_parent FOREIGN KEY (parent_id) REFERENCES parent (id),
                    CONSTRAINT ck_child_qty CHECK (qty > 0)) ENGINE=InnoDB
                """))
            try c.execute(text("INSERT INTO parent VALUES (1, 'a@example.org')"))
            try c.execute(text("INSERT INTO child VALUES (1, 1, 5)"))
            try c.commit()

            let unique = expectError(IntegrityError.self) {
                try c.execute(text("INSERT INTO parent VALUES (:id, :email)"), ["id": 2, "email": "a@example.org"])
            }
            XCTAssertEqual(unique?.kind, .unique)
            XCTAssertEqual(unique?.constraintName, "uq_parent_email")
            XCTAssertEqual(unique?.code, "1062")
            XCTAssertEqual(unique?.sql, "INSERT INTO parent VALUES (?, ?)")
            XCTAssertTrue(unique?.message.contains("Duplicate entry 'a@example.org'") == true, unique?.message ?? "")
            let primary = expectError(IntegrityError.self) { try c.execute(text("INSERT INTO parent VALUES (1, 'b')")) }
            XCTAssertEqual(primary?.constraintName, "PRIMARY")

            let orphan = expectError(IntegrityError.self) { try c.execute(text("INSERT INTO child VALUES (2, 99, 1)")) }
            XCTAssertEqual(orphan?.kind, .foreignKey)
            XCTAssertEqual(orphan?.code, "1452")
            XCTAssertEqual(orphan?.constraintName, "fk_child_parent_id_parent")
            XCTAssertEqual(orphan?.tableName, "child")
            XCTAssertEqual(orphan?.columnNames, ["parent_id"])
            let referenced = expectError(IntegrityError.self) { try c.execute(text("DELETE FROM parent WHERE id = 1")) }
            XCTAssertEqual(referenced?.kind, .foreignKey)
            XCTAssertEqual(referenced?.code, "1451")
            XCTAssertEqual(referenced?.constraintName, "fk_child_parent_id_parent")

            let missing = expectError(IntegrityError.self) {
                try c.execute(text("INSERT INTO child (id, parent_id, qty) VALUES (3, :p, 1)"), ["p": nil])
            }
            XCTAssertEqual(missing?.kind, .notNull)
            XCTAssertEqual(missing?.code, "1048")
            XCTAssertEqual(missing?.columnNames, ["parent_id"])

            let check = expectError(IntegrityError.self) { try c.execute(text("INSERT INTO child VALUES (4, 1, -1)")) }
            XCTAssertEqual(check?.kind, .check)
            XCTAssertEqual(check?.code, "4025")
            XCTAssertEqual(check?.constraintName, "ck_child_qty")
            // After each error the transaction and the connection go on.
            XCTAssertEqual(try scalar(c, "SELECT COUNT(*) FROM child"), .integer(1))
        }
    }

    func testMySQLEightsCheckErrorIsMappedLikeMariaDBs() {
        // MySQL 8 reports a failed CHECK as 3819, which MariaDB never sends.
        let error = MySQLErrors.error(
            .init(number: 3819, sqlState: "HY000", message: "Check constraint 'ck_child_qty' is violated."), sql: "INSERT …")
        let integrity = error as? IntegrityError
        XCTAssertEqual(integrity?.kind, .check)
        XCTAssertEqual(integrity?.constraintName, "ck_child_qty")
        // MySQL 8 names a unique key with its table.
        let unique = MySQLErrors.error(
            .init(number: 1062, sqlState: "23000", message: "Duplicate entry 'a' for key 'users.uq_users_email'"), sql: nil)
        XCTAssertEqual((unique as? IntegrityError)?.constraintName, "uq_users_email")
        XCTAssertEqual((unique as? IntegrityError)?.tableName, "users")
    }

    func testProgrammingErrorsCarryTheSQL() throws {
        let e = try engine()
        defer { e.dispose() }
        try e.connect { c in
            let table = expectError(ProgrammingError.self) { try c.execute(text("SELECT * FROM no_such_table")) }
            XCTAssertEqual(table?.kind, .undefinedTable)
            XCTAssertEqual(table?.code, "1146")
            XCTAssertEqual(table?.sql, "SELECT * FROM no_such_table")
            XCTAssertTrue(table?.description.contains("SQL: SELECT * FROM no_such_table") == true)
            let syntax = expectError(ProgrammingError.self) { try c.execute(text("SELEC 1")) }
            XCTAssertEqual(syntax?.kind, .syntax)
            XCTAssertEqual(syntax?.code, "1064")
            let command = expectError(ProgrammingError.self) { try c.execute(text("CREATE TABLE (")) }
            XCTAssertEqual(command?.kind, .syntax)
            let column = expectError(ProgrammingError.self) { try c.execute(text("SELECT nope FROM information_schema.tables")) }
            XCTAssertEqual(column?.kind, .undefinedColumn)
            let count = expectError(InterfaceError.self) { try c.execute(text("SELECT :a, :b"), ["a": 1]) }
            XCTAssertNotNil(count)
            XCTAssertEqual(try scalar(c, "SELECT 1"), .integer(1), "still usable")
        }
    }

    func testDeadlockAndLockWaitTimeoutSayTheyCanBeRetried() throws {
        let url = try MariaDBTestServer.freshDatabaseURL()
        let e = try engine(url)
        defer { e.dispose() }
        try e.begin { c in
            try c.execute(text("CREATE TABLE t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB"))
            try c.execute(text("INSERT INTO t VALUES (1, 0), (2, 0)"))
        }
        // Lock wait timeout: a row held by another transaction.
        let holder = try e.connect()
        let waiter = try e.connect()
        defer {
            holder.close()
            waiter.close()
        }
        try holder.execute(text("UPDATE t SET v = 1 WHERE id = 1"))
        try waiter.execute(text("SET SESSION innodb_lock_wait_timeout = 1"))
        let timeout = expectError(OperationalError.self) { try waiter.execute(text("UPDATE t SET v = 2 WHERE id = 1")) }
        XCTAssertEqual(timeout?.kind, .timeout)
        XCTAssertEqual(timeout?.code, "1205")
        XCTAssertTrue(timeout?.message.contains("retry") == true, timeout?.message ?? "")
        XCTAssertEqual(timeout?.sql, "UPDATE t SET v = 2 WHERE id = 1")
        try holder.rollback()
        try waiter.rollback()

        // Deadlock: each holds the row the other wants.
        try waiter.execute(text("SET SESSION innodb_lock_wait_timeout = 20"))
        try holder.execute(text("UPDATE t SET v = 1 WHERE id = 1"))
        try waiter.execute(text("UPDATE t SET v = 1 WHERE id = 2"))
        let outcome = LockedBox<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let holderBox = UncheckedBox(holder)
        Thread.detachNewThread {
            do { try holderBox.value.execute(text("UPDATE t SET v = 3 WHERE id = 2")) } catch { outcome.mutate { $0 = error } }
            done.signal()
        }
        usleep(300_000)  // the holder now waits for row 2
        var errors: [any Error] = []
        do { try waiter.execute(text("UPDATE t SET v = 3 WHERE id = 1")) } catch { errors.append(error) }
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success)
        if let error = outcome.value { errors.append(error) }
        XCTAssertEqual(errors.count, 1, "exactly one of the two is chosen as the victim: \(errors)")
        let deadlock = errors.first as? OperationalError
        XCTAssertEqual(deadlock?.code, "1213")
        XCTAssertEqual(deadlock?.kind, .other)
        XCTAssertTrue(deadlock?.message.contains("retry") == true, deadlock?.message ?? "")
    }

    // MARK: Lost connections and the pool

    func testAKilledConnectionIsLostAndThePoolReplacesIt() throws {
        let e = try engine()
        defer { e.dispose() }
        let c = try e.connect()
        let id = try scalar(c, "SELECT CONNECTION_ID()")
        try c.commit()
        try MariaDBTestServer.runAdmin("KILL \(id)")
        let lost = expectError(OperationalError.self) { try c.execute(text("SELECT 1")) }
        XCTAssertEqual(lost?.kind, .connectionLost)
        XCTAssertTrue(lost?.isDisconnect == true)
        XCTAssertTrue(lost?.message.contains("the connection to the server was lost") == true, lost?.message ?? "")
        XCTAssertTrue(["2006", "2013", "1927", "4031"].contains(lost?.code ?? ""), lost?.code ?? "")
        try c.rollback()
        // The dead connection was discarded: the next statement gets a new one.
        let again = try scalar(c, "SELECT CONNECTION_ID()")
        XCTAssertNotEqual(again, id)
        c.close()
    }

    func testPrePingReplacesConnectionsKilledOrTimedOutWhileIdle() throws {
        let e = try engine(pool: PoolOptions(size: 1, prePing: true))
        defer { e.dispose() }
        let first = try e.connect { c in try scalar(c, "SELECT CONNECTION_ID()") }
        try MariaDBTestServer.runAdmin("KILL \(first)")
        let second = try e.connect { c in try scalar(c, "SELECT CONNECTION_ID()") }
        XCTAssertNotEqual(second, first, "the killed connection was pinged and replaced")
        // MySQL drops connections idle beyond wait_timeout.
        try e.connect { c in try c.execute(text("SET SESSION wait_timeout = 1")) }
        sleep(3)
        let third = try e.connect { c in try scalar(c, "SELECT CONNECTION_ID()") }
        XCTAssertNotEqual(third, second, "the timed-out connection was replaced")
        XCTAssertEqual(e.poolStatus.idle, 1)
    }

    func testConnectionStateAndClose() throws {
        let driver = try MySQLDriver(url: DatabaseURL(MariaDBTestServer.url()))
        let c = try driver.connect()
        XCTAssertNotNil(c.serverVersion.range(of: #"^\d+\.\d+\.\d+(-MariaDB)?$"#, options: .regularExpression),
                        c.serverVersion)
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

    // MARK: URLs

    func testURLSchemesAndOptions() throws {
        for scheme in ["mysql", "mariadb", "mysql+libmariadb", "MySQL"] {
            let url = try DatabaseURL("\(scheme)://app:s%40cret@db.internal:3307/shop?ssl_mode=REQUIRED&connect_timeout=5")
            XCTAssertEqual(url.backend, "mysql", scheme)
            let driver = try MySQLDriver(url: url)
            XCTAssertEqual(driver.dialect.name, "mysql")
            XCTAssertEqual(driver.host, "db.internal")
            XCTAssertEqual(driver.port, 3307)
            XCTAssertEqual(driver.user, "app")
            XCTAssertEqual(driver.password, "s@cret")
            XCTAssertEqual(driver.database, "shop")
            XCTAssertEqual(driver.sslMode, .required)
            XCTAssertEqual(driver.connectTimeout, 5)
            XCTAssertFalse(url.description.contains("cret"))
        }
        XCTAssertEqual(try MySQLDriver(url: DatabaseURL("mysql://u@h/db")).port, 3306)
        XCTAssertThrowsError(try DatabaseURL("mysql+pymysql://u@h/db"))
        let unknown = expectError(ArgumentError.self) { _ = try MySQLDriver(url: DatabaseURL("mysql://u@h/db?sslmode=x")) }
        XCTAssertTrue(unknown?.message.contains("'sslmode'") == true && unknown?.message.contains("ssl_mode") == true,
                      unknown?.message ?? "")
        let mode = expectError(ArgumentError.self) { _ = try MySQLDriver(url: DatabaseURL("mysql://u@h/db?ssl_mode=maybe")) }
        XCTAssertTrue(mode?.message.contains("VERIFY_IDENTITY") == true, mode?.message ?? "")
        for (value, expected) in [("disabled", MySQLDriver.SSLMode.disabled), ("PREFERRED", .preferred),
                                  ("verify_ca", .verifyCA), ("VERIFY_IDENTITY", .verifyIdentity)] {
            XCTAssertEqual(try MySQLDriver(url: DatabaseURL("mysql://u@h/db?ssl_mode=\(value)")).sslMode, expected)
        }
        let charset = expectError(ArgumentError.self) { _ = try MySQLDriver(url: DatabaseURL("mysql://u@h/db?charset=latin1")) }
        XCTAssertTrue(charset?.message.contains("utf8mb4") == true)
        XCTAssertNoThrow(try MySQLDriver(url: DatabaseURL("mysql://u@h/db?charset=utf8mb4")))
        _ = expectError(ArgumentError.self) { _ = try MySQLDriver(url: DatabaseURL("mysql://u@h/db?connect_timeout=soon")) }
        let socket = try MySQLDriver(url: DatabaseURL("mysql://u@/db?unix_socket=/run/mysqld/mysqld.sock"))
        XCTAssertEqual(socket.unixSocket, "/run/mysqld/mysqld.sock")
        XCTAssertEqual(socket.targetDescription, "unix socket /run/mysqld/mysqld.sock")
        _ = expectError(ArgumentError.self) { _ = try MySQLDriver(url: DatabaseURL("postgresql://u@h/db")) }
    }

    func testUnixSocketAndTCPURLsReachTheServer() throws {
        let fresh = try DatabaseURL(MariaDBTestServer.freshDatabaseURL())
        guard let socket = try MariaDBTestServer.socketPath(), let tcp = try MariaDBTestServer.tcpURL(database: fresh.database)
        else { throw XCTSkip("RETORT_TEST_MYSQL_URL names the server: no socket or TCP port of our own") }
        let viaSocket = try engine("mysql://root@/\(fresh.database ?? "")?unix_socket=\(socket)")
        defer { viaSocket.dispose() }
        try viaSocket.connect { c in
            XCTAssertEqual(try scalar(c, "SELECT DATABASE()"), .text(fresh.database ?? ""))
            XCTAssertEqual(try scalar(c, "SELECT @@socket"), .text(socket))
            XCTAssertEqual(try scalar(c, "SELECT @@session.time_zone"), .text("+00:00"))
        }
        let viaTCP = try engine(tcp + "?connect_timeout=5&ssl_mode=PREFERRED&read_timeout=30")
        defer { viaTCP.dispose() }
        try viaTCP.connect { c in
            XCTAssertEqual(try scalar(c, "SELECT DATABASE()"), .text(fresh.database ?? ""))
            XCTAssertEqual(try scalar(c, "SELECT SUBSTRING_INDEX(USER(), '@', -1)"), .text("127.0.0.1"))
        }
        let disabled = try engine(tcp + "?ssl_mode=DISABLED")
        defer { disabled.dispose() }
        try disabled.connect { c in
            XCTAssertEqual(try rows(c, "SHOW SESSION STATUS LIKE 'Ssl_cipher'").first?[1], .text(""))
        }
        // The throwaway server has no TLS: REQUIRED refuses to go on in clear.
        let required = try engine(tcp + "?ssl_mode=REQUIRED")
        defer { required.dispose() }
        let tls = expectError(OperationalError.self) { _ = try required.connect { c in try scalar(c, "SELECT 1") } }
        XCTAssertEqual(tls?.kind, .cannotConnect)
        XCTAssertTrue(tls?.message.lowercased().contains("ssl") == true || tls?.message.contains("TLS") == true,
                      tls?.message ?? "")
    }

    func testConnectFailuresSayWhatToDo() throws {
        guard let wrong = try MariaDBTestServer.passwordURL(password: "wrong-password-123"),
            let right = try MariaDBTestServer.passwordURL(password: MariaDBTestServer.userPassword)
        else { throw XCTSkip("RETORT_TEST_MYSQL_URL names the server") }
        try engine(right).connect { c in XCTAssertEqual(try scalar(c, "SELECT 1"), .integer(1)) }
        let denied = expectError(OperationalError.self) { _ = try engine(wrong).connect() }
        XCTAssertEqual(denied?.kind, .authenticationFailed)
        XCTAssertTrue(denied?.message.contains("retort_pw") == true, denied?.message ?? "")
        XCTAssertFalse(denied?.message.contains("wrong-password-123") == true)

        var missing = try DatabaseURL(right)
        missing.database = "retort_no_such_db"
        let noDB = expectError(OperationalError.self) { _ = try engine(missing.render(maskPassword: false)).connect() }
        XCTAssertEqual(noDB?.kind, .cannotConnect)
        XCTAssertTrue(noDB?.message.contains("'retort_no_such_db' does not exist") == true, noDB?.message ?? "")

        let port = try LocalCluster.freePort()
        let refused = expectError(OperationalError.self) {
            _ = try engine("mysql://root@127.0.0.1:\(port)/x?connect_timeout=2").connect()
        }
        XCTAssertEqual(refused?.kind, .cannotConnect)
        XCTAssertTrue(refused?.message.contains("127.0.0.1:\(port)") == true, refused?.message ?? "")
        let noSocket = expectError(OperationalError.self) {
            _ = try engine("mysql://root@/x?unix_socket=/nonexistent-retort-dir/mysqld.sock").connect()
        }
        XCTAssertTrue(noSocket?.message.contains("unix socket /nonexistent-retort-dir/mysqld.sock") == true,
                      noSocket?.message ?? "")
    }
}

/// Hands a non-Sendable value to one other thread that alone uses it meanwhile.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
