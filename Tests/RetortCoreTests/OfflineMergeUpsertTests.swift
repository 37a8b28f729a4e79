import Foundation
import XCTest
@testable import RetortCore

/// Core's upsert (`insert(...).onConflict…`) on Oracle and SQL Server, which have no ON
/// CONFLICT: a MERGE whose ON condition is the conflict target's columns. The spelling
/// follows the databases' own documentation (Oracle's "MERGE" in the SQL Language
/// Reference; SQL Server's "MERGE (Transact-SQL)"): SQLAlchemy writes no MERGE for them.
final class OfflineMergeUpsertTests: XCTestCase {
    let a = Library.authors

    func testDoUpdateOneRow() throws {
        let q = a.insert().values(["email": "u@example.org", "name": "U"])
            .onConflictDoUpdate(.columns("email"), set: ["name": excluded.name])
        XCTAssertEqual(try q.compile(for: .oracle).sql,
                       "MERGE INTO authors USING (SELECT :1 AS name, :2 AS email FROM DUAL) excluded "
                       + "ON (authors.email = excluded.email) WHEN MATCHED THEN UPDATE SET name = excluded.name "
                       + "WHEN NOT MATCHED THEN INSERT (name, email) VALUES (excluded.name, excluded.email)")
        XCTAssertEqual(try q.compile(for: .mssql).sql,
                       "MERGE authors WITH (HOLDLOCK) USING (VALUES (?, ?)) AS excluded (name, email) "
                       + "ON authors.email = excluded.email WHEN MATCHED THEN UPDATE SET name = excluded.name "
                       + "WHEN NOT MATCHED THEN INSERT (name, email) VALUES (excluded.name, excluded.email);")
        XCTAssertEqual(try q.compile(for: .oracle).bindings, [.value(.text("U")), .value(.text("u@example.org"))])
    }

    /// DO NOTHING: no WHEN MATCHED branch; several rows: one SELECT FROM DUAL each
    /// (Oracle) or a multi-row VALUES (SQL Server), with the values in order.
    func testDoNothingManyRows() throws {
        let q = a.insert().values([["name": "U", "email": "u@x"], ["name": "O", "email": "o@x"]])
            .onConflictDoNothing(.columns("email"))
        XCTAssertEqual(try Dialect.oracle.literalSQL(q.compile(for: .oracle)),
                       "MERGE INTO authors USING (SELECT 'U' AS name, 'u@x' AS email FROM DUAL UNION ALL "
                       + "SELECT 'O', 'o@x' FROM DUAL) excluded ON (authors.email = excluded.email) "
                       + "WHEN NOT MATCHED THEN INSERT (name, email) VALUES (excluded.name, excluded.email)")
        XCTAssertEqual(try Dialect.mssql.literalSQL(q.compile(for: .mssql)),
                       "MERGE authors WITH (HOLDLOCK) USING (VALUES (N'U', N'u@x'), (N'O', N'o@x')) AS excluded (name, email) "
                       + "ON authors.email = excluded.email "
                       + "WHEN NOT MATCHED THEN INSERT (name, email) VALUES (excluded.name, excluded.email);")
    }

    /// A DO UPDATE's WHERE: after the SET list on Oracle, in the WHEN clause on SQL
    /// Server; values from the existing row are the table's columns.
    func testConditionAndExistingRow() throws {
        let q = a.insert().values(["id": 1, "name": "U"])
            .onConflictDoUpdate(.columns("id"), set: ["name": excluded.name, "active": true], where: a.c.active == false)
        XCTAssertEqual(try Dialect.oracle.literalSQL(q.compile(for: .oracle)),
                       "MERGE INTO authors USING (SELECT 1 AS id, 'U' AS name FROM DUAL) excluded ON (authors.id = excluded.id) "
                       + "WHEN MATCHED THEN UPDATE SET name = excluded.name, active = 1 WHERE authors.active = 0 "
                       + "WHEN NOT MATCHED THEN INSERT (id, name) VALUES (excluded.id, excluded.name)")
        XCTAssertEqual(try Dialect.mssql.literalSQL(q.compile(for: .mssql)),
                       "MERGE authors WITH (HOLDLOCK) USING (VALUES (1, N'U')) AS excluded (id, name) ON authors.id = excluded.id "
                       + "WHEN MATCHED AND authors.active = 0 THEN UPDATE SET name = excluded.name, active = 1 "
                       + "WHEN NOT MATCHED THEN INSERT (id, name) VALUES (excluded.id, excluded.name);")
        XCTAssertEqual(try Dialect.oracle23.literalSQL(q.compile(for: .oracle23)),
                       "MERGE INTO authors USING (SELECT 1 AS id, 'U' AS name FROM DUAL) excluded ON (authors.id = excluded.id) "
                       + "WHEN MATCHED THEN UPDATE SET name = excluded.name, active = TRUE WHERE authors.active = FALSE "
                       + "WHEN NOT MATCHED THEN INSERT (id, name) VALUES (excluded.id, excluded.name)")
    }

    /// RETURNING is SQL Server's OUTPUT after the WHEN clauses; Oracle's MERGE has none.
    func testReturning() throws {
        let q = a.insert().values(["email": "u@x", "name": "U"])
            .onConflictDoUpdate(.columns("email"), set: ["name": excluded.name]).returning(a.c.id)
        XCTAssertEqual(try q.compile(for: .mssql).sql,
                       "MERGE authors WITH (HOLDLOCK) USING (VALUES (?, ?)) AS excluded (name, email) "
                       + "ON authors.email = excluded.email WHEN MATCHED THEN UPDATE SET name = excluded.name "
                       + "WHEN NOT MATCHED THEN INSERT (name, email) VALUES (excluded.name, excluded.email) OUTPUT inserted.id;")
        assertCompileError(q, .oracle, contains: ["RETURNING from an upsert", "oracle"])
    }

    /// ON CONFLICT ON CONSTRAINT: the named constraint's columns are the ON condition.
    func testNamedConstraintTarget() throws {
        let q = a.insert().values(["email": "u@x", "name": "U"]).onConflictDoNothing(.constraint("uq_authors_email"))
        XCTAssertTrue(try q.compile(for: .oracle).sql.contains("ON (authors.email = excluded.email)"))
        XCTAssertTrue(try q.compile(for: .mssql).sql.contains("ON authors.email = excluded.email"))
        let pk = a.insert().values(["id": 3, "name": "U"]).onConflictDoNothing(.constraint("pk_authors"))
        XCTAssertTrue(try pk.compile(for: .mssql).sql.contains("ON authors.id = excluded.id"))
        assertCompileError(a.insert().values(["email": "u@x"]).onConflictDoNothing(.constraint("uq_nope")), .oracle,
                           contains: ["uq_nope", "does not declare"])
    }

    /// What a MERGE cannot say is refused at compile time, naming it and what to do.
    func testRefusals() {
        for d in [Dialect.oracle, .mssql] {
            assertCompileError(a.insert().values(["name": "x"]).onConflictDoNothing(), d,
                               contains: ["MERGE", "conflict target", d.name])
            assertCompileError(a.insert().values(["name": "x"]).onConflictDoNothing(.columns("email")), d,
                               contains: ["column 'email'", "inserts no value"])
            assertCompileError(a.insert().fromSelect(["name"], select(a.c.name)).onConflictDoNothing(.columns("name")), d,
                               contains: ["SELECT's rows", d.name])
        }
        // Oracle's MERGE cannot set a column its ON condition reads (ORA-38104).
        assertCompileError(a.insert().values(["email": "u@x"]).onConflictDoUpdate(.columns("email"), set: ["email": "v@x"]),
                           .oracle, contains: ["conflict column 'email'", "oracle"])
        XCTAssertNoThrow(try a.insert().values(["email": "u@x"]).onConflictDoUpdate(.columns("email"), set: ["email": "v@x"])
            .compile(for: .mssql))
    }

    /// A plain INSERT is unchanged; the compiled-statement cache gives each execution
    /// its own values (the MERGE's template is reused with new binds).
    func testCachedTemplateTakesNewValues() throws {
        func q(_ name: String) -> Insert {
            a.insert().values(["email": "\(name)@x", "name": name]).onConflictDoUpdate(.columns("email"), set: ["name": excluded.name])
        }
        for d in [Dialect.oracle, .mssql] {
            let first = try d.literalSQL(q("ann").compile(for: d))
            let second = try d.literalSQL(q("bob").compile(for: d))
            XCTAssertTrue(first.contains("ann@x") && !first.contains("bob"), first)
            XCTAssertTrue(second.contains("bob@x") && !second.contains("ann"), second)
            XCTAssertEqual(try a.insert().values(["name": "x"]).compile(for: d).sql.hasPrefix("INSERT INTO authors (name) VALUES ("), true)
        }
    }
}

/// Oracle 23ai: BOOLEAN columns and TRUE / FALSE, chosen by `Dialect.oracle23` or a
/// URL's `version=23`; 19c keeps NUMBER(1) with a CHECK.
final class Oracle23DialectTests: XCTestCase {
    let t = Table("flags", MetaData(), Column("id", .integer, primaryKey: true),
                  Column("on", .boolean, nullable: false, serverDefault: .sql("true")))

    func testBooleanIsNative() throws {
        XCTAssertEqual(try Dialect.oracle23.makeDDLCompiler().visitCreateTable(CreateTable(t)),
                       "CREATE TABLE flags (\n    id INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL,\n"
                       + "    \"on\" BOOLEAN DEFAULT true NOT NULL,\n    CONSTRAINT pk_flags PRIMARY KEY (id)\n)")
        XCTAssertEqual(try Dialect.oracle.makeDDLCompiler().visitCreateTable(CreateTable(t)),
                       "CREATE TABLE flags (\n    id INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL,\n"
                       + "    \"on\" NUMBER(1) DEFAULT 1 NOT NULL,\n    CONSTRAINT pk_flags PRIMARY KEY (id),\n"
                       + "    CONSTRAINT ck_flags_on CHECK (\"on\" IN (0, 1))\n)")
        XCTAssertEqual(try Dialect.oracle23.makeDDLCompiler().visitAddColumn(
            AddColumn(TableReference("flags"), Column("off", .boolean))), "ALTER TABLE flags ADD off BOOLEAN")
        XCTAssertEqual(try Dialect.oracle23.typeCompiler.typeName(.boolean), "BOOLEAN")
        XCTAssertEqual(try Dialect.oracle23.literal(.bool(true)), "TRUE")
        XCTAssertEqual(try Dialect.oracle.literal(.bool(true)), "1")
    }

    /// The two releases compile the same statement differently, and the statement
    /// cache keeps them apart.
    func testCacheKeepsReleasesApart() throws {
        let q = select(t.c.id).where(t.c["on"] == true)
        for _ in 0..<2 {
            XCTAssertEqual(try Dialect.oracle.literalSQL(q.compile(for: .oracle)), "SELECT flags.id FROM flags WHERE flags.\"on\" = 1")
            XCTAssertEqual(try Dialect.oracle23.literalSQL(q.compile(for: .oracle23)),
                           "SELECT flags.id FROM flags WHERE flags.\"on\" = TRUE")
        }
    }

    func testURLChoosesTheRelease() throws {
        XCTAssertEqual(try Dialect.forURL(DatabaseURL("oracle://scott@db/ORCL?version=23"))?.typeCompiler.typeName(.boolean), "BOOLEAN")
        XCTAssertEqual(try Dialect.forURL(DatabaseURL("oracle://scott@db/ORCL?version=23ai"))?.typeCompiler.typeName(.boolean), "BOOLEAN")
        XCTAssertEqual(try Dialect.forURL(DatabaseURL("oracle://scott@db/ORCL"))?.typeCompiler.typeName(.boolean), "NUMBER(1)")
        XCTAssertEqual(try Dialect.forURL(DatabaseURL("oracle://scott@db/ORCL?version=19"))?.typeCompiler.typeName(.boolean), "NUMBER(1)")
        XCTAssertThrowsError(try Dialect.forURL(DatabaseURL("oracle://db/ORCL?version=12"))) {
            XCTAssertTrue("\($0)".contains("19c and later"), "\($0)")
        }
        XCTAssertThrowsError(try Dialect.forURL(DatabaseURL("oracle://db/ORCL?version=latest"))) {
            XCTAssertTrue("\($0)".contains("version=latest"), "\($0)")
        }
    }
}

/// Oracle before 23ai and SQL Server keep booleans in numbers, so a boolean value where
/// SQL wants a condition is compared with 1 (NOT with 0), everywhere a condition goes.
final class NumericBooleanConditionTests: XCTestCase {
    let a = Library.authors
    let b = Library.books

    func testEveryConditionPlace() throws {
        let active = a.c.active
        let cases: [(any Executable, String)] = [
            (select(a.c.id).where(active), "SELECT authors.id FROM authors WHERE authors.active = 1"),
            (select(a.c.id).where(!active), "SELECT authors.id FROM authors WHERE authors.active = 0"),
            (select(a.c.id).where(active || a.c.id == 1), "SELECT authors.id FROM authors WHERE authors.active = 1 OR authors.id = 1"),
            (select(a.c.id).where(!(active && a.c.id > 1)),
             "SELECT authors.id FROM authors WHERE NOT (authors.active = 1 AND authors.id > 1)"),
            (select(a.c.id).groupBy(a.c.id).having(fn.max(active)), "SELECT authors.id FROM authors GROUP BY authors.id HAVING max(authors.active) = 1"),
            (select(b.c.id).selectFrom(b.join(a, on: b.c.author_id == a.c.id && active)),
             "SELECT books.id FROM books JOIN authors ON books.author_id = authors.id AND authors.active = 1"),
            (a.update().where(active).values(["name": "x"]), "UPDATE authors SET name = 'x' WHERE authors.active = 1"),
            (a.delete().where(!active), "DELETE FROM authors WHERE authors.active = 0"),
        ]
        for (statement, expected) in cases {
            XCTAssertEqual(try Dialect.oracle.literalSQL(statement.compile(for: .oracle)), expected)
            let mssql = try Dialect.mssql.literalSQL(statement.compile(for: .mssql))
            XCTAssertEqual(mssql.replacingOccurrences(of: "N'x'", with: "'x'"), expected)
        }
        // A boolean value that is not a condition stays a value; 23ai, PostgreSQL and
        // SQLite take the boolean as it is.
        XCTAssertEqual(try select(active).compile(for: .mssql).sql, "SELECT authors.active FROM authors")
        XCTAssertEqual(try Dialect.mssql.literalSQL(select(caseWhen(value: active, .when(true, then: "yes")).label("x")).compile(for: .mssql)),
                       "SELECT CASE authors.active WHEN 1 THEN N'yes' END AS x FROM authors")
        XCTAssertEqual(try Dialect.mssql.literalSQL(select(caseWhen(.when(active, then: "yes")).label("x")).compile(for: .mssql)),
                       "SELECT CASE WHEN authors.active = 1 THEN N'yes' END AS x FROM authors")
        XCTAssertEqual(try select(a.c.id).where(active).compile(for: .oracle23).sql, "SELECT authors.id FROM authors WHERE authors.active")
        XCTAssertEqual(try select(a.c.id).where(!active).compile(for: .oracle23).sql, "SELECT authors.id FROM authors WHERE NOT authors.active")
        XCTAssertEqual(try select(a.c.id).where(active).compile(for: .postgresql).sql, "SELECT authors.id FROM authors WHERE authors.active")
    }
}

