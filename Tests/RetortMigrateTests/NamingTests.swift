import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// Names as the database keeps them: over-long names written out are refused before
/// any SQL is sent, names the naming convention makes are shortened the same way by
/// models, revisions and comparison, and one table's names never depend on another's
/// (issues #18.5, #19.6, #19.11).
class NamingTests: XCTestCase {
    func database() throws -> AutogenerateProject { try .sqlite() }
    var limit: Int { Dialect.sqlite.maxIdentifierLength }

    static func word(_ length: Int, _ g: inout SeededGenerator) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return String((0..<length).map { i in i > 0 && i % 7 == 0 ? "_" : letters[Int(g.next() % 26)] })
    }

    /// Models whose conventional names (pk_, fk_, uq_, ix_, ck_) run past 63 bytes: long
    /// table and column names, a foreign key, unique constraint, index and check over
    /// them, and two tables whose names share their first 60 bytes (their shortened
    /// names must still differ).
    static func longNamedModels(seed: UInt64) -> MetaData {
        var g = SeededGenerator(seed: seed)
        let shared = word(60, &g)
        let parent = shared + "_pa"
        let child = shared + "_ch"
        let col = word(Int(20 + g.next() % 20), &g)
        let other = word(Int(20 + g.next() % 20), &g)
        return models { m in
            Table(parent, m, Column("id", .integer, primaryKey: true), Column(col, .string(40), nullable: false, unique: true),
                  Column(other, .integer, index: true), CheckConstraint("\(other) > 0"))
            Table(child, m, Column("id", .integer, primaryKey: true),
                  Column(col, .integer, nullable: false, foreignKey: "\(parent).id"),
                  Column(other, .string(10), index: true), UniqueConstraint(col, other))
        }
    }

    /// #19.11: convention names past the limit are shortened with a hash suffix, the same
    /// way in the revision autogenerate writes, in the DDL and in the comparison: `check`
    /// passes right after the upgrade, for several seeds, and every name in the revision
    /// fits.
    func testLongConventionNamesAreShortenedAlikeEverywhere() throws {
        for seed: UInt64 in [1, 2, 3, 42] {
            let db = try database()
            let m = NamingTests.longNamedModels(seed: seed)
            try db.migrate(to: m)
            XCTAssertEqual(try db.compare(m).summaryLines, [], "seed \(seed): check passes after the upgrade")
            // The same models through metadata JSON (as a manifest's are read) agree too.
            let viaJSON = try MetadataJSON.parse(Data(MetadataJSON.render(m).utf8), dialect: try db.engine().dialect)
            XCTAssertEqual(try db.compare(viaJSON).summaryLines, [], "seed \(seed): the models read back from JSON")
            // Every name the revision writes fits the database.
            let project = try db.project()
            for id in project.graph.order {
                for op in project.graph.revisions[id]!.upgrade {
                    for (name, kind, _) in op.identifiers {
                        XCTAssertLessThanOrEqual(name.utf8.count, limit, "seed \(seed): \(kind) \(name)")
                    }
                }
            }
            // The database has exactly the names the comparison expects.
            let live = try Inspector(try db.engine()).reflect()
            let indexNames = live.tables.flatMap(\.indexes).map(\.name)
            XCTAssertEqual(Set(indexNames).count, indexNames.count, "seed \(seed): index names are distinct")
            for t in m.tables {
                let expected = try ReflectedTable(expecting: t, dialect: try db.engine().dialect)
                XCTAssertEqual(Set(live.table(t.name)?.indexes.map(\.name) ?? []), Set(expected.indexes.map(\.name)),
                               "seed \(seed): indexes of \(t.name)")
                XCTAssertEqual(live.table(t.name)?.foreignKeys.map(\.name), expected.foreignKeys.map(\.name),
                               "seed \(seed): foreign keys of \(t.name)")
            }
            // A database made by createAll from the same models matches them too.
            let fresh = try database()
            try m.createAll(try fresh.engine())
            XCTAssertEqual(try fresh.compare(m).summaryLines, [], "seed \(seed): createAll and the comparison agree")
        }
    }

    /// #19.6: an enum used by two tables whose CHECK names would collide
    /// (`flow_run.state_type` and `flow_run_state.type` both give `ck_flow_run_state_type`):
    /// models, create_table and comparison name them alike, `check` passes after the first
    /// upgrade, and both columns keep their CHECK.
    func testEnumCheckNamesOfTwoTablesAreNamedAlike() throws {
        let db = try database()
        let state = SQLType.enum(name: "state_type", values: ["PENDING", "RUNNING", "COMPLETED"])
        let m = models { m in
            Table("flow_run", m, Column("id", .integer, primaryKey: true), Column("state_type", state))
            Table("flow_run_state", m, Column("id", .integer, primaryKey: true), Column("type", state))
        }
        try db.migrate(to: m)
        XCTAssertEqual(try db.compare(m).summaryLines, [], "check passes after the first upgrade")
        let diff = try db.project().autogenerate(message: "again", metadata: m)
        XCTAssertNil(diff?.diff.summaryLines, "a second autogenerate finds nothing")
        let engine = try db.engine()
        for table in ["flow_run", "flow_run_state"] {
            let column = table == "flow_run" ? "state_type" : "type"
            XCTAssertThrowsError(try engine.begin { try $0.execute(text("INSERT INTO \(table) (id, \(column)) VALUES (1, 'BOGUS')")) },
                                 "\(table).\(column) still refuses values outside the enum")
            try engine.begin { try $0.execute(text("INSERT INTO \(table) (id, \(column)) VALUES (1, 'RUNNING')")) }
        }
    }

    /// #19.6, the other way: an enum CHECK named with a collision suffix, as models named
    /// it before check names were unique per table (what `createAll` made then), is still
    /// the enum's: no difference, and nothing drops it.
    /// (SQLite only: elsewhere enums are types, not CHECKs.)
    func testEnumCheckWithAnOlderCollisionSuffixIsStillTheEnums() throws {
        let db = try AutogenerateProject.sqlite()
        try db.execute([
            "CREATE TABLE flow_run (id INTEGER NOT NULL, state_type VARCHAR(9), CONSTRAINT pk_flow_run PRIMARY KEY (id), "
                + "CONSTRAINT ck_flow_run_state_type CHECK (state_type IN ('PENDING', 'RUNNING', 'COMPLETED')))",
            "CREATE TABLE flow_run_state (id INTEGER NOT NULL, type VARCHAR(9), CONSTRAINT pk_flow_run_state PRIMARY KEY (id), "
                + "CONSTRAINT ck_flow_run_state_type_0c1d2e3f CHECK (type IN ('PENDING', 'RUNNING', 'COMPLETED')))",
        ])
        let state = SQLType.enum(name: "state_type", values: ["PENDING", "RUNNING", "COMPLETED"])
        let m = models { m in
            Table("flow_run", m, Column("id", .integer, primaryKey: true), Column("state_type", state))
            Table("flow_run_state", m, Column("id", .integer, primaryKey: true), Column("type", state))
        }
        XCTAssertEqual(try db.compare(m).summaryLines, [])
    }
}

final class NamingPostgresTests: NamingTests {
    override func database() throws -> AutogenerateProject { try .postgres() }
    override var limit: Int { Dialect.postgresql.maxIdentifierLength }
    // Listed again: test discovery on Linux does not find inherited test methods.
    override func testLongConventionNamesAreShortenedAlikeEverywhere() throws { try super.testLongConventionNamesAreShortenedAlikeEverywhere() }
    override func testEnumCheckNamesOfTwoTablesAreNamedAlike() throws { try super.testEnumCheckNamesOfTwoTablesAreNamedAlike() }

    func project(url: String) throws -> String {
        let dir = try temporaryProject()
        try FileManager.default.createDirectory(atPath: dir + "/migrations/versions", withIntermediateDirectories: true)
        try "database: '\(url)'\nscript_location: migrations\n".write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    /// #18.5: a 70-byte table name written in a revision is refused when the file is
    /// read, online and with --sql, naming the file and line, the name, its length and
    /// the limit; nothing is created.
    func testOverLongNameInRevisionFileIsRefusedBeforeAnySQL() throws {
        let url = try PostgreSQLTestServer.freshDatabaseURL()
        let dir = try project(url: url)
        let long = String(repeating: "t", count: 70)
        try writeRevision(dir, "20260101_aaaaaaaaaaaa_long", """
            revision: aaaaaaaaaaaa
            down_revision: null
            message: long
            upgrade:
              - create_table:
                  name: \(long)
                  columns:
                    - {name: id, type: integer, primary_key: true}
            downgrade:
              - drop_table: {name: \(long)}
            """)
        for args in [["upgrade", "head"], ["upgrade", "head", "--sql"]] {
            let r = try runMigrator(args, in: dir)
            XCTAssertNotEqual(r.status, 0, args.joined(separator: " "))
            XCTAssertTrue(r.stderr.contains("20260101_aaaaaaaaaaaa_long.yaml:6:"), r.stderr)
            XCTAssertTrue(r.stderr.contains("table '\(long)' is 70 bytes long"), r.stderr)
            XCTAssertTrue(r.stderr.contains("at most 63 bytes"), r.stderr)
            XCTAssertFalse(r.stdout.contains("CREATE TABLE"), r.stdout)
        }
        let tables = try createEngine(url).connect { try Inspector($0).reflect().tables.map(\.name) }
        XCTAssertFalse(tables.contains { $0.hasPrefix("ttt") }, "nothing was created: \(tables)")
    }

    /// #18.5: the same rule for an operation run without a file read for the database
    /// (a runner built in code): refused before its SQL is sent.
    func testOverLongNameIsRefusedBeforeSQLWhenRunInCode() throws {
        let db = try database()
        let long = String(repeating: "c", count: 64)
        let op = MigrationOperation.addColumn(table: "t", column: ColumnSpec(name: long, type: "integer"))
        XCTAssertThrowsError(try IdentifierLimit(dialect: .postgresql).check(op)) { e in
            XCTAssertTrue("\(e)".contains("column '\(long)' of table 't' is 64 bytes long; postgresql keeps at most 63"), "\(e)")
        }
        try db.execute(["CREATE TABLE t (id integer)"])
        try db.engine().connect { conn in
            XCTAssertThrowsError(try CoreOperationApplier().apply(op, on: LiveExecutor(conn, immediate: false)))
        }
        XCTAssertEqual(try Inspector(try db.engine()).reflect().table("t")?.columns.map(\.name), ["id"])
    }

    /// #18.5 / #19.11: an explicit over-long index name in metadata JSON is refused when
    /// the file is read, naming the file, line, name, length and limit; no revision is
    /// written.
    func testOverLongExplicitNameInMetadataJSONIsRefused() throws {
        let dir = try project(url: try PostgreSQLTestServer.freshDatabaseURL())
        let long = "ix_" + String(repeating: "n", count: 65)
        try """
            {"format": "retort-metadata/1", "enums": [],
             "tables": [{"name": "items",
                         "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                     {"name": "name", "type": "string(20)"}],
                         "indexes": [{"name": "\(long)", "columns": ["name"]}]}]}
            """.write(toFile: dir + "/models.json", atomically: true, encoding: .utf8)
        let r = try runMigrator(["revision", "--autogenerate", "-m", "x", "--metadata", "models.json"], in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("models.json:5:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("index '\(long)' of table 'items' is 68 bytes long; postgresql keeps at most 63"),
                      r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/migrations/versions"), [])
    }
}
