import Foundation
import RetortCore
import XCTest
import RetortTestSupport

final class ValueConversionTests: XCTestCase {
    func testDateFormatsParse() throws {
        let base = Date(timeIntervalSince1970: 1_795_262_400)  // 2026-11-21 12:00:00 UTC
        XCTAssertEqual(SQLDateFormat.timestampString(base), "2026-11-21 12:00:00.000000")
        XCTAssertEqual(SQLDateFormat.parse("2026-11-21 12:00:00"), base)
        XCTAssertEqual(SQLDateFormat.parse("2026-11-21T12:00:00Z"), base)
        XCTAssertEqual(SQLDateFormat.parse("2026-11-21 14:00:00+02"), base)
        XCTAssertEqual(SQLDateFormat.parse("2026-11-21 06:30:00-05:30"), base)
        XCTAssertEqual(SQLDateFormat.parse("2026-11-21"), Date(timeIntervalSince1970: 1_795_219_200))
        let micro = Date(timeIntervalSince1970: 1_795_262_400.123456)
        XCTAssertEqual(SQLDateFormat.timestampString(micro), "2026-11-21 12:00:00.123456")
        XCTAssertEqual(SQLDateFormat.parse("2026-11-21 12:00:00.123456")!.timeIntervalSince1970,
                       micro.timeIntervalSince1970, accuracy: 1e-6)
        XCTAssertEqual(SQLDateFormat.timestampString(Date(timeIntervalSince1970: -1)), "1969-12-31 23:59:59.000000")
        XCTAssertNil(SQLDateFormat.parse("not a date"))
        XCTAssertNil(SQLDateFormat.parse("2026-13-01"))
        XCTAssertEqual(SQLDateFormat.parse("12:30:00"), Date(timeIntervalSince1970: 45_000))
    }

    func testStrictIntegerConversions() throws {
        XCTAssertEqual(try Int16(sqlValue: .integer(123)), 123)
        let overflow = assertThrows(DataError.self) { try Int16(sqlValue: .integer(70_000)) }
        XCTAssertTrue(overflow?.message.contains("out of range for Int16") ?? false)
        assertThrows(DataError.self) { try Int(sqlValue: .real(1.5)) }
        XCTAssertEqual(try Int(sqlValue: .real(2.0)), 2)
        let null = assertThrows(DataError.self) { try Int(sqlValue: .null) }
        XCTAssertTrue(null?.message.contains("Int?") ?? false)
        XCTAssertNil(try Int?(sqlValue: .null))
    }

    func testOtherConversions() throws {
        XCTAssertEqual(try Bool(sqlValue: .integer(1)), true)
        XCTAssertEqual(try Bool(sqlValue: .text("f")), false)
        assertThrows(DataError.self) { try Bool(sqlValue: .integer(2)) }
        let u = UUID()
        XCTAssertEqual(try UUID(sqlValue: .text(u.uuidString.lowercased())), u)
        XCTAssertEqual(try Decimal(sqlValue: .text("12345678901234567890.123")), Decimal(string: "12345678901234567890.123"))
        XCTAssertEqual(try String(sqlValue: .blob(Data("ok".utf8))), "ok")
        assertThrows(DataError.self) { try String(sqlValue: .blob(Data([0xFF, 0xFE]))) }
        XCTAssertEqual(try Double(sqlValue: .integer(3)), 3.0)
    }
}
