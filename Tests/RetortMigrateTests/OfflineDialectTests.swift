import Foundation
import XCTest
@testable import RetortCore
@testable import RetortMigrate

/// Migrations for Oracle and SQL Server, which Retort writes offline only: each
/// operation against Alembic's offline output (the reference table made by
/// `Tests/Reference/make_reference.py`), the example project's whole
/// upgrade and downgrade through the real `migrator`, and the one-line refusal to connect.
final class OfflineDialectTests: XCTestCase {
    /// The reference table, read from its file.
    static func reference() -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/offline_reference.json")
        let data = (try? Data(contentsOf: url)) ?? Data("{}".utf8)
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// The operations of the reference, as revision files spell them.
    var operations: [String: MigrationOperation] {
        var nullable = AlterColumnSpec(table: "books", column: "title")
        nullable.nullable = true
        nullable.existingType = "string(200)"
        var retype = AlterColumnSpec(table: "books", column: "title")
        retype.type = "string(300)"
        retype.existingType = "string(200)"
        var redefault = AlterColumnSpec(table: "books", column: "pages")
        redefault.serverDefault = .some("'0'")
        var rename = AlterColumnSpec(table: "books", column: "pages")
        rename.newName = "page_count"
        var comment = AlterColumnSpec(table: "books", column: "title")
        comment.comment = .some("The title")
        comment.existingType = "string(200)"
        return [
            "create_table": .createTable(CreateTableSpec(name: "tags", columns: [
                ColumnSpec(name: "id", type: "integer", nullable: false, primaryKey: true),
                ColumnSpec(name: "name", type: "string(50)", nullable: false, serverDefault: "'x'"),
            ], primaryKey: ConstraintSpec(name: "pk_tags", columns: ["id"]))),
            "drop_table": .dropTable(name: "tags"),
            "rename_table": .renameTable(name: "tags", newName: "labels"),
            "add_column": .addColumn(table: "books", column: ColumnSpec(name: "isbn", type: "string(13)")),
            "drop_column": .dropColumn(table: "books", column: "isbn"),
            "alter_column_nullable": .alterColumn(nullable),
            "alter_column_type": .alterColumn(retype),
            "alter_column_default": .alterColumn(redefault),
            "rename_column": .alterColumn(rename),
            "create_index": .createIndex(IndexSpec(name: "ix_books_title", table: "books", columns: ["title"])),
            "drop_index": .dropIndex(name: "ix_books_title", table: "books"),
            "create_unique_constraint": .createUniqueConstraint(name: "uq_books_title", table: "books", columns: ["title"]),
            "create_foreign_key": .createForeignKey(table: "books", ForeignKeySpec(
                name: "fk_books_author_id_authors", columns: ["author_id"], refTable: "authors", refColumns: ["id"], onDelete: "CASCADE")),
            "create_check_constraint": .createCheckConstraint(name: "ck_books_pages", table: "books", condition: "pages > 0"),
            "drop_constraint": .dropConstraint(name: "uq_books_title", table: "books", type: .unique),
            "table_comment": .createTable(CreateTableSpec(name: "books", columns: [ColumnSpec(name: "id", type: "integer")],
                                                          comment: "Books we hold")),
            "column_comment": .alterColumn(comment),
        ]
    }

    /// Where Retort's script differs from Alembic's on purpose: (operation, dialect) -> why.
    static let differences: [String: String] = [
        "create_table/oracle": "the key is an identity column and its constraint is named (pk_tags), as on every database",
        "create_table/mssql": "IDENTITY(1,1), a named key, NVARCHAR, and the default as the named constraint df_tags_name",
        "table_comment/oracle": "the reference comments an existing table; here the comment comes with its CREATE TABLE",
        "table_comment/mssql": "Alembic refuses without a schema; Retort writes sp_addextendedproperty on dbo",
        "column_comment/mssql": "Alembic refuses without a schema; Retort writes sp_addextendedproperty on dbo",
        "add_column/mssql": "national NVARCHAR(13); NULL is the default, left out",
        "alter_column_nullable/mssql": "national NVARCHAR(200)",
        "alter_column_type/mssql": "national NVARCHAR(300)",
        "alter_column_default/mssql": "the default is the named constraint df_books_pages, dropped first when it exists",
        "drop_column/mssql": "the column's default constraint (and an enum CHECK) are dropped first when they exist",
        "rename_column/mssql": "names as N'' literals, and the column's default constraint renamed with it",
        "rename_table/mssql": "the new name as an N'' literal (Alembic leaves it bare)",
    ]

    /// Statements without the client's separator lines and terminators, whitespace collapsed.
    static func normalized(_ script: String) -> String {
        let lines = script.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0 != "GO" && $0 != "/" && !$0.hasPrefix("--") }
        var s = lines.joined(separator: " ").replacingOccurrences(of: ";", with: " ")
        s = s.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
        s = s.replacingOccurrences(of: #"\s*([(),=])\s*"#, with: "$1", options: .regularExpression)
        return s.trimmingCharacters(in: .whitespaces)
    }

    func script(_ op: MigrationOperation, _ dialect: Dialect) throws -> String {
        let out = OfflineExecutor(dialect: dialect)
        try CoreOperationApplier().apply(op, on: out)
        return out.script
    }

    func testOperationsMatchAlembic() throws {
        let all = try XCTUnwrap(Self.reference()["operations"] as? [String: [String: Any]], "reference data missing")
        var compared = 0
        for (dialectName, dialect) in [("oracle", Dialect.oracle), ("mssql", .mssql)] {
            let expected = try XCTUnwrap(all[dialectName])
            XCTAssertEqual(Set(expected.keys), Set(operations.keys), "every reference operation has a case")
            for (name, op) in operations.sorted(by: { $0.key < $1.key }) {
                let ours = try script(op, dialect)
                let theirs = expected[name] as? String ?? "(refused)"
                let same = Self.normalized(ours) == Self.normalized(theirs)
                if let why = Self.differences["\(name)/\(dialectName)"] {
                    XCTAssertFalse(same, "\(name)/\(dialectName) is listed as a difference (\(why)) but matches")
                } else {
                    XCTAssertTrue(same, "\(name)/\(dialectName):\n  retort:  \(ours)\n  alembic: \(theirs)")
                }
                compared += 1
            }
        }
        XCTAssertEqual(compared, 2 * operations.count)
    }

    /// SQL Server's default constraints carry the name the migrator gave them, and every
    /// later change finds them by it: created, dropped before the column, re-added.
    func testSQLServerDefaultsAreNamedConstraintsFoundAgainByName() throws {
        let add = try script(.addColumn(table: "books", column: ColumnSpec(name: "pages", type: "integer", nullable: false,
                                                                          serverDefault: "0")), .mssql)
        XCTAssertTrue(add.contains("ALTER TABLE books ADD pages INTEGER CONSTRAINT df_books_pages DEFAULT 0 NOT NULL;"), add)
        var change = AlterColumnSpec(table: "books", column: "pages")
        change.serverDefault = .some("1")
        let alter = try script(.alterColumn(change), .mssql)
        XCTAssertTrue(alter.contains("IF OBJECT_ID(N'df_books_pages', N'D') IS NOT NULL ALTER TABLE books DROP CONSTRAINT df_books_pages;\n"
                                     + "ALTER TABLE books ADD CONSTRAINT df_books_pages DEFAULT 1 FOR pages;"), alter)
        change.serverDefault = .some(nil)
        XCTAssertFalse(try script(.alterColumn(change), .mssql).contains("ADD CONSTRAINT"))
        let drop = try script(.dropColumn(table: "books", column: "pages"), .mssql)
        XCTAssertTrue(drop.hasPrefix("IF OBJECT_ID(N'df_books_pages', N'D') IS NOT NULL ALTER TABLE books DROP CONSTRAINT df_books_pages;"), drop)
        XCTAssertTrue(drop.contains("ALTER TABLE books DROP COLUMN pages;\n\nGO\n"), drop)
        // A name past the 128-character limit is shortened the same way both times.
        let long = String(repeating: "c", count: 120)
        let made = try script(.addColumn(table: "books", column: ColumnSpec(name: long, type: "integer", serverDefault: "0")), .mssql)
        let dropped = try script(.dropColumn(table: "books", column: long), .mssql)
        let name = try XCTUnwrap(made.range(of: #"CONSTRAINT (\S+) DEFAULT"#, options: .regularExpression).map { String(made[$0]) })
            .dropFirst("CONSTRAINT ".count).dropLast(" DEFAULT".count)
        XCTAssertLessThanOrEqual(name.utf8.count, 128)
        XCTAssertTrue(dropped.contains("DROP CONSTRAINT \(name);"), dropped)
        // Nullability restates the type: without existing_type it is refused, saying so.
        var nullable = AlterColumnSpec(table: "books", column: "pages")
        nullable.nullable = true
        XCTAssertThrowsError(try script(.alterColumn(nullable), .mssql)) { XCTAssertTrue("\($0)".contains("existing_type"), "\($0)") }
    }

    /// The example project's whole upgrade and downgrade, rendered by the real
    /// `migrator` for each: every statement ends as the client wants, no clause the
    /// database lacks, defaults spelled its way.
    func testExampleProjectRendersForOracleAndSQLServer() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        for (name, separator, begin) in [("oracle", "/", nil), ("mssql", "GO", "BEGIN TRANSACTION;")] {
            let up = try runMigrator(["upgrade", "head", "--sql", "--dialect", name], in: root)
            XCTAssertEqual(up.status, 0, up.stderr)
            let down = try runMigrator(["downgrade", "head:base", "--sql", "--dialect", name], in: root)
            XCTAssertEqual(down.status, 0, down.stderr)
            for script in [up.stdout, down.stdout] {
                XCTAssertFalse(script.contains("IF NOT EXISTS"), name)
                XCTAssertFalse(script.lowercased().contains("default true"), name)
                // Every statement is followed by its separator line.
                let blocks = script.components(separatedBy: "\n\n").filter { !$0.isEmpty && !$0.hasPrefix("--") }
                for (i, block) in blocks.enumerated() where block != separator {
                    XCTAssertEqual(i + 1 < blocks.count ? blocks[i + 1] : nil, separator, "\(name): no \(separator) after \(block)")
                }
                XCTAssertEqual(begin.map { script.contains($0) } ?? !script.contains("BEGIN"), true, name)
            }
            XCTAssertEqual(up.stdout.components(separatedBy: "COMMIT").count - 1, 4, "one COMMIT per revision")
            XCTAssertTrue(down.stdout.contains("DELETE FROM migrator_version WHERE migrator_version.version_num = "), name)
        }
        let oracle = try runMigrator(["upgrade", "head", "--sql", "--dialect", "oracle"], in: root).stdout
        XCTAssertTrue(oracle.contains("id INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL"), oracle)
        XCTAssertTrue(oracle.contains("ALTER TABLE books ADD in_print NUMBER(1) DEFAULT 1 NOT NULL CONSTRAINT ck_books_in_print CHECK (in_print IN (0, 1))\n\n/\n"), oracle)
        XCTAssertTrue(oracle.contains("INSERT INTO migrator_version (version_num) VALUES ('1a2b3c4d5e01')"), oracle)
        let mssql = try runMigrator(["upgrade", "head", "--sql", "--dialect", "mssql"], in: root).stdout
        XCTAssertTrue(mssql.contains("ALTER TABLE books ADD in_print BIT CONSTRAINT df_books_in_print DEFAULT 1 NOT NULL;\n\nGO\n"), mssql)
        XCTAssertTrue(mssql.contains("INSERT INTO migrator_version (version_num) VALUES (N'1a2b3c4d5e01');"), mssql)
        let down = try runMigrator(["downgrade", "head:base", "--sql", "--dialect", "mssql"], in: root).stdout
        XCTAssertTrue(down.contains("IF OBJECT_ID(N'df_books_in_print', N'D') IS NOT NULL ALTER TABLE books DROP CONSTRAINT df_books_in_print;"), down)
    }

    /// A project whose database is Oracle or SQL Server writes scripts from its own URL;
    /// every command that would connect says in one line that it cannot, and exits 2.
    func testCompileOnlyDatabaseInTheConfig() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("offline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: root.appendingPathComponent("migrations-example"), to: dir.appendingPathComponent("migrations-example"))
        for (url, name, separator) in [("oracle://scott:tiger@dbhost:1521/ORCLPDB1", "oracle", "/"), ("mssql://sa@dbhost/app", "mssql", "GO")] {
            try "database: \(url)\nscript_location: migrations-example\n".write(
                to: dir.appendingPathComponent("migrator.yaml"), atomically: true, encoding: .utf8)
            let script = try runMigrator(["upgrade", "head", "--sql"], in: dir.path)
            XCTAssertEqual(script.status, 0, script.stderr)
            XCTAssertTrue(script.stdout.contains("\n\n\(separator)\n\n"), name)
            for command in [["upgrade", "head"], ["downgrade", "base"], ["current"], ["stamp", "head"]] {
                let r = try runMigrator(command, in: dir.path)
                XCTAssertEqual(r.status, 2, "\(command) on \(name): \(r.stderr)")
                XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
                XCTAssertTrue(r.stderr.contains("connecting to \(name) is not supported"), r.stderr)
                XCTAssertTrue(r.stderr.contains("--sql"), r.stderr)
                XCTAssertEqual(r.stdout, "")
            }
        }
    }

    /// `oracle://…?version=23` in migrator.yaml writes for Oracle 23ai: booleans are
    /// BOOLEAN, with no CHECK, and `DEFAULT true` as written; a release before 19c is refused.
    func testOracle23FromTheConfigURL() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("offline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: root.appendingPathComponent("migrations-example"), to: dir.appendingPathComponent("migrations-example"))
        func script(_ url: String) throws -> ProcessResult {
            try "database: \(url)\nscript_location: migrations-example\n".write(
                to: dir.appendingPathComponent("migrator.yaml"), atomically: true, encoding: .utf8)
            return try runMigrator(["upgrade", "head", "--sql"], in: dir.path)
        }
        let v23 = try script("oracle://scott@dbhost:1521/FREEPDB1?version=23")
        XCTAssertEqual(v23.status, 0, v23.stderr)
        XCTAssertTrue(v23.stdout.contains("ALTER TABLE books ADD in_print BOOLEAN DEFAULT true NOT NULL\n\n/\n"), v23.stdout)
        XCTAssertFalse(v23.stdout.contains("NUMBER(1)"), v23.stdout)
        XCTAssertFalse(v23.stdout.contains("IN (0, 1)"), v23.stdout)
        let v19 = try script("oracle://scott@dbhost:1521/ORCLPDB1")
        XCTAssertTrue(v19.stdout.contains("in_print NUMBER(1) DEFAULT 1 NOT NULL CONSTRAINT ck_books_in_print CHECK (in_print IN (0, 1))"), v19.stdout)
        let old = try script("oracle://scott@dbhost:1521/ORCL?version=12")
        XCTAssertNotEqual(old.status, 0)
        XCTAssertTrue(old.stderr.contains("19c and later"), old.stderr)
        XCTAssertEqual(old.stdout, "")
    }

    /// `--dialect` names a registered database and goes with `--sql`.
    func testDialectOptionIsChecked() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let unknown = try runMigrator(["upgrade", "head", "--sql", "--dialect", "db2"], in: root)
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("unknown --dialect 'db2'") && unknown.stderr.contains("oracle, mssql"), unknown.stderr)
        let online = try runMigrator(["upgrade", "head", "--dialect", "oracle"], in: root)
        XCTAssertNotEqual(online.status, 0)
        XCTAssertTrue(online.stderr.contains("--dialect goes with --sql"), online.stderr)
    }
}
