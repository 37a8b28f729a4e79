import XCTest
@testable import RetortCore

/// MetaData, Table, the naming convention and dependency order.
final class SchemaTests: XCTestCase {
    func testTableRegistersInMetaData() {
        let m = MetaData()
        let a = Table("a", m, Column("id", .integer, primaryKey: true))
        let b = Table("b", m, Column("id", .integer, primaryKey: true))
        XCTAssertEqual(m.tables.map(\.name), ["a", "b"])
        XCTAssertTrue(m["a"] === a)
        XCTAssertTrue(m.table("b") === b)
        let a2 = Table("a", m, Column("id", .bigint, primaryKey: true))
        XCTAssertEqual(m.tables.count, 2, "a table of the same name replaces the old one")
        XCTAssertTrue(m["a"] === a2)
        m.remove(a2)
        XCTAssertEqual(m.tables.map(\.name), ["b"])
    }

    func testColumnAccess() {
        let t = Library.authors
        XCTAssertEqual(t.c.names, ["id", "name", "email", "born", "active"])
        XCTAssertEqual(t.column(named: "email")?.type, .string(255))
        XCTAssertTrue(t.c.contains("born"))
        XCTAssertEqual(t.c.all.count, 5)
        assertSQL(select(t.c["name"]), sqlite: "SELECT authors.name FROM authors")
    }

    func testPrimaryKeyResolution() {
        let m = MetaData()
        let t = Table("t", m, Column("id", .integer, primaryKey: true), Column("n", .integer))
        XCTAssertEqual(t.primaryKey?.columns, ["id"])
        XCTAssertEqual(t.primaryKey?.name, "pk_t")
        XCTAssertFalse(t.columns[0].nullable)
        XCTAssertTrue(t.columns[0].autoincrement)
        XCTAssertFalse(t.columns[1].autoincrement)
        XCTAssertTrue(t.autoincrementColumn?.name == "id")

        let composite = Table("c", m, Column("a", .integer, primaryKey: true), Column("b", .integer, primaryKey: true))
        XCTAssertEqual(composite.primaryKey?.columns, ["a", "b"])
        XCTAssertNil(composite.autoincrementColumn)

        let explicit = Table("e", m, Column("a", .string(10)), PrimaryKeyConstraint("a", name: "my_pk"))
        XCTAssertEqual(explicit.primaryKey?.name, "my_pk")
        XCTAssertFalse(explicit.columns[0].nullable)
        XCTAssertFalse(explicit.columns[0].autoincrement, "text keys do not autoincrement")

        let noAuto = Table("n", m, Column("id", .integer, primaryKey: true, autoincrement: false))
        XCTAssertNil(noAuto.autoincrementColumn)
    }

    func testForeignKeyKeyIsNotAutoincrement() {
        let m = MetaData()
        _ = Table("users", m, Column("id", .integer, primaryKey: true))
        let profile = Table("profiles", m, Column("user_id", .integer, primaryKey: true, foreignKey: "users.id"))
        XCTAssertNil(profile.autoincrementColumn)
    }

    func testNamingConvention() {
        let m = MetaData()
        _ = Table("authors", m, Column("id", .integer, primaryKey: true))
        let t = Table("books", m,
                      Column("id", .integer, primaryKey: true),
                      Column("author_id", .integer, foreignKey: "authors.id"),
                      Column("title", .string(100), index: true),
                      Column("isbn", .string(13), unique: true),
                      Column("pages", .integer),
                      UniqueConstraint("title", "author_id"),
                      CheckConstraint("pages > 0 AND pages < 'pages'"),
                      Index("author_id", "title"))
        XCTAssertEqual(t.primaryKey?.name, "pk_books")
        XCTAssertEqual(t.foreignKeys.map(\.name), ["fk_books_author_id_authors"])
        XCTAssertEqual(t.uniqueConstraints.map(\.name), ["uq_books_title_author_id", "uq_books_isbn"])
        XCTAssertEqual(t.checkConstraints.map(\.name), ["ck_books_pages"])
        XCTAssertEqual(t.indexes.map(\.name), ["ix_books_author_id_title", "ix_books_title"])
    }

    func testExplicitNamesAreKept() {
        let m = MetaData()
        let t = Table("t", m, Column("a", .integer), UniqueConstraint("a", name: "Very Custom"), Index("a", name: "i"))
        XCTAssertEqual(t.uniqueConstraints.first?.name, "Very Custom")
        XCTAssertEqual(t.indexes.first?.name, "i")
    }

    func testReplaceableConvention() {
        let m = MetaData(namingConvention: NamingConvention(index: "idx_{table}_{columns}"))
        let t = Table("t", m, Column("a", .integer, index: true))
        XCTAssertEqual(t.indexes.first?.name, "idx_t_a")
        let none = MetaData(namingConvention: .none)
        let u = Table("u", none, Column("id", .integer, primaryKey: true), Column("a", .integer, unique: true))
        XCTAssertNil(u.primaryKey?.name)
        XCTAssertNil(u.uniqueConstraints.first?.name)
        XCTAssertEqual(try CreateTable(u).compile(for: .sqlite).sql, """
            CREATE TABLE u (
                id INTEGER NOT NULL,
                a INTEGER,
                PRIMARY KEY (id),
                UNIQUE (a)
            )
            """)
    }

    func testCollidingConventionalNamesGetDeterministicSuffix() {
        func build() -> [String?] {
            let m = MetaData()
            let t = Table("t", m, Column("a", .integer), Index("a"), Index("a", unique: true))
            return t.indexes.map(\.name)
        }
        let names = build()
        XCTAssertEqual(names[0], "ix_t_a")
        XCTAssertNotEqual(names[1], "ix_t_a")
        XCTAssertTrue(names[1]?.hasPrefix("ix_t_a_") ?? false)
        XCTAssertEqual(names[1]?.count, "ix_t_a_".count + 8)
        XCTAssertEqual(build(), names, "the suffix is deterministic")
    }

    func testConventionalNameAvoidsExplicitName() {
        let m = MetaData()
        let t = Table("t", m, Column("a", .integer), UniqueConstraint("b", name: "ix_t_a"), Column("b", .integer), Index("a"))
        XCTAssertNotEqual(t.indexes.first?.name, "ix_t_a")
    }

    func testLongConventionalNamesAreShortenedPerDialect() throws {
        let m = MetaData()
        let longColumn = String(repeating: "c", count: 70)
        let t = Table("some_table", m, Column(longColumn, .integer, index: true))
        let name = try XCTUnwrap(t.indexes.first?.name)
        XCTAssertGreaterThan(name.count, 63)
        let pg = try CreateIndex(t.indexes[0]).compile(for: .postgresql).sql
        let short = NamingConvention.truncate(name, maxLength: 63)
        XCTAssertEqual(short.utf8.count, 63)
        XCTAssertTrue(pg.hasPrefix("CREATE INDEX \(short) ON some_table"), pg)
        XCTAssertEqual(NamingConvention.truncate(name, maxLength: 63), short, "deterministic")
        let sqlite = try CreateIndex(t.indexes[0]).compile(for: .sqlite).sql
        XCTAssertTrue(sqlite.hasPrefix("CREATE INDEX \(name) ON"), "SQLite's limit is far larger")
        // Explicit names are used exactly as given.
        let explicit = String(repeating: "x", count: 70)
        XCTAssertTrue(try CreateIndex(Index("a", name: explicit), on: "t").compile(for: .postgresql).sql.contains(explicit))
    }

    func testTruncateKeepsCharactersWhole() {
        let name = String(repeating: "é", count: 40)  // 80 bytes
        let short = NamingConvention.truncate(name, maxLength: 63)
        XCTAssertLessThanOrEqual(short.utf8.count, 63)
        XCTAssertTrue(short.hasPrefix("éé"))
        XCTAssertEqual(NamingConvention.truncate("short", maxLength: 63), "short")
    }

    func testEnumCheckNames() {
        let t = Library.books
        XCTAssertEqual(t.enumCheckNames["format"], "ck_books_format")
        XCTAssertEqual(Library.metadata.enums.map(\.name), ["book_format"])
    }

    func testProblemsAreCollectedNotCrashes() {
        let m = MetaData()
        let t = Table("p", m, Column("a", .integer), PrimaryKeyConstraint("zz"),
                      ForeignKeyConstraint(["a", "b"], references: "x", ["y"]), Column("c", .integer, foreignKey: "nodot"))
        XCTAssertEqual(t.problems.count, 4, "\(t.problems)")
    }

    // MARK: Dependency order

    func testDependencyOrderPutsReferredTablesFirst() {
        let m = MetaData()
        _ = Table("reviews", m, Column("id", .integer, primaryKey: true), Column("book_id", .integer, foreignKey: "books.id"))
        _ = Table("books", m, Column("id", .integer, primaryKey: true), Column("author_id", .integer, foreignKey: "authors.id"))
        _ = Table("authors", m, Column("id", .integer, primaryKey: true))
        _ = Table("tags", m, Column("id", .integer, primaryKey: true))
        let order = m.dependencyOrder()
        XCTAssertEqual(order.tables.map(\.name), ["authors", "books", "reviews", "tags"])
        XCTAssertTrue(order.cycles.isEmpty)
    }

    func testSelfReferenceIsNotACycle() {
        let m = MetaData()
        _ = Table("nodes", m, Column("id", .integer, primaryKey: true), Column("parent_id", .integer, foreignKey: "nodes.id"))
        XCTAssertTrue(m.dependencyOrder().cycles.isEmpty)
    }

    func cyclicMetaData() -> MetaData {
        let m = MetaData()
        _ = Table("departments", m, Column("id", .integer, primaryKey: true),
                  Column("manager_id", .integer, foreignKey: "employees.id"))
        _ = Table("employees", m, Column("id", .integer, primaryKey: true),
                  Column("department_id", .integer, foreignKey: "departments.id"))
        _ = Table("badges", m, Column("id", .integer, primaryKey: true), Column("employee_id", .integer, foreignKey: "employees.id"))
        return m
    }

    func testCyclesAreDetectedAndReported() {
        let order = cyclicMetaData().dependencyOrder()
        XCTAssertEqual(order.cycles.count, 1)
        XCTAssertEqual(Set(order.cycles[0].tables.map(\.name)), ["departments", "employees"])
        XCTAssertEqual(order.cycles[0].foreignKeys.count, 2)
        XCTAssertEqual(order.tables.map(\.name), ["departments", "employees", "badges"])
    }

    func testCreateAllPlanOnPostgreSQLBreaksCycles() throws {
        let plan = try cyclicMetaData().createStatements(for: .postgresql).map { try $0.compile(for: .postgresql).sql }
        XCTAssertEqual(plan.count, 5)
        XCTAssertFalse(plan[0].contains("FOREIGN KEY"), plan[0])
        XCTAssertFalse(plan[1].contains("FOREIGN KEY"), plan[1])
        XCTAssertTrue(plan[2].contains("fk_badges_employee_id_employees"), "a non-cyclic key stays inline")
        XCTAssertEqual(plan[3], "ALTER TABLE departments ADD CONSTRAINT fk_departments_manager_id_employees FOREIGN KEY (manager_id) REFERENCES employees (id)")
        XCTAssertEqual(plan[4], "ALTER TABLE employees ADD CONSTRAINT fk_employees_department_id_departments FOREIGN KEY (department_id) REFERENCES departments (id)")
        let drop = try cyclicMetaData().dropStatements(for: .postgresql).map { try $0.compile(for: .postgresql).sql }
        XCTAssertEqual(drop, [
            "ALTER TABLE departments DROP CONSTRAINT fk_departments_manager_id_employees",
            "ALTER TABLE employees DROP CONSTRAINT fk_employees_department_id_departments",
            "DROP TABLE badges", "DROP TABLE employees", "DROP TABLE departments",
        ])
    }

    func testCreateAllPlanOnSQLiteRejectsCycles() {
        XCTAssertThrowsError(try cyclicMetaData().createStatements(for: .sqlite)) { error in
            guard let e = error as? ProgrammingError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.kind, .notSupported)
            XCTAssertTrue(e.message.contains("departments → employees"), e.message)
            XCTAssertTrue(e.message.contains("sqlite"), e.message)
        }
    }

    func testCreateAllPlanIncludesEnumsCommentsAndIndexes() throws {
        let m = MetaData()
        _ = Table("books", m, Column("id", .integer, primaryKey: true),
                  Column("title", .string(100), index: true, comment: "The title"),
                  Column("format", .enum("book_format", ["hardcover", "ebook"])), comment: "Books")
        let pg = try m.createStatements(for: .postgresql).map { try $0.compile(for: .postgresql).sql }
        XCTAssertEqual(pg.count, 5)
        XCTAssertEqual(pg[0], "CREATE TYPE book_format AS ENUM ('hardcover', 'ebook')")
        XCTAssertTrue(pg[1].hasPrefix("CREATE TABLE books"))
        XCTAssertEqual(pg[2], "COMMENT ON TABLE books IS 'Books'")
        XCTAssertEqual(pg[3], "COMMENT ON COLUMN books.title IS 'The title'")
        XCTAssertEqual(pg[4], "CREATE INDEX ix_books_title ON books (title)")
        let sqlite = try m.createStatements(for: .sqlite).map { try $0.compile(for: .sqlite).sql }
        XCTAssertEqual(sqlite.count, 2)
        XCTAssertTrue(sqlite[0].contains("CONSTRAINT ck_books_format CHECK (format IN ('hardcover', 'ebook'))"))
        let drop = try m.dropStatements(for: .postgresql, ifExists: true).map { try $0.compile(for: .postgresql).sql }
        XCTAssertEqual(drop, ["DROP TABLE IF EXISTS books", "DROP TYPE IF EXISTS book_format"])
    }
}
