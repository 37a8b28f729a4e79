import Foundation
import Retort
import RetortTestSupport
import XCTest

/// The README's "Writing relationships" example, run as written on SQLite and
/// PostgreSQL, with the README's models (in a namespace: this target has its own
/// `Author` and `Book`).
enum ReadmeRelationships {
    static let bookTags = Table("book_tags", ModelRegistry.metadata,
        Column("book_id", .integer, primaryKey: true, foreignKey: "books.id", onDelete: .cascade),
        Column("tag_id", .integer, primaryKey: true, foreignKey: "tags.id", onDelete: .cascade))

    @Model(table: "authors")
    final class Author {
        var id: Int?
        var name: String
        @Relationship(backPopulates: "author", orderBy: ["title"], cascade: .all) var books: [Book]     // one-to-many
        init(name: String) { self.name = name }
    }

    @Model(table: "books")
    final class Book {
        var id: Int?
        var title: String
        @Column(foreignKey: "authors.id") var authorId: Int?
        @Relationship(backPopulates: "books") var author: Author?                        // many-to-one
        @Relationship(secondary: "book_tags", backPopulates: "books") var tags: [Tag]    // many-to-many
        init(title: String) { self.title = title }
    }

    @Model(table: "tags")
    final class Tag {
        var id: Int?
        var name: String
        @Relationship(secondary: "book_tags", backPopulates: "tags") var books: [Book]
        init(name: String) { self.name = name }
    }

    static func example(_ engine: Engine, _ log: StatementLog) throws {
        _ = bookTags
        try ModelRegistry.metadata.including(Author.self, Book.self, Tag.self).createAll(engine)
        log.reset()

        // The README's code, as written:
        try Session(engine).run { session in
            let ursula = Author(name: "Ursula")
            let book = Book(title: "The Dispossessed")
            book.author = ursula                       // or: ursula.books.append(book)
            book.tags = [Tag(name: "sf"), Tag(name: "utopia")]
            try session.add(book)                      // ursula and the tags come along (save-update)
        }
        // INSERT INTO authors (name) VALUES (?)
        // INSERT INTO books (title, author_id) VALUES (?, ?)      -- author_id from ursula.id
        // INSERT INTO tags (name) VALUES (?)                      -- one statement, stepped twice
        // INSERT INTO book_tags (book_id, tag_id) VALUES (?, ?)   -- stepped twice
        let r = returningKey(engine)
        XCTAssertEqual(log.calls.map { "\($0.0) ×\($0.1)" }, [
            "INSERT INTO authors (name) VALUES (?)\(r) ×1",
            "INSERT INTO books (title, author_id) VALUES (?, ?)\(r) ×1",
            "INSERT INTO tags (name) VALUES (?)\(r) ×2",
            "INSERT INTO book_tags (book_id, tag_id) VALUES (?, ?) ×2",
        ])

        let session = Session(engine)
        let ursula = try session.scalars(select(Author.self).where { $0.name == "Ursula" }).one()
        let book = ursula.books[0]
        book.tags.removeAll { $0.name == "utopia" }
        log.reset()
        try session.flush()                            // DELETE FROM book_tags WHERE book_tags.book_id = ? AND book_tags.tag_id = ?
        XCTAssertEqual(log.sql, ["DELETE FROM book_tags WHERE book_tags.book_id = ? AND book_tags.tag_id = ?"])

        try session.delete(ursula)                     // cascade: .all — her books are deleted too
        log.reset()
        try session.commit()                           // DELETE FROM book_tags WHERE book_tags.book_id = ?
                                                       // DELETE FROM books WHERE books.id = ?
                                                       // DELETE FROM authors WHERE authors.id = ?
        XCTAssertEqual(log.sql, [
            "DELETE FROM book_tags WHERE book_tags.book_id = ?",
            "DELETE FROM books WHERE books.id = ?",
            "DELETE FROM authors WHERE authors.id = ?",
        ])
        XCTAssertEqual(try rowCount(engine, "authors") + rowCount(engine, "books") + rowCount(engine, "book_tags"), 0)
        XCTAssertEqual(try rowCount(engine, "tags"), 2)
    }
}

final class ReadmeRelationshipsExampleTests: XCTestCase {
    func testOnSQLite() throws {
        let engine = try createEngine(temporarySQLiteURL("readme-relationships"))
        defer { engine.dispose() }
        try ReadmeRelationships.example(engine, StatementLog(engine))
    }

    func testOnPostgreSQL() throws {
        let engine = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        try ReadmeRelationships.example(engine, StatementLog(engine))
    }
}
