import Foundation
import RetortCore
import XCTest
import RetortTestSupport

/// VALUES lists, portable string aggregation, FILTER, aliases of CTEs and subqueries,
/// and ANY / ALL comparisons, run on SQLite and PostgreSQL over the same rows.
final class QueryConstructsTests: XCTestCase {
    let metadata = MetaData()
    lazy var books = Table("books", metadata,
                           Column("id", .integer, primaryKey: true),
                           Column("title", .string(100), nullable: false),
                           Column("author", .string(50), nullable: false),
                           Column("pages", .integer, nullable: false),
                           Column("parent_id", .integer))

    func seeded(_ body: (Connection) throws -> Void) throws {
        let books = self.books  // declared in metadata before createAll
        try forEachBackend { engine in
            try metadata.createAll(engine)
            try engine.begin { conn in
                try conn.execute(books.insert(), [
                    ["id": 1, "title": "Dune", "author": "Herbert", "pages": 412, "parent_id": nil],
                    ["id": 2, "title": "Children of Dune", "author": "Herbert", "pages": 444, "parent_id": 1],
                    ["id": 3, "title": "Emma", "author": "Austen", "pages": 474, "parent_id": nil],
                    ["id": 4, "title": "Persuasion", "author": "Austen", "pages": 249, "parent_id": nil],
                    ["id": 5, "title": "God Emperor", "author": "Herbert", "pages": 423, "parent_id": 2],
                ])
            }
            try engine.connect { try body($0) }
        }
    }

    func testValuesAsAFromElement() throws {
        try seeded { conn in
            let wanted = values(("id", .integer), ("note", .string(20)), name: "wanted", rows: [[1, "first"], [4, "short"], [9, "none"]])
            let rows = try conn.execute(
                select(books.c.title, wanted.c.note).selectFrom(books.join(wanted, on: books.c.id == wanted.c.id))
                    .orderBy(books.c.id)
            ).all().map { [try $0.get(0, as: String.self), try $0.get(1, as: String.self)] }
            XCTAssertEqual(rows, [["Dune", "first"], ["Persuasion", "short"]], "\(conn.dialect)")
            // The same rows twice in one query, under another name.
            let other = wanted.alias("again")
            let pairs = try conn.scalar(select(fn.count()).selectFrom(wanted.join(other, on: wanted.c.id < other.c.id)), as: Int.self)
            XCTAssertEqual(pairs, 3, "\(conn.dialect)")
            XCTAssertThrowsError(try conn.execute(select(wanted.c.id).selectFrom(
                values(("a", .integer), ("b", .integer), name: "bad", rows: [[1, 2], [3]]))))
        }
    }

    func testGroupConcatAndFilter() throws {
        try seeded { conn in
            let perAuthor = try conn.execute(
                select(books.c.author, fn.groupConcat(books.c.id, "+"), fn.count().filter(books.c.pages > 420))
                    .where(books.c.author == "Austen").groupBy(books.c.author)
            ).all()
            XCTAssertEqual(perAuthor.count, 1)
            let joined = try perAuthor[0].get(1, as: String.self)
            XCTAssertEqual(Set(joined.split(separator: "+")), ["3", "4"], "\(conn.dialect)")
            XCTAssertEqual(try perAuthor[0].get(2, as: Int.self), 1, "FILTER counts Emma only on \(conn.dialect)")
            let ordered = select(fn.stringAgg(books.c.title, ", ", orderBy: [books.c.pages.desc()])).where(books.c.author == "Herbert")
            do {
                let titles = try conn.scalar(ordered, as: String.self)
                XCTAssertEqual(titles, "Children of Dune, God Emperor, Dune", "\(conn.dialect)")
            } catch let e as ProgrammingError where e.kind == .notSupported {
                // SQLite before 3.44 has no ORDER BY inside an aggregate: refused before anything is sent.
                XCTAssertTrue(e.message.contains("3.44"), e.message)
            }
        }
    }

    func testCTEAndSubqueryUsedTwice() throws {
        try seeded { conn in
            let herbert = select(books.c.id, books.c.parent_id, books.c.title).where(books.c.author == "Herbert").cte("herbert")
            let parent = herbert.alias("parent")
            let sequels = try conn.execute(
                select(herbert.c.title, parent.c.title).selectFrom(herbert.join(parent, on: herbert.c.parent_id == parent.c.id))
                    .orderBy(herbert.c.id)
            ).all().map { [try $0.get(0, as: String.self), try $0.get(1, as: String.self)] }
            XCTAssertEqual(sequels, [["Children of Dune", "Dune"], ["God Emperor", "Children of Dune"]], "\(conn.dialect)")

            let long = select(books.c.id, books.c.pages).where(books.c.pages > 400).subquery("long")
            let other = long.alias("other")
            let longer = try conn.scalar(select(fn.count()).selectFrom(long.join(other, on: long.c.pages < other.c.pages)), as: Int.self)
            XCTAssertEqual(longer, 6, "pairs among 412, 423, 444, 474 on \(conn.dialect)")
        }
    }

    func testAnyAndAll() throws {
        try seeded { conn in
            func ids(_ condition: SQLExpression<Bool>) throws -> [Int] {
                try conn.scalars(select(books.c.id).where(condition).orderBy(books.c.id), as: Int.self).all()
            }
            let austen = select(books.c.id).where(books.c.author == "Austen")
            XCTAssertEqual(try ids(books.c.id == any_([2, 5, 7])), [2, 5])
            XCTAssertEqual(try ids(books.c.id != all_([2, 5])), [1, 3, 4])
            XCTAssertEqual(try ids(books.c.id == any_(austen)), [3, 4])
            XCTAssertEqual(try ids(books.c.id != all_(austen)), [1, 2, 5])
            XCTAssertEqual(try ids(books.c.id == any_([Int]())), [], "= ANY of nothing is false")
            if conn.dialect.listParameterStyle == .array {
                XCTAssertEqual(try ids(books.c.pages > any_([440, 470])), [2, 3])
                XCTAssertEqual(try ids(books.c.pages >= all_(select(books.c.pages))), [3])
                XCTAssertEqual(try ids(books.c.pages < all_([Int]())), [1, 2, 3, 4, 5], "< ALL of nothing is true")
            } else {
                let e = assertThrows(ProgrammingError.self) { try ids(books.c.pages > any_([440, 470])) }
                XCTAssertEqual(e?.kind, .notSupported)
                if conn.dialect.name == "sqlite" {
                    // SQLite has no ANY / ALL over a subquery either: its syntax error.
                    assertThrows(ProgrammingError.self) { try ids(books.c.pages >= all_(select(books.c.pages))) }
                } else {
                    XCTAssertEqual(try ids(books.c.pages >= all_(select(books.c.pages))), [3], "\(conn.dialect)")
                }
            }
        }
    }
}
