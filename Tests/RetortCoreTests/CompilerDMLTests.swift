import Foundation
import XCTest
@testable import RetortCore

/// INSERT, UPDATE, DELETE and upserts.
final class CompilerDMLTests: XCTestCase {
    let a = Library.authors
    let b = Library.books

    // MARK: INSERT

    func testInsertOneRowInTableColumnOrder() {
        assertSQL(a.insert().values(["email": "u@example.org", "name": "Ursula"]),
                  sqlite: "INSERT INTO authors (name, email) VALUES (?, ?)", values: ["Ursula", "u@example.org"])
    }

    func testInsertNilIsNull() {
        assertSQL(insert(a).values(["name": "U", "email": nil]), sqlite: "INSERT INTO authors (name, email) VALUES (?, ?)",
                  values: ["U", .null])
    }

    func testInsertManyRows() {
        assertSQL(a.insert().values([["name": "U"], ["name": "O"], ["name": "N"]]),
                  sqlite: "INSERT INTO authors (name) VALUES (?), (?), (?)", values: ["U", "O", "N"])
    }

    func testInsertRaggedRowsIsAnError() {
        assertCompileError(a.insert().values([["name": "U", "email": "e"], ["name": "O"]]), .sqlite,
                           contains: ["row 2", "email", "same columns"])
    }

    func testInsertUnknownColumnIsAnError() {
        assertCompileError(a.insert().values(["nmae": "U"]), .sqlite, contains: ["nmae", "its columns are"])
    }

    func testInsertExpressionValue() {
        assertSQL(b.insert().values(["title": fn.upper(literal("x")), "pages": literal(3) * 2]),
                  sqlite: "INSERT INTO books (title, pages) VALUES (upper(?), ? * ?)", values: ["x", 3, 2])
    }

    func testInsertDefaultValues() {
        let m = MetaData()
        let t = Table("t", m, Column("id", .integer, primaryKey: true))
        assertSQL(t.insert().values([String: (any SQLExpressible)?]()), sqlite: "INSERT INTO t DEFAULT VALUES")
    }

    func testInsertReturning() {
        assertSQL(a.insert().values(["name": "U"]).returning(a.c.id, a.c.name),
                  sqlite: "INSERT INTO authors (name) VALUES (?) RETURNING id, name")
        assertSQL(a.insert().values(["name": "U"]).returning(a), sqlite:
                    "INSERT INTO authors (name) VALUES (?) RETURNING id, name, email, born, active")
    }

    func testInsertFromSelect() {
        let m = MetaData()
        let archive = Table("archive", m, Column("id", .integer, primaryKey: true), Column("name", .string(100)))
        assertSQL(archive.insert().fromSelect(["id", "name"], select(a.c.id, a.c.name).where(a.c.active == false)),
                  sqlite: "INSERT INTO archive (id, name) SELECT authors.id, authors.name FROM authors WHERE authors.active = ?",
                  values: [.bool(false)])
    }

    func testInsertBindsValuesWithColumnTypes() throws {
        let day = Date(timeIntervalSince1970: 86_400 * 365)
        let c = try a.insert().values(["name": "U", "born": day]).compile(for: .sqlite)
        XCTAssertEqual(c.bindings, [.value("U"), .value(.text("1971-01-01"))])
    }

    func testInsertClientDefaults() throws {
        let m = MetaData()
        let counter = Counter()
        let t = Table("events", m,
                      Column("id", .integer, primaryKey: true),
                      Column("kind", .string(20), default: "note"),
                      Column("seq", .integer, default: .generate { counter.next() }),
                      Column("body", .text))
        let one = try t.insert().values(["body": "x"]).compile(for: .sqlite)
        XCTAssertEqual(one.sql, "INSERT INTO events (kind, seq, body) VALUES (?, ?, ?)")
        XCTAssertEqual(one.bindings, [.value("note"), .value(1), .value("x")])
        let two = try t.insert().values(["body": "y"]).compile(for: .sqlite)
        XCTAssertEqual(two.bindings, [.value("note"), .value(2), .value("y")], "generators run at each execution")
        let given = try t.insert().values(["body": "z", "kind": "todo"]).compile(for: .sqlite)
        XCTAssertEqual(given.sql, "INSERT INTO events (kind, seq, body) VALUES (?, ?, ?)")
        XCTAssertEqual(given.bindings, [.value("todo"), .value(3), .value("z")])
    }

    func testInsertWithoutValuesUsesParameterNames() throws {
        let c = try a.insert().compile(for: .sqlite, parameterNames: ["name", "email"])
        XCTAssertEqual(c.sql, "INSERT INTO authors (name, email) VALUES (?, ?)")
        XCTAssertEqual(c.bindings, [.named("name"), .named("email")])
        let none = try a.insert().compile(for: .postgresql)
        XCTAssertEqual(none.sql, "INSERT INTO authors DEFAULT VALUES")
        XCTAssertThrowsError(try a.insert().compile(for: .sqlite, parameterNames: ["bogus"]))
    }

    func testPrepareParametersAddsDefaultsAndConvertsTypes() {
        let m = MetaData()
        let t = Table("t", m, Column("id", .integer, primaryKey: true), Column("d", .date), Column("k", .string, default: "z"))
        let day = Date(timeIntervalSince1970: 0)
        let p = t.insert().prepareParameters(["d": day], for: .sqlite)
        XCTAssertEqual(p["d"]??.sqlValue, .text("1970-01-01"))
        XCTAssertEqual(p["k"]??.sqlValue, .text("z"))
        XCTAssertEqual(p.names, ["d", "k"])
        XCTAssertEqual(try t.insert().compile(for: .sqlite).sql, "INSERT INTO t (k) VALUES (?)")
    }

    // MARK: Upsert

    func testOnConflictDoNothing() {
        assertSQL(a.insert().values(["email": "e"]).onConflictDoNothing(.columns("email")),
                  sqlite: "INSERT INTO authors (email) VALUES (?) ON CONFLICT (email) DO NOTHING")
        assertSQL(a.insert().values(["email": "e"]).onConflictDoNothing(),
                  sqlite: "INSERT INTO authors (email) VALUES (?) ON CONFLICT DO NOTHING")
    }

    func testOnConflictDoUpdateWithExcluded() {
        assertSQL(a.insert().values(["email": "e", "name": "n"]).onConflictDoUpdate(.columns("email"), set: ["name": excluded.name]),
                  sqlite: "INSERT INTO authors (name, email) VALUES (?, ?) ON CONFLICT (email) DO UPDATE SET name = excluded.name",
                  values: ["n", "e"])
    }

    func testOnConflictDoUpdateWithWhereAndValue() {
        assertSQL(a.insert().values(["email": "e", "name": "n"])
                    .onConflictDoUpdate(.columns("email"), set: ["name": excluded.name, "active": true], where: a.c.name != excluded.name),
                  sqlite: "INSERT INTO authors (name, email) VALUES (?, ?) ON CONFLICT (email) DO UPDATE SET name = excluded.name, "
                    + "active = ? WHERE authors.name != excluded.name", values: ["n", "e", .bool(true)])
    }

    func testOnConflictPartialIndexTarget() {
        assertSQL(a.insert().values(["email": "e"]).onConflictDoNothing(.columns(["email"], where: a.c.active == true)),
                  sqlite: "INSERT INTO authors (email) VALUES (?) ON CONFLICT (email) WHERE active = 1 DO NOTHING",
                  postgresql: "INSERT INTO authors (email) VALUES ($1) ON CONFLICT (email) WHERE active = true DO NOTHING",
                  values: ["e"])
    }

    func testOnConflictOnConstraint() throws {
        let q = a.insert().values(["email": "e"]).onConflictDoNothing(.constraint("uq_authors_email"))
        XCTAssertEqual(try q.compile(for: .postgresql).sql,
                       "INSERT INTO authors (email) VALUES ($1) ON CONFLICT ON CONSTRAINT uq_authors_email DO NOTHING")
        assertCompileError(q, .sqlite, contains: ["ON CONFLICT ON CONSTRAINT", "sqlite"])
    }

    func testInsertSelectOnConflictGetsWhereOnSQLite() {
        let m = MetaData()
        let copy = Table("copy", m, Column("id", .integer, primaryKey: true), Column("name", .string(100)))
        assertSQL(copy.insert().fromSelect(["id", "name"], select(a.c.id, a.c.name)).onConflictDoNothing(.columns("id")),
                  sqlite: "INSERT INTO copy (id, name) SELECT authors.id, authors.name FROM authors WHERE 1 ON CONFLICT (id) DO NOTHING",
                  postgresql: "INSERT INTO copy (id, name) SELECT authors.id, authors.name FROM authors ON CONFLICT (id) DO NOTHING")
    }

    func testUpsertWithReturning() {
        assertSQL(a.insert().values(["email": "e"]).onConflictDoUpdate(.columns("email"), set: ["email": excluded.email]).returning(a.c.id),
                  sqlite: "INSERT INTO authors (email) VALUES (?) ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id")
    }

    // MARK: UPDATE

    func testUpdate() {
        assertSQL(a.update().values(["name": "X"]).where(a.c.id == 1),
                  sqlite: "UPDATE authors SET name = ? WHERE authors.id = ?", values: ["X", 1])
    }

    func testUpdateManyColumnsInTableOrder() {
        assertSQL(a.update().values(["email": nil, "name": "X"]),
                  sqlite: "UPDATE authors SET name = ?, email = ?", values: ["X", .null])
    }

    func testUpdateWithExpression() {
        assertSQL(b.update().values(["pages": b.c.pages + 1]).where(b.c.id == 3),
                  sqlite: "UPDATE books SET pages = books.pages + ? WHERE books.id = ?", values: [1, 3])
    }

    func testUpdateTypedSet() {
        let pages = b.column("pages", as: Int.self)
        assertSQL(b.update().set(pages, 10), sqlite: "UPDATE books SET pages = ?", values: [10])
    }

    func testUpdateReturning() {
        assertSQL(b.update().values(["pages": 1]).returning(b.c.id, b.c.pages),
                  sqlite: "UPDATE books SET pages = ? RETURNING id, pages")
    }

    func testUpdateWithCorrelatedSubquery() {
        let count = select(fn.count()).selectFrom(b).where(b.c.author_id == a.c.id).scalarSubquery()
        assertSQL(a.update().values(["active": count > 0]),
                  sqlite: "UPDATE authors SET active = (SELECT count(*) FROM books WHERE books.author_id = authors.id) > ?")
    }

    func testUpdateFrom() {
        assertSQL(b.update().values(["title": a.c.name]).where(b.c.author_id == a.c.id),
                  sqlite: "UPDATE books SET title = authors.name FROM authors WHERE books.author_id = authors.id")
    }

    func testUpdateNothingIsAnError() {
        assertCompileError(a.update().where(a.c.id == 1), .sqlite, contains: ["at least one column"])
    }

    func testUpdateWithoutValuesUsesParameterNames() throws {
        let q = a.update().where(a.c.id == bindParameter("author_id"))
        let c = try q.compile(for: .postgresql, parameterNames: ["name", "author_id"])
        XCTAssertEqual(c.sql, "UPDATE authors SET name = $1 WHERE authors.id = $2")
        XCTAssertEqual(c.bindings, [.named("name"), .named("author_id")])
    }

    func testUpdateAlias() {
        let x = a.alias("x")
        assertSQL(x.update().values(["name": "n"]).where(x.c.id == 1), sqlite: "UPDATE authors AS x SET name = ? WHERE x.id = ?")
    }

    // MARK: DELETE

    func testDelete() {
        assertSQL(a.delete().where(a.c.id == 1), sqlite: "DELETE FROM authors WHERE authors.id = ?", values: [1])
        assertSQL(delete(a), sqlite: "DELETE FROM authors")
    }

    func testDeleteReturning() {
        assertSQL(a.delete().where(a.c.id.in([1, 2])).returning(a.c.name),
                  sqlite: "DELETE FROM authors WHERE authors.id IN (?) RETURNING name",
                  postgresql: "DELETE FROM authors WHERE authors.id = ANY($1) RETURNING name")
    }

    func testDeleteWithExists() {
        assertSQL(a.delete().where(!exists(select(b.c.id).where(b.c.author_id == a.c.id))),
                  sqlite: "DELETE FROM authors WHERE NOT EXISTS (SELECT books.id FROM books WHERE books.author_id = authors.id)")
    }

    func testDeleteUsingOtherTable() throws {
        let q = b.delete().where(b.c.author_id == a.c.id && a.c.active == false)
        XCTAssertEqual(try q.compile(for: .postgresql).sql,
                       "DELETE FROM books USING authors WHERE books.author_id = authors.id AND authors.active = $1")
        assertCompileError(q, .sqlite, contains: ["DELETE ... USING", "sqlite"])
    }
}

/// A thread-safe counter for default generators.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
