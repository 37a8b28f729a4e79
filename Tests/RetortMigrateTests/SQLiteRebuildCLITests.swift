import Foundation
import RetortCore
import XCTest

/// SQLite table rebuilds through the real `migrator` binary: exit 0 means the table's
/// triggers and the views on it are still there; what cannot come through fails the
/// revision, rolled back, with a message that names it.
final class SQLiteRebuildCLITests: XCTestCase {
    func project() throws -> (dir: String, db: String) {
        let dir = try temporaryProject()
        XCTAssertEqual(try runMigrator(["init", "migrations"], in: dir).status, 0)
        let db = (dir as NSString).appendingPathComponent("app.db")
        var config = try String(contentsOfFile: dir + "/migrator.yaml", encoding: .utf8)
        config = config.replacingOccurrences(of: "${DATABASE_URL:-sqlite:///app.db}", with: "sqlite:///" + db)
        try config.write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        try writeRevision(dir, "a", """
            revision: aaaa00000001
            down_revision: null
            message: hand-made tables
            upgrade:
              - execute: CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, val TEXT, other TEXT, name TEXT COLLATE NOCASE)
              - execute: CREATE INDEX ix_parent_other ON parent (other)
              - execute: CREATE TABLE audit (id INTEGER PRIMARY KEY, msg TEXT)
              - execute: CREATE TRIGGER trg AFTER UPDATE ON parent BEGIN INSERT INTO audit (msg) VALUES ('u'); END
              - execute: CREATE VIEW v_parent AS SELECT id, val FROM parent
              - bulk_insert: {table: parent, rows: [{id: 1, val: "1", other: a}, {id: 2, val: "2", other: b}]}
            downgrade:
              - execute: DROP VIEW v_parent
              - execute: DROP TABLE audit
              - execute: DROP TABLE parent
            """)
        return (dir, db)
    }

    func objects(_ db: String) throws -> [String] {
        let engine = try createEngine("sqlite:///" + db)
        defer { engine.dispose() }
        return try engine.connect { conn in
            try conn.execute(text("SELECT type || ' ' || name FROM sqlite_master WHERE name NOT LIKE 'migrator%' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY 1"))
                .all().map { try $0.get(0, as: String.self) }
        }
    }

    func testARebuildKeepsTriggersAndViews() throws {
        let (dir, db) = try project()
        try writeRevision(dir, "b", """
            revision: bbbb00000002
            down_revision: aaaa00000001
            message: val becomes a number
            upgrade:
              - alter_column: {table: parent, column: val, type: bigint, nullable: false}
            downgrade:
              - alter_column: {table: parent, column: val, type: text, nullable: true}
            """)
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 0, up.stderr)
        XCTAssertEqual(try objects(db), ["index ix_parent_other", "table audit", "table parent", "table sqlite_sequence",
                                         "trigger trg", "view v_parent"])
        let engine = try createEngine("sqlite:///" + db)
        defer { engine.dispose() }
        try engine.connect { conn in
            try conn.execute(text("UPDATE parent SET val = 3 WHERE id = 1"))
            try conn.commit()
            XCTAssertEqual(try conn.execute(text("SELECT msg FROM audit")).all().map(\.values), [[.text("u")]])
            XCTAssertEqual(try conn.execute(text("SELECT val FROM v_parent ORDER BY id")).all().map(\.values), [[.integer(3)], [.integer(2)]])
        }
        let down = try runMigrator(["downgrade", "-1"], in: dir)
        XCTAssertEqual(down.status, 0, down.stderr)
        XCTAssertTrue(try objects(db).contains("trigger trg"))
    }

    func testARebuildThatWouldBreakATriggerFailsRolledBack() throws {
        let (dir, db) = try project()
        try writeRevision(dir, "b", """
            revision: bbbb00000002
            down_revision: aaaa00000001
            message: drop other
            upgrade:
              - execute: CREATE TRIGGER trg_other AFTER INSERT ON parent BEGIN INSERT INTO audit (msg) VALUES (new.other); END
              - drop_column: {table: parent, column: other}
            downgrade: []
            """)
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertNotEqual(up.status, 0)
        XCTAssertTrue(up.stderr.contains("trigger trg_other"), up.stderr)
        XCTAssertTrue(up.stderr.contains("rebuilding table parent"), up.stderr)
        XCTAssertFalse(up.stderr.contains("_retort_rebuild"), up.stderr)
        let current = try runMigrator(["current"], in: dir).stdout
        XCTAssertTrue(current.contains("aaaa00000001 (current)") || current.contains("-> aaaa00000001"), current)
        XCTAssertFalse(current.contains("bbbb00000002"), current)
        XCTAssertFalse(try objects(db).contains("trigger trg_other"), "the revision rolled back whole")
        XCTAssertTrue(try objects(db).contains("index ix_parent_other"))
    }

    func testUpgradeSQLSaysWhyItStopsAtARebuild() throws {
        let (dir, _) = try project()
        try writeRevision(dir, "b", """
            revision: bbbb00000002
            down_revision: aaaa00000001
            message: val not null
            upgrade:
              - alter_column: {table: parent, column: val, nullable: false}
            downgrade: []
            """)
        let sql = try runMigrator(["upgrade", "--sql", "head"], in: dir)
        XCTAssertNotEqual(sql.status, 0)
        XCTAssertTrue(sql.stderr.contains("bbbb00000002"), sql.stderr)
        XCTAssertTrue(sql.stderr.contains("rebuilding table parent needs the live database"), sql.stderr)
        XCTAssertTrue(sql.stderr.contains("without --sql"), sql.stderr)
    }
}

extension SQLiteRebuildCLITests {
    func testAFailedRebuildInANonTransactionalRevisionLeavesTheTableWhole() throws {
        let (dir, db) = try project()
        try writeRevision(dir, "b", """
            revision: bbbb00000002
            down_revision: aaaa00000001
            message: outside a transaction
            transactional: false
            upgrade:
              - execute: CREATE VIEW v_other AS SELECT other FROM parent
              - drop_column: {table: parent, column: other}
            downgrade: []
            """)
        XCTAssertEqual(try runMigrator(["upgrade", "aaaa00000001"], in: dir).status, 0)
        let before = try objects(db)
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertNotEqual(up.status, 0)
        XCTAssertTrue(up.stderr.contains("view v_other"), up.stderr)
        XCTAssertEqual(try objects(db), (before + ["view v_other"]).sorted(), "the first step stays applied; the rebuild did nothing")
        let engine = try createEngine("sqlite:///" + db)
        defer { engine.dispose() }
        XCTAssertEqual(try engine.connect { try $0.execute(text("SELECT other FROM v_other ORDER BY other")).all().map(\.values) },
                       [[.text("a")], [.text("b")]])
    }
}
