import RetortCore

/// A column renamed in a reflected table the way the database renames it: its key,
/// unique constraints, foreign keys and index columns follow it, and so does every
/// mention of it in an index expression, a partial-index predicate or a CHECK
/// condition (PostgreSQL stores those parsed; SQLite's RENAME COLUMN rewrites them).
extension ReflectedTable {
    /// Renames column `old` to `new`; `rewrite` renames it inside SQL text.
    mutating func renameColumn(_ old: String, to new: String, sql rewrite: (String) -> String) {
        func renamed(_ names: [String]) -> [String] { names.map { $0 == old ? new : $0 } }
        for i in columns.indices where columns[i].name == old { columns[i].name = new }
        if let pk = primaryKey { primaryKey = ReflectedPrimaryKey(name: pk.name, columns: renamed(pk.columns)) }
        for i in uniqueConstraints.indices { uniqueConstraints[i].columns = renamed(uniqueConstraints[i].columns) }
        for i in foreignKeys.indices { foreignKeys[i].columns = renamed(foreignKeys[i].columns) }
        for i in checkConstraints.indices { checkConstraints[i].condition = rewrite(checkConstraints[i].condition) }
        for i in indexes.indices {
            indexes[i].elements = indexes[i].elements.map {
                switch $0 {
                case .column(let c): return .column(c == old ? new : c)
                case .expression(let sql): return .expression(rewrite(sql))
                }
            }
            indexes[i].predicate = indexes[i].predicate.map(rewrite)
        }
    }
}

/// Renames an identifier inside a piece of SQL (an index expression, a predicate, a
/// CHECK condition): every bare or double-quoted mention of `old`, outside string
/// literals, that is not a function name (followed by `(`) or a type after `::`.
enum SQLIdentifierRename {
    static func rename(_ old: String, to new: String, in sql: String, dialect: Dialect) -> String {
        let chars = Array(sql)
        var out = ""
        var i = 0
        let replacement = dialect.quoteIdentifier(new)
        func isStart(_ c: Character) -> Bool { c == "_" || (c.isASCII && c.isLetter) }
        func isPart(_ c: Character) -> Bool { isStart(c) || (c.isASCII && c.isNumber) || c == "$" }
        func nextNonSpace(_ j: Int) -> Character? {
            var j = j
            while j < chars.count, chars[j].isWhitespace { j += 1 }
            return j < chars.count ? chars[j] : nil
        }
        while i < chars.count {
            let c = chars[i]
            if c == "'" || c == "\"" {
                // A string literal or a quoted identifier; a doubled quote stays inside.
                var j = i + 1
                var body = ""
                while j < chars.count {
                    if chars[j] == c {
                        if j + 1 < chars.count, chars[j + 1] == c { body.append(c); j += 2; continue }
                        break
                    }
                    body.append(chars[j])
                    j += 1
                }
                let end = min(j + 1, chars.count)
                if c == "\"", body == old, nextNonSpace(end) != "(" {
                    out += replacement
                } else {
                    out += String(chars[i..<end])
                }
                i = end
            } else if isStart(c), i == 0 || !isPart(chars[i - 1]) {
                var j = i
                while j < chars.count, isPart(chars[j]) { j += 1 }
                let word = String(chars[i..<j])
                let afterCast = i >= 2 && chars[i - 1] == ":" && chars[i - 2] == ":"
                if word.lowercased() == old.lowercased(), !afterCast, nextNonSpace(j) != "(" {
                    out += replacement
                } else {
                    out += word
                }
                i = j
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }
}
