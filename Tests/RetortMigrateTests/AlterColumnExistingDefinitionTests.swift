import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// `alter_column` carries the column's existing definition (type, nullability, default,
/// comment): autogenerate writes it, and where ALTER restates the whole column (MySQL's
/// MODIFY) it keeps what the operation leaves unchanged.
class AlterColumnExistingDefinitionTests: XCTestCase {
    func database() throws -> AutogenerateProject { try .sqlite() }

    func books(isbn: SQLType, comment: String? = "ISBN-13: # digits") -> MetaData {
        models { m in
            _ = Table("books", m, Column("id", .integer, primaryKey: true),
                      Column("isbn", isbn, nullable: false, serverDefault: "'none'", comment: comment))
        }
    }

    /// A type change leaves the column NOT NULL with its default and comment, both ways.
    func testAutogenerateWritesTheExistingDefinitionAndTheChangeKeepsTheRest() throws {
        let db = try database()
        let before = books(isbn: .string(13)), after = books(isbn: .string(20))
        try db.migrate(to: before, message: "before")
        let schemaBefore = try db.snapshot()
        let diff = try db.migrate(to: after, message: "after")
        guard case .alterColumn(let up) = try XCTUnwrap(diff.upgrade.first),
              case .alterColumn(let down) = try XCTUnwrap(diff.downgrade.last) else {
            return XCTFail("\(diff.upgrade) / \(diff.downgrade)")
        }
        let keepsComments = try db.engine().dialect.supportsComments
        for spec in [up, down] {
            XCTAssertEqual(spec.existingNullable, false)
            XCTAssertNotNil(spec.existingServerDefault ?? nil, "the default, as reflected")
            XCTAssertEqual(spec.existingComment, .some(keepsComments ? "ISBN-13: # digits" : nil))
        }
        XCTAssertEqual(up.existingType, "string(13)")
        XCTAssertEqual(down.existingType, "string(20)")
        let file = try XCTUnwrap(try db.project().graph.order.compactMap { try db.project().graph.revision($0) }
            .first { $0.message == "after" }?.path)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertTrue(text.contains("existing_comment: "), text)
        XCTAssertTrue(text.contains("existing_nullable: false"), text)

        XCTAssertEqual(try db.compare(after).summaryLines, [], "NOT NULL, the default and the comment stay")
        try db.project().runner().downgrade(to: "-1")
        XCTAssertEqual(try db.snapshot(), schemaBefore, "downgrade -1 restores the column whole")
    }

    /// A comment change alone keeps the type, NOT NULL and the default.
    func testACommentChangeKeepsTheRestOfTheColumn() throws {
        let db = try database()
        guard try db.engine().dialect.supportsComments else { throw XCTSkip("the database keeps no comments") }
        let before = books(isbn: .string(13)), after = books(isbn: .string(13), comment: "the book's ISBN")
        try db.migrate(to: before, message: "before")
        let schemaBefore = try db.snapshot()
        try db.migrate(to: after, message: "after")
        XCTAssertEqual(try db.compare(after).summaryLines, [])
        try db.project().runner().downgrade(to: "-1")
        XCTAssertEqual(try db.snapshot(), schemaBefore)
    }
}

final class PostgreSQLAlterColumnExistingDefinitionTests: AlterColumnExistingDefinitionTests {
    override func database() throws -> AutogenerateProject { try .postgres() }
    // Listed again: test discovery on Linux does not find inherited test methods.
    override func testAutogenerateWritesTheExistingDefinitionAndTheChangeKeepsTheRest() throws {
        try super.testAutogenerateWritesTheExistingDefinitionAndTheChangeKeepsTheRest()
    }
    override func testACommentChangeKeepsTheRestOfTheColumn() throws { try super.testACommentChangeKeepsTheRestOfTheColumn() }
}
