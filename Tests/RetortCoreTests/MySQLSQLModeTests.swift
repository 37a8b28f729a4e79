import Foundation
import RetortTestSupport
import XCTest

@testable import RetortCore

/// A value written through Retort on MySQL/MariaDB is stored as given or refused with an
/// error, never silently changed: every connection adds ``MySQLDriver/sessionSQLModes``
/// to the server's `sql_mode`, whatever that is.
final class MySQLSQLModeTests: XCTestCase {
    private func scalar(_ c: Connection, _ sql: String) throws -> SQLValue {
        try XCTUnwrap(c.execute(text(sql)).all().first?.values.first)
    }

    /// Runs `body` on a server whose global `sql_mode` is empty, as MySQL before 5.7 and
    /// MariaDB before 10.2.4 shipped (and many servers still run): no strict mode at all.
    /// The setting is put back afterwards; only connections opened meanwhile see it.
    private func onLaxServer(_ body: (Engine) throws -> Void) throws {
        let url = try MariaDBTestServer.freshDatabaseURL()
        let probe = try createEngine(url)
        let global = try probe.connect { c -> String in
            guard case .text(let mode) = try scalar(c, "SELECT @@GLOBAL.sql_mode") else { return "" }
            return mode
        }
        probe.dispose()
        try MariaDBTestServer.runAdmin("SET GLOBAL sql_mode = ''")
        defer { try? MariaDBTestServer.runAdmin("SET GLOBAL sql_mode = '\(global)'") }
        let engine = try createEngine(url)  // its connections open under the empty global mode
        defer { engine.dispose() }
        try body(engine)
    }

    func testEveryConnectionAddsTheProtectingModesToTheServers() throws {
        try onLaxServer { engine in
            try engine.connect { c in
                guard case .text(let mode) = try scalar(c, "SELECT @@SESSION.sql_mode") else { return XCTFail("no sql_mode") }
                XCTAssertEqual(Set(mode.split(separator: ",").map(String.init)), Set(MySQLDriver.sessionSQLModes), mode)
                XCTAssertEqual(try scalar(c, "SELECT @@SESSION.time_zone"), .text("+00:00"))
            }
        }
        // A server's own flags are kept beside ours.
        let engine = try createEngine(MariaDBTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        try engine.connect { c in
            guard case .text(let global) = try scalar(c, "SELECT @@GLOBAL.sql_mode"),
                  case .text(let session) = try scalar(c, "SELECT @@SESSION.sql_mode") else { return XCTFail("no sql_mode") }
            let flags = Set(session.split(separator: ",").map(String.init))
            XCTAssertTrue(flags.isSuperset(of: global.split(separator: ",").map(String.init)), "\(global) vs \(session)")
            XCTAssertTrue(flags.isSuperset(of: MySQLDriver.sessionSQLModes), session)
        }
    }

    /// An explicit 0 for an AUTO_INCREMENT key is the key 0 (MySQL's default replaces it
    /// with the next number), through one insert, an executemany, and the ORM-style
    /// insert of a Core table; a NULL or a left-out key still numbers the row.
    func testAnExplicitZeroKeyIsStoredAsZero() throws {
        let engine = try createEngine(MariaDBTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        let m = MetaData()
        let t = Table("counters", m, Column("id", .integer, primaryKey: true), Column("label", .string(20), nullable: false))
        try m.createAll(engine)
        try engine.begin { c in
            try c.execute(t.insert(), ["id": 0, "label": "zero"])
            try c.execute(t.insert(), ["label": "numbered"])
        }
        try engine.connect { c in
            let rows = try c.execute(select(t.c.id, t.c.label).orderBy(t.c.id)).all()
            XCTAssertEqual(rows.map(\.values), [[.integer(0), .text("zero")], [.integer(1), .text("numbered")]])
        }
        try engine.begin { c in
            try c.execute(t.delete())
            try c.execute(t.insert(), [["id": 5, "label": "five"], ["id": 0, "label": "zero again"], ["id": nil, "label": "null"]])
        }
        try engine.connect { c in
            let rows = try c.execute(select(t.c.id, t.c.label).orderBy(t.c.id)).all()
            XCTAssertEqual(rows.map(\.values), [[.integer(0), .text("zero again")], [.integer(5), .text("five")],
                                                [.integer(6), .text("null")]])
        }
    }

    /// One column of every kind that MySQL would otherwise bend a value to fit.
    private static let createValues = """
        CREATE TABLE vals (id INT AUTO_INCREMENT PRIMARY KEY, t TINYINT, s SMALLINT, i INT, b BIGINT,
          u INT UNSIGNED, v VARCHAR(5), c CHAR(3), d DECIMAL(5,2), dt DATE, ts DATETIME(6), e ENUM('a','b'), f TINYINT(1))
        ENGINE=InnoDB
        """

    /// A value the column cannot hold: out of its range, too long, not a valid date, not
    /// one of the enum's values, not a number at all.
    private func badValue(for column: String, _ g: inout SeededGenerator) -> SQLValue {
        func outside(_ low: Int64, _ high: Int64) -> SQLValue {
            Bool.random(using: &g) ? .integer(high + Int64.random(in: 1...1_000_000, using: &g))
                : .integer(low - Int64.random(in: 1...1_000_000, using: &g))
        }
        func tooLong(_ limit: Int) -> SQLValue {
            let letters = Array("abcdefghijé€😀xyz")
            return .text(String((0..<Int.random(in: (limit + 1)...(limit + 12), using: &g)).map { _ in letters.randomElement(using: &g)! }))
        }
        switch column {
        case "t": return Bool.random(using: &g) ? outside(-128, 127) : .text(["12abc", "x", "1e9"].randomElement(using: &g)!)
        case "s": return outside(-32768, 32767)
        case "i": return Bool.random(using: &g) ? outside(Int64(Int32.min), Int64(Int32.max)) : .text(["7 apples", "seven"].randomElement(using: &g)!)
        case "b": return .text(["99999999999999999999", "-99999999999999999999"].randomElement(using: &g)!)
        case "u": return .integer(-Int64.random(in: 1...1_000_000, using: &g))
        case "v": return tooLong(5)
        case "c": return tooLong(3)
        case "d":
            let whole = Int.random(in: 1000...9_999_999, using: &g)
            return Bool.random(using: &g) ? .text("\(Bool.random(using: &g) ? "-" : "")\(whole).5") : .real(Double(whole))
        case "dt": return .text(["2023-02-30", "2023-13-01", "0000-00-00", "2023-00-10", "2023-04-00", "someday"].randomElement(using: &g)!)
        case "ts": return .text(["2023-02-29 10:00:00", "2023-01-01 25:00:00", "0000-00-00 00:00:00", "2023-06-31 00:00:00"].randomElement(using: &g)!)
        case "e": return .text(["c", "", "A b", "aa"].randomElement(using: &g)!)
        default: return outside(-128, 127)  // f, a TINYINT(1)
        }
    }

    /// A value the column holds exactly, at the edges of its range.
    private func goodValue(for column: String, _ g: inout SeededGenerator) -> SQLValue {
        switch column {
        case "t": return .integer([-128, 127, 0, Int64.random(in: -128...127, using: &g)].randomElement(using: &g)!)
        case "s": return .integer([-32768, 32767, Int64.random(in: -32768...32767, using: &g)].randomElement(using: &g)!)
        case "i": return .integer([Int64(Int32.min), Int64(Int32.max), 0].randomElement(using: &g)!)
        case "b": return .integer([Int64.min, Int64.max, 0].randomElement(using: &g)!)
        case "u": return .integer([0, Int64(UInt32.max)].randomElement(using: &g)!)
        case "v": return .text(["", "abcde", "é€😀ab"].randomElement(using: &g)!)
        case "c": return .text(["abc", "😀é", "x"].randomElement(using: &g)!)
        case "d": return .text(["999.99", "-999.99", "0.00", "12.50"].randomElement(using: &g)!)
        case "dt": return .text(["2024-02-29", "1000-01-01", "9999-12-31"].randomElement(using: &g)!)
        case "ts": return .text(["2024-02-29 23:59:59.999999", "1970-01-01 00:00:00.000000"].randomElement(using: &g)!)
        case "e": return .text(["a", "b"].randomElement(using: &g)!)
        default: return .integer([0, 1, 127, -128].randomElement(using: &g)!)
        }
    }

    /// How the column's stored value reads back, to compare with a good value.
    private func stored(_ column: String) -> String {
        switch column {
        case "d": return "CAST(d AS CHAR)"
        case "dt": return "DATE_FORMAT(dt, '%Y-%m-%d')"
        case "ts": return "DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f')"
        case "i", "t", "s", "b", "u", "f": return "CAST(\(column) AS SIGNED)"
        default: return column
        }
    }

    private func normalised(_ v: SQLValue) -> SQLValue {
        if case .text(let s) = v, let i = Int64(s) { return .integer(i) }
        return v
    }

    /// Seeded: every value MySQL would cut, clip, zero or replace is refused with a
    /// DataError, by INSERT (one row and executemany) and by UPDATE, and leaves the rows
    /// as they were; every value the column can hold reads back unchanged. Run on a
    /// server without strict mode, where every one of them used to be stored changed.
    func testValuesTheColumnCannotHoldAreRefusedNeverChanged() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["RETORT_SEED"] ?? "") ?? 20261207
        var g = SeededGenerator(seed: seed)
        let columns = ["t", "s", "i", "b", "u", "v", "c", "d", "dt", "ts", "e", "f"]
        try onLaxServer { engine in
            try engine.connect { c in
                try c.execute(text(Self.createValues))
                for round in 0..<150 {
                    let column = columns.randomElement(using: &g)!
                    let bad = badValue(for: column, &g)
                    let good = goodValue(for: column, &g)
                    let context = "seed \(seed) round \(round): \(column) = \(bad)"
                    try c.execute(text("DELETE FROM vals"))
                    try c.execute(text("INSERT INTO vals (id, \(column)) VALUES (1, :v)"), ["v": good])
                    XCTAssertEqual(normalised(try scalar(c, "SELECT \(stored(column)) FROM vals WHERE id = 1")), normalised(good),
                                   "a value the column holds reads back as written: \(column) = \(good)")
                    switch Int.random(in: 0..<3, using: &g) {
                    case 0:
                        XCTAssertThrowsError(try c.execute(text("INSERT INTO vals (id, \(column)) VALUES (2, :v)"), ["v": bad]),
                                             context) { XCTAssertTrue($0 is DataError, "\(context): \($0)") }
                    case 1:
                        // The bad value second in an executemany.
                        XCTAssertThrowsError(try c.execute(text("INSERT INTO vals (id, \(column)) VALUES (:id, :v)"),
                                                           [["id": 2, "v": good], ["id": 3, "v": bad]]),
                                             context) { XCTAssertTrue($0 is DataError, "\(context): \($0)") }
                        try c.execute(text("DELETE FROM vals WHERE id = 2"))
                    default:
                        XCTAssertThrowsError(try c.execute(text("UPDATE vals SET \(column) = :v WHERE id = 1"), ["v": bad]),
                                             context) { XCTAssertTrue($0 is DataError, "\(context): \($0)") }
                    }
                    XCTAssertEqual(try scalar(c, "SELECT COUNT(*) FROM vals"), .integer(1), context)
                    XCTAssertEqual(normalised(try scalar(c, "SELECT \(stored(column)) FROM vals WHERE id = 1")), normalised(good), context)
                }
                // Division by zero in a written value is an error, not NULL.
                try c.execute(text("DELETE FROM vals"))
                XCTAssertThrowsError(try c.execute(text("INSERT INTO vals (id, i) VALUES (1, :a / :b)"), ["a": 7, "b": 0])) {
                    XCTAssertTrue($0 is DataError, "\($0)")
                }
                XCTAssertEqual(try scalar(c, "SELECT COUNT(*) FROM vals"), .integer(0))
                // Making a column with NULLs NOT NULL fails, rather than writing 0 over them.
                try c.execute(text("INSERT INTO vals (id, i) VALUES (1, NULL)"))
                XCTAssertThrowsError(try c.execute(text("ALTER TABLE vals MODIFY i INT NOT NULL"))) {
                    XCTAssertTrue($0 is DataError, "\($0)")
                }
                XCTAssertEqual(try scalar(c, "SELECT i IS NULL FROM vals WHERE id = 1"), .integer(1))
            }
        }
    }
}
