import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// The SQL the migrator writes for itself (its version, history and progress tables)
/// and for `bulk_insert` goes through Core's statements, so a name is quoted by the
/// dialect and never read as SQL text: a colon in a quoted MySQL name (`` `a:b` ``) is
/// not a parameter, a quote in it is doubled. Names are drawn at random (seeded,
/// reproducible) from the characters that have broken SQL spliced as text.
final class MigratorOwnSQLTests: XCTestCase {
    /// A name with one awkward character in it: a colon (a parameter in text()), quotes
    /// of every kind, a space, a dash, a non-ASCII letter.
    static func awkwardName(_ rng: inout SeededGenerator, stem: String) -> String {
        let awkward = [":x", ":", "'", "\"", "`", " ", "-", "é", "::int"]
        return stem + awkward.randomElement(using: &rng)! + String(Int.random(in: 1...99, using: &rng))
    }

    /// A YAML double-quoted scalar (JSON's escapes are YAML's).
    static func yaml(_ s: String) -> String { JSONText.quote(s) }

    func checkAwkwardNames(database: () throws -> String, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let versionTable = Self.awkwardName(&rng, stem: "mig") + "_version"
        let table = Self.awkwardName(&rng, stem: "t")
        let (a, b) = (Self.awkwardName(&rng, stem: "a"), Self.awkwardName(&rng, stem: "b"))
        let context = "seed \(seed): version table \(versionTable), table \(table), columns \(a), \(b)"
        let db = try database()
        let dir = try temporaryProject()
        XCTAssertEqual(try runMigrator(["init", "migrations"], in: dir).status, 0, context)
        var config = try String(contentsOfFile: dir + "/migrator.yaml", encoding: .utf8)
        config = config.replacingOccurrences(of: "${DATABASE_URL:-sqlite:///app.db}", with: db)
            .replacingOccurrences(of: "version_table: migrator_version", with: "version_table: \(Self.yaml(versionTable))")
        try config.write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        try writeRevision(dir, "a", """
            revision: aaaa00000001
            down_revision: null
            message: awkward names
            upgrade:
              - create_table:
                  name: \(Self.yaml(table))
                  columns:
                    - {name: id, type: integer, nullable: false, primary_key: true, autoincrement: false}
                    - {name: \(Self.yaml(a)), type: string(20)}
                    - {name: \(Self.yaml(b)), type: integer}
              - bulk_insert:
                  table: \(Self.yaml(table))
                  rows:
                    - {id: 1, \(Self.yaml(a)): "one:two", \(Self.yaml(b)): 1}
                    - {id: 2, \(Self.yaml(a)): null, \(Self.yaml(b)): 2}
                    - {id: 3, \(Self.yaml(b)): 3}
                    - {id: 4, \(Self.yaml(a)): "it's", \(Self.yaml(b)): 4}
            downgrade:
              - drop_table: {name: \(Self.yaml(table))}
            """)

        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 0, "\(context): \(up.stderr)")
        let engine = try createEngine(db)
        defer { engine.dispose() }
        let t = Table(table, MetaData(), Column("id", .integer), Column(a, .string(20)), Column(b, .integer))
        let rows = try engine.connect { conn in
            try conn.execute(select(t.c.id, t.c[a], t.c[b]).orderBy(t.c.id)).all().map {
                "\(try $0.get(0, as: Int.self))|\(try $0.get(1, as: String?.self) ?? "NULL")|\(try $0.get(2, as: Int.self))"
            }
        }
        XCTAssertEqual(rows, ["1|one:two|1", "2|NULL|2", "3|NULL|3", "4|it's|4"], context)
        XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains("aaaa00000001"), context)
        let history = try engine.connect { conn in
            let store = VersionStore(versionTable: versionTable, dialect: conn.dialect)
            return try conn.execute(select(store.history.c.revision, store.history.c.direction)).all()
                .map { "\(try $0.get(0, as: String.self)) \(try $0.get(1, as: String.self))" }
        }
        XCTAssertEqual(history, ["aaaa00000001 upgrade"], context)

        let down = try runMigrator(["downgrade", "base"], in: dir)
        XCTAssertEqual(down.status, 0, "\(context): \(down.stderr)")
        XCTAssertTrue(try runMigrator(["current"], in: dir).stdout.contains("base"), context)
        let stamp = try runMigrator(["stamp", "head", "--purge"], in: dir)
        XCTAssertEqual(stamp.status, 0, "\(context): \(stamp.stderr)")
        XCTAssertTrue(stamp.stdout.contains("now at aaaa00000001"), "\(context): \(stamp.stdout)")
    }

    func testAwkwardNamesOnSQLite() throws {
        for seed in UInt64(1)...3 {
            try checkAwkwardNames(database: {
                "sqlite:///" + FileManager.default.temporaryDirectory.appendingPathComponent("own-sql-\(UUID().uuidString).db").path
            }, seed: seed)
        }
    }

    func testAwkwardNamesOnPostgreSQL() throws {
        for seed in UInt64(1)...3 { try checkAwkwardNames(database: PostgreSQLTestServer.freshDatabaseURL, seed: seed) }
    }

    func testAwkwardNamesOnMariaDB() throws {
        for seed in UInt64(1)...3 { try checkAwkwardNames(database: MariaDBTestServer.freshDatabaseURL, seed: seed) }
    }

    /// The version and history statements as an offline script writes them: Core's
    /// INSERT/UPDATE/DELETE with the values inlined, for every registered dialect.
    func testOfflineVersionStatementsAreCoresForEveryDialect() throws {
        for dialect in Dialect.registered {
            let store = VersionStore(versionTable: "migrator_version", dialect: dialect)
            let out = OfflineExecutor(dialect: dialect)
            for (stmt, params) in store.transition(from: ["aaaa00000001"], to: ["bbbb00000002"])
                + store.transition(from: ["bbbb00000002"], to: ["cccc00000003", "dddd00000004"]) {
                try out.execute(stmt, params)
            }
            func lit(_ s: String) throws -> String { try dialect.literal(.text(s)) }
            let script = out.script
            XCTAssertTrue(script.contains("UPDATE migrator_version SET version_num = \(try lit("bbbb00000002")) "
                                          + "WHERE migrator_version.version_num = \(try lit("aaaa00000001"))"), "\(dialect.name): \(script)")
            XCTAssertTrue(script.contains("DELETE FROM migrator_version WHERE migrator_version.version_num = \(try lit("bbbb00000002"))"),
                          "\(dialect.name): \(script)")
            XCTAssertTrue(script.contains("INSERT INTO migrator_version (version_num) VALUES (\(try lit("dddd00000004")))"),
                          "\(dialect.name): \(script)")
        }
    }
}
