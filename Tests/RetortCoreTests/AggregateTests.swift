import XCTest
import RetortTestSupport
@testable import RetortCore

/// groupConcat / stringAgg on both databases, with and without their own ORDER BY,
/// and an aggregate's FILTER.
final class AggregateTests: XCTestCase {
    func testGroupConcatIsSpelledForEachDatabase() throws {
        let b = Library.books
        assertSQL(select(b.c.author_id, fn.groupConcat(b.c.title, ", ")).selectFrom(b).groupBy(b.c.author_id),
                  sqlite: "SELECT books.author_id, group_concat(books.title, ?) FROM books GROUP BY books.author_id",
                  postgresql: "SELECT books.author_id, string_agg(CAST(books.title AS TEXT), $1) FROM books GROUP BY books.author_id")
        let ordered = select(fn.stringAgg(b.c.pages, "|", orderBy: [b.c.pages.desc()])).selectFrom(b)
        XCTAssertEqual(try ordered.compile(for: .postgresql).sql,
                       "SELECT string_agg(CAST(books.pages AS TEXT), $1 ORDER BY books.pages DESC) FROM books")
        if SQLiteLibrary.versionNumber >= 3_044_000 {
            XCTAssertEqual(try ordered.compile(for: .sqlite).sql, "SELECT group_concat(books.pages, ? ORDER BY books.pages DESC) FROM books")
        }
    }

    func testGroupConcatAndFilterOnEveryDatabase() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("shelf", m, Column("id", .integer, primaryKey: true), Column("owner", .integer),
                          Column("title", .string(20)), Column("pages", .integer))
            try m.createAll(engine)
            try engine.begin { conn in
                try conn.execute(t.insert(), [
                    ["id": 1, "owner": 1, "title": "b", "pages": 300], ["id": 2, "owner": 1, "title": "a", "pages": 90],
                    ["id": 3, "owner": 2, "title": "c", "pages": 120], ["id": 4, "owner": 1, "title": nil, "pages": 10],
                ])
            }
            let db = engine.dialect.name
            try engine.connect { conn in
                let joined = try conn.execute(select(t.c.owner, fn.groupConcat(t.c.title, "|")).groupBy(t.c.owner)
                    .orderBy(t.c.owner)).all().map { try $0.get(1, as: String.self) }
                XCTAssertEqual(joined.map { Set($0.split(separator: "|")) }, [["a", "b"], ["c"]], db)
                let numbers = try conn.scalar(select(fn.groupConcat(t.c.pages, ",")).selectFrom(t).where(t.c.owner == 2), as: String.self)
                XCTAssertEqual(numbers, "120", db)
                let long = try conn.scalars(select(fn.count().filter(t.c.pages > 100)).selectFrom(t).groupBy(t.c.owner)
                    .orderBy(t.c.owner), as: Int.self).all()
                XCTAssertEqual(long, [1, 1], db)

                let ordered = select(fn.groupConcat(t.c.title, ",", orderBy: [t.c.title.desc()])).selectFrom(t)
                if engine.dialect.name == "sqlite", SQLiteLibrary.versionNumber < 3_044_000 {
                    let error = assertThrows(ProgrammingError.self) { try conn.scalar(ordered, as: String.self) }
                    XCTAssertEqual(error?.kind, .notSupported)
                    XCTAssertTrue(error?.message.contains("3.44") == true, error?.message ?? "")
                } else {
                    XCTAssertEqual(try conn.scalar(ordered, as: String.self), "c,b,a", db)
                }
            }
        }
    }

    /// MySQL has no FILTER: the aggregate is written over a CASE that is NULL for the
    /// rows left out, and `count(*)` counts a constant.
    func testFilterIsACaseInsideTheAggregateOnMySQL() throws {
        let b = Library.books
        XCTAssertEqual(try select(b.c.author_id, fn.count().filter(b.c.pages > 100)).selectFrom(b).groupBy(b.c.author_id)
            .compile(for: .mysql).sql,
            "SELECT books.author_id, count(CASE WHEN books.pages > ? THEN 1 END) FROM books GROUP BY books.author_id")
        XCTAssertEqual(try select(fn.sum(b.c.pages).filter(b.c.title != "x"), fn.groupConcat(b.c.title, ",").filter(b.c.pages < 9))
            .selectFrom(b).compile(for: .mysql).sql,
            "SELECT sum(CASE WHEN books.title != ? THEN books.pages END), "
                + "GROUP_CONCAT(CASE WHEN books.pages < ? THEN books.title END SEPARATOR ',') FROM books")
        // An aggregate that keeps NULLs cannot be rewritten so: refused, not answered wrongly.
        let error = assertThrows(ProgrammingError.self) {
            try select(fn.named("json_arrayagg")(b.c.title).filter(b.c.pages > 1)).selectFrom(b).compile(for: .mysql)
        }
        XCTAssertEqual(error?.kind, .notSupported)
        XCTAssertTrue(error?.message.contains("json_arrayagg") == true, error?.message ?? "")
    }

    /// `agg(x) FILTER (WHERE c)` per group equals `agg(x)` over the group's rows where `c`
    /// holds, for each aggregate and random conditions (seed 21), on every database.
    func testFilteredAggregatesEqualTheAggregateOverTheFilteredRows() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("fa", m, Column("id", .integer, primaryKey: true), Column("g", .integer, nullable: false),
                          Column("v", .integer), Column("w", .integer))
            try m.createAll(engine)
            var rng = SeededGenerator(seed: 21)
            let rows: [Parameters] = (1...60).map { i in
                let v: Int? = Int.random(in: 0..<8, using: &rng) == 0 ? nil : Int.random(in: -20...20, using: &rng)
                return ["id": i, "g": Int.random(in: 0..<4, using: &rng), "v": v, "w": Int.random(in: 0...10, using: &rng)]
            }
            try engine.begin { conn in try conn.execute(t.insert(), rows) }
            let aggregates: [(String, SQLExpression<Untyped>)] = [
                ("count(*)", SQLExpression<Untyped>(fn.count().node)), ("count(v)", SQLExpression<Untyped>(fn.count(t.c.v).node)),
                ("sum(v)", fn.sum(t.c.v)), ("min(v)", fn.min(t.c.v)), ("max(v)", fn.max(t.c.v)),
            ]
            try engine.connect { conn in
                for round in 0..<12 {
                    let k = Int.random(in: -20...20, using: &rng)
                    let conditions: [SQLExpression<Bool>] = [t.c.v > k, t.c.w <= k / 2 + 5, t.c.v.isNull(),
                                                             (t.c.v < k) || (t.c.w > 7), (t.c.v >= k) && t.c.w.isNotNull()]
                    let c = conditions[round % conditions.count]
                    for (name, agg) in aggregates {
                        let filtered = try conn.execute(select(t.c.g, agg.filter(c)).selectFrom(t).groupBy(t.c.g).orderBy(t.c.g))
                            .all().map { [try $0.get(0, as: Int.self), try $0.get(1, as: Int?.self)] }
                        var expected: [[Int?]] = []
                        for g in 0..<4 {
                            let value = try conn.scalar(select(agg).selectFrom(t).where((t.c.g == g) && c), as: Int?.self)
                            expected.append([g, value])
                        }
                        let present = Set(filtered.map { $0[0] })
                        XCTAssertEqual(filtered, expected.filter { present.contains($0[0]) },
                                       "\(name) FILTER (round \(round), k \(k)) on \(engine.dialect)")
                    }
                }
            }
        }
    }
}
