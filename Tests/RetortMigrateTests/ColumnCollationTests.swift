import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// A column's collation is a column fact: declared in models (and metadata JSON and
/// revision files as `collation`), created, reflected, compared by `check`, and changed
/// by `alter_column` — on SQLite and PostgreSQL.
class ColumnCollationTests: XCTestCase {
    func database() throws -> AutogenerateProject { try .sqlite() }
    /// A collation that differs from the default and that the database has.
    var collation: String { "NOCASE" }

    func people(_ collation: String?) -> MetaData {
        models { m in
            var name = Column("name", .string(40))
            name.collation = collation
            Table("people", m, Column("id", .integer, primaryKey: true), name)
        }
    }

    func testCollationIsCreatedReflectedComparedAndAltered() throws {
        let db = try database()
        try roundTrip(db, before: people(nil), after: people(collation), expect: ["alter_column"])
        try db.project().runner().upgrade(to: "head")
        XCTAssertEqual(try Inspector(try db.engine()).table("people").column(named: "name")?.collation, collation)
        XCTAssertEqual(try db.compare(people(nil)).summaryLines, ["changed people.name: collation \(collation) -> default"])
        XCTAssertEqual(try db.compare(people(collation)).summaryLines, [])
    }

    func testANewTableWithACollationHasNoPhantomDifference() throws {
        let db = try database()
        let diff = try db.migrate(to: people(collation))
        guard case .createTable(let spec)? = diff.upgrade.first else { return XCTFail("\(diff.upgrade)") }
        XCTAssertEqual(spec.columns.last?.collation, collation, "create_table carries it")
        XCTAssertEqual(try db.compare(people(collation)).summaryLines, [])
    }

    func testMetadataJSONAndRevisionFilesSpellIt() throws {
        let json = MetadataJSON.render(people(collation))
        XCTAssertTrue(json.contains("\"collation\": \"\(collation)\""), json)
        XCTAssertEqual(try MetadataJSON.parse(Data(json.utf8)).table("people")?.column(named: "name")?.collation, collation)
    }
}

final class ColumnCollationPostgresTests: ColumnCollationTests {
    override func database() throws -> AutogenerateProject { try .postgres() }
    override var collation: String { "C" }
    // Listed again: test discovery on Linux does not find inherited test methods.
    override func testCollationIsCreatedReflectedComparedAndAltered() throws { try super.testCollationIsCreatedReflectedComparedAndAltered() }
    override func testANewTableWithACollationHasNoPhantomDifference() throws { try super.testANewTableWithACollationHasNoPhantomDifference() }
    override func testMetadataJSONAndRevisionFilesSpellIt() throws { try super.testMetadataJSONAndRevisionFilesSpellIt() }
}
