import Foundation
import RetortCore
import RetortTestSupport
import XCTest

/// createAll, then reflect: every table comes back as declared, in the database's own
/// terms (`ReflectedTable(expecting:dialect:)`), on both databases.
final class ReflectionRoundTripTests: XCTestCase {
    /// Every type, composite keys, a self-referential foreign key, unique and check
    /// constraints, partial and expression indexes, defaults of every kind, comments, an enum.
    static func richSchema() -> MetaData {
        let m = MetaData()
        Table("authors", m,
              Column("id", .integer, primaryKey: true),
              Column("name", .string(100), nullable: false, index: true),
              Column("email", .string(255), unique: true),
              Column("bio", .text, comment: "a short biography"),
              Column("created_at", .datetime, nullable: false, serverDefault: "CURRENT_TIMESTAMP"),
              Column("mentor_id", .integer, foreignKey: "authors.id", onDelete: .setNull),
              comment: "people who write")
        Table("books", m,
              Column("id", .bigint, primaryKey: true),
              Column("title", .string(200), nullable: false, serverDefault: "'untitled'"),
              Column("author_id", .integer, nullable: false, foreignKey: "authors.id", onDelete: .cascade),
              Column("pages", .integer, serverDefault: "0"),
              Column("price", .numeric(10, 2)),
              Column("in_print", .boolean, nullable: false, serverDefault: "true"),
              Column("published_on", .date),
              Column("updated_at", .datetime(timezone: true)),
              Column("reads_at", .time),
              Column("cover", .binary),
              Column("meta", .json),
              Column("isbn_id", .uuid),
              Column("rating", .float),
              Column("score", .double),
              Column("edition", .smallint, serverDefault: "-1"),
              Column("format", .enum("book_format", ["hardcover", "paperback", "ebook"])),
              CheckConstraint("pages > 0", name: "ck_books_pages_positive"),
              UniqueConstraint("title", "author_id"),
              Index("title", name: "ix_books_title_lower_partial").where("in_print = true"),
              Index(expressions: [text("lower(title)")], name: "ix_books_lower_title"))
        Table("editions", m,
              Column("book_id", .bigint, nullable: false),
              Column("number", .integer, nullable: false),
              Column("note", .string(50), serverDefault: "'it''s'"),
              PrimaryKeyConstraint("book_id", "number"),
              ForeignKeyConstraint(["book_id"], references: "books", ["id"], onDelete: .cascade))
        Table("reprints", m,
              Column("id", .integer, primaryKey: true),
              Column("book_id", .bigint, nullable: false),
              Column("number", .integer, nullable: false),
              ForeignKeyConstraint(["book_id", "number"], references: "editions", ["book_id", "number"]))
        return m
    }

    func roundTrip(_ engine: Engine) throws {
        let metadata = Self.richSchema()
        try metadata.createAll(engine)
        let reflected = try Inspector(engine).reflect()
        XCTAssertEqual(Set(reflected.tables.map(\.name)), ["authors", "books", "editions", "reprints"])
        for table in metadata.tables {
            let expected = try ReflectedTable(expecting: table, dialect: engine.dialect).comparable
            let actual = try XCTUnwrap(reflected.table(table.name), table.name).comparable
            XCTAssertEqual(actual.columns, expected.columns, "\(table.name) columns on \(engine.dialect)")
            XCTAssertEqual(actual.primaryKey, expected.primaryKey, "\(table.name) primary key on \(engine.dialect)")
            XCTAssertEqual(actual.foreignKeys, expected.foreignKeys, "\(table.name) foreign keys on \(engine.dialect)")
            XCTAssertEqual(actual.uniqueConstraints, expected.uniqueConstraints, "\(table.name) unique on \(engine.dialect)")
            XCTAssertEqual(actual.checkConstraints, expected.checkConstraints, "\(table.name) checks on \(engine.dialect)")
            XCTAssertEqual(actual.indexes, expected.indexes, "\(table.name) indexes on \(engine.dialect)")
            XCTAssertEqual(actual.comment, expected.comment, "\(table.name) comment on \(engine.dialect)")
            XCTAssertEqual(actual, expected, "\(table.name) on \(engine.dialect)")
        }
        // metadata.reflect builds tables that compile back to the same DDL.
        let copy = MetaData()
        let tables = try copy.reflect(engine)
        XCTAssertEqual(tables.count, 4)
        for t in tables {
            XCTAssertEqual(try ReflectedTable(expecting: t, dialect: engine.dialect).comparable,
                           try XCTUnwrap(reflected.table(t.name)).comparable, "re-declared \(t.name) on \(engine.dialect)")
        }
        try metadata.dropAll(engine)
        XCTAssertEqual(try Inspector(engine).tableNames(), [])
    }

    func testRoundTripOnSQLite() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString.prefix(8)).db").path
        try roundTrip(try createEngine("sqlite:///" + path))
    }

    func testRoundTripOnPostgreSQL() throws {
        try roundTrip(try createEngine(PostgreSQLTestServer.freshDatabaseURL()))
    }

    func testHandWrittenSQLiteSchema() throws {
        let engine = try createEngine("sqlite://")
        try engine.connect { conn in
            for sql in [
                #"CREATE TABLE "Mixed Case" ("Odd (col)" INTEGER PRIMARY KEY, "quote""d" TEXT UNIQUE, n INT CHECK (n > 0), CONSTRAINT "named, with comma" CHECK ("quote""d" <> 'x'))"#,
                "CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB, t GEOMETRY) WITHOUT ROWID",
                #"CREATE TABLE child (id INTEGER PRIMARY KEY AUTOINCREMENT, parent INTEGER REFERENCES "Mixed Case" ("Odd (col)") ON DELETE CASCADE, k TEXT, FOREIGN KEY (k) REFERENCES kv (k))"#,
                "CREATE INDEX ix_child_k ON child (k) WHERE k IS NOT NULL",
                "CREATE VIEW v_child AS SELECT * FROM child",
            ] { try conn.execute(text(sql)) }
            let schema = try Inspector(conn).reflect()
            XCTAssertEqual(schema.views, ["v_child"])
            let mixed = try XCTUnwrap(schema.table("Mixed Case"))
            XCTAssertEqual(mixed.columns.map(\.name), ["Odd (col)", "quote\"d", "n"])
            XCTAssertEqual(mixed.columns[0].autoincrement, true)
            XCTAssertEqual(mixed.uniqueConstraints, [ReflectedUniqueConstraint(name: nil, columns: ["quote\"d"])])
            XCTAssertEqual(mixed.checkConstraints.map(\.name), [nil, "named, with comma"])
            XCTAssertEqual(mixed.checkConstraints.first?.condition, "n > 0")
            let kv = try XCTUnwrap(schema.table("kv"))
            XCTAssertEqual(kv.column(named: "t")?.type, .sql("GEOMETRY"), "unknown types are carried through")
            XCTAssertEqual(kv.column(named: "k")?.autoincrement, false, "WITHOUT ROWID has no rowid")
            let child = try XCTUnwrap(schema.table("child"))
            XCTAssertEqual(child.foreignKeys.count, 2)
            XCTAssertEqual(child.foreignKeys.first { $0.referredTable == "Mixed Case" }?.onDelete, .cascade)
            XCTAssertEqual(child.foreignKeys.first { $0.referredTable == "kv" }?.referredColumns, ["k"])
            XCTAssertEqual(child.indexes, [ReflectedIndex(name: "ix_child_k", elements: [.column("k")], predicate: "k IS NOT NULL")])
        }
    }
}
