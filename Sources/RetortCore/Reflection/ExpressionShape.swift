/// An SQL expression in one spelling whatever parentheses, letter case of keywords and
/// function names, quoting of plain names and white space it was written with: how a
/// computed column's expression as declared is compared with the one a database hands
/// back (PostgreSQL and MySQL print every operation in parentheses, `((a + (b * 2)))`;
/// MariaDB and SQLite keep what was written, `a + b * 2`).
///
/// ```swift
/// ExpressionShape.canonical("((a + (b * 2)))")   // "a + b * 2"
/// ExpressionShape.canonical("A + B*2")           // "a + b * 2"
/// ExpressionShape.canonical("(a + b) * 2")       // "(a + b) * 2"
/// ```
///
/// The expression is parsed with SQL's operator precedence (OR, AND, NOT, comparisons,
/// `||`, `+ -`, `* / %`, unary minus, PostgreSQL's `::` cast) and printed with the
/// parentheses that precedence needs and no others. Unquoted names and function names
/// are lower case (every database here folds or ignores their case); quoted names,
/// strings and numbers are kept as written. Text the parser does not know (CASE, a
/// subquery) comes back with its white space made single spaces only.
public enum ExpressionShape {
    /// The canonical spelling of `sql` (see the type's documentation).
    public static func canonical(_ sql: String) -> String {
        let fallback = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        guard let tokens = tokenize(sql) else { return fallback }
        var parser = Parser(tokens: tokens)
        guard let tree = parser.expression(0), parser.position == tokens.count else { return fallback }
        return tree.sql
    }

    enum Token: Equatable {
        case word(String), quoted(String), number(String), string(String), symbol(String)
    }

    static func tokenize(_ sql: String) -> [Token]? {
        let s = Array(sql.unicodeScalars)
        var out: [Token] = []
        var i = 0
        func isWordChar(_ c: Unicode.Scalar) -> Bool { c == "_" || c == "$" || c.properties.isAlphabetic || ("0"..."9").contains(c) }
        while i < s.count {
            let c = s[i]
            if c == " " || c == "\n" || c == "\t" || c == "\r" {
                i += 1
            } else if c == "'" || c == "\"" || c == "`" {
                var j = i + 1, text = ""
                while true {
                    guard j < s.count else { return nil }
                    if s[j] == c {
                        if j + 1 < s.count, s[j + 1] == c { text.unicodeScalars.append(c); j += 2; continue }
                        break
                    }
                    text.unicodeScalars.append(s[j])
                    j += 1
                }
                if c == "'" {
                    out.append(.string("'" + text.replacingOccurrences(of: "'", with: "''") + "'"))
                } else {
                    // A plain lower-case name needs no quotes; any other keeps them.
                    let plain = !text.isEmpty && text == text.lowercased() && text.unicodeScalars.allSatisfy(isWordChar)
                        && !("0"..."9").contains(text.unicodeScalars.first!)
                    out.append(plain ? .word(text) : .quoted("\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""))
                }
                i = j + 1
            } else if ("0"..."9").contains(c) || (c == "." && i + 1 < s.count && ("0"..."9").contains(s[i + 1])) {
                var j = i, text = ""
                while j < s.count, ("0"..."9").contains(s[j]) || s[j] == "." || s[j] == "e" || s[j] == "E"
                    || ((s[j] == "+" || s[j] == "-") && j > i && (s[j - 1] == "e" || s[j - 1] == "E")) {
                    text.unicodeScalars.append(s[j])
                    j += 1
                }
                out.append(.number(text))
                i = j
            } else if isWordChar(c) {
                var j = i, text = ""
                while j < s.count, isWordChar(s[j]) { text.unicodeScalars.append(s[j]); j += 1 }
                out.append(.word(text.lowercased()))
                i = j
            } else {
                let two = i + 1 < s.count ? String(c) + String(s[i + 1]) : ""
                if ["<=", ">=", "<>", "!=", "||", "::"].contains(two) {
                    out.append(.symbol(two == "!=" ? "<>" : two))
                    i += 2
                } else if "+-*/%<>=(),.".unicodeScalars.contains(c) {
                    out.append(.symbol(String(c)))
                    i += 1
                } else {
                    return nil
                }
            }
        }
        return out
    }

    indirect enum Node {
        case atom(String)
        case call(String, [Node])
        case unary(String, Node)
        case binary(String, Node, Node, precedence: Int)
        case cast(Node, String)

        var sql: String {
            switch self {
            case .atom(let text): return text
            case .call(let name, let args): return name + "(" + args.map(\.sql).joined(separator: ", ") + ")"
            case .unary(let op, let x):
                let inner = x.needsParentheses(under: op == "not" ? 3 : 8, right: true) ? "(" + x.sql + ")" : x.sql
                return op == "not" ? "not " + inner : op + inner
            case .binary(let op, let l, let r, let p):
                let left = l.needsParentheses(under: p, right: false) ? "(" + l.sql + ")" : l.sql
                let right = r.needsParentheses(under: p, right: true) ? "(" + r.sql + ")" : r.sql
                return left + " " + op + " " + right
            case .cast(let x, let type):
                return (x.needsParentheses(under: 9, right: false) ? "(" + x.sql + ")" : x.sql) + "::" + type
            }
        }

        /// Whether this node, as an operand of an operator binding at `outer`, needs
        /// parentheses (operators associate to the left: an equal right operand does).
        func needsParentheses(under outer: Int, right: Bool) -> Bool {
            switch self {
            case .binary(_, _, _, let p): return p < outer || (p == outer && right)
            case .unary(let op, _): return (op == "not" ? 3 : 8) < outer
            default: return false
            }
        }
    }

    /// Binary operators and how tightly they bind.
    static let binaryPrecedence: [String: Int] = [
        "or": 1, "and": 2, "=": 4, "<>": 4, "<": 4, ">": 4, "<=": 4, ">=": 4, "like": 4,
        "||": 5, "+": 6, "-": 6, "*": 7, "/": 7, "%": 7,
    ]

    struct Parser {
        let tokens: [Token]
        var position = 0

        var current: Token? { position < tokens.count ? tokens[position] : nil }

        mutating func binaryOperator() -> (String, Int)? {
            switch current {
            case .symbol(let s)?: return ExpressionShape.binaryPrecedence[s].map { (s, $0) }
            case .word(let w)?: return ExpressionShape.binaryPrecedence[w].map { (w, $0) }
            default: return nil
            }
        }

        mutating func expression(_ minimum: Int) -> Node? {
            guard var left = unary() else { return nil }
            while let (op, p) = binaryOperator(), p > minimum {
                position += 1
                guard let right = expression(p) else { return nil }
                left = .binary(op, left, right, precedence: p)
            }
            return left
        }

        mutating func unary() -> Node? {
            if current == .symbol("-") || current == .symbol("+") {
                guard case .symbol(let op)? = current else { return nil }
                position += 1
                guard let x = unary() else { return nil }
                if op == "+" { return x }
                if case .atom(let n) = x, case .number? = ExpressionShape.tokenize(n)?.first { return .atom("-" + n) }
                return .unary("-", x)
            }
            if current == .word("not") {
                position += 1
                guard let x = expression(3) else { return nil }
                return .unary("not", x)
            }
            return postfix()
        }

        mutating func postfix() -> Node? {
            guard var x = primary() else { return nil }
            while current == .symbol("::") {
                position += 1
                guard case .word(let type)? = current else { return nil }
                position += 1
                x = .cast(x, type)
            }
            return x
        }

        mutating func primary() -> Node? {
            guard let t = current else { return nil }
            position += 1
            switch t {
            case .number(let n), .string(let n): return .atom(n)
            case .quoted(let q): return .atom(q)
            case .symbol("("):
                guard let x = expression(0), current == .symbol(")") else { return nil }
                position += 1
                return x
            case .word(let w):
                if ["case", "select", "when", "then", "else", "end"].contains(w) { return nil }
                if current == .symbol("(") {
                    position += 1
                    var args: [Node] = []
                    if current == .symbol(")") {
                        position += 1
                        return .call(w, args)
                    }
                    while true {
                        guard let a = expression(0) else { return nil }
                        args.append(a)
                        if current == .symbol(",") { position += 1; continue }
                        guard current == .symbol(")") else { return nil }
                        position += 1
                        return .call(w, args)
                    }
                }
                // A qualified name `t.c` keeps its parts.
                var name = w
                while current == .symbol("."), position + 1 < tokens.count, case .word(let part) = tokens[position + 1] {
                    name += "." + part
                    position += 2
                }
                return .atom(name)
            default:
                return nil
            }
        }
    }
}
