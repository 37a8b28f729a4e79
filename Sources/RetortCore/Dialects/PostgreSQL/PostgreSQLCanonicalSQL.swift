/// The canonical spelling of SQL that PostgreSQL hands back from its catalog — server
/// defaults (`pg_get_expr`), CHECK conditions (`pg_get_constraintdef`), index
/// expressions (`pg_get_indexdef`) and partial-index predicates — so that what Retort
/// declared reads back as it was written.
///
/// PostgreSQL stores expressions parsed and prints them with the casts its type
/// resolution added. The rules below take those casts away again and nothing else;
/// applied to what Retort's DDL compiler writes, they change nothing for the usual
/// spellings, so a comparison may canonicalise both sides with them.
///
/// Server defaults (``serverDefault(_:)``):
/// - A cast on a literal is dropped: `'text'::character varying` → `'text'`,
///   `'{}'::jsonb` → `'{}'`, `NULL::character varying` → `NULL`.
/// - A quoted number cast to a numeric type is the bare number: `'-5'::integer` → `-5`,
///   `'0'::numeric` → `0` (PostgreSQL folds `DEFAULT -5` into that quoted form).
/// - Enclosing parentheses are dropped: `(now())` → `now()`, `(1 + 2)` → `1 + 2`.
/// - SQL's value keywords are upper case (`CURRENT_TIMESTAMP`, `CURRENT_DATE`,
///   `LOCALTIMESTAMP`, `CURRENT_USER`, ...); `true`, `false` and a bare call without
///   arguments (`now()`, `gen_random_uuid()`) are lower case.
/// - `NULL` is no default at all: nil.
/// - Everything else — numbers, string literals with their doubled quotes, other
///   expressions — is kept as PostgreSQL prints it.
///
/// Expressions (``expression(_:columnTypes:keepParentheses:)``), besides dropping casts
/// on literals as above:
/// - A cast PostgreSQL adds to a column is dropped when it is one of the implicit
///   casts (`name::text` for a `character varying` column, `n::numeric` for an integer
///   column, a `date` column to `timestamp`): `lower(name::text)` → `lower(name)`.
/// - `ARRAY['a'::text, 'b'::text]::text[]` → `ARRAY['a', 'b']`, and
///   `x = ANY (ARRAY[1, 2])` → `x IN (1, 2)`, `x <> ALL (ARRAY[...])` → `x NOT IN (...)`.
/// - `~~`, `!~~`, `~~*`, `!~~*` → `LIKE`, `NOT LIKE`, `ILIKE`, `NOT ILIKE`; `!=` → `<>`.
/// - Enclosing parentheses are dropped (index elements keep them: `(a + b)` is how an
///   expression element is written in `CREATE INDEX`).
///
/// Text these rules cannot read (an unterminated quote, a character SQL does not use)
/// is returned trimmed and otherwise untouched.
enum PostgreSQLCanonicalSQL {
    /// A server default's canonical spelling, or nil for `NULL` (no default).
    ///
    /// ```swift
    /// PostgreSQLCanonicalSQL.serverDefault("'it''s'::character varying")   // "'it''s'"
    /// PostgreSQLCanonicalSQL.serverDefault("'-1'::integer")                // "-1"
    /// PostgreSQLCanonicalSQL.serverDefault("(now())")                      // "now()"
    /// PostgreSQLCanonicalSQL.serverDefault("current_timestamp")            // "CURRENT_TIMESTAMP"
    /// ```
    static func serverDefault(_ raw: String) -> String? {
        guard var tokens = tokens(raw) else { return raw.trimmingCharacters(in: .whitespacesAndNewlines) }
        stripCasts(&tokens, columnTypes: [:])
        rewriteOperators(&tokens)
        stripEnclosingParentheses(&tokens)
        if tokens.count == 1, tokens[0].kind == .word {
            let upper = tokens[0].text.uppercased()
            if upper == "NULL" { return nil }
            if valueKeywords.contains(upper) { return upper }
            if upper == "TRUE" || upper == "FALSE" { return upper.lowercased() }
        }
        if tokens.count == 3, tokens[0].kind == .word, tokens[1].text == "(", tokens[2].text == ")" {
            tokens[0].text = tokens[0].text.lowercased()
        }
        return join(tokens[...])
    }

    /// A CHECK condition, index expression or predicate in canonical spelling.
    /// `columnTypes` (column name → `format_type`) tells which casts on columns
    /// PostgreSQL added implicitly.
    ///
    /// ```swift
    /// PostgreSQLCanonicalSQL.expression("name::text <> ''::text", columnTypes: ["name": "character varying(50)"])
    /// // "name <> ''"
    /// ```
    static func expression(_ raw: String, columnTypes: [String: String], keepParentheses: Bool = false) -> String {
        guard var tokens = tokens(raw) else { return raw.trimmingCharacters(in: .whitespacesAndNewlines) }
        stripCasts(&tokens, columnTypes: columnTypes)
        rewriteOperators(&tokens)
        rewriteArrayMembership(&tokens)
        if !keepParentheses { stripEnclosingParentheses(&tokens) }
        return join(tokens[...])
    }

    /// SQL keywords that stand for values, printed by PostgreSQL in upper case.
    static let valueKeywords: Set<String> = [
        "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIMESTAMP", "LOCALTIME",
        "CURRENT_USER", "SESSION_USER", "USER", "CURRENT_ROLE", "CURRENT_CATALOG", "CURRENT_SCHEMA",
    ]

    // MARK: Tokens

    /// One lexical token with the whitespace before it.
    struct Token {
        enum Kind { case string, quotedIdentifier, word, number, cast, punctuation, symbol }
        var kind: Kind
        var text: String
        var space: String
    }

    /// Splits SQL into tokens; nil when the text is not SQL these rules can read.
    static func tokens(_ sql: String) -> [Token]? {
        let s = Array(sql.unicodeScalars)
        var out: [Token] = []
        var space = ""
        var i = 0
        func text(_ from: Int, _ to: Int) -> String {
            var t = ""
            t.unicodeScalars.append(contentsOf: s[from..<to])
            return t
        }
        func isWordStart(_ c: Unicode.Scalar) -> Bool {
            c.isASCII ? (c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)) : c.properties.isAlphabetic
        }
        func isWordPart(_ c: Unicode.Scalar) -> Bool { isWordStart(c) || c == "$" || ("0"..."9").contains(c) }
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
        let symbols: Set<Unicode.Scalar> = ["+", "-", "*", "/", "<", ">", "=", "~", "!", "@", "#", "%", "^", "&", "|", "`", "?"]
        /// The index after a quoted run starting at `start` (a quote), or nil if unterminated.
        func skipQuoted(_ start: Int, backslashEscapes: Bool) -> Int? {
            let q = s[start]
            var j = start + 1
            while j < s.count {
                if backslashEscapes, s[j] == "\\" { j += 2; continue }
                if s[j] == q {
                    if j + 1 < s.count, s[j + 1] == q { j += 2; continue }
                    return j + 1
                }
                j += 1
            }
            return nil
        }
        while i < s.count {
            let c = s[i]
            if c == " " || c == "\n" || c == "\t" || c == "\r" || (!c.isASCII && c.properties.isWhitespace) {
                space.unicodeScalars.append(c)
                i += 1
                continue
            }
            let start = i
            let kind: Token.Kind
            if c == "'" {
                guard let end = skipQuoted(i, backslashEscapes: false) else { return nil }
                i = end
                kind = .string
            } else if (c == "E" || c == "e"), i + 1 < s.count, s[i + 1] == "'" {
                guard let end = skipQuoted(i + 1, backslashEscapes: true) else { return nil }
                i = end
                kind = .string
            } else if c == "\"" {
                guard let end = skipQuoted(i, backslashEscapes: false) else { return nil }
                i = end
                kind = .quotedIdentifier
            } else if c == "$" {
                // A dollar-quoted string: $tag$ ... $tag$.
                var j = i + 1
                while j < s.count, s[j] != "$", isWordPart(s[j]) { j += 1 }
                guard j < s.count, s[j] == "$" else { return nil }
                let tag = text(i, j + 1)
                guard let range = text(j + 1, s.count).range(of: tag) else { return nil }
                let bodyCount = text(j + 1, s.count)[..<range.lowerBound].unicodeScalars.count
                i = j + 1 + bodyCount + tag.unicodeScalars.count
                kind = .string
            } else if isDigit(c) || (c == "." && i + 1 < s.count && isDigit(s[i + 1])) {
                while i < s.count, isDigit(s[i]) { i += 1 }
                if i < s.count, s[i] == "." { i += 1 }
                while i < s.count, isDigit(s[i]) { i += 1 }
                if i < s.count, s[i] == "e" || s[i] == "E" {
                    var j = i + 1
                    if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
                    if j < s.count, isDigit(s[j]) {
                        i = j
                        while i < s.count, isDigit(s[i]) { i += 1 }
                    }
                }
                kind = .number
            } else if isWordStart(c) {
                while i < s.count, isWordPart(s[i]) { i += 1 }
                kind = .word
            } else if c == ":", i + 1 < s.count, s[i + 1] == ":" {
                i += 2
                kind = .cast
            } else if "()[],.;:".unicodeScalars.contains(c) {
                i += 1
                kind = .punctuation
            } else if symbols.contains(c) {
                while i < s.count, symbols.contains(s[i]) { i += 1 }
                kind = .symbol
            } else {
                return nil
            }
            out.append(Token(kind: kind, text: text(start, i), space: out.isEmpty ? "" : space))
            space = ""
        }
        return out
    }

    /// The tokens as text, each after its own whitespace (none before the first).
    static func join(_ tokens: ArraySlice<Token>) -> String {
        var out = ""
        for (n, t) in tokens.enumerated() {
            if n > 0 { out += t.space }
            out += t.text
        }
        return out
    }

    /// The index of the `)` or `]` matching the opening one at `open`.
    static func matchingClose(_ tokens: [Token], _ open: Int) -> Int? {
        guard open < tokens.count else { return nil }
        var depth = 0
        for i in open..<tokens.count where tokens[i].kind == .punctuation {
            switch tokens[i].text {
            case "(", "[": depth += 1
            case ")", "]":
                depth -= 1
                if depth == 0 { return i }
            default: break
            }
        }
        return nil
    }

    /// The index of the `(` or `[` matching the closing one at `close`.
    static func matchingOpen(_ tokens: [Token], _ close: Int) -> Int? {
        var depth = 0
        var i = close
        while i >= 0 {
            if tokens[i].kind == .punctuation {
                switch tokens[i].text {
                case ")", "]": depth += 1
                case "(", "[":
                    depth -= 1
                    if depth == 0 { return i }
                default: break
                }
            }
            i -= 1
        }
        return nil
    }

    // MARK: Rewrites

    /// Drops `::type` after literals, implicitly cast columns and literal arrays.
    static func stripCasts(_ tokens: inout [Token], columnTypes: [String: String]) {
        var i = 0
        while i < tokens.count {
            guard tokens[i].kind == .cast, i > 0, let typeEnd = typeEnd(tokens, from: i + 1) else {
                i += 1
                continue
            }
            let target = tokens[(i + 1)..<typeEnd].map(\.text).joined(separator: " ")
            let targetBase = baseType(tokens[(i + 1)..<typeEnd])
            var operandStart = i - 1
            var operand = tokens[i - 1]
            // `(x)::type`, as PostgreSQL writes casts in function arguments.
            var parenthesised = false
            if operand.text == ")", operand.kind == .punctuation, i >= 3, tokens[i - 3].text == "(",
                tokens[i - 3].kind == .punctuation, i == 3 || !isCallee(tokens[i - 4])
            {
                operand = tokens[i - 2]
                operandStart = i - 3
                parenthesised = true
            }
            var replacement: Token?
            switch operand.kind {
            case .string:
                replacement = operand
                if numericTypes.contains(targetBase), operand.text.hasPrefix("'"), operand.text.hasSuffix("'") {
                    let inner = String(operand.text.dropFirst().dropLast())
                    if isNumber(inner) { replacement?.text = inner; replacement?.kind = .number }
                }
            case .number:
                replacement = operand
            case .word where operand.text.uppercased() == "NULL":
                replacement = operand
            case .word, .quotedIdentifier:
                let name = operand.kind == .word ? operand.text : unquote(operand.text)
                if let type = columnTypes[name], implicitlyCasts(from: baseType(type), to: targetBase) { replacement = operand }
            case .punctuation where operand.text == "]" && !parenthesised:
                // ARRAY[literal, ...]::type[]
                if let open = matchingOpen(tokens, i - 1), open > 0, tokens[open - 1].text.uppercased() == "ARRAY",
                    tokens[(open + 1)..<(i - 1)].allSatisfy({ [.string, .number].contains($0.kind) || $0.text == "," }),
                    target.hasSuffix("]")
                {
                    tokens.removeSubrange(i..<typeEnd)
                    continue
                }
            default:
                break
            }
            if var replacement {
                replacement.space = tokens[operandStart].space
                tokens.replaceSubrange(operandStart..<typeEnd, with: [replacement])
                i = operandStart + 1
            } else {
                i = typeEnd
            }
        }
    }

    /// True when `token` before a `(` makes it a call's argument list (`f(x)`), not a
    /// parenthesised expression.
    private static func isCallee(_ token: Token) -> Bool {
        switch token.kind {
        case .word: return !["AND", "OR", "NOT", "WHEN", "THEN", "ELSE", "CASE", "LIKE", "ILIKE", "BETWEEN", "IN", "IS"]
            .contains(token.text.uppercased())
        case .quotedIdentifier: return true
        case .punctuation: return token.text == ")" || token.text == "]"
        default: return false
        }
    }

    /// The end (exclusive) of the type name starting at `start`, after `::`.
    static func typeEnd(_ tokens: [Token], from start: Int) -> Int? {
        var i = start
        func word(_ at: Int) -> String? {
            at < tokens.count && tokens[at].kind == .word ? tokens[at].text.lowercased() : nil
        }
        func name() -> Bool {
            guard i < tokens.count, tokens[i].kind == .word || tokens[i].kind == .quotedIdentifier else { return false }
            i += 1
            while i + 1 < tokens.count, tokens[i].text == ".",
                tokens[i + 1].kind == .word || tokens[i + 1].kind == .quotedIdentifier
            {
                i += 2
            }
            return true
        }
        guard name() else { return nil }
        let first = tokens[start].text.lowercased()
        if i == start + 1 {
            if (first == "character" || first == "bit" || first == "char"), word(i) == "varying" { i += 1 }
            if first == "double", word(i) == "precision" { i += 1 }
        }
        if i < tokens.count, tokens[i].text == "(", let close = matchingClose(tokens, i) { i = close + 1 }
        if first == "timestamp" || first == "time", let w = word(i), w == "with" || w == "without",
            word(i + 1) == "time", word(i + 2) == "zone"
        {
            i += 3
        }
        while i + 1 < tokens.count, tokens[i].text == "[", let close = matchingClose(tokens, i) { i = close + 1 }
        return i
    }

    /// A type's name without its modifiers: `character varying(20)` → `character varying`,
    /// `timestamp(3) without time zone` → `timestamp without time zone`.
    static func baseType(_ formatted: String) -> String {
        guard let tokens = tokens(formatted) else { return formatted }
        return baseType(tokens[...])
    }

    private static func baseType(_ tokens: ArraySlice<Token>) -> String {
        var words: [String] = []
        var depth = 0
        for t in tokens {
            if t.text == "(" { depth += 1 } else if t.text == ")" { depth -= 1 } else if depth == 0 {
                words.append(t.text.lowercased())
            }
        }
        return words.joined(separator: " ").replacingOccurrences(of: " [ ]", with: "[]")
    }

    /// Types whose quoted numbers read back as bare numbers.
    static let numericTypes: Set<String> = [
        "smallint", "integer", "bigint", "int2", "int4", "int8", "int", "numeric", "decimal", "real", "float4",
        "double precision", "float8",
    ]

    /// PostgreSQL's implicit casts between the types Retort uses, which its type
    /// resolution inserts on columns.
    static func implicitlyCasts(from source: String, to target: String) -> Bool {
        let numericRank = ["smallint": 0, "integer": 1, "bigint": 2, "numeric": 3, "real": 4, "double precision": 5]
        if let s = numericRank[source], let t = numericRank[target] { return t > s }
        switch (source, target) {
        case ("character varying", "text"), ("character", "text"), ("character", "character varying"),
            ("date", "timestamp without time zone"), ("date", "timestamp with time zone"),
            ("timestamp without time zone", "timestamp with time zone"):
            return true
        default:
            return false
        }
    }

    static func isNumber(_ s: String) -> Bool {
        guard let t = tokens(s.hasPrefix("-") ? String(s.dropFirst()) : s) else { return false }
        return t.count == 1 && t[0].kind == .number
    }

    /// `"a ""b"""` → `a "b"`.
    static func unquote(_ quoted: String) -> String {
        String(quoted.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }

    /// PostgreSQL's internal names of the LIKE operators, back to the keywords; `!=`,
    /// which PostgreSQL reads as `<>`, as `<>`.
    static func rewriteOperators(_ tokens: inout [Token]) {
        let names = ["~~": "LIKE", "!~~": "NOT LIKE", "~~*": "ILIKE", "!~~*": "NOT ILIKE"]
        for i in tokens.indices where tokens[i].kind == .symbol {
            if let keyword = names[tokens[i].text] {
                tokens[i].text = keyword
                tokens[i].kind = .word
            } else if tokens[i].text == "!=" {
                tokens[i].text = "<>"
            }
        }
    }

    /// `x = ANY (ARRAY[a, b])` → `x IN (a, b)`; `x <> ALL (ARRAY[a, b])` → `x NOT IN (a, b)`.
    static func rewriteArrayMembership(_ tokens: inout [Token]) {
        var i = 1
        while i + 4 < tokens.count {
            let op = tokens[i].text, quantifier = tokens[i + 1].text.uppercased()
            guard tokens[i].kind == .symbol, (op == "=" && quantifier == "ANY") || (op == "<>" && quantifier == "ALL"),
                tokens[i + 2].text == "(", tokens[i + 3].text.uppercased() == "ARRAY", tokens[i + 4].text == "[",
                let closeBracket = matchingClose(tokens, i + 4), closeBracket + 1 < tokens.count,
                tokens[closeBracket + 1].text == ")", closeBracket > i + 5
            else {
                i += 1
                continue
            }
            var replacement: [Token] = []
            var keyword = Token(kind: .word, text: op == "=" ? "IN" : "NOT IN", space: tokens[i].space)
            if keyword.space.isEmpty { keyword.space = " " }
            replacement.append(keyword)
            replacement.append(Token(kind: .punctuation, text: "(", space: " "))
            var first = tokens[i + 5]
            first.space = ""
            replacement.append(first)
            replacement += tokens[(i + 6)..<closeBracket]
            replacement.append(Token(kind: .punctuation, text: ")", space: ""))
            tokens.replaceSubrange(i...(closeBracket + 1), with: replacement)
            i += replacement.count
        }
    }

    /// `(x)` → `x`, as often as the whole text is enclosed.
    static func stripEnclosingParentheses(_ tokens: inout [Token]) {
        while tokens.count >= 2, tokens[0].text == "(", tokens[0].kind == .punctuation,
            matchingClose(tokens, 0) == tokens.count - 1
        {
            tokens.removeLast()
            tokens.removeFirst()
            if !tokens.isEmpty { tokens[0].space = "" }
        }
    }
}
