import Foundation

/// The compact type names of revision files and metadata JSON: printing and parsing.
///
/// ```swift
/// SQLType.numeric(10, 2).name                        // "numeric(10,2)"
/// try SQLType(name: "string(100)")                   // .string(100)
/// try SQLType(name: "enum(book_format)", enums: ["book_format": ["hardcover", "ebook"]])
/// try SQLType(name: "strin")                         // ArgumentError: unknown type name 'strin'; ...
/// ```
extension SQLType: CustomStringConvertible {
    /// The compact name: `integer`, `string(100)`, `numeric(10,2)`, `datetime(timezone)`,
    /// `enum(book_format)`, `sql(INTEGER[])`. ``init(name:enums:)`` reads it back exactly.
    public var name: String {
        switch self {
        case .integer: return "integer"
        case .bigint: return "bigint"
        case .smallint: return "smallint"
        case .string(let length):
            if let length { return "string(\(length))" }
            return "string"
        case .text: return "text"
        case .boolean: return "boolean"
        case .float: return "float"
        case .double: return "double"
        case .numeric(let p, let s):
            switch (p, s) {
            case (let p?, let s?): return "numeric(\(p),\(s))"
            case (let p?, nil): return "numeric(\(p))"
            default: return "numeric"
            }
        case .date: return "date"
        case .datetime(let tz): return tz ? "datetime(timezone)" : "datetime"
        case .time: return "time"
        case .binary: return "binary"
        case .json: return "json"
        case .uuid: return "uuid"
        case .enum(let name, _): return "enum(\(name))"
        case .sql(let raw): return "sql(\(raw))"
        }
    }

    public var description: String { name }

    /// Every form the parser accepts, for error messages.
    public static let validNames: [String] = [
        "integer", "bigint", "smallint", "string", "string(N)", "text", "boolean", "float", "double",
        "numeric", "numeric(P)", "numeric(P,S)", "date", "datetime", "datetime(timezone)", "time", "binary",
        "json", "uuid", "enum(NAME)", "sql(DATABASE TYPE)",
    ]

    /// Parses a compact type name. `enum(NAME)` takes its values from `enums` (an enum
    /// not listed there parses with no values); `sql(...)` keeps its text verbatim.
    ///
    /// Spaces around the name and after commas are tolerated; ``name`` prints the
    /// canonical form. Throws ``ArgumentError`` naming the bad input and listing the
    /// valid names.
    public init(name input: String, enums: [String: [String]] = [:]) throws {
        // Trimmed by hand: Foundation's CharacterSet trimming was most of the parse,
        // and migrator parses a type name per column of every revision.
        func trimmed(_ text: Substring) -> String {
            guard text.first?.isWhitespace == true || text.last?.isWhitespace == true else { return String(text) }
            return String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        }
        let name = trimmed(input[...])
        func bad(_ why: String? = nil) -> ArgumentError {
            ArgumentError(
                "unknown type name '\(input)'\(why.map { " (\($0))" } ?? ""); valid type names: "
                    + SQLType.validNames.joined(separator: ", "))
        }
        // Split "base(args)".
        let base: String
        let args: String?
        if let open = name.firstIndex(of: "(") {
            guard name.hasSuffix(")") else { throw bad("missing ')'") }
            base = trimmed(name[..<open])
            args = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
        } else {
            base = name
            args = nil
        }
        func integers(_ text: String) throws -> [Int] {
            try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
                let t = trimmed(part)
                guard let v = Int(t), v >= 0 else { throw bad("'\(t)' is not a non-negative integer") }
                return v
            }
        }
        switch (base, args) {
        case ("integer", nil): self = .integer
        case ("bigint", nil): self = .bigint
        case ("smallint", nil): self = .smallint
        case ("string", nil): self = .string(nil)
        case ("string", let a?):
            let n = try integers(a)
            guard n.count == 1 else { throw bad("string takes one length") }
            self = .string(n[0])
        case ("text", nil): self = .text
        case ("boolean", nil): self = .boolean
        case ("float", nil): self = .float
        case ("double", nil): self = .double
        case ("numeric", nil): self = .numeric(precision: nil, scale: nil)
        case ("numeric", let a?):
            let n = try integers(a)
            switch n.count {
            case 1: self = .numeric(precision: n[0], scale: nil)
            case 2: self = .numeric(precision: n[0], scale: n[1])
            default: throw bad("numeric takes a precision and a scale")
            }
        case ("date", nil): self = .date
        case ("datetime", nil): self = .datetime(timezone: false)
        case ("datetime", let a?):
            guard trimmed(a[...]) == "timezone" else {
                throw bad("datetime takes only 'timezone'")
            }
            self = .datetime(timezone: true)
        case ("time", nil): self = .time
        case ("binary", nil): self = .binary
        case ("json", nil): self = .json
        case ("uuid", nil): self = .uuid
        case ("enum", let a?):
            let enumName = trimmed(a[...])
            guard !enumName.isEmpty, !enumName.contains(",") else { throw bad("enum takes one name") }
            self = .enum(name: enumName, values: enums[enumName] ?? [])
        case ("sql", let a?):
            guard !a.isEmpty else { throw bad("sql needs the database's type") }
            self = .sql(a)
        default:
            throw bad()
        }
    }
}
