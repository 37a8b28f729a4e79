import Foundation
import XCTest
@testable import RetortCore

/// The compiled-statement cache's key is a flat spelling of the statement's shape
/// (``StatementShape``). These tests build shapes that differ in one small way and
/// check that none is served the other's SQL: a false hit would show as cached SQL that
/// differs from a fresh compilation.
final class StatementShapeKeyTests: XCTestCase {
    let a = Library.authors
    let b = Library.books

    /// Compiles every statement through one fresh cache, twice over (so the second
    /// round is all hits), and checks each against an uncached compilation. Returns
    /// the number of entries the cache ended with.
    @discardableResult
    func assertNoFalseHits(_ statements: [StatementNode], dialects: [Dialect] = [.sqlite, .postgresql],
                           file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let cache = StatementCache(capacity: 10_000)
        for _ in 0..<2 {
            for dialect in dialects {
                for (n, statement) in statements.enumerated() {
                    let cached = try cache.compile(statement, dialect)
                    let fresh = try StatementCache.compileUncached(statement, dialect)
                    XCTAssertEqual(cached, fresh, "statement \(n) on \(dialect)", file: file, line: line)
                }
            }
        }
        return cache.statistics.entries
    }

    /// Asserts each statement in `pair` gets an entry of its own (and the right SQL).
    func assertDistinct(_ first: StatementNode, _ second: StatementNode, file: StaticString = #filePath, line: UInt = #line) throws {
        let entries = try assertNoFalseHits([first, second], dialects: [.sqlite], file: file, line: line)
        XCTAssertEqual(entries, 2, "two shapes should be two entries", file: file, line: line)
    }

    func testColumnsOfOneTable() throws {
        try assertDistinct(.select(select(a.c.name).where(a.c.id == 1)), .select(select(a.c.email).where(a.c.id == 1)))
        try assertDistinct(.select(select(a.c.name).where(a.c.id == 1)), .select(select(a.c.name).where(a.c.born == Date())))
    }

    func testSamePositionInAnotherTable() throws {
        // authors.id and books.id are both column 0: the table tells them apart.
        try assertDistinct(.select(select(a.c.id)), .select(select(b.c.id)))
    }

    func testTableAliases() throws {
        let x = a.alias("x"), y = a.alias("y")
        try assertDistinct(.select(select(x.c.id).where(x.c.id == 1)), .select(select(y.c.id).where(y.c.id == 1)))
        try assertDistinct(.select(select(x.c.id)), .select(select(a.c.id)))
    }

    func testOperators() throws {
        // (`!(x == 1)` is left out: it builds `x != 1`, the same shape as that one.)
        let ops: [StatementNode] = [
            .select(select(a.c.id).where(a.c.id == 1)),
            .select(select(a.c.id).where(a.c.id != 1)),
            .select(select(a.c.id).where(a.c.id < 1)),
            .select(select(a.c.id).where(a.c.id <= 1)),
            .select(select(a.c.id).where(a.c.id > 1)),
            .select(select(a.c.id).where(a.c.id >= 1)),
            .select(select(a.c.id).where(a.c.id.isDistinctFrom(1))),
            .select(select(a.c.id).where(a.c.id.op("->", 1) == 1)),
            .select(select(a.c.id).where(a.c.id.op("->>", 1) == 1)),
            .select(select(a.c.id).where(a.c.id.op("-", 1) == 1)),
            .select(select(a.c.id).where(a.c.id - 1 == 1)),
            .select(select(a.c.id).where(a.c.id + 1 == 1)),
            .select(select(a.c.id).where(a.c.id == 1 && a.c.name == "x")),
            .select(select(a.c.id).where(a.c.id == 1 || a.c.name == "x")),
        ]
        XCTAssertEqual(try assertNoFalseHits(ops), ops.count * 2)
    }

    func testLabels() throws {
        try assertDistinct(.select(select(a.c.id.label("n"))), .select(select(a.c.id.label("m"))))
        try assertDistinct(.select(select(a.c.id.label("n"))), .select(select(a.c.id)))
        // Longer than one word of the spelling, differing only past the first eight bytes.
        try assertDistinct(.select(select(a.c.id.label("abcdefgh_1"))), .select(select(a.c.id.label("abcdefgh_2"))))
        // Lengths are spelled: "ab" + "c" is not "a" + "bc", and a trailing NUL counts.
        try assertDistinct(.select(select(a.c.id.label("ab"), a.c.name.label("c"))),
                           .select(select(a.c.id.label("a"), a.c.name.label("bc"))))
        try assertDistinct(.select(select(a.c.id.label("ab"))), .select(select(a.c.id.label("ab\u{0}"))))
    }

    func testLiteralSQLAgainstBoundValue() throws {
        try assertDistinct(.select(select(a.c.id).where(a.c.id == literalColumn("1"))), .select(select(a.c.id).where(a.c.id == 1)))
        try assertDistinct(.select(select(literalColumn("1"))), .select(select(literalColumn("2"))))
        try assertDistinct(.select(select(a.c.id).where(a.c.id == bindParameter("p"))),
                           .select(select(a.c.id).where(a.c.id == bindParameter("q"))))
        try assertDistinct(.select(select(a.c.id).where(a.c.id == bindParameter("p"))), .select(select(a.c.id).where(a.c.id == 1)))
    }

    func testInLists() throws {
        // Over expressions, the length is in the SQL; over an expanding list it is not.
        try assertDistinct(.select(select(a.c.id).where(a.c.id.in(expressions: [1, 2]))),
                           .select(select(a.c.id).where(a.c.id.in(expressions: [1, 2, 3]))))
        try assertDistinct(.select(select(a.c.id).where(a.c.id.in([1, 2]))),
                           .select(select(a.c.id).where(a.c.id.in(expressions: [1, 2]))))
        try assertDistinct(.select(select(a.c.id).where(a.c.id.in([1, 2]))), .select(select(a.c.id).where(a.c.id.notIn([1, 2]))))
        try assertDistinct(.select(select(a.c.id).where(a.c.id.in(bindParameter("ids", expanding: true)))),
                           .select(select(a.c.id).where(a.c.id.in(bindParameter("other", expanding: true)))))
        let cache = StatementCache(capacity: 10)
        _ = try cache.compile(.select(select(a.c.id).where(a.c.id.in([1, 2]))), .sqlite)
        _ = try cache.compile(.select(select(a.c.id).where(a.c.id.in([1, 2, 3, 4]))), .sqlite)
        XCTAssertEqual(cache.statistics.hits, 1, "an expanding list's length is not shape")
    }

    func testTypes() throws {
        try assertDistinct(.select(select(cast(a.c.id, .string(10)))), .select(select(cast(a.c.id, .string(20)))))
        try assertDistinct(.select(select(cast(a.c.id, .string(10)))), .select(select(cast(a.c.id, .string))))
        try assertDistinct(.select(select(cast(a.c.id, .numeric(10, 2)))), .select(select(cast(a.c.id, .numeric(10, 3)))))
        try assertDistinct(.select(select(cast(a.c.id, .sql("INT4")))), .select(select(cast(a.c.id, .sql("INT8")))))
        try assertDistinct(.select(select(cast(a.c.id, .enum("e", ["a", "b"])))), .select(select(cast(a.c.id, .enum("e", ["ab"])))))
        try assertDistinct(.select(select(a.c.id).where(a.c.id == literal(1, type: .integer))),
                           .select(select(a.c.id).where(a.c.id == literal(1, type: .bigint))))
        try assertDistinct(.select(select(column("x", type: .integer))), .select(select(column("x", type: .text))))
    }

    func testNamesOutsideTables() throws {
        try assertDistinct(.select(select(column("x")).selectFrom(a)), .select(select(column("y")).selectFrom(a)))
        try assertDistinct(.select(select(a.c.name.collate("NOCASE"))), .select(select(a.c.name.collate("BINARY"))))
        try assertDistinct(.select(select(fn.count(a.c.id))), .select(select(fn.sum(a.c.id))))
        try assertDistinct(.select(select(fn.count(a.c.id))), .select(select(fn.count(a.c.id.distinct()))))
    }

    func testLikeVariants() throws {
        let shapes: [StatementNode] = [
            .select(select(a.c.id).where(a.c.name.like("x%"))),
            .select(select(a.c.id).where(a.c.name.ilike("x%"))),
            .select(select(a.c.id).where(a.c.name.notLike("x%"))),
            .select(select(a.c.id).where(a.c.name.like("x%", escape: "/"))),
            .select(select(a.c.id).where(a.c.name.like("x%", escape: "!"))),
        ]
        XCTAssertEqual(try assertNoFalseHits(shapes), shapes.count * 2)
    }

    func testClausesAndOrdering() throws {
        let shapes: [StatementNode] = [
            .select(select(a.c.id)),
            .select(select(a.c.id).limit(1)),
            .select(select(a.c.id).offset(1)),
            .select(select(a.c.id).limit(1).offset(1)),
            .select(select(a.c.id).distinct()),
            .select(select(a.c.id).orderBy(a.c.id)),
            .select(select(a.c.id).orderBy(a.c.id.asc())),
            .select(select(a.c.id).orderBy(a.c.id.desc())),
            .select(select(a.c.id).orderBy(a.c.id.desc().nullsFirst())),
            .select(select(a.c.id).orderBy(a.c.id.desc().nullsLast())),
            .select(select(a.c.id).orderBy(a.c.name)),
            .select(select(a.c.id).groupBy(a.c.id)),
            .select(select(a.c.id).groupBy(a.c.id).having(fn.count() > 1)),
            .select(select(a.c.id).where(a.c.id == 1).where(a.c.name == "x")),
            .select(select(a.c.id).forUpdate()),
            .select(select(a.c.id).forUpdate(.share)),
            .select(select(a.c.id).forUpdate(nowait: true)),
            .select(select(a.c.id).forUpdate(skipLocked: true)),
        ]
        // FOR UPDATE does not compile on SQLite.
        XCTAssertEqual(try assertNoFalseHits(shapes, dialects: [.postgresql]), shapes.count)
    }

    func testJoins() throws {
        let shapes: [StatementNode] = [
            .select(select(a.c.name, b.c.title).selectFrom(a.join(b))),
            .select(select(a.c.name, b.c.title).selectFrom(a.outerJoin(b))),
            .select(select(a.c.name, b.c.title).selectFrom(a.outerJoin(b, full: true))),
            .select(select(a.c.name, b.c.title).selectFrom(a.join(b, on: a.c.id == b.c.author_id))),
            .select(select(a.c.name, b.c.title).selectFrom(a.join(b, on: a.c.id == b.c.id))),
            .select(select(a.c.name, b.c.title).selectFrom(b.join(a))),
        ]
        XCTAssertEqual(try assertNoFalseHits(shapes, dialects: [.postgresql]), shapes.count)
    }

    func testSubqueriesAndCTEs() throws {
        let shapes: [StatementNode] = [
            .select(select(a.c.id).where(a.c.id.in(select(b.c.author_id)))),
            .select(select(a.c.id).where(a.c.id.notIn(select(b.c.author_id)))),
            .select(select(a.c.id).where(a.c.id.in(select(b.c.id)))),
            .select(select(a.c.id).where(exists(select(b.c.id).where(b.c.author_id == a.c.id)))),
            .select(select(a.c.id).where(exists(select(b.c.id).where(b.c.author_id == a.c.id).noCorrelation()))),
            .select(select(select(b.c.title).where(b.c.author_id == a.c.id).limit(1).label("t"))),
            .select(select(select(b.c.title).where(b.c.author_id == a.c.id).limit(1).label("u"))),
            .select(select(select(b.c.id).subquery("s").c.id)),
            .select(select(select(b.c.id).subquery("r").c.id)),
            .select(select(select(b.c.id).cte("c").c.id)),
            .select(select(select(b.c.id).cte("d").c.id)),
            .select(select(select(b.c.id).cte("c", columns: ["k"]).c.k)),
            .compound(select(a.c.id).union(select(b.c.id))),
            .compound(select(a.c.id).unionAll(select(b.c.id))),
            .compound(select(a.c.id).except(select(b.c.id))),
        ]
        XCTAssertEqual(try assertNoFalseHits(shapes, dialects: [.postgresql]), shapes.count)
    }

    func testWindowFrames() throws {
        let shapes: [StatementNode] = [
            .select(select(fn.sum(b.c.pages).over(orderBy: [b.c.id]))),
            .select(select(fn.sum(b.c.pages).over(orderBy: [b.c.id], frame: .rows(.preceding(1))))),
            .select(select(fn.sum(b.c.pages).over(orderBy: [b.c.id], frame: .rows(.preceding(2))))),
            .select(select(fn.sum(b.c.pages).over(orderBy: [b.c.id], frame: .range(.preceding(1))))),
            .select(select(fn.sum(b.c.pages).over(orderBy: [b.c.id], frame: .rows(.preceding(1), .currentRow)))),
            .select(select(fn.sum(b.c.pages).over(partitionBy: [b.c.author_id], orderBy: [b.c.id]))),
        ]
        XCTAssertEqual(try assertNoFalseHits(shapes), shapes.count * 2)
    }

    func testTextClausesAreComparedAsTrees() throws {
        try assertDistinct(.select(select(a.c.id).where(text("id = 1"))), .select(select(a.c.id).where(text("id = 2"))))
        let cache = StatementCache(capacity: 10)
        _ = try cache.compile(.select(select(a.c.id).where(text("id = :x"))), .sqlite)
        _ = try cache.compile(.select(select(a.c.id).where(text("id = :x"))), .sqlite)
        XCTAssertEqual(cache.statistics.hits, 1)
    }

    func testDataManipulation() throws {
        let shapes: [StatementNode] = [
            .update(b.update().values(["pages": 1]).where(b.c.id == 1)),
            .update(b.update().values(["title": "x"]).where(b.c.id == 1)),
            .update(b.update().values(["title": "x"]).where(b.c.id == 1).returning(b.c.id)),
            .delete(b.delete().where(b.c.id == 1)),
            .delete(a.delete().where(a.c.id == 1)),
            .insert(a.insert().values(["name": "x"])),
            .insert(a.insert().values(["email": "x"])),
            .insert(a.insert().values(["name": "x"]).onConflictDoNothing(.columns(["email"], where: a.c.active == true))),
            .insert(a.insert().values(["name": "x"]).onConflictDoNothing(.columns(["email"], where: a.c.active == false))),
        ]
        XCTAssertEqual(try assertNoFalseHits(shapes, dialects: [.postgresql]), shapes.count)
    }

    /// A table's identity is in the key; the key holds the statement, so a table freed
    /// while its entry lives cannot be mistaken for a new table at the same address.
    func testShortLivedTablesNeverShareAnEntry() throws {
        let cache = StatementCache(capacity: 10_000)
        for i in 0..<200 {
            let metadata = MetaData()
            let t = Table("t\(i)", metadata, Column("c\(i)", .integer, primaryKey: true))
            let compiled = try cache.compile(.select(select(t.c["c\(i)"]).where(t.c["c\(i)"] == i)), .sqlite)
            XCTAssertEqual(compiled.sql, "SELECT t\(i).c\(i) FROM t\(i) WHERE t\(i).c\(i) = ?")
        }
        XCTAssertEqual(cache.statistics.misses, 200)
    }

    func testDialectFlagsSeparateEntries() throws {
        let cache = StatementCache(capacity: 10)
        let q = StatementNode.select(select(a.c.id).where(a.c.id == 1))
        XCTAssertEqual(try cache.compile(q, .sqlite).sql, "SELECT authors.id FROM authors WHERE authors.id = ?")
        XCTAssertEqual(try cache.compile(q, .postgresql).sql, "SELECT authors.id FROM authors WHERE authors.id = $1")
        XCTAssertEqual(cache.statistics.entries, 2)
    }
}
