import Foundation
import RetortTestSupport
import XCTest
@testable import RetortCore

/// Random expression trees, compiled for each database and evaluated there over a
/// small table, against an evaluator written in Swift (three-valued logic, SQL's type
/// rules, each database's own rules where they legitimately differ).
///
/// Seeded and reproducible: the seed is printed, `RETORT_DIFFERENTIAL_SEED=<n>` reruns
/// one, `RETORT_DIFFERENTIAL_CASES=<n>` runs more trees (default 1500 per database).
/// A failure prints the tree, the SQL, the row, and both answers.
final class ExpressionDifferentialTests: XCTestCase {
    static var seed: UInt64 {
        if let s = ProcessInfo.processInfo.environment["RETORT_DIFFERENTIAL_SEED"], let n = UInt64(s) { return n }
        return UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000
    }

    static var cases: Int {
        ProcessInfo.processInfo.environment["RETORT_DIFFERENTIAL_CASES"].flatMap(Int.init) ?? 1500
    }

    func testSQLiteAgreesWithTheEvaluator() throws {
        let engine = try createEngine(temporarySQLiteURL("differential"))
        defer { engine.dispose() }
        try run(engine, rules: .sqlite, name: "SQLite")
    }

    func testPostgreSQLAgreesWithTheEvaluator() throws {
        let engine = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        try run(engine, rules: .postgresql, name: "PostgreSQL")
    }

    private func run(_ engine: Engine, rules: EvaluationRules, name: String) throws {
        let seed = Self.seed
        print("ExpressionDifferentialTests \(name): seed \(seed) (RETORT_DIFFERENTIAL_SEED=\(seed) reruns it)")
        _ = DifferentialTable.table  // statics are lazy: register the table before createAll
        try DifferentialTable.metadata.createAll(engine)
        try engine.begin { conn in
            try conn.execute(DifferentialTable.table.insert(),
                             DifferentialTable.rows.map { Parameters($0.mapValues { $0 as Parameters.Value }) })
        }
        let conn = try engine.connect()
        defer { conn.close() }

        var generator = ExpressionGenerator(rng: SeededGenerator(seed: seed), maxDepth: 5)
        let evaluator = ExpressionEvaluator(rules: rules)
        let ids = DifferentialTable.table.c.id
        var compared = 0, skipped = 0, failures = 0
        var deepest = 0
        for n in 0..<Self.cases {
            let kind = generator.pick(ExprKind.allCases)
            let tree = generator.generate(kind, 0)
            let expected: [EvalValue]
            do {
                expected = try DifferentialTable.rows.map { try evaluator.evaluate(tree, $0) }
            } catch is Undefined {
                skipped += 1
                continue
            }
            deepest = max(deepest, tree.depth)
            let statement = select(ids, tree.sql.label("v")).selectFrom(DifferentialTable.table).orderBy(ids)
            let sql = (try? statement.compile(for: engine.dialect).sql) ?? "<does not compile>"
            do {
                let rows = try conn.execute(statement).all()
                XCTAssertEqual(rows.count, expected.count)
                for (row, want) in zip(rows, expected) where !evaluator.agrees(row.values[1], want, kind: kind) {
                    failures += 1
                    XCTFail("""
                        \(name) case \(n) (seed \(seed)) disagrees on row id=\(row.values[0]):
                          tree:      \(tree)
                          SQL:       \(sql)
                          database:  \(row.values[1])
                          evaluator: \(want)
                        """)
                    break
                }
            } catch {
                try? conn.rollback()  // PostgreSQL ignores statements after an error until then
                failures += 1
                XCTFail("""
                    \(name) case \(n) (seed \(seed)) failed in the database:
                      tree:  \(tree)
                      SQL:   \(sql)
                      error: \(error)
                    """)
            }
            compared += 1
            if failures >= 5 { break }
        }
        print("ExpressionDifferentialTests \(name): \(compared) trees compared over \(DifferentialTable.rows.count) rows, \(skipped) skipped (division by zero or out of range), deepest \(deepest)")
        XCTAssertGreaterThan(compared, Self.cases / 2, "most generated trees must be comparable")
        XCTAssertGreaterThanOrEqual(deepest, 4)
    }
}

extension GenExpr {
    /// The tree's depth (a leaf is 0).
    var depth: Int {
        switch self {
        case .column, .value: return 0
        case .neg(let e, _), .not(let e), .like(let e, _, _), .inValues(let e, _, _), .isNull(let e, _), .cast(let e, _),
             .compareValue(_, let e, _):
            return 1 + e.depth
        case .arith(_, let a, let b, _), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b),
             .coalesce(let a, let b, _), .concat(let a, let b):
            return 1 + max(a.depth, b.depth)
        case .between(let a, let b, let c), .notBetween(let a, let b, let c):
            return 1 + max(a.depth, b.depth, c.depth)
        case .caseWhen(let ws, let e, _):
            return 1 + max(ws.map { max($0.0.depth, $0.1.depth) }.max() ?? 0, e?.depth ?? 0)
        }
    }
}
