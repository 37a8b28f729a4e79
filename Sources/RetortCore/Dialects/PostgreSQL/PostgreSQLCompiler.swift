import Foundation

/// PostgreSQL's departures from the shared SQL compiler: `ILIKE`, `now()`, and bytea
/// literals. Everything else (FOR UPDATE, DISTINCT ON, LATERAL, parenthesised
/// compound members, `$n` parameters) is the shared compiler's standard SQL.
final class PostgreSQLCompiler: SQLCompiler {
    override func visitLike(
        _ e: ExpressionNode, pattern: ExpressionNode, caseInsensitive: Bool, negated: Bool, escape: Character?
    ) throws {
        guard caseInsensitive else {
            return try super.visitLike(e, pattern: pattern, caseInsensitive: false, negated: negated, escape: escape)
        }
        try visit(e, .comparison)
        out.append(negated ? " NOT ILIKE " : " ILIKE ")
        try visit(pattern, .comparison)
        if let escape { out.append(" ESCAPE " + (try quoteString(String(escape)))) }
    }

    override func visitKnownFunction(_ f: FunctionCall, _ known: KnownFunction) throws {
        switch known {
        case .now: out.append("now()")
        case .charLength:
            var g = f
            g.name = "char_length"
            try visitFunctionCall(g)
        default: try visitFunctionCall(f)
        }
    }

    override func renderBlobLiteral(_ data: Data) -> String {
        "'\\x" + data.map { String(format: "%02x", $0) }.joined() + "'::bytea"
    }
}
