import Foundation
import Logging
import RetortTestSupport
import XCTest

@testable import RetortCore

/// PostgreSQL reflection against a real server (see `PostgreSQLTestServer`): schemas
/// written by hand, schemas Retort's DDL created (which must read back exactly as
/// declared), the fixed number of catalog queries, and input reflection cannot name.
final class PostgreSQLReflectionTests: XCTestCase {
    // MARK: Helpers

    /// An engine on a fresh, empty database; `logger` receives echoed statements.
    private func makeEngine(logger: Logger? = nil) throws -> Engine {
        try createEngine(PostgreSQLTestServer.freshDatabaseURL(), echo: logger != nil, logger: logger)
    }

    /// Runs each statement and commits.
    private func run(_ engine: Engine, _ statements: [String]) throws {
        try engine.connect { conn in
            for sql in statements { try conn.executeDriverSQL(sql) }
            try conn.commit()
        }
    }

    /// Creates `tables` with Retort's own DDL: enums first, then each table, its indexes
    /// and its comments.
    private func create(_ engine: Engine, _ metadata: MetaData, _ tables: [Table]) throws {
        try engine.connect { conn in
            for e in metadata.enums { try conn.execute(CreateEnum(e.name, e.values)) }
            for table in tables {
                try conn.execute(CreateTable(table))
                for index in table.indexes { try conn.execute(CreateIndex(index)) }
                if let comment = table.comment { try conn.execute(SetTableComment(TableReference(table), comment)) }
                for column in table.columns {
                    if let comment = column.comment {
                        try conn.execute(SetColumnComment(TableReference(table), column: column.name, comment))
                    }
                }
            }
            try conn.commit()
        }
    }

    /// What reflection should read back for a table Retort declared: its declared values,
    /// with constraints in the order reflection lists them (by name), and SQL text in
    /// canonical spelling (as a comparison would put it; the tests below check that the
    /// usual spellings are unchanged by it).
    private func expectedReflection(of table: Table) throws -> ReflectedTable {
        let dialect = Dialect.postgresql
        let ddl = dialect.makeDDLCompiler()
        func canonical(_ sql: String, keepParentheses: Bool = false) -> String {
            PostgreSQLCanonicalSQL.expression(sql, columnTypes: [:], keepParentheses: keepParentheses)
        }
        var t = ReflectedTable(name: table.name, schema: table.schema, comment: table.comment)
        for c in table.columns {
            let declared = try c.serverDefault.map { try $0.sql(for: dialect) }
            t.columns.append(ReflectedColumn(
                name: c.name, type: c.type, nullable: c.nullable,
                serverDefault: c.autoincrement ? nil : declared.flatMap(PostgreSQLCanonicalSQL.serverDefault),
                autoincrement: c.autoincrement, comment: c.comment,
                identity: c.autoincrement ? Identity() : nil))  // an autoincrementing key is an identity BY DEFAULT
        }
        t.primaryKey = table.primaryKey.map { ReflectedPrimaryKey(name: $0.name, columns: $0.columns) }
        t.foreignKeys = table.foreignKeys.map {
            ReflectedForeignKey(
                name: $0.name, columns: $0.columns, referredSchema: $0.referredSchema, referredTable: $0.referredTable,
                referredColumns: $0.referredColumns, onDelete: $0.onDelete, onUpdate: $0.onUpdate,
                deferrable: $0.deferrable ?? false, initiallyDeferred: $0.initially == .deferred)
        }.sorted { ($0.name ?? "") < ($1.name ?? "") }
        t.uniqueConstraints = table.uniqueConstraints.map { ReflectedUniqueConstraint(name: $0.name, columns: $0.columns) }
            .sorted { ($0.name ?? "") < ($1.name ?? "") }
        t.checkConstraints = try table.checkConstraints.map {
            ReflectedCheckConstraint(name: $0.name, condition: canonical(try $0.conditionSQL(for: dialect)))
        }.sorted { ($0.name ?? "") < ($1.name ?? "") }
        t.indexes = try table.indexes.map { ix in
            let elements: [ReflectedIndexElement] = try ix.elements.map { node in
                if case .column(let ref) = node { return .column(ref.name) }
                return .expression(canonical(try ddl.indexElementSQL(node), keepParentheses: true))
            }
            return ReflectedIndex(name: ix.name ?? "", elements: elements, unique: ix.unique,
                                  predicate: try ix.whereSQL(for: dialect).map { canonical($0) })
        }.sorted { $0.name < $1.name }
        return t
    }

    /// Asserts two tables are equal piece by piece, so a failure names the piece.
    private func assertTable(_ actual: ReflectedTable?, _ expected: ReflectedTable,
                             file: StaticString = #filePath, line: UInt = #line) {
        guard let actual else { return XCTFail("table \(expected.name) was not reflected", file: file, line: line) }
        XCTAssertEqual(actual.columns.map(\.name), expected.columns.map(\.name), "\(expected.name): columns", file: file, line: line)
        for (a, e) in zip(actual.columns, expected.columns) {
            XCTAssertEqual(a, e, "\(expected.name).\(e.name)", file: file, line: line)
        }
        XCTAssertEqual(actual.primaryKey, expected.primaryKey, "\(expected.name): primary key", file: file, line: line)
        XCTAssertEqual(actual.foreignKeys, expected.foreignKeys, "\(expected.name): foreign keys", file: file, line: line)
        XCTAssertEqual(actual.uniqueConstraints, expected.uniqueConstraints, "\(expected.name): unique", file: file, line: line)
        XCTAssertEqual(actual.checkConstraints, expected.checkConstraints, "\(expected.name): checks", file: file, line: line)
        XCTAssertEqual(actual.indexes, expected.indexes, "\(expected.name): indexes", file: file, line: line)
        XCTAssertEqual(actual.comment, expected.comment, "\(expected.name): comment", file: file, line: line)
        XCTAssertEqual(actual.problems, expected.problems, "\(expected.name): problems", file: file, line: line)
        XCTAssertEqual(actual, expected, file: file, line: line)
    }

    // MARK: Hand-written schemas

    private static let mood = SQLType.enum("mood", ["happy", "sad", "it's complicated"])

    private static let handWritten = [
        "CREATE TYPE mood AS ENUM ('happy', 'sad', 'it''s complicated')",
        """
        CREATE TABLE authors (id SERIAL PRIMARY KEY, name varchar(100) NOT NULL, email text UNIQUE,
            mood mood DEFAULT 'happy', born date, CHECK (char_length(name) > 0))
        """,
        "COMMENT ON TABLE authors IS 'People who write'",
        "COMMENT ON COLUMN authors.name IS 'Full name, as printed'",
        "CREATE INDEX ON authors (lower(name))",
        "CREATE INDEX ix_partial ON authors (born) WHERE mood = 'sad' AND born IS NOT NULL",
        """
        CREATE TABLE "Book Shelf" ("Shelf ID" integer GENERATED ALWAYS AS IDENTITY, "Label" varchar(20) DEFAULT 'new',
            "parentId" integer REFERENCES "Book Shelf" ("Shelf ID") ON DELETE SET NULL, PRIMARY KEY ("Shelf ID"),
            CHECK ("Label" <> ''))
        """,
        #"CREATE UNIQUE INDEX "Shelf Label" ON "Book Shelf" ("Label", ("parentId" + 1)) INCLUDE ("Shelf ID")"#,
        """
        CREATE TABLE editions (book_id bigint, number smallint, shelf integer, author_id integer NOT NULL,
            PRIMARY KEY (book_id, number),
            FOREIGN KEY (author_id) REFERENCES authors (id) ON DELETE CASCADE ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED,
            FOREIGN KEY (shelf) REFERENCES "Book Shelf" DEFERRABLE, UNIQUE (shelf, number))
        """,
        """
        CREATE TABLE reprints (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, book_id bigint, number smallint,
            FOREIGN KEY (book_id, number) REFERENCES editions ON UPDATE SET DEFAULT)
        """,
        "CREATE VIEW author_names AS SELECT name FROM authors",
        #"CREATE MATERIALIZED VIEW shelf_count AS SELECT count(*) AS n FROM "Book Shelf""#,
        """
        CREATE TABLE every_type (i integer, bi bigint, si smallint, vs varchar(30), v varchar, t text, b boolean,
            r real, d double precision, n numeric(12,3), nn numeric, dt date, ts timestamp, tstz timestamptz, tm time,
            by bytea, j jsonb, u uuid, m mood, arr integer[], ch character(10), iv interval, js json,
            ttz time with time zone, ts3 timestamp(3), n10 numeric(10), ma mood[])
        """,
        "CREATE SCHEMA other",
        "CREATE TYPE other.colour AS ENUM ('red', 'green')",
        """
        CREATE TABLE other.things (id serial PRIMARY KEY, author_id integer REFERENCES public.authors (id),
            parent integer REFERENCES other.things (id), colour other.colour DEFAULT 'red', mood mood)
        """,
    ]

    func testHandWrittenSchemaReadsBackWithPostgreSQLsOwnConstraintNames() throws {
        let engine = try makeEngine()
        try run(engine, Self.handWritten)
        let schema = try Inspector(engine).reflect()

        XCTAssertEqual(schema.tables.map(\.name), ["Book Shelf", "authors", "editions", "every_type", "reprints"])
        XCTAssertEqual(schema.views, ["author_names", "shelf_count"])
        XCTAssertEqual(schema.enums, [ReflectedEnum(name: "mood", values: ["happy", "sad", "it's complicated"])])
        XCTAssertEqual(schema.sequences, [
            ReflectedSequence(name: "Book Shelf_Shelf ID_seq", ownedBy: "Book Shelf.Shelf ID"),
            ReflectedSequence(name: "authors_id_seq", ownedBy: "authors.id"),
            ReflectedSequence(name: "reprints_id_seq", ownedBy: "reprints.id"),
        ])

        assertTable(schema.table("authors"), ReflectedTable(
            name: "authors",
            columns: [
                ReflectedColumn(name: "id", type: .integer, nullable: false, autoincrement: true),
                ReflectedColumn(name: "name", type: .string(100), nullable: false, comment: "Full name, as printed"),
                ReflectedColumn(name: "email", type: .text),
                ReflectedColumn(name: "mood", type: Self.mood, serverDefault: "'happy'"),
                ReflectedColumn(name: "born", type: .date),
            ],
            primaryKey: ReflectedPrimaryKey(name: "authors_pkey", columns: ["id"]),
            indexes: [
                ReflectedIndex(name: "authors_lower_idx", elements: [.expression("lower(name)")]),
                ReflectedIndex(name: "ix_partial", elements: [.column("born")], predicate: "mood = 'sad' AND born IS NOT NULL"),
            ],
            uniqueConstraints: [ReflectedUniqueConstraint(name: "authors_email_key", columns: ["email"])],
            checkConstraints: [ReflectedCheckConstraint(name: "authors_name_check", condition: "char_length(name) > 0")],
            comment: "People who write"))

        assertTable(schema.table("Book Shelf"), ReflectedTable(
            name: "Book Shelf",
            columns: [
                ReflectedColumn(name: "Shelf ID", type: .integer, nullable: false, autoincrement: true,
                                identity: Identity(always: true)),
                ReflectedColumn(name: "Label", type: .string(20), serverDefault: "'new'"),
                ReflectedColumn(name: "parentId", type: .integer),
            ],
            primaryKey: ReflectedPrimaryKey(name: "Book Shelf_pkey", columns: ["Shelf ID"]),
            foreignKeys: [ReflectedForeignKey(
                name: "Book Shelf_parentId_fkey", columns: ["parentId"], referredTable: "Book Shelf",
                referredColumns: ["Shelf ID"], onDelete: .setNull)],
            // INCLUDE columns are not keys; quoted names come back unquoted, expressions as written.
            indexes: [ReflectedIndex(name: "Shelf Label", elements: [.column("Label"), .expression(#"("parentId" + 1)"#)],
                                     unique: true)],
            checkConstraints: [ReflectedCheckConstraint(name: "Book Shelf_Label_check", condition: #""Label" <> ''"#)]))

        assertTable(schema.table("editions"), ReflectedTable(
            name: "editions",
            columns: [
                ReflectedColumn(name: "book_id", type: .bigint, nullable: false),
                ReflectedColumn(name: "number", type: .smallint, nullable: false),
                ReflectedColumn(name: "shelf", type: .integer),
                ReflectedColumn(name: "author_id", type: .integer, nullable: false),
            ],
            primaryKey: ReflectedPrimaryKey(name: "editions_pkey", columns: ["book_id", "number"]),
            foreignKeys: [
                ReflectedForeignKey(
                    name: "editions_author_id_fkey", columns: ["author_id"], referredTable: "authors", referredColumns: ["id"],
                    onDelete: .cascade, onUpdate: .restrict, deferrable: true, initiallyDeferred: true),
                ReflectedForeignKey(
                    name: "editions_shelf_fkey", columns: ["shelf"], referredTable: "Book Shelf", referredColumns: ["Shelf ID"],
                    deferrable: true),
            ],
            uniqueConstraints: [ReflectedUniqueConstraint(name: "editions_shelf_number_key", columns: ["shelf", "number"])]))

        assertTable(schema.table("reprints"), ReflectedTable(
            name: "reprints",
            columns: [
                ReflectedColumn(name: "id", type: .bigint, nullable: false, autoincrement: true, identity: Identity()),
                ReflectedColumn(name: "book_id", type: .bigint),
                ReflectedColumn(name: "number", type: .smallint),
            ],
            primaryKey: ReflectedPrimaryKey(name: "reprints_pkey", columns: ["id"]),
            foreignKeys: [ReflectedForeignKey(
                name: "reprints_book_id_number_fkey", columns: ["book_id", "number"], referredTable: "editions",
                referredColumns: ["book_id", "number"], onUpdate: .setDefault)]))

        let types: [(String, SQLType)] = [
            ("i", .integer), ("bi", .bigint), ("si", .smallint), ("vs", .string(30)), ("v", .string(nil)), ("t", .text),
            ("b", .boolean), ("r", .float), ("d", .double), ("n", .numeric(12, 3)), ("nn", .numeric), ("dt", .date),
            ("ts", .datetime(timezone: false)), ("tstz", .datetime(timezone: true)), ("tm", .time), ("by", .binary),
            ("j", .json), ("u", .uuid), ("m", Self.mood),
            // Types Retort has no name for keep PostgreSQL's spelling.
            ("arr", .sql("integer[]")), ("ch", .sql("character(10)")), ("iv", .sql("interval")), ("js", .sql("json")),
            ("ttz", .sql("time with time zone")), ("ts3", .sql("timestamp(3) without time zone")),
            // NUMERIC(10) is stored as numeric(10,0).
            ("n10", .numeric(10, 0)), ("ma", .sql("mood[]")),
        ]
        assertTable(schema.table("every_type"), ReflectedTable(
            name: "every_type", columns: types.map { ReflectedColumn(name: $0.0, type: $0.1) }))
    }

    func testASecondSchemaIsReflectedWithItsOwnEnumsSequencesAndForeignKeySchemas() throws {
        let engine = try makeEngine()
        try run(engine, Self.handWritten)
        let inspector = try Inspector(engine)
        XCTAssertEqual(try inspector.schemaNames(), ["other", "public"])
        let other = try inspector.reflect(schema: "other")
        XCTAssertEqual(other.schema, "other")
        XCTAssertEqual(other.tables.map(\.name), ["things"])
        XCTAssertEqual(other.views, [])
        XCTAssertEqual(other.enums, [ReflectedEnum(name: "colour", schema: "other", values: ["red", "green"])])
        XCTAssertEqual(other.sequences, [ReflectedSequence(name: "things_id_seq", schema: "other", ownedBy: "things.id")])
        assertTable(other.table("things"), ReflectedTable(
            name: "things", schema: "other",
            columns: [
                ReflectedColumn(name: "id", type: .integer, nullable: false, autoincrement: true),
                ReflectedColumn(name: "author_id", type: .integer),
                ReflectedColumn(name: "parent", type: .integer),
                ReflectedColumn(name: "colour", type: .enum("colour", ["red", "green"]), serverDefault: "'red'"),
                ReflectedColumn(name: "mood", type: Self.mood),
            ],
            primaryKey: ReflectedPrimaryKey(name: "things_pkey", columns: ["id"]),
            // A referred table in the default schema has no referred schema; any other has.
            foreignKeys: [
                ReflectedForeignKey(name: "things_author_id_fkey", columns: ["author_id"], referredTable: "authors",
                                    referredColumns: ["id"]),
                ReflectedForeignKey(name: "things_parent_fkey", columns: ["parent"], referredSchema: "other",
                                    referredTable: "things", referredColumns: ["id"]),
            ]))
        // The public schema, named, is the same as the default one.
        XCTAssertEqual(try inspector.reflect(schema: "public").tables.map(\.name), try inspector.tableNames())
    }

    func testOnlyAndExcludeChooseTables() throws {
        let engine = try makeEngine()
        try run(engine, Self.handWritten + ["CREATE TABLE migrator_version (version_num varchar(32) PRIMARY KEY)"])
        let conn = try engine.connect()
        defer { conn.close() }
        let reflector = PostgreSQLReflector()
        let only = try reflector.reflect(conn, schema: nil, only: ["authors", "reprints", "missing"], exclude: [])
        XCTAssertEqual(only.tables.map(\.name), ["authors", "reprints"])
        let excluded = try reflector.reflect(conn, schema: nil, only: nil, exclude: ["every_type", "Book Shelf"])
        XCTAssertEqual(excluded.tables.map(\.name), ["authors", "editions", "migrator_version", "reprints"])
        // Core knows nothing of the migrator: its tables are left out only when asked.
        XCTAssertTrue(try Inspector(engine).tableNames().contains("migrator_version"))
        XCTAssertFalse(try Inspector(engine, excluding: ["migrator_version"]).tableNames().contains("migrator_version"))
    }

    // MARK: Round trips of Retort's DDL

    /// A schema with every type, default kind, constraint kind and index kind.
    private func richSchema() -> (MetaData, [Table]) {
        let md = MetaData()
        let authors = Table("authors", md,
            Column("id", .integer, primaryKey: true),
            Column("name", .string(100), nullable: false, comment: "Full name"),
            Column("email", .string(255), unique: true),
            Column("mood", Self.mood, nullable: false, serverDefault: "'happy'"),
            Column("score", .integer, serverDefault: "0"),
            Column("balance", .numeric(12, 2), serverDefault: "-5"),
            Column("rating", .double, serverDefault: "-1.5"),
            Column("motto", .text, serverDefault: "'it''s'"),
            Column("title", .string(20), serverDefault: "'text'"),
            Column("active", .boolean, nullable: false, serverDefault: "true"),
            Column("hidden", .boolean, serverDefault: .value(false)),
            Column("created", .datetime(timezone: true), serverDefault: "CURRENT_TIMESTAMP"),
            Column("updated", .datetime(timezone: true), serverDefault: .expression(fn.now())),
            Column("seen", .datetime, serverDefault: "now()"),
            Column("born", .date),
            Column("wake", .time),
            Column("small", .smallint, serverDefault: .value(7)),
            Column("big", .bigint, serverDefault: .value(-9_000_000_000)),
            Column("ratio", .float),
            Column("free", .numeric),
            Column("avatar", .binary),
            Column("profile", .json, serverDefault: "'{}'"),
            Column("token", .uuid),
            Column("tags", .sql("text[]")),
            Column("nickname", .string),
            CheckConstraint("score >= 0"),
            CheckConstraint("char_length(title) > 0", name: "ck_authors_title_not_empty"),
            CheckConstraint(column("balance") > -1000, name: "ck_authors_balance_floor"),
            Index(expressions: [fn.lower(column("name"))], name: "ix_authors_lower_name"),
            Index(expressions: [column("score") + column("small")], name: "ix_authors_score_small"),
            Index("email", unique: true, where: column("active") == true),
            Index("title", where: column("title") != "x"),
            Index("mood", "born"),
            comment: "People who write")
        let editions = Table("editions", md,
            Column("book_id", .bigint),
            Column("number", .smallint),
            Column("author_id", .integer, nullable: false),
            Column("price", .numeric(10, 2), serverDefault: "0"),
            PrimaryKeyConstraint("book_id", "number"),
            ForeignKeyConstraint(["author_id"], references: "authors", ["id"], onDelete: .cascade, onUpdate: .restrict,
                                 deferrable: true, initially: .deferred),
            UniqueConstraint("author_id", "number"),
            CheckConstraint("price >= 0"))
        let reprints = Table("reprints", md,
            Column("id", .bigint, primaryKey: true),
            Column("book_id", .bigint, nullable: false),
            Column("number", .smallint, nullable: false),
            ForeignKeyConstraint(["book_id", "number"], references: "editions", ["book_id", "number"], onUpdate: .setDefault,
                                 deferrable: true))
        let nodes = Table("nodes", md,
            Column("id", .integer, primaryKey: true),
            Column("parent_id", .integer, foreignKey: "nodes.id", onDelete: .setNull),
            Column("label", .string(50), index: true))
        return (md, [authors, editions, reprints, nodes])
    }

    func testTablesCreatedByRetortReadBackAsDeclared() throws {
        let engine = try makeEngine()
        let (md, tables) = richSchema()
        try create(engine, md, tables)
        let schema = try Inspector(engine).reflect()
        XCTAssertEqual(schema.tables.map(\.name), ["authors", "editions", "nodes", "reprints"])
        for table in tables { assertTable(schema.table(table.name), try expectedReflection(of: table)) }
        XCTAssertEqual(schema.enums, [ReflectedEnum(name: "mood", values: ["happy", "sad", "it's complicated"])])
        // Identity columns own their sequences.
        XCTAssertEqual(schema.sequences.map(\.ownedBy), ["authors.id", "nodes.id", "reprints.id"])

        // The defaults, spelled exactly as declared.
        let authors = try XCTUnwrap(schema.table("authors"))
        let defaults = Dictionary(uniqueKeysWithValues: authors.columns.map { ($0.name, $0.serverDefault) })
        XCTAssertEqual(defaults["score"], "0")
        XCTAssertEqual(defaults["balance"], "-5")
        XCTAssertEqual(defaults["rating"], "-1.5")
        XCTAssertEqual(defaults["motto"], "'it''s'")
        XCTAssertEqual(defaults["title"], "'text'")
        XCTAssertEqual(defaults["mood"], "'happy'")
        XCTAssertEqual(defaults["active"], "true")
        XCTAssertEqual(defaults["hidden"], "false")
        XCTAssertEqual(defaults["created"], "CURRENT_TIMESTAMP")
        XCTAssertEqual(defaults["updated"], "now()")
        XCTAssertEqual(defaults["seen"], "now()")
        XCTAssertEqual(defaults["small"], "7")
        XCTAssertEqual(defaults["big"], "-9000000000")
        XCTAssertEqual(defaults["profile"], "'{}'")
        XCTAssertEqual(defaults["id"], .some(nil))
        XCTAssertEqual(authors.column(named: "id")?.autoincrement, true)
        // Casts PostgreSQL added to columns and literals are gone.
        XCTAssertEqual(authors.checkConstraints.map(\.condition), ["balance > -1000", "score >= 0", "char_length(title) > 0"])
        XCTAssertEqual(authors.indexes.first { $0.name == "ix_authors_title" }?.predicate, "title <> 'x'")
    }

    func testTheCanonicalDefaultOfWhatDDLWritesIsWhatWasDeclared() throws {
        let declared: [(SQLType, ServerDefault, String)] = [
            (.integer, "0", "0"), (.text, "'text'", "'text'"), (.datetime(timezone: true), "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
            (.datetime(timezone: false), "now()", "now()"), (.boolean, "true", "true"), (.boolean, "false", "false"),
            (.integer, "-5", "-5"), (.numeric(8, 3), "-0.125", "-0.125"), (.string(40), "'it''s'", "'it''s'"),
            (.string(nil), "''", "''"), (.bigint, .value(-42), "-42"), (.text, .value("O'Brien"), "'O''Brien'"),
            (.datetime(timezone: true), .expression(fn.now()), "now()"), (.date, "CURRENT_DATE", "CURRENT_DATE"),
            (.double, "2.5", "2.5"), (.json, "'[]'", "'[]'"), (Self.mood, "'sad'", "'sad'"),
        ]
        let md = MetaData()
        let columns = declared.enumerated().map { i, d in Column("c\(i)", d.0, serverDefault: d.1) }
        let table = Table("defaults", md, elements: columns)
        let engine = try makeEngine()
        try create(engine, md, [table])
        let reflected = try XCTUnwrap(Inspector(engine).reflect().table("defaults"))
        for (i, d) in declared.enumerated() {
            let ddlText = try d.1.sql(for: .postgresql)
            XCTAssertEqual(reflected.columns[i].serverDefault, d.2, "read back: \(ddlText)")
            XCTAssertEqual(PostgreSQLCanonicalSQL.serverDefault(ddlText), d.2, "canonical of the declared \(ddlText)")
        }
    }

    // MARK: A fixed number of queries

    func testTheNumberOfQueriesDoesNotGrowWithTheNumberOfTables() throws {
        func count(tables: Int) throws -> Int {
            let log = LockedBox<[String]>([])
            let engine = try makeEngine(logger: Logger(label: "test.reflection") { _ in CapturingLogHandler(log) })
            var statements = ["CREATE TYPE mood AS ENUM ('a', 'b')"]
            for i in 0..<tables {
                statements.append("""
                    CREATE TABLE t\(i) (id serial PRIMARY KEY, parent integer REFERENCES t\(i) (id), m mood DEFAULT 'a',
                        label varchar(20) UNIQUE, CHECK (id > 0))
                    """)
                statements.append("CREATE INDEX ix_t\(i)_label ON t\(i) (lower(label)) WHERE id > 1")
            }
            try run(engine, statements)
            let conn = try engine.connect()
            defer { conn.close() }
            try conn.executeDriverSQL("SELECT 1")  // the transaction begins before counting
            log.mutate { $0.removeAll() }
            let schema = try PostgreSQLReflector().reflect(conn, schema: nil, only: nil, exclude: [])
            XCTAssertEqual(schema.tables.count, tables)
            XCTAssertEqual(schema.tables.map { $0.indexes.count }, Array(repeating: 1, count: tables))
            XCTAssertEqual(schema.tables.map { $0.foreignKeys.count }, Array(repeating: 1, count: tables))
            return log.value.filter { !$0.hasPrefix("[") }.count  // parameter lines left out
        }
        let few = try count(tables: 3)
        let many = try count(tables: 30)
        XCTAssertEqual(few, 11, """
            SAVEPOINT, jit off, relations, enums, sequences, columns, constraints, indexes, survivors, \
            ROLLBACK TO SAVEPOINT, RELEASE SAVEPOINT
            """)
        XCTAssertEqual(many, few)
    }

    // MARK: What reflection cannot name

    func testUnknownTypesComeBackAsSQLAndOddChecksAsText() throws {
        let engine = try makeEngine()
        try run(engine, [
            "CREATE DOMAIN positive AS integer CHECK (VALUE > 0)",
            """
            CREATE TABLE odd (a positive, b int4range, c tsvector, d "char", e bit varying(8), f varchar(10)[],
                g integer GENERATED ALWAYS AS (a * 2) STORED,
                CONSTRAINT tricky CHECK (f[1] <> ')' AND f[1] <> '(''' AND f[1]::text ~ '^[a-z]+$'),
                CONSTRAINT no_overlap EXCLUDE USING gist (b WITH &&))
            """,
            "CREATE INDEX odd_c ON odd USING gin (c)",
        ])
        let odd = try XCTUnwrap(Inspector(engine).reflect().table("odd"))
        XCTAssertEqual(odd.columns.map(\.type), [
            .sql("positive"), .sql("int4range"), .sql("tsvector"), .sql("\"char\""), .sql("bit varying(8)"),
            .sql("character varying(10)[]"), .integer,
        ])
        XCTAssertEqual(odd.column(named: "g")?.serverDefault, nil)
        XCTAssertEqual(odd.column(named: "g")?.computed?.stored, true, "a generated column reads back as computed")
        XCTAssertEqual(try XCTUnwrap(odd.column(named: "g")?.computed).sql(for: .postgresql), "a::integer * 2",
                       "the cast from the domain to its type is PostgreSQL's own")
        XCTAssertEqual(odd.checkConstraints, [ReflectedCheckConstraint(
            name: "tricky", condition: "f[1]::text <> ')'::text AND f[1]::text <> '('''::text AND f[1]::text ~ '^[a-z]+$'::text"
                .replacingOccurrences(of: "'::text", with: "'"))])
        XCTAssertEqual(odd.indexes, [ReflectedIndex(name: "odd_c", elements: [.column("c")])])
        XCTAssertEqual(odd.problems, [
            "no_overlap is an exclusion constraint, which reflection does not carry: EXCLUDE USING gist (b WITH &&)",
            "index odd_c uses gin; reflection does not carry the index method",
        ])

        // A definition that is not `CHECK (...)` is carried whole, with a problem.
        let (raw, problem) = PostgreSQLReflector.checkConstraint("ck", "CHECK (a > 0", columnTypes: [:])
        XCTAssertEqual(raw, ReflectedCheckConstraint(name: "ck", condition: "CHECK (a > 0"))
        XCTAssertNotNil(problem)
        let (valid, none) = PostgreSQLReflector.checkConstraint("ck", "CHECK (a > 0) NOT VALID", columnTypes: [:])
        XCTAssertEqual(valid.condition, "a > 0")
        XCTAssertNil(none)
        XCTAssertNil(PostgreSQLReflector.checkCondition("CHECK (a > 0) NO WAY"))
        XCTAssertNil(PostgreSQLReflector.checkCondition("CHECK (a > 'unterminated)"))
    }

    func testATableDroppedWhileReflectingGoesMissingAndTheRestIsWhole() throws {
        let engine = try makeEngine()
        let other = try engine.connect()
        defer { other.close() }
        try other.executeDriverSQL("SET lock_timeout = '5s'")  // fail rather than hang should reflection hold a lock
        for stage in ["relations", "enums", "sequences", "columns", "constraints", "indexes"] {
            try other.executeDriverSQL("DROP TABLE IF EXISTS steady, victim")
            for sql in [
                "CREATE TABLE steady (id integer PRIMARY KEY, label text DEFAULT 'x', CHECK (id > 0))",
                "CREATE INDEX ix_steady ON steady (lower(label)) WHERE id > 1",
                "CREATE TABLE victim (id integer PRIMARY KEY, label text DEFAULT 'x', CHECK (id > 0))",
                "CREATE INDEX ix_victim ON victim (lower(label)) WHERE id > 1",
            ] { try other.executeDriverSQL(sql) }
            try other.commit()
            let dropper = UncheckedSendable(other)  // the hook runs on this thread, during reflect
            let reflector = PostgreSQLReflector { name in
                guard name == stage else { return }
                do {
                    try dropper.value.executeDriverSQL("DROP TABLE victim")
                    try dropper.value.commit()
                } catch {
                    XCTFail("dropping the table after \(stage): \(error)")
                }
            }
            let conn = try engine.connect()
            let schema = try reflector.reflect(conn, schema: nil, only: nil, exclude: [])
            conn.close()
            XCTAssertEqual(schema.tables.map(\.name), ["steady"], "dropped after \(stage)")
            let steady = try XCTUnwrap(schema.table("steady"))
            XCTAssertEqual(steady.columns.map(\.name), ["id", "label"], stage)
            XCTAssertEqual(steady.checkConstraints.map(\.condition), ["id > 0"], stage)
            XCTAssertEqual(steady.indexes, [ReflectedIndex(name: "ix_steady", elements: [.expression("lower(label)")],
                                                           predicate: "id > 1")], stage)
            XCTAssertEqual(steady.problems, [], stage)
        }
    }

    func testTablesCreatedAndDroppedAllTheTimeNeverFailReflection() throws {
        let engine = try makeEngine()
        try run(engine, ["CREATE TABLE steady (id integer PRIMARY KEY, label text)"])
        let stop = LockedBox<Bool>(false)
        let failure = LockedBox<String?>(nil)
        let churn = Thread {
            do {
                let conn = try engine.connect()
                defer { conn.close() }
                var n = 0
                while !stop.value {
                    let t = "flicker_\(n % 5)"
                    try conn.executeDriverSQL("CREATE TABLE \(t) (id integer PRIMARY KEY, label text DEFAULT 'x', CHECK (id > 0))")
                    try conn.executeDriverSQL("CREATE INDEX ix_\(t) ON \(t) (lower(label)) WHERE id > 1")
                    try conn.commit()
                    try conn.executeDriverSQL("DROP TABLE \(t)")
                    try conn.commit()
                    n += 1
                }
            } catch {
                failure.mutate { $0 = "\(error)" }
            }
            stop.mutate { $0 = true }
        }
        churn.start()
        defer { stop.mutate { $0 = true } }
        let conn = try engine.connect()
        defer { conn.close() }
        for _ in 0..<100 {
            let schema = try PostgreSQLReflector().reflect(conn, schema: nil, only: nil, exclude: [])
            try conn.rollback()
            XCTAssertEqual(schema.table("steady")?.columns.map(\.name), ["id", "label"])
            for t in schema.tables where t.name.hasPrefix("flicker_") {
                XCTAssertEqual(t.columns.map(\.name), ["id", "label"], "\(t.name) is whole or missing")
                XCTAssertEqual(t.checkConstraints.count, 1, "\(t.name) is whole or missing")
            }
        }
        stop.mutate { $0 = true }
        while !churn.isFinished { usleep(10_000) }
        XCTAssertNil(failure.value)
    }

    func testReflectionLocksNoTableAndLeavesNoSettingBehind() throws {
        let engine = try makeEngine()
        try run(engine, [
            "CREATE TABLE t (id integer PRIMARY KEY, label text DEFAULT 'x', n integer GENERATED ALWAYS AS (id * 2) STORED)",
            "CREATE INDEX ix_t ON t (lower(label)) WHERE id > 1",
        ])
        let conn = try engine.connect()
        defer { conn.close() }
        let jit = try conn.scalar(text("SELECT current_setting('jit', true)"), as: String?.self)
        let schema = try PostgreSQLReflector().reflect(conn, schema: nil, only: nil, exclude: [])
        XCTAssertEqual(schema.table("t")?.indexes.first?.predicate, "id > 1")
        XCTAssertEqual(try conn.scalar(text("SELECT current_setting('jit', true)"), as: String?.self), jit,
                       "reflection turns JIT off only while it runs")
        XCTAssertTrue(conn.inTransaction)
        let locked = try conn.scalars(text("""
            SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE l.pid = pg_backend_pid() AND c.relnamespace = 'public'::regnamespace
            """), as: String.self).all()
        XCTAssertEqual(locked, [], "an open inspector transaction would block ALTER TABLE elsewhere")
    }

    // MARK: Canonical spelling, without a server

    func testCanonicalSpellingOfDefaults() {
        let cases: [(String, String?)] = [
            ("'text'::character varying", "'text'"), ("'it''s'::text", "'it''s'"), ("'-5'::integer", "-5"),
            ("'-5.5'::numeric", "-5.5"), ("'0'::numeric", "0"), ("'9999999999'::bigint", "9999999999"),
            ("'5'::text", "'5'"), ("NULL::character varying", nil), ("NULL", nil), ("(now())", "now()"),
            ("NOW()", "now()"), ("current_timestamp", "CURRENT_TIMESTAMP"), ("TRUE", "true"), ("(1 + 2)", "1 + 2"),
            ("'ok'::mood", "'ok'"), ("'x'::\"My Type\"", "'x'"), ("'a'::other.colour", "'a'"),
            ("'{}'::integer[]", "'{}'"), ("'2020-01-01 10:00:00'::timestamp without time zone", "'2020-01-01 10:00:00'"),
            ("('a'::text || 'b'::text)", "'a' || 'b'"), ("lower('ABC'::text)", "lower('ABC')"),
            ("'abc'::character varying(5)", "'abc'"), ("('x'::text)::character varying", "'x'"),
            ("nextval('t_id_seq'::regclass)", "nextval('t_id_seq')"), ("'\\x00'::bytea", "'\\x00'"),
            ("gen_random_uuid()", "gen_random_uuid()"), ("1.50", "1.50"), ("'it''s", "'it''s"),
        ]
        for (raw, canonical) in cases {
            XCTAssertEqual(PostgreSQLCanonicalSQL.serverDefault(raw), canonical, raw)
        }
    }

    func testCanonicalSpellingOfExpressions() {
        let types = ["name": "character varying(50)", "n": "bigint", "i": "integer", "t": "text", "f": "real",
                     "d": "date", "Mixed Case": "character varying"]
        let cases: [(String, String)] = [
            ("name::text <> ''::text", "name <> ''"), ("lower(name::text)", "lower(name)"),
            ("lower((name)::text)", "lower(name)"), ("n::numeric > 1.5", "n > 1.5"), ("f > 1::double precision", "f > 1"),
            ("i <> '-1'::integer", "i <> -1"), ("t ~~ 'x%'::text", "t LIKE 'x%'"), ("t != 'x'", "t <> 'x'"), ("t !~~* 'x'::text", "t NOT ILIKE 'x'"),
            ("i = ANY (ARRAY[1, 2, 3])", "i IN (1, 2, 3)"),
            ("name::text <> ALL (ARRAY['a'::character varying, 'b'::character varying]::text[])", "name NOT IN ('a', 'b')"),
            ("(i > 0)", "i > 0"), ("(i > 0) AND (n > 0)", "(i > 0) AND (n > 0)"),
            ("d::timestamp with time zone > now()", "d > now()"), (#""Mixed Case"::text = 'x'::text"#, #""Mixed Case" = 'x'"#),
            // Casts that are not PostgreSQL's own stay: the column's type does not cast implicitly.
            ("t::date > '2020-01-01'::date", "t::date > '2020-01-01'"), ("i::text = 'x'::text", "i::text = 'x'"),
            ("length(t)::numeric > 2", "length(t)::numeric > 2"), ("to_tsvector('english'::regconfig, t)", "to_tsvector('english', t)"),
        ]
        for (raw, canonical) in cases {
            XCTAssertEqual(PostgreSQLCanonicalSQL.expression(raw, columnTypes: types), canonical, raw)
        }
        XCTAssertEqual(PostgreSQLCanonicalSQL.expression("(i + 1)", columnTypes: types, keepParentheses: true), "(i + 1)")
        // Text the rules cannot read is kept.
        XCTAssertEqual(PostgreSQLCanonicalSQL.expression("a > 'open", columnTypes: [:]), "a > 'open")
        XCTAssertEqual(PostgreSQLCanonicalSQL.expression("a \u{1} b", columnTypes: [:]), "a \u{1} b")
    }
}

// MARK: - Support

/// A value handed to a `@Sendable` closure that runs on the thread that made it.
private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
