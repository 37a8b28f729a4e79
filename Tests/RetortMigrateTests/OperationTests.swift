import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// Every operation applied and reversed on a real database, leaving the schema (seen
/// through the Inspector) exactly as before and the rows intact.
final class OperationTests: XCTestCase {
    let applier = CoreOperationApplier(enums: ["mood": ["happy", "sad"]])

    func base() -> [MigrationOperation] {
        [
            .createTable(CreateTableSpec(
                name: "authors",
                columns: [ColumnSpec(name: "id", type: "integer", nullable: false, primaryKey: true),
                          ColumnSpec(name: "name", type: "string(100)", nullable: false)],
                primaryKey: ConstraintSpec(name: "pk_authors", columns: ["id"]))),
            .createTable(CreateTableSpec(
                name: "books",
                columns: [ColumnSpec(name: "id", type: "integer", nullable: false, primaryKey: true),
                          ColumnSpec(name: "title", type: "string(200)", nullable: false),
                          ColumnSpec(name: "author_id", type: "integer", nullable: false),
                          ColumnSpec(name: "co_author_id", type: "integer"),
                          ColumnSpec(name: "pages", type: "integer"),
                          ColumnSpec(name: "note", type: "text")],
                primaryKey: ConstraintSpec(name: "pk_books", columns: ["id"]),
                foreignKeys: [ForeignKeySpec(name: "fk_books_author_id_authors", columns: ["author_id"], refTable: "authors",
                                             refColumns: ["id"], onDelete: "CASCADE")],
                uniqueConstraints: [ConstraintSpec(name: "uq_books_title_author_id", columns: ["title", "author_id"])])),
            // MySQL indexes a TEXT column by a prefix (ignored elsewhere).
            .createIndex(IndexSpec(name: "ix_books_note", table: "books", columns: ["note"], mysqlLength: ["note": 100])),
            .bulkInsert(table: "authors", rows: [["id": .int(1), "name": .string("Ursula")]]),
            .bulkInsert(table: "books", rows: [
                ["id": .int(1), "title": .string("The Dispossessed"), "author_id": .int(1), "pages": .int(387), "note": .string("x")],
                ["id": .int(2), "title": .string("Lathe of Heaven"), "author_id": .int(1), "pages": .int(184), "note": .null],
            ]),
        ]
    }

    /// (upgrade, downgrade) pairs.
    func pairs(_ dialect: Dialect) -> [(String, [MigrationOperation], [MigrationOperation])] {
        // The whole existing definition, which MySQL's MODIFY restates.
        var pages = AlterColumnSpec(table: "books", column: "pages")
        pages.existingType = "integer"
        pages.existingNullable = true
        pages.existingServerDefault = .some(nil)
        pages.existingComment = .some(nil)
        var notNull = pages
        notNull.nullable = false
        var nullAgain = notNull
        nullAgain.nullable = true
        nullAgain.existingNullable = false
        var widen = pages
        widen.type = "bigint"
        var narrow = widen
        narrow.type = "integer"
        narrow.existingType = "bigint"
        var withDefault = AlterColumnSpec(table: "books", column: "pages")
        withDefault.serverDefault = .some("0")
        var noDefault = withDefault
        noDefault.serverDefault = .some(nil)
        var rename = AlterColumnSpec(table: "books", column: "title")
        rename.newName = "headline"
        var renameBack = AlterColumnSpec(table: "books", column: "headline")
        renameBack.newName = "title"
        var list: [(String, [MigrationOperation], [MigrationOperation])] = [
            ("add/drop column", [.addColumn(table: "books", column: ColumnSpec(name: "isbn", type: "string(13)"))],
             [.dropColumn(table: "books", column: "isbn")]),
            ("nullability", [.alterColumn(notNull)], [.alterColumn(nullAgain)]),
            ("type", [.alterColumn(widen)], [.alterColumn(narrow)]),
            ("server default", [.alterColumn(withDefault)], [.alterColumn(noDefault)]),
            ("rename column", [.alterColumn(rename)], [.alterColumn(renameBack)]),
            ("index", [.createIndex(IndexSpec(name: "ix_books_title", table: "books", columns: ["title"]))],
             [.dropIndex(name: "ix_books_title", table: "books")]),
            ("partial unique index", [.createIndex(IndexSpec(name: "ix_books_pages", table: "books", columns: ["pages"], unique: true,
                                                             whereClause: "pages > 100"))],
             [.dropIndex(name: "ix_books_pages", table: "books")]),
            ("expression index", [.createIndex(IndexSpec(name: "ix_books_lower_title", table: "books", expressions: ["lower(title)"]))],
             [.dropIndex(name: "ix_books_lower_title", table: "books")]),
            ("unique constraint", [.createUniqueConstraint(name: "uq_books_pages", table: "books", columns: ["pages"])],
             [.dropConstraint(name: "uq_books_pages", table: "books", type: .unique)]),
            ("check constraint", [.createCheckConstraint(name: "ck_books_pages", table: "books", condition: "pages > 0")],
             [.dropConstraint(name: "ck_books_pages", table: "books", type: .check)]),
            ("foreign key", [.createForeignKey(table: "books", ForeignKeySpec(name: "fk_books_co_author_id_authors", columns: ["co_author_id"],
                                                                               refTable: "authors", refColumns: ["id"], onDelete: "SET NULL"))],
             [.dropConstraint(name: "fk_books_co_author_id_authors", table: "books", type: .foreignKey)]),
            ("rename table", [.renameTable(name: "books", newName: "volumes")], [.renameTable(name: "volumes", newName: "books")]),
            ("create/drop table", [.createTable(CreateTableSpec(name: "tags", columns: [ColumnSpec(name: "id", type: "integer", nullable: false, primaryKey: true)],
                                                                primaryKey: ConstraintSpec(name: "pk_tags", columns: ["id"])))],
             [.dropTable(name: "tags")]),
            ("drop an indexed column", [.dropColumn(table: "books", column: "note")],
             [.addColumn(table: "books", column: ColumnSpec(name: "note", type: "text")),
              .createIndex(IndexSpec(name: "ix_books_note", table: "books", columns: ["note"], mysqlLength: ["note": 100]))]),
            ("execute", [.execute(sql: nil, perDialect: ["sqlite": "CREATE VIEW v AS SELECT 1 AS x", "postgresql": "CREATE VIEW v AS SELECT 1 AS x",
                                                         "mysql": "CREATE VIEW v AS SELECT 1 AS x"])],
             [.execute(sql: "DROP VIEW v", perDialect: [:])]),
        ]
        // An index the database cannot build (a partial one on MySQL, one over expressions
        // on MariaDB) is refused before any SQL is sent; the refusal is tested with the dialect.
        list.removeAll { _, up, _ in
            up.contains { op in
                guard case .createIndex(let spec) = op else { return false }
                do {
                    _ = try CreateIndex(applier.index(spec), on: TableReference(spec.table)).compile(for: dialect)
                    return false
                } catch let e as ProgrammingError where e.kind == .notSupported {
                    return true
                } catch {
                    return false
                }
            }
        }
        if dialect.supportsNativeEnum {
            list.append(("enum type and column",
                         [.createEnum(name: "mood", values: ["happy", "sad"]),
                          .addColumn(table: "books", column: ColumnSpec(name: "mood", type: "enum(mood)"))],
                         [.dropColumn(table: "books", column: "mood"), .dropEnum(name: "mood")]))
        }
        return list
    }

    func transaction(_ conn: Connection, _ ops: [MigrationOperation]) throws {
        let executor = LiveExecutor(conn, immediate: false)
        try executor.begin()
        for op in ops { try applier.apply(op, on: executor) }
        if let check = conn.dialect.migration.foreignKeyHandling.check {
            XCTAssertEqual(try conn.execute(check).all().count, 0, "foreign keys still hold")
        }
        try executor.commit()
    }

    func schema(_ conn: Connection) throws -> ReflectedSchema {
        try Inspector(conn).reflect()
    }

    func rows(_ conn: Connection) throws -> [[SQLValue]] {
        try conn.execute(text("SELECT id, title, author_id, pages FROM books ORDER BY id")).all().map(\.values)
    }

    func checkEveryOperation(_ engine: Engine) throws {
        try engine.connect { conn in
            try conn.executeOutsideTransaction(conn.dialect.migration.foreignKeyHandling.before)
            try transaction(conn, base())
            let before = try schema(conn)
            let data = try rows(conn)
            XCTAssertEqual(data.count, 2)
            // A known gap: on MySQL the index made for a foreign key stays when the key is dropped.
            let knownGaps: Set<String> = conn.dialect.name == "mysql" ? ["foreign key"] : []
            for (name, up, down) in pairs(conn.dialect) where !knownGaps.contains(name) {
                try transaction(conn, up)
                XCTAssertNotEqual(try schema(conn), before, "\(name) changed nothing on \(conn.dialect)")
                try transaction(conn, down)
                XCTAssertEqual(try schema(conn), before, "\(name) was not reversed exactly on \(conn.dialect)")
                XCTAssertEqual(try rows(conn), data, "\(name) lost rows on \(conn.dialect)")
            }
        }
    }

    func testEveryOperationOnSQLite() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ops-\(UUID().uuidString.prefix(8)).db").path
        try checkEveryOperation(try createEngine("sqlite:///" + path))
    }

    func testEveryOperationOnPostgreSQL() throws {
        try checkEveryOperation(try createEngine(PostgreSQLTestServer.freshDatabaseURL()))
    }

    func testEveryOperationOnMariaDB() throws {
        try checkEveryOperation(try createEngine(MariaDBTestServer.freshDatabaseURL()))
    }

    func testSQLiteRebuildRefusesForeignKeyViolations() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fk-\(UUID().uuidString.prefix(8)).db").path
        let engine = try createEngine("sqlite:///" + path)
        try engine.connect { conn in
            try conn.executeOutsideTransaction(conn.dialect.migration.foreignKeyHandling.before)
            try transaction(conn, base())
            try conn.execute(text("INSERT INTO books (id, title, author_id, co_author_id) VALUES (3, 'x', 1, 99)"))
            try conn.commit()
            let executor = LiveExecutor(conn, immediate: false)
            try executor.begin()
            try applier.apply(.createForeignKey(table: "books", ForeignKeySpec(name: "fk_co", columns: ["co_author_id"], refTable: "authors",
                                                                                refColumns: ["id"])), on: executor)
            let violations = try conn.execute(conn.dialect.migration.foreignKeyHandling.check!).all()
            XCTAssertEqual(violations.count, 1)
            XCTAssertEqual(try violations.first?.get(0, as: String.self), "books")
            try executor.rollback()
        }
    }
}
