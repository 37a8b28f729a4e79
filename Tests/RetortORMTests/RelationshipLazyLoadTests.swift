import Foundation
import Retort
import RetortTestSupport
import XCTest

/// `lazy: .select` through the Session on a real database: each first access of an
/// unloaded relationship is one query (none for a many-to-one already in the identity
/// map), counted through the engine's events.
enum RelationshipLazyLoadChecks {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var statements: [String] = []
        func append(_ sql: String) { lock.withLock { statements.append(sql) } }
        var count: Int { lock.withLock { statements.count } }
        var last: String? { lock.withLock { statements.last } }
    }

    static func seed(_ engine: Engine, authors: Int) throws {
        try catalogue.createAll(engine)
        try engine.begin { conn in
            let a = CatAuthor.mapping.table, b = CatBook.mapping.table, t = CatTag.mapping.table
            for i in 1...authors {
                try conn.execute(a.insert(), ["id": i, "name": "author \(i)"])
                // Inserted in reverse title order, so orderBy has work to do.
                try conn.execute(b.insert(), ["id": 2 * i - 1, "title": "book \(i) b", "author_id": i])
                try conn.execute(b.insert(), ["id": 2 * i, "title": "book \(i) a", "author_id": i])
            }
            try conn.execute(b.insert(), ["id": 1000, "title": "anonymous"])
            try conn.execute(t.insert(), [["id": 1, "name": "sf"], ["id": 2, "name": "classic"]])
            try conn.execute(bookTags.insert(), [["book_id": 1, "tag_id": 1], ["book_id": 1, "tag_id": 2], ["book_id": 2, "tag_id": 1]])
            let c = Category.mapping.table
            try conn.execute(c.insert(), ["id": 1, "name": "root"])
            try conn.execute(c.insert(), [["id": 2, "name": "poetry", "parent_id": 1], ["id": 3, "name": "fiction", "parent_id": 1]])
        }
    }

    static func lazyLoading(_ engine: Engine) throws {
        let authorsCount = 50
        try seed(engine, authors: authorsCount)
        defer { try? catalogue.dropAll(engine) }
        let counter = Counter()
        let token = engine.events.beforeExecute { counter.append($0.sql) }
        defer { engine.events.remove(token) }
        let session = Session(engine)
        defer { session.close() }

        // 50 authors' books, lazily: 1 + 50 queries, and as CatBook.tags is declared
        // lazy: .selectin, each lazy load of books loads their tags too (one IN query).
        var before = counter.count
        let authors = try session.scalars(select(CatAuthor.self).orderBy { $0.id.asc() }).all()
        XCTAssertEqual(authors.count, authorsCount)
        XCTAssertFalse(try authors[0].isLoaded(\.books))
        let titles = authors.map { $0.books.map(\.title) }
        XCTAssertEqual(counter.count - before, 1 + authorsCount + authorsCount)
        XCTAssertTrue(try authors[0].books.allSatisfy { try $0.isLoaded(\.tags) })
        XCTAssertEqual(titles[0], ["book 1 a", "book 1 b"], "orderBy: [\"title\"]")
        XCTAssertTrue(try authors[0].isLoaded(\.books))

        // A second access reads what is loaded.
        before = counter.count
        _ = authors[0].books
        XCTAssertEqual(counter.count, before)

        // Many-to-one whose target is in the identity map: no query, the same object.
        let book = authors[0].books[0]
        before = counter.count
        XCTAssertTrue(book.author === authors[0])
        XCTAssertEqual(counter.count, before)

        // A NULL foreign key: nil, no query.
        let anonymous = try session.get(CatBook.self, 1000)!
        before = counter.count
        XCTAssertNil(anonymous.author)
        XCTAssertEqual(counter.count, before)

        // Many-to-one not yet in the identity map: one query.
        session.expunge(authors[1])
        let other = try session.get(CatBook.self, 3)!
        before = counter.count
        XCTAssertEqual(other.author?.name, "author 2")
        XCTAssertEqual(counter.count - before, 1)

        // Many-to-many through the secondary table: one query with the join (book 1's
        // tags were loaded with the books above, so they are forgotten first).
        let first = try session.get(CatBook.self, 1)!
        session.expire(first)
        before = counter.count
        XCTAssertEqual(first.tags.map(\.name).sorted(), ["classic", "sf"])
        XCTAssertEqual(counter.count - before, 1)
        XCTAssertTrue(counter.last?.contains("JOIN") ?? false, counter.last ?? "")

        // lazy: .raise is loaded explicitly.
        let sf = first.tags.first { $0.name == "sf" }!
        XCTAssertFalse(try sf.isLoaded(\.books))
        XCTAssertEqual(try sf.load(\.books).map(\.id).sorted { ($0 ?? 0) < ($1 ?? 0) }, [1, 2])

        // Self-referential, both ends.
        let root = try session.get(Category.self, 1)!
        XCTAssertEqual(root.children.map(\.name), ["fiction", "poetry"])
        XCTAssertTrue(root.children[0].parent === root)
        XCTAssertNil(root.parent)

        // Loading does not mirror onto the other side: both sides come from rows.
        XCTAssertFalse(try root.children[1].isLoaded(\.parent))

        // Expiring an instance (commit does it with expireOnCommit) unloads its
        // relationships: the next read queries again.
        XCTAssertTrue(try authors[0].isLoaded(\.books))
        session.expire(authors[0])
        XCTAssertFalse(try authors[0].isLoaded(\.books))
        before = counter.count
        XCTAssertEqual(authors[0].books.map(\.title), ["book 1 a", "book 1 b"])
        XCTAssertEqual(counter.count - before, 1, "its books again (the key it joins on needs no reload)")
        try session.commit()
        XCTAssertFalse(try root.isLoaded(\.children))

        // A detached object's unloaded relationship is a thrown error, not a crash.
        let unloaded = try session.get(CatBook.self, 4)!
        session.close()
        XCTAssertThrowsError(try unloaded.load(\.tags)) { error in
            XCTAssertTrue(error is RelationshipLoadError)
            XCTAssertTrue("\(error)".hasPrefix("CatBook.tags is not loaded and the CatBook is detached"), "\(error)")
        }
    }
}

final class RelationshipLazyLoadSQLiteTests: XCTestCase {
    func testLazyLoading() throws {
        let engine = try createEngine(temporarySQLiteURL("lazy"))
        defer { engine.dispose() }
        try RelationshipLazyLoadChecks.lazyLoading(engine)
    }
}

final class RelationshipLazyLoadPostgresTests: XCTestCase {
    func testLazyLoading() throws {
        let engine = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        try RelationshipLazyLoadChecks.lazyLoading(engine)
    }
}
