import Foundation
import XCTest
@testable import RetortCore
import RetortTestSupport

/// Timestamps in SQLAlchemy's spelling, written by Retort and read back, and written by
/// hand-typed SQL (as a Python service would) and read by Retort, on both databases.
final class TimestampSpellingTests: XCTestCase {
    static let base = Date(timeIntervalSince1970: 1_609_730_499)  // 2021-01-04 03:21:39 UTC

    func testTimestampsAreWrittenInSQLAlchemysSpelling() {
        XCTAssertEqual(SQLDateFormat.timestampString(Self.base), "2021-01-04 03:21:39.000000")
        XCTAssertEqual(SQLDateFormat.timestampString(Self.base + 0.5), "2021-01-04 03:21:39.500000")
        XCTAssertEqual(SQLDateFormat.timestampString(Self.base + 0.000_001), "2021-01-04 03:21:39.000001")
        XCTAssertEqual(SQLType.time.processBind(.timestamp(Self.base)), .text("03:21:39.000000"))
        // Fixed width: text order is time order.
        let dates = [Self.base, Self.base + 0.5, Self.base + 1, Self.base - 0.25, Self.base + 86_400 * 400]
        XCTAssertEqual(dates.map(SQLDateFormat.timestampString).sorted(), dates.sorted().map(SQLDateFormat.timestampString))
    }

    /// Every spelling other tools write reads back as the same instant.
    func testOtherSpellingsRead() {
        for text in ["2021-01-04 03:21:39", "2021-01-04 03:21:39.000000", "2021-01-04T03:21:39", "2021-01-04T03:21:39Z",
                     "2021-01-04 03:21:39.000", "2021-01-04 05:21:39+02:00", "2021-01-04 03:21:39+00", "2021-01-03 22:21:39-0500"] {
            XCTAssertEqual(SQLDateFormat.parse(text), Self.base, text)
        }
        XCTAssertEqual(SQLDateFormat.parse("2021-01-04 03:21:39.5"), Self.base + 0.5)
    }

    func testTimestampsRoundTripWithAndWithoutFractions() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("events", m, Column("id", .integer, primaryKey: true), Column("at", .datetime))
            try m.createAll(engine)
            let dates = [Self.base, Self.base + 0.5, Self.base + 0.000_001, Self.base - 86_400 * 365]
            try engine.begin { conn in
                try conn.execute(t.insert().values(dates.enumerated().map { ["id": $0.offset + 1, "at": $0.element] }))
            }
            try engine.connect { conn in
                let back = try conn.scalars(select(t.c.at).orderBy(t.c.id), as: Date.self).all()
                XCTAssertEqual(back.map { $0.timeIntervalSince1970 }, dates.map { $0.timeIntervalSince1970 }, engine.dialect.name)
                if engine.dialect.name.hasPrefix("sqlite") {
                    let stored = try conn.scalars(text("SELECT at FROM events ORDER BY id"), as: String.self).all()
                    XCTAssertEqual(stored, ["2021-01-04 03:21:39.000000", "2021-01-04 03:21:39.500000",
                                            "2021-01-04 03:21:39.000001", "2020-01-05 03:21:39.000000"])
                }
            }
        }
    }

    /// Rows written by hand in SQLAlchemy's spelling (as a Python service or Alembic
    /// would) answer a range query the same as they would for SQLAlchemy.
    func testRangeQueryOverRowsWrittenInSQLAlchemysSpelling() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("events", m, Column("id", .integer, primaryKey: true), Column("at", .datetime))
            try m.createAll(engine)
            try engine.begin { conn in
                try conn.execute(text("""
                    INSERT INTO events (id, at) VALUES (1, '2021-01-04 03:21:39.000000'), (2, '2021-01-04 03:21:39.500000'),
                    (3, '2021-01-04 03:21:40.000000'), (4, '2021-01-04 03:21:38.999999')
                    """))
            }
            try engine.connect { conn in
                func ids(_ c: SQLExpression<Bool>) throws -> [Int] {
                    try conn.scalars(select(t.c.id).where(c).orderBy(t.c.id), as: Int.self).all()
                }
                let db = engine.dialect.name
                XCTAssertEqual(try ids(t.c.at > Self.base), [2, 3], db)
                XCTAssertEqual(try ids(t.c.at <= Self.base + 1), [1, 2, 3, 4], db)
                XCTAssertEqual(try ids(t.c.at == Self.base), [1], db)
                XCTAssertEqual(try ids(t.c.at.between(Self.base, Self.base + 1)), [1, 2, 3], db)
                XCTAssertEqual(try ids(t.c.at < Self.base), [4], db)
            }
        }
    }
}
