import Foundation
import Retort
import RetortTestSupport
import XCTest

/// Runs `body` against a fresh SQLite file and a fresh PostgreSQL database, each with the
/// loading tests' tables created.
func forEachLoadBackend(_ body: (Engine) throws -> Void) throws {
    let sqlite = try createEngine(temporarySQLiteURL("load"))
    defer { sqlite.dispose() }
    try ldTables.createAll(sqlite)
    try body(sqlite)
    let pg = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
    defer { pg.dispose() }
    try ldTables.createAll(pg)
    try body(pg)
}

/// Authors 1...n, each with two books inserted in reverse title order ("book i b" in
/// print and published 2000+i, "book i a" out of print and published 1990+i); author 1
/// has two more in-print books ("book 1 c" from 2050, "book 1 d" from 1950). Tags: book 1
/// is sf and classic, book 2 sf, book 3 poetry.
func seedCatalogue(_ engine: Engine, authors n: Int) throws {
    try engine.begin { conn in
        try conn.execute(LdAuthor.mapping.table.insert(), (1...n).map { ["id": $0, "name": "author \($0)"] as Parameters })
        var books: [Parameters] = []
        for i in 1...n {
            books.append(["id": 2 * i - 1, "title": "book \(i) b", "in_print": true, "published": 2000 + i, "author_id": i])
            books.append(["id": 2 * i, "title": "book \(i) a", "in_print": false, "published": 1990 + i, "author_id": i])
        }
        books.append(["id": 90001, "title": "book 1 c", "in_print": true, "published": 2050, "author_id": 1])
        books.append(["id": 90002, "title": "book 1 d", "in_print": true, "published": 1950, "author_id": 1])
        try conn.execute(LdBook.mapping.table.insert(), books)
        try conn.execute(LdTag.mapping.table.insert(), [["id": 1, "name": "sf"], ["id": 2, "name": "classic"], ["id": 3, "name": "poetry"]])
        try conn.execute(ldBookTags.insert(), [["book_id": 1, "tag_id": 1], ["book_id": 1, "tag_id": 2], ["book_id": 2, "tag_id": 1], ["book_id": 3, "tag_id": 3]])
    }
}

func titles(_ books: [LdBook]) -> [String] { books.map(\.title) }

/// Loading strategies and per-query loader options, counted through engine events.
final class RelationshipLoadingTests: XCTestCase {
    func testLazyLoadingIsOneQueryPerOwner() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 50)
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let authors = try session.scalars(select(LdAuthor.self).orderBy { $0.id }).all()
            XCTAssertFalse(try authors[0].isLoaded(\.books))
            let all = authors.map { titles($0.books) }
            XCTAssertEqual(log.sql.count, 51)
            XCTAssertEqual(all[1], ["book 2 a", "book 2 b"])
        }
    }

    func testSelectinLoadIsOneMoreQuery() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 50)
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let authors = try session.scalars(select(LdAuthor.self).options(.selectinLoad(\.books)).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql.count, 2)
            XCTAssertTrue(log.sql[1].hasPrefix("SELECT ld_books.id, ld_books.title, ld_books.in_print, ld_books.published, ld_books.author_id FROM ld_books WHERE ld_books.author_id "), log.sql[1])
            XCTAssertTrue(log.sql[1].hasSuffix(" ORDER BY ld_books.title ASC"), "the declared orderBy: \(log.sql[1])")
            XCTAssertEqual(authors.count, 50)
            XCTAssertTrue(try authors.allSatisfy { try $0.isLoaded(\.books) })
            XCTAssertEqual(titles(authors[0].books), ["book 1 a", "book 1 b", "book 1 c", "book 1 d"])
            XCTAssertEqual(titles(authors[49].books), ["book 50 a", "book 50 b"])
            // The many-to-one back is in the identity map: no query.
            XCTAssertTrue(authors[3].books[0].author === authors[3])
            XCTAssertEqual(log.sql.count, 2)
        }
    }

    func testSelectinLoadRunsOneQueryPer500Owners() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 1200)
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let authors = try session.scalars(select(LdAuthor.self).options(.selectinLoad(\.books))).all()
            XCTAssertEqual(authors.count, 1200)
            XCTAssertEqual(log.sql.count, 1 + 3)
            XCTAssertEqual(authors.reduce(0) { $0 + $1.books.count }, 2402)
            XCTAssertEqual(log.sql.count, 1 + 3)
            let last = authors.first { $0.id == 1200 }!
            XCTAssertEqual(titles(last.books), ["book 1200 a", "book 1200 b"])
        }
    }

    func testJoinedLoadIsOneQueryWithDistinctOwners() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 50)
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let authors = try session.scalars(select(LdAuthor.self).options(.joinedLoad(\.books)).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql.count, 1)
            XCTAssertTrue(log.sql[0].contains("FROM ld_authors LEFT OUTER JOIN ld_books AS ld_books_1 ON ld_authors.id = ld_books_1.author_id"), log.sql[0])
            XCTAssertTrue(log.sql[0].hasSuffix("ORDER BY ld_authors.id, ld_books_1.title ASC"), log.sql[0])
            XCTAssertEqual(authors.map(\.id), Array(1...50))
            XCTAssertEqual(titles(authors[0].books), ["book 1 a", "book 1 b", "book 1 c", "book 1 d"])
            XCTAssertEqual(titles(authors[7].books), ["book 8 a", "book 8 b"])
            XCTAssertEqual(log.sql.count, 1)

            // Many-to-one, and an author with no books (NULL columns of the outer join).
            try session.commit()
            try engine.begin { try $0.execute(LdAuthor.mapping.table.insert(), ["id": 51, "name": "no books"]) }
            log.reset()
            let lonely = try session.scalars(select(LdAuthor.self).where { $0.id == 51 }.options(.joinedLoad(\.books))).one()
            XCTAssertEqual(lonely.books.count, 0)
            XCTAssertTrue(try lonely.isLoaded(\.books))
            let books = try session.scalars(select(LdBook.self).where { $0.id <= 4 }.options(.joinedLoad(\.author)).orderBy { $0.id }).all()
            XCTAssertEqual(books.map { $0.author?.name }, ["author 1", "author 1", "author 2", "author 2"])
            XCTAssertTrue(books[0].author === authors[0])
            XCTAssertEqual(log.sql.count, 2)
        }
    }

    func testNestedLoadsAreOneQueryPerLevel() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 5)
            let log = StatementLog(engine)
            do {
                let session = Session(engine)
                defer { session.close() }
                let authors = try session.scalars(
                    select(LdAuthor.self).options(.selectinLoad(\.books).selectinLoad(\.tags)).orderBy { $0.id }).all()
                XCTAssertEqual(log.sql.count, 3)
                XCTAssertTrue(log.sql[2].contains("FROM ld_tags JOIN ld_book_tags ON ld_tags.id = ld_book_tags.tag_id WHERE ld_book_tags.book_id "), log.sql[2])
                let first = authors[0].books
                XCTAssertEqual(titles(first), ["book 1 a", "book 1 b", "book 1 c", "book 1 d"])
                XCTAssertEqual(first.map { $0.tags.map(\.name) }, [["sf"], ["classic", "sf"], [], []])
                XCTAssertEqual(authors[1].books.map { $0.tags.map(\.name) }, [[], ["poetry"]])
                XCTAssertEqual(log.sql.count, 3)
            }
            // All joined: one query, the many-to-many through two outer joins.
            log.reset()
            do {
                let session = Session(engine)
                defer { session.close() }
                let authors = try session.scalars(
                    select(LdAuthor.self).options(.joinedLoad(\.books).joinedLoad(\.tags)).orderBy { $0.id }).all()
                XCTAssertEqual(log.sql.count, 1)
                XCTAssertEqual(authors.count, 5)
                XCTAssertEqual(authors[0].books.map { $0.tags.map(\.name) }, [["sf"], ["classic", "sf"], [], []])
                XCTAssertEqual(authors[1].books.map { $0.tags.map(\.name) }, [[], ["poetry"]])
                XCTAssertEqual(log.sql.count, 1)
            }
            // Mixed: selectin books, their tags joined into the books' query.
            log.reset()
            do {
                let session = Session(engine)
                defer { session.close() }
                let authors = try session.scalars(
                    select(LdAuthor.self).options(.selectinLoad(\.books).joinedLoad(\.tags), .selectinLoad(\.books).selectinLoad(\.author))
                        .orderBy { $0.id }).all()
                XCTAssertEqual(log.sql.count, 2, "the authors of the books are all in the identity map")
                XCTAssertEqual(authors[0].books.map { $0.tags.map(\.name) }, [["sf"], ["classic", "sf"], [], []])
                XCTAssertTrue(authors[0].books[0].author === authors[0])
                XCTAssertEqual(log.sql.count, 2)
            }
        }
    }

    func testFilteredAndOrderedEagerLoads() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 3)
            let log = StatementLog(engine)
            do {
                let session = Session(engine)
                defer { session.close() }
                let authors = try session.scalars(select(LdAuthor.self).orderBy { $0.id }.options(
                    .selectinLoad(\.books, where: { $0.inPrint == true }, orderBy: { $0.published.desc() }))).all()
                XCTAssertEqual(log.sql.count, 2)
                XCTAssertTrue(log.sql[1].hasSuffix("ORDER BY ld_books.published DESC, ld_books.title ASC"), log.sql[1])
                XCTAssertEqual(titles(authors[0].books), ["book 1 c", "book 1 b", "book 1 d"])
                XCTAssertEqual(titles(authors[2].books), ["book 3 b"])
                XCTAssertTrue(try authors[0].isLoaded(\.books), "loaded, with the filtered subset")
            }
            log.reset()
            do {
                let session = Session(engine)
                defer { session.close() }
                let authors = try session.scalars(select(LdAuthor.self).orderBy { $0.id }.options(
                    .joinedLoad(\.books, where: { $0.inPrint == true }, orderBy: { [$0.published.desc(), $0.id] }))).all()
                XCTAssertEqual(log.sql.count, 1)
                XCTAssertTrue(log.sql[0].contains("ON ld_authors.id = ld_books_1.author_id AND ld_books_1.in_print = "), log.sql[0])
                XCTAssertEqual(authors.count, 3)
                XCTAssertEqual(titles(authors[0].books), ["book 1 c", "book 1 b", "book 1 d"])
                XCTAssertEqual(titles(authors[1].books), ["book 2 b"])
            }
        }
    }

    func testDeclaredSelectinAndJoinedStrategies() throws {
        try forEachLoadBackend { engine in
            try engine.begin { conn in
                try conn.execute(LdRoom.mapping.table.insert(), [["id": 1, "name": "hall"], ["id": 2, "name": "study"]])
                try conn.execute(LdShelf.mapping.table.insert(), [
                    ["id": 1, "name": "left", "room_id": 1], ["id": 2, "name": "right", "room_id": 1],
                    ["id": 3, "name": "desk", "room_id": 2], ["id": 4, "name": "loose", "room_id": nil],
                ])
                try conn.execute(LdItem.mapping.table.insert(), [
                    ["id": 1, "position": 2, "shelf_id": 1], ["id": 2, "position": 1, "shelf_id": 1], ["id": 3, "position": 1, "shelf_id": 3],
                ])
            }
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let shelves = try session.scalars(select(LdShelf.self).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql.count, 2, "the room joined in, the items with one IN query")
            XCTAssertTrue(log.sql[0].contains("LEFT OUTER JOIN ld_rooms AS ld_rooms_1"), log.sql[0])
            XCTAssertEqual(shelves.map { $0.room?.name }, ["hall", "hall", "study", nil])
            XCTAssertEqual(shelves.map { $0.items.map(\.position) }, [[1, 2], [], [1], []])
            XCTAssertTrue(shelves[0].room === shelves[1].room)
            XCTAssertEqual(log.sql.count, 2)

            // session.get loads the declared eager relationships of what it reads.
            session.expunge(shelves[2])
            log.reset()
            let desk = try session.get(LdShelf.self, 3)!
            XCTAssertFalse(desk === shelves[2])
            XCTAssertTrue(try desk.isLoaded(\.items))
            XCTAssertTrue(try desk.isLoaded(\.room))
            let before = log.sql.count
            XCTAssertEqual(desk.room?.name, "study")
            XCTAssertEqual(desk.items.map(\.id), [3])
            XCTAssertEqual(log.sql.count, before)
            XCTAssertLessThanOrEqual(before, 3)

            // An option overrides a declared strategy.
            let session2 = Session(engine)
            defer { session2.close() }
            log.reset()
            let lazy = try session2.scalars(select(LdShelf.self).options(.lazyLoad(\.items), .lazyLoad(\.room)).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql.count, 1)
            XCTAssertFalse(try lazy[0].isLoaded(\.items))
            XCTAssertFalse(try lazy[0].isLoaded(\.room))
            XCTAssertEqual(lazy[0].items.map(\.id), [2, 1])
            XCTAssertEqual(log.sql.count, 2)
            // Declared .raise on LdItem.shelf, overridden to lazy: the read loads it.
            let items = try session2.scalars(select(LdItem.self).options(.lazyLoad(\.shelf)).orderBy { $0.id }).all()
            XCTAssertTrue(items[0].shelf === lazy[0])
            // ...and to selectin.
            let session3 = Session(engine)
            defer { session3.close() }
            log.reset()
            let eager = try session3.scalars(select(LdItem.self).options(.selectinLoad(\.shelf)).orderBy { $0.id }).all()
            XCTAssertEqual(eager.map { $0.shelf?.name }, ["left", "left", "desk"])
            XCTAssertTrue(try eager[0].shelf!.isLoaded(\.items), "the shelves' own declared strategies apply")
        }
    }

    func testRaiseLoadLeavesTheRelationshipUnloaded() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 3)
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let authors = try session.scalars(select(LdAuthor.self).options(.raiseLoad(\.books)).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql.count, 1)
            XCTAssertFalse(try authors[0].isLoaded(\.books))
            XCTAssertEqual(log.sql.count, 1)
            // The throwing path still loads explicitly.
            XCTAssertEqual(titles(try authors[1].load(\.books)), ["book 2 a", "book 2 b"])
            XCTAssertEqual(log.sql.count, 2)
            // raiseLoad over a declared selectin strategy.
            let shelves = try session.scalars(select(LdShelf.self).options(.raiseLoad(\.items))).all()
            XCTAssertTrue(shelves.isEmpty)
            try session.commit()
            try engine.begin { try $0.execute(LdShelf.mapping.table.insert(), ["id": 9, "name": "bare"]) }
            log.reset()
            let bare = try session.scalars(select(LdShelf.self).options(.raiseLoad(\.items))).one()
            XCTAssertFalse(try bare.isLoaded(\.items))
            XCTAssertTrue(try bare.isLoaded(\.room), "the declared joined room still loads")
            XCTAssertEqual(log.sql.count, 1)
        }
    }

    func testContainsEagerFillsFromTheUsersJoin() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 3)
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let books = try session.scalars(
                select(LdBook.self).join(LdAuthor.mapping.table).where(LdAuthor.columns.name == "author 2")
                    .options(.containsEager(\.author)).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql.count, 1)
            XCTAssertTrue(log.sql[0].hasPrefix(
                "SELECT ld_books.id, ld_books.title, ld_books.in_print, ld_books.published, ld_books.author_id, ld_authors.id, ld_authors.name FROM ld_books JOIN ld_authors"), log.sql[0])
            XCTAssertEqual(titles(books), ["book 2 b", "book 2 a"])
            XCTAssertTrue(try books[0].isLoaded(\.author))
            XCTAssertEqual(books[0].author?.name, "author 2")
            XCTAssertTrue(books[0].author === books[1].author)
            XCTAssertEqual(log.sql.count, 1)

            // A collection, filtered by the join's condition: the owners once each.
            log.reset()
            let authors = try session.scalars(
                select(LdAuthor.self).join(LdBook.mapping.table).where(LdBook.columns.inPrint == true)
                    .options(.containsEager(\.books)).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql.count, 1)
            XCTAssertEqual(authors.map(\.id), [1, 2, 3])
            XCTAssertEqual(Set(titles(authors[0].books)), ["book 1 b", "book 1 c", "book 1 d"])

            // Through an alias.
            let session2 = Session(engine)
            defer { session2.close() }
            log.reset()
            let writer = LdAuthor.mapping.table.alias("writer")
            let aliased = try session2.scalars(
                select(LdBook.self).join(writer, on: writer.c.id == LdBook.columns.authorId).where(writer.c.name == "author 3")
                    .options(.containsEager(\.author, alias: writer)).orderBy { $0.id }).all()
            XCTAssertEqual(titles(aliased), ["book 3 b", "book 3 a"])
            XCTAssertEqual(aliased[1].author?.id, 3)
            XCTAssertEqual(log.sql.count, 1)
        }
    }

    func testManyToOneSelectinSkipsTargetsInTheIdentityMap() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 5)
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let known = try session.scalars(select(LdAuthor.self).where { $0.id <= 3 }.orderBy { $0.id }).all()
            log.reset()
            let books = try session.scalars(select(LdBook.self).where { $0.id <= 10 }.options(.selectinLoad(\.author)).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql.count, 2)
            if engine.dialect.name == "sqlite" {
                XCTAssertTrue(log.sql[1].hasSuffix("WHERE ld_authors.id IN (?, ?)"), "only authors 4 and 5: \(log.sql[1])")
            }
            XCTAssertTrue(books[0].author === known[0])
            XCTAssertTrue(books[5].author === known[2])
            XCTAssertEqual(books.map { $0.author?.id }, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
            XCTAssertEqual(log.sql.count, 2)
            // All of them known: no query at all.
            let everyone = try session.scalars(select(LdAuthor.self).orderBy { $0.id }).all()
            log.reset()
            let all = try session.scalars(select(LdBook.self).where { $0.id >= 90001 }.options(.selectinLoad(\.author))).all()
            XCTAssertEqual(log.sql.count, 1)
            XCTAssertTrue(all.allSatisfy { $0.author === known[0] })
            XCTAssertEqual(everyone.count, 5)
        }
    }

    func testJoinedCollectionWithLimitLimitsOwners() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 6)
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let page = try session.scalars(
                select(LdAuthor.self).options(.joinedLoad(\.books)).orderBy { $0.id.desc() }.limit(3).offset(1)).all()
            XCTAssertEqual(log.sql.count, 1)
            XCTAssertTrue(log.sql[0].contains("FROM (SELECT ld_authors.id, ld_authors.name, ld_authors.id AS _order_0 FROM ld_authors ORDER BY ld_authors.id DESC LIMIT"), log.sql[0])
            XCTAssertEqual(page.map(\.id), [5, 4, 3])
            XCTAssertEqual(page.map { $0.books.count }, [2, 2, 2])
            XCTAssertEqual(titles(page[0].books), ["book 5 a", "book 5 b"])
            // A to-one joined load does not multiply rows: no subquery.
            log.reset()
            let books = try session.scalars(select(LdBook.self).options(.joinedLoad(\.author)).orderBy { $0.id }.limit(3)).all()
            XCTAssertEqual(books.map(\.id), [1, 2, 3])
            XCTAssertFalse(log.sql[0].contains("FROM (SELECT"), log.sql[0])
            // containsEager cannot share the subquery.
            let e2 = assertThrows(ArgumentError.self) {
                try session.scalars(select(LdBook.self).join(LdAuthor.mapping.table)
                    .options(.containsEager(\.author), .joinedLoad(\.tags)).limit(2)).all()
            }
            XCTAssertTrue("\(e2.map { $0.message } ?? "")".contains("containsEager"))
        }
    }

    func testCompositeKeys() throws {
        try forEachLoadBackend { engine in
            try engine.begin { conn in
                try conn.execute(LdEdition.mapping.table.insert(), [
                    ["isbn": "111", "lang": "en", "title": "Kindred"], ["isbn": "111", "lang": "fr", "title": "Liens de sang"],
                    ["isbn": "222", "lang": "en", "title": "Dawn"],
                ])
                try conn.execute(LdPrinting.mapping.table.insert(), [
                    ["id": 1, "run": 2, "isbn": "111", "lang": "en"], ["id": 2, "run": 1, "isbn": "111", "lang": "en"],
                    ["id": 3, "run": 1, "isbn": "111", "lang": "fr"], ["id": 4, "run": 9, "isbn": nil, "lang": nil],
                ])
            }
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let editions = try session.scalars(select(LdEdition.self).options(.selectinLoad(\.printings)).orderBy { [$0.isbn, $0.lang] }).all()
            XCTAssertEqual(log.sql.count, 2)
            XCTAssertEqual(editions.map { $0.printings.map(\.id) }, [[2, 1], [3], []])
            let session2 = Session(engine)
            defer { session2.close() }
            log.reset()
            let printings = try session2.scalars(select(LdPrinting.self).options(.selectinLoad(\.edition)).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql.count, 2)
            XCTAssertEqual(printings.map { $0.edition?.title }, ["Kindred", "Kindred", "Liens de sang", nil])
            XCTAssertTrue(printings[0].edition === printings[1].edition)
            let session3 = Session(engine)
            defer { session3.close() }
            log.reset()
            let joined = try session3.scalars(select(LdEdition.self).options(.joinedLoad(\.printings)).orderBy { [$0.isbn, $0.lang] }).all()
            XCTAssertEqual(log.sql.count, 1)
            XCTAssertEqual(joined.map { $0.printings.map(\.run) }, [[1, 2], [1], []])
        }
    }

    func testSelfReferentialJoinedLoadUsesAliases() throws {
        try forEachLoadBackend { engine in
            try engine.begin { conn in
                try conn.execute(LdNode.mapping.table.insert(), ["id": 1, "name": "root"])
                try conn.execute(LdNode.mapping.table.insert(), [["id": 2, "name": "b", "parent_id": 1], ["id": 3, "name": "a", "parent_id": 1]])
                try conn.execute(LdNode.mapping.table.insert(), ["id": 4, "name": "a1", "parent_id": 3])
            }
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let roots = try session.scalars(
                select(LdNode.self).where { $0.parentId.isNull() }.options(.joinedLoad(\.children).joinedLoad(\.children))).all()
            XCTAssertEqual(log.sql.count, 1)
            XCTAssertEqual(roots.count, 1)
            XCTAssertEqual(roots[0].children.map(\.name), ["a", "b"])
            XCTAssertEqual(roots[0].children.map { $0.children.map(\.name) }, [["a1"], []])
            XCTAssertFalse(try roots[0].children[0].children[0].isLoaded(\.children))
            XCTAssertEqual(log.sql.count, 1)
            log.reset()
            let leaves = try session.scalars(select(LdNode.self).where { $0.id == 4 }.options(.selectinLoad(\.parent).selectinLoad(\.parent))).all()
            XCTAssertEqual(leaves[0].parent?.parent?.name, "root")
            XCTAssertEqual(log.sql.count, 1, "every parent is in the identity map already")
        }
    }

    func testLoadedRelationshipsAreNotReplaced() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 2)
            let session = Session(engine, autoflush: false)
            defer { session.close() }
            let first = try session.get(LdAuthor.self, 1)!
            let kept = first.books
            first.books = [kept[0]]   // not flushed
            let log = StatementLog(engine)
            let authors = try session.scalars(select(LdAuthor.self).options(.selectinLoad(\.books)).orderBy { $0.id }).all()
            XCTAssertTrue(authors[0] === first)
            XCTAssertEqual(titles(first.books), [kept[0].title], "the unflushed change is kept")
            XCTAssertEqual(titles(authors[1].books), ["book 2 a", "book 2 b"])
            XCTAssertTrue(log.sql[1].contains("WHERE ld_books.author_id "), log.sql[1])
            let joined = try session.scalars(select(LdAuthor.self).options(.joinedLoad(\.books)).orderBy { $0.id }).all()
            XCTAssertEqual(titles(joined[0].books), [kept[0].title])
        }
    }
}
