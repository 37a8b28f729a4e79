import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// `migrator squash A B`: one revision for a linear run, keeping B's id, that rebuilds
/// the same schema; databases anywhere in the run still reach head.
class SquashTests: XCTestCase {
    func database() throws -> AutogenerateProject { try .sqlite() }

    /// A database URL of the same kind, empty.
    func freshURL(_ db: AutogenerateProject, _ name: String) throws -> String {
        "sqlite:///" + (db.directory as NSString).appendingPathComponent("\(name).db")
    }

    static func id(_ i: Int) -> String { String(format: "aa%010d", i) }

    /// Revisions 0 and 1 build `base_t`; 2...21 (twenty) build four tables, a step at a
    /// time (table, column, index, type change, unique constraint, dropped column);
    /// `side1` branches off revision 1.
    static func writeHistory(_ db: AutogenerateProject, count: Int = 22, extra: [Int: String] = [:]) throws {
        func write(_ i: Int, _ up: String, _ down: String) throws {
            try writeRevision(db.directory, SquashTests.id(i), """
                revision: \(SquashTests.id(i))
                down_revision: \(i == 0 ? "null" : SquashTests.id(i - 1))
                message: step \(i)
                upgrade:
                  - \(up)
                \(extra[i].map { "  - " + $0 } ?? "")
                downgrade:
                  - \(down)

                """)
        }
        try write(0, "create_table: {name: base_t, columns: [{name: id, type: integer, nullable: false, primary_key: true}]}",
                  "drop_table: {name: base_t}")
        try write(1, "add_column: {table: base_t, column: {name: note, type: text}}", "drop_column: {table: base_t, column: note}")
        for i in 2..<count {
            let t = "t\((i - 2) / 6)"
            switch (i - 2) % 6 {
            case 0:
                try write(i, "create_table: {name: \(t), columns: [{name: id, type: integer, nullable: false, primary_key: true}, "
                          + "{name: a, type: integer}, {name: b, type: string(20)}], primary_key: {name: pk_\(t), columns: [id]}}",
                          "drop_table: {name: \(t)}")
            case 1:
                try write(i, "add_column: {table: \(t), column: {name: c, type: integer, server_default: \"7\"}}",
                          "drop_column: {table: \(t), column: c}")
            case 2:
                try write(i, "create_index: {name: ix_\(t)_a, table: \(t), columns: [a]}", "drop_index: {name: ix_\(t)_a, table: \(t)}")
            case 3:
                try write(i, "alter_column: {table: \(t), column: b, type: string(40), existing_type: string(20)}",
                          "alter_column: {table: \(t), column: b, type: string(20), existing_type: string(40)}")
            case 4:
                try write(i, "create_unique_constraint: {name: uq_\(t)_a_b, table: \(t), columns: [a, b]}",
                          "drop_constraint: {name: uq_\(t)_a_b, table: \(t), type: unique}")
            default:
                try write(i, "drop_column: {table: \(t), column: c}",
                          "add_column: {table: \(t), column: {name: c, type: integer, server_default: \"7\"}}")
            }
        }
        try writeRevision(db.directory, "side1", """
            revision: side1
            down_revision: \(SquashTests.id(1))
            branch_labels: [side]
            message: side branch
            upgrade:
              - create_table: {name: side_t, columns: [{name: id, type: integer, nullable: false, primary_key: true}]}
            downgrade:
              - drop_table: {name: side_t}

            """)
    }

    /// A config file for another database beside the project's.
    func config(_ db: AutogenerateProject, url: String, name: String) throws -> String {
        let path = (db.directory as NSString).appendingPathComponent("\(name).yaml")
        try "database: '\(url)'\nscript_location: migrations\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func snapshot(_ project: Project) throws -> Snapshot {
        let engine = try project.engine()
        return Snapshot(try project.reflect(engine))
    }

    func testSquashOfTwentyRevisionsRebuildsTheSameSchemaAndPartWayDatabasesReachHead() throws {
        let db = try database()
        try SquashTests.writeHistory(db)
        let head = SquashTests.id(21)
        let before = Snapshot(try db.project().replayedSchema(at: [head]).schema)
        XCTAssertEqual(before.tables.count, 5, "base_t and t0...t3")
        // Databases at every revision of the run (and just before it), with the scripts as they were.
        var partWay: [(Int, String)] = []
        for i in 1...21 {
            let path = try config(db, url: try freshURL(db, "at\(i)"), name: "at\(i)")
            try Project(configPath: path, environment: [:]).runner().upgrade(to: SquashTests.id(i))
            partWay.append((i, path))
        }

        let r = try runMigrator(["squash", SquashTests.id(2), head, "-m", "tables t0 to t3"], in: db.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("squashed 20 revisions (\(SquashTests.id(2))..\(head)) into \(head)"), r.stdout)

        let project = try db.project()
        XCTAssertEqual(project.graph.revisions.count, 4, "base, 1, the squash, side1")
        let squashed = try XCTUnwrap(project.graph.revision(head))
        XCTAssertEqual(squashed.downRevisions, [SquashTests.id(1)])
        XCTAssertEqual(squashed.replaces, (2...20).map(SquashTests.id))
        XCTAssertEqual(squashed.message, "tables t0 to t3")
        XCTAssertTrue(try String(contentsOfFile: squashed.path, encoding: .utf8).contains("replaces: [\(SquashTests.id(2)), "))
        XCTAssertEqual(project.graph.revision("side1")?.downRevisions, [SquashTests.id(1)], "the branch elsewhere is untouched")
        // The replayed schema is identical, and the squashed revision's downgrade restores
        // the schema below the run.
        XCTAssertEqual(Snapshot(try project.replayedSchema(at: [head]).schema).differences(from: before), [])
        let fresh = try Project(configPath: try config(db, url: try freshURL(db, "roundtrip"), name: "roundtrip"), environment: [:])
        try fresh.runner().upgrade(to: head)
        XCTAssertEqual(try snapshot(fresh).differences(from: before), [])
        try fresh.runner().downgrade(to: SquashTests.id(1))
        XCTAssertEqual(try snapshot(fresh).differences(from: Snapshot(try project.replayedSchema(at: [SquashTests.id(1)]).schema)), [])

        for (i, path) in partWay {
            let p = try Project(configPath: path, environment: [:])
            let u = try runMigrator(["upgrade", "-c", path, head], in: db.directory)
            XCTAssertEqual(u.status, 0, "step \(i): " + u.stdout + u.stderr)
            XCTAssertEqual(try p.runner().current(), [head], "the database at step \(i) ends at head")
            XCTAssertEqual(try snapshot(p).differences(from: before), [], "the database at step \(i) has the head schema")
        }
    }

    func testRefusals() throws {
        let db = try database()
        try SquashTests.writeHistory(db, count: 8, extra: [5: "execute: {sql: \"UPDATE t0 SET a = 1\"}"])
        // Across the branch point (revision 1 has side1 as another child).
        var r = try runMigrator(["squash", SquashTests.id(0), SquashTests.id(4), "-m", "x"], in: db.directory)
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("\(SquashTests.id(1)) is a branch point: side1 also builds on it"), r.stderr)
        // Backwards.
        r = try runMigrator(["squash", SquashTests.id(4), SquashTests.id(2), "-m", "x"], in: db.directory)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("does not descend from"), r.stderr)
        // A data operation.
        r = try runMigrator(["squash", SquashTests.id(2), SquashTests.id(7), "-m", "x"], in: db.directory)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("\(SquashTests.id(5)): execute") && r.stderr.contains("--drop-data-ops"), r.stderr)
        XCTAssertEqual(try db.project().graph.revisions.count, 9, "nothing was written")
        r = try runMigrator(["squash", SquashTests.id(2), SquashTests.id(7), "-m", "x", "--drop-data-ops"], in: db.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("left out: \(SquashTests.id(5)): execute"), r.stdout)
        XCTAssertEqual(try db.project().graph.revisions.count, 4)
        // A squashed revision is not squashed again (its kept files would collide).
        r = try runMigrator(["squash", SquashTests.id(7), "side1", "-m", "x"], in: db.directory)
        XCTAssertEqual(r.status, 2)
        r = try runMigrator(["revision", "-m", "after", "--head", SquashTests.id(7), "--rev-id", "after1"], in: db.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        r = try runMigrator(["squash", SquashTests.id(7), "after1", "-m", "x"], in: db.directory)
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("\(SquashTests.id(7)) is itself a squash"), r.stderr)
    }

    func testAcrossAMergePointIsRefused() throws {
        let db = try database()
        try SquashTests.writeHistory(db, count: 4)
        try writeRevision(db.directory, "merge1", """
            revision: merge1
            down_revision: [\(SquashTests.id(3)), side1]
            message: merge
            upgrade: []
            downgrade: []

            """)
        try writeRevision(db.directory, "after1", """
            revision: after1
            down_revision: merge1
            message: after
            upgrade: []
            downgrade: []

            """)
        let r = try runMigrator(["squash", SquashTests.id(3), "after1", "-m", "x"], in: db.directory)
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("merge1 is a merge point"), r.stderr)
    }
}

final class SquashPostgresTests: SquashTests {
    override func database() throws -> AutogenerateProject { try .postgres() }
    // Listed again: test discovery on Linux does not find inherited test methods.
    override func testSquashOfTwentyRevisionsRebuildsTheSameSchemaAndPartWayDatabasesReachHead() throws { try super.testSquashOfTwentyRevisionsRebuildsTheSameSchemaAndPartWayDatabasesReachHead() }
    override func testRefusals() throws { try super.testRefusals() }
    override func testAcrossAMergePointIsRefused() throws { try super.testAcrossAMergePointIsRefused() }
    override func freshURL(_ db: AutogenerateProject, _ name: String) throws -> String { try PostgreSQLTestServer.freshDatabaseURL() }
}

/// What a database part-way through a squashed run is told, and the file format of
/// `replaces`.
final class SquashedRunTests: XCTestCase {
    func testAPartWayDatabaseIsNamedAndRefusedWhatItCannotDo() throws {
        let db = try AutogenerateProject.sqlite()
        try SquashTests.writeHistory(db, count: 6)
        XCTAssertEqual(try runMigrator(["upgrade", SquashTests.id(3)], in: db.directory).status, 0)
        XCTAssertEqual(try runMigrator(["squash", SquashTests.id(2), SquashTests.id(5), "-m", "t0"], in: db.directory).status, 0)
        var r = try runMigrator(["current"], in: db.directory)
        XCTAssertTrue(r.stdout.contains("\(SquashTests.id(3)) (part-way through the run squashed into \(SquashTests.id(5));"), r.stdout)
        r = try runMigrator(["graph"], in: db.directory)
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("the database is at revision \(SquashTests.id(3)), which the graph does not show: "
                                        + "it is part-way through the run squashed into \(SquashTests.id(5))"), r.stderr)
        r = try runMigrator(["downgrade", "-1"], in: db.directory)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("part-way through the run that revision \(SquashTests.id(5)) squashed; run `migrator upgrade"), r.stderr)
        // Without the kept files the run cannot be finished: said, nothing applied.
        let replaced = (db.directory as NSString).appendingPathComponent("migrations/versions/replaced")
        try FileManager.default.moveItem(atPath: replaced, toPath: replaced + "-gone")
        r = try runMigrator(["upgrade", SquashTests.id(5)], in: db.directory)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("is not among the files kept under versions/replaced/"), r.stderr)
        XCTAssertEqual(try db.project().runner().current(), [SquashTests.id(3)])
        try FileManager.default.moveItem(atPath: replaced + "-gone", toPath: replaced)
        r = try runMigrator(["upgrade", SquashTests.id(5)], in: db.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(try db.project().runner().current(), [SquashTests.id(5)])
    }

    func testReplacesIsReadWrittenAndChecked() throws {
        let text = """
            revision: b5
            down_revision: a1
            replaces: [b2, b3, b4]
            message: squashed
            upgrade: []
            downgrade: []

            """
        let r = try Revision.parse(text, file: "b5.yaml")
        XCTAssertEqual(r.replaces, ["b2", "b3", "b4"])
        XCTAssertTrue(RevisionWriter.render(r).contains("\nreplaces: [b2, b3, b4]\n"))
        XCTAssertEqual(try Revision.parse(RevisionWriter.render(r), file: "b5.yaml").replaces, r.replaces)
        XCTAssertFalse(RevisionWriter.render(Revision(id: "x1")).contains("replaces"), "written only for a squash")
        XCTAssertThrowsError(try Revision.parse(text.replacingOccurrences(of: "[b2, b3, b4]", with: "[b2, b5]"), file: "b5.yaml")) {
            XCTAssertTrue("\($0)".contains("b5.yaml:3") && "\($0)".contains("lists itself in 'replaces'"), "\($0)")
        }
        // A replaced revision whose file is still among the scripts.
        XCTAssertThrowsError(try RevisionGraph([Revision(id: "a1"), Revision(id: "b3", downRevisions: ["a1"]),
                                                { var s = Revision(id: "b5", downRevisions: ["a1"]); s.replaces = ["b3"]; return s }()])) {
            XCTAssertTrue("\($0)".contains("revision b5 replaces b3, but b3 is still a revision of the scripts"), "\($0)")
        }
    }
}
