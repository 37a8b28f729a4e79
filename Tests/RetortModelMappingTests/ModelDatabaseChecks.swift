import Foundation
import Retort
import RetortTestSupport
import XCTest

/// Checks of generated models against a live database, run on SQLite and on PostgreSQL
/// by the two test classes below (Linux XCTest does not find inherited test methods,
/// so each class lists them). Not on MariaDB: these models declare unbounded `String`
/// columns, which MySQL refuses with a clear error (VARCHAR needs a length), as
/// SQLAlchemy does; the ORM suites run there with bounded ones.
enum ModelDatabaseChecks {
    /// The values an INSERT of `object` gives, as the ORM would: a column the database
    /// fills (autoincrement, server default) is left out while the property is nil.
    static func insertParameters<M: Model>(_ object: M) -> Parameters {
        var parameters: [String: Parameters.Value] = [:]
        for (i, column) in M.mapping.table.columns.enumerated() {
            let value = object._value(at: i)
            if value.isNull, column.autoincrement || column.serverDefault != nil { continue }
            parameters[column.name] = value
        }
        return Parameters(parameters)
    }

    /// Inserts `object` and sets its database-generated key through `_setValue`.
    static func insert<M: Model>(_ object: M, _ conn: Connection) throws {
        let table = M.mapping.table
        guard let key = M.mapping.autoincrement else {
            try conn.execute(table.insert(), insertParameters(object))
            return
        }
        let generated = try conn.execute(
            table.insert().returning(table.c[table.columns[key].name]), insertParameters(object)
        ).one()
        try object._setValue(generated[0], at: key)
    }

    /// Every row of `M`'s table, decoded into objects.
    static func load<M: Model>(_ type: M.Type, _ conn: Connection, orderBy column: String) throws -> [M] {
        let table = M.mapping.table
        return try conn.execute(select(table).orderBy(table.c[column])).all().map { row in
            var decoder = ModelDecoder(row: row)
            let object = try M(_decoding: &decoder)
            XCTAssertEqual(decoder.index, table.columns.count, "the decoder read the whole row")
            return object
        }
    }

    static func createAllDecodeAndWriteBack(_ engine: Engine) throws {
        let metadata = ModelRegistry.metadata.including(Author.self, Book.self, BookTag.self)
        try metadata.createAll(engine)
        try engine.begin { conn in
            XCTAssertTrue(try MetaData.exists(Author.mapping.table, on: conn))
            XCTAssertTrue(try MetaData.exists(BookTag.mapping.table, on: conn))

            let ursula = Author(name: "Ursula", email: "ursula@example.org")
            let octavia = Author(name: "Octavia")
            try insert(ursula, conn)
            try insert(octavia, conn)
            XCTAssertNotNil(ursula.id)
            XCTAssertEqual(octavia.id, ursula.id.map { $0 + 1 })

            let book = Book(title: "The Dispossessed", authorId: ursula.id)
            book.pages = 387
            book.price = Decimal(string: "14.99")
            book.priority = .high
            try insert(book, conn)
            let kindred = Book(title: "Kindred", authorId: octavia.id, status: "published")
            kindred.format = .hardcover
            try insert(kindred, conn)
            try insert(BookTag(bookId: book.id!, tagName: "anarchy"), conn)
            try insert(BookTag(bookId: book.id!, tagName: "physics"), conn)
        }
        try engine.connect { conn in
            let authors = try load(Author.self, conn, orderBy: "id")
            XCTAssertEqual(authors.map(\.name), ["Ursula", "Octavia"])
            XCTAssertEqual(authors.map(\.email), ["ursula@example.org", nil])
            XCTAssertEqual(authors.map(\.scratch), [7, 7], "a transient property takes its initial value")

            let books = try load(Book.self, conn, orderBy: "id")
            XCTAssertEqual(books.map(\.title), ["The Dispossessed", "Kindred"])
            XCTAssertEqual(books.map(\.authorId), authors.map(\.id))
            XCTAssertEqual(books.map(\.pages), [387, 1])
            XCTAssertEqual(books.map(\.price), [Decimal(string: "14.99"), nil])
            XCTAssertEqual(books.map(\.format), [.paperback, .hardcover], "the server default filled the first")
            XCTAssertEqual(books.map(\.priority), [.high, .normal])
            XCTAssertEqual(books.map(\.status), ["draft", "published"])
            for b in books {
                let created = try XCTUnwrap(b.createdAt, "the server default filled created")
                XCTAssertLessThan(abs(created.timeIntervalSinceNow), 24 * 3600)
            }

            let tags = try load(BookTag.self, conn, orderBy: "tag")
            XCTAssertEqual(tags.map(\.tagName), ["anarchy", "physics"])
            XCTAssertEqual(Set(tags.map(\.bookId)), [books[0].id!])

            // One row, two models: the second decodes where the first stopped.
            let row = try conn.execute(
                select(Author.mapping.table, Book.mapping.table)
                    .selectFrom(Author.mapping.table.join(Book.mapping.table))
                    .where(Book.columns.title == "Kindred")
            ).one()
            var decoder = ModelDecoder(row: row)
            let author = try Author(_decoding: &decoder)
            let written = try Book(_decoding: &decoder)
            XCTAssertEqual(author.name, "Octavia")
            XCTAssertEqual(written.title, "Kindred")
            XCTAssertEqual(written.authorId, author.id)

            // Typed columns in Core queries against the live tables.
            let names = try conn.scalars(
                select(Author.columns.name).selectFrom(Author.mapping.table.join(Book.mapping.table))
                    .where(Book.columns.format == .paperback && Book.columns.pages > 100)
                    .orderBy(Author.columns.name),
                as: String.self
            ).all()
            XCTAssertEqual(names, ["Ursula"])
        }
        // A key or constraint the model declared is enforced by the database.
        XCTAssertThrowsError(try engine.begin { conn in
            try insert(Author(name: "Copy", email: "ursula@example.org"), conn)
        })
        XCTAssertThrowsError(try engine.begin { conn in
            try insert(BookTag(bookId: 1, tagName: "anarchy"), conn)
        })
        try metadata.dropAll(engine)
    }

    static func everyTypeRoundTrips(_ engine: Engine) throws {
        try sampleMetadata.including(Sample.self).createAll(engine)
        let original = Sample(key: UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!)
        let other = Sample(key: UUID(uuidString: "0E0D4C6A-1F8B-4B8A-9D2C-3B9E5A6C7D8E")!)
        other.optionalText = "present"
        other.maybeFormat = .hardcover
        other.maybePriority = nil
        other.token = nil
        other.mood = .calm
        other.sequence = 2
        try engine.begin { conn in
            try insert(original, conn)
            try insert(other, conn)
        }
        try engine.connect { conn in
            let rows = try conn.execute(select(Sample.mapping.table).orderBy(Sample.columns.sequence)).all()
            XCTAssertEqual(rows.count, 2)
            let count = Sample.mapping.table.columns.count
            for (row, expected) in zip(rows, [original, other]) {
                var decoder = ModelDecoder(row: row)
                let loaded = try Sample(_decoding: &decoder)
                for i in 0..<count {
                    XCTAssertEqual(loaded._value(at: i), expected._value(at: i), Sample.mapping.propertyNames[i])
                }
                XCTAssertEqual(loaded.key, expected.key)
                XCTAssertEqual(loaded.text, expected.text)
                XCTAssertEqual(loaded.optionalText, expected.optionalText)
                XCTAssertEqual(loaded.int, expected.int)
                XCTAssertEqual(loaded.int64, Int64.max)
                XCTAssertEqual(loaded.int32, Int32.min)
                XCTAssertEqual(loaded.int16, Int16.max)
                XCTAssertEqual(loaded.double, 2.718281828)
                XCTAssertEqual(loaded.float, 1.5)
                XCTAssertEqual(loaded.flag, true)
                XCTAssertEqual(loaded.at, Date(timeIntervalSince1970: 1_763_700_000))
                XCTAssertEqual(loaded.amount, Decimal(string: "12345.67"))
                XCTAssertEqual(loaded.blob, Data([0, 1, 2, 254, 255]))
                XCTAssertEqual(loaded.token, expected.token)
                XCTAssertEqual(loaded.format, .ebook)
                XCTAssertEqual(loaded.maybeFormat, expected.maybeFormat)
                XCTAssertEqual(loaded.priority, .high)
                XCTAssertEqual(loaded.maybePriority, expected.maybePriority)
                XCTAssertEqual(loaded.mood, expected.mood)
                XCTAssertEqual(loaded.email, Email("u@example.org"))
                XCTAssertEqual(loaded.created, Date(timeIntervalSince1970: 1_700_000_000))
                XCTAssertEqual(loaded.loadedAt, "never")

                // _setValue from the database's own values, then from _value: the same object.
                let fromRow = Sample(key: UUID())
                let fromValues = Sample(key: UUID())
                fromValues.mood = fromValues.mood == .calm ? .stormy : .calm
                for i in 0..<count {
                    try fromRow._setValue(row[i], at: i)
                    try fromValues._setValue(expected._value(at: i), at: i)
                }
                for i in 0..<count {
                    XCTAssertEqual(fromRow._value(at: i), expected._value(at: i), Sample.mapping.propertyNames[i])
                    XCTAssertEqual(fromValues._value(at: i), expected._value(at: i), Sample.mapping.propertyNames[i])
                }
            }
            // Enum columns hold only the enum's values.
            let stored = try conn.scalars(select(Sample.columns.mood).orderBy(Sample.columns.sequence), as: String.self).all()
            XCTAssertEqual(stored, ["stormy", "calm"])
        }
        XCTAssertThrowsError(try engine.begin { conn in
            var parameters = insertParameters(Sample(key: UUID()))
            parameters = Parameters(Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.name == "mood" ? "sunny" : $0.value) }))
            try conn.execute(Sample.mapping.table.insert(), parameters)
        })
        try sampleMetadata.dropAll(engine)
    }
}

final class ModelSQLiteTests: XCTestCase {
    func testCreateAllDecodeAndWriteBack() throws {
        let engine = try createEngine(temporarySQLiteURL("models"))
        defer { engine.dispose() }
        try ModelDatabaseChecks.createAllDecodeAndWriteBack(engine)
    }

    func testEveryTypeRoundTrips() throws {
        let engine = try createEngine(temporarySQLiteURL("samples"))
        defer { engine.dispose() }
        try ModelDatabaseChecks.everyTypeRoundTrips(engine)
    }
}

final class ModelPostgresTests: XCTestCase {
    func testCreateAllDecodeAndWriteBack() throws {
        let engine = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        try ModelDatabaseChecks.createAllDecodeAndWriteBack(engine)
    }

    func testEveryTypeRoundTrips() throws {
        let engine = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        try ModelDatabaseChecks.everyTypeRoundTrips(engine)
    }
}
