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

    /// The real `migrator` builds the manifest module from the @Model sources of
    /// migrations-example/Models (as a user's run does), prints exactly
    /// migrations-example/metadata.json, and `check` finds nothing to change after
    /// `upgrade head`, on SQLite and PostgreSQL: the ORM models and the revisions agree.
    func testManifestFromModelClassesMatchesTheRevisions() throws {
        let root = URL(fileURLWithPath: configPath).deletingLastPathComponent().path
        let models = try String(contentsOfFile: root + "/migrations-example/Models/ExampleModels.swift", encoding: .utf8)
        XCTAssertTrue(models.contains("@Model(table: \"books\""), "the example declares its models as @Model classes")
        let metadata = try runMigrator(["metadata"], in: root)
        XCTAssertEqual(metadata.status, 0, metadata.stderr)
        XCTAssertEqual(metadata.stdout, try String(contentsOfFile: metadataJSONPath, encoding: .utf8))
        let sqlite = FileManager.default.temporaryDirectory.appendingPathComponent("example-\(UUID().uuidString.prefix(8)).db").path
        for url in ["sqlite:///" + sqlite, try PostgreSQLTestServer.freshDatabaseURL()] {
            let env = ["DATABASE_URL": url]
            let up = try runMigrator(["upgrade", "head"], in: root, environment: env)
            XCTAssertEqual(up.status, 0, up.stdout + up.stderr)
            let check = try runMigrator(["check"], in: root, environment: env)
            XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
            XCTAssertTrue(check.stdout.contains("no differences"), check.stdout)
            XCTAssertFalse(check.stderr.contains("Building"), "metadata built it already: \(check.stderr)")
        }
    }

    func testExampleOnSQLite() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("example-\(UUID().uuidString.prefix(8)).db").path
        try check("sqlite:///" + path)
    }

    func testExampleOnPostgreSQL() throws {
        try check(try PostgreSQLTestServer.freshDatabaseURL())
    }
}
