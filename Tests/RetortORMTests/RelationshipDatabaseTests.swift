import Retort
import RetortTestSupport
import XCTest

/// createAll of a catalogue whose models declare relationships creates exactly the
/// tables and columns of the mapped properties, with the foreign keys the relationships
/// are resolved from, on SQLite and PostgreSQL.
enum RelationshipDatabaseChecks {
    static func createAllMakesTheRightTables(_ engine: Engine) throws {
        let metadata = catalogue
        try metadata.createAll(engine)
        defer { try? metadata.dropAll(engine) }
        let inspector = try Inspector(engine)
        XCTAssertEqual(
            Set(try inspector.tableNames()),
            ["cat_authors", "cat_books", "cat_tags", "cat_book_tags", "cat_users", "cat_profiles", "cat_categories", "cat_people", "cat_messages"])
        XCTAssertEqual(try inspector.columns("cat_books").map(\.name), ["id", "title", "author_id"])
        XCTAssertEqual(try inspector.columns("cat_authors").map(\.name), ["id", "name"])
        XCTAssertEqual(try inspector.columns("cat_tags").map(\.name), ["id", "name"])
        XCTAssertEqual(try inspector.columns("cat_categories").map(\.name), ["id", "name", "parent_id"])
        XCTAssertEqual(try inspector.columns("cat_messages").map(\.name), ["id", "body", "sender_id", "recipient_id"])

        // The foreign keys in the database are those the relationships resolve to.
        let bookKeys = try inspector.foreignKeys("cat_books")
        XCTAssertEqual(bookKeys.map(\.columns), [["author_id"]])
        XCTAssertEqual(bookKeys.first?.referredTable, "cat_authors")
        let tagKeys = try inspector.foreignKeys("cat_book_tags").sorted { $0.columns.joined() < $1.columns.joined() }
        XCTAssertEqual(tagKeys.map(\.referredTable), ["cat_books", "cat_tags"])
        let tags = try CatBook.relationship(named: "tags")
        XCTAssertEqual(tags.pairs.map(\.remote), tagKeys[0].columns)
        XCTAssertEqual(tags.secondaryPairs.map(\.remote), tagKeys[1].columns)
        XCTAssertEqual(try inspector.foreignKeys("cat_categories").first?.referredTable, "cat_categories")
    }
}

final class RelationshipSQLiteTests: XCTestCase {
    func testCreateAllMakesTheRightTables() throws {
        let engine = try createEngine(temporarySQLiteURL("relationships"))
        defer { engine.dispose() }
        try RelationshipDatabaseChecks.createAllMakesTheRightTables(engine)
    }
}

final class RelationshipPostgresTests: XCTestCase {
    func testCreateAllMakesTheRightTables() throws {
        let engine = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        try RelationshipDatabaseChecks.createAllMakesTheRightTables(engine)
    }
}
