import Foundation
import XCTest
@testable import RetortCore
import RetortTestSupport

/// Every type, written through the expression language and read back, on real databases.
final class TypeRoundTripTests: XCTestCase {
    func testEveryTypeRoundTrips() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("typed", m,
                          Column("id", .integer, primaryKey: true),
                          Column("i", .integer), Column("big", .bigint), Column("small", .smallint),
                          Column("s", .string(20)), Column("txt", .text), Column("flag", .boolean),
                          Column("f", .float), Column("d", .double), Column("money", .numeric(12, 2)),
                          Column("day", .date), Column("at", .datetime), Column("atz", .datetime(timezone: true)),
                          Column("clock", .time), Column("bytes", .binary), Column("doc", .json), Column("token", .uuid),
                          Column("format", .enum("book_format", ["hardcover", "paperback", "ebook"])))
            try m.createAll(engine)

            let day = Date(timeIntervalSince1970: 86_400 * 19_000)                 // 2022-01-08
            let at = Date(timeIntervalSince1970: 1_700_000_000.25)                  // with a fraction
            let atz = Date(timeIntervalSince1970: 1_600_000_000)
            let clock = Date(timeIntervalSince1970: 12 * 3600 + 30 * 60 + 45.5)    // 12:30:45.5
            let money = Decimal(string: "1234567890.12")!
            let token = UUID()
            let bytes = Data([0, 1, 2, 255, 0])
            let doc = #"{"a": [1, 2], "b": "x"}"#

            try engine.begin { conn in
                try conn.execute(t.insert().values([
                    "i": 42, "big": Int64.max, "small": Int16(-7), "s": "héllo 😀", "txt": String(repeating: "long ", count: 100),
                    "flag": true, "f": Float(1.5), "d": 0.1, "money": money, "day": day, "at": at, "atz": atz, "clock": clock,
                    "bytes": bytes, "doc": doc, "token": token, "format": "ebook",
                ]))
                try conn.execute(t.insert().values(["i": nil, "flag": false]))
            }
            try engine.connect { conn in
                let row = try conn.execute(select(t).where(t.c.i == 42)).one()
                XCTAssertEqual(try row.get("i", as: Int.self), 42)
                XCTAssertEqual(try row.get("big", as: Int64.self), Int64.max)
                XCTAssertEqual(try row.get("small", as: Int16.self), -7)
                XCTAssertEqual(try row.get("s", as: String.self), "héllo 😀")
                XCTAssertEqual(try row.get("txt", as: String.self).count, 500)
                XCTAssertEqual(try row.get("flag", as: Bool.self), true)
                XCTAssertEqual(try row.get("f", as: Float.self), 1.5)
                XCTAssertEqual(try row.get("d", as: Double.self), 0.1)
                XCTAssertEqual(try row.get("money", as: Decimal.self), money)
                XCTAssertEqual(try row.get("day", as: Date.self), day)
                XCTAssertEqual(try row.get("at", as: Date.self), at)
                XCTAssertEqual(try row.get("atz", as: Date.self), atz)
                XCTAssertEqual(try row.get("clock", as: Date.self), clock)
                XCTAssertEqual(try row.get("bytes", as: Data.self), bytes)
                let json = try JSONSerialization.jsonObject(with: Data(try row.get("doc", as: String.self).utf8)) as? NSDictionary
                XCTAssertEqual(json, ["a": [1, 2], "b": "x"] as NSDictionary)
                XCTAssertEqual(try row.get("token", as: UUID.self), token)
                XCTAssertEqual(try row.get("format", as: String.self), "ebook")

                // Values compared with typed columns bind by the column's type.
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t).where(t.c.day == day), as: Int.self), 1)
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t).where(t.c.at == at), as: Int.self), 1)
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t).where(t.c.clock == clock), as: Int.self), 1)
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t).where(t.c.token == token), as: Int.self), 1)
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t).where(t.c.money == money), as: Int.self), 1)
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t).where(t.c.flag == false), as: Int.self), 1)
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t).where(t.c.i == nil), as: Int.self), 1)

                let nulls = try conn.execute(select(t).where(t.c.flag == false)).one()
                XCTAssertEqual(nulls["token"], .null)
                XCTAssertNil(try nulls.get("day", as: Date?.self))
            }
        }
    }

    func testDecimalsAreExactWithinSQLitesPrecision() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("amounts", m, Column("id", .integer, primaryKey: true), Column("v", .numeric(15, 4)))
            try m.createAll(engine)
            let values = ["0.1", "0.0001", "-12.5", "99999999999.9999", "3", "1e-4"].map { Decimal(string: $0)! }
            try engine.begin { conn in
                try conn.execute(t.insert().values(values.map { ["v": $0] }))
                let back = try conn.scalars(select(t.c.v).orderBy(t.c.id), as: Decimal.self).all()
                XCTAssertEqual(back, values)
                let sum = try conn.scalar(select(fn.sum(t.c.v)).selectFrom(t), as: Decimal.self)
                XCTAssertEqual(sum, values.reduce(0, +))
            }
        }
    }

    func testSQLiteDecimalStorageChoosesTheExactForm() {
        func stored(_ s: String) -> SQLValue { Dialect.sqlite.typeCompiler.processBind(.decimal(Decimal(string: s)!), .numeric(38, 10)) }
        XCTAssertEqual(stored("42"), .integer(42))
        XCTAssertEqual(stored("-42.000"), .integer(-42))
        XCTAssertEqual(stored("0.25"), .real(0.25))
        XCTAssertEqual(stored("123456789012345"), .integer(123456789012345))
        XCTAssertEqual(stored("12345678901234.5"), .real(12345678901234.5))
        // Past 15 significant digits: the nearest double, a number still.
        XCTAssertEqual(stored("1234567890123456.5"), .real(1234567890123456.5))
        XCTAssertEqual(stored("33333.333333333333333333333333"), .real(33333.333333333333))
        XCTAssertEqual(stored("12345678901234567890"), .real(12345678901234567168))
        // A Double for a numeric column stays the REAL it is.
        XCTAssertEqual(Dialect.sqlite.typeCompiler.processBind(.real(0.1 + 0.2), .numeric(38, 10)), .real(0.1 + 0.2))
        XCTAssertEqual(stored("-1.50"), .real(-1.5))
        XCTAssertEqual(Dialect.postgresql.typeCompiler.processBind(.decimal(Decimal(string: "1.5")!), .numeric(38, 10)),
                       .decimal(Decimal(string: "1.5")!))
        // Written as a BLOB of its text by earlier versions: still read.
        XCTAssertEqual(try Decimal(sqlValue: .blob(Data("-0.0000000001".utf8))), Decimal(string: "-0.0000000001"))
    }
}
