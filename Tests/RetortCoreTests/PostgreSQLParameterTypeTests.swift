import Foundation
import RetortTestSupport
import XCTest
@testable import RetortCore

/// PostgreSQL receives each parameter with the type its Swift value implies, so the
/// server does not guess from context (and guess text, or the column's integer type).
final class PostgreSQLParameterTypeTests: XCTestCase {
    private func withEmployees(_ body: (Connection, Table) throws -> Void) throws {
        let engine = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        let m = MetaData()
        let e = Table("employees", m, Column("id", .integer, primaryKey: true), Column("name", .string(40)),
                      Column("rating", .integer), Column("salary", .numeric(12, 2)), Column("manager_id", .integer))
        try m.createAll(engine)
        try engine.begin { conn in
            try conn.execute(e.insert(), [
                ["id": 1, "name": "ada", "rating": 5, "salary": Decimal(120_000), "manager_id": nil],
                ["id": 2, "name": "bo", "rating": 3, "salary": Decimal(string: "45000.50")!, "manager_id": 1],
                ["id": 3, "name": "cy", "rating": 4, "salary": Decimal(30_000), "manager_id": 2],
            ])
        }
        try engine.connect { conn in try body(conn, e) }
    }

    /// The three failures of issue #20, defect 1.
    func testTheIssuesExamplesRun() throws {
        try withEmployees { conn, e in
            let scaled = try conn.execute(select(e.c.id, e.c.rating * 1.5).orderBy(e.c.id)).all().map { $0.values[1] }
            XCTAssertEqual(scaled, [.real(7.5), .real(4.5), .real(6.0)])

            let good = caseWhen(.when(e.c.rating >= 4, then: 1), else: 0)
            let flags = try conn.execute(select(good).selectFrom(e).orderBy(e.c.id)).all().map { $0.values[0] }
            XCTAssertEqual(flags, [.integer(1), .integer(0), .integer(1)])
            XCTAssertEqual(try conn.value(select(fn.sum(good)).selectFrom(e)), .integer(2))

            let anchor = select(e.c.id, literal(0).label("depth")).where(e.c.manager_id == nil).cte("chain", recursive: true)
            let chain = anchor.unionAll(
                select(e.c.id, (anchor.c.depth + 1).label("depth")).selectFrom(e.join(anchor, on: e.c.manager_id == anchor.c.id)))
            let depths = try conn.execute(select(chain.c.id, chain.c.depth).orderBy(chain.c.id)).all().map(\.values)
            XCTAssertEqual(depths, [[1, 0], [2, 1], [3, 2]])
        }
    }

    /// One value of each Swift type, in each context where the server cannot infer a
    /// type from a column: the SELECT list, CASE, COALESCE, VALUES, a CTE's select
    /// list; then arithmetic and function arguments.
    func testEachSwiftTypeInEachContext() throws {
        let id = UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!
        let cases: [(SQLValue, String)] = [
            (.integer(7), "integer"), (.integer(1 << 40), "bigint"), (.real(1.5), "double precision"), (.decimal(Decimal(string: "12.345")!), "numeric"),
            (.bool(true), "boolean"), (.text("x"), "text"), (.blob(Data([1, 2])), "bytea"), (.uuid(id), "uuid"),
        ]
        try withEmployees { conn, e in
            for (value, typeName) in cases {
                let v = literal(value).untyped
                let row = try conn.execute(select(
                    v, fn.pg_typeof(fn.coalesce(v, v)).cast(.text),
                    caseWhen(.when(e.c.id == 1, then: v), else: v),
                    fn.coalesce(v, v),
                    fn.pg_typeof(caseWhen(.when(e.c.id == 1, then: v))).cast(.text)
                ).selectFrom(e).where(e.c.id == 1)).one()
                XCTAssertEqual(row.values[0].comparable, value.comparable, typeName)
                XCTAssertEqual(row.values[1], .text(typeName))
                XCTAssertEqual(row.values[2].comparable, value.comparable, typeName)
                XCTAssertEqual(row.values[3].comparable, value.comparable, typeName)
                XCTAssertEqual(row.values[4], .text(typeName))
                let viaValues = try conn.execute(text("SELECT pg_typeof(x)::text FROM (VALUES (:v)) AS t(x)"), ["v": value]).one()
                XCTAssertEqual(viaValues.values[0], .text(typeName))
                let viaCTE = try conn.execute(text("WITH c AS (SELECT :v AS x) SELECT pg_typeof(x)::text, x FROM c"), ["v": value]).one()
                XCTAssertEqual(viaCTE.values[0], .text(typeName))
                XCTAssertEqual(viaCTE.values[1].comparable, value.comparable, typeName)
            }
            // Arithmetic and function arguments: the value's type decides, not the column's.
            XCTAssertEqual(try conn.value(select(e.c.rating + 0.25).selectFrom(e).where(e.c.id == 2)), .real(3.25))
            XCTAssertEqual(try conn.value(select(e.c.salary * Decimal(string: "0.1")!).selectFrom(e).where(e.c.id == 2)),
                           .decimal(Decimal(string: "4500.050")!))
            XCTAssertEqual(try conn.value(select(fn.abs(literal(-2.5)))), .real(2.5))
            XCTAssertEqual(try conn.value(select(fn.abs(literal(-2)))), .integer(2))
            // An integer fits functions that take an `integer`.
            XCTAssertEqual(try conn.value(select(fn.round(e.c.salary / 7, 2)).selectFrom(e).where(e.c.id == 3)),
                           .decimal(Decimal(string: "4285.71")!))
            XCTAssertEqual(try conn.value(select(fn.repeat("ab", 2))), .text("abab"))
            XCTAssertEqual(try conn.value(text("SELECT x * 2 FROM (VALUES (:a)) AS v(x)"), ["a": 1.5]), .real(3.0))
            // Text and dates stay untyped, so a column decides: a date, an enum, a json column.
            XCTAssertEqual(try conn.value(text("SELECT (CAST(:d AS date) + 1)::text"), ["d": "2021-01-04"]), .text("2021-01-05"))
        }
    }

    /// The prepared statement for one SQL text is prepared per combination of types:
    /// the same query run with an integer, a Double and a NULL gives each its answer.
    func testTheStatementCacheKeysOnTheParameterTypes() throws {
        try withEmployees { conn, e in
            let q = select(bindParameter("x") * 2)
            XCTAssertEqual(try conn.value(q, ["x": 3]), .integer(6))
            XCTAssertEqual(try conn.value(q, ["x": 1.25]), .real(2.5))
            XCTAssertEqual(try conn.value(q, ["x": Decimal(string: "0.5")!]), .decimal(Decimal(1)))
            XCTAssertEqual(try conn.value(q, ["x": 3]), .integer(6))
            let byRating = select(e.c.id).where(e.c.rating > bindParameter("r")).orderBy(e.c.id)
            XCTAssertEqual(try conn.scalars(byRating, ["r": 3.5], as: Int.self).all(), [1, 3])
            XCTAssertEqual(try conn.scalars(byRating, ["r": 4], as: Int.self).all(), [1])
        }
    }

    /// Parameters are prepared with types only up to the SQL's highest placeholder, so
    /// a surplus value is still "unexpected"; placeholders inside literals, quoted
    /// names, dollar quotes and comments do not count.
    func testPlaceholderScanSkipsQuotesAndComments() {
        XCTAssertEqual(PostgreSQLPlaceholders.highest(in: "SELECT $1 + $12, $3"), 12)
        XCTAssertEqual(PostgreSQLPlaceholders.highest(in: "SELECT '$9', \"$8\", $$ $7 $$, $tag$ $6 $tag$, $2 -- $5\n"), 2)
        XCTAssertEqual(PostgreSQLPlaceholders.highest(in: "SELECT /* $4 /* $5 */ */ $1, E'\\' $3', a$2"), 1)
        XCTAssertEqual(PostgreSQLPlaceholders.highest(in: "SELECT 'it''s $3' || $2"), 2)
    }

    /// executemany shares one prepared statement: a position whose values differ in
    /// type goes untyped (as text) and each value still lands exactly.
    func testExecuteManyWithMixedTypesAtOnePosition() throws {
        let engine = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        let m = MetaData()
        let t = Table("measures", m, Column("id", .integer, primaryKey: true), Column("v", .double), Column("n", .numeric(10, 3)))
        try m.createAll(engine)
        try engine.begin { conn in
            try conn.execute(t.insert(), [["id": 1, "v": 2, "n": 3], ["id": 2, "v": 2.5, "n": Decimal(string: "1.125")!],
                                          ["id": 3, "v": nil, "n": 7]])
            let rows = try conn.execute(select(t.c.v, t.c.n).orderBy(t.c.id)).all().map(\.values)
            XCTAssertEqual(rows, [[.real(2), .decimal(3)], [.real(2.5), .decimal(Decimal(string: "1.125")!)], [.null, .decimal(7)]])
        }
    }
}

extension Connection {
    /// The first column of the first row, as it came.
    fileprivate func value(_ statement: some Executable, _ parameters: Parameters = [:]) throws -> SQLValue {
        try scalar(statement, parameters, as: SQLValue.self)
    }
}

extension SQLValue {
    /// Numbers by value, so `.decimal(7)` and `.integer(7)` compare equal in assertions
    /// where only the value matters.
    fileprivate var comparable: String {
        switch self {
        case .decimal(let d): return "n:" + d.description
        default: return description
        }
    }
}
