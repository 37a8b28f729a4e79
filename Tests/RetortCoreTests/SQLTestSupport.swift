import XCTest
@testable import RetortCore

/// A small library schema the compiler tests share.
enum Library {
    static let metadata = MetaData()
    static let authors = Table("authors", metadata,
        Column("id", .integer, primaryKey: true),
        Column("name", .string(100), nullable: false),
        Column("email", .string(255), unique: true),
        Column("born", .date),
        Column("active", .boolean))
    static let books = Table("books", metadata,
        Column("id", .integer, primaryKey: true),
        Column("title", .string(200), nullable: false),
        Column("author_id", .integer, foreignKey: "authors.id", onDelete: .cascade),
        Column("pages", .integer),
        Column("price", .numeric(10, 2)),
        Column("format", .enum("book_format", ["hardcover", "paperback", "ebook"])))
    static let reviews = Table("reviews", metadata,
        Column("id", .integer, primaryKey: true),
        Column("book_id", .integer, foreignKey: "books.id"),
        Column("stars", .smallint),
        Column("body", .text))
    static let nodes = Table("nodes", metadata,
        Column("id", .integer, primaryKey: true),
        Column("parent_id", .integer, foreignKey: "nodes.id"),
        Column("label", .string(50)))
}

/// Compiles `statement` for SQLite and PostgreSQL and checks both SQL strings and the bound values.
func assertSQL(
    _ statement: some Executable, sqlite: String, postgresql: String? = nil, values: [SQLValue]? = nil,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let s = try statement.compile(for: .sqlite)
        XCTAssertEqual(s.sql, sqlite, "SQLite", file: file, line: line)
        let pg = try statement.compile(for: .postgresql)
        XCTAssertEqual(pg.sql, postgresql ?? numbered(sqlite), "PostgreSQL", file: file, line: line)
        if let values {
            XCTAssertEqual(s.bindings, values.map { .value($0) }, "SQLite bindings", file: file, line: line)
            XCTAssertEqual(pg.bindings, values.map { .value($0) }, "PostgreSQL bindings", file: file, line: line)
        }
    } catch {
        XCTFail("compiling threw \(error)", file: file, line: line)
    }
}

/// The SQLite text with `?` replaced by `$1..$n` (outside quotes).
func numbered(_ sql: String) -> String {
    var out = ""
    var n = 0
    var quote: Character? = nil
    for ch in sql {
        if let q = quote {
            if ch == q { quote = nil }
            out.append(ch)
        } else if ch == "'" || ch == "\"" {
            quote = ch
            out.append(ch)
        } else if ch == "?" {
            n += 1
            out += "$\(n)"
        } else {
            out.append(ch)
        }
    }
    return out
}

/// Asserts compiling throws an error whose description contains every fragment.
func assertCompileError(
    _ statement: some Executable, _ dialect: Dialect, contains fragments: [String],
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let c = try statement.compile(for: dialect)
        XCTFail("expected an error, got \(c.sql)", file: file, line: line)
    } catch {
        let text = "\(error)"
        for f in fragments where !text.contains(f) {
            XCTFail("error \"\(text)\" lacks \"\(f)\"", file: file, line: line)
        }
    }
}

/// Compiles `statement` for both dialects and checks the SQL and values it executes
/// with once its lists are expanded for `parameters`.
func assertExpanded(
    _ statement: some Executable, _ parameters: Parameters = [:],
    sqlite: String, _ sqliteValues: [SQLValue], postgresql: String, _ postgresqlValues: [SQLValue],
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let s = try statement.compile(for: .sqlite).resolve(parameters, for: .sqlite)
        XCTAssertEqual(s.sql, sqlite, "SQLite", file: file, line: line)
        XCTAssertEqual(s.values, sqliteValues, "SQLite values", file: file, line: line)
        let pg = try statement.compile(for: .postgresql).resolve(parameters, for: .postgresql)
        XCTAssertEqual(pg.sql, postgresql, "PostgreSQL", file: file, line: line)
        XCTAssertEqual(pg.values, postgresqlValues, "PostgreSQL values", file: file, line: line)
    } catch {
        XCTFail("compiling threw \(error)", file: file, line: line)
    }
}
