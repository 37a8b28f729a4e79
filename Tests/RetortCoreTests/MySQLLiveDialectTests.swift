import Foundation
@testable import RetortCore
import RetortTestSupport
import XCTest

/// The MySQL dialect against a real MariaDB server: the flavour settled on connect,
/// statements the server runs, and createAll followed by reflection comparing equal.
final class MySQLLiveDialectTests: XCTestCase {
    func engine() throws -> Engine { try createEngine(MariaDBTestServer.freshDatabaseURL()) }

    func testTheFirstConnectionSettlesTheMariaDBFlavour() throws {
        let engine = try engine()
        defer { engine.dispose() }
        XCTAssertEqual(engine.dialect, .mysql, "before connecting: MySQL 8, as offline")
        let version = try engine.connect { try $0.scalar(text("SELECT VERSION()"), as: String.self) }
        let server = try XCTUnwrap((engine.dialect.implementation as? MySQLDialect)?.server)
        XCTAssertEqual(server.flavour, .mariadb, version)
        XCTAssertEqual(server, MySQLServer(versionString: version))
        XCTAssertEqual(engine.dialect.supportsReturning, server.atLeast(10, 5))
    }

    /// Rows through every construct the dialect rewrites: CONCAT, upsert, an empty IN,
    /// OFFSET without LIMIT, a backslash in a literal, RETURNING on INSERT, a CTE.
    func testStatementsReturnTheRightRows() throws {
        let engine = try engine()
        defer { engine.dispose() }
        let m = MetaData()
        let t = Table("words", m, Column("id", .integer, primaryKey: true), Column("word", .string(40), nullable: false),
                      Column("n", .integer, serverDefault: "0"), UniqueConstraint("word"))
        try m.createAll(engine)
        try engine.begin { conn in
            try conn.execute(t.insert(), [["word": "a\\b"], ["word": "it's"], ["word": "z"]])
            let concat = try conn.scalars(select(t.c.word + "!").orderBy(t.c.id), as: String.self).all()
            XCTAssertEqual(concat, ["a\\b!", "it's!", "z!"])
            XCTAssertEqual(try conn.scalars(select(t.c.id).where(t.c.word.in([String]())), as: Int.self).all(), [])
            XCTAssertEqual(try conn.scalars(select(t.c.id).where(t.c.word.notIn([String]())).orderBy(t.c.id), as: Int.self).all(),
                           [1, 2, 3])
            XCTAssertEqual(try conn.scalars(select(t.c.id).orderBy(t.c.id).offset(2), as: Int.self).all(), [3])
            // A literal written by the dialect (DDL-style) reads back as the same string.
            let literal = try engine.dialect.literal(.text("a\\b"))
            XCTAssertEqual(try conn.scalar(text("SELECT id FROM words WHERE word = \(literal)"), as: Int.self), 1)
            try conn.execute(t.insert().values(["word": "z", "n": 5]).onConflictDoUpdate(.columns("word"), set: ["n": excluded.n]))
            XCTAssertEqual(try conn.scalar(select(t.c.n).where(t.c.word == "z"), as: Int.self), 5)
            try conn.execute(t.insert().values(["word": "z", "n": 7]).onConflictDoNothing(.columns("word")))
            XCTAssertEqual(try conn.scalar(select(t.c.n).where(t.c.word == "z"), as: Int.self), 5)
            XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t), as: Int.self), 3)
            if engine.dialect.supportsReturning {
                let id = try conn.scalar(t.insert().values(["word": "new"]).returning(t.c.id), as: Int.self)
                XCTAssertEqual(id, try conn.scalar(select(t.c.id).where(t.c.word == "new"), as: Int.self))
            }
        }
    }

    /// The table-exists check behind `checkFirst` compares names as utf8mb4, so a
    /// name outside utf8mb3 (where MariaDB keeps identifiers) is simply not there and
    /// CREATE TABLE reports the name, rather than the check failing on mixed collations.
    func testTableExistsComparesNamesOutsideUTF8MB3() throws {
        let engine = try engine()
        defer { engine.dispose() }
        let m = MetaData()
        Table("caf\u{E9} \u{1F642}", m, Column("id", .integer, primaryKey: true))
        XCTAssertThrowsError(try m.createAll(engine)) { error in
            XCTAssertTrue("\(error)".contains("Invalid utf8mb4 character string"), "\(error)")
        }
        let plain = MetaData()
        Table("caf\u{E9}", plain, Column("id", .integer, primaryKey: true))
        try plain.createAll(engine)
        try plain.createAll(engine)
        XCTAssertEqual(try Inspector(engine).tableNames(), ["caf\u{E9}"])
    }

    /// Every Retort type, defaults (literal, CURRENT_TIMESTAMP, ON UPDATE), comments,
    /// an inline enum, checks, composite and self-referential keys, a unique index
    /// and an index with a prefix length.
    static func schema() -> MetaData {
        let m = MetaData()
        var updated = Column("updated_at", .datetime, nullable: false, serverDefault: "CURRENT_TIMESTAMP")
        updated.serverOnUpdate = .sql("CURRENT_TIMESTAMP")
        var bodyIndex = Index("bio", name: "ix_authors_bio")
        bodyIndex.mysqlLength = ["bio": 100]
        Table("authors", m,
              Column("id", .integer, primaryKey: true),
              Column("name", .string(100), nullable: false, index: true),
              Column("email", .string(255), unique: true),
              Column("bio", .text, comment: "a short biography"),
              Column("created_at", .datetime, nullable: false, serverDefault: "CURRENT_TIMESTAMP"),
              updated,
              Column("mentor_id", .integer, foreignKey: "authors.id", onDelete: .setNull),
              bodyIndex,
              comment: "people who write")
        Table("books", m,
              Column("id", .bigint, primaryKey: true),
              Column("title", .string(200), nullable: false, serverDefault: "'untitled'"),
              Column("author_id", .integer, nullable: false, foreignKey: "authors.id", onDelete: .cascade),
              Column("pages", .integer, serverDefault: "0"),
              Column("price", .numeric(10, 2)),
              Column("in_print", .boolean, nullable: false, serverDefault: .value(true)),
              Column("published_on", .date),
              Column("updated_at", .datetime(timezone: true)),
              Column("reads_at", .time),
              Column("cover", .binary),
              Column("meta", .json),
              Column("isbn_id", .uuid),
              Column("rating", .float),
              Column("score", .double),
              Column("edition", .smallint, serverDefault: "-1"),
              Column("note", .string(50), serverDefault: "'it''s a \\\\ note'"),
              Column("format", .enum("book_format", ["hardcover", "paperback", "e'book"])),
              CheckConstraint("pages > 0", name: "ck_books_pages_positive"),
              UniqueConstraint("title", "author_id"),
              Index("title", "pages", name: "ix_books_title_pages"),
              Index("isbn_id", name: "ix_books_isbn", unique: true))
        Table("editions", m,
              Column("book_id", .bigint, nullable: false),
              Column("number", .integer, nullable: false),
              PrimaryKeyConstraint("book_id", "number"),
              ForeignKeyConstraint(["book_id"], references: "books", ["id"], onDelete: .cascade))
        return m
    }

    func testCreateAllThenReflectComparesEqual() throws {
        let engine = try engine()
        defer { engine.dispose() }
        let metadata = Self.schema()
        try metadata.createAll(engine)
        let reflected = try Inspector(engine).reflect()
        XCTAssertEqual(Set(reflected.tables.map(\.name)), ["authors", "books", "editions"])
        for table in metadata.tables {
            let expected = try ReflectedTable(expecting: table, dialect: engine.dialect).comparable
            let actual = try XCTUnwrap(reflected.table(table.name), table.name).comparable
            XCTAssertEqual(actual.columns, expected.columns, "\(table.name) columns")
            for (a, e) in zip(actual.columns, expected.columns) where a != e { XCTAssertEqual(a, e) }
            XCTAssertEqual(actual.primaryKey?.columns, expected.primaryKey?.columns, "\(table.name) primary key")
            XCTAssertEqual(actual.foreignKeys, expected.foreignKeys, "\(table.name) foreign keys")
            XCTAssertEqual(actual.uniqueConstraints, expected.uniqueConstraints, "\(table.name) unique")
            XCTAssertEqual(actual.checkConstraints, expected.checkConstraints, "\(table.name) checks")
            XCTAssertEqual(actual.indexes, expected.indexes, "\(table.name) indexes")
            XCTAssertEqual(actual.comment, expected.comment, "\(table.name) comment")
        }
        let books = try XCTUnwrap(reflected.table("books"))
        XCTAssertEqual(books.column(named: "format")?.type, .enum(name: "format", values: ["hardcover", "paperback", "e'book"]))
        XCTAssertEqual(books.column(named: "meta")?.type, .json, "MariaDB's JSON is LONGTEXT with a json_valid CHECK")
        XCTAssertEqual(books.checkConstraints.map(\.name), ["ck_books_pages_positive"])
        let authors = try XCTUnwrap(reflected.table("authors"))
        XCTAssertEqual(authors.column(named: "updated_at")?.serverOnUpdate, "CURRENT_TIMESTAMP(6)")
        XCTAssertEqual(authors.column(named: "created_at")?.serverDefault, "CURRENT_TIMESTAMP(6)")
        XCTAssertEqual(authors.column(named: "id")?.autoincrement, true)
        // ON UPDATE is the server's: an UPDATE that does not set the column moves it.
        try engine.begin { conn in
            try conn.execute(text("INSERT INTO authors (name, updated_at) VALUES ('a', '2000-01-01 00:00:00')"))
            try conn.execute(text("UPDATE authors SET name = 'b'"))
            let year = try conn.scalar(text("SELECT YEAR(updated_at) FROM authors"), as: Int.self)
            XCTAssertGreaterThan(year, 2000)
        }
        try metadata.dropAll(engine)
        XCTAssertEqual(try Inspector(engine).tableNames(), [])
    }

    /// A schema written by hand the way MariaDB users write it: `current_timestamp()`,
    /// `ON UPDATE current_timestamp()`, a TEXT key prefix, an unsigned column, a view.
    func testHandWrittenSchemaReflects() throws {
        let engine = try engine()
        defer { engine.dispose() }
        try engine.connect { conn in
            for sql in [
                "CREATE TABLE parent (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, body TEXT, KEY ix_body (body(20))) COMMENT 'p'",
                "CREATE TABLE child (id INT AUTO_INCREMENT PRIMARY KEY, parent_id INT UNSIGNED, "
                    + "ts TIMESTAMP NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(), "
                    + "CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE, "
                    + "CONSTRAINT ck_child CHECK (parent_id > 0))",
                "CREATE VIEW v_child AS SELECT * FROM child",
            ] { try conn.execute(text(sql)) }
            let schema = try Inspector(conn).reflect()
            XCTAssertEqual(schema.views, ["v_child"])
            let parent = try XCTUnwrap(schema.table("parent"))
            XCTAssertEqual(parent.column(named: "id")?.type, .sql("INT(10) UNSIGNED"))
            XCTAssertEqual(parent.comment, "p")
            XCTAssertEqual(parent.indexes.map(\.name), ["ix_body"])
            let child = try XCTUnwrap(schema.table("child"))
            XCTAssertEqual(child.column(named: "ts")?.serverDefault, "CURRENT_TIMESTAMP")
            XCTAssertEqual(child.column(named: "ts")?.serverOnUpdate, "CURRENT_TIMESTAMP")
            XCTAssertEqual(child.foreignKeys.map(\.name), ["fk_parent"])
            XCTAssertEqual(child.foreignKeys.first?.onDelete, .cascade)
            XCTAssertEqual(child.indexes, [], "the index MariaDB made for the foreign key is the key's")
            XCTAssertEqual(child.checkConstraints.map(\.condition), ["parent_id > 0"])
            let sizes = try Inspector.tableSizes(conn, tables: ["parent", "child", "missing"])
            XCTAssertEqual(Set(sizes.keys), ["parent", "child"])
        }
    }
}
