import Retort
import XCTest
import RetortTestSupport

/// The README's "Core in two minutes" example, run as written (with a temporary file).
final class ReadmeExampleTests: XCTestCase {
    func testCoreExample() throws {
        let engine = try createEngine(temporarySQLiteURL("readme"), echo: false)

        try engine.begin { conn in
            try conn.execute(text("CREATE TABLE IF NOT EXISTS authors (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(255) UNIQUE)"))
            try conn.execute(text("INSERT INTO authors (name, email) VALUES (:name, :email)"), [
                ["name": "Ursula", "email": "ursula@example.org"],
                ["name": "Octavia", "email": nil],
            ])
        }

        let names = try engine.connect { conn in
            try conn.scalars(text("SELECT name FROM authors WHERE name LIKE :p ORDER BY name"), ["p": "%a%"], as: String.self).all()
        }
        XCTAssertEqual(names, ["Octavia", "Ursula"])

        try engine.connect { conn in
            try conn.execute(text("UPDATE authors SET name = upper(name)"))
            let sp = try conn.beginNested()
            try conn.execute(text("DELETE FROM authors"))
            try sp.rollback()
            try conn.commit()
        }
        XCTAssertEqual(try engine.connect { try $0.scalars(text("SELECT name FROM authors ORDER BY name"), as: String.self).all() },
                       ["OCTAVIA", "URSULA"])

        var duplicateColumns: [String] = []
        do {
            try engine.begin { conn in
                try conn.execute(text("INSERT INTO authors (name, email) VALUES ('Again', 'ursula@example.org')"))
            }
        } catch let error as IntegrityError where error.kind == .unique {
            duplicateColumns = error.columnNames
        }
        XCTAssertEqual(duplicateColumns, ["email"])
    }
}

/// The README's expression-language example, run as written.
final class ReadmeExpressionExampleTests: XCTestCase {
    func testExpressionExample() throws {
        let metadata = MetaData()
        let authors = Table("authors", metadata,
            Column("id", .integer, primaryKey: true),
            Column("name", .string(100), nullable: false),
            Column("email", .string(255), unique: true))
        let books = Table("books", metadata,
            Column("id", .integer, primaryKey: true),
            Column("title", .string(200), nullable: false),
            Column("author_id", .integer, nullable: false, foreignKey: "authors.id", onDelete: .cascade))

        let engine = try createEngine("sqlite://")
        try metadata.createAll(engine)                      // CREATE TABLE authors (...), books (...)
        try engine.begin { conn in
            try conn.execute(authors.insert(), [["name": "Ursula", "email": "u@example.org"], ["name": "Octavia", "email": nil]])
            try conn.execute(books.insert(), [["title": "The Dispossessed", "author_id": 1], ["title": "Kindred", "author_id": 2]])
        }
        let query = select(authors.c.name, books.c.title)
            .selectFrom(authors.join(books))                // ON inferred from the foreign key
            .where(authors.c.name.like("U%"))
            .orderBy(books.c.title)
        let rows = try engine.connect { try $0.execute(query).all() }
        XCTAssertEqual(rows.map { $0.values }, [["Ursula", "The Dispossessed"]])
        XCTAssertEqual(try query.compile(for: .postgresql).sql,
                       "SELECT authors.name, books.title FROM authors JOIN books ON authors.id = books.author_id "
                       + "WHERE authors.name LIKE $1 ORDER BY books.title")
    }
}
