import XCTest
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
}
