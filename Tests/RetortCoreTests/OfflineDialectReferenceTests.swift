import Foundation
import XCTest
@testable import RetortCore

/// Oracle's and SQL Server's SQL, checked against SQLAlchemy's own compilers: the
/// reference outputs in `Reference/offline_reference.json` were made by
/// `Reference/make_reference.py` (SQLAlchemy with literal values inlined). Retort's
/// SQL, with its values inlined by ``Dialect/literalSQL(_:_:)``, must match modulo
/// whitespace, or differ only where ``differences`` says why.
final class OfflineDialectReferenceTests: XCTestCase {
    let a = Library.authors
    let b = Library.books

    /// The reference table, read from its file.
    static func reference() -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/offline_reference.json")
        let data = (try? Data(contentsOf: url)) ?? Data("{}".utf8)
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// The dialects under test, by the names the reference uses.
    let dialects: [(String, Dialect)] = [("oracle", .oracle), ("mssql", .mssql)]

    /// Whitespace collapsed and dropped around punctuation; on SQL Server `N'…'` read as
    /// `'…'` (Retort writes every text literal national, so that non-Latin text survives
    /// NVARCHAR columns; SQLAlchemy only for Unicode-typed values).
    static func normalized(_ sql: String, national: Bool) -> String {
        var s = sql.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
        s = s.replacingOccurrences(of: #"\s*([(),=])\s*"#, with: "$1", options: .regularExpression)
        if national { s = s.replacingOccurrences(of: #"(?<![A-Za-z0-9_])N'"#, with: "'", options: .regularExpression) }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// The Core statements, by the reference's case names.
    var statements: [String: any Executable] {
        let al = a.alias("a")
        return [
            "select_where": select(a.c.name).where(a.c.id == 5),
            "select_limit": select(a.c.name).orderBy(a.c.name).limit(10),
            "select_limit_offset": select(a.c.name).orderBy(a.c.name).limit(10).offset(20),
            "select_alias": select(al.c.name).where(al.c.id == 1),
            "select_join": select(b.c.title, a.c.name).selectFrom(b.join(a, on: b.c.author_id == a.c.id)),
            "select_boolean": select(a.c.name).where(a.c.active == true),
            "select_boolean_column": select(a.c.name).where(a.c.active),
            "select_not_boolean_column": select(a.c.name).where(!a.c.active),
            "select_boolean_and": select(a.c.name).where(a.c.active && a.c.id > 1),
            "select_case_boolean": select(caseWhen(.when(a.c.active, then: "yes"), else: "no").label("anon_1")),
            "select_in": select(a.c.name).where(a.c.id.in([1, 2, 3])),
            "select_like": select(a.c.name).where(a.c.name.like("U%")),
            "select_ilike": select(a.c.name).where(a.c.name.ilike("u%")),
            "select_group": select(b.c.author_id, fn.count().label("count_1")).groupBy(b.c.author_id).having(fn.count() > 2),
            "select_except": except(select(a.c.id), select(b.c.author_id)),
            "select_union": union(select(a.c.id), select(b.c.author_id)),
            "select_distinct": select(a.c.name).distinct(),
            "select_concat": select(a.c.name.concat(a.c.email).label("anon_1")),
            "select_char_length": select(fn.length(a.c.name).label("char_length_1")),
            "select_now": select(fn.now().label("now_1")),
            "select_group_concat": select(fn.groupConcat(b.c.title, ",").label("aggregate_strings_1")),
            "select_cast": select(cast(a.c.id, .string(20)).label("id")),
            "select_text_literal": select(literal("O'Brien").label("anon_1")),
            "insert": a.insert().values(["name": "Ursula"]),
            "insert_returning": a.insert().values(["name": "Ursula"]).returning(a.c.id),
            "update": a.update().where(a.c.id == 1).values(["name": "Octavia"]),
            "update_returning": a.update().where(a.c.id == 1).values(["name": "Octavia"]).returning(a.c.id),
            "delete": a.delete().where(a.c.id == 1),
            "delete_returning": a.delete().where(a.c.id == 1).returning(a.c.id),
        ]
    }

    /// Where Retort differs from SQLAlchemy on purpose: (case, dialect) -> why.
    static let differences: [String: String] = [
        "insert/oracle": "SQLAlchemy adds RETURNING of the primary key on its own; Retort returns only what is asked",
        "insert/mssql": "SQLAlchemy adds OUTPUT inserted.id on its own; Retort returns only what is asked",
        "select_limit/mssql": "Retort's limit is a bound value, and a bound TOP needs parentheses: TOP (10)",
        "select_limit_offset/mssql": "SQLAlchemy without a server version pages with ROW_NUMBER() for 2008; Retort targets 2017+: OFFSET/FETCH",
        "select_now/oracle": "SYSTIMESTAMP (the issue's choice: the server's clock with fractional seconds and zone), not CURRENT_TIMESTAMP",
        "select_now/mssql": "SYSDATETIME() gives DATETIME2 precision; CURRENT_TIMESTAMP is a DATETIME (3 ms)",
        "select_cast/mssql": "Retort's strings are national on SQL Server: CAST(... AS NVARCHAR(20))",
        "select_case_boolean/oracle": "SQLAlchemy leaves the bare NUMBER(1) column as the WHEN, which 19c rejects; Retort compares it with 1",
        "select_case_boolean/mssql": "SQLAlchemy leaves the bare BIT column as the WHEN, which SQL Server rejects; Retort compares it with 1",
    ]

    /// Where Oracle 23ai (``Dialect/oracle23``) differs from SQLAlchemy connected to 23ai,
    /// besides what ``differences`` lists for Oracle: (case) -> why.
    static let oracle23Differences: [String: String] = [
        "select_boolean": "23ai's BOOLEAN compares with TRUE; SQLAlchemy writes 1, which 23ai converts",
    ]

    func testCoreStatementsMatchSQLAlchemy() throws {
        try compareCore(dialects, differences: Self.differences)
    }

    /// Oracle 23ai against SQLAlchemy's Oracle dialect as it is once connected to a 23ai
    /// server (`oracle23` in the reference).
    func testOracle23MatchesSQLAlchemy() throws {
        var differences: [String: String] = [:]
        // 19c's differences apply, but for its numeric booleans: 23ai has BOOLEAN.
        for (key, why) in Self.differences where key.hasSuffix("/oracle") && !key.hasPrefix("select_case_boolean/") {
            differences[String(key.dropLast("oracle".count)) + "oracle23"] = why
        }
        for (name, why) in Self.oracle23Differences { differences[name + "/oracle23"] = why }
        try compareCore([("oracle23", .oracle23)], differences: differences)
        let types = try XCTUnwrap(Self.reference()["types"] as? [String: [String: Any]], "reference data missing")
        XCTAssertEqual(types["boolean"]?["oracle23"] as? String, "BOOLEAN")
        XCTAssertEqual(try Dialect.oracle23.typeCompiler.typeName(.boolean), "BOOLEAN")
    }

    func compareCore(_ dialects: [(String, Dialect)], differences: [String: String]) throws {
        let core = try XCTUnwrap(Self.reference()["core"] as? [String: [String: Any]], "reference data missing")
        var compared = 0
        for (name, statement) in statements.sorted(by: { $0.key < $1.key }) {
            let expected = try XCTUnwrap(core[name], "no reference for \(name)")
            for (dialectName, dialect) in dialects {
                let ours = try dialect.literalSQL(statement.compile(for: dialect))
                guard let theirs = expected[dialectName] as? String else {
                    XCTFail("\(name)/\(dialectName): SQLAlchemy refused it: \(expected[dialectName] ?? "")")
                    continue
                }
                let national = dialect.name == Dialect.mssql.name
                let same = Self.normalized(ours, national: national) == Self.normalized(theirs, national: national)
                if let why = differences["\(name)/\(dialectName)"] {
                    XCTAssertFalse(same, "\(name)/\(dialectName) is listed as a difference (\(why)) but matches: drop it from the list")
                } else {
                    XCTAssertTrue(same, "\(name)/\(dialectName):\n  retort:     \(ours)\n  sqlalchemy: \(theirs)")
                }
                compared += 1
            }
        }
        XCTAssertEqual(compared, statements.count * dialects.count)
    }

    /// Type names where Retort differs from SQLAlchemy, and why.
    static let typeDifferences: [String: String] = [
        "boolean/oracle": "SQLAlchemy on 19c writes SMALLINT; Retort NUMBER(1), which its CHECK keeps to 0 and 1",
        "float/oracle": "Swift's Float is IEEE single precision: BINARY_FLOAT (Oracle's FLOAT is a decimal NUMBER)",
        "double/oracle": "Swift's Double is IEEE double precision: BINARY_DOUBLE",
        "numeric(10,2)/oracle": "Oracle's own name, NUMBER(10, 2) (NUMERIC is stored as it)",
        "datetime/oracle": "Oracle's DATE drops fractional seconds; TIMESTAMP keeps microseconds",
        "datetime(timezone)/oracle": "TIMESTAMP WITH TIME ZONE keeps the offset; DATE keeps neither it nor fractions",
        "time/oracle": "Oracle has no time-of-day type; SQLAlchemy writes TIME, which Oracle rejects, Retort refuses",
        "json/oracle": "the JSON type needs 21c; 19c keeps JSON in a CLOB",
        "uuid/oracle": "RAW(16): 16 bytes rather than 32 hex characters",
        "string(50)/mssql": "national: NVARCHAR(50) keeps any Unicode text",
        "text/mssql": "TEXT is deprecated: NVARCHAR(max)",
        "binary/mssql": "IMAGE is deprecated: VARBINARY(max)",
        "date/mssql": "SQLAlchemy without a server version assumes SQL Server 2005; 2008+ has DATE",
        "datetime/mssql": "DATETIME2 keeps microseconds (DATETIME rounds to 3 ms)",
        "time/mssql": "SQL Server 2008+ has TIME",
        "float/mssql": "single precision is REAL (FLOAT is FLOAT(53))",
        "double/mssql": "FLOAT is FLOAT(53), the same type as DOUBLE PRECISION under its own name",
    ]

    func testTypeNamesMatchSQLAlchemy() throws {
        let types = try XCTUnwrap(Self.reference()["types"] as? [String: [String: Any]], "reference data missing")
        XCTAssertEqual(types.count, 16)
        for (typeName, expected) in types.sorted(by: { $0.key < $1.key }) {
            let type = try SQLType(name: typeName)
            for (dialectName, dialect) in dialects {
                let ours = (try? dialect.typeCompiler.typeName(type)) ?? "(refused)"
                let theirs = expected[dialectName] as? String ?? "(refused)"
                let same = Self.normalized(ours, national: false) == Self.normalized(theirs, national: false)
                if let why = Self.typeDifferences["\(typeName)/\(dialectName)"] {
                    XCTAssertFalse(same, "\(typeName)/\(dialectName) is listed as a difference (\(why)) but matches")
                } else {
                    XCTAssertTrue(same, "\(typeName)/\(dialectName): retort \(ours), sqlalchemy \(theirs)")
                }
            }
        }
    }
}
