import Foundation
import RetortTestSupport
import XCTest
@testable import RetortCore

/// The MERGE that Oracle and SQL Server get for an upsert must do what the upsert does.
/// Neither server runs here, but PostgreSQL 15 implements the SQL standard's MERGE, which
/// both spellings are (SQL Server's `WITH (HOLDLOCK)` hint and closing `;` aside, and
/// Oracle's DUAL given as a one-row table). So random upserts run twice on the real
/// PostgreSQL: as PostgreSQL's own `INSERT … ON CONFLICT`, and as the MERGE text each
/// offline dialect writes (values inlined, as an offline script has them); the two
/// tables must end equal.
///
/// Seeded and reproducible: the seed is printed; `RETORT_DIFFERENTIAL_SEED=<n>` reruns one.
final class MergeUpsertDifferentialTests: XCTestCase {
    static let metadata = MetaData()
    static let items = Table("items", metadata,
        Column("id", .integer, primaryKey: true, autoincrement: false),
        Column("code", .integer, nullable: false, unique: true),
        Column("qty", .integer, nullable: false),
        Column("note", .string(20)))

    func testMergeDoesWhatOnConflictDoes() throws {
        let seed: UInt64 = ProcessInfo.processInfo.environment["RETORT_DIFFERENTIAL_SEED"].flatMap(UInt64.init)
            ?? UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000
        print("MergeUpsertDifferentialTests: seed \(seed) (RETORT_DIFFERENTIAL_SEED=\(seed) reruns it)")
        var rng = SeededGenerator(seed: seed)
        let engine = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        let t = Self.items
        try Self.metadata.createAll(engine)
        try engine.begin { conn in
            try conn.execute(text("CREATE TABLE dual (dummy VARCHAR(1))"))
            try conn.execute(text("INSERT INTO dual VALUES ('X')"))
        }
        let conn = try engine.connect()
        defer { conn.close() }

        var compared = 0
        for n in 0..<150 {
            // The rows already there, and the proposed ones: distinct keys (a MERGE, like
            // ON CONFLICT DO UPDATE, refuses to touch a row twice), and only the conflict
            // target's column may meet an existing row's (the other unique column can
            // only make both statements fail, at whichever row each reaches first).
            let existing = (0..<Int.random(in: 0...4, using: &rng)).map { i in row(id: i * 2, &rng) }
            let byCode = Bool.random(using: &rng)
            var proposed: [[String: SQLValue]] = []
            for i in 0..<Int.random(in: 1...4, using: &rng) {
                var r = row(id: i + Int.random(in: 0...1, using: &rng) * 10 + i, &rng)
                if byCode { r["id"] = .integer(Int64(100 + i)) } else { r["code"] = .integer(Int64(100 + i)) }
                proposed.append(r)
            }
            let target = byCode ? "code" : "id"
            guard Set(proposed.map { $0[target]! }).count == proposed.count,
                  Set(proposed.map { $0["id"]! }).count == proposed.count,
                  Set(proposed.map { $0["code"]! }).count == proposed.count else { continue }
            let rows = proposed.map { r in r.mapValues { $0 as (any SQLExpressible)? } }
            let base = t.insert().values(rows)

            var set: [String: (any SQLExpressible)?] = [:]
            let settable = ["qty", "note", byCode ? "id" : "code"].filter { _ in Bool.random(using: &rng) }
            let shift = Int.random(in: 1...9, using: &rng) + 1000
            for c in settable {
                let unique = c == "id" || c == "code"  // one value for every matched row would collide
                switch Int.random(in: 0...2, using: &rng) {
                case 0: set[c] = excluded[c]
                case 1 where c != "note": set[c] = t.c[c] + shift
                default:
                    if c == "note" { set[c] = "set" } else if unique { set[c] = t.c[c] + shift } else { set[c] = Int.random(in: 500...599, using: &rng) }
                }
            }
            let nothing = set.isEmpty
            let withCondition = !nothing && Bool.random(using: &rng)
            let upsert: Insert
            if nothing {
                upsert = base.onConflictDoNothing(.columns(target))
            } else if withCondition {
                upsert = base.onConflictDoUpdate(.columns(target), set: set, where: t.c.qty > 50)
            } else {
                upsert = base.onConflictDoUpdate(.columns(target), set: set)
            }

            // PostgreSQL's ON CONFLICT gives the expected table.
            let expected = try outcome(conn, existing) { try conn.execute(upsert) }
            var forms: [(String, String)] = [("mssql", try mssqlForm(upsert))]
            let setsTarget = settable.contains(target)
            if !withCondition, !setsTarget { forms.append(("oracle", try Dialect.oracle.literalSQL(upsert.compile(for: .oracle)))) }
            let onConflict = try Dialect.postgresql.literalSQL(upsert.compile(for: .postgresql))
            for (name, sql) in forms {
                let got = try outcome(conn, existing) { try conn.execute(text(sql)) }
                XCTAssertEqual(got, expected, """
                    case \(n) (seed \(seed)), \(name): the MERGE left other rows than ON CONFLICT
                      existing: \(existing)
                      MERGE:    \(sql)
                      ON CONFLICT: \(onConflict)
                    """)
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 150)
    }

    /// A random row with the given id.
    private func row(id: Int, _ rng: inout SeededGenerator) -> [String: SQLValue] {
        ["id": .integer(Int64(id)), "code": .integer(Int64(Int.random(in: 0...6, using: &rng))),
         "qty": .integer(Int64(Int.random(in: 0...99, using: &rng))),
         "note": Bool.random(using: &rng) ? .null : .text(["a", "b'c", "é"].randomElement(using: &rng)!)]
    }

    /// The table's rows after `existing` is loaded and `statement` runs, in a
    /// transaction rolled back afterwards; an error is an outcome too.
    private func outcome(_ conn: Connection, _ existing: [[String: SQLValue]], _ statement: () throws -> Void) throws -> String {
        try conn.rollback()  // a transaction of its own, rolled back below
        defer { try? conn.rollback() }
        var seen = Set<SQLValue>()
        for r in existing where seen.insert(r["code"]!).inserted {
            try conn.execute(Self.items.insert().values(r.mapValues { $0 as (any SQLExpressible)? }))
        }
        do { try statement() } catch {
            return "error: " + "\(error)".prefix { $0 != "\n" }  // the message, not the SQL that follows it
        }
        let rows = try conn.execute(select(Self.items).orderBy(Self.items.c.id)).all()
        return rows.map { "\($0.values)" }.joined(separator: "\n")
    }

    /// SQL Server's MERGE as PostgreSQL runs it: with the INTO that T-SQL leaves
    /// optional, without the HOLDLOCK table hint and the closing `;` (its `N'…'`
    /// literals PostgreSQL reads as text).
    private func mssqlForm(_ upsert: Insert) throws -> String {
        var sql = try Dialect.mssql.literalSQL(upsert.compile(for: .mssql))
        XCTAssertTrue(sql.hasPrefix("MERGE items WITH (HOLDLOCK) USING "), sql)
        XCTAssertTrue(sql.hasSuffix(";"), sql)
        sql.removeLast()
        return "MERGE INTO items" + sql.dropFirst("MERGE items WITH (HOLDLOCK)".count)
    }
}
