import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// `migrator lint`: each rule fires on the revision that should trigger it, for the
/// databases it concerns, and stays quiet on the safe form; lines point at the
/// operation; `lint_ignore` and the config's severities work.
final class LintTests: XCTestCase {
    func project(_ extraConfig: String = "") throws -> AutogenerateProject {
        let dir = try temporaryProject()
        return try AutogenerateProject(directory: dir, url: "sqlite:///" + (dir as NSString).appendingPathComponent("app.db"),
                                       extraConfig: extraConfig)
    }

    let notes = MigrationOperation.createTable(CreateTableSpec(
        name: "notes", columns: [ColumnSpec(name: "id", type: "integer", nullable: false, primaryKey: true),
                                 ColumnSpec(name: "body", type: "string(100)"), ColumnSpec(name: "n", type: "integer")],
        primaryKey: ConstraintSpec(name: "pk_notes", columns: ["id"])))

    /// Codes found for `ops` (after a base revision creating `notes`), on `dialect`.
    func codes(_ ops: [MigrationOperation], dialect: Dialect, config: String = "") throws -> [String] {
        let db = try project(config)
        try db.project().newRevision(message: "base", upgrade: [notes], downgrade: [.dropTable(name: "notes")])
        let (r, _) = try db.project().newRevision(message: "change", upgrade: ops, downgrade: [])
        let p = try db.project()
        return try Linter(config: p.config, dialect: dialect).lint(p.graph.revision(r.id)!).map(\.code)
    }

    func alter(_ change: (inout AlterColumnSpec) -> Void) -> MigrationOperation {
        var s = AlterColumnSpec(table: "notes", column: "body")
        change(&s)
        return .alterColumn(s)
    }

    func testDestructiveAndIncompatibleRulesOnEveryDatabase() throws {
        for dialect in [Dialect.sqlite, .postgresql, .mysql] {
            XCTAssertEqual(try codes([.dropTable(name: "notes")], dialect: dialect), ["D101"])
            XCTAssertEqual(try codes([.dropColumn(table: "notes", column: "n")], dialect: dialect).filter { $0 != "S401" }, ["D102"])
            XCTAssertEqual(try codes([.renameTable(name: "notes", newName: "memos")], dialect: dialect), ["B201"])
            XCTAssertTrue(try codes([alter { $0.newName = "text" }], dialect: dialect).contains("B202"))
            XCTAssertTrue(try codes([.addColumn(table: "notes", column: ColumnSpec(name: "t", type: "integer", nullable: false))],
                                    dialect: dialect).contains("B203"))
            // The safe forms: nullable, or with a default.
            XCTAssertEqual(try codes([.addColumn(table: "notes", column: ColumnSpec(name: "t", type: "integer"))], dialect: dialect), [])
            XCTAssertEqual(try codes([.addColumn(table: "notes", column: ColumnSpec(name: "t", type: "integer", nullable: false,
                                                                                    serverDefault: "0"))], dialect: dialect), [])
            let narrow = try codes([alter { $0.type = "string(20)"; $0.existingType = "string(100)" }], dialect: dialect)
            XCTAssertTrue(narrow.contains("D103") && narrow.contains("B204"), "\(narrow)")
            let widen = try codes([alter { $0.type = "string(200)"; $0.existingType = "string(100)" }], dialect: dialect)
            XCTAssertFalse(widen.contains("D103"), "\(widen)")
        }
    }

    func testPostgreSQLLockRules() throws {
        let pg = Dialect.postgresql
        XCTAssertEqual(try codes([.createIndex(IndexSpec(name: "ix_notes_n", table: "notes", columns: ["n"]))], dialect: pg), ["P301"])
        XCTAssertEqual(try codes([.createForeignKey(table: "notes", ForeignKeySpec(name: "fk", columns: ["n"], refTable: "notes",
                                                                                    refColumns: ["id"]))], dialect: pg), ["P302"])
        XCTAssertEqual(try codes([.createCheckConstraint(name: "ck_notes_n", table: "notes", condition: "n > 0")], dialect: pg), ["P303"])
        XCTAssertEqual(try codes([alter { $0.nullable = false }], dialect: pg), ["P304"])
        XCTAssertEqual(try codes([.createUniqueConstraint(name: "uq_notes_n", table: "notes", columns: ["n"])], dialect: pg), ["P306"])
        let rewrite = try codes([alter { $0.column = "n"; $0.type = "string(20)"; $0.existingType = "integer" }], dialect: pg)
        XCTAssertTrue(rewrite.contains("P305"), "\(rewrite)")
        let inPlace = try codes([alter { $0.type = "text"; $0.existingType = "string(100)" }], dialect: pg)
        XCTAssertFalse(inPlace.contains("P305"), "varchar to text changes no row: \(inPlace)")
        // On a table the same revision creates, nothing waits on a lock.
        XCTAssertEqual(try codes([.createTable(CreateTableSpec(name: "tags", columns: [ColumnSpec(name: "id", type: "integer")])),
                                  .createIndex(IndexSpec(name: "ix_tags_id", table: "tags", columns: ["id"]))], dialect: pg), [])
        // None of them on SQLite, which rebuilds instead.
        XCTAssertEqual(try codes([.createIndex(IndexSpec(name: "ix_notes_n", table: "notes", columns: ["n"]))], dialect: .sqlite), [])
        XCTAssertEqual(try codes([.createCheckConstraint(name: "ck_notes_n", table: "notes", condition: "n > 0")], dialect: .sqlite),
                       ["S401"])
        // No lock_timeout configured: the revision is flagged once.
        XCTAssertEqual(try codes([.addColumn(table: "notes", column: ColumnSpec(name: "t", type: "integer"))], dialect: pg,
                                 config: "postgresql: {lock_timeout: null}"), ["P307"])
    }

    func testLinesIgnoresAndSeverities() throws {
        let db = try project("lint: {severity: {B201: error, D102: off}}")
        try db.project().newRevision(message: "base", upgrade: [notes], downgrade: [.dropTable(name: "notes")])
        let (_, path) = try db.project().newRevision(message: "change", upgrade: [
            .renameTable(name: "notes", newName: "memos"),
            .dropColumn(table: "memos", column: "n"),
            .dropTable(name: "memos"),
        ], downgrade: [])
        var findings = try db.project().lint(all: true)
        XCTAssertEqual(findings.map(\.code), ["B201", "S401", "D101"], "D102 is off in the config")
        XCTAssertEqual(findings.first?.severity, .error, "B201 raised to error by the config")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        for f in findings {
            XCTAssertTrue(lines[f.line - 1].contains(f.code == "B201" ? "rename_table" : f.code == "D101" ? "drop_table" : "drop_column"),
                          "line \(f.line) of \(path) is the operation of \(f.code): \(lines[f.line - 1])")
        }
        // A reviewed exception on the operation, and one for the whole revision.
        var edited = text.replacingOccurrences(of: "- drop_table: {name: memos}", with: "- drop_table: {name: memos, lint_ignore: [D101]}")
        XCTAssertNotEqual(edited, text, "the revision file spells drop_table as expected:\n\(text)")
        edited = "lint_ignore: [S401]\n" + edited
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        findings = try db.project().lint(all: true)
        XCTAssertEqual(findings.map(\.code), ["B201"])
        // The revision still reads and runs.
        XCTAssertEqual(try db.project().runner().upgrade(to: "head").count, 2)
    }

    /// Connected, lint says how big each table is, and `min_rows` leaves out the lock
    /// and rebuild findings on small tables.
    func testTableSizesFromTheDatabase() throws {
        // Each database with the statement that brings its size estimate up to date.
        let databases: [(url: (String) throws -> String, analyze: String?)] = [
            ({ dir in "sqlite:///" + dir + "/app.db" }, nil),
            ({ _ in try PostgreSQLTestServer.freshDatabaseURL() }, "ANALYZE notes"),
            ({ _ in try MariaDBTestServer.freshDatabaseURL() }, "ANALYZE TABLE notes"),
        ]
        for database in databases {
            for minRows in [0, 1000] {
                let dir = try temporaryProject()
                let db = try AutogenerateProject(directory: dir, url: try database.url(dir),
                                                 extraConfig: "lint: {min_rows: \(minRows)}")
                try db.project().newRevision(message: "base", upgrade: [notes], downgrade: [.dropTable(name: "notes")])
                try db.project().runner().upgrade(to: "head")
                try db.execute(["INSERT INTO notes (id, n) SELECT i, i FROM (SELECT 1 AS i UNION ALL SELECT 2 UNION ALL SELECT 3) AS s"])
                if let analyze = database.analyze { try db.execute([analyze]) }
                try db.project().newRevision(message: "change", upgrade: [
                    .createCheckConstraint(name: "ck_notes_n", table: "notes", condition: "n > 0"),
                    .dropColumn(table: "notes", column: "body"),
                ], downgrade: [])
                let findings = try db.project().lint()
                let lockOrRebuild = findings.filter { $0.code.hasPrefix("P") || $0.code.hasPrefix("S") }
                if minRows == 0 {
                    XCTAssertFalse(lockOrRebuild.isEmpty, "\(findings.map(\.code))")
                    XCTAssertTrue(lockOrRebuild.allSatisfy { $0.message.contains("(3 rows") }, lockOrRebuild.map(\.message).joined(separator: "\n"))
                } else {
                    XCTAssertEqual(lockOrRebuild.map(\.code), [], "3 rows are under min_rows")
                }
                XCTAssertTrue(findings.contains { $0.code == "D102" }, "data loss is reported whatever the size")
            }
        }
    }

    func testAutogeneratePrintsTheFindingsOfItsRevision() throws {
        let db = try project()
        let before = models { m in
            _ = Table("notes", m, Column("id", .integer, primaryKey: true), Column("body", .text), Column("n", .integer))
        }
        try db.migrate(to: before)
        let after = models { m in _ = Table("notes", m, Column("id", .integer, primaryKey: true), Column("body", .text)) }
        try MetadataJSON.render(after).write(toFile: db.directory + "/models.json", atomically: true, encoding: .utf8)
        let r = try runMigrator(["revision", "--autogenerate", "-m", "drop n", "--metadata", "models.json"], in: db.directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("error D102 drop-column"), r.stdout)
    }

    func testCLIExitCodesAndFormats() throws {
        let db = try project()
        try db.project().newRevision(message: "base", upgrade: [notes], downgrade: [.dropTable(name: "notes")])
        var r = try runMigrator(["lint"], in: db.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("No findings."), r.stdout)
        try db.project().newRevision(message: "drop", upgrade: [.dropTable(name: "notes")], downgrade: [notes])
        r = try runMigrator(["lint", "--format", "json"], in: db.directory)
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["status"] as? String, "failed")
        XCTAssertEqual((json?["findings"] as? [[String: Any]])?.first?["code"] as? String, "D101")
        r = try runMigrator(["lint", "--format", "github"], in: db.directory)
        XCTAssertTrue(r.stdout.hasPrefix("::error file="), r.stdout)
        r = try runMigrator(["lint", "-c", "missing.yaml", "--format", "json"], in: db.directory)
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        let failure = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(failure?["status"] as? String, "error", r.stdout)
    }
}
