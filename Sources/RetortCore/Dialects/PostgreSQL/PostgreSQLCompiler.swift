import Foundation

/// PostgreSQL's departures from the shared SQL compiler: `ILIKE`, `now()`, bytea
/// literals, and IN lists as one array parameter. Everything else (FOR UPDATE, DISTINCT ON, LATERAL, parenthesised
/// compound members, `$n` parameters) is the shared compiler's standard SQL.
final class PostgreSQLCompiler: SQLCompiler {
    /// `nextval('s')`.
    override func visitNextValue(sequence: String, schema: String?) throws {
        out.append("nextval(" + (try quoteString(sequenceName(sequence, schema: schema))) + ")")
    }

    override func visitLike(
        _ e: ExpressionNode, pattern: ExpressionNode, caseInsensitive: Bool, negated: Bool, escape: Character?
    ) throws {
        guard caseInsensitive else {
            return try super.visitLike(e, pattern: pattern, caseInsensitive: false, negated: negated, escape: escape)
        }
        try visitOperand(e, of: .comparison, right: false)
        out.append(negated ? " NOT ILIKE " : " ILIKE ")
        try visitOperand(pattern, of: .comparison, right: true)
        if let escape { out.append(" ESCAPE " + (try quoteString(String(escape)))) }
    }

    override func visitKnownFunction(_ f: FunctionCall, _ known: KnownFunction) throws {
        switch known {
        case .now: out.append("now()")
        case .charLength:
            var g = f
            g.name = "char_length"
            try visitFunctionCall(g)
        case .groupConcat:
            // string_agg takes text only.
            var g = f
            g.name = "string_agg"
            if let first = g.arguments.first { g.arguments[0] = .cast(first, .text) }
            try visitFunctionCall(g)
        default: try visitFunctionCall(f)
        }
    }

    /// An expanding IN list is one array parameter: `x = ANY($1)`, `x <> ALL($1)`.
    /// The SQL text, and so the server-side prepared statement, is the same for every
    /// length; an array of any size is one of the protocol's 65535 parameters; and an
    /// empty array gives SQLAlchemy's empty-set answers (`= ANY('{}')` is false and
    /// `<> ALL('{}')` true, whatever `x` is). The server infers the array's element
    /// type from `x`. Written as literals (DDL) the list stays `x IN (1, 2)`, which is
    /// how PostgreSQL itself prints a check constraint; an empty literal list is
    /// `x = ANY('{}')`.
    override func visitInExpanding(_ x: ExpressionNode, _ list: ExpandingList, negated: Bool) throws {
        let literal = literalValues || list.inline
        if literal, list.name != nil || !list.values.isEmpty {
            return try super.visitInExpanding(x, list, negated: negated)
        }
        try visit(x, .atom)
        out.append(negated ? " <> ALL(" : " = ANY(")
        if literal {
            out.append("'{}'")
        } else {
            appendListPlaceholder(list)
        }
        out.append(")")
    }
}
