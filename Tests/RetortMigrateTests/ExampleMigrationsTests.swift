import Foundation
import RetortCore
import RetortMigrate
import RetortTestSupport
import XCTest
import ExampleModels

/// The repository's own migrator.yaml and migrations-example, on both databases.
final class ExampleMigrationsTests: XCTestCase {
    var configPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("migrator.yaml").path
    }

    func check(_ url: String) throws {
        let project = try Project(configPath: configPath, environment: ["DATABASE_URL": url])
        let runner = try project.runner()
        let steps = try runner.upgrade(to: "head")
        XCTAssertEqual(steps.count, project.graph.revisions.count)
        XCTAssertEqual(try runner.current(), Set(project.graph.heads))
        // The models of the ExampleModels module, and the same as metadata JSON, match: no
        // phantom differences.
        let diff = try project.compare(ExampleModels.metadata)
        XCTAssertTrue(diff.isEmpty, diff.changes.map(\.summary).joined(separator: "; "))
        let fromJSON = try project.compare(try MetadataJSON.read(contentsOf: metadataJSONPath))
        XCTAssertTrue(fromJSON.isEmpty, fromJSON.changes.map(\.summary).joined(separator: "; "))
        let engine = try project.engine()
        let schema = try Inspector(engine, excluding: VersionStore.defaultOwnTables).reflect()
        XCTAssertEqual(schema.tables.map(\.name).sorted(), ["authors", "book_tags", "books", "tags"])
        let books = try XCTUnwrap(schema.table("books"))
        XCTAssertEqual(books.column(named: "price")?.type, .numeric(precision: 10, scale: 2))
        XCTAssertEqual(books.column(named: "in_print")?.nullable, false)
        XCTAssertEqual(Set(books.checkConstraints.compactMap(\.name)), ["ck_books_pages"])
        XCTAssertEqual(books.foreignKeys.first?.onDelete, .cascade)
        try engine.begin { conn in
            try conn.execute(text("INSERT INTO authors (name, email) VALUES ('Ursula', 'u@example.org')"))
            let bad = try? conn.beginNested { c in try c.execute(text("INSERT INTO books (title, author_id, pages) VALUES ('x', 1, 0)")) }
            XCTAssertNil(bad, "the check constraint holds")
        }
        try runner.downgrade(to: "base")
        XCTAssertEqual(try Inspector(engine, excluding: VersionStore.defaultOwnTables).tableNames(), [])
        engine.dispose()
    }

    var metadataJSONPath: String {
        URL(fileURLWithPath: configPath).deletingLastPathComponent().appendingPathComponent("migrations-example/metadata.json").path
    }

    /// migrations-example/metadata.json is exactly what `migrator metadata` prints for
    /// ExampleModels (regenerate it with `swift run migrator metadata > migrations-example/metadata.json`).
    func testMetadataJSONIsTheModulesRendering() throws {
        let file = try String(contentsOfFile: metadataJSONPath, encoding: .utf8)
        XCTAssertEqual(file, ExampleModels.metadata.metadataJSON())
    }

    func testExampleOnSQLite() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("example-\(UUID().uuidString.prefix(8)).db").path
        try check("sqlite:///" + path)
    }

    func testExampleOnPostgreSQL() throws {
        try check(try PostgresTestServer.freshDatabaseURL())
    }
}
