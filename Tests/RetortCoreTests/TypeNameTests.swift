import Foundation
import XCTest
@testable import RetortCore

/// Compact type names, per-dialect spellings and value processing.
final class TypeNameTests: XCTestCase {
    let canonical: [(String, SQLType)] = [
        ("integer", .integer), ("bigint", .bigint), ("smallint", .smallint), ("string", .string),
        ("string(100)", .string(100)), ("text", .text), ("boolean", .boolean), ("float", .float),
        ("double", .double), ("numeric", .numeric), ("numeric(12)", .numeric(precision: 12, scale: nil)),
        ("numeric(10,2)", .numeric(10, 2)), ("date", .date), ("datetime", .datetime),
        ("datetime(timezone)", .datetime(timezone: true)), ("time", .time), ("binary", .binary), ("json", .json),
        ("uuid", .uuid), ("enum(book_format)", .enum("book_format", [])), ("sql(INTEGER[])", .sql("INTEGER[]")),
        ("sql(character varying(20))", .sql("character varying(20)")),
    ]

    func testPrintsCompactNames() {
        for (name, type) in canonical { XCTAssertEqual(type.name, name) }
        XCTAssertEqual(SQLType.enum("book_format", ["a", "b"]).name, "enum(book_format)")
        XCTAssertEqual("\(SQLType.numeric(5, 0))", "numeric(5,0)")
    }

    func testParsesCompactNames() throws {
        for (name, type) in canonical { XCTAssertEqual(try SQLType(name: name), type, name) }
    }

    func testRoundTripIsExact() throws {
        for (name, _) in canonical { XCTAssertEqual(try SQLType(name: name).name, name) }
    }

    func testParseToleratesSpaces() throws {
        XCTAssertEqual(try SQLType(name: " numeric( 10 , 2 ) "), .numeric(10, 2))
        XCTAssertEqual(try SQLType(name: "string( 5 )").name, "string(5)")
    }

    func testEnumValuesComeFromTheEnumList() throws {
        let t = try SQLType(name: "enum(book_format)", enums: ["book_format": ["hardcover", "ebook"]])
        XCTAssertEqual(t, .enum("book_format", ["hardcover", "ebook"]))
        XCTAssertEqual(t.enumDefinition?.values, ["hardcover", "ebook"])
    }

    func testBadNamesAreErrorsNamingThemAndListingValidOnes() {
        for bad in ["strin", "string(x)", "string(1,2)", "numeric(1,2,3)", "datetime(utc)", "enum()", "sql()", "integer(4)",
                    "string(", "", "numeric(-1)", "enum(a,b)"] {
            XCTAssertThrowsError(try SQLType(name: bad), bad) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("'\(bad)'"), text)
                XCTAssertTrue(text.contains("valid type names: integer, bigint"), text)
                XCTAssertTrue(text.contains("enum(NAME)"), text)
            }
        }
    }

    func testSameNameIgnoresEnumValues() {
        XCTAssertTrue(SQLType.enum("m", ["a"]).hasSameName(as: .enum("m", [])))
        XCTAssertFalse(SQLType.string(10).hasSameName(as: .string(11)))
    }

    func testTypeFlags() {
        XCTAssertTrue(SQLType.bigint.isInteger)
        XCTAssertTrue(SQLType.numeric(1, 0).isNumeric)
        XCTAssertTrue(SQLType.enum("x", []).isTextual)
        XCTAssertFalse(SQLType.json.isTextual)
    }

    // MARK: DDL spelling

    func testSQLiteSpellings() throws {
        let tc = Dialect.sqlite.typeCompiler
        let expected: [(SQLType, String)] = [
            (.integer, "INTEGER"), (.bigint, "BIGINT"), (.smallint, "SMALLINT"), (.string(20), "VARCHAR(20)"),
            (.string, "VARCHAR"), (.text, "TEXT"), (.boolean, "BOOLEAN"), (.float, "FLOAT"), (.double, "REAL"),
            (.numeric(10, 2), "NUMERIC(10, 2)"), (.numeric, "NUMERIC"), (.date, "DATE"), (.datetime, "DATETIME"),
            (.datetime(timezone: true), "DATETIME"), (.time, "TIME"), (.binary, "BLOB"), (.json, "JSON"),
            (.uuid, "CHAR(36)"), (.enum("m", ["ok", "unhappy"]), "VARCHAR(7)"), (.sql("INT[]"), "INT[]"),
        ]
        for (t, s) in expected { XCTAssertEqual(try tc.typeName(t), s, t.name) }
        XCTAssertEqual(try tc.autoincrementTypeName(.bigint), "INTEGER")
    }

    func testPostgreSQLSpellings() throws {
        let tc = Dialect.postgresql.typeCompiler
        let expected: [(SQLType, String)] = [
            (.integer, "INTEGER"), (.bigint, "BIGINT"), (.smallint, "SMALLINT"), (.string(20), "VARCHAR(20)"),
            (.text, "TEXT"), (.boolean, "BOOLEAN"), (.float, "REAL"), (.double, "DOUBLE PRECISION"),
            (.numeric(10, 2), "NUMERIC(10, 2)"), (.date, "DATE"), (.datetime, "TIMESTAMP WITHOUT TIME ZONE"),
            (.datetime(timezone: true), "TIMESTAMP WITH TIME ZONE"), (.time, "TIME"), (.binary, "BYTEA"),
            (.json, "JSONB"), (.uuid, "UUID"), (.enum("book_format", ["a"]), "book_format"),
            (.enum("Mood", ["a"]), "\"Mood\""),
        ]
        for (t, s) in expected { XCTAssertEqual(try tc.typeName(t), s, t.name) }
        XCTAssertEqual(try tc.autoincrementTypeName(.bigint), "BIGINT")
    }

    // MARK: Processing

    func testDateBindsByColumnType() {
        let d = Date(timeIntervalSince1970: 1_700_000_000.25)  // 2023-11-14 22:13:20.25 UTC
        XCTAssertEqual(SQLType.date.processBind(.timestamp(d)), .text("2023-11-14"))
        XCTAssertEqual(SQLType.time.processBind(.timestamp(d)), .text("22:13:20.250000"))
        XCTAssertEqual(SQLType.datetime.processBind(.timestamp(d)), .timestamp(d))
    }

    func testNumericAndOtherBinds() {
        XCTAssertEqual(SQLType.numeric(10, 2).processBind(.real(0.1)), .decimal(Decimal(string: "0.1")!))
        XCTAssertEqual(SQLType.boolean.processBind(.integer(1)), .bool(true))
        let u = UUID()
        XCTAssertEqual(SQLType.uuid.processBind(.text(u.uuidString)), .uuid(u))
        XCTAssertEqual(SQLType.text.processBind(.uuid(u)), .text(u.uuidString.lowercased()))
        XCTAssertEqual(SQLType.json.processBind(.blob(Data("{\"a\":1}".utf8))), .text("{\"a\":1}"))
        XCTAssertEqual(SQLType.integer.processBind(.null), .null)
    }

    func testResultProcessing() {
        XCTAssertEqual(SQLType.numeric(10, 2).processResult(.real(12.5)), .decimal(Decimal(string: "12.50")!))
        XCTAssertEqual(SQLType.numeric(10, 2).processResult(.text("99.99")), .decimal(Decimal(string: "99.99")!))
        XCTAssertEqual(SQLType.boolean.processResult(.integer(0)), .bool(false))
        XCTAssertEqual(SQLType.boolean.processResult(.text("t")), .bool(true))
        let u = UUID()
        XCTAssertEqual(SQLType.uuid.processResult(.text(u.uuidString.lowercased())), .uuid(u))
    }

    func testComparisonBindsWithColumnType() throws {
        let day = Date(timeIntervalSince1970: 0)
        let c = try select(Library.authors.c.id).where(Library.authors.c.born == day).compile(for: .sqlite)
        XCTAssertEqual(c.bindings, [.value(.text("1970-01-01"))])
    }
}
