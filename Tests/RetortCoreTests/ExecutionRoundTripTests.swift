import Foundation
import XCTest
@testable import RetortCore
import RetortTestSupport

/// Statements built with the expression language, executed on real databases.
final class ExecutionRoundTripTests: XCTestCase {
    /// A library schema in a fresh metadata (one per database).
    struct Schema {
        let metadata = MetaData()
        let authors: Table
        let books: Table
        let nodes: Table

        /// `partialIndexes: false` leaves out the partial index (MySQL has none).
        init(partialIndexes: Bool = true) {
            authors = Table("authors", metadata,
                            Column("id", .integer, primaryKey: true),
                            Column("name", .string(100), nullable: false),
                            Column("email", .string(255), unique: true),
                            Column("active", .boolean, serverDefault: .value(true)))
            books = Table("books", metadata,
                          Column("id", .integer, primaryKey: true),
                          Column("title", .string(200), nullable: false, index: true),
                          Column("author_id", .integer, foreignKey: "authors.id", onDelete: .cascade),
                          Column("pages", .integer),
                          Column("format", .enum("book_format", ["hardcover", "paperback", "ebook"]), serverDefault: "'paperback'"),
                          UniqueConstraint("title", "author_id"),
                          CheckConstraint(column("pages") > 0),
                          partialIndexes ? Index("pages", name: "ix_books_long", where: column("pages") > 500)
                                         : Index("pages", name: "ix_books_long"))
            nodes = Table("nodes", metadata,
                          Column("id", .integer, primaryKey: true),
                          Column("parent_id", .integer, foreignKey: "nodes.id"),
                          Column("label", .string(50)))
        }

        func seed(_ conn: Connection) throws {
            try conn.execute(authors.insert(), [["name": "Ursula", "email": "u@example.org"],
                                                ["name": "Octavia", "email": "o@example.org"],
                                                ["name": "Nobody", "email": nil]])
            let ids = try conn.scalars(select(authors.c.id).orderBy(authors.c.id), as: Int.self).all()
            try conn.execute(books.insert().values([
                ["title": "The Dispossessed", "author_id": ids[0], "pages": 387],
                ["title": "The Lathe of Heaven", "author_id": ids[0], "pages": 184],
                ["title": "Kindred", "author_id": ids[1], "pages": 264],
                ["title": "Parable of the Sower", "author_id": ids[1], "pages": 345],
                ["title": "50% Off", "author_id": ids[1], "pages": 1000],
            ]))
        }
    }

    func testCreateAllEnforcesEveryConstraintKindAndDropAll() throws {
        try forEachBackend { engine in
            let s = Schema(partialIndexes: engine.dialect.supportsPartialIndexes)
            try s.metadata.createAll(engine)
            try s.metadata.createAll(engine)  // checkFirst: a second call does nothing
            try engine.connect { conn in
                for t in s.metadata.tables { XCTAssertTrue(try MetaData.exists(t, on: conn), t.name) }
                try s.seed(conn)
                try conn.commit()

                let check = assertThrows(IntegrityError.self) {
                    try conn.execute(s.books.insert().values(["title": "Zero", "pages": 0]))
                }
                XCTAssertEqual(check?.kind, .check)
                try conn.rollback()
                let unique = assertThrows(IntegrityError.self) {
                    try conn.execute(s.authors.insert().values(["name": "Dup", "email": "u@example.org"]))
                }
                XCTAssertEqual(unique?.kind, .unique)
                try conn.rollback()
                let fk = assertThrows(IntegrityError.self) {
                    try conn.execute(s.books.insert().values(["title": "Orphan", "author_id": 9999, "pages": 1]))
                }
                XCTAssertEqual(fk?.kind, .foreignKey)
                try conn.rollback()
                let notNull = assertThrows(IntegrityError.self) { try conn.execute(s.authors.insert().values(["email": "x@y"])) }
                XCTAssertEqual(notNull?.kind, .notNull)
                try conn.rollback()
                let badEnum = assertThrows(DatabaseErrorBox.self) {
                    do { try conn.execute(s.books.insert().values(["title": "E", "pages": 1, "format": "scroll"])) } catch let e as DatabaseError {
                        throw DatabaseErrorBox(error: e)
                    }
                }
                XCTAssertNotNil(badEnum, "an enum value outside the list is refused")
                try conn.rollback()

                // Server defaults and ON DELETE CASCADE.
                XCTAssertEqual(try conn.scalar(select(s.books.c.format).where(s.books.c.title == "Kindred"), as: String.self), "paperback")
                XCTAssertEqual(try conn.scalar(select(s.authors.c.active).where(s.authors.c.name == "Ursula"), as: Bool.self), true)
                try conn.execute(s.authors.delete().where(s.authors.c.name == "Ursula"))
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(s.books), as: Int.self), 3)
                try conn.commit()
            }
            try s.metadata.dropAll(engine)
            try s.metadata.dropAll(engine)  // checkFirst: nothing left to drop
            try engine.connect { conn in
                for t in s.metadata.tables { XCTAssertFalse(try MetaData.exists(t, on: conn), t.name) }
            }
        }
    }

    func testForeignKeyCycle() throws {
        try forEachBackend { engine in
            let m = MetaData()
            _ = Table("departments", m, Column("id", .integer, primaryKey: true), Column("manager_id", .integer, foreignKey: "employees.id"))
            _ = Table("employees", m, Column("id", .integer, primaryKey: true), Column("department_id", .integer, foreignKey: "departments.id"))
            if engine.dialect.supportsAlterColumn {
                try m.createAll(engine)
                try engine.begin { conn in
                    try conn.execute(text("INSERT INTO departments (id) VALUES (1)"))
                    try conn.execute(text("INSERT INTO employees (id, department_id) VALUES (1, 1)"))
                    try conn.execute(m["departments"]!.update().values(["manager_id": 1]))
                }
                try m.dropAll(engine)
            } else {
                let e = assertThrows(ProgrammingError.self) { try m.createAll(engine) }
                XCTAssertEqual(e?.kind, .notSupported)
                XCTAssertTrue(e?.message.contains("departments → employees") ?? false)
                try engine.connect { conn in XCTAssertFalse(try MetaData.exists(m["departments"]!, on: conn)) }
            }
        }
    }

    func testQueriesReturnWhatTheySay() throws {
        try forEachBackend { engine in
            let s = Schema(partialIndexes: engine.dialect.supportsPartialIndexes)
            try s.metadata.createAll(engine)
            try engine.begin { conn in
                try s.seed(conn)
                let a = s.authors, b = s.books

                let byAuthor = try conn.execute(
                    select(a.c.name, fn.count(b.c.id).label("n"), fn.sum(b.c.pages).label("pages"))
                        .selectFrom(a.outerJoin(b)).groupBy(a.c.name).orderBy(a.c.name)).all()
                XCTAssertEqual(byAuthor.map { try? $0.get("name", as: String.self) }, ["Nobody", "Octavia", "Ursula"])
                XCTAssertEqual(byAuthor.map { try? $0.get("n", as: Int.self) }, [0, 3, 2])

                let prolific = try conn.scalars(
                    select(a.c.name).where(exists(select(b.c.id).where(b.c.author_id == a.c.id && b.c.pages > 300))).orderBy(a.c.name),
                    as: String.self).all()
                XCTAssertEqual(prolific, ["Octavia", "Ursula"])

                let counts = select(fn.count()).selectFrom(b).where(b.c.author_id == a.c.id).scalarSubquery()
                let withCounts = try conn.execute(select(a.c.name, counts.label("c")).orderBy(counts.desc(), a.c.name)).all()
                XCTAssertEqual(withCounts.map { try? $0.get("c", as: Int.self) }, [3, 2, 0])

                XCTAssertEqual(try conn.scalars(select(b.c.title).where(b.c.id.in([Int]())), as: String.self).all(), [])
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(b).where(b.c.id.notIn([Int]())), as: Int.self), 5)
                XCTAssertEqual(try conn.scalars(select(b.c.title).where(b.c.title.contains("50%")), as: String.self).all(), ["50% Off"])
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(b).where(b.c.title.contains("0%")), as: Int.self), 1)
                XCTAssertEqual(try conn.scalars(select(b.c.title).where(b.c.title.startsWith("the", caseInsensitive: true)).orderBy(b.c.title),
                                                as: String.self).all(), ["The Dispossessed", "The Lathe of Heaven"])
                XCTAssertEqual(try conn.scalars(select(a.c.name).where(a.c.name.ilike("%TAV%")), as: String.self).all(), ["Octavia"])

                let page = try conn.scalars(select(b.c.title).orderBy(b.c.pages.desc()).limit(2).offset(1), as: String.self).all()
                XCTAssertEqual(page, ["The Dispossessed", "Parable of the Sower"])
                XCTAssertEqual(try conn.scalars(select(b.c.title).orderBy(b.c.pages).offset(4), as: String.self).all(), ["50% Off"])

                let ranked = try conn.execute(
                    select(b.c.title, fn.rowNumber().over(partitionBy: [b.c.author_id], orderBy: [b.c.pages.desc()]).label("rn"))
                        .orderBy(b.c.title)).all()
                XCTAssertEqual(ranked.first.flatMap { try? $0.get("rn", as: Int.self) }, 1)

                let names = try conn.scalars(
                    select(a.c.name.label("n")).where(a.c.email != nil).union(select(b.c.title.label("n")).where(b.c.pages < 200))
                        .orderBy(column("n")), as: String.self).all()
                XCTAssertEqual(names, ["Octavia", "The Lathe of Heaven", "Ursula"])

                let kind = caseWhen(.when(b.c.pages > 500, then: "long"), .when(b.c.pages > 300, then: "medium"), else: "short")
                XCTAssertEqual(try conn.scalars(select(kind).orderBy(b.c.pages), as: String.self).all(),
                               ["short", "short", "medium", "medium", "long"])
                XCTAssertEqual(try conn.scalar(select(cast(fn.sum(b.c.pages), .string(20))), as: String.self), "2180")
                XCTAssertEqual(try conn.scalar(select(b.c.id).where(b.c.title == bindParameter("t")), ["t": "Kindred"], as: Int.self),
                               try conn.scalar(select(b.c.id).where(b.c.title == "Kindred"), as: Int.self))
            }
        }
    }

    func testRecursiveCTE() throws {
        try forEachBackend { engine in
            let s = Schema(partialIndexes: engine.dialect.supportsPartialIndexes)
            try s.metadata.createAll(engine)
            try engine.begin { conn in
                let n = s.nodes
                try conn.execute(n.insert().values([["id": 1, "parent_id": nil, "label": "root"], ["id": 2, "parent_id": 1, "label": "a"],
                                                    ["id": 3, "parent_id": 2, "label": "b"], ["id": 4, "parent_id": nil, "label": "other"]]))
                let tree = select(n.c.id, n.c.label).where(n.c.id == 1).cte("tree", recursive: true)
                let full = tree.unionAll(select(n.c.id, n.c.label).selectFrom(n.join(tree, on: n.c.parent_id == tree.c.id)))
                XCTAssertEqual(try conn.scalars(select(full.c.label).orderBy(full.c.id), as: String.self).all(), ["root", "a", "b"])
            }
        }
    }

    func testInsertReturningUpdateDeleteAndPrimaryKeys() throws {
        try forEachBackend { engine in
            let s = Schema(partialIndexes: engine.dialect.supportsPartialIndexes)
            try s.metadata.createAll(engine)
            try engine.begin { conn in
                let a = s.authors
                let id = try conn.scalar(a.insert().values(["name": "Ursula"]).returning(a.c.id), as: Int.self)
                let second = try conn.execute(a.insert().values(["name": "Octavia"]))
                if engine.dialect.name == "sqlite" { XCTAssertEqual(second.lastInsertRowID, Int64(id + 1)) }
                let ids = try conn.scalars(a.insert().values([["name": "A"], ["name": "B"]]).returning(a.c.id), as: Int.self).all()
                XCTAssertEqual(ids.count, 2)
                XCTAssertEqual(Set(ids).count, 2)

                let rename = a.update().values(["name": a.c.name + "!"]).where(a.c.id.in(ids))
                if engine.dialect.supportsUpdateReturning {
                    let renamed = try conn.scalars(rename.returning(a.c.name), as: String.self).all()
                    XCTAssertEqual(renamed.sorted(), ["A!", "B!"])
                } else {
                    // MariaDB: RETURNING on INSERT and DELETE only, refused on UPDATE before anything is sent.
                    let e = assertThrows(ProgrammingError.self) { try conn.execute(rename.returning(a.c.name)) }
                    XCTAssertEqual(e?.kind, .notSupported)
                    XCTAssertEqual(try conn.execute(rename).rowCount, 2)
                }
                let updated = try conn.execute(a.update().values(["email": "x"]).where(a.c.id == id))
                XCTAssertEqual(updated.rowCount, 1)
                let deleted = try conn.scalars(a.delete().where(a.c.name.like("%!")).returning(a.c.id), as: Int.self).all()
                XCTAssertEqual(Set(deleted), Set(ids))
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(a), as: Int.self), 2)

                // An explicit id still works with an autoincrement key (identity BY DEFAULT on PostgreSQL).
                try conn.execute(a.insert().values(["id": 1000, "name": "Explicit"]))
                XCTAssertEqual(try conn.scalar(select(a.c.name).where(a.c.id == 1000), as: String.self), "Explicit")
            }
        }
    }

    func testUpserts() throws {
        try forEachBackend { engine in
            let s = Schema(partialIndexes: engine.dialect.supportsPartialIndexes)
            try s.metadata.createAll(engine)
            try engine.begin { conn in
                let a = s.authors
                try conn.execute(a.insert().values(["name": "U", "email": "u@x"]))
                try conn.execute(a.insert().values(["name": "Ignored", "email": "u@x"]).onConflictDoNothing(.columns("email")))
                XCTAssertEqual(try conn.scalar(select(a.c.name).where(a.c.email == "u@x"), as: String.self), "U")
                try conn.execute(a.insert().values(["name": "Ursula", "email": "u@x"])
                    .onConflictDoUpdate(.columns("email"), set: ["name": excluded.name]))
                XCTAssertEqual(try conn.scalar(select(a.c.name).where(a.c.email == "u@x"), as: String.self), "Ursula")
                let conditional = a.insert().values(["name": "Nope", "email": "u@x"])
                    .onConflictDoUpdate(.columns("email"), set: ["name": excluded.name], where: a.c.name == "nobody")
                if engine.dialect.name == "mysql" {
                    // ON DUPLICATE KEY UPDATE takes no condition: refused before anything is sent.
                    XCTAssertEqual(assertThrows(ProgrammingError.self) { try conn.execute(conditional) }?.kind, .notSupported)
                } else {
                    try conn.execute(conditional)
                }
                XCTAssertEqual(try conn.scalar(select(a.c.name).where(a.c.email == "u@x"), as: String.self), "Ursula")
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(a), as: Int.self), 1)
            }
        }
    }

    func testExecutemanyWithoutValuesAppliesDefaultsPerRow() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("events", m,
                          Column("id", .integer, primaryKey: true),
                          Column("token", .uuid, nullable: false, default: .generate { UUID() }),
                          Column("day", .date),
                          Column("kind", .string(10), default: "note"))
            try m.createAll(engine)
            try engine.begin { conn in
                let day = Date(timeIntervalSince1970: 86_400 * 10)
                try conn.execute(t.insert(), [["day": day], ["day": day, "kind": "todo"], ["day": day]])
                try conn.execute(t.insert())
                let rows = try conn.execute(select(t.c.token, t.c.kind, t.c.day).orderBy(t.c.id)).all()
                XCTAssertEqual(rows.count, 4)
                XCTAssertEqual(Set(rows.map { try? $0.get("token", as: UUID.self) }).count, 4, "a fresh UUID per row")
                XCTAssertEqual(rows.map { try? $0.get("kind", as: String.self) }, ["note", "todo", "note", "note"])
                XCTAssertEqual(try rows[0].get("day", as: Date.self), day)
                XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t).where(t.c.day == day), as: Int.self), 3,
                               "a Date meets a date column as its day")
            }
        }
    }

    func testHostileIdentifiersRoundTrip() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("User Table", m,
                          Column("id", .integer, primaryKey: true),
                          Column("Name", .string(50), index: true),
                          Column("select", .integer),
                          Column("we\"ird", .text),
                          Column("order", .integer, unique: true))
            try m.createAll(engine)
            try engine.begin { conn in
                try conn.execute(t.insert().values(["Name": "n", "select": 1, "we\"ird": "w", "order": 2]))
                let row = try conn.execute(select(t).where(t.c["select"] == 1 && t.c["order"] > 1)).one()
                XCTAssertEqual(try row.get("we\"ird", as: String.self), "w")
                XCTAssertEqual(try row.get("Name", as: String.self), "n")
                try conn.execute(t.update().values(["order": 5]).where(t.c["we\"ird"] == "w"))
                XCTAssertEqual(try conn.scalar(select(t.c["order"]), as: Int.self), 5)
            }
            try m.dropAll(engine)
        }
    }

    /// Random hostile identifiers (quotes, spaces, reserved words, case, digits first)
    /// as table and column names: created, written, read, filtered, dropped.
    func testRandomHostileIdentifiersAsTableAndColumnNames() throws {
        // Not on MySQL: its names hold no character outside the BMP (😀) and none ends in a
        // space; MySQLDialectTests and MySQLLiveDialectTests cover its quoting.
        try forEachBackend(includeMySQL: false) { engine in
            var rng = SystemRandomNumberGenerator()
            let pieces = ["\"", "'", " ", "select", "Order", "group", "table", "--", ";", "é", "😀", "1", "x", "User", "a.b",
                          "(", ")", "\\", "%", "?", "$1", ":p"]
            func name(_ prefix: String) -> String {
                // Unique and within PostgreSQL's 63 bytes.
                prefix + (0..<Int.random(in: 1...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            }
            for round in 0..<25 {
                let m = MetaData()
                let tableName = name("t\(round)")
                let c1 = name("a"), c2 = name("b")
                let t = Table(tableName, m, Column("id", .integer, primaryKey: true), Column(c1, .string(40)), Column(c2, .integer))
                try m.createAll(engine)
                try engine.begin { conn in
                    try conn.execute(t.insert().values([c1: tableName, c2: round]))
                    try conn.execute(t.insert().values([c1: c2, c2: -1]))
                }
                try engine.connect { conn in
                    let row = try conn.execute(select(t.c[c1], t.c[c2]).where(t.c[c2] == round)).one()
                    XCTAssertEqual(try row.get(0, as: String.self), tableName, "\(engine.dialect.name) \(tableName)")
                    XCTAssertEqual(try row.get(c2, as: Int.self), round)
                    XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t).where(t.c[c1].in([c2, "x"])), as: Int.self), 1)
                }
                try m.dropAll(engine)
            }
        }
    }

    func testRandomStringsRoundTripAsValues() throws {
        try forEachBackend { engine in
            let m = MetaData()
            let t = Table("strings", m, Column("id", .integer, primaryKey: true), Column("s", .text))
            try m.createAll(engine)
            var rng = SystemRandomNumberGenerator()
            let pieces = ["'", "''", "\"", "--", ";", "\\", "%", "_", "😀", "é", "$1", "?", ":name", "/*", "*/", "\n", "\t", "DROP TABLE strings", " "]
            // PostgreSQL's text cannot hold NUL; SQLite's and MySQL's can.
            let acceptsNUL = engine.dialect.name != "postgresql"
            try engine.connect { conn in
                for i in 0..<1500 {
                    var s = (0..<Int.random(in: 0...8, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
                    if i % 100 == 0 { s += "\u{0}x" }
                    if s.contains("\u{0}") && !acceptsNUL {
                        XCTAssertThrowsError(try conn.execute(t.insert().values(["s": s])), "PostgreSQL text cannot hold NUL")
                        try conn.rollback()
                        continue
                    }
                    let id = try conn.scalar(t.insert().values(["s": s]).returning(t.c.id), as: Int.self)
                    XCTAssertEqual(try conn.scalar(select(t.c.s).where(t.c.id == id), as: String.self), s)
                    XCTAssertEqual(try conn.scalar(select(fn.count()).selectFrom(t).where(t.c.s == s && t.c.id == id), as: Int.self), 1)
                }
                try conn.commit()
                XCTAssertTrue(try MetaData.exists(t, on: conn))
            }
        }
    }
}

/// Wraps any database error so a test can expect "some database error".
struct DatabaseErrorBox: Error {
    let error: any DatabaseError
}
