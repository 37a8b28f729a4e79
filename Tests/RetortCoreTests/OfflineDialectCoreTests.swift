import Foundation
import XCTest
@testable import RetortCore

/// Oracle and SQL Server, which Retort compiles for but does not connect to: no
/// engine, their naming and quoting rules, literals, and the constructs they refuse.
final class OfflineDialectCoreTests: XCTestCase {
    let a = Library.authors
    let b = Library.books

    func testConnectingIsRefusedInOneLine() {
        for (url, name) in [("oracle://scott:tiger@db:1521/ORCL", "oracle"), ("mssql://sa@db/app", "mssql")] {
            XCTAssertEqual(try DatabaseURL(url).backend, name)
            XCTAssertThrowsError(try createEngine(url)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("connecting to \(name) is not supported"), text)
                XCTAssertTrue(text.contains("--sql"), text)
                XCTAssertFalse(text.contains("\n"), text)
            }
        }
    }

    /// Oracle folds unquoted names to upper case: only a name that survives the fold is
    /// bare. SQL Server brackets what needs quoting.
    func testQuoting() {
        XCTAssertEqual(Dialect.oracle.quoteIdentifier("authors"), "authors")
        XCTAssertEqual(Dialect.oracle.quoteIdentifier("MyTable"), "\"MyTable\"")
        XCTAssertEqual(Dialect.oracle.quoteIdentifier("AUTHORS"), "\"AUTHORS\"")
        XCTAssertEqual(Dialect.oracle.quoteIdentifier("_x"), "\"_x\"")
        XCTAssertEqual(Dialect.oracle.quoteIdentifier("size"), "\"size\"")
        XCTAssertEqual(Dialect.oracle.quoteIdentifier("a\"b"), "\"a\"\"b\"")
        XCTAssertEqual(Dialect.mssql.quoteIdentifier("authors"), "authors")
        XCTAssertEqual(Dialect.mssql.quoteIdentifier("MyTable"), "[MyTable]")
        XCTAssertEqual(Dialect.mssql.quoteIdentifier("top"), "[top]")
        XCTAssertEqual(Dialect.mssql.quoteIdentifier("a]b"), "[a]]b]")
    }

    func testLiterals() throws {
        let when = Date(timeIntervalSince1970: 1_700_000_000.25)
        let u = UUID(uuidString: "0F8FAD5B-D9CB-469F-A165-70867728950E")!
        XCTAssertEqual(try Dialect.oracle.literal(.timestamp(when)), "TIMESTAMP '2023-11-14 22:13:20.250000'")
        XCTAssertEqual(try Dialect.oracle.literal(.blob(Data([1, 255]))), "HEXTORAW('01FF')")
        XCTAssertEqual(try Dialect.oracle.literal(.uuid(u)), "HEXTORAW('0F8FAD5BD9CB469FA16570867728950E')")
        XCTAssertEqual(try Dialect.oracle.literal(.bool(true)), "1")
        XCTAssertEqual(try Dialect.oracle.literal(.real(.infinity)), "BINARY_DOUBLE_INFINITY")
        XCTAssertEqual(try Dialect.mssql.literal(.text("O'Brien")), "N'O''Brien'")
        XCTAssertEqual(try Dialect.mssql.literal(.blob(Data([1, 255]))), "0x01FF")
        XCTAssertEqual(try Dialect.mssql.literal(.timestamp(when)), "CAST('2023-11-14 22:13:20.250000' AS DATETIME2)")
        XCTAssertEqual(try Dialect.mssql.literal(.bool(false)), "0")
        XCTAssertThrowsError(try Dialect.mssql.literal(.real(.nan)))
    }

    /// Parameters: `:1`, `:2` on Oracle (and IN lists renumbered), `?` on SQL Server;
    /// literal values inline in both.
    func testParametersAndInlining() throws {
        let q = select(a.c.name).where(a.c.id.in([1, 2]) && a.c.name == "x")
        let oracle = try q.compile(for: .oracle)
        XCTAssertEqual(oracle.sql, "SELECT authors.name FROM authors WHERE authors.id IN (:1) AND authors.name = :2")
        XCTAssertEqual(try oracle.resolve([:], for: .oracle).sql,
                       "SELECT authors.name FROM authors WHERE authors.id IN (:1, :2) AND authors.name = :3")
        XCTAssertEqual(try Dialect.oracle.literalSQL(oracle), "SELECT authors.name FROM authors WHERE authors.id IN (1, 2) AND authors.name = 'x'")
        let mssql = try q.compile(for: .mssql)
        XCTAssertEqual(mssql.sql, "SELECT authors.name FROM authors WHERE authors.id IN (?) AND authors.name = ?")
        XCTAssertEqual(try Dialect.mssql.literalSQL(mssql), "SELECT authors.name FROM authors WHERE authors.id IN (1, 2) AND authors.name = N'x'")
    }

    func testPaginationAndFunctions() throws {
        XCTAssertEqual(try select(a.c.name).limit(5).compile(for: .mssql).sql, "SELECT TOP (?) authors.name FROM authors")
        XCTAssertEqual(try select(a.c.name).distinct().limit(5).compile(for: .mssql).sql, "SELECT DISTINCT TOP (?) authors.name FROM authors")
        XCTAssertEqual(try select(a.c.name).orderBy(a.c.name).offset(5).compile(for: .mssql).sql,
                       "SELECT authors.name FROM authors ORDER BY authors.name OFFSET ? ROWS")
        XCTAssertEqual(try select(a.c.name).offset(5).limit(2).compile(for: .oracle).sql,
                       "SELECT authors.name FROM authors OFFSET :1 ROWS FETCH FIRST :2 ROWS ONLY")
        XCTAssertEqual(try select(fn.groupConcat(b.c.title, "|", orderBy: [b.c.title])).selectFrom(b).compile(for: .oracle).sql,
                       "SELECT LISTAGG(books.title, :1) WITHIN GROUP (ORDER BY books.title) FROM books")
        XCTAssertEqual(try select(fn.groupConcat(b.c.title, "|", orderBy: [b.c.title])).selectFrom(b).compile(for: .mssql).sql,
                       "SELECT string_agg(books.title, ?) WITHIN GROUP (ORDER BY books.title) FROM books")
        XCTAssertEqual(try select(fn.now()).compile(for: .oracle).sql, "SELECT SYSTIMESTAMP FROM DUAL")
        XCTAssertEqual(try select(fn.now()).compile(for: .mssql).sql, "SELECT SYSDATETIME()")
    }

    /// What a database cannot express is refused at compile time, naming the construct
    /// and the dialect.
    func testConstructsTheyCannotExpress() {
        assertCompileError(select(a.c.name).offset(5), .mssql, contains: ["OFFSET without ORDER BY", "mssql"])
        assertCompileError(select(a.c.name).forUpdate(), .mssql, contains: ["FOR UPDATE", "mssql"])
        assertCompileError(select(a.c.name).distinct(on: [a.c.name]), .oracle, contains: ["DISTINCT ON", "oracle"])
        // An upsert is a MERGE (OfflineMergeUpsertTests), which needs the conflict target's columns.
        assertCompileError(a.insert().values(["name": "x"]).onConflictDoNothing(), .oracle, contains: ["conflict target", "oracle", "MERGE"])
        assertCompileError(a.insert().values(["name": "x"]).onConflictDoNothing(), .mssql, contains: ["conflict target", "mssql", "MERGE"])
        XCTAssertThrowsError(try Dialect.oracle.typeCompiler.typeName(.time)) { XCTAssertTrue("\($0)".contains("oracle"), "\($0)") }
        XCTAssertThrowsError(try Dialect.oracle.typeCompiler.typeName(.string(nil)))
    }

    /// Foreign-key actions the database lacks are refused rather than sent.
    func testForeignKeyActions() throws {
        let restrict = ForeignKeyConstraint(["parent_id"], references: "parents", ["id"], name: "fk_c_p", onDelete: .restrict)
        let onUpdate = ForeignKeyConstraint(["parent_id"], references: "parents", ["id"], name: "fk_c_p", onUpdate: .cascade)
        let cascade = ForeignKeyConstraint(["parent_id"], references: "parents", ["id"], name: "fk_c_p", onDelete: .cascade)
        XCTAssertThrowsError(try Dialect.oracle.makeDDLCompiler().visitAddConstraint(AddConstraint(TableReference("c"), .foreignKey(onUpdate)))) {
            XCTAssertTrue("\($0)".contains("ON UPDATE CASCADE is not supported by the oracle dialect"), "\($0)")
        }
        XCTAssertThrowsError(try Dialect.oracle.makeDDLCompiler().visitAddConstraint(AddConstraint(TableReference("c"), .foreignKey(restrict))))
        XCTAssertThrowsError(try Dialect.mssql.makeDDLCompiler().visitAddConstraint(AddConstraint(TableReference("c"), .foreignKey(restrict)))) {
            XCTAssertTrue("\($0)".contains("ON DELETE RESTRICT is not supported by the mssql dialect"), "\($0)")
        }
        XCTAssertEqual(try Dialect.oracle.makeDDLCompiler().visitAddConstraint(AddConstraint(TableReference("c"), .foreignKey(cascade))),
                       "ALTER TABLE c ADD CONSTRAINT fk_c_p FOREIGN KEY (parent_id) REFERENCES parents (id) ON DELETE CASCADE")
    }

    /// Oracle 19c has no BOOLEAN: a NUMBER(1) that a named CHECK keeps to 0 and 1.
    func testOracleBooleansAreCheckedNumbers() throws {
        let t = Table("flags", MetaData(), Column("id", .integer, primaryKey: true), Column("on", .boolean, nullable: false))
        XCTAssertEqual(try Dialect.oracle.makeDDLCompiler().visitCreateTable(CreateTable(t)),
                       "CREATE TABLE flags (\n    id INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL,\n    \"on\" NUMBER(1) NOT NULL,\n"
                       + "    CONSTRAINT pk_flags PRIMARY KEY (id),\n    CONSTRAINT ck_flags_on CHECK (\"on\" IN (0, 1))\n)")
        XCTAssertEqual(try Dialect.mssql.makeDDLCompiler().visitCreateTable(CreateTable(t)),
                       "CREATE TABLE flags (\n    id INTEGER IDENTITY(1,1) NOT NULL,\n    [on] BIT NOT NULL,\n    CONSTRAINT pk_flags PRIMARY KEY (id)\n)")
    }

    /// The README's example, as printed there.
    func testReadmeExample() throws {
        let q = select(a.c.name).where(a.c.id.in([1, 2])).orderBy(a.c.name).limit(10)
        XCTAssertEqual(try q.compile(for: .oracle).sql,
                       "SELECT authors.name FROM authors WHERE authors.id IN (:1) ORDER BY authors.name FETCH FIRST :2 ROWS ONLY")
        XCTAssertEqual(try Dialect.mssql.literalSQL(q.compile(for: .mssql)),
                       "SELECT TOP (10) authors.name FROM authors WHERE authors.id IN (1, 2) ORDER BY authors.name")
    }

    /// Names longer than 128 bytes are refused with the name, its length and the limit.
    func testIdentifierLimit() throws {
        let long = String(repeating: "é", count: 65)  // 130 bytes, 65 characters
        let t = Table(long, MetaData(), Column("id", .integer))
        for d in [Dialect.oracle, .mssql] {
            XCTAssertThrowsError(try d.makeDDLCompiler().visitCreateTable(CreateTable(t))) { error in
                XCTAssertTrue("\(error)".contains("130 bytes") && "\(error)".contains("128"), "\(error)")
            }
            let ok = Table(String(repeating: "a", count: 128), MetaData(), Column("id", .integer))
            XCTAssertNoThrow(try d.makeDDLCompiler().visitCreateTable(CreateTable(ok)))
        }
    }
}
