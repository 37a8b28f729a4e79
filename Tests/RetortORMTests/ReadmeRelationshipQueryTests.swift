import Foundation
import Retort
import XCTest

/// The README's "Queries across relationships" example, run as written on both
/// databases. The README's Author, Book, Tag and Category are this suite's Rq models
/// (same properties and columns, `rq_` tables), so the SQL in the README's comments is
/// checked with that prefix taken off.
final class ReadmeRelationshipQueryTests: XCTestCase {
    func testQueriesAcrossRelationships() throws {
        typealias Author = RqAuthor
        typealias Book = RqBook
        typealias Tag = RqTag
        typealias Category = RqCategory
        func readme(_ statement: Select) throws -> String {
            try statement.compile(for: .sqlite).sql.replacingOccurrences(of: "rq_", with: "")
        }

        try forEachRqBackend { engine in
            let session = Session(engine)
            defer { session.close() }

            // JOIN along Book.author; conditions on the joined model use its typed columns
            let hers = try session.scalars(
                select(Book.self).join(\.author).where(Author.columns.name == "Ursula")
            ).all()
            // SELECT books.id, ... FROM books JOIN authors ON authors.id = books.author_id WHERE authors.name = ?
            XCTAssertEqual(Set(hers.map(\.title)), ["Searoad", "The Tombs of Atuan"])
            let hersSQL = try readme(select(Book.self).join(\.author).where(Author.columns.name == "Ursula").core)
            XCTAssertTrue(hersSQL.hasPrefix("SELECT books.id, "), hersSQL)
            XCTAssertTrue(hersSQL.hasSuffix(" FROM books JOIN authors ON authors.id = books.author_id WHERE authors.name = ?"), hersSQL)

            // On from a joined model, through the many-to-many's secondary table; a to-many join
            // repeats the owner once per related row (as SQL does): distinct() gives each once
            let sfAuthors = try session.scalars(
                select(Author.self).join(\.books).join(\Book.tags).where(Tag.columns.name == "sf").distinct()
            ).all()
            // SELECT DISTINCT authors.id, authors.name FROM authors JOIN books ON authors.id = books.author_id
            //   JOIN book_tags ON books.id = book_tags.book_id JOIN tags ON tags.id = book_tags.tag_id WHERE tags.name = ?
            XCTAssertEqual(Set(sfAuthors.map(\.name)), ["Ursula", "Octavia"])
            XCTAssertEqual(sfAuthors.count, 2)
            XCTAssertEqual(
                try readme(select(Author.self).join(\.books).join(\Book.tags).where(Tag.columns.name == "sf").distinct().core),
                "SELECT DISTINCT authors.id, authors.name FROM authors JOIN books ON authors.id = books.author_id "
                    + "JOIN book_tags ON books.id = book_tags.book_id JOIN tags ON tags.id = book_tags.tag_id WHERE tags.name = ?")

            // Several models per row: tuples, each object through the identity map
            let pairs = try session.execute(select(Book.self, Author.self).join(\.author)).all()   // [(Book, Author)]
            // optional(...) reads the missing side of an outer join as nil
            let everyone = try session.execute(
                select(Author.self, optional(Book.self)).outerJoin(\.books)
            ).all()                                                                               // [(Author, Book?)]
            XCTAssertEqual(pairs.count, 3)
            XCTAssertTrue(pairs.allSatisfy { $0.0.authorId == $0.1.id })
            XCTAssertEqual(everyone.count, 4)
            XCTAssertEqual(everyone.filter { $0.1 == nil }.map(\.0.name), ["Iain"])
            XCTAssertTrue(Set(everyone.map { ObjectIdentifier($0.0) }).isSuperset(of: pairs.map { ObjectIdentifier($0.1) }))

            // The same model twice: an alias
            let parent = aliased(Category.self, name: "parent")
            let underFiction = try session.execute(
                select(Category.self, parent).join(\.parent, as: parent).where(parent.columns.name == "fiction")
            ).all()                                                                               // [(Category, Category)]
            XCTAssertEqual(underFiction.map { "\($0.1.name) > \($0.0.name)" }, ["fiction > sf"])

            // EXISTS over a relationship: has (to-one), any (collections), negated with !
            let seaWriters = select(Author.self).where(Author.any(\.books) { $0.title.like("%Sea%") })
            // SELECT authors.id, authors.name FROM authors
            //   WHERE EXISTS (SELECT 1 FROM books WHERE authors.id = books.author_id AND books.title LIKE ?)
            let orphans = try session.scalars(select(Book.self).where(!Book.has(\.author))).all()
            XCTAssertEqual(
                try readme(seaWriters.core),
                "SELECT authors.id, authors.name FROM authors "
                    + "WHERE EXISTS (SELECT 1 FROM books WHERE authors.id = books.author_id AND books.title LIKE ?)")
            XCTAssertEqual(try session.scalars(seaWriters).all().map(\.name), ["Ursula"])
            XCTAssertEqual(orphans.map(\.title), ["Sea Tales"])
        }
    }
}
