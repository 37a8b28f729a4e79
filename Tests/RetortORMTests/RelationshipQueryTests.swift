import Foundation
import Retort
import RetortTestSupport
import XCTest

// Queries across relationships: joins along relationships, tuples of models, aliases,
// and EXISTS over a relationship (has / any), compiled for both dialects and run on
// real SQLite and PostgreSQL.

let rqTables = MetaData()

/// The association table of RqBook.tags / RqTag.books.
let rqBookTags = Table(
    "rq_book_tags", rqTables,
    Column("book_id", .integer, primaryKey: true, foreignKey: "rq_books.id"),
    Column("tag_id", .integer, primaryKey: true, foreignKey: "rq_tags.id"))

/// The MetaData with every table registered.
var rqMetadata: MetaData {
    _ = rqBookTags
    return rqTables.including(RqAuthor.self, RqBook.self, RqTag.self, RqCategory.self)
}

@Model(table: "rq_authors", metadata: rqTables)
final class RqAuthor {
    var id: Int?
    @Column(.string(100)) var name: String
    @Relationship(backPopulates: "author", foreignKeys: ["author_id"]) var books: [RqBook]

    init(id: Int? = nil, name: String) {
        self.id = id
        self.name = name
    }
}

/// Two foreign keys to rq_authors: the relationships say which one each uses.
@Model(table: "rq_books", metadata: rqTables)
final class RqBook {
    var id: Int?
    @Column(.string(200)) var title: String
    @Column(foreignKey: "rq_authors.id") var authorId: Int?
    @Column(foreignKey: "rq_authors.id") var coAuthorId: Int?
    @Relationship(backPopulates: "books", foreignKeys: ["author_id"]) var author: RqAuthor?
    @Relationship(foreignKeys: ["co_author_id"]) var coAuthor: RqAuthor?
    @Relationship(secondary: "rq_book_tags", backPopulates: "books") var tags: [RqTag]

    /// Not a relationship: a computed property of a relationship's type.
    var leadAuthor: RqAuthor? { author }

    init(id: Int? = nil, title: String) {
        self.id = id
        self.title = title
    }
}

@Model(table: "rq_tags", metadata: rqTables)
final class RqTag {
    var id: Int?
    @Column(.string(50)) var name: String
    @Relationship(secondary: "rq_book_tags", backPopulates: "tags") var books: [RqBook]

    init(id: Int? = nil, name: String) {
        self.id = id
        self.name = name
    }
}

/// Self-referential: a tree.
@Model(table: "rq_categories", metadata: rqTables)
final class RqCategory {
    var id: Int?
    @Column(.string(50)) var name: String
    @Column(foreignKey: "rq_categories.id") var parentId: Int?
    @Relationship(backPopulates: "children") var parent: RqCategory?
    @Relationship(backPopulates: "parent") var children: [RqCategory]

    init(id: Int? = nil, name: String) {
        self.id = id
        self.name = name
    }
}

/// Runs `body` on a fresh SQLite file and a fresh PostgreSQL database, each with the
/// tables created and the catalogue below inserted.
///
/// Authors: 1 Ursula, 2 Octavia, 3 Iain (no books).
/// Books: 1 "Searoad" (Ursula), 2 "The Tombs of Atuan" (Ursula, co-author
/// Octavia), 3 "Kindred" (Octavia), 4 "Sea Tales" (no author).
/// Tags: 1 fantasy (books 1, 2), 2 sf (books 2, 3), 3 unused.
/// Categories: 1 root; 2 fiction, 3 poetry (under root); 4 sf (under fiction).
func forEachRqBackend(_ body: (Engine) throws -> Void) throws {
    func run(_ engine: Engine) throws {
        try rqMetadata.createAll(engine)
        try engine.begin { conn in
            try conn.execute(RqAuthor.mapping.table.insert(), [["id": 1, "name": "Ursula"], ["id": 2, "name": "Octavia"], ["id": 3, "name": "Iain"]])
            let books = RqBook.mapping.table
            try conn.execute(books.insert(), ["id": 1, "title": "Searoad", "author_id": 1])
            try conn.execute(books.insert(), ["id": 2, "title": "The Tombs of Atuan", "author_id": 1, "co_author_id": 2])
            try conn.execute(books.insert(), ["id": 3, "title": "Kindred", "author_id": 2])
            try conn.execute(books.insert(), ["id": 4, "title": "Sea Tales"])
            try conn.execute(RqTag.mapping.table.insert(), [["id": 1, "name": "fantasy"], ["id": 2, "name": "sf"], ["id": 3, "name": "unused"]])
            try conn.execute(rqBookTags.insert(), [
                ["book_id": 1, "tag_id": 1], ["book_id": 2, "tag_id": 1], ["book_id": 2, "tag_id": 2], ["book_id": 3, "tag_id": 2],
            ])
            let categories = RqCategory.mapping.table
            try conn.execute(categories.insert(), ["id": 1, "name": "root"])
            try conn.execute(categories.insert(), [["id": 2, "name": "fiction", "parent_id": 1], ["id": 3, "name": "poetry", "parent_id": 1]])
            try conn.execute(categories.insert(), ["id": 4, "name": "sf", "parent_id": 2])
        }
        try body(engine)
    }
    let sqlite = try createEngine(temporarySQLiteURL("rq"))
    defer { sqlite.dispose() }
    try run(sqlite)
    let pg = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
    defer { pg.dispose() }
    try run(pg)
}

/// The SQL of `query` for SQLite and for PostgreSQL.
private func sql<Q: ModelQuery>(_ query: Q) throws -> (sqlite: String, postgresql: String) {
    (try query.core.compile(for: .sqlite).sql, try query.core.compile(for: .postgresql).sql)
}

/// The SQLite spelling with PostgreSQL's numbered placeholders: `?` → `$1`, `$2`, ...
private func numbered(_ sql: String) -> String {
    var n = 0
    return sql.split(separator: "?", omittingEmptySubsequences: false).enumerated().map { i, part in
        if i == 0 { return String(part) }
        n += 1
        return "$\(n)" + part
    }.joined()
}

/// Asserts the SQL of `query` on both dialects (`expected` in SQLite's spelling).
private func assertSQL<Q: ModelQuery>(_ query: Q, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let (s, p) = try sql(query)
    XCTAssertEqual(s, expected, "sqlite", file: file, line: line)
    XCTAssertEqual(p, numbered(expected), "postgresql", file: file, line: line)
}

/// The message of the error compiling `query` throws.
private func compileError<Q: ModelQuery>(_ query: Q, file: StaticString = #filePath, line: UInt = #line) -> String {
    var messages: [String] = []
    for (name, dialect) in [("sqlite", Dialect.sqlite), ("postgresql", .postgresql)] {
        do {
            _ = try query.core.compile(for: dialect)
            XCTFail("expected \(name) compilation to fail", file: file, line: line)
        } catch let e as ArgumentError {
            messages.append(e.message)
        } catch {
            XCTFail("expected an ArgumentError, got \(error)", file: file, line: line)
        }
    }
    XCTAssertEqual(Set(messages).count, 1, "the same message for both dialects", file: file, line: line)
    return messages.last ?? ""
}

private let bookColumns = "rq_books.id, rq_books.title, rq_books.author_id, rq_books.co_author_id"
private let authorColumns = "rq_authors.id, rq_authors.name"

final class RelationshipQuerySQLTests: XCTestCase {
    func testJoinAlongRelationships() throws {
        // Many-to-one: the ON clause from Book.author's own foreign key (there are two
        // to rq_authors, so Core could not infer it).
        try assertSQL(
            select(RqBook.self).join(\.author).where(RqAuthor.columns.name == "Ursula"),
            "SELECT \(bookColumns) FROM rq_books JOIN rq_authors ON rq_authors.id = rq_books.author_id WHERE rq_authors.name = ?")
        try assertSQL(
            select(RqBook.self).join(\.coAuthor),
            "SELECT \(bookColumns) FROM rq_books JOIN rq_authors ON rq_authors.id = rq_books.co_author_id")
        // One-to-many, outer.
        try assertSQL(
            select(RqAuthor.self).outerJoin(\.books),
            "SELECT \(authorColumns) FROM rq_authors LEFT OUTER JOIN rq_books ON rq_authors.id = rq_books.author_id")
        // Many-to-many: through the secondary, both joins of the kind asked for.
        try assertSQL(
            select(RqBook.self).outerJoin(\.tags).where(RqTag.columns.name == "sf"),
            "SELECT \(bookColumns) FROM rq_books LEFT OUTER JOIN rq_book_tags ON rq_books.id = rq_book_tags.book_id "
                + "LEFT OUTER JOIN rq_tags ON rq_tags.id = rq_book_tags.tag_id WHERE rq_tags.name = ?")
        // From a joined model, with DISTINCT.
        try assertSQL(
            select(RqAuthor.self).join(\.books).join(\RqBook.tags).where(RqTag.columns.name == "sf").distinct(),
            "SELECT DISTINCT \(authorColumns) FROM rq_authors JOIN rq_books ON rq_authors.id = rq_books.author_id "
                + "JOIN rq_book_tags ON rq_books.id = rq_book_tags.book_id JOIN rq_tags ON rq_tags.id = rq_book_tags.tag_id "
                + "WHERE rq_tags.name = ?")
        // An explicit root that is the query's own model reads the same.
        XCTAssertEqual(try sql(select(RqBook.self).join(\RqBook.author)).sqlite, try sql(select(RqBook.self).join(\.author)).sqlite)
    }

    func testAliases() throws {
        let co = aliased(RqAuthor.self, name: "co")
        try assertSQL(
            select(RqBook.self).join(\.author).join(\.coAuthor, as: co)
                .where(RqAuthor.columns.name == "Ursula" && co.columns.name == "Octavia"),
            "SELECT \(bookColumns) FROM rq_books JOIN rq_authors ON rq_authors.id = rq_books.author_id "
                + "JOIN rq_authors AS co ON co.id = rq_books.co_author_id WHERE rq_authors.name = ? AND co.name = ?")
        // An explicit ON; an anonymous alias is numbered.
        let anon = aliased(RqAuthor.self)
        try assertSQL(
            select(RqBook.self).join(anon, on: RqBook.columns.coAuthorId == anon.columns.id).where(anon.columns.name == "Octavia"),
            "SELECT \(bookColumns) FROM rq_books JOIN rq_authors AS rq_authors_1 ON rq_books.co_author_id = rq_authors_1.id "
                + "WHERE rq_authors_1.name = ?")
        // Self-referential, and a join from an aliased owner.
        let parent = aliased(RqCategory.self, name: "parent")
        let grandparent = aliased(RqCategory.self, name: "grandparent")
        try assertSQL(
            select(RqCategory.self).join(\.parent, as: parent).outerJoin(\.parent, as: grandparent, from: parent)
                .where(grandparent.columns.name == "root"),
            "SELECT rq_categories.id, rq_categories.name, rq_categories.parent_id FROM rq_categories "
                + "JOIN rq_categories AS parent ON parent.id = rq_categories.parent_id "
                + "LEFT OUTER JOIN rq_categories AS grandparent ON grandparent.id = parent.parent_id WHERE grandparent.name = ?")
    }

    func testTupleSelect() throws {
        let q = select(RqBook.self, RqAuthor.self).join(\.author).where { _, author in author.name == "Ursula" }
            .orderBy { book, _ in book.title }
        try assertSQL(q,
            "SELECT \(bookColumns), \(authorColumns) FROM rq_books JOIN rq_authors ON rq_authors.id = rq_books.author_id "
                + "WHERE rq_authors.name = ? ORDER BY rq_books.title")
        let co = aliased(RqAuthor.self, name: "co")
        try assertSQL(
            select(RqBook.self, optional(co)).outerJoin(\.coAuthor, as: co),
            "SELECT \(bookColumns), co.id, co.name FROM rq_books LEFT OUTER JOIN rq_authors AS co ON co.id = rq_books.co_author_id")
        // An alias first: root-less key paths start from the alias.
        try assertSQL(
            select(co, RqBook.self).join(\.books).where { author, _ in author.name == "Octavia" },
            "SELECT co.id, co.name, \(bookColumns) FROM rq_authors AS co JOIN rq_books ON co.id = rq_books.author_id WHERE co.name = ?")
        // Three models; the join starts from the model that owns the relationship.
        try assertSQL(
            select(RqTag.self, RqBook.self, RqAuthor.self).join(\RqBook.author).join(\RqBook.tags).limit(5),
            "SELECT rq_tags.id, rq_tags.name, \(bookColumns), \(authorColumns) FROM rq_books "
                + "JOIN rq_authors ON rq_authors.id = rq_books.author_id JOIN rq_book_tags ON rq_books.id = rq_book_tags.book_id "
                + "JOIN rq_tags ON rq_tags.id = rq_book_tags.tag_id LIMIT ?")
    }

    func testHasAndAny() throws {
        try assertSQL(
            select(RqAuthor.self).where(RqAuthor.any(\.books) { $0.title.like("%Sea%") }),
            "SELECT \(authorColumns) FROM rq_authors WHERE EXISTS "
                + "(SELECT 1 FROM rq_books WHERE rq_authors.id = rq_books.author_id AND rq_books.title LIKE ?)")
        try assertSQL(
            select(RqBook.self).where(RqBook.has(\.author) { $0.name == "Ursula" }),
            "SELECT \(bookColumns) FROM rq_books WHERE EXISTS "
                + "(SELECT 1 FROM rq_authors WHERE rq_authors.id = rq_books.author_id AND rq_authors.name = ?)")
        try assertSQL(
            select(RqBook.self).where(!RqBook.has(\.author)),
            "SELECT \(bookColumns) FROM rq_books WHERE NOT EXISTS (SELECT 1 FROM rq_authors WHERE rq_authors.id = rq_books.author_id)")
        // Many-to-many, through the secondary.
        try assertSQL(
            select(RqBook.self).where(RqBook.any(\.tags) { $0.name == "sf" }),
            "SELECT \(bookColumns) FROM rq_books WHERE EXISTS (SELECT 1 FROM rq_book_tags, rq_tags "
                + "WHERE rq_books.id = rq_book_tags.book_id AND rq_tags.id = rq_book_tags.tag_id AND rq_tags.name = ?)")
        // Self-referential: the other row is an alias.
        try assertSQL(
            select(RqCategory.self).where(RqCategory.any(\.children)),
            "SELECT rq_categories.id, rq_categories.name, rq_categories.parent_id FROM rq_categories WHERE EXISTS "
                + "(SELECT 1 FROM rq_categories AS rq_categories_1 WHERE rq_categories.id = rq_categories_1.parent_id)")
        // The query also joins the target: the subquery still reads its own rows.
        try assertSQL(
            select(RqAuthor.self).join(\.books).where(RqBook.columns.title == "Kindred" && RqAuthor.any(\.books) { $0.title == "Sea Tales" }),
            "SELECT \(authorColumns) FROM rq_authors JOIN rq_books ON rq_authors.id = rq_books.author_id "
                + "WHERE rq_books.title = ? AND EXISTS (SELECT 1 FROM rq_books WHERE rq_authors.id = rq_books.author_id AND rq_books.title = ?)")
        // From an alias; the subquery's own rq_books hides the outer one.
        let co = aliased(RqAuthor.self, name: "co")
        try assertSQL(
            select(RqBook.self).join(\.coAuthor, as: co).where(co.any(\.books) { $0.title == "Kindred" }),
            "SELECT \(bookColumns) FROM rq_books JOIN rq_authors AS co ON co.id = rq_books.co_author_id "
                + "WHERE EXISTS (SELECT 1 FROM rq_books WHERE co.id = rq_books.author_id AND rq_books.title = ?)")
    }

    func testMistakesAreClearErrors() throws {
        // A key path to a property that is not a @Relationship.
        var message = compileError(select(RqBook.self).join(\.leadAuthor))
        XCTAssertTrue(message.contains("not a @Relationship property of RqBook"), message)
        XCTAssertTrue(message.contains("\\.author, \\.coAuthor, \\.tags"), message)
        let has = select(RqBook.self).where(RqBook.has(\.leadAuthor))
        message = compileError(has)
        XCTAssertTrue(message.contains("not a @Relationship property of RqBook"), message)

        // The relationship's owner is not in the query.
        message = compileError(select(RqAuthor.self).join(\RqBook.tags))
        XCTAssertTrue(message.hasPrefix("cannot join RqBook.tags: its owner rq_books is not in the query (which has rq_authors)"), message)
        let other = aliased(RqAuthor.self, name: "other")
        message = compileError(select(RqBook.self).join(\.books, from: other))
        XCTAssertTrue(message.hasPrefix("cannot join RqAuthor.books: its owner other is not in the query"), message)

        // The same table twice without an alias.
        message = compileError(select(RqBook.self).join(\.author).join(\.coAuthor))
        XCTAssertEqual(
            message,
            "cannot join RqBook.coAuthor: rq_authors is already in the query's FROM; join an alias: .join(\\.coAuthor, as: aliased(RqAuthor.self))")
        message = compileError(select(RqCategory.self).join(\.parent))
        XCTAssertTrue(message.hasPrefix("cannot join RqCategory.parent: rq_categories is already in the query's FROM"), message)
    }
}

/// The same constructs run on real databases.
final class RelationshipQueryDatabaseTests: XCTestCase {
    func testJoinsReturnTheRightObjects() throws {
        try forEachRqBackend { engine in
            let session = Session(engine)
            defer { session.close() }
            let hers = try session.scalars(
                select(RqBook.self).join(\.author).where(RqAuthor.columns.name == "Ursula").orderBy { $0.title }
            ).all()
            XCTAssertEqual(hers.map(\.title), ["Searoad", "The Tombs of Atuan"])

            // A to-many join repeats the owner; distinct() gives each once.
            let repeated = try session.scalars(select(RqAuthor.self).join(\.books).join(\RqBook.tags).orderBy { $0.id }).all()
            XCTAssertEqual(repeated.map(\.name), ["Ursula", "Ursula", "Ursula", "Octavia"])
            XCTAssertTrue(repeated[0] === repeated[1])
            let sf = try session.scalars(
                select(RqAuthor.self).join(\.books).join(\RqBook.tags).where(RqTag.columns.name == "sf").distinct().orderBy { $0.id }
            ).all()
            XCTAssertEqual(sf.map(\.name), ["Ursula", "Octavia"])

            // Outer join keeps the author without books.
            let all = try session.scalars(select(RqAuthor.self).outerJoin(\.books).where(RqBook.columns.id == nil)).all()
            XCTAssertEqual(all.map(\.name), ["Iain"])

            // Books co-written by Octavia with Ursula: the authors' table twice.
            let co = aliased(RqAuthor.self)
            let both = try session.scalars(
                select(RqBook.self).join(\.author).join(\.coAuthor, as: co)
                    .where(RqAuthor.columns.name == "Ursula" && co.columns.name == "Octavia")
            ).all()
            XCTAssertEqual(both.map(\.title), ["The Tombs of Atuan"])
        }
    }

    func testTuplesAreIdentityMapped() throws {
        try forEachRqBackend { engine in
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let rows = try session.execute(
                select(RqBook.self, RqAuthor.self).join(\.author).orderBy { book, _ in book.id }
            ).all()
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("SELECT") }.count, 1, "one SELECT for all the tuples: \(log.sql)")
            XCTAssertEqual(rows.map { "\($0.0.title) / \($0.1.name)" },
                           ["Searoad / Ursula", "The Tombs of Atuan / Ursula", "Kindred / Octavia"])
            XCTAssertTrue(rows[0].1 === rows[1].1, "one Ursula for both of her books")
            XCTAssertTrue(try session.get(RqAuthor.self, 1) === rows[0].1, "the identity map's instance")
            XCTAssertTrue(try session.get(RqBook.self, 3) === rows[2].0)

            // Three models, a condition on each one's columns.
            let triples = try session.execute(
                select(RqBook.self, RqAuthor.self, RqTag.self).join(\.author).join(\.tags)
                    .where { _, _, tag in tag.name == "sf" }.orderBy(RqBook.columns.id)
            ).all()
            XCTAssertEqual(triples.map { [$0.0.title, $0.1.name, $0.2.name] },
                           [["The Tombs of Atuan", "Ursula", "sf"], ["Kindred", "Octavia", "sf"]])
            XCTAssertTrue(triples[0].1 === rows[0].1)

            // first / one / oneOrNil.
            let q = select(RqBook.self, RqAuthor.self).join(\.author)
            let kindred = try session.execute(q.where(RqBook.columns.title == "Kindred")).one()
            XCTAssertEqual(kindred.1.name, "Octavia")
            XCTAssertNil(try session.execute(q.where(RqBook.columns.title == "nothing")).oneOrNil())
            XCTAssertThrowsError(try session.execute(q).one())
            XCTAssertEqual(try session.execute(q.orderBy(RqBook.columns.id.desc())).first()?.0.title, "Kindred")
        }
    }

    func testOuterJoinTuples() throws {
        try forEachRqBackend { engine in
            let session = Session(engine)
            defer { session.close() }
            // optional(...) reads the missing side as nil.
            let rows = try session.execute(
                select(RqAuthor.self, optional(RqBook.self)).outerJoin(\.books).orderBy(RqAuthor.columns.id, RqBook.columns.id)
            ).all()
            XCTAssertEqual(rows.map { "\($0.0.name): \($0.1?.title ?? "-")" },
                           ["Ursula: Searoad", "Ursula: The Tombs of Atuan", "Octavia: Kindred", "Iain: -"])
            // Without optional(...), the missing side is a clear error.
            let strict = select(RqAuthor.self, RqBook.self).outerJoin(\.books).where(RqAuthor.columns.name == "Iain")
            let error = assertThrows(InvalidRequestError.self) { try session.execute(strict).all() }
            XCTAssertEqual(
                error?.message,
                "a row has no RqBook in columns 3...6 (its primary key is NULL, as on the missing side of an outer join); "
                    + "select optional(RqBook.self) to read nil there")
        }
    }

    func testAliasedEntities() throws {
        try forEachRqBackend { engine in
            let session = Session(engine)
            defer { session.close() }
            let co = aliased(RqAuthor.self, name: "co")
            let rows = try session.execute(
                select(RqBook.self, RqAuthor.self, optional(co)).join(\.author).outerJoin(\.coAuthor, as: co)
                    .orderBy(RqBook.columns.id)
            ).all()
            XCTAssertEqual(rows.map { "\($0.0.title) by \($0.1.name) with \($0.2?.name ?? "-")" }, [
                "Searoad by Ursula with -", "The Tombs of Atuan by Ursula with Octavia", "Kindred by Octavia with -",
            ])
            // Octavia as co-author (through the alias) and as author is one object.
            XCTAssertTrue(rows[1].2 === rows[2].1)

            // A tree: each category with its parent.
            let parent = aliased(RqCategory.self, name: "parent")
            let pairs = try session.execute(
                select(RqCategory.self, parent).join(\.parent, as: parent).orderBy { child, _ in child.id }
            ).all()
            XCTAssertEqual(pairs.map { "\($0.1.name) > \($0.0.name)" }, ["root > fiction", "root > poetry", "fiction > sf"])
            XCTAssertTrue(pairs[0].1 === pairs[1].1)
            XCTAssertTrue(pairs[2].1 === pairs[0].0, "fiction as a parent is fiction as a child")

            // An alias first, then a model.
            let firstCo = try session.execute(select(co, RqBook.self).join(\RqBook.coAuthor, as: co)).one()
            XCTAssertEqual("\(firstCo.0.name) / \(firstCo.1.title)", "Octavia / The Tombs of Atuan")
        }
    }

    func testHasAndAny() throws {
        try forEachRqBackend { engine in
            let session = Session(engine)
            defer { session.close() }
            func authors(_ condition: SQLExpression<Bool>) throws -> [String] {
                try session.scalars(select(RqAuthor.self).where(condition).orderBy { $0.id }).all().map(\.name)
            }
            func books(_ condition: SQLExpression<Bool>) throws -> [String] {
                try session.scalars(select(RqBook.self).where(condition).orderBy { $0.id }).all().map(\.title)
            }
            XCTAssertEqual(try authors(RqAuthor.any(\.books)), ["Ursula", "Octavia"])
            XCTAssertEqual(try authors(!RqAuthor.any(\.books)), ["Iain"])
            XCTAssertEqual(try authors(RqAuthor.any(\.books) { $0.title.like("%Sea%") }), ["Ursula"])
            XCTAssertEqual(try authors(!RqAuthor.any(\.books) { $0.title.like("%Sea%") }), ["Octavia", "Iain"])

            XCTAssertEqual(try books(RqBook.has(\.author)), ["Searoad", "The Tombs of Atuan", "Kindred"])
            XCTAssertEqual(try books(!RqBook.has(\.author)), ["Sea Tales"])
            XCTAssertEqual(try books(RqBook.has(\.author) { $0.name == "Octavia" }), ["Kindred"])
            XCTAssertEqual(try books(RqBook.has(\.coAuthor) { $0.name == "Octavia" }), ["The Tombs of Atuan"])

            // Many-to-many.
            XCTAssertEqual(try books(RqBook.any(\.tags) { $0.name == "sf" }), ["The Tombs of Atuan", "Kindred"])
            XCTAssertEqual(try books(!RqBook.any(\.tags)), ["Sea Tales"])
            let tags = try session.scalars(select(RqTag.self).where(!RqTag.any(\.books)).orderBy { $0.id }).all()
            XCTAssertEqual(tags.map(\.name), ["unused"])

            // Nested: authors with a book tagged fantasy.
            XCTAssertEqual(try authors(RqAuthor.any(\.books) { _ in RqBook.any(\.tags) { $0.name == "fantasy" } }), ["Ursula"])

            // Self-referential.
            let leaves = try session.scalars(select(RqCategory.self).where(!RqCategory.any(\.children)).orderBy { $0.id }).all()
            XCTAssertEqual(leaves.map(\.name), ["poetry", "sf"])
            let underRoot = try session.scalars(
                select(RqCategory.self).where(RqCategory.has(\.parent) { $0.name == "root" }).orderBy { $0.id }).all()
            XCTAssertEqual(underRoot.map(\.name), ["fiction", "poetry"])
        }
    }

    func testMistakeFailsWhenExecuted() throws {
        try forEachRqBackend { engine in
            let session = Session(engine)
            defer { session.close() }
            let log = StatementLog(engine)
            let error = assertThrows(ArgumentError.self) {
                try session.scalars(select(RqAuthor.self).join(\RqBook.tags)).all()
            }
            XCTAssertTrue(error?.message.hasPrefix("cannot join RqBook.tags: its owner rq_books is not in the query") ?? false, "\(String(describing: error))")
            XCTAssertFalse(log.sql.contains { $0.hasPrefix("SELECT") }, "nothing reached the database: \(log.sql)")
        }
    }
}
