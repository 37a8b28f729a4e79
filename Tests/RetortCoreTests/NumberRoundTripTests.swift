import Foundation
import XCTest
@testable import RetortCore
import RetortTestSupport

/// Boundary numbers, written by Retort and read back, and written by hand-typed SQL
/// (as another tool would) and read by Retort, on both databases.
final class NumberRoundTripTests: XCTestCase {
    /// 16 to 38 significant digits, tiny and huge exponents: what each database keeps.
    static let boundaryDecimals = [
        "1234567890123456.5", "33333.33333333333333333333333333333", "-123456789012345678.0123456789",
        "9999999999999999999999999999", "12345678901234567890123456789012345678", "0.1", "-3", "0",
        "9223372036854775807", "9223372036854775808", "1e-30", "-2.5e-20", "1e100", "-7e60", "0.30000000000000004",
    ]

    /// The decimals go into an unconstrained NUMERIC column: PostgreSQL keeps every
    /// digit; SQLite keeps whole numbers to 19 digits and 15 significant digits
    /// otherwise, the nearest double beyond; both compare and sort them as numbers.
    func testBoundaryDecimalsRoundTripAndSortAsNumbers() throws {
        // Not on MySQL: a DECIMAL has at most 65 digits and needs its precision declared
        // (a bare `numeric` is refused there, see MySQLDialectTests).
        try forEachBackend(includeMySQL: false) { engine in
            let db = engine.dialect.name
            let exact = !engine.dialect.name.hasPrefix("sqlite")
            let m = MetaData()
            let t = Table("ledger", m, Column("id", .integer, primaryKey: true), Column("amount", .numeric))
            try m.createAll(engine)
            let values = Self.boundaryDecimals.map { Decimal(string: $0)! }
            try engine.begin { conn in
                try conn.execute(t.insert().values(values.enumerated().map { ["id": $0.offset + 1, "amount": $0.element] }))
            }
            try engine.connect { conn in
                let back = try conn.scalars(select(t.c.amount).orderBy(t.c.id), as: Decimal.self).all()
                for (i, (got, want)) in zip(back, values).enumerated() {
                    if exact || Self.fitsSQLite(Self.boundaryDecimals[i]) {
                        XCTAssertEqual(got, want, "\(db) \(Self.boundaryDecimals[i])")
                    } else {
                        XCTAssertEqual(Double(got.description)!, Double(want.description)!, "\(db) \(Self.boundaryDecimals[i])")
                    }
                }
                // Ordered as numbers: the database's order is the values' order.
                let ordered = try conn.scalars(select(t.c.id).orderBy(t.c.amount, t.c.id), as: Int.self).all()
                let expected = values.enumerated().sorted { ($0.element, $0.offset) < ($1.element, $1.offset) }.map { $0.offset + 1 }
                XCTAssertEqual(ordered.map { Self.boundaryDecimals[$0 - 1] }, expected.map { Self.boundaryDecimals[$0 - 1] }, db)
                // A long decimal computed in Swift compares as a number.
                let third = Decimal(100_000) / Decimal(3)
                let above = try conn.scalars(select(t.c.id).where(t.c.amount > third).orderBy(t.c.id), as: Int.self).all()
                XCTAssertEqual(above, values.enumerated().filter { $0.element > third }.map { $0.offset + 1 }, db)
                // A Double goes as the number it is.
                let sum = 0.1 + 0.2
                let matched = try conn.scalars(select(t.c.id).where(t.c.amount >= sum).where(t.c.amount < 1), as: Int.self).all()
                XCTAssertEqual(matched, [15], "\(db): 0.1 + 0.2 is 0.30000000000000004")
                if !exact {
                    let kinds = try conn.scalars(text("SELECT DISTINCT typeof(amount) FROM ledger"), as: String.self).all()
                    XCTAssertEqual(Set(kinds), ["integer", "real"], "no decimal is stored as text or a blob")
                }
            }
            // Written by hand, read by Retort.
            try engine.begin { conn in
                try conn.execute(text("INSERT INTO ledger (id, amount) VALUES (100, 33333.333333333333333333333333), "
                                      + "(101, 1e-30), (102, -0.0), (103, 12345678901234567890.5)"))
            }
            try engine.connect { conn in
                let typed = try conn.scalars(select(t.c.amount).where(t.c.id >= 100).orderBy(t.c.id), as: Decimal.self).all()
                if exact {
                    XCTAssertEqual(typed, ["33333.333333333333333333333333", "1e-30", "0", "12345678901234567890.5"].map { Decimal(string: $0)! })
                } else {
                    XCTAssertEqual(typed.map { Double($0.description)! }, [33333.333333333333, 1e-30, 0, 12345678901234567890.5])
                }
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t).where(t.c.amount == Decimal(0)), as: Int.self), 2, db)
            }
        }
    }

    /// A decimal bound for a text column is its text, every digit kept, on both databases.
    func testDecimalsInATextColumnKeepEveryDigit() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("notes", m, Column("id", .integer, primaryKey: true), Column("v", .text))
            try m.createAll(engine)
            let long = Decimal(string: "33333.33333333333333333333333333333")!
            try engine.begin { conn in try conn.execute(t.insert().values(["id": 1, "v": long])) }
            let back = try engine.connect { conn in try conn.scalar(select(t.c.v), as: String.self) }
            XCTAssertEqual(back, "33333.33333333333333333333333333333", engine.dialect.name)
        }
    }

    /// Negative zero and the extremes of a Double, through a REAL / DOUBLE PRECISION column.
    func testBoundaryDoublesRoundTrip() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("floats", m, Column("id", .integer, primaryKey: true), Column("v", .double))
            try m.createAll(engine)
            let values: [Double] = [-0.0, 0.1 + 0.2, 1e-300, -1.7976931348623157e308, Double.leastNonzeroMagnitude, 123456789.123456789]
            try engine.begin { conn in
                try conn.execute(t.insert().values(values.enumerated().map { ["id": $0.offset + 1, "v": $0.element] }))
            }
            let back = try engine.connect { conn in try conn.scalars(select(t.c.v).orderBy(t.c.id), as: Double.self).all() }
            XCTAssertEqual(back, values, engine.dialect.name)
        }
    }

    static func fitsSQLite(_ text: String) -> Bool {
        let d = Decimal(string: text)!
        if let i = Int64(SQLiteDecimalStorage.canonicalText(d)) { return Decimal(i) == d }
        var digits = SQLiteDecimalStorage.canonicalText(d).utf8.filter { $0 >= 0x30 && $0 <= 0x39 }[...]
        while digits.first == 0x30 { digits.removeFirst() }
        while digits.last == 0x30 { digits.removeLast() }
        return digits.count <= 15 && !text.contains("e")
    }
}
