import ExampleModels
import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// `migrator verify`, the stairway test, on a scratch database beside the configured
/// one: it passes on migrations-example and names the first revision whose downgrade
/// does not restore the schema.
class VerifyTests: XCTestCase {
    func database() throws -> AutogenerateProject { try .sqlite() }

    func testExampleRevisionsRoundTripAndMatchTheModels() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = try database().url
        let project = try Project(configPath: root.appendingPathComponent("migrator.yaml").path, environment: ["DATABASE_URL": url])
        var lines: [String] = []
        let report = try project.verify(models: ExampleModels.metadata) { lines.append($0.line) }
        XCTAssertTrue(report.passed, lines.joined(separator: "\n"))
        XCTAssertEqual(report.steps.count, project.graph.revisions.count)
        XCTAssertEqual(report.modelDifferences, [])
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("ok ") }, lines.joined(separator: "\n"))
        // The configured database is never touched: still no tables, no version table.
        let engine = try createEngine(url)
        defer { engine.dispose() }
        XCTAssertEqual(try Inspector(engine).tableNames(), [])
    }

    func base(_ db: AutogenerateProject) throws {
        try db.project().newRevision(message: "create notes", upgrade: [
            .createTable(CreateTableSpec(name: "notes", columns: [
                ColumnSpec(name: "id", type: "integer", nullable: false, primaryKey: true),
                ColumnSpec(name: "body", type: "text"),
            ], primaryKey: ConstraintSpec(name: "pk_notes", columns: ["id"]))),
        ], downgrade: [.dropTable(name: "notes")])
    }

    func testADowngradeThatForgetsAnIndexIsNamed() throws {
        let db = try database()
        try base(db)
        let (forgetful, _) = try db.project().newRevision(
            message: "index body", upgrade: [.createIndex(IndexSpec(name: "ix_notes_body", table: "notes", columns: ["body"]))],
            downgrade: [])
        try db.project().newRevision(message: "after", upgrade: [.addColumn(table: "notes", column: ColumnSpec(name: "x", type: "integer"))],
                                     downgrade: [.dropColumn(table: "notes", column: "x")])
        let report = try db.project().verify()
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.steps.count, 2, "stops at the first failure")
        XCTAssertEqual(report.steps.last?.revision, forgetful.id)
        XCTAssertEqual(report.steps.last?.differences, ["notes: index ix_notes_body is left behind"])
    }

    func testADowngradeThatDropsTheWrongColumnIsNamed() throws {
        let db = try database()
        try base(db)
        try db.project().newRevision(
            message: "add title", upgrade: [.addColumn(table: "notes", column: ColumnSpec(name: "title", type: "string(50)"))],
            downgrade: [.dropColumn(table: "notes", column: "body")])
        let report = try db.project().verify()
        XCTAssertFalse(report.passed)
        XCTAssertEqual(Set(report.steps.last?.differences ?? []), ["notes: column body is missing", "notes: column title is left behind"])
    }

    func testADowngradeThatFailsIsReported() throws {
        let db = try database()
        try base(db)
        try db.project().newRevision(
            message: "bad downgrade", upgrade: [.addColumn(table: "notes", column: ColumnSpec(name: "title", type: "string(50)"))],
            downgrade: [.dropColumn(table: "notes", column: "no_such_column")])
        let report = try db.project().verify()
        XCTAssertFalse(report.passed)
        XCTAssertNotNil(report.steps.last?.error)
        XCTAssertTrue(report.steps.last?.line.hasPrefix("FAIL") ?? false)
    }

    func testDataCatchesANotNullColumnWithoutADefault() throws {
        let db = try database()
        try base(db)
        let (strict, _) = try db.project().newRevision(
            message: "required title",
            upgrade: [.addColumn(table: "notes", column: ColumnSpec(name: "title", type: "string(50)", nullable: false))],
            downgrade: [.dropColumn(table: "notes", column: "title")])
        XCTAssertTrue(try db.project().verify().passed, "empty tables take the column")
        let report = try db.project().verify(data: true)
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.steps.last?.revision, strict.id)
        XCTAssertNotNil(report.steps.last?.error, "the upgrade fails on a table with a row")
    }

    /// A row goes into a table whose enum column is NOT NULL too (on SQLite the row's
    /// value comes from the enum's CHECK), so the next step meets a table with rows.
    func testDataFillsEnumColumns() throws {
        let db = try database()
        try db.project().newRevision(message: "moods", upgrade: [
            .createEnum(name: "feel", values: ["glad", "sad"]),
            .createTable(CreateTableSpec(name: "moods", columns: [
                ColumnSpec(name: "id", type: "integer", nullable: false, primaryKey: true),
                ColumnSpec(name: "feel", type: "enum(feel)", nullable: false),
            ], primaryKey: ConstraintSpec(name: "pk_moods", columns: ["id"]))),
        ], downgrade: [.dropTable(name: "moods"), .dropEnum(name: "feel")])
        let (strict, _) = try db.project().newRevision(
            message: "required note", upgrade: [.addColumn(table: "moods", column: ColumnSpec(name: "note", type: "text", nullable: false))],
            downgrade: [.dropColumn(table: "moods", column: "note")])
        let report = try db.project().verify(data: true)
        XCTAssertEqual(report.steps.last?.revision, strict.id, report.steps.map(\.line).joined(separator: "\n"))
        XCTAssertNotNil(report.steps.last?.error, "moods has a row, so the NOT NULL column cannot be added")
    }

    func testExampleRevisionsRoundTripWithRows() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let project = try Project(configPath: root.appendingPathComponent("migrator.yaml").path,
                                  environment: ["DATABASE_URL": try database().url])
        var lines: [String] = []
        let report = try project.verify(models: ExampleModels.metadata, data: true) { lines.append($0.line) }
        XCTAssertTrue(report.passed, lines.joined(separator: "\n"))
    }

    func testCLI() throws {
        let db = try database()
        try base(db)
        var r = try runMigrator(["verify"], in: db.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("1 revision round-trip"), r.stdout)
        try db.project().newRevision(
            message: "index body", upgrade: [.createIndex(IndexSpec(name: "ix_notes_body", table: "notes", columns: ["body"]))],
            downgrade: [])
        r = try runMigrator(["verify"], in: db.directory)
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("FAIL") && r.stdout.contains("index ix_notes_body is left behind"), r.stdout)
        r = try runMigrator(["verify", "--format", "json"], in: db.directory)
        XCTAssertEqual(r.status, 1)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["status"] as? String, "failed")
        XCTAssertEqual((json?["revisions"] as? [[String: Any]])?.count, 2)
        r = try runMigrator(["verify", "--scratch-url", "nosuch://x", "--format", "json"], in: db.directory)
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        let failure = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(failure?["status"] as? String, "error", r.stdout)
    }

    /// Branches and a merge: each revision is taken off with exactly what it needs
    /// applied, so a branch's downgrade is judged on its own.
    func testBranchesAndMergesAreWalkedInGraphOrder() throws {
        let db = try database()
        try base(db)
        let root = try db.project().graph.singleHead()
        let (a, _) = try db.project().newRevision(
            message: "branch a", upgrade: [.addColumn(table: "notes", column: ColumnSpec(name: "a", type: "integer"))],
            downgrade: [.dropColumn(table: "notes", column: "a")])
        let (b, _) = try db.project().newRevision(
            message: "branch b", head: root, splice: true,
            upgrade: [.createIndex(IndexSpec(name: "ix_notes_body", table: "notes", columns: ["body"]))],
            downgrade: [.dropIndex(name: "ix_notes_body", table: "notes")])
        try db.project().merge(["heads"], message: "merge")
        var report = try db.project().verify()
        XCTAssertTrue(report.passed, report.steps.map(\.line).joined(separator: "\n"))
        XCTAssertEqual(report.steps.count, 4)
        XCTAssertEqual(Set(report.steps.map(\.revision)).isSuperset(of: [a.id, b.id]), true)
        // Branch b's downgrade forgets its index: b is named, whichever branch comes first.
        let path = try db.project().revisionPath(b.id)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let broken = text.replacingOccurrences(of: "  - drop_index: {name: ix_notes_body, table: notes}\n", with: "")
        XCTAssertNotEqual(broken, text, text)
        try broken.replacingOccurrences(of: "downgrade:\n", with: "downgrade: []\n").write(toFile: path, atomically: true, encoding: .utf8)
        report = try db.project().verify()
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.steps.last?.revision, b.id)
        XCTAssertEqual(report.steps.last?.differences, ["notes: index ix_notes_body is left behind"])
    }

    func testHeadIsComparedWithTheModels() throws {
        let db = try database()
        try base(db)
        let models = models { m in
            _ = Table("notes", m, Column("id", .integer, primaryKey: true), Column("body", .text), Column("extra", .integer))
        }
        let report = try db.project().verify(models: models)
        XCTAssertTrue(report.steps.allSatisfy(\.passed))
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.modelDifferences, ["added column notes.extra (integer)"])
    }
}

final class VerifyPostgresTests: VerifyTests {
    override func database() throws -> AutogenerateProject { try .postgres() }
    // Listed again: test discovery on Linux does not find inherited test methods.
    override func testExampleRevisionsRoundTripAndMatchTheModels() throws { try super.testExampleRevisionsRoundTripAndMatchTheModels() }
    override func testADowngradeThatForgetsAnIndexIsNamed() throws { try super.testADowngradeThatForgetsAnIndexIsNamed() }
    override func testADowngradeThatDropsTheWrongColumnIsNamed() throws { try super.testADowngradeThatDropsTheWrongColumnIsNamed() }
    override func testADowngradeThatFailsIsReported() throws { try super.testADowngradeThatFailsIsReported() }
    override func testHeadIsComparedWithTheModels() throws { try super.testHeadIsComparedWithTheModels() }
    override func testCLI() throws { try super.testCLI() }
    override func testDataFillsEnumColumns() throws { try super.testDataFillsEnumColumns() }
    override func testBranchesAndMergesAreWalkedInGraphOrder() throws { try super.testBranchesAndMergesAreWalkedInGraphOrder() }
    override func testDataCatchesANotNullColumnWithoutADefault() throws { try super.testDataCatchesANotNullColumnWithoutADefault() }
    override func testExampleRevisionsRoundTripWithRows() throws { try super.testExampleRevisionsRoundTripWithRows() }
}
