import Foundation
import RetortCore
@testable import RetortMigrate
import XCTest

/// SQLite's table rebuild loses nothing: triggers, views, other tables' triggers, hand-made
/// column features and values all come through it, or the step fails rolled back, naming
/// what it would have lost. Real SQLite files throughout.
final class SQLiteRebuildTests: XCTestCase {
    let applier = CoreOperationApplier(enums: ["mood": ["happy", "sad"]])

    /// A fresh database file with `setup` run on it.
    func database(_ setup: [String]) throws -> Engine {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rebuild-\(UUID().uuidString.prefix(8)).db").path
        let engine = try createEngine("sqlite:///" + path)
        try engine.connect { conn in
            for sql in setup { try conn.execute(text(sql)) }
            if conn.inTransaction { try conn.commit() }
        }
        return engine
    }

    /// Applies `ops` in one transaction as the runner does (foreign keys off, checked
    /// before the commit); rolls back and rethrows on failure.
    func apply(_ engine: Engine, _ ops: [MigrationOperation]) throws {
        try engine.connect { conn in
            try conn.executeOutsideTransaction(conn.dialect.migration.foreignKeyHandling.before)
            let executor = LiveExecutor(conn, immediate: true)
            try executor.begin()
            do {
                for op in ops { try applier.apply(op, on: executor) }
                XCTAssertEqual(try conn.execute(conn.dialect.migration.foreignKeyHandling.check!).all().count, 0)
                try executor.commit()
            } catch {
                try executor.rollback()
                throw error
            }
        }
    }

    /// The failure message of applying `ops`, which must fail.
    func failure(_ engine: Engine, _ ops: [MigrationOperation], file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            try apply(engine, ops)
            XCTFail("expected the step to fail", file: file, line: line)
            return ""
        } catch {
            XCTAssertTrue(error is MigrateError, "a MigrateError, not \(type(of: error)): \(error)", file: file, line: line)
            return "\(error)"
        }
    }

    func query(_ engine: Engine, _ sql: String) throws -> [[SQLValue]] {
        try engine.connect { try $0.execute(text(sql)).all().map(\.values) }
    }

    /// Every schema object: type, name and stored SQL, in name order.
    func master(_ engine: Engine) throws -> [[SQLValue]] {
        try query(engine, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
    }

    func alter(_ table: String, _ column: String, type: String? = nil, nullable: Bool? = nil, using: String? = nil,
               newName: String? = nil) -> MigrationOperation {
        var spec = AlterColumnSpec(table: table, column: column)
        spec.type = type
        spec.nullable = nullable
        spec.using = using
        spec.newName = newName
        return .alterColumn(spec)
    }

    let parentAndAudit = [
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, val TEXT, other TEXT)",
        "CREATE INDEX ix_parent_other ON parent (other)",
        "CREATE TABLE audit (id INTEGER PRIMARY KEY, msg TEXT)",
        "INSERT INTO parent (id, val, other) VALUES (1, '1', 'a'), (2, '2', 'b')",
    ]

    // MARK: #18.1 triggers on the rebuilt table

    func testTriggersOfTheRebuiltTableSurviveEveryRebuild() throws {
        let engine = try database(parentAndAudit + [
            "CREATE TRIGGER trg AFTER UPDATE ON parent BEGIN INSERT INTO audit (msg) VALUES ('u'); END",
            "CREATE TRIGGER trg_val AFTER UPDATE OF val ON parent BEGIN INSERT INTO audit (msg) VALUES (new.val); END",
        ])
        try apply(engine, [alter("parent", "val", type: "bigint", nullable: false)])
        try apply(engine, [.dropColumn(table: "parent", column: "other")])
        XCTAssertEqual(try query(engine, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"),
                       [[.text("trg")], [.text("trg_val")]])
        try engine.connect { try $0.execute(text("UPDATE parent SET val = 5 WHERE id = 1")); try $0.commit() }
        XCTAssertEqual(try query(engine, "SELECT msg FROM audit ORDER BY msg"), [[.text("5")], [.text("u")]], "both triggers still fire")
    }

    func testATriggerNamingADroppedColumnFailsTheStepRolledBack() throws {
        for trigger in ["CREATE TRIGGER trg AFTER UPDATE ON parent BEGIN INSERT INTO audit (msg) VALUES (new.other); END",
                        "CREATE TRIGGER trg AFTER UPDATE OF other ON parent BEGIN INSERT INTO audit (msg) VALUES ('x'); END"] {
            let engine = try database(parentAndAudit + [trigger])
            let before = try master(engine)
            let message = failure(engine, [.dropColumn(table: "parent", column: "other")])
            XCTAssertTrue(message.contains("trigger trg"), message)
            XCTAssertTrue(message.contains("drop each of them before this step and create it again after it"), message)
            XCTAssertEqual(try master(engine), before, "rolled back: \(trigger)")
            XCTAssertEqual(try query(engine, "SELECT other FROM parent ORDER BY id"), [[.text("a")], [.text("b")]])
        }
    }

    func testRenamingAColumnRenamesItInTriggersAndViews() throws {
        let engine = try database(parentAndAudit + [
            "CREATE TRIGGER trg AFTER UPDATE ON parent BEGIN INSERT INTO audit (msg) VALUES (new.val); END",
            "CREATE VIEW v_parent AS SELECT id, val FROM parent",
        ])
        try apply(engine, [alter("parent", "val", type: "integer", nullable: false, newName: "amount")])
        try engine.connect { try $0.execute(text("UPDATE parent SET amount = 7 WHERE id = 1")); try $0.commit() }
        XCTAssertEqual(try query(engine, "SELECT msg FROM audit"), [[.text("7")]])
        XCTAssertEqual(try query(engine, "SELECT * FROM v_parent ORDER BY id"), [[.integer(1), .integer(7)], [.integer(2), .integer(2)]])
    }

    // MARK: #18.4 views and other tables' triggers

    func testViewsAndOtherTablesTriggersAreCarriedThrough() throws {
        let engine = try database(parentAndAudit + [
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id))",
            "CREATE VIEW v_parent AS SELECT id, val FROM parent",
            "CREATE VIEW \"v on v\" AS SELECT val FROM v_parent WHERE id = 1",
            "CREATE TRIGGER child_ins AFTER INSERT ON child BEGIN UPDATE parent SET other = 'touched' WHERE id = new.parent_id; END",
            "CREATE TRIGGER v_parent_ins INSTEAD OF INSERT ON v_parent BEGIN INSERT INTO parent (id, val) VALUES (new.id, new.val); END",
        ])
        let before = try query(engine, "SELECT type, name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') ORDER BY name")
        try apply(engine, [alter("parent", "val", nullable: false)])
        XCTAssertEqual(try query(engine, "SELECT type, name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') ORDER BY name"),
                       before, "every view and trigger is back, as written")
        try engine.connect { conn in
            try conn.execute(text("INSERT INTO child (id, parent_id) VALUES (1, 2)"))
            try conn.execute(text("INSERT INTO v_parent (id, val) VALUES (3, 'x')"))
            try conn.commit()
        }
        XCTAssertEqual(try query(engine, "SELECT other FROM parent WHERE id = 2"), [[.text("touched")]])
        XCTAssertEqual(try query(engine, "SELECT * FROM \"v on v\""), [[.text("1")]])
        XCTAssertEqual(try query(engine, "SELECT count(*) FROM v_parent"), [[.integer(3)]])
    }

    func testAViewNamingADroppedColumnFailsTheStepNamingIt() throws {
        let engine = try database(parentAndAudit + [
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER)",
            "CREATE VIEW v_parent AS SELECT id, other FROM parent",
            "CREATE TRIGGER child_ins AFTER INSERT ON child BEGIN UPDATE parent SET other = 'x' WHERE id = new.parent_id; END",
        ])
        let before = try master(engine)
        let message = failure(engine, [.dropColumn(table: "parent", column: "other")])
        XCTAssertTrue(message.contains("view v_parent"), message)
        XCTAssertTrue(message.contains("trigger child_ins"), message)
        XCTAssertEqual(try master(engine), before)
    }

    // MARK: #18.3 / #19.2 hand-made column features

    func testHandMadeTableKeepsAutoincrementCollationAndExpressionDefaults() throws {
        let engine = try database([
            """
            CREATE TABLE legacy (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT COLLATE NOCASE,
                created DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000', 'now')),
                day TEXT DEFAULT (datetime('now')), one INTEGER DEFAULT (abs(-1)), three INTEGER DEFAULT (1 + 2),
                note TEXT)
            """,
            "INSERT INTO legacy (name, note) VALUES ('alice', 'x'), ('bob', 'y'), ('carol', 'z')",
            "DELETE FROM legacy WHERE id = 3",
        ])
        try apply(engine, [alter("legacy", "note", nullable: false)])
        try engine.connect { try $0.execute(text("INSERT INTO legacy (name, note) VALUES ('dave', 'w')")); try $0.commit() }
        XCTAssertEqual(try query(engine, "SELECT id, one, three, created IS NOT NULL, day IS NOT NULL FROM legacy WHERE name = 'DAVE'"),
                       [[.integer(4), .integer(1), .integer(3), .integer(1), .integer(1)]],
                       "id 3 is not reused, NOCASE still holds, the expression defaults still work")
        let t = try engine.connect { try Inspector($0).table("legacy") }
        XCTAssertEqual(t.column(named: "id")?.strictAutoincrement, true)
        XCTAssertEqual(t.column(named: "name")?.collation, "NOCASE")
        XCTAssertEqual(t.column(named: "note")?.collation, nil)
        XCTAssertEqual(t.column(named: "three")?.serverDefault, "1 + 2")
        // A second rebuild of the rebuilt table changes nothing more.
        let once = try master(engine)
        try apply(engine, [alter("legacy", "note", nullable: true), alter("legacy", "note", nullable: false)])
        XCTAssertEqual(try master(engine), once)
    }

    // MARK: #18.2 / #19.3 values through type changes

    func testALossyTypeChangeFailsNamingAValue() throws {
        let engine = try database(["CREATE TABLE items (id INTEGER PRIMARY KEY, code TEXT)",
                                   "INSERT INTO items (code) VALUES ('1'), ('C1'), ('C4')"])
        let message = failure(engine, [alter("items", "code", type: "integer")])
        XCTAssertTrue(message.contains("items.code"), message)
        XCTAssertTrue(message.contains("'C1' would become 0"), message)
        XCTAssertTrue(message.contains("using:"), message)
        XCTAssertEqual(try query(engine, "SELECT code, typeof(code) FROM items ORDER BY id"),
                       [[.text("1"), .text("text")], [.text("C1"), .text("text")], [.text("C4"), .text("text")]])
        // With `using:` the user says how.
        try apply(engine, [alter("items", "code", type: "integer", using: "CAST(ltrim(code, 'C') AS INTEGER)")])
        XCTAssertEqual(try query(engine, "SELECT code, typeof(code) FROM items ORDER BY id"),
                       [[.integer(1), .text("integer")], [.integer(1), .text("integer")], [.integer(4), .text("integer")]])
    }

    func testALosslessTypeChangeConverts() throws {
        let engine = try database(["CREATE TABLE items (id INTEGER PRIMARY KEY, code TEXT)",
                                   "INSERT INTO items (code) VALUES ('1'), ('2'), (NULL)"])
        try apply(engine, [alter("items", "code", type: "integer")])
        XCTAssertEqual(try query(engine, "SELECT code, typeof(code) FROM items ORDER BY id"),
                       [[.integer(1), .text("integer")], [.integer(2), .text("integer")], [.null, .text("null")]])
    }

    func testWideningNeverChangesAStoredValue() throws {
        let engine = try database(["CREATE TABLE money (id INTEGER PRIMARY KEY, amount NUMERIC(30, 10), n INTEGER, s VARCHAR(20))"])
        try engine.connect { conn in
            let money = Table("money", MetaData(), elements: [Column("id", .integer, primaryKey: true),
                                                              Column("amount", .numeric(precision: 30, scale: 10)),
                                                              Column("n", .integer), Column("s", .string(20))])
            try conn.execute(money.insert(), ["id": 1, "amount": SQLValue.decimal(Decimal(string: "12345678901234567890.0123456789")!),
                                              "n": 9_007_199_254_740_993, "s": "0012"])
            // A long decimal as earlier versions stored it: a BLOB of its text, every digit kept.
            try conn.execute(text("INSERT INTO money (id, amount) VALUES (2, CAST('12345678901234567890.0123456789' AS BLOB))"))
            try conn.commit()
        }
        let before = try query(engine, "SELECT amount, typeof(amount), n, s, typeof(s) FROM money ORDER BY id")
        try apply(engine, [alter("money", "amount", type: "numeric(32,10)"), alter("money", "n", type: "bigint"),
                           alter("money", "s", type: "string(40)")])
        XCTAssertEqual(try query(engine, "SELECT amount, typeof(amount), n, s, typeof(s) FROM money ORDER BY id"), before)
        XCTAssertEqual(try query(engine, "SELECT typeof(amount) FROM money ORDER BY id"), [[.text("real")], [.text("blob")]],
                       "a decimal bound now is a number; the BLOB an earlier version wrote is still exact")
    }

    // MARK: one-liners

    func testRebuildErrorsNameTheUsersTable() throws {
        let engine = try database(["CREATE TABLE items (id INTEGER PRIMARY KEY, code TEXT)", "INSERT INTO items (code) VALUES (NULL)"])
        let message = failure(engine, [alter("items", "code", nullable: false)])
        XCTAssertTrue(message.contains("items.code"), message)
        XCTAssertFalse(message.contains("_retort_rebuild"), message)
    }
}

extension SQLiteRebuildTests {
    func testATriggerWritingADroppedColumnOfTheTableFailsTheStep() throws {
        for trigger in [
            "CREATE TRIGGER trg AFTER INSERT ON audit BEGIN INSERT INTO parent (id, other) VALUES (new.id, 'x'); END",
            "CREATE TRIGGER trg AFTER INSERT ON audit BEGIN UPDATE OR IGNORE parent SET val = 1, other = 'x' WHERE id = new.id; END",
        ] {
            let engine = try database(parentAndAudit + [trigger])
            let before = try master(engine)
            let message = failure(engine, [.dropColumn(table: "parent", column: "other")])
            XCTAssertTrue(message.contains("trigger trg (writes other"), message)
            XCTAssertEqual(try master(engine), before)
        }
        // Writing other tables' columns of the same name is no reason to refuse.
        let engine = try database(parentAndAudit + [
            "CREATE TABLE log (other TEXT)",
            "CREATE TRIGGER trg AFTER UPDATE ON parent BEGIN INSERT INTO log (other) VALUES (new.val); UPDATE log SET other = 1; END",
        ])
        try apply(engine, [.dropColumn(table: "parent", column: "other")])
        XCTAssertEqual(try query(engine, "SELECT name FROM sqlite_master WHERE type = 'trigger'"), [[.text("trg")]])
    }
}

extension SQLiteRebuildTests {
    /// A hand-made table and models that declare the same columns: `check` finds nothing,
    /// before a rebuild and after it.
    func testHandMadeTableMatchingTheModelsHasNoPhantomDifference() throws {
        let db = try AutogenerateProject.sqlite()
        try db.execute([
            """
            CREATE TABLE legacy (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT COLLATE NOCASE,
                created DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000', 'now')),
                three INTEGER DEFAULT (1 + 2), note TEXT)
            """,
        ])
        func legacy(noteNullable: Bool) -> MetaData {
            models { m in
                var id = Column("id", .integer, primaryKey: true)
                id.strictAutoincrement = true
                var name = Column("name", .text)
                name.collation = "NOCASE"
                Table("legacy", m, id, name,
                      Column("created", .datetime, nullable: false, serverDefault: "strftime('%Y-%m-%d %H:%M:%f000', 'now')"),
                      Column("three", .integer, serverDefault: "(1 + 2)"), Column("note", .text, nullable: noteNullable))
            }
        }
        XCTAssertEqual(try db.compare(legacy(noteNullable: true)).summaryLines, [])
        try db.migrate(to: legacy(noteNullable: false))  // a rebuild
        XCTAssertEqual(try db.compare(legacy(noteNullable: false)).summaryLines, [])
        let t = try Inspector(try db.engine()).table("legacy")
        XCTAssertEqual(t.column(named: "id")?.strictAutoincrement, true)
        XCTAssertEqual(t.column(named: "name")?.collation, "NOCASE")
    }
}
