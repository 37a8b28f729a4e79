import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// Autogenerate and the migrator with generated values, on SQLite (and, in the
/// subclasses, PostgreSQL and MariaDB): computed columns added, dropped, made plain or
/// computed, and their expression changed; sequences added and dropped; identities
/// changed (PostgreSQL). Each upgrade makes check pass, each downgrade restores the
/// schema, and the rows survive both.
class GeneratedValuesMigrateTests: XCTestCase {
    func database() throws -> AutogenerateProject { try .sqlite() }

    /// `items` with `price` and `quantity`, and `total` (last) as `totalColumn` makes it.
    func items(total totalColumn: Column?, sequence: Bool = false) -> MetaData {
        models { m in
            var elements: [any TableElement] = [
                Column("id", .integer, primaryKey: true),
                Column("price", .integer, nullable: false),
                Column("quantity", .integer, nullable: false),
            ]
            if let totalColumn { elements.append(totalColumn) }
            _ = Table("items", m, elements: elements)
            if sequence { DatabaseSequence("ticket_no", m, start: 500, increment: 5) }
        }
    }

    func computedTotal(_ sql: String = "price * quantity", stored: Bool? = true) -> Column {
        Column("total", .bigint, computed: Computed(sql, stored: stored))
    }

    func rows(_ db: AutogenerateProject, _ columns: String = "id, price, quantity") throws -> [[SQLValue]] {
        try db.engine().connect { conn in
            try conn.execute(text("SELECT \(columns) FROM items ORDER BY id")).all().map { row in (0..<row.count).map { row[$0] } }
        }
    }

    func seedRows(_ db: AutogenerateProject) throws {
        try db.execute(["INSERT INTO items (id, price, quantity) VALUES (1, 3, 4)", "INSERT INTO items (id, price, quantity) VALUES (2, 5, 6)"])
    }

    let seeded: [[SQLValue]] = [[.integer(1), .integer(3), .integer(4)], [.integer(2), .integer(5), .integer(6)]]

    func testComputedColumnAdded() throws {
        try roundTrip(try database(), before: items(total: nil), after: items(total: computedTotal()), expect: ["add_column"])
        // With rows (on SQLite a stored computed column is added by a rebuild).
        let db = try database()
        try db.migrate(to: items(total: nil), message: "before")
        try seedRows(db)
        let schemaBefore = try db.snapshot()
        XCTAssertEqual(try db.migrate(to: items(total: computedTotal())).upgrade.map(\.key), ["add_column"])
        XCTAssertEqual(try db.compare(items(total: computedTotal())).summaryLines, [])
        XCTAssertEqual(try rows(db, "total"), [[.integer(12)], [.integer(30)]], "the new column is computed for existing rows")
        try db.project().runner().downgrade(to: "-1")
        XCTAssertEqual(try db.snapshot(), schemaBefore)
        XCTAssertEqual(try rows(db), seeded, "rows intact after upgrade and downgrade")
    }

    func testComputedExpressionChangedIsDroppedAndAddedAgain() throws {
        let db = try database()
        try db.migrate(to: items(total: computedTotal()), message: "before")
        try seedRows(db)
        guard let (diff, _, path, _) = try db.project().autogenerate(message: "bump", metadata: items(total: computedTotal("price * quantity + 1")))
        else { return XCTFail("no change found") }
        XCTAssertEqual(diff.upgrade.map(\.key), ["drop_column", "add_column"], diff.summaryLines.joined(separator: "\n"))
        XCTAssertEqual(diff.downgrade.map(\.key), ["drop_column", "add_column"])
        let file = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(file.contains("# items.total is computed and its expression changed: it is dropped and added again, which loses nothing"),
                      file)
        XCTAssertTrue(file.contains("computed: {sql: price * quantity + 1, stored: true}"), file)
        try db.project().runner().upgrade(to: "head")
        XCTAssertEqual(try db.compare(items(total: computedTotal("price * quantity + 1"))).summaryLines, [])
        XCTAssertEqual(try rows(db, "id, price, quantity, total"),
                       [[.integer(1), .integer(3), .integer(4), .integer(13)], [.integer(2), .integer(5), .integer(6), .integer(31)]])
        try db.project().runner().downgrade(to: "-1")
        XCTAssertEqual(try db.compare(items(total: computedTotal())).summaryLines, [])
        XCTAssertEqual(try rows(db, "total"), [[.integer(12)], [.integer(30)]])
    }

    func testComputedColumnMadePlainKeepsItsValues() throws {
        let db = try database()
        try db.migrate(to: items(total: computedTotal()), message: "before")
        try seedRows(db)
        let plain = items(total: Column("total", .bigint))
        let diff = try db.migrate(to: plain)
        XCTAssertEqual(diff.upgrade.map(\.key), ["add_column", "execute", "drop_column", "alter_column"])
        XCTAssertEqual(try db.compare(plain).summaryLines, [])
        XCTAssertEqual(try rows(db, "total"), [[.integer(12)], [.integer(30)]], "the values stay")
        try db.execute(["UPDATE items SET total = 7 WHERE id = 1"])  // plain now
        try db.project().runner().downgrade(to: "-1")
        XCTAssertEqual(try db.compare(items(total: computedTotal())).summaryLines, [])
        XCTAssertEqual(try rows(db, "total"), [[.integer(12)], [.integer(30)]], "computed again")
        XCTAssertEqual(try rows(db), seeded)
    }

    func testPlainColumnMadeComputedWarns() throws {
        let db = try database()
        try db.migrate(to: items(total: Column("total", .bigint)), message: "before")
        guard let (diff, _, _, _) = try db.project().autogenerate(message: "computed", metadata: items(total: computedTotal()))
        else { return XCTFail("no change found") }
        XCTAssertEqual(diff.upgrade.map(\.key), ["drop_column", "add_column"])
        XCTAssertTrue(diff.headerComments.joined().contains("items.total becomes computed"), "\(diff.headerComments)")
    }

    func testUnchangedComputedColumnsShowNoDifference() throws {
        let db = try database()
        let m = models { m in
            _ = Table("exprs", m, Column("id", .integer, primaryKey: true), Column("a", .integer), Column("b", .integer),
                      Column("s1", .bigint, computed: Computed("a + b * 2", stored: true)),
                      Column("s2", .bigint, computed: Computed("(a + b) * 2", stored: true)),
                      Column("s3", .bigint, computed: Computed("abs(a - (b - 1))", stored: true)),
                      Column("s4", .bigint, computed: Computed(column("a") * 3 - column("b"), stored: true)))
        }
        try db.migrate(to: m)
        XCTAssertEqual(try db.compare(m).summaryLines, [])
    }

    /// create_table with an identity and computed columns and a sequence, written by
    /// hand, through the real `migrator` binary: upgrade, rows, downgrade to base.
    func testHandWrittenRevisionThroughTheMigrator() throws {
        let db = try database()
        let dialect = try db.engine().connect { $0.dialect }  // the server's own (MariaDB, not MySQL 8)
        let sequences = dialect.makeDDLCompiler().supportsSequences
        let storedOnly = dialect.reflector.reflectsIdentity
        try writeRevision(db.directory, "a", """
            revision: aaaa00000001
            down_revision: null
            message: generated values
            upgrade:
            \(sequences ? "  - create_sequence: {name: ticket_no, start: 500, increment: 5}" : "")
              - create_table:
                  name: items
                  columns:
                    - {name: id, type: integer, nullable: false, primary_key: true, identity: {always: false}}
                    - {name: price, type: integer, nullable: false}
                    - {name: quantity, type: integer, nullable: false}
                    - {name: total, type: bigint, computed: {sql: price * quantity, stored: true}}
                    - {name: half, type: integer, computed: {sql: price / 2, stored: \(storedOnly ? "true" : "false")}}
                  primary_key: {name: pk_items, columns: [id]}
            downgrade:
              - drop_table: {name: items}
            \(sequences ? "  - drop_sequence: {name: ticket_no}" : "")
            """)
        let up = try runMigrator(["upgrade", "head"], in: db.directory)
        XCTAssertEqual(up.status, 0, up.stderr)
        try db.execute(["INSERT INTO items (price, quantity) VALUES (8, 2)"])
        XCTAssertEqual(try rows(db, "id, total, half"), [[.integer(1), .integer(16), .integer(4)]])
        if sequences {
            let next = try db.engine().connect { try $0.scalar(select(DatabaseSequence("ticket_no").nextValue()), as: Int64.self) }
            XCTAssertEqual(next, 500)
        }
        let down = try runMigrator(["downgrade", "base"], in: db.directory)
        XCTAssertEqual(down.status, 0, down.stderr)
        XCTAssertEqual(try Inspector(try db.engine(), excluding: VersionStore.defaultOwnTables).reflect().tables.map(\.name), [])
        if sequences {
            XCTAssertEqual(try Inspector(try db.engine()).sequences().filter { $0.ownedBy == nil }.map(\.name), [])
        }
        // A misspelt option is located.
        try writeRevision(db.directory, "b", """
            revision: bbbb00000002
            down_revision: aaaa00000001
            message: bad
            upgrade:
              - create_sequence: {name: s, strat: 5}
            downgrade: []
            """)
        let bad = try runMigrator(["upgrade", "head"], in: db.directory)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("unknown field 'strat' in create_sequence"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("b.yaml:5"), bad.stderr)
    }

    func testSequenceAddedAndDropped() throws {
        let db = try database()
        guard try db.engine().connect({ $0.dialect }).makeDDLCompiler().supportsSequences else {
            // Declaring one where there are none is refused, naming it.
            XCTAssertThrowsError(try db.compare(items(total: nil, sequence: true))) { error in
                XCTAssertTrue("\(error)".contains("the models declare the sequence 'ticket_no'"), "\(error)")
            }
            return
        }
        try roundTrip(db, before: items(total: nil), after: items(total: nil, sequence: true), expect: ["create_sequence"])
        XCTAssertEqual(try Inspector(try db.engine()).sequences().filter { $0.ownedBy == nil }.map(\.name), [], "downgrade dropped it")
        try db.project().runner().upgrade(to: "head")  // the revision that adds it, again
        let live = try XCTUnwrap(try Inspector(try db.engine()).sequences().first { $0.name == "ticket_no" })
        XCTAssertEqual(live.options, SequenceOptions(start: 500, increment: 5).comparable)
        let diff = try db.migrate(to: items(total: nil))
        XCTAssertEqual(diff.upgrade, [.dropSequence(name: "ticket_no")])
        XCTAssertEqual(diff.downgrade, [.createSequence(SequenceSpec(name: "ticket_no", options: SequenceOptions(start: 500, increment: 5)))])
        XCTAssertEqual(try db.compare(items(total: nil)).summaryLines, [])
    }

    /// The same kind of revision rendered offline (`upgrade head --sql`) for each
    /// dialect: what each spells, and a clear refusal where there are no sequences.
    func testOfflineSQLForEveryDialect() throws {
        let db = try AutogenerateProject.sqlite()
        try writeRevision(db.directory, "a", """
            revision: aaaa00000001
            down_revision: null
            message: generated values
            upgrade:
              - create_sequence: {name: ticket_no, start: 500, increment: 5}
              - create_table:
                  name: items
                  columns:
                    - {name: id, type: integer, nullable: false, primary_key: true, identity: {always: false}}
                    - {name: price, type: integer, nullable: false}
                    - {name: quantity, type: integer, nullable: false}
                    - {name: total, type: bigint, computed: {sql: price * quantity}}
                  primary_key: {name: pk_items, columns: [id]}
            downgrade:
              - drop_table: {name: items}
              - drop_sequence: {name: ticket_no}
            """)
        let expected: [String: [String]] = [
            "postgresql": ["CREATE SEQUENCE ticket_no INCREMENT BY 5 START WITH 500", "id INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL",
                           "total BIGINT GENERATED ALWAYS AS (price * quantity) STORED"],
            "oracle": ["CREATE SEQUENCE ticket_no INCREMENT BY 5 START WITH 500", "GENERATED BY DEFAULT AS IDENTITY",
                       "GENERATED ALWAYS AS (price * quantity)"],
            "mssql": ["CREATE SEQUENCE ticket_no INCREMENT BY 5 START WITH 500", "id INTEGER IDENTITY(1,1) NOT NULL",
                      "total AS (price * quantity)"],
        ]
        for (dialect, fragments) in expected.sorted(by: { $0.key < $1.key }) {
            let up = try runMigrator(["upgrade", "head", "--sql", "--dialect", dialect], in: db.directory)
            XCTAssertEqual(up.status, 0, "\(dialect): \(up.stderr)")
            for f in fragments { XCTAssertTrue(up.stdout.contains(f), "\(dialect) lacks \(f):\n\(up.stdout)") }
            let down = try runMigrator(["downgrade", "head:base", "--sql", "--dialect", dialect], in: db.directory)
            XCTAssertEqual(down.status, 0, "\(dialect): \(down.stderr)")
            XCTAssertTrue(down.stdout.contains("DROP SEQUENCE ticket_no"), "\(dialect):\n\(down.stdout)")
        }
        for dialect in ["sqlite", "mysql"] {
            let up = try runMigrator(["upgrade", "head", "--sql", "--dialect", dialect], in: db.directory)
            XCTAssertNotEqual(up.status, 0, dialect)
            XCTAssertTrue(up.stderr.contains("sequences (CREATE/DROP SEQUENCE ticket_no) is not supported"), "\(dialect): \(up.stderr)")
        }
    }
}

final class GeneratedValuesMigratePostgresTests: GeneratedValuesMigrateTests {
    override func database() throws -> AutogenerateProject { try .postgres() }
    // Listed again: test discovery on Linux does not find inherited test methods.
    override func testComputedColumnAdded() throws { try super.testComputedColumnAdded() }
    override func testComputedExpressionChangedIsDroppedAndAddedAgain() throws { try super.testComputedExpressionChangedIsDroppedAndAddedAgain() }
    override func testComputedColumnMadePlainKeepsItsValues() throws { try super.testComputedColumnMadePlainKeepsItsValues() }
    override func testPlainColumnMadeComputedWarns() throws { try super.testPlainColumnMadeComputedWarns() }
    override func testUnchangedComputedColumnsShowNoDifference() throws { try super.testUnchangedComputedColumnsShowNoDifference() }
    override func testHandWrittenRevisionThroughTheMigrator() throws { try super.testHandWrittenRevisionThroughTheMigrator() }
    override func testSequenceAddedAndDropped() throws { try super.testSequenceAddedAndDropped() }

    /// An identity added with options, then taken back: the rows keep their keys and
    /// new rows continue after them.
    func testIdentityChanged() throws {
        let db = try database()
        let before = items(total: nil)  // id: an implicit identity BY DEFAULT
        let after = models { m in
            _ = Table("items", m, Column("id", .integer, primaryKey: true, identity: Identity(always: true, start: 1000)),
                      Column("price", .integer, nullable: false), Column("quantity", .integer, nullable: false))
        }
        try db.migrate(to: before, message: "before")
        XCTAssertEqual(try db.compare(before).summaryLines, [], "an autoincrement key is an identity BY DEFAULT, no difference")
        try seedRows(db)
        let diff = try db.migrate(to: after)
        XCTAssertEqual(diff.upgrade.map(\.key), ["execute", "execute"], diff.summaryLines.joined())
        XCTAssertEqual(try db.compare(after).summaryLines, [])
        try db.execute(["INSERT INTO items (price, quantity) VALUES (1, 1)"])
        XCTAssertEqual(try rows(db, "id").map { $0[0] }, [.integer(1), .integer(2), .integer(1000)])
        try db.project().runner().downgrade(to: "-1")
        XCTAssertEqual(try db.compare(before).summaryLines, [])
        try db.execute(["INSERT INTO items (price, quantity) VALUES (2, 2)"])
        XCTAssertEqual(try rows(db, "id").map { $0[0] }, [.integer(1), .integer(2), .integer(1000), .integer(1001)],
                       "the identity added back continues after the highest key")
    }
}

final class GeneratedValuesMigrateMariaDBTests: GeneratedValuesMigrateTests {
    override func database() throws -> AutogenerateProject {
        try AutogenerateProject(directory: try temporaryProject(), url: MariaDBTestServer.freshDatabaseURL())
    }
    override func testComputedColumnAdded() throws { try super.testComputedColumnAdded() }
    override func testComputedExpressionChangedIsDroppedAndAddedAgain() throws { try super.testComputedExpressionChangedIsDroppedAndAddedAgain() }
    override func testComputedColumnMadePlainKeepsItsValues() throws { try super.testComputedColumnMadePlainKeepsItsValues() }
    override func testPlainColumnMadeComputedWarns() throws { try super.testPlainColumnMadeComputedWarns() }
    override func testUnchangedComputedColumnsShowNoDifference() throws { try super.testUnchangedComputedColumnsShowNoDifference() }
    override func testHandWrittenRevisionThroughTheMigrator() throws { try super.testHandWrittenRevisionThroughTheMigrator() }
    override func testSequenceAddedAndDropped() throws { try super.testSequenceAddedAndDropped() }
}
