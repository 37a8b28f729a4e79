/// Literal SQL with named parameters written as `:name`.
///
/// ```swift
/// let rows = try conn.execute(
///     text("SELECT name FROM authors WHERE id = :id OR name = :name"),
///     ["id": 1, "name": "Ursula"]
/// ).all()
/// // SQLite:     SELECT name FROM authors WHERE id = ? OR name = ?
/// // PostgreSQL: SELECT name FROM authors WHERE id = $1 OR name = $2
/// ```
///
/// `:name` inside string literals, quoted identifiers, comments and PostgreSQL
/// dollar-quoted strings is left alone, as is PostgreSQL's `::type` cast. Write `\:`
/// for a literal colon before a word.
public struct TextClause: Executable, Sendable, Hashable {
    /// The SQL as written.
    public let text: String
    /// The SQL between parameters: `segments.count == parameterNames.count + 1`.
    let segments: [String]
    /// The parameters in order of appearance (a name used twice appears twice).
    public let parameterNames: [String]

    public init(_ text: String) {
        self.text = text
        (segments, parameterNames) = TextClause.parse(text)
    }

    public func compile(for dialect: Dialect) -> CompiledStatement {
        var sql = segments[0]
        sql.reserveCapacity(text.utf8.count + parameterNames.count * 2)
        for i in parameterNames.indices {
            sql += dialect.paramStyle.placeholder(i + 1)
            sql += segments[i + 1]
        }
        return CompiledStatement(sql: sql, bindings: parameterNames.map { .named($0) })
    }

    private static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c >= 0x80
    }
    private static func isIdentChar(_ c: UInt8) -> Bool {
        isIdentStart(c) || (c >= 0x30 && c <= 0x39)
    }

    private static func parse(_ text: String) -> ([String], [String]) {
        let b = Array(text.utf8)
        var segments: [String] = []
        var names: [String] = []
        var current: [UInt8] = []
        current.reserveCapacity(b.count)
        var i = 0
        let n = b.count

        /// Copies bytes up to and including the closing `quote`, honouring doubled quotes.
        func copyQuoted(_ quote: UInt8) {
            current.append(b[i])
            i += 1
            while i < n {
                current.append(b[i])
                if b[i] == quote {
                    if i + 1 < n, b[i + 1] == quote {
                        current.append(b[i + 1])
                        i += 2
                        continue
                    }
                    i += 1
                    return
                }
                i += 1
            }
        }

        while i < n {
            let c = b[i]
            switch c {
            case 0x27, 0x22:  // ' "
                copyQuoted(c)
            case 0x2D where i + 1 < n && b[i + 1] == 0x2D:  // -- comment
                while i < n, b[i] != 0x0A {
                    current.append(b[i])
                    i += 1
                }
            case 0x2F where i + 1 < n && b[i + 1] == 0x2A:  // /* comment */
                current.append(contentsOf: [0x2F, 0x2A])
                i += 2
                while i < n {
                    if b[i] == 0x2A, i + 1 < n, b[i + 1] == 0x2F {
                        current.append(contentsOf: [0x2A, 0x2F])
                        i += 2
                        break
                    }
                    current.append(b[i])
                    i += 1
                }
            case 0x24:  // $tag$ ... $tag$ (PostgreSQL dollar quoting); $1 passes through
                var j = i + 1
                while j < n, isIdentChar(b[j]), !(b[j] >= 0x30 && b[j] <= 0x39 && j == i + 1) { j += 1 }
                if j < n, b[j] == 0x24 {
                    let tag = Array(b[i...j])
                    current.append(contentsOf: tag)
                    i = j + 1
                    while i < n {
                        if b[i] == 0x24, i + tag.count <= n, Array(b[i..<(i + tag.count)]) == tag {
                            current.append(contentsOf: tag)
                            i += tag.count
                            break
                        }
                        current.append(b[i])
                        i += 1
                    }
                } else {
                    current.append(c)
                    i += 1
                }
            case 0x5C where i + 1 < n && b[i + 1] == 0x3A:  // \: is a literal colon
                current.append(0x3A)
                i += 2
            case 0x3A:  // :
                if i + 1 < n, b[i + 1] == 0x3A {  // :: cast
                    current.append(contentsOf: [0x3A, 0x3A])
                    i += 2
                } else if i + 1 < n, isIdentStart(b[i + 1]) {
                    var j = i + 1
                    while j < n, isIdentChar(b[j]) { j += 1 }
                    segments.append(String(decoding: current, as: UTF8.self))
                    current.removeAll(keepingCapacity: true)
                    names.append(String(decoding: b[(i + 1)..<j], as: UTF8.self))
                    i = j
                } else {
                    current.append(c)
                    i += 1
                }
            default:
                current.append(c)
                i += 1
            }
        }
        segments.append(String(decoding: current, as: UTF8.self))
        return (segments, names)
    }
}

/// Literal SQL with `:name` parameters; see ``TextClause``.
public func text(_ sql: String) -> TextClause { TextClause(sql) }
