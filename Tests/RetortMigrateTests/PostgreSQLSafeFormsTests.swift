import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// The lock-friendly PostgreSQL forms: `concurrently: true` indexes (only outside a
/// transaction), `not_valid: true` keys and checks with `validate_constraint`, and
/// autogenerate's `postgresql_safe` rendering. On SQLite the same revisions run as the
/// plain operations.
final class PostgreSQLSafeFormsTests: XCTestCase {
    let notes = MigrationOperation.createTable(CreateTableSpec(
        name: "notes", columns: [ColumnSpec(name: "id", type: "integer", nullable: false, primaryKey: true),
                                 ColumnSpec(name: "n", type: "integer"), ColumnSpec(name: "parent_id", type: "integer")],
        primaryKey: ConstraintSpec(name: "pk_notes", columns: ["id"])))

    func testConcurrentlyNeedsARevisionOutsideATransaction() throws {
        let db = try AutogenerateProject.sqlite()
        try writeRevision(db.directory, "r1", """
            revision: r1
            down_revision: null
            upgrade:
              - create_table: {name: notes, columns: [{name: id, type: integer, primary_key: true}]}
              - create_index: {name: ix_notes_id, table: notes, columns: [id], concurrently: true}
            """)
        XCTAssertThrowsError(try db.project()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("r1.yaml:5") && text.contains("transactional: false"), text)
        }
        let r = try runMigrator(["upgrade", "head"], in: db.directory)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("cannot run inside a transaction"), r.stderr)
    }

    /// The same revisions on both databases: PostgreSQL runs the safe forms, SQLite the plain ones.
    func checkSafeOperations(_ db: AutogenerateProject) throws {
        try db.project().writeRevision(message: "notes", parents: [], upgrade: [notes], downgrade: [.dropTable(name: "notes")],
                                       headerComments: [], date: Date())
        try db.project().runner().upgrade(to: "head")
        try db.execute(["INSERT INTO notes (id, n, parent_id) VALUES (1, 5, NULL)", "INSERT INTO notes (id, n, parent_id) VALUES (2, 7, 1)"])
        let head = try db.project().graph.singleHead()
        try db.project().writeRevision(
            message: "safe", parents: [head], transactional: false,
            upgrade: [
                .createIndex(IndexSpec(name: "ix_notes_n", table: "notes", columns: ["n"], concurrently: true)),
                .createForeignKey(table: "notes", ForeignKeySpec(name: "fk_notes_parent", columns: ["parent_id"], refTable: "notes",
                                                                  refColumns: ["id"], notValid: true)),
                .createCheckConstraint(name: "ck_notes_n", table: "notes", condition: "n > 0", notValid: true),
                .validateConstraint(name: "fk_notes_parent", table: "notes"),
                .validateConstraint(name: "ck_notes_n", table: "notes"),
            ],
            downgrade: [
                .dropConstraint(name: "ck_notes_n", table: "notes", type: .check),
                .dropConstraint(name: "fk_notes_parent", table: "notes", type: .foreignKey),
                .dropIndex(name: "ix_notes_n", table: "notes", concurrently: true),
            ],
            headerComments: [], date: Date())
        let p = try db.project()
        let linted = try Linter(config: p.config, dialect: try p.engine().dialect).lint(p.graph.revision(p.graph.singleHead())!)
        XCTAssertTrue(linted.filter { $0.code.hasPrefix("P") }.isEmpty, "the safe forms are quiet: \(linted.map(\.code))")
        try p.runner().upgrade(to: "head")
        let table = try XCTUnwrap(try Inspector(try db.engine()).reflect().table("notes"))
        XCTAssertEqual(table.indexes.map(\.name), ["ix_notes_n"])
        XCTAssertEqual(table.foreignKeys.compactMap(\.name), ["fk_notes_parent"])
        XCTAssertEqual(table.checkConstraints.compactMap(\.name), ["ck_notes_n"])
        XCTAssertThrowsError(try db.execute(["INSERT INTO notes (id, n) VALUES (3, -1)"]), "the check holds")
        if try db.engine().dialect.supportsAlterColumn {
            let valid = try db.engine().connect {
                try $0.scalars(text("SELECT convalidated FROM pg_constraint WHERE conname IN ('fk_notes_parent', 'ck_notes_n')"),
                               as: Bool.self).all()
            }
            XCTAssertEqual(valid, [true, true], "validated")
        }
        try db.project().runner().downgrade(to: "-1")
        let back = try XCTUnwrap(try Inspector(try db.engine()).reflect().table("notes"))
        XCTAssertTrue(back.indexes.isEmpty && back.foreignKeys.isEmpty && back.checkConstraints.isEmpty)
    }

    func testSafeOperationsOnPostgreSQL() throws { try checkSafeOperations(try .postgres()) }
    func testSafeOperationsRunPlainOnSQLite() throws { try checkSafeOperations(try .sqlite()) }

    /// CREATE INDEX CONCURRENTLY lets another session write to the table while the index
    /// builds; a plain CREATE INDEX makes it wait (here: time out).
    func testConcurrentIndexDoesNotBlockWrites() throws {
        let db = try AutogenerateProject.postgres()
        try db.execute([
            // An index expression that takes 2 ms a row, so the build lasts long enough to watch.
            "CREATE FUNCTION slow(x integer) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN x; END $$",
            "CREATE TABLE busy (id integer PRIMARY KEY, n integer)",
            "INSERT INTO busy SELECT g, g FROM generate_series(1, 1000) g",
        ])
        func buildWhileWriting(concurrently: Bool) throws -> (writeSucceeded: Bool, buildStillRunning: Bool) {
            let name = concurrently ? "ix_busy_conc" : "ix_busy_plain"
            let head = try db.project().graph.heads.first
            try db.project().writeRevision(
                message: name, parents: head.map { [$0] } ?? [], transactional: !concurrently,
                upgrade: [.createIndex(IndexSpec(name: name, table: "busy", expressions: ["slow(n)"], concurrently: concurrently))],
                downgrade: [.dropIndex(name: name, table: "busy")], headerComments: [], date: Date())
            let done = ManagedAtomicFlag()
            let config = db.configPath
            let thread = Thread {
                _ = try? Project(configPath: config, environment: [:]).runner().upgrade(to: "head")
                done.set()
            }
            thread.start()
            Thread.sleep(forTimeInterval: 0.4)  // the build is under way
            let writer = try createEngine(db.url)
            defer { writer.dispose() }
            var wrote = true
            do {
                try writer.begin { conn in
                    try conn.execute(text("SET LOCAL lock_timeout = '300ms'"))
                    try conn.execute(text("INSERT INTO busy VALUES (100000 + (SELECT count(*) FROM busy), 1)"))
                }
            } catch {
                wrote = false
            }
            let running = !done.isSet
            while !done.isSet { Thread.sleep(forTimeInterval: 0.05) }
            return (wrote, running)
        }
        let plain = try buildWhileWriting(concurrently: false)
        XCTAssertTrue(plain.buildStillRunning, "the plain build should still run when the write is tried")
        XCTAssertFalse(plain.writeSucceeded, "a plain CREATE INDEX holds a SHARE lock: the write times out")
        let conc = try buildWhileWriting(concurrently: true)
        XCTAssertTrue(conc.buildStillRunning, "the concurrent build should still run when the write is tried")
        XCTAssertTrue(conc.writeSucceeded, "CREATE INDEX CONCURRENTLY lets the write through")
        let indexes = try Inspector(try db.engine()).reflect().table("busy")?.indexes.map(\.name).sorted()
        XCTAssertEqual(indexes, ["ix_busy_conc", "ix_busy_plain"])
    }

    func testAutogeneratePostgreSQLSafe() throws {
        let db = try AutogenerateProject(directory: try temporaryProject(), url: try PostgreSQLTestServer.freshDatabaseURL(),
                                         extraConfig: "autogenerate: {postgresql_safe: true}")
        func models(_ safe: Bool) -> MetaData {
            RetortMigrateTests.models { m in
                _ = Table("teams", m, Column("id", .integer, primaryKey: true))
                var cols: [any TableElement] = [
                    Column("id", .integer, primaryKey: true), Column("team_id", .integer),
                    Column("score", .integer, nullable: !safe),
                ]
                if safe {
                    cols += [Index("score"), ForeignKeyConstraint(["team_id"], references: ["teams.id"]),
                             CheckConstraint("score >= 0", name: "ck_players_score")]
                }
                _ = Table("players", m, elements: cols)
            }
        }
        try db.migrate(to: models(false))
        try db.execute(["INSERT INTO teams (id) VALUES (1)", "INSERT INTO players (id, team_id, score) VALUES (1, 1, 3)"])
        let before = try db.snapshot()
        guard let (_, _, _, written) = try db.project().autogenerate(message: "constraints", metadata: models(true)) else {
            return XCTFail("no changes")
        }
        XCTAssertEqual(written.count, 2, "\(written)")
        let first = try String(contentsOfFile: written[0], encoding: .utf8)
        let second = try String(contentsOfFile: written[1], encoding: .utf8)
        XCTAssertTrue(first.contains("not_valid: true") && first.contains("transactional: true"), first)
        XCTAssertTrue(second.contains("transactional: false") && second.contains("concurrently: true")
                      && second.contains("validate_constraint"), second)
        try db.project().runner().upgrade(to: "head")
        XCTAssertEqual(try db.compare(models(true)).summaryLines, [], "check passes")
        XCTAssertThrowsError(try db.execute(["INSERT INTO players (id, team_id, score) VALUES (2, 1, NULL)"]), "NOT NULL holds")
        try db.project().runner().downgrade(to: "-2")
        XCTAssertEqual(try db.snapshot(), before, "the downgrade is exact")
        XCTAssertEqual(try db.compare(models(false)).summaryLines, [])
    }
}

/// A flag one thread sets and another reads.
final class ManagedAtomicFlag: @unchecked Sendable {  // the lock guards `value`
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
