import Foundation
import RetortCore
import RetortORM
import XCTest
import RetortTestSupport

/// Reading model properties from rows: `Int` and `String` properties (and their
/// optionals) are read straight from the database library when the column holds what
/// they expect; anything else goes through the usual conversion, with the same values
/// and the same errors, naming the property.
final class ModelDecodingTests: XCTestCase {
    /// A SQLite file with the test models' tables made by hand, without the constraints
    /// that would refuse the odd values these tests store.
    func looseSQLiteTables(_ name: String) throws -> Engine {
        TestModels.register()
        let engine = try createEngine(temporarySQLiteURL(name))
        try engine.begin { conn in
            try conn.execute(text("CREATE TABLE authors (id INTEGER PRIMARY KEY, name VARCHAR(100), email VARCHAR(255))"))
            try conn.execute(text("CREATE TABLE books (id INTEGER PRIMARY KEY, title VARCHAR(200), author_id INTEGER)"))
            try conn.execute(text("CREATE TABLE reviews (id INTEGER PRIMARY KEY, book_id INTEGER, stars INTEGER)"))
        }
        return engine
    }

    func testCommonTypesReadTheSameThroughEveryPath() throws {
        try forEachBackend { engine in
            try engine.begin { conn in
                try conn.execute(text("INSERT INTO authors (id, name, email) VALUES (1, 'Ursula', NULL), (2, 'Octavia', 'o@example.com')"))
                try conn.execute(text("INSERT INTO books (id, title, author_id) VALUES (10, 'Kindred', 2), (11, 'Orphan', NULL)"))
                try conn.execute(text("INSERT INTO reviews (id, book_id, stars) VALUES (20, 10, 5)"))
            }
            let session = Session(engine)
            // Straight from the cursor (a query's rows).
            let authors = try session.scalars(select(Author.self).orderBy { $0.id }).all()
            XCTAssertEqual(authors.map(\.id), [1, 2])
            XCTAssertEqual(authors.map(\.name), ["Ursula", "Octavia"])
            XCTAssertEqual(authors.map(\.email), [nil, "o@example.com"])
            let books = try session.scalars(select(Book.self).orderBy { $0.id }).all()
            XCTAssertEqual(books.map(\.authorId), [2, nil])
            let review = try XCTUnwrap(try session.get(Review.self, 20))
            XCTAssertEqual([review.bookId, review.stars], [10, 5])
            // From built rows (a tuple query decodes each model from a Row).
            let pairs = try Session(engine).execute(
                select(Book.self, Author.self).where { b, a in b.authorId == a.id }).all()
            XCTAssertEqual(pairs.map { "\($0.0.title)/\($0.1.name)/\($0.1.email ?? "-")" }, ["Kindred/Octavia/o@example.com"])
        }
    }

    /// SQLite keeps whatever storage class a value arrives with; those values take the
    /// general path and convert (or fail) exactly as before.
    func testOtherStorageClassesConvertOrFailNamingTheProperty() throws {
        let engine = try looseSQLiteTables("decoding")
        defer { engine.dispose() }
        try engine.begin { conn in
            // A blob holding UTF-8 text reads as that text; an integer in a text column
            // reads as its digits (SQLite stores 42 in a VARCHAR column as text, so a
            // blob is the way to keep a non-text value there).
            try conn.execute(text("INSERT INTO authors (id, name, email) VALUES (1, X'6869', X'61')"))
            try conn.execute(text("INSERT INTO authors (id, name, email) VALUES (2, 'ok', X'FF')"))
            try conn.execute(text("INSERT INTO books (id, title, author_id) VALUES (10, 'a', 'seven')"))
            try conn.execute(text("INSERT INTO books (id, title, author_id) VALUES (11, 'b', 2.0)"))
            try conn.execute(text("INSERT INTO reviews (id, book_id, stars) VALUES (20, 10, NULL)"))
            try conn.execute(text("INSERT INTO reviews (id, book_id, stars) VALUES (21, 10, 4.5)"))
        }
        let session = Session(engine)
        let first = try XCTUnwrap(try session.get(Author.self, 1))
        XCTAssertEqual(first.name, "hi")
        XCTAssertEqual(first.email, "a")
        let badText = assertThrows(DataError.self) { try session.get(Author.self, 2) }
        XCTAssertEqual(badText?.message, "Author.email: a 1-byte value is not valid UTF-8 text; read it as Data")
        let badInt = assertThrows(DataError.self) { try session.get(Book.self, 10) }
        XCTAssertEqual(badInt?.message, "Book.authorId: cannot convert text value 'seven' to Int")
        XCTAssertEqual(try session.get(Book.self, 11)?.authorId, 2, "2.0 is stored as the integer 2 in an INTEGER column")
        let null = assertThrows(DataError.self) { try session.get(Review.self, 20) }
        XCTAssertEqual(null?.message, "Review.stars: cannot read NULL as Int; read it as Int? instead")
        let fraction = assertThrows(DataError.self) { try session.get(Review.self, 21) }
        XCTAssertEqual(fraction?.message, "Review.stars: cannot convert real value 4.5 to Int")
    }

    /// Text of every length around the 15 bytes a string stores inline, ASCII or not,
    /// reads back unchanged through the ORM and through Core rows; bytes stored as TEXT
    /// that are not UTF-8 are refused (ORM) or handed back as a blob (Core), never
    /// repaired, short or long.
    func testTextOfEveryShortLengthAndInvalidTextStoredAsText() throws {
        var names = (0...20).map { String(repeating: "a", count: $0) }
        names += ["é", "aé", String(repeating: "z", count: 13) + "é", "ab\tcd", "😀", String(repeating: "é", count: 8)]
        try forEachBackend { engine in
            try engine.begin { conn in
                for (i, name) in names.enumerated() {
                    try conn.execute(text("INSERT INTO authors (id, name) VALUES (:id, :name)"), ["id": i + 1, "name": name])
                }
            }
            let authors = try Session(engine).scalars(select(Author.self).orderBy { $0.id }).all()
            XCTAssertEqual(authors.map(\.name), names)
            let core = try engine.connect { try $0.scalars(text("SELECT name FROM authors ORDER BY id"), as: String.self).all() }
            XCTAssertEqual(core, names)
        }
        let engine = try looseSQLiteTables("invalid-text")
        defer { engine.dispose() }
        try engine.begin { conn in
            try conn.execute(text("INSERT INTO authors (id, name) VALUES (1, CAST(X'41FF42' AS TEXT))"))
            try conn.execute(text("INSERT INTO authors (id, name) VALUES (2, CAST(X'414243444546474849FF' || X'4B4C4D4E4F5051525354' AS TEXT))"))
        }
        let session = Session(engine)
        let short = assertThrows(DataError.self) { try session.get(Author.self, 1) }
        XCTAssertEqual(short?.message, "Author.name: a 3-byte value is not valid UTF-8 text; read it as Data")
        let long = assertThrows(DataError.self) { try session.get(Author.self, 2) }
        XCTAssertEqual(long?.message, "Author.name: a 20-byte value is not valid UTF-8 text; read it as Data")
        let value = try engine.connect { try $0.execute(text("SELECT name FROM authors WHERE id = 1")).one()[0] }
        XCTAssertEqual(value, .blob(Data([0x41, 0xFF, 0x42])))
    }
}
