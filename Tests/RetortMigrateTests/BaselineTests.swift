import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// `migrator revision --baseline`: a database made by hand-written SQL is adopted; the
/// revision rebuilds it exactly on an empty database, and the adopted one is stamped.
class BaselineTests: XCTestCase {
    func database() throws -> AutogenerateProject { try .sqlite() }

    var handWrittenSchema: [String] { HandMadeSchema.sqlite }

    /// Everything reflection sees of a database, as the test compares it: tables
    /// (comparable, columns by name, CHECK conditions kept), enums, and the stored SQL
    /// of views and triggers.
    struct Shape: Equatable {
        var tables: [ReflectedTable]
        var checks: [String: [String]]
        var enums: [ReflectedEnum]
        var objects: [ReflectedSchemaObject]
    }

    func shape(_ db: AutogenerateProject) throws -> Shape {
        let engine = try db.engine()
        return try engine.connect { conn in
            let schema = try Inspector(conn, excluding: VersionStore.defaultOwnTables).reflect()
            let tables = schema.tables.map { t -> ReflectedTable in
                var c = t.comparable
                c.columns.sort { $0.name < $1.name }
                return c
            }.sorted { $0.name < $1.name }
            var checks: [String: [String]] = [:]
            for t in schema.tables { checks[t.name] = t.checkConstraints.map { "\($0.name ?? "-"): \($0.condition)" }.sorted() }
            return Shape(tables: tables, checks: checks, enums: schema.enums.sorted { $0.name < $1.name },
                         objects: try conn.dialect.reflector.viewsAndTriggers(conn, schema: nil))
        }
    }

    func versionsFiles(_ db: AutogenerateProject) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: db.directory + "/migrations/versions").filter { $0.hasSuffix(".yaml") }
    }

    func testBaselineRebuildsTheHandMadeSchemaExactly() throws {
        let adopted = try database()
        try adopted.execute(handWrittenSchema)
        let before = try shape(adopted)
        XCTAssertEqual(before.tables.count, 4)

        var r = try runMigrator(["revision", "--baseline", "-m", "adopt", "--rev-id", "baseline1"], in: adopted.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("stamped: the database is at baseline1"), r.stdout)
        XCTAssertEqual(try adopted.project().runner().current(), ["baseline1"], "stamped")
        XCTAssertEqual(try shape(adopted), before, "nothing was run on the adopted database")

        // The models that match the database (unnamed constraints unnamed: no naming
        // convention) pass `check`: at head, no differences.
        let models = MetaData(namingConvention: .none)
        _ = try models.reflect(Inspector(try adopted.engine(), excluding: VersionStore.defaultOwnTables))
        try assertChecks(adopted, models)
        // Also through metadata JSON, which names unnamed constraints by the convention.
        try MetadataJSON.render(models).write(toFile: adopted.directory + "/models.json", atomically: true, encoding: .utf8)
        r = try runMigrator(["check", "--metadata", "models.json"], in: adopted.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)

        // `upgrade head` on an empty database builds the same schema; `downgrade base` removes it all.
        let empty = try emptyDatabase()
        let files = try versionsFiles(adopted)
        XCTAssertEqual(files.count, 1)
        let file = try XCTUnwrap(files.first)
        try FileManager.default.copyItem(atPath: adopted.directory + "/migrations/versions/" + file,
                                         toPath: empty.directory + "/migrations/versions/" + file)
        r = try runMigrator(["upgrade", "head"], in: empty.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let rebuilt = try shape(empty)
        XCTAssertEqual(rebuilt.tables, before.tables)
        XCTAssertEqual(rebuilt.checks, before.checks)
        XCTAssertEqual(rebuilt.enums, before.enums)
        XCTAssertEqual(rebuilt.objects, before.objects)
        try assertChecks(empty, models)
        r = try runMigrator(["downgrade", "base"], in: empty.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(try shape(empty), Shape(tables: [], checks: [:], enums: [], objects: []))
    }

    /// The class of schemas: random ones (seeded) are rebuilt exactly by their baseline.
    func testRandomSchemasAreRebuiltExactly() throws {
        for seed in UInt64(1)...6 {
            let adopted = try database()
            let m = RandomSchema.make(seed: seed, cycles: cyclesAllowed)
            try m.createAll(try adopted.engine())
            let before = try shape(adopted)
            _ = try adopted.project().baseline(message: "adopt")
            let empty = try emptyDatabase()
            let file = try XCTUnwrap(try versionsFiles(adopted).first)
            try FileManager.default.copyItem(atPath: adopted.directory + "/migrations/versions/" + file,
                                             toPath: empty.directory + "/migrations/versions/" + file)
            try empty.project().runner().upgrade(to: "head")
            XCTAssertEqual(try shape(empty), before, "seed \(seed)")
            // The models that match the adopted database (as reflected) match the rebuilt one.
            let models = MetaData(namingConvention: .none)
            _ = try models.reflect(Inspector(try adopted.engine(), excluding: VersionStore.defaultOwnTables))
            try assertChecks(empty, models)
            try empty.project().runner().downgrade(to: "base")
            XCTAssertEqual(try shape(empty).tables, [], "seed \(seed)")
        }
    }

    /// Whether random schemas get foreign-key cycles (where the dialect adds keys later).
    var cyclesAllowed: Bool { false }

    /// `check` of `models` against `db`: at head, no differences and no notes.
    func assertChecks(_ db: AutogenerateProject, _ models: MetaData, line: UInt = #line) throws {
        let report = try db.project().check(models)
        guard case .ok(let diff) = report else { return XCTFail("check: \(report.status): \(report.json)", line: line) }
        XCTAssertEqual(diff, SchemaDiff(), line: line)
    }

    /// A database with no tables: the second, empty one of a test.
    func emptyDatabase() throws -> AutogenerateProject { try database() }

    func testBaselineIsRefusedWhenTheScriptsOrTheDatabaseHaveRevisions() throws {
        let db = try database()
        try db.execute(["CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"])
        // No tables at all: nothing to adopt.
        let empty = try database()
        var r = try runMigrator(["revision", "--baseline", "-m", "adopt"], in: empty.directory)
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("no tables to baseline"), r.stderr)
        XCTAssertEqual(try versionsFiles(empty), [])

        XCTAssertEqual(try runMigrator(["revision", "--baseline", "-m", "adopt"], in: db.directory).status, 0)
        // Again: the scripts have a revision now.
        r = try runMigrator(["revision", "--baseline", "-m", "again"], in: db.directory)
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("the scripts already have 1 revision"), r.stderr)
        XCTAssertTrue(r.stderr.contains("--autogenerate"), r.stderr)
        XCTAssertEqual(try versionsFiles(db).count, 1)

        // A database it cannot stamp (read-only): refused, and no revision file is left behind.
        let ro = try database()
        try ro.execute(["CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"])
        if ro.url.hasPrefix("sqlite") {
            let config = try String(contentsOfFile: ro.configPath, encoding: .utf8)
            try config.replacingOccurrences(of: ro.url, with: ro.url + "?mode=ro").write(toFile: ro.configPath, atomically: true, encoding: .utf8)
            r = try runMigrator(["revision", "--baseline", "-m", "adopt"], in: ro.directory)
            XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
            XCTAssertTrue(r.stderr.contains("read-only"), r.stderr)
            XCTAssertEqual(try versionsFiles(ro), [])
        }

        // Scripts gone, but the version table still names a revision.
        for f in try versionsFiles(db) { try FileManager.default.removeItem(atPath: db.directory + "/migrations/versions/" + f) }
        r = try runMigrator(["revision", "--baseline", "-m", "again"], in: db.directory)
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("already has a version table (migrator_version)"), r.stderr)
        XCTAssertEqual(try versionsFiles(db), [])
    }
}

final class BaselinePostgresTests: BaselineTests {
    override func database() throws -> AutogenerateProject { try .postgres() }

    override var handWrittenSchema: [String] { HandMadeSchema.postgres }

    override func testBaselineRebuildsTheHandMadeSchemaExactly() throws { try super.testBaselineRebuildsTheHandMadeSchemaExactly() }
    override func testRandomSchemasAreRebuiltExactly() throws { try super.testRandomSchemasAreRebuiltExactly() }
    override var cyclesAllowed: Bool { true }
    override func testBaselineIsRefusedWhenTheScriptsOrTheDatabaseHaveRevisions() throws {
        try super.testBaselineIsRefusedWhenTheScriptsOrTheDatabaseHaveRevisions()
    }

    /// A view PostgreSQL does not hand back the SQL of is named, not silently left out.
    func testAViewIsNamedInTheRevisionAndTheOutput() throws {
        let db = try database()
        try db.execute(["CREATE TABLE notes (id integer PRIMARY KEY, body text)", "CREATE VIEW short_notes AS SELECT id FROM notes"])
        let r = try runMigrator(["revision", "--baseline", "-m", "adopt"], in: db.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("warning: the view short_notes is not in the baseline"), r.stdout)
        let file = try XCTUnwrap(try versionsFiles(db).first)
        let text = try String(contentsOfFile: db.directory + "/migrations/versions/" + file, encoding: .utf8)
        XCTAssertTrue(text.contains("#   - the view short_notes is not in the baseline"), text)
    }
}

/// Random tables, reproducible from their seed: every column type, nullability, server
/// defaults, unique columns, named and unnamed checks, foreign keys (with cycles where
/// `cycles`), plain, partial and expression indexes; created by Core with no naming
/// convention, so that unnamed constraints stay unnamed.
enum RandomSchema {
    static func make(seed: UInt64, cycles: Bool = false) -> MetaData {
        var rng = SeededGenerator(seed: seed)
        let m = MetaData(namingConvention: .none)
        let types: [SQLType] = [.integer, .bigint, .smallint, .string(40), .text, .boolean, .double, .numeric(12, 3), .date,
                                .datetime, .time, .binary, .json, .uuid]
        let count = 4
        for t in 0..<count {
            let name = "t\(seed)_\(t)"
            var elements: [any TableElement] = [Column("id", .integer, primaryKey: true)]
            for c in 0..<Int.random(in: 2...6, using: &rng) {
                let type = types.randomElement(using: &rng)!
                var col = Column("c\(c)", type, nullable: Bool.random(using: &rng))
                if type == .integer, Bool.random(using: &rng) { col.serverDefault = .sql("7") }
                if type == .string(40), Bool.random(using: &rng) { col.unique = true }
                elements.append(col)
            }
            // A parent among the earlier tables, or with cycles any other table.
            let parents = cycles ? (0..<count).filter { $0 != t } : Array(0..<t)
            if let parent = parents.randomElement(using: &rng) {
                elements.append(Column("parent_id", .integer))
                elements.append(ForeignKeyConstraint(["parent_id"], references: "t\(seed)_\(parent)", ["id"],
                                                     name: cycles || Bool.random(using: &rng) ? "fk_\(name)_parent" : nil,
                                                     onDelete: .cascade))
                elements.append(Index("parent_id", name: "ix_\(name)_parent"))
            }
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: elements.append(Index("id", name: "ix_\(name)_partial").where("id > 10"))
            case 1: elements.append(Index(expressions: [text("(id * 2)")], name: "ix_\(name)_expr"))
            default: break
            }
            elements.append(CheckConstraint("id > 0", name: Bool.random(using: &rng) ? "ck_\(name)_id" : nil))
            Table(name, m, elements: elements)
        }
        return m
    }
}

/// Schemas made by hand-written SQL, as an existing database would be.
enum HandMadeSchema {
    /// Hand-written DDL: unnamed constraints, expression defaults, a partial and an
    /// expression index, a foreign-key cycle, a view and a trigger.
    static let sqlite: [String] = [
        """
        CREATE TABLE authors (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, email TEXT UNIQUE,
            created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, score NUMERIC(10, 2) DEFAULT (1.5 * 2),
            CHECK (length(name) > 0))
        """,
        """
        CREATE TABLE books (id INTEGER PRIMARY KEY AUTOINCREMENT,
            author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
            title TEXT NOT NULL, pages INTEGER CHECK (pages > 0), isbn VARCHAR(13), UNIQUE (author_id, title))
        """,
        "CREATE INDEX books_isbn_partial ON books (isbn) WHERE isbn IS NOT NULL",
        "CREATE UNIQUE INDEX books_lower_title ON books (lower(title))",
        "CREATE TABLE departments (id INTEGER PRIMARY KEY, head_id INTEGER REFERENCES employees (id))",
        "CREATE TABLE employees (id INTEGER PRIMARY KEY, dept_id INTEGER NOT NULL REFERENCES departments (id))",
        "CREATE VIEW long_books AS SELECT id, title FROM books WHERE pages > 500",
        "CREATE TRIGGER books_count AFTER INSERT ON books BEGIN UPDATE authors SET score = score + 1 WHERE id = NEW.author_id; END",
    ]

    /// Hand-written DDL for PostgreSQL: an enum type, comments, unnamed constraints,
    /// expression defaults, partial and expression indexes, a foreign-key cycle, a view.
    static let postgres: [String] = [
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        """
        CREATE TABLE authors (id serial PRIMARY KEY, name varchar(100) NOT NULL, email text UNIQUE,
            mood mood DEFAULT 'ok', created_at timestamptz DEFAULT now(), score numeric(10, 2) DEFAULT (1.5 * 2),
            CHECK (length(name) > 0))
        """,
        "COMMENT ON TABLE authors IS 'people who write'",
        "COMMENT ON COLUMN authors.email IS 'where to write to them'",
        """
        CREATE TABLE books (id bigserial PRIMARY KEY, author_id integer NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
            title text NOT NULL, pages integer CHECK (pages > 0), isbn varchar(13), UNIQUE (author_id, title))
        """,
        "CREATE INDEX books_isbn_partial ON books (isbn) WHERE isbn IS NOT NULL",
        "CREATE UNIQUE INDEX books_lower_title ON books (lower(title))",
        "CREATE TABLE departments (id integer PRIMARY KEY, head_id integer)",
        "CREATE TABLE employees (id integer PRIMARY KEY, dept_id integer NOT NULL REFERENCES departments (id))",
        "ALTER TABLE departments ADD FOREIGN KEY (head_id) REFERENCES employees (id)",
    ]
}
