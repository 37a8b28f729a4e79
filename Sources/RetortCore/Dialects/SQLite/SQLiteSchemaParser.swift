import Foundation

/// Reads what PRAGMAs do not tell from the CREATE TABLE / CREATE INDEX text SQLite
/// stores: constraint names, CHECK conditions, partial-index predicates and index
/// expressions. A real tokenizer: quoted names with spaces, parentheses and quotes
/// inside them, string literals and comments are all handled.
struct SQLiteSchemaParser {
    struct Token: Equatable {
        enum Kind: Equatable { case word, quotedName, string, number, symbol }
        let kind: Kind
        /// The identifier's name (unquoted), the symbol, or the literal as written.
        let text: String
        /// Byte range in the source.
        let start: Int
        let end: Int

        func isWord(_ w: String) -> Bool { kind == .word && text.uppercased() == w }
        var isName: Bool { kind == .word || kind == .quotedName || kind == .string }
    }

    struct Constraint: Equatable {
        enum Kind: Equatable { case primaryKey, unique, check, foreignKey }
        var kind: Kind
        var name: String?
        var columns: [String]
        /// The CHECK condition's source text.
        var condition: String?
        var referredTable: String?
        var referredColumns: [String]
    }

    struct CreateTable: Equatable {
        var constraints: [Constraint] = []
        var withoutRowID = false
        /// Columns declared with AUTOINCREMENT (as a column constraint, or inside a
        /// table's `PRIMARY KEY (id AUTOINCREMENT)`).
        var autoincrementColumns: [String] = []
        /// Each column's `COLLATE` name, where it declares one.
        var collations: [String: String] = [:]
        /// The expression of each generated column (`AS (expr)`), as written.
        var generationExpressions: [String: String] = [:]
    }

    let source: [UInt8]
    let tokens: [Token]

    init(_ sql: String) {
        source = Array(sql.utf8)
        tokens = SQLiteSchemaParser.tokenize(source)
    }

    func slice(_ from: Int, _ to: Int) -> String { String(decoding: source[from..<to], as: UTF8.self) }

    static func tokenize(_ s: [UInt8]) -> [Token] {
        var out: [Token] = []
        var i = 0
        let n = s.count
        func isIdent(_ c: UInt8) -> Bool {
            (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x24 || c >= 0x80
        }
        while i < n {
            let c = s[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1; continue }
            if c == 0x2D, i + 1 < n, s[i + 1] == 0x2D {  // -- comment
                while i < n, s[i] != 0x0A { i += 1 }
                continue
            }
            if c == 0x2F, i + 1 < n, s[i + 1] == 0x2A {  // /* comment */
                i += 2
                while i + 1 < n, !(s[i] == 0x2A && s[i + 1] == 0x2F) { i += 1 }
                i = min(n, i + 2)
                continue
            }
            let start = i
            if c == 0x22 || c == 0x60 || c == 0x27 || c == 0x5B {  // " ` ' [
                let close: UInt8 = c == 0x5B ? 0x5D : c
                var value: [UInt8] = []
                i += 1
                while i < n {
                    if s[i] == close {
                        if close != 0x5D, i + 1 < n, s[i + 1] == close {
                            value.append(close)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    value.append(s[i])
                    i += 1
                }
                out.append(Token(kind: c == 0x27 ? .string : .quotedName, text: String(decoding: value, as: UTF8.self),
                                 start: start, end: i))
                continue
            }
            if isIdent(c) {
                while i < n, isIdent(s[i]) { i += 1 }
                let word = String(decoding: s[start..<i], as: UTF8.self)
                let isNumber = word.first.map { $0.isNumber } ?? false
                out.append(Token(kind: isNumber ? .number : .word, text: word, start: start, end: i))
                continue
            }
            i += 1
            out.append(Token(kind: .symbol, text: String(decoding: [c], as: UTF8.self), start: start, end: i))
        }
        return out
    }

    /// The index of the `)` matching the `(` at `open`.
    func matching(_ open: Int) -> Int? {
        var depth = 0
        var i = open
        while i < tokens.count {
            if tokens[i].kind == .symbol {
                if tokens[i].text == "(" { depth += 1 }
                if tokens[i].text == ")" {
                    depth -= 1
                    if depth == 0 { return i }
                }
            }
            i += 1
        }
        return nil
    }

    /// `(a, "b c")` starting at the `(` at `open`: the names, and the index after `)`.
    func nameList(at open: Int) -> ([String], Int)? {
        guard open < tokens.count, tokens[open].text == "(", let close = matching(open) else { return nil }
        var names: [String] = []
        var i = open + 1
        var expectName = true
        while i < close {
            let t = tokens[i]
            if t.kind == .symbol, t.text == "," {
                expectName = true
            } else if expectName, t.isName {
                names.append(t.text)
                expectName = false
            }
            i += 1
        }
        return (names, close + 1)
    }

    /// Splits the definitions between the outer parentheses at top-level commas.
    private func definitions() -> (defs: [Range<Int>], after: Int)? {
        guard let open = tokens.firstIndex(where: { $0.kind == .symbol && $0.text == "(" }),
              let close = matching(open) else { return nil }
        var defs: [Range<Int>] = []
        var depth = 0
        var start = open + 1
        for i in (open + 1)..<close {
            let t = tokens[i]
            guard t.kind == .symbol else { continue }
            if t.text == "(" { depth += 1 } else if t.text == ")" { depth -= 1 } else if t.text == ",", depth == 0 {
                defs.append(start..<i)
                start = i + 1
            }
        }
        defs.append(start..<close)
        return (defs, close + 1)
    }

    /// Parses a CREATE TABLE statement's constraints; nil when it is not one.
    func createTable() -> CreateTable? {
        guard let (defs, after) = definitions() else { return nil }
        var result = CreateTable()
        result.withoutRowID = tokens[after...].contains { $0.isWord("ROWID") }
        let tableConstraintWords = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
        for def in defs where !def.isEmpty {
            let first = tokens[def.lowerBound]
            if first.kind == .word, tableConstraintWords.contains(first.text.uppercased()) {
                if let c = constraint(in: def, column: nil) {
                    result.constraints.append(c)
                    if c.kind == .primaryKey, c.columns.count == 1, tokens[def].contains(where: { $0.isWord("AUTOINCREMENT") }) {
                        result.autoincrementColumns.append(c.columns[0])
                    }
                }
            } else {
                // A column: name, type words, then column constraints.
                let column = first.text
                var i = def.lowerBound + 1
                var depth = 0
                while i < def.upperBound {
                    let t = tokens[i]
                    if t.kind == .symbol, t.text == "(" { depth += 1 }
                    if t.kind == .symbol, t.text == ")" { depth -= 1 }
                    if depth == 0, t.isWord("AS"), i + 1 < def.upperBound, tokens[i + 1].kind == .symbol, tokens[i + 1].text == "(",
                       let close = matching(i + 1), close < def.upperBound {
                        result.generationExpressions[column] =
                            slice(tokens[i + 1].end, tokens[close].start).trimmingCharacters(in: .whitespacesAndNewlines)
                        i = close + 1
                        continue
                    }
                    if depth == 0, t.isWord("COLLATE"), i + 1 < def.upperBound, tokens[i + 1].isName {
                        result.collations[column] = tokens[i + 1].text
                    }
                    if t.kind == .word, ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES"].contains(t.text.uppercased()) {
                        let range = i..<def.upperBound
                        if let c = constraint(in: range, column: column) {
                            result.constraints.append(c)
                            if c.kind == .primaryKey,
                               tokens[range].contains(where: { $0.isWord("AUTOINCREMENT") }) {
                                result.autoincrementColumns.append(column)
                            }
                        }
                        i = nextConstraintStart(after: i, in: range)
                        continue
                    }
                    i += 1
                }
            }
        }
        return result
    }

    /// Where the column constraint after the one starting at `i` begins.
    private func nextConstraintStart(after i: Int, in range: Range<Int>) -> Int {
        // The constraint's keyword: after `CONSTRAINT name`, else the word at `i`.
        let keyword = tokens[i].isWord("CONSTRAINT") ? i + 2 : i
        var j = keyword + 1
        let starters = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES", "NOT", "NULL", "DEFAULT", "COLLATE", "GENERATED"]
        var depth = 0
        while j < range.upperBound {
            let t = tokens[j]
            if t.kind == .symbol, t.text == "(" { depth += 1 }
            if t.kind == .symbol, t.text == ")" { depth -= 1 }
            if depth == 0, t.kind == .word, starters.contains(t.text.uppercased()) { return j }
            j += 1
        }
        return range.upperBound
    }

    /// One constraint starting at `range.lowerBound` (a table constraint, or a column
    /// constraint of `column`).
    private func constraint(in range: Range<Int>, column: String?) -> Constraint? {
        var i = range.lowerBound
        var name: String?
        if tokens[i].isWord("CONSTRAINT"), i + 1 < range.upperBound {
            name = tokens[i + 1].text
            i += 2
        }
        guard i < range.upperBound else { return nil }
        let keyword = tokens[i].text.uppercased()
        switch keyword {
        case "PRIMARY":
            if let col = column { return Constraint(kind: .primaryKey, name: name, columns: [col], referredColumns: []) }
            guard let open = tokens[i..<range.upperBound].firstIndex(where: { $0.text == "(" }),
                  let (cols, _) = nameList(at: open) else { return nil }
            return Constraint(kind: .primaryKey, name: name, columns: cols, referredColumns: [])
        case "UNIQUE":
            if let col = column { return Constraint(kind: .unique, name: name, columns: [col], referredColumns: []) }
            guard i + 1 < range.upperBound, let (cols, _) = nameList(at: i + 1) else { return nil }
            return Constraint(kind: .unique, name: name, columns: cols, referredColumns: [])
        case "CHECK":
            guard i + 1 < range.upperBound, tokens[i + 1].text == "(", let close = matching(i + 1) else { return nil }
            let text = slice(tokens[i + 1].end, tokens[close].start).trimmingCharacters(in: .whitespacesAndNewlines)
            return Constraint(kind: .check, name: name, columns: column.map { [$0] } ?? [], condition: text, referredColumns: [])
        case "FOREIGN", "REFERENCES":
            var columns: [String] = column.map { [$0] } ?? []
            var j = i
            if keyword == "FOREIGN" {
                guard j + 2 < range.upperBound, let (cols, next) = nameList(at: j + 2) else { return nil }
                columns = cols
                j = next
            }
            guard j < range.upperBound, tokens[j].isWord("REFERENCES"), j + 1 < range.upperBound else { return nil }
            let table = tokens[j + 1].text
            var referred: [String] = []
            if j + 2 < range.upperBound, tokens[j + 2].text == "(", let (cols, _) = nameList(at: j + 2) { referred = cols }
            return Constraint(kind: .foreignKey, name: name, columns: columns, referredTable: table, referredColumns: referred)
        default:
            return nil
        }
    }

    /// For `CREATE [UNIQUE] INDEX name ON table (elements) [WHERE predicate]`: each
    /// element's source text and the predicate's.
    func createIndex() -> (elements: [String], predicate: String?)? {
        guard let open = tokens.firstIndex(where: { $0.kind == .symbol && $0.text == "(" }),
              let close = matching(open) else { return nil }
        var elements: [String] = []
        var depth = 0
        var start = tokens[open].end
        for i in (open + 1)..<close {
            let t = tokens[i]
            guard t.kind == .symbol else { continue }
            if t.text == "(" { depth += 1 } else if t.text == ")" { depth -= 1 } else if t.text == ",", depth == 0 {
                elements.append(slice(start, t.start).trimmingCharacters(in: .whitespacesAndNewlines))
                start = t.end
            }
        }
        elements.append(slice(start, tokens[close].start).trimmingCharacters(in: .whitespacesAndNewlines))
        var predicate: String?
        if let w = tokens[(close + 1)...].firstIndex(where: { $0.isWord("WHERE") }), w + 1 < tokens.count {
            predicate = slice(tokens[w + 1].start, source.count).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return (elements, predicate)
    }
}
