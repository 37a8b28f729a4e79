import Foundation
import RetortCore
@testable import RetortMigrate
import XCTest

/// On SQLite an enum type is a VARCHAR with a named CHECK; the CHECK must follow its
/// column through add_column, rebuilds and renames, and `check` must miss it when it
/// is gone.
final class SQLiteEnumCheckTests: XCTestCase {
    let mood = SQLType.enum("mood", ["happy", "sad"])

    func books(_ table: String = "books", _ column: String = "mood", type: SQLType? = nil, titleNullable: Bool = true) -> MetaData {
        models { m in
            Table(table, m, Column("id", .integer, primaryKey: true), Column("title", .string(20), nullable: titleNullable),
                  Column(column, type ?? mood))
        }
    }

    /// The CHECK constraints of `table`, by name (nil for an unnamed one), with conditions.
    func checks(_ db: AutogenerateProject, _ table: String) throws -> [String] {
        try Inspector(try db.engine()).table(table).checkConstraints.map { ($0.name ?? "<unnamed>") + ": " + $0.condition }.sorted()
    }

    func insertFails(_ db: AutogenerateProject, _ sql: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try db.execute([sql]), "the enum's CHECK still holds: \(sql)", file: file, line: line)
    }

    func testAnEnumColumnAddedToATableKeepsOneCheckThroughRebuilds() throws {
        let db = try AutogenerateProject.sqlite()
        try db.migrate(to: models { m in
            Table("books", m, Column("id", .integer, primaryKey: true), Column("title", .string(20)))
        })
        try db.migrate(to: books())  // add_column with the enum
        try db.migrate(to: books(titleNullable: false))  // a rebuild of the table
        XCTAssertEqual(try checks(db, "books"), ["ck_books_mood: mood IN ('happy', 'sad')"])
        XCTAssertEqual(try db.compare(books(titleNullable: false)).summaryLines, [])
        try db.migrate(to: books(type: .string(20), titleNullable: false))
        XCTAssertEqual(try checks(db, "books"), [])
        try db.execute(["INSERT INTO books (id, title, mood) VALUES (1, 't', 'angry')"])
    }

    func testRenamingAnEnumColumnOrItsTableKeepsItsCheck() throws {
        let db = try AutogenerateProject.sqlite()
        try db.migrate(to: books())
        try db.migrate(to: books("books", "feeling"), renames: ["books.mood=feeling"])
        XCTAssertEqual(try checks(db, "books"), ["ck_books_feeling: feeling IN ('happy', 'sad')"])
        XCTAssertEqual(try db.compare(books("books", "feeling")).summaryLines, [])
        insertFails(db, "INSERT INTO books (id, title, feeling) VALUES (1, 't', 'angry')")
        try db.migrate(to: books("volumes", "feeling"), renames: ["books=volumes"])
        XCTAssertEqual(try checks(db, "volumes").map { $0.prefix(while: { $0 != ":" }) }, ["ck_volumes_feeling"])
        XCTAssertEqual(try db.compare(books("volumes", "feeling")).summaryLines, [])
        insertFails(db, "INSERT INTO volumes (id, title, feeling) VALUES (1, 't', 'angry')")
        try db.project().runner().downgrade(to: "base")
        XCTAssertEqual(try Inspector(try db.engine(), excluding: VersionStore.defaultOwnTables).tableNames(), [])
    }

    func testCheckSeesAMissingEnumCheck() throws {
        let db = try AutogenerateProject.sqlite()
        try db.migrate(to: books())
        try db.engine().connect { conn in
            try conn.executeOutsideTransaction(conn.dialect.migration.foreignKeyHandling.before)
            let executor = LiveExecutor(conn, immediate: true)
            try executor.begin()
            try CoreOperationApplier().apply(.dropConstraint(name: "ck_books_mood", table: "books", type: .check), on: executor)
            try executor.commit()
        }
        let missing = try db.compare(books()).summaryLines
        XCTAssertEqual(missing.count, 1, "\(missing)")
        XCTAssertTrue(missing.first?.contains("ck_books_mood") == true, "\(missing)")
        try db.migrate(to: books())
        XCTAssertEqual(try db.compare(books()).summaryLines, [])
        insertFails(db, "INSERT INTO books (id, title, mood) VALUES (1, 't', 'angry')")
    }
}
