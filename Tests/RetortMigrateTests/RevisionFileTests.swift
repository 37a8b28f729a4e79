import Foundation
import RetortMigrate
import XCTest

final class RevisionFileTests: XCTestCase {
    func everyOperation() -> [MigrationOperation] {
        var alter = AlterColumnSpec(table: "books", column: "title")
        alter.nullable = false
        alter.type = "string(300)"
        alter.serverDefault = .some(nil)
        alter.existingType = "string(200)"
        alter.existingNullable = true
        alter.existingServerDefault = "'untitled'"
        alter.using = "title::varchar(300)"
        // What MySQL's MODIFY needs: `null` (none) is kept apart from not said.
        var restated = AlterColumnSpec(table: "books", column: "isbn")
        restated.comment = .some("ISBN-13: # digits")
        restated.existingType = "string(13)"
        restated.existingNullable = false
        restated.existingServerDefault = .some(nil)
        restated.existingComment = .some("isbn: old")
        var noComment = AlterColumnSpec(table: "books", column: "isbn")
        noComment.nullable = true
        noComment.existingComment = .some(nil)
        return [
            .createTable(CreateTableSpec(
                name: "books",
                columns: [ColumnSpec(name: "id", type: "integer", nullable: false, primaryKey: true),
                          ColumnSpec(name: "title", type: "string(200)", nullable: false, serverDefault: "'untitled'", comment: "the title: # not a comment"),
                          ColumnSpec(name: "author_id", type: "integer", nullable: false)],
                primaryKey: ConstraintSpec(name: "pk_books", columns: ["id"]),
                foreignKeys: [ForeignKeySpec(name: "fk_books_author_id_authors", columns: ["author_id"], refTable: "authors",
                                             refColumns: ["id"], onDelete: "CASCADE")],
                uniqueConstraints: [ConstraintSpec(name: "uq_books_title", columns: ["title"])],
                checkConstraints: [CheckSpec(name: "ck_books_title", condition: "length(title) > 0")],
                comment: "Books, \"quoted\"")),
            .dropTable(name: "old"),
            .renameTable(name: "a", newName: "b"),
            .addColumn(table: "books", column: ColumnSpec(name: "pages", type: "integer")),
            .dropColumn(table: "books", column: "pages"),
            .alterColumn(alter),
            .alterColumn(restated),
            .alterColumn(noComment),
            .createIndex(IndexSpec(name: "ix_books_title", table: "books", columns: ["title"], unique: true, whereClause: "title <> ''")),
            .createIndex(IndexSpec(name: "ix_books_lower", table: "books", expressions: ["lower(title)"])),
            .dropIndex(name: "ix_old", table: "books"),
            .createUniqueConstraint(name: "uq_x", table: "books", columns: ["a", "b"]),
            .createForeignKey(table: "books", ForeignKeySpec(name: "fk_y", columns: ["x"], refTable: "t", refColumns: ["id"], onUpdate: "SET NULL")),
            .createCheckConstraint(name: "ck_z", table: "books", condition: "pages > 0"),
            .createPrimaryKey(name: "pk_t", table: "t", columns: ["a"]),
            .dropConstraint(name: "uq_x", table: "books", type: .unique),
            .createEnum(name: "book_format", values: ["hardcover", "paperback", "yes"]),
            .dropEnum(name: "book_format"),
            .addEnumValue(name: "book_format", value: "ebook", before: nil, after: "paperback"),
            .execute(sql: "UPDATE books SET title = 'x: y'", perDialect: [:]),
            .execute(sql: nil, perDialect: ["sqlite": "SELECT 1", "postgresql": "SELECT 2"]),
            .bulkInsert(table: "tags", rows: [["id": .int(1), "name": .string("null"), "weight": .double(1.5), "ok": .bool(true), "n": .null]]),
        ]
    }

    func testEveryOperationRoundTripsThroughYAML() throws {
        let revision = Revision(id: "3f2a9c1b7d4e", downRevisions: ["aaaa", "bbbb"], branchLabels: ["main"], dependsOn: ["cccc"],
                                message: "create: books & more\n\u{7F}\t\"x\" é", created: "2026-11-21T12:00:00Z", transactional: false,
                                upgrade: everyOperation(), downgrade: [.dropTable(name: "books")])
        let text = RevisionWriter.render(revision)
        var back = try Revision.parse(text, file: "x.yaml")
        back.path = ""
        XCTAssertEqual(back, revision, text)
    }

    func testMalformedYAMLNamesFileLineAndColumn() {
        let text = "revision: abc\ndown_revision: null\nupgrade:\n  - drop_table: {name: [unclosed\n"
        XCTAssertThrowsError(try Revision.parse(text, file: "versions/x.yaml")) { error in
            let d = "\(error)"
            XCTAssertTrue(d.hasPrefix("versions/x.yaml:"), d)
            XCTAssertTrue(d.contains("malformed YAML"), d)
        }
    }

    /// What libyaml's events become: anchors and aliases resolve, and what a revision
    /// file cannot mean is refused with its place.
    func testYAMLAliasesDuplicateKeysDocumentsAndControlCharacters() throws {
        let aliased = """
            revision: abc
            down_revision: null
            upgrade:
              - create_table:
                  name: a
                  columns: &cols
                    - {name: id, type: integer, nullable: false}
              - create_table: {name: b, columns: *cols}
            downgrade: []
            """
        let revision = try Revision.parse(aliased, file: "r.yaml")
        guard case .createTable(let a) = revision.upgrade[0], case .createTable(let b) = revision.upgrade[1] else {
            return XCTFail("\(revision.upgrade)")
        }
        XCTAssertEqual(b.columns, a.columns)
        XCTAssertEqual(b.columns.map(\.name), ["id"])

        func failure(_ text: String) -> String {
            do {
                _ = try Revision.parse(text, file: "r.yaml")
                return "parsed"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(failure("revision: abc\ndown_revision: null\nrevision: abd\n"),
                       "r.yaml:3:1: malformed YAML: the key 'revision' appears twice in one mapping")
        XCTAssertEqual(failure("revision: abc\ndown_revision: null\nupgrade: [{drop_table: {name: x, name: y}}]\n"),
                       "r.yaml:3:34: malformed YAML: the key 'name' appears twice in one mapping")
        XCTAssertEqual(failure("revision: abc\ndown_revision: null\n---\nrevision: abd\n"),
                       "r.yaml:3:1: malformed YAML: a second document starts here; the file must hold one")
        XCTAssertEqual(failure("revision: abc\ndown_revision: *parent\n"),
                       "r.yaml:2:16: malformed YAML: the alias *parent names no anchor (&parent) written before it")
        XCTAssertEqual(failure("revision: abc\ndown_revision: null\nmessage: a\u{1}b\n"),
                       "r.yaml:3:11: malformed YAML: control characters are not allowed")
        XCTAssertEqual(failure("revision: abc\ndown_revision: [null\n"),
                       "r.yaml:3:1: malformed YAML: did not find expected ',' or ']' (while parsing a flow sequence)")
        XCTAssertEqual(failure("? [a, b]\n: c\n"), "r.yaml:1:3: a revision file has a key that is not text")
        XCTAssertEqual(failure("# only a comment\n"), "r.yaml:1: the file is empty")
        XCTAssertEqual(failure(""), "r.yaml:1: the file is empty")
        // Many keys (past the size where duplicates are looked up in a set).
        let wide = (0..<40).map { "k\($0): \($0)" }.joined(separator: ", ")
        XCTAssertEqual(failure("revision: abc\ndown_revision: null\nupgrade: [{bulk_insert: {table: t, rows: [{\(wide), k7: 1}]}}]\n"),
                       "r.yaml:3:384: malformed YAML: the key 'k7' appears twice in one mapping")
    }

    func testUnknownOperationAndFieldSuggestTheNearest() {
        let op = "revision: abc\ndown_revision: null\nupgrade:\n  - create_tabel: {name: x}\n"
        XCTAssertThrowsError(try Revision.parse(op, file: "r.yaml")) { error in
            XCTAssertEqual("\(error)", "r.yaml:4:5: unknown operation 'create_tabel'; did you mean 'create_table'?")
        }
        let field = "revision: abc\ndown_revision: null\nupgrade:\n  - drop_table: {nmae: x}\n"
        XCTAssertThrowsError(try Revision.parse(field, file: "r.yaml")) { error in
            XCTAssertEqual("\(error)", "r.yaml:4:18: unknown field 'nmae' in drop_table; did you mean 'name'?")
        }
        let top = "revison: abc\ndown_revision: null\n"
        XCTAssertThrowsError(try Revision.parse(top, file: "r.yaml")) { error in
            XCTAssertTrue("\(error)".contains("did you mean 'revision'?"), "\(error)")
        }
        let missing = "revision: abc\ndown_revision: null\nupgrade:\n  - add_column: {table: books}\n"
        XCTAssertThrowsError(try Revision.parse(missing, file: "r.yaml")) { error in
            XCTAssertTrue("\(error)".contains("missing its required field 'column'"), "\(error)")
        }
        let badType = "revision: abc\ndown_revision: null\nupgrade:\n  - add_column: {table: b, column: {name: c, type: strng}}\n"
        XCTAssertThrowsError(try Revision.parse(badType, file: "r.yaml", checkType: { name in
            if name != "integer" { throw MigrateError("unknown type name '\(name)'", hint: "did you mean 'string'?") }
        })) { error in
            XCTAssertEqual("\(error)", "r.yaml:4:52: unknown type name 'strng'; did you mean 'string'?")
        }
    }

    /// Commands that only walk the graph (`current`, `heads`, `history`) read each file's
    /// header: the same revision without its operations, the same checksum, and the
    /// whole file when a top-level key comes after the operations.
    func testHeaderOnlyReadingKeepsEverythingButTheOperations() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-header-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ text: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let usual = try write("a.yaml", """
            revision: a1
            down_revision: null
            branch_labels: [main]
            message: "upgrade: not a key"
            transactional: false
            upgrade:
            - create_table: {name: t, columns: [{name: id, type: integer, primary_key: true}]}
            downgrade:
              - drop_table: {name: t}

            """)
        let full = try Revision.read(path: usual)
        let header = try Revision.read(path: usual, operations: false)
        XCTAssertEqual(full.upgrade.count, 1)
        XCTAssertEqual(header.upgrade, [])
        XCTAssertEqual(header.downgrade, [])
        var fullWithoutOperations = full
        fullWithoutOperations.upgrade = []
        fullWithoutOperations.downgrade = []
        XCTAssertEqual(header, fullWithoutOperations)
        XCTAssertEqual(header.message, "upgrade: not a key")
        XCTAssertFalse(header.transactional)

        // A key after the operations: the whole file is read, so nothing is missed.
        let late = try write("b.yaml", "revision: b1\ndown_revision: null\nupgrade: []\nmessage: late\n")
        XCTAssertEqual(try Revision.read(path: late, operations: false).message, "late")

        // Operations first: the cut leaves no id, so the whole file is read.
        let opsFirst = try write("c.yaml", "upgrade: []\ndowngrade: []\nrevision: c1\ndown_revision: null\n")
        XCTAssertEqual(try Revision.read(path: opsFirst, operations: false).id, "c1")

        // A mistake inside the operations is reported by a full read, not by a header read.
        let badOperation = try write("d.yaml", "revision: d1\ndown_revision: null\nupgrade:\n  - drop_tabel: {name: t}\n")
        XCTAssertThrowsError(try Revision.read(path: badOperation))
        XCTAssertEqual(try Revision.read(path: badOperation, operations: false).id, "d1")

        let directory = try ScriptDirectory(versionsPath: dir.path, operations: false)
        XCTAssertThrowsError(try ScriptDirectory(versionsPath: dir.path))
        XCTAssertEqual(directory.graph.revision("a1")?.branchLabels, ["main"])
    }

    func testChecksumIgnoresLineEndings() {
        let lf = "revision: a\ndown_revision: null\n"
        XCTAssertEqual(Revision.checksum(of: lf), Revision.checksum(of: lf.replacingOccurrences(of: "\n", with: "\r\n")))
        XCTAssertNotEqual(Revision.checksum(of: lf), Revision.checksum(of: lf + "# edited\n"))
    }

    func testFileNamesAndIDs() {
        let r = Revision(id: "3f2a9c1b7d4e", message: "Add tags & book_tags!")
        XCTAssertEqual(ScriptDirectory.fileName(for: r, date: Date(timeIntervalSince1970: 1_795_262_400)),
                       "20261121_3f2a9c1b7d4e_add_tags_book_tags.yaml")
        let id = ScriptDirectory.newRevisionID()
        XCTAssertNotNil(id.range(of: "^[0-9a-f]{12}$", options: .regularExpression))
    }

    func testConfigExpandsEnvironmentAndValidates() throws {
        let text = """
            database: ${DATABASE_URL:-sqlite:///example.db}
            script_location: migrations-example
            manifest: ExampleModels
            version_table: migrator_version
            transaction: all
            compare: {types: true, server_defaults: false}
            exclude_tables: [spatial_*]
            postgresql: {lock_timeout: 10s, statement_timeout: 500ms}
            """
        let c = try MigratorConfig.parse(text, path: "/proj/migrator.yaml", environment: [:])
        XCTAssertEqual(c.database, "sqlite:///example.db")
        XCTAssertEqual(c.scriptLocation, "/proj/migrations-example")
        XCTAssertEqual(c.versionsDirectory, "/proj/migrations-example/versions")
        XCTAssertEqual(c.transaction, .all)
        XCTAssertFalse(c.compareServerDefaults)
        XCTAssertEqual(c.excludeTables, ["spatial_*"])
        XCTAssertEqual(c.lockTimeout, 10)
        XCTAssertEqual(c.statementTimeout, 0.5)
        let env = try MigratorConfig.parse(text, path: "migrator.yaml", environment: ["DATABASE_URL": "postgresql://h/db"])
        XCTAssertEqual(env.database, "postgresql://h/db")
        XCTAssertThrowsError(try MigratorConfig.parse("database: ${NOPE}\n", path: "m.yaml", environment: [:])) {
            XCTAssertTrue("\($0)".contains("environment variable NOPE is not set"), "\($0)")
        }
        XCTAssertThrowsError(try MigratorConfig.parse("database: x\ntransaction: some\n", path: "m.yaml", environment: [:])) {
            XCTAssertEqual("\($0)", "m.yaml:2:14: unknown transaction mode 'some'; use per_migration or all")
        }
    }
}
