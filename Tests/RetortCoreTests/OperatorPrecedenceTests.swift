import XCTest
@testable import RetortCore
import RetortTestSupport

/// Parentheses follow operator precedence: a predicate (LIKE, IS NULL, IN, BETWEEN, a
/// comparison) used as an operand of a comparison keeps its parentheses on both sides,
/// so `active = (name LIKE ?)` is never read as `(active = name) LIKE ?`.
final class OperatorPrecedenceTests: XCTestCase {
    let a = Library.authors
    let b = Library.books

    func testPredicatesOnTheRightOfAComparisonKeepTheirParentheses() {
        assertSQL(select(a.c.id).where(a.c.active == a.c.name.like("%a%")),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.active = (authors.name LIKE ?)")
        assertSQL(select(a.c.id).where(a.c.active == a.c.email.isNull()),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.active = (authors.email IS NULL)")
        assertSQL(select(a.c.id).where(a.c.active != a.c.id.in([1, 2])),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.active != (authors.id IN (?))",
                  postgresql: "SELECT authors.id FROM authors WHERE authors.active != (authors.id = ANY($1))")
        assertSQL(select(a.c.id).where(a.c.active == a.c.id.between(1, 5)),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.active = (authors.id BETWEEN ? AND ?)")
        assertSQL(select(a.c.id).where(a.c.active == (a.c.id > 3)),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.active = (authors.id > ?)")
        assertSQL(select(a.c.id).where(a.c.active.isDistinctFrom(a.c.id == 3)),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.active IS DISTINCT FROM (authors.id = ?)")
    }

    func testPredicatesOnTheLeftOfAComparisonKeepTheirParentheses() {
        // PostgreSQL puts IS below `=`: `email IS NULL = active` would be `email IS (NULL = active)`.
        assertSQL(select(a.c.id).where(a.c.email.isNull() == a.c.active),
                  sqlite: "SELECT authors.id FROM authors WHERE (authors.email IS NULL) = authors.active")
        assertSQL(select(a.c.id).where(a.c.name.like("U%") != a.c.active),
                  sqlite: "SELECT authors.id FROM authors WHERE (authors.name LIKE ?) != authors.active")
        assertSQL(select(a.c.id).where(not(exists(select(b.c.id).where(b.c.author_id == a.c.id))) == a.c.active),
                  sqlite: "SELECT authors.id FROM authors WHERE (NOT EXISTS (SELECT books.id FROM books "
                      + "WHERE books.author_id = authors.id)) = authors.active")
    }

    func testOperandsOfLikeAreGrouped() {
        assertSQL(select(a.c.id).where((a.c.id == 1).untyped.like(a.c.name)),
                  sqlite: "SELECT authors.id FROM authors WHERE (authors.id = ?) LIKE authors.name")
        assertSQL(select(a.c.id).where(a.c.name.like(a.c.email.concat("%"))),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.name LIKE authors.email || ?")
    }

    func testArithmeticKeepsItsMeaning() {
        let p = b.c.pages
        assertSQL(select(p - (p - 1)), sqlite: "SELECT books.pages - (books.pages - ?) FROM books")
        assertSQL(select((p - 1) - p), sqlite: "SELECT books.pages - ? - books.pages FROM books")
        assertSQL(select(p * (p + 1)), sqlite: "SELECT books.pages * (books.pages + ?) FROM books")
        assertSQL(select(p / (p * 2)), sqlite: "SELECT books.pages / (books.pages * ?) FROM books")
        assertSQL(select(-(-p)), sqlite: "SELECT -(-books.pages) FROM books")
        // `||` binds tighter than `*` on SQLite and looser than `+` on PostgreSQL.
        assertSQL(select(b.c.title.concat(p + 1)), sqlite: "SELECT books.title || (books.pages + ?) FROM books")
        assertSQL(select(b.c.title.concat(p).like("a%")), sqlite: "SELECT books.title || books.pages LIKE ? FROM books")
    }

    func testAnInlineNegativeLiteralAfterAMinusIsNotAComment() throws {
        let t = Table("t", MetaData(), Column("x", .integer), CheckConstraint(-(literal(-1).untyped) < column("x")))
        for dialect in [Dialect.sqlite, .postgresql] {
            let sql = try CreateTable(t).compile(for: dialect).sql
            XCTAssertFalse(sql.contains("--"), sql)
            XCTAssertTrue(sql.contains("CHECK (-(-1) < x)"), sql)
        }
    }

    /// On a real database: `active = (name LIKE '%a%')` returns the rows where the two
    /// truths agree; read as `(active = name) LIKE '%a%'` it returned none.
    func testPredicateComparisonsReturnTheRightRowsOnEveryDatabase() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("people", m, Column("id", .integer, primaryKey: true), Column("name", .string(20)),
                          Column("active", .boolean), Column("rating", .integer))
            try m.createAll(engine)
            try engine.begin { conn in
                try conn.execute(t.insert(), [
                    ["id": 1, "name": "anna", "active": true, "rating": 5],
                    ["id": 2, "name": "bob", "active": false, "rating": 2],
                    ["id": 3, "name": "carl", "active": false, "rating": 4],
                    ["id": 4, "name": "dirk", "active": true, "rating": nil],
                ])
            }
            try engine.connect { conn in
                func ids(_ condition: SQLExpression<Bool>) throws -> [Int] {
                    try conn.scalars(select(t.c.id).where(condition).orderBy(t.c.id), as: Int.self).all()
                }
                let db = engine.dialect.name
                XCTAssertEqual(try ids(t.c.active == t.c.name.like("%a%")), [1, 2], db)
                XCTAssertEqual(try ids(t.c.active == t.c.rating.isNull()), [2, 3, 4], db)
                XCTAssertEqual(try ids(t.c.active == t.c.rating.in([5, 2])), [1, 3], db)
                XCTAssertEqual(try ids(t.c.active == t.c.rating.between(4, 5)), [1, 2], db)
                XCTAssertEqual(try ids(t.c.rating.isNull() == t.c.active), [2, 3, 4], db)
            }
        }
    }
}
