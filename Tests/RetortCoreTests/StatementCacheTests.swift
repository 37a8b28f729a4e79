import Foundation
import XCTest
@testable import RetortCore

/// The compiled-statement cache: shapes, value extraction, bounds, threads.
final class StatementCacheTests: XCTestCase {
    let a = Library.authors
    let b = Library.books

    override func setUp() {
        StatementCache.shared.removeAll()
    }

    func testSameShapeCompilesOnce() throws {
        for id in 1...50 {
            let c = try select(a.c.name).where(a.c.id == id).compile(for: .sqlite)
            XCTAssertEqual(c.sql, "SELECT authors.name FROM authors WHERE authors.id = ?")
            XCTAssertEqual(c.bindings, [.value(.integer(Int64(id)))])
        }
        let stats = StatementCache.shared.statistics
        XCTAssertEqual(stats.misses, 1)
        XCTAssertEqual(stats.hits, 49)
        XCTAssertEqual(stats.entries, 1)
    }

    func testDialectsAreSeparateEntries() throws {
        _ = try select(a.c.name).where(a.c.id == 1).compile(for: .sqlite)
        let pg = try select(a.c.name).where(a.c.id == 2).compile(for: .postgresql)
        XCTAssertEqual(pg.sql, "SELECT authors.name FROM authors WHERE authors.id = $1")
        XCTAssertEqual(StatementCache.shared.statistics.misses, 2)
    }

    func testDifferentShapesAreDifferentEntries() throws {
        _ = try select(a.c.name).where(a.c.id == 1).compile(for: .sqlite)
        _ = try select(a.c.name).where(a.c.id > 1).compile(for: .sqlite)
        _ = try select(a.c.email).where(a.c.id == 1).compile(for: .sqlite)
        _ = try select(a.c.name).where(a.c.id == nil).compile(for: .sqlite)
        XCTAssertEqual(StatementCache.shared.statistics.entries, 4)
    }

    func testInListLengthIsNotPartOfTheShape() throws {
        let two = try select(a.c.id).where(a.c.id.in([1, 2])).compile(for: .sqlite)
        let three = try select(a.c.id).where(a.c.id.in([4, 5, 6])).compile(for: .sqlite)
        let none = try select(a.c.id).where(a.c.id.in([Int]())).compile(for: .sqlite)
        let many = try select(a.c.id).where(a.c.id.in(Array(0..<40_000))).compile(for: .sqlite)
        XCTAssertEqual(two.sql, "SELECT authors.id FROM authors WHERE authors.id IN (?)")
        XCTAssertEqual(three.sql, two.sql)
        XCTAssertEqual(none.sql, two.sql)
        XCTAssertEqual(many.sql, two.sql)
        XCTAssertEqual(two.bindings, [.valueList([1, 2])])
        XCTAssertEqual(three.bindings, [.valueList([4, 5, 6])])
        XCTAssertEqual(none.bindings, [.valueList([])])
        XCTAssertEqual(many.bindings, [.valueList((0..<40_000).map { .integer(Int64($0)) })])
        XCTAssertEqual(StatementCache.shared.statistics.misses, 1)
        XCTAssertEqual(StatementCache.shared.statistics.hits, 3)
        // The same holds on PostgreSQL, and for NOT IN beside other values.
        let p1 = try select(a.c.id).where(a.c.id.notIn([1]) && a.c.name == "a").compile(for: .postgresql)
        let p2 = try select(a.c.id).where(a.c.id.notIn([1, 2, 3, 4]) && a.c.name == "b").compile(for: .postgresql)
        XCTAssertEqual(p1.sql, "SELECT authors.id FROM authors WHERE authors.id <> ALL($1) AND authors.name = $2")
        XCTAssertEqual(p2.sql, p1.sql)
        XCTAssertEqual(p2.bindings, [.valueList([1, 2, 3, 4]), .value("b")])
        XCTAssertEqual(StatementCache.shared.statistics.misses, 2)
    }

    func testValuesInSubqueriesAndCTEsFillTheRightPlaces() throws {
        func q(_ x: Int, _ y: Int, _ z: Int) -> Select {
            let big = select(b.c.id, b.c.author_id).where(b.c.pages > x).cte("big")
            return select(a.c.name, literal(y).label("y")).where(a.c.id.in(select(big.c.author_id)) && a.c.id < z).limit(x + y + z)
        }
        let first = try q(1, 2, 3).compile(for: .postgresql)
        let second = try q(10, 20, 30).compile(for: .postgresql)
        XCTAssertEqual(first.sql, second.sql)
        XCTAssertEqual(second.sql, "WITH big AS (SELECT books.id, books.author_id FROM books WHERE books.pages > $1) "
                        + "SELECT authors.name, $2 AS y FROM authors WHERE authors.id IN (SELECT big.author_id FROM big) AND authors.id < $3 LIMIT $4")
        XCTAssertEqual(second.bindings, [.value(10), .value(20), .value(30), .value(60)])
        XCTAssertEqual(StatementCache.shared.statistics.hits, 1)
    }

    /// Cached compilation must equal fresh compilation for every value set, for a
    /// corpus of shapes (each built from three values).
    func testCachedEqualsUncachedAcrossShapes() throws {
        let a = self.a, b = self.b
        let shapes: [(Int, String, Int) -> StatementNode] = [
            { i, s, j in .select(select(a.c.name).where(a.c.id == i && a.c.name != s).limit(j)) },
            { i, s, j in .select(select(a.c.name, fn.coalesce(a.c.email, s)).where(a.c.id.between(i, j))) },
            { i, s, j in .select(select(b.c.title).where(b.c.pages > select(fn.avg(b.c.pages)).where(b.c.author_id == i).scalarSubquery())
                .orderBy(b.c.title).offset(j)) },
            { i, s, j in .compound(select(a.c.name).where(a.c.id == i).union(select(b.c.title).where(b.c.title == s)).limit(j)) },
            { i, s, j in .select(select(caseWhen(.when(b.c.pages > i, then: s), else: j))) },
            { i, s, j in .select(select(a.c.name).where(exists(select(b.c.id).where(b.c.author_id == a.c.id && b.c.pages < i)))
                .where(a.c.name.contains(s)).limit(j)) },
            { i, s, j in .insert(a.insert().values([["name": s, "active": i > 0], ["name": s + "!", "active": j > 0]])) },
            { i, s, j in .insert(a.insert().values(["name": s]).onConflictDoUpdate(.columns("email"), set: ["name": excluded.name, "active": i > j])) },
            { i, s, j in .update(b.update().values(["pages": b.c.pages + i, "title": s]).where(b.c.id == j).returning(b.c.id)) },
            { i, s, j in .delete(a.delete().where(a.c.id.in([i, j]) || a.c.name == s)) },
            { i, s, j in .select(select(fn.sum(b.c.pages).over(partitionBy: [b.c.author_id]), literal(s)).where(b.c.id.notIn([i, j]))) },
            { i, s, j in
                let sq = select(b.c.author_id, fn.count().label("n")).selectFrom(b).where(b.c.pages > i).groupBy(b.c.author_id).subquery("c")
                return .select(select(a.c.name, sq.c.n).selectFrom(a.join(sq, on: a.c.id == sq.c.author_id)).where(sq.c.n > j && a.c.name != s))
            },
        ]
        let values: [(Int, String, Int)] = [(1, "a", 2), (7, "it's", 9), (-3, "", 0), (100, "%_/", 42)]
        for dialect in [Dialect.sqlite, .postgresql] {
            for (n, shape) in shapes.enumerated() {
                for (i, s, j) in values {
                    let statement = shape(i, s, j)
                    let cached = try StatementCache.shared.compile(statement, dialect)
                    let fresh = try StatementCache.compileUncached(statement, dialect)
                    XCTAssertEqual(cached, fresh, "shape \(n) with \((i, s, j)) on \(dialect)")
                }
            }
        }
        let stats = StatementCache.shared.statistics
        XCTAssertEqual(stats.misses, shapes.count * 2)
        XCTAssertEqual(stats.hits, shapes.count * 2 * (values.count - 1))
    }

    func testInlineValuesArePartOfTheShape() throws {
        func q(_ active: Bool) -> Insert {
            a.insert().values(["email": "e"]).onConflictDoNothing(.columns(["email"], where: a.c.active == active))
        }
        XCTAssertTrue(try q(true).compile(for: .postgresql).sql.contains("WHERE active = true"))
        XCTAssertTrue(try q(false).compile(for: .postgresql).sql.contains("WHERE active = false"))
    }

    func testRebuiltAnonymousSubqueryStillCompilesCorrectly() throws {
        for v in 1...3 {
            let sq = select(b.c.id).where(b.c.pages > v).subquery()
            let c = try select(sq.c.id).compile(for: .sqlite)
            XCTAssertEqual(c.sql, "SELECT anon_1.id FROM (SELECT books.id FROM books WHERE books.pages > ?) AS anon_1")
            XCTAssertEqual(c.bindings, [.value(.integer(Int64(v)))])
        }
    }

    func testCacheIsBounded() throws {
        let cache = StatementCache(capacity: 10)
        for i in 0..<25 {
            // An IN over expressions (not an expanding list) has its length in the shape.
            let shape = StatementNode.select(select(a.c.id).where(a.c.id.in(expressions: Array(0...i))))
            _ = try cache.compile(shape, .sqlite)
        }
        XCTAssertLessThanOrEqual(cache.statistics.entries, 10)
        XCTAssertEqual(cache.statistics.misses, 25)
    }

    func testErrorsAreNotCached() {
        let q = select(a.c.nope)
        XCTAssertThrowsError(try q.compile(for: .sqlite))
        XCTAssertThrowsError(try q.compile(for: .sqlite))
        XCTAssertEqual(StatementCache.shared.statistics.entries, 0)
    }

    func testConcurrentCompilation() {
        let a = self.a
        let errors = Counter()
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            let c = try? select(a.c.name).where(a.c.id == i % 7).compile(for: i % 2 == 0 ? .sqlite : .postgresql)
            if c?.bindings != [.value(.integer(Int64(i % 7)))] { _ = errors.next() }
        }
        XCTAssertEqual(errors.next(), 1, "no compilation went wrong")
        XCTAssertEqual(StatementCache.shared.statistics.entries, 2)
    }

    /// The cached path should be well under the 3 µs budget per execution (debug
    /// builds are slower; this only guards against gross regressions).
    func testCachedCompileIsFast() throws {
        let users = a
        _ = try select(users.c.id, users.c.name).where(users.c.id == 0).compile(for: .sqlite)
        let n = 2000
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<n {
            _ = try select(users.c.id, users.c.name).where(users.c.id == i).compile(for: .sqlite)
        }
        let perCall = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(n) / 1000
        XCTAssertLessThan(perCall, 100, "µs per cached compile: \(perCall)")
    }
}
