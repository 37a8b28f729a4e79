import Foundation
import Retort
import XCTest

/// The generated encoder and setter on their own: the values they produce, and errors
/// that name the property at fault.
final class ModelValueTests: XCTestCase {
    func testValuesAreTheBoundForms() {
        let sample = Sample(key: UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!)
        func value(_ property: String) -> SQLValue {
            sample._value(at: Sample.mapping.index(ofProperty: property)!)
        }
        XCTAssertEqual(value("key"), .uuid(sample.key))
        XCTAssertEqual(value("text"), .text("Ursula"))
        XCTAssertEqual(value("optionalText"), .null)
        XCTAssertEqual(value("int64"), .integer(Int64.max))
        XCTAssertEqual(value("float"), .real(1.5))
        XCTAssertEqual(value("flag"), .bool(true))
        XCTAssertEqual(value("amount"), .decimal(Decimal(string: "12345.67")!))
        XCTAssertEqual(value("blob"), .blob(Data([0, 1, 2, 254, 255])))
        XCTAssertEqual(value("at"), .timestamp(Date(timeIntervalSince1970: 1_763_700_000)))
        XCTAssertEqual(value("format"), .text("ebook"), "an enum is bound as its raw value")
        XCTAssertEqual(value("maybeFormat"), .null)
        XCTAssertEqual(value("priority"), .integer(3))
        XCTAssertEqual(value("maybePriority"), .integer(1))
        XCTAssertEqual(value("mood"), .text("stormy"), "a CaseIterable-only enum too")
        XCTAssertEqual(value("email"), .text("u@example.org"))
    }

    func testSetValueConvertsDatabaseRepresentations() throws {
        let sample = Sample(key: UUID())
        let index = { Sample.mapping.index(ofProperty: $0)! }
        try sample._setValue(.text("2025-11-21 04:40:00"), at: index("at"))
        XCTAssertEqual(sample.at, Date(timeIntervalSince1970: 1_763_700_000))
        try sample._setValue(.integer(1), at: index("flag"))
        XCTAssertEqual(sample.flag, true)
        try sample._setValue(.text("hardcover"), at: index("maybeFormat"))
        XCTAssertEqual(sample.maybeFormat, .hardcover)
        try sample._setValue(.null, at: index("maybeFormat"))
        XCTAssertNil(sample.maybeFormat)
        try sample._setValue(.integer(2), at: index("maybePriority"))
        XCTAssertEqual(sample.maybePriority, .normal)
        try sample._setValue(.text("calm"), at: index("mood"))
        XCTAssertEqual(sample.mood, .calm)
        try sample._setValue(.real(7.25), at: index("amount"))
        XCTAssertEqual(sample.amount, Decimal(string: "7.25"))
    }

    func testErrorsNameTheProperty() {
        let author = Author(name: "Ursula")
        XCTAssertThrowsError(try author._setValue(.null, at: 1)) { error in
            XCTAssertEqual((error as? DataError)?.message, "Author.name: cannot read NULL as String; read it as String? instead")
        }
        XCTAssertEqual(author.name, "Ursula", "a failed set leaves the property as it was")
        let sample = Sample(key: UUID())
        XCTAssertThrowsError(try sample._setValue(.text("sunny"), at: Sample.mapping.index(ofProperty: "mood")!)) { error in
            XCTAssertEqual((error as? DataError)?.message, "Sample.mood: sunny is not a value of Mood")
        }
        XCTAssertThrowsError(try sample._setValue(.integer(9), at: Sample.mapping.index(ofProperty: "priority")!)) { error in
            XCTAssertEqual((error as? DataError)?.message, "Sample.priority: 9 is not a value of Priority")
        }
        XCTAssertThrowsError(try sample._setValue(.integer(70_000), at: Sample.mapping.index(ofProperty: "int16")!)) { error in
            XCTAssertEqual((error as? DataError)?.message, "Sample.int16: value 70000 is out of range for Int16")
        }
    }

    func testEnumColumnTypesComeFromTheSwiftTypes() {
        let table = Sample.mapping.table
        XCTAssertEqual(table.column(named: "format")?.type, .enum("book_format", ["hardcover", "paperback", "ebook"]))
        XCTAssertEqual(table.column(named: "mood")?.type, .enum("mood", ["calm", "stormy"]))
        XCTAssertEqual(table.column(named: "priority")?.type, .integer)
        XCTAssertEqual(table.column(named: "email")?.type, .string(320))
        XCTAssertEqual(SQLType.enum(Mood.self, name: "weather"), .enum("weather", ["calm", "stormy"]))
    }
}

extension ModelValueTests {
    func testPropertyNamesThatShadowGeneratedNamesStillWork() throws {
        let a = AwkwardNames()
        XCTAssertEqual(AwkwardNames.mapping.table.columns.map(\.name),
            ["id", "state", "value", "index", "decoder", "source", "c", "default"])
        XCTAssertEqual((0..<8).map { a._value(at: $0) }, [.null, "new", 1, 2, "d", "s", 3, false])
        let b = AwkwardNames()
        let values: [SQLValue] = [7, "done", 10, 20, "x", "y", 30, true]
        for (i, v) in values.enumerated() { try b._setValue(v, at: i) }
        XCTAssertEqual(b.id, 7)
        XCTAssertEqual(b.state, "done")
        XCTAssertEqual(b.value, 10)
        XCTAssertEqual(b.c, 30)
        XCTAssertEqual(b.default, true)
        XCTAssertEqual(
            try select(AwkwardNames.columns.state).where(AwkwardNames.columns.c == 3).compile(for: .sqlite).sql,
            "SELECT awkward_names.state FROM awkward_names WHERE awkward_names.c = ?")
    }
}
