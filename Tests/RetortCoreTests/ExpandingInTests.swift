import Foundation
import XCTest
@testable import RetortCore
import RetortTestSupport

/// IN lists that expand at execution, run on real SQLite and PostgreSQL databases.
final class ExpandingInTests: XCTestCase {
    private func makeItems(_ engine: Engine) throws -> Table {
        let m = MetaData()
        let t = Table("items", m, Column("id", .integer, primaryKey: true), Column("name", .string(50)),
                      Column("score", .integer))
        try m.createAll(engine)
        try engine.begin { conn in
            // Scores 1, 2, NULL, 4, 5, NULL, 7, 8, NULL, 10.
            try conn.execute(t.insert().values((1...10).map { i -> [String: (any SQLExpressible)?] in
                ["id": i, "name": "n\(i)", "score": i % 3 == 0 ? nil : i]
            }))
        }
        return t
    }

    func testInListsOfEveryLengthAndEmptySetSemantics() throws {
        try forEachBackend { engine in
            let t = try makeItems(engine)
            let db = engine.dialect.name
            try engine.connect { conn in
                func ids(_ condition: SQLExpression<Bool>) throws -> [Int] {
                    try conn.scalars(select(t.c.id).where(condition).orderBy(t.c.id), as: Int.self).all()
                }
                func count(_ condition: SQLExpression<Bool>) throws -> Int {
                    try conn.scalar(select(fn.count()).selectFrom(t).where(condition), as: Int.self)
                }
                XCTAssertEqual(try ids(t.c.id.in([2, 4, 99])), [2, 4], db)
                XCTAssertEqual(try ids(t.c.id.in([7])), [7], db)
                XCTAssertEqual(try ids(t.c.id.in([Int]())), [], db)
                XCTAssertEqual(try count(t.c.id.notIn([1, 2])), 8, db)
                XCTAssertEqual(try count(t.c.id.notIn([Int]())), 10, db)
                XCTAssertEqual(try ids(t.c.name.in(["n3", "n10", "x"])), [3, 10], db)
                // Empty sets: IN is false and NOT IN true even where the left side is NULL.
                XCTAssertEqual(try count(t.c.score.in([Int]())), 0, db)
                XCTAssertEqual(try count(t.c.score.notIn([Int]())), 10, db)
                XCTAssertEqual(try count(!t.c.score.in([Int]())), 10, db)
                // Non-empty lists keep SQL's NULL rules: a NULL left side is never in or
                // out, and a NULL in the list makes NOT IN unknown for every other value.
                XCTAssertEqual(try count(t.c.score.notIn([1])), 6, db)
                XCTAssertEqual(try count(t.c.score.in([1, nil] as [Int?])), 1, db)
                XCTAssertEqual(try count(t.c.score.notIn([1, nil] as [Int?])), 0, db)
                // Beside other parameters, in WHERE and in a subquery.
                XCTAssertEqual(try ids(t.c.id > 2 && t.c.id.in([1, 3, 5]) && t.c.name != "n5"), [3], db)
                let inner = select(t.c.id).where(t.c.score.in([4, 5, 7]))
                XCTAssertEqual(try ids(t.c.id.in(inner) && t.c.id.notIn([5])), [4, 7], db)
            }
        }
    }

    func testExpandingParameterTakesAListAtExecution() throws {
        try forEachBackend { engine in
            let t = try makeItems(engine)
            let db = engine.dialect.name
            let q = select(t.c.name).where(t.c.id.in(bindParameter("ids", expanding: true))).orderBy(t.c.id)
            try engine.connect { conn in
                for list in [[1], [3, 5, 7], [], Array(1...10), [2, 2, 2]] {
                    let names = try conn.scalars(q, ["ids": SQLValueList(list)], as: String.self).all()
                    XCTAssertEqual(names, Set(list).sorted().map { "n\($0)" }, "\(db) \(list)")
                }
                let notQ = select(fn.count()).selectFrom(t).where(t.c.id.notIn(bindParameter("ids", expanding: true)))
                XCTAssertEqual(try conn.scalar(notQ, ["ids": SQLValueList([Int]())], as: Int.self), 10, db)
                XCTAssertEqual(try conn.scalar(notQ, ["ids": SQLValueList([1, 2, 3])], as: Int.self), 7, db)

                let single = assertThrows(InterfaceError.self) { try conn.execute(q, ["ids": 5]) }
                XCTAssertTrue(single?.message.contains("SQLValueList") ?? false, single?.message ?? "")
                let missing = assertThrows(InterfaceError.self) { try conn.execute(q) }
                XCTAssertEqual(missing?.kind, .missingParameter)
                let extra = assertThrows(InterfaceError.self) { try conn.execute(q, ["ids": SQLValueList([1]), "x": 1]) }
                XCTAssertEqual(extra?.kind, .unexpectedParameter)
                let listForScalar = assertThrows(InterfaceError.self) {
                    try conn.execute(select(t.c.id).where(t.c.id == bindParameter("id")), ["id": SQLValueList([1])])
                }
                XCTAssertTrue(listForScalar?.message.contains("expanding: true") ?? false, listForScalar?.message ?? "")
            }
            // executemany: each set has its own list.
            let deleted = try engine.begin { conn in
                try conn.execute(t.delete().where(t.c.id.in(bindParameter("ids", expanding: true))),
                                 [["ids": SQLValueList([1])], ["ids": SQLValueList([2, 3, 99])], ["ids": SQLValueList([Int]())]])
            }
            XCTAssertEqual(deleted.rowCount, 3, db)
            XCTAssertEqual(try engine.connect { try $0.scalar(select(fn.count()).selectFrom(t), as: Int.self) }, 7, db)
        }
    }

    /// 40000 values pass SQLite's default 32766-variable limit: SQLite sends such a
    /// list as one JSON array; PostgreSQL always sends one array parameter.
    func testLargeListsStayUnderTheParameterLimits() throws {
        try forEachBackend { engine in
            let t = try makeItems(engine)
            let db = engine.dialect.name
            try engine.connect { conn in
                func count(_ condition: SQLExpression<Bool>) throws -> Int {
                    try conn.scalar(select(fn.count()).selectFrom(t).where(condition), as: Int.self)
                }
                let big = Array(1...40_000)
                XCTAssertEqual(try count(t.c.id.in(big)), 10, db)
                XCTAssertEqual(try count(t.c.id.notIn(big)), 0, db)
                let huge = t.c.id.in(Array(-70_000...(-1)) + [3])
                if engine.dialect.listParameterStyle == .expanded(jsonFallback: false) {
                    // Past the limit with no way to send the list as one value (MySQL): an error naming the way out.
                    let error = assertThrows(InterfaceError.self) { try count(huge) }
                    XCTAssertEqual(error?.kind, .tooManyParameters, db)
                    XCTAssertTrue(error?.message.contains("split the list") ?? false, error?.message ?? "")
                } else {
                    XCTAssertEqual(try count(huge), 1, db)
                }
                XCTAssertEqual(try count(t.c.name.in((0..<40_000).map { "n\($0)" })), 10, db)
                XCTAssertEqual(try count(t.c.score.notIn(big.map { $0 + 5 })), 4, db)
                XCTAssertEqual(try count(t.c.score.notIn(big.map { Optional($0 + 5) } + [nil])), 0, db)
                // Just under the limit, SQLite still expands to single parameters.
                let under = Array(1...(engine.dialect.maxBindParameters - 1))
                XCTAssertEqual(try count(t.c.id.in(under) && t.c.id > 8), 2, db)
                let q = select(t.c.id).where(t.c.id.in(big))
                let (sql, values) = try q.compile(for: engine.dialect).resolve([:], for: engine.dialect)
                if engine.dialect.listParameterStyle == .array {
                    XCTAssertEqual(sql, "SELECT items.id FROM items WHERE items.id = ANY($1::int8[])")
                    XCTAssertEqual(values.count, 1)
                } else if engine.dialect.listParameterStyle == .expanded(jsonFallback: false) {
                    // Under the limit: one placeholder per value.
                    XCTAssertTrue(sql.hasPrefix("SELECT items.id FROM items WHERE items.id IN (?, ?, "), db)
                    XCTAssertEqual(values.count, big.count, db)
                } else {
                    XCTAssertEqual(sql, "SELECT items.id FROM items WHERE items.id IN (SELECT value FROM json_each(?))")
                    XCTAssertEqual(values.count, 1)
                    // Binary values have no JSON form: past the limit they are an error naming the way out.
                    let blobs = (0..<40_000).map { Data([UInt8($0 & 0xFF), UInt8($0 >> 8)]) }
                    let error = assertThrows(InterfaceError.self) { try conn.execute(select(t.c.id).where(t.c.name.in(blobs))) }
                    XCTAssertEqual(error?.kind, .tooManyParameters)
                    XCTAssertTrue(error?.message.contains("split the list") ?? false, error?.message ?? "")
                }
            }
        }
    }

    func testOneCachedShapeServesEveryLength() throws {
        let m = MetaData()
        let t = Table("shape_items", m, Column("id", .integer, primaryKey: true))
        let cache = StatementCache.shared
        cache.removeAll()
        for n in [0, 1, 5, 1000, 40_000] {
            for dialect in [Dialect.sqlite, .postgresql] {
                _ = try select(t.c.id).where(t.c.id.in(Array(0..<n))).compile(for: dialect)
            }
        }
        XCTAssertEqual(cache.statistics.misses, 2)
        XCTAssertEqual(cache.statistics.hits, 8)
        XCTAssertEqual(cache.statistics.entries, 2)
    }

    func testDDLWritesListsAsLiterals() throws {
        let m = MetaData()
        let t = Table("graded", m, Column("id", .integer, primaryKey: true), Column("grade", .string(1)),
                      CheckConstraint(column("grade").in(["A", "B", "O'K"]), name: "ck_graded_grade"))
        for dialect in [Dialect.sqlite, .postgresql] {
            let sql = try CreateTable(t).compile(for: dialect).sql
            XCTAssertTrue(sql.contains("CONSTRAINT ck_graded_grade CHECK (grade IN ('A', 'B', 'O''K'))"), sql)
        }
        try forEachBackend { engine in
            try m.createAll(engine)
            try engine.begin { conn in
                try conn.execute(t.insert().values(["grade": "B"]))
                XCTAssertThrowsError(try conn.execute(t.insert().values(["grade": "C"])))
            }
        }
    }

    /// Random strings full of what array literals, JSON and SQL treat specially go
    /// through IN lists (one array parameter on PostgreSQL, JSON past SQLite's limit)
    /// and find exactly the rows holding them.
    func testRandomStringsInListsMatchExactly() throws {
        // Not on MySQL: its text compares by collation (utf8mb4_general_ci: "NULL" equals
        // "null", trailing spaces are ignored), so exactly matching needs a binary collation.
        try forEachBackend(includeMySQL: false) { engine in
            let db = engine.dialect.name
            let m = MetaData()
            let t = Table("words", m, Column("id", .integer, primaryKey: true), Column("w", .text))
            try m.createAll(engine)
            var rng = SystemRandomNumberGenerator()
            let pieces = ["'", "\"", "\\", "{", "}", ",", "NULL", "null", " ", "--", ";", "😀", "é", "$1", "?", "[", "]",
                          "\\\"", "\n", "\t", "\u{1}", "ARRAY", "(", ")", "%", "_"]
            var words: [String] = []
            var seen = Set<String>()
            while words.count < 400 {
                let w = (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
                if seen.insert(w).inserted { words.append(w) }
            }
            try engine.begin { conn in
                try conn.execute(t.insert().values(words.enumerated().map { ["id": $0.offset, "w": $0.element] }))
            }
            try engine.connect { conn in
                for _ in 0..<40 {
                    let chosen = words.indices.filter { _ in Bool.random(using: &rng) }
                    let list = chosen.map { words[$0] } + ["not there \u{2}"]
                    let ids = try conn.scalars(select(t.c.id).where(t.c.w.in(list)).orderBy(t.c.id), as: Int.self).all()
                    XCTAssertEqual(ids, chosen, db)
                    let others = try conn.scalar(select(fn.count()).selectFrom(t).where(t.c.w.notIn(list)), as: Int.self)
                    XCTAssertEqual(others, words.count - chosen.count, db)
                }
                // The same words, padded past SQLite's parameter limit.
                let padded = words + (0..<40_000).map { "pad \($0)" }
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t).where(t.c.w.in(padded)), as: Int.self),
                               words.count, db)
            }
        }
    }

    /// Lists of every kind of value meet columns of their type: each value goes as the
    /// column's type binds it (a date as its day, a UUID as text, an enum label, a
    /// long decimal exactly), inside PostgreSQL's array or as SQLite parameters.
    func testListsOfEveryTypeMatchTheirColumns() throws {
        try forEachBackend { engine in
            let db = engine.dialect.name
            let m = MetaData()
            let t = Table("typed_in", m, Column("id", .integer, primaryKey: true), Column("day", .date),
                          Column("token", .uuid), Column("flag", .boolean), Column("amount", .numeric(38, 10)),
                          Column("format", .enum("in_format", ["hardcover", "ebook"])), Column("bytes", .binary),
                          Column("at", .datetime(timezone: true)))
            try m.createAll(engine)
            let days = [Date(timeIntervalSince1970: 86_400 * 19_000), Date(timeIntervalSince1970: 86_400 * 19_001)]
            let tokens = [UUID(), UUID()]
            let amounts = [Decimal(string: "123456789012345678.0123456789")!, Decimal(string: "0.5")!]
            let instants = [Date(timeIntervalSince1970: 1_700_000_000.25), Date(timeIntervalSince1970: 1_600_000_000)]
            try engine.begin { conn in
                for i in 0..<2 {
                    try conn.execute(t.insert().values([
                        "id": i + 1, "day": days[i], "token": tokens[i], "flag": i == 0, "amount": amounts[i],
                        "format": i == 0 ? "hardcover" : "ebook", "bytes": Data([UInt8(i), 0, 255]), "at": instants[i],
                    ]))
                }
            }
            try engine.connect { conn in
                func ids(_ condition: SQLExpression<Bool>) throws -> [Int] {
                    try conn.scalars(select(t.c.id).where(condition).orderBy(t.c.id), as: Int.self).all()
                }
                XCTAssertEqual(try ids(t.c.day.in([days[1]])), [2], db)
                XCTAssertEqual(try ids(t.c.token.in([tokens[0], UUID()])), [1], db)
                XCTAssertEqual(try ids(t.c.flag.in([false])), [2], db)
                XCTAssertEqual(try ids(t.c.amount.in([amounts[0]])), [1], db)
                XCTAssertEqual(try ids(t.c.amount.notIn([amounts[0]])), [2], db)
                XCTAssertEqual(try ids(t.c.format.in(["ebook"])), [2], db)
                XCTAssertEqual(try ids(t.c.bytes.in([Data([1, 0, 255]), Data([9])])), [2], db)
                XCTAssertEqual(try ids(t.c.at.in(instants)), [1, 2], db)
                let named = select(t.c.id).where(t.c.day.in(bindParameter("days", expanding: true))).orderBy(t.c.id)
                XCTAssertEqual(try conn.scalars(named, ["days": SQLValueList(days)], as: Int.self).all(), [1, 2], db)
            }
        }
    }
}
