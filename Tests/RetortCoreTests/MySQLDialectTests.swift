import Foundation
@testable import RetortCore
import XCTest
import RetortTestSupport

/// The SQL and DDL the MySQL dialect writes, for MySQL 8 and MariaDB flavours, without
/// a server (what `--sql` scripts and every statement start from).
final class MySQLDialectTests: XCTestCase {
    let m = MetaData()
    lazy var books = Table("books", m,
        Column("id", .integer, primaryKey: true),
        Column("title", .string(200), nullable: false),
        Column("order", .integer),
        Column("Note", .text))

    static let mysql8018 = Dialect.mysql(server: MySQLServer(.mysql, [8, 0, 18]))
    static let mysql8036 = Dialect.mysql
    static let mariadb104 = Dialect.mysql(server: MySQLServer(.mariadb, [10, 4, 0]))
    static let mariadb1011 = Dialect.mariadb

    func sql(_ s: some Executable, _ d: Dialect = .mysql) throws -> String { try s.compile(for: d).sql }

    func testServerVersionStringsPickTheFlavour() {
        XCTAssertEqual(MySQLServer(versionString: "10.11.19-MariaDB"), MySQLServer(.mariadb, [10, 11, 19]))
        XCTAssertEqual(MySQLServer(versionString: "5.5.5-10.4.2-MariaDB-log"), MySQLServer(.mariadb, [10, 4, 2]))
        XCTAssertEqual(MySQLServer(versionString: "8.0.36"), MySQLServer(.mysql, [8, 0, 36]))
        XCTAssertEqual(MySQLServer(versionString: "8.4"), MySQLServer(.mysql, [8, 4, 0]))
        XCTAssertTrue(Dialect.mariadb.supportsReturning)
        XCTAssertFalse(Self.mariadb104.supportsReturning)
        XCTAssertFalse(Dialect.mysql.supportsReturning)
        XCTAssertEqual(Dialect.named("mariadb")?.name, "mysql")
        XCTAssertNotEqual(Self.mysql8018, Self.mysql8036, "versions that compile differently are different dialects")
        XCTAssertNotEqual(Self.mysql8018.compilationFlags, Self.mysql8036.compilationFlags)
    }

    func testBacktickQuotingOfReservedAndMixedCaseNames() throws {
        XCTAssertEqual(Dialect.mysql.quoteIdentifier("authors"), "authors")
        XCTAssertEqual(Dialect.mysql.quoteIdentifier("order"), "`order`")
        XCTAssertEqual(Dialect.mysql.quoteIdentifier("separator"), "`separator`")
        XCTAssertEqual(Dialect.mysql.quoteIdentifier("Note"), "`Note`")
        XCTAssertEqual(Dialect.mysql.quoteIdentifier("a`b"), "`a``b`")
        XCTAssertEqual(try sql(select(books.c.order, books.c["Note"]).where(books.c.id == 1)),
                       "SELECT books.`order`, books.`Note` FROM books WHERE books.id = ?")
    }

    func testLimitOffsetConcatNowAndFunctions() throws {
        XCTAssertEqual(try sql(select(books.c.id).offset(5)), "SELECT books.id FROM books LIMIT 18446744073709551615 OFFSET ?")
        XCTAssertEqual(try sql(select(books.c.id).limit(2).offset(5)), "SELECT books.id FROM books LIMIT ? OFFSET ?")
        let concat = try sql(select(books.c.title + "!"))
        XCTAssertEqual(concat, "SELECT CONCAT(books.title, ?) FROM books")
        XCTAssertFalse(concat.contains("||"))
        XCTAssertEqual(try sql(select(fn.now())), "SELECT CURRENT_TIMESTAMP(6)")
        XCTAssertEqual(try sql(select(fn.groupConcat(books.c.title, "; ", orderBy: [books.c.title]))),
                       "SELECT GROUP_CONCAT(books.title ORDER BY books.title SEPARATOR '; ') FROM books")
        XCTAssertEqual(try sql(select(books.c.id).where(books.c.title.ilike("a%"))),
                       "SELECT books.id FROM books WHERE lower(books.title) LIKE lower(?)")
        XCTAssertEqual(try sql(select(books.c.id).where(books.c.order.isNotDistinctFrom(3))),
                       "SELECT books.id FROM books WHERE books.`order` <=> ?")
        XCTAssertEqual(try sql(select(books.c.id).forUpdate(skipLocked: true)), "SELECT books.id FROM books FOR UPDATE SKIP LOCKED")
    }

    func testUpsertRefersToTheProposedRowAsEachServerAllows() throws {
        let upsert = books.insert().values(["id": 1, "title": "x"])
            .onConflictDoUpdate(.columns("id"), set: ["title": excluded.title])
        XCTAssertEqual(try sql(upsert, Self.mysql8036),
                       "INSERT INTO books (id, title) VALUES (?, ?) AS new ON DUPLICATE KEY UPDATE title = new.title")
        for d in [Self.mysql8018, Self.mariadb1011] {
            XCTAssertEqual(try sql(upsert, d),
                           "INSERT INTO books (id, title) VALUES (?, ?) ON DUPLICATE KEY UPDATE title = VALUES(title)")
        }
        XCTAssertEqual(try sql(books.insert().values(["id": 1, "title": "x"]).onConflictDoNothing(.columns("id"))),
                       "INSERT INTO books (id, title) VALUES (?, ?) AS new ON DUPLICATE KEY UPDATE id = id")
    }

    func testWhatTheServerLacksIsRefusedBeforeAnythingIsSent() throws {
        let other = Table("other", m, Column("id", .integer, primaryKey: true))
        func refused(_ s: some Executable, _ d: Dialect = .mysql, _ words: String, line: UInt = #line) {
            XCTAssertThrowsError(try s.compile(for: d), line: line) { error in
                guard let e = error as? ProgrammingError else { return XCTFail("\(error)", line: line) }
                XCTAssertEqual(e.kind, .notSupported, line: line)
                XCTAssertTrue(e.message.contains(words), "\(e.message)", line: line)
            }
        }
        refused(select(books.c.id).outerJoin(other, on: books.c.id == other.c.id, full: true), .mysql, "FULL OUTER JOIN")
        refused(books.update().values(["title": "y"]).returning(books.c.id), .mariadb, "UPDATE ... RETURNING")
        refused(books.insert().values(["title": "y"]).returning(books.c.id), .mysql, "RETURNING")
        refused(select(books.c.id).distinct(on: [books.c.title]), .mysql, "DISTINCT ON")
        refused(select(books.c.id).intersect(select(other.c.id)), Self.mysql8018, "INTERSECT")
        XCTAssertNoThrow(try select(books.c.id).intersect(select(other.c.id)).compile(for: .mariadb))
        refused(select(books.c.id).forUpdate(skipLocked: true), Self.mariadb104, "SKIP LOCKED")
        XCTAssertEqual(try sql(books.insert().values(["title": "y"]).returning(books.c.id), .mariadb),
                       "INSERT INTO books (title) VALUES (?) RETURNING id")
    }

    func testLiteralsEscapeBackslashesUnlessTheSessionSaysNot() throws {
        XCTAssertEqual(try Dialect.mysql.literal(.text(#"a\b'c"#)), #"'a\\b''c'"#)
        let noEscapes = Dialect.mysql(server: MySQLServer(.mysql, [8, 0, 36]), backslashEscapes: false)
        XCTAssertEqual(try noEscapes.literal(.text(#"a\b"#)), #"'a\b'"#)
        XCTAssertNotEqual(noEscapes, Dialect.mysql)
        XCTAssertEqual(try Dialect.mysql.literal(.bool(true)), "1")
        XCTAssertEqual(try Dialect.mysql.literal(.blob(Data([0xAB, 0x01]))), "X'AB01'")
        XCTAssertEqual(try Dialect.mysql.literal(.timestamp(Date(timeIntervalSince1970: 1.25))), "'1970-01-01 00:00:01.250000'")
        XCTAssertThrowsError(try Dialect.mysql.literal(.real(.infinity)))
    }

    func testCreateTableSpellsMySQLTypesAndOptions() throws {
        let m = MetaData()
        var updated = Column("updated_at", .datetime, nullable: false, serverDefault: "CURRENT_TIMESTAMP")
        updated.serverOnUpdate = .sql("CURRENT_TIMESTAMP")
        let t = Table("items", m,
            Column("id", .integer, primaryKey: true),
            Column("name", .string(50), nullable: false, comment: "it's the name"),
            Column("body", .text), Column("flag", .boolean, serverDefault: .value(true)),
            Column("price", .numeric(10, 2)), Column("at", .datetime(timezone: true)), Column("raw", .binary),
            Column("doc", .json), Column("token", .uuid), Column("kind", .enum("item_kind", ["a", "b's"])),
            updated, comment: "things")
        let ddl = try CreateTable(t).compile(for: .mysql).sql
        XCTAssertEqual(ddl, """
            CREATE TABLE items (
                id INTEGER AUTO_INCREMENT NOT NULL,
                name VARCHAR(50) NOT NULL COMMENT 'it''s the name',
                body LONGTEXT,
                flag TINYINT(1) DEFAULT 1,
                price DECIMAL(10, 2),
                at DATETIME(6),
                raw LONGBLOB,
                doc JSON,
                token CHAR(36),
                kind ENUM('a', 'b''s'),
                updated_at DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6) NOT NULL ON UPDATE CURRENT_TIMESTAMP(6),
                CONSTRAINT pk_items PRIMARY KEY (id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='things'
            """)
        XCTAssertTrue(try CreateTable(t).compile(for: .mariadb).sql.contains("token UUID,"))
        XCTAssertFalse(ddl.contains("CHECK"), "an inline ENUM needs no CHECK")
        XCTAssertThrowsError(try CreateTable(t).compile(for: .postgresql).sql, "no other database has ON UPDATE")
    }

    func testAStringWithoutLengthIsAnErrorNamingTheColumn() {
        let t = Table("notes", MetaData(), Column("id", .integer, primaryKey: true), Column("title", .string))
        XCTAssertThrowsError(try CreateTable(t).compile(for: .mysql)) { error in
            XCTAssertTrue("\(error)".contains("notes.title"), "\(error)")
            XCTAssertTrue("\(error)".contains("string(N)"), "\(error)")
        }
    }

    func testAlterDDLPerFlavour() throws {
        let ref = TableReference("books")
        XCTAssertEqual(try DropIndex("ix_books_title", table: ref).compile(for: .mysql).sql, "DROP INDEX ix_books_title ON books")
        XCTAssertEqual(try DropConstraint("fk_x", on: ref, kind: .foreignKey).compile(for: .mysql).sql,
                       "ALTER TABLE books DROP FOREIGN KEY fk_x")
        XCTAssertEqual(try DropConstraint("ck_x", on: ref, kind: .check).compile(for: .mysql).sql, "ALTER TABLE books DROP CHECK ck_x")
        XCTAssertEqual(try DropConstraint("ck_x", on: ref, kind: .check).compile(for: .mariadb).sql,
                       "ALTER TABLE books DROP CONSTRAINT ck_x")
        XCTAssertEqual(try DropConstraint("uq_x", on: ref, kind: .unique).compile(for: .mysql).sql, "ALTER TABLE books DROP INDEX uq_x")
        // Every primary key is PRIMARY to MySQL, which takes no other name for one (nor PRIMARY itself).
        XCTAssertEqual(try AddConstraint(ref, .primaryKey(PrimaryKeyConstraint("id", name: "PRIMARY"))).compile(for: .mysql).sql,
                       "ALTER TABLE books ADD PRIMARY KEY (id)")
        XCTAssertEqual(try MySQLReplacePrimaryKey(ref, columns: ["id", "isbn"]).compile(for: .mariadb).sql,
                       "ALTER TABLE books DROP PRIMARY KEY, ADD PRIMARY KEY (id, isbn)")
        XCTAssertThrowsError(try MySQLReplacePrimaryKey(ref, columns: ["id"]).compile(for: .postgresql))
        XCTAssertEqual(try MySQLDropForeignKey("fk_x", on: ref, index: .named).compile(for: .mysql).sql,
                       "ALTER TABLE books DROP FOREIGN KEY fk_x, DROP INDEX fk_x")
        XCTAssertEqual(try MySQLDropForeignKey("fk_x", on: ref, index: .ifExists).compile(for: .mariadb).sql,
                       "ALTER TABLE books DROP FOREIGN KEY fk_x, DROP INDEX IF EXISTS fk_x")
        XCTAssertThrowsError(try MySQLDropForeignKey("fk_x", on: ref, index: .ifExists).compile(for: .mysql), "MySQL has no IF EXISTS there")
        XCTAssertEqual(try MySQLDropForeignKey("fk_x", on: ref, index: .none).compile(for: .mysql).sql,
                       "ALTER TABLE books DROP FOREIGN KEY fk_x")
        XCTAssertEqual(try RenameColumn(ref, "a", to: "b").compile(for: .mariadb).sql,
                       "ALTER TABLE books RENAME COLUMN a TO b")
        XCTAssertThrowsError(try RenameColumn(ref, "a", to: "b").compile(for: Self.mariadb104).sql)
        XCTAssertEqual(try SetTableComment(ref, "x").compile(for: .mysql).sql, "ALTER TABLE books COMMENT = 'x'")
        var ix = Index("body", name: "ix_notes_body")
        ix.mysqlLength = ["body": 100]
        let notes = Table("notes", MetaData(), Column("id", .integer, primaryKey: true), Column("body", .text), ix)
        XCTAssertEqual(try CreateIndex(notes.indexes[0]).compile(for: .mysql).sql, "CREATE INDEX ix_notes_body ON notes (body(100))")
    }

    /// MySQL 8 indexes an expression in double parentheses; MariaDB has no such index,
    /// and says so before anything is sent rather than with the server's syntax error.
    func testAnIndexOverExpressionsOnMySQL8AndRefusedOnMariaDB() throws {
        let notes = Table("notes", MetaData(), Column("id", .integer, primaryKey: true), Column("name", .string(50)),
                          Index(expressions: [fn.lower(column("name"))], name: "ix_notes_lower_name"))
        XCTAssertEqual(try CreateIndex(notes.indexes[0]).compile(for: .mysql).sql,
                       "CREATE INDEX ix_notes_lower_name ON notes ((lower(name)))")
        let error = assertThrows(ProgrammingError.self) { try CreateIndex(notes.indexes[0]).compile(for: .mariadb) }
        XCTAssertEqual(error?.kind, .notSupported)
        XCTAssertTrue(error?.message.contains("an index over expressions (lower(name)) on MariaDB 10.11.0") == true,
                      error?.message ?? "")
    }
}

