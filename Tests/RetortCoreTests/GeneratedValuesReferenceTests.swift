import Foundation
import XCTest
@testable import RetortCore

/// Identity columns, sequences and computed columns on Oracle and SQL Server, checked
/// against SQLAlchemy's compilers: `Reference/generated_reference.json`, made by
/// `Reference/make_generated_reference.py`. Retort's SQL must match modulo whitespace
/// once the reference is rewritten by ``differences`` (each rewrite says why), and a
/// construct SQLAlchemy refuses Retort refuses too.
final class GeneratedValuesReferenceTests: XCTestCase {
    static func reference() -> [String: [String: Any]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/generated_reference.json")
        let data = (try? Data(contentsOf: url)) ?? Data("{}".utf8)
        let object = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return object["cases"] as? [String: [String: Any]] ?? [:]
    }

    /// The same constructs, declared with Retort.
    func statements() -> [String: any Executable] {
        let seq = DatabaseSequence("order_no", options: SequenceOptions(start: 1000, increment: 10, maxValue: 99999, cycle: true, cache: 20))
        let orders = Table("orders", MetaData(),
                           Column("id", .bigint, primaryKey: true, identity: Identity(always: true, start: 100, increment: 5)),
                           Column("price", .integer, nullable: false),
                           Column("quantity", .integer, nullable: false),
                           Column("total", .bigint, computed: Computed("price * quantity")))
        let stored = Table("stored", MetaData(), Column("a", .integer), Column("b", .integer, computed: Computed("a * 2", stored: true)))
        let virtual = Table("virt", MetaData(), Column("a", .integer), Column("b", .integer, computed: Computed("a * 2", stored: false)))
        return [
            "create_table_identity_computed": CreateTable(orders),
            "create_table_computed_stored": CreateTable(stored),
            "create_table_computed_virtual": CreateTable(virtual),
            "create_sequence": CreateSequence(seq),
            "drop_sequence": DropSequence("order_no"),
            "select_next_value": select(seq.nextValue()),
        ]
    }

    /// Rewrites of the reference where Retort differs on purpose, one reason each.
    let differences: [(dialect: String, pattern: String, replacement: String, why: String)] = [
        ("*", #"PRIMARY KEY \("#, "CONSTRAINT pk_orders PRIMARY KEY (", "Retort names every key by its naming convention"),
        ("*", " AS next_value_1", "", "Retort leaves an expression column of a SELECT unlabelled"),
        ("mssql", #"(?<!NOT) NULL(,|\n)"#, "$1", "SQLAlchemy spells out NULL on SQL Server; NULL is the default there"),
        ("mssql", #"NOT NULL IDENTITY\((\d+),(\d+)\)"#, "IDENTITY($1,$2) NOT NULL", "the clauses in either order mean the same"),
        ("oracle", #"AS IDENTITY \(INCREMENT BY 5 START WITH 100\),"#, "AS IDENTITY (INCREMENT BY 5 START WITH 100) NOT NULL,",
         "Retort states NOT NULL on a key column; an identity implies it"),
    ]

    func normalized(_ sql: String) -> String {
        var s = sql.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
        s = s.replacingOccurrences(of: #"\s*([(),=])\s*"#, with: "$1", options: .regularExpression)
        return s.trimmingCharacters(in: .whitespaces)
    }

    func testMatchesSQLAlchemy() throws {
        let reference = Self.reference()
        XCTAssertEqual(reference.count, 6, "the reference file is there")
        for (name, statement) in statements().sorted(by: { $0.key < $1.key }) {
            for (dialectName, dialect) in [("oracle", Dialect.oracle), ("mssql", Dialect.mssql)] {
                let expected = try XCTUnwrap(reference[name]?[dialectName], "\(name) \(dialectName)")
                if let error = expected as? [String: Any] {
                    XCTAssertThrowsError(try statement.compile(for: dialect), "\(name) on \(dialectName): SQLAlchemy says \(error)")
                    continue
                }
                var text = try XCTUnwrap(expected as? String)
                for d in differences where d.dialect == "*" || d.dialect == dialectName {
                    text = text.replacingOccurrences(of: d.pattern, with: d.replacement, options: .regularExpression)
                }
                let sql = try statement.compile(for: dialect).sql
                XCTAssertEqual(normalized(sql), normalized(text), "\(name) on \(dialectName)")
            }
        }
    }
}
