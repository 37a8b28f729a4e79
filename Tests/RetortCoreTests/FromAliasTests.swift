import XCTest
@testable import RetortCore
import RetortTestSupport

/// Aliases of any FROM element: a CTE or a subquery used twice in one query.
final class FromAliasTests: XCTestCase {
    func testACTEJoinedToItself() throws {
        let b = Library.books
        let totals = select(b.c.author_id, fn.sum(b.c.pages).label("pages")).selectFrom(b).groupBy(b.c.author_id).cte("totals")
        let x = totals.alias("x"), y = totals.alias("y")
        assertSQL(select(x.c.author_id, y.c.author_id).selectFrom(x.join(y, on: x.c.pages < y.c.pages)),
                  sqlite: "WITH totals AS (SELECT books.author_id, sum(books.pages) AS pages FROM books GROUP BY books.author_id) "
                      + "SELECT x.author_id, y.author_id FROM totals AS x JOIN totals AS y ON x.pages < y.pages")
        let sq = select(b.c.id, b.c.pages).selectFrom(b).where(b.c.pages > 10).subquery("s")
        let p = sq.alias("p"), q = sq.alias("q")
        assertSQL(select(p.c.id, q.c.id).selectFrom(p.join(q, on: p.c.pages == q.c.pages)),
                  sqlite: "SELECT p.id, q.id FROM (SELECT books.id, books.pages FROM books WHERE books.pages > ?) AS p "
                      + "JOIN (SELECT books.id, books.pages FROM books WHERE books.pages > ?) AS q ON p.pages = q.pages",
                  values: [10, 10])
    }

    func testSelfJoinsReturnTheRightRowsOnEveryDatabase() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("shelf", m, Column("id", .integer, primaryKey: true), Column("owner", .integer), Column("pages", .integer))
            try m.createAll(engine)
            try engine.begin { conn in
                try conn.execute(t.insert(), [["id": 1, "owner": 1, "pages": 300], ["id": 2, "owner": 2, "pages": 100],
                                              ["id": 3, "owner": 2, "pages": 150], ["id": 4, "owner": 3, "pages": 50]])
            }
            try engine.connect { conn in
                let totals = select(t.c.owner, fn.sum(t.c.pages).label("pages")).groupBy(t.c.owner).cte("totals")
                let x = totals.alias("x"), y = totals.alias("y")
                let pairs = try conn.execute(select(x.c.owner, y.c.owner).selectFrom(x.join(y, on: x.c.pages < y.c.pages))
                    .orderBy(x.c.owner, y.c.owner)).all().map(\.values)
                XCTAssertEqual(pairs, [[2, 1], [3, 1], [3, 2]], engine.dialect.name)
                let sq = select(t.c.id, t.c.owner).where(t.c.pages >= 100).subquery()
                let p = sq.alias("p"), q = sq.alias("q")
                let same = try conn.execute(select(p.c.id, q.c.id).selectFrom(p.join(q, on: p.c.owner == q.c.owner && p.c.id < q.c.id)))
                    .all().map(\.values)
                XCTAssertEqual(same, [[2, 3]], engine.dialect.name)
            }
        }
    }
}
