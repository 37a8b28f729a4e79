import Foundation

/// SQL Server's departures from the shared SQL compiler.
///
/// - `fn.now()` is `SYSDATETIME()`, `char_length` is `LEN`, `group_concat` is
///   `STRING_AGG(x, sep) WITHIN GROUP (ORDER BY …)`, string concatenation is `+`;
/// - a LIMIT alone is `SELECT TOP (n)`; with an OFFSET it is `OFFSET n ROWS FETCH NEXT
///   m ROWS ONLY`, which SQL Server allows only after an ORDER BY (refused without one);
/// - RETURNING is `OUTPUT inserted.a` (`deleted.a` for a DELETE), written before
///   VALUES / WHERE;
/// - an upsert (ON CONFLICT) is a MERGE (``visitInsertStatement(_:)``);
/// - FOR UPDATE, DISTINCT ON, LATERAL and DELETE ... USING raise
///   ``ProgrammingError`` (`.notSupported`) naming the construct.
final class SQLServerCompiler: SQLCompiler {
    /// `NEXT VALUE FOR s`.
    override func visitNextValue(sequence: String, schema: String?) throws {
        out.append("NEXT VALUE FOR " + sequenceName(sequence, schema: schema))
    }

    /// A boolean is a BIT: `WHERE active` is `WHERE active = 1`.
    override func visitCondition(_ e: ExpressionNode, _ context: Precedence = .lowest) throws {
        try visitNumericBooleanCondition(e, context)
    }

    override func visitKnownFunction(_ f: FunctionCall, _ known: KnownFunction) throws {
        switch known {
        case .now: out.append("SYSDATETIME()")
        case .charLength, .length:
            var g = f
            g.name = "LEN"
            try visitFunctionCall(g)
        case .random: out.append("RAND()")
        case .groupConcat:
            if f.distinct { throw notSupported("group_concat(DISTINCT ...)", "aggregate a DISTINCT subquery's rows") }
            out.append("string_agg(")
            try visitList(f.arguments)
            if f.arguments.count == 1 { out.append(", ','") }
            out.append(")")
            if !f.orderBy.isEmpty {
                out.append(" WITHIN GROUP (ORDER BY ")
                try visitOrderingTerms(f.orderBy)
                out.append(")")
            }
        case .nextValue:
            try visitFunctionCall(f)
        }
    }

    /// `a + b` for string concatenation.
    override func operatorSQL(_ op: BinaryOperator) -> String { op == .concat ? "+" : op.sql }

    override func visitSelectLimitPrefix(limit: ExpressionNode?, offset: ExpressionNode?, ordered: Bool) throws -> Bool {
        if offset != nil, !ordered {
            throw notSupported("OFFSET without ORDER BY", "SQL Server pages only ordered rows: add orderBy(...)")
        }
        guard let limit, offset == nil else { return false }
        out.append("TOP (")
        try visit(limit)
        out.append(") ")
        return true
    }

    override func visitLimitOffset(limit: ExpressionNode?, offset: ExpressionNode?) throws {
        out.append(" OFFSET ")
        if let offset { try visit(offset) } else { out.append("0") }
        out.append(" ROWS")
        if let limit {
            out.append(" FETCH NEXT ")
            try visit(limit)
            out.append(" ROWS ONLY")
        }
    }

    override func visitRowLock(_ lock: RowLock) throws {
        throw notSupported("FOR \(lock.strength.rawValue)", "SQL Server locks rows with table hints (WITH (UPDLOCK, ROWLOCK)); write the query with text()")
    }

    override func visitDistinctOn(_ exprs: [ExpressionNode]) throws {
        throw notSupported("DISTINCT ON", "use GROUP BY or a window function instead")
    }

    override func visitLateral() throws {
        throw notSupported("LATERAL", "SQL Server spells it CROSS APPLY / OUTER APPLY; write the query with text()")
    }

    /// An upsert is `MERGE t WITH (HOLDLOCK) USING (VALUES …) AS excluded (…) ON …
    /// [WHEN MATCHED [AND …] THEN UPDATE SET …] WHEN NOT MATCHED THEN INSERT …
    /// [OUTPUT inserted.…];` (HOLDLOCK keeps the match and the insert atomic, as ON
    /// CONFLICT is; MERGE must end with `;`).
    override func visitInsertStatement(_ i: Insert) throws {
        guard let oc = i.onConflict else { return try super.visitInsertStatement(i) }
        try visitMerge(i, oc, MergeSpelling(
            source: .values, into: false, targetHint: " WITH (HOLDLOCK)", parenthesizedOn: false, conditionInWhen: true,
            refusesUpdatingMatchColumns: false, output: true, terminator: ";"))
    }

    override func visitDeleteUsing(_ froms: [FromNode]) throws {
        throw notSupported("DELETE ... USING", "refer to other tables through a subquery, e.g. where(exists(...))")
    }

    /// ` OUTPUT inserted.a, inserted.b` (`deleted.` for a DELETE).
    override func visitOutputClause(_ items: [ExpressionNode], pseudoTable: String) throws {
        guard !items.isEmpty else { return }
        out.append(" OUTPUT ")
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(", ") }
            var expression = item
            var label: String?
            if case .label(let inner, let name) = item {
                expression = inner
                label = name
            }
            switch expression {
            case .column(let ref):
                out.append(pseudoTable + ".")
                appendIdentifier(ref.name)
            case .star:
                out.append(pseudoTable + ".*")
            default:
                throw notSupported("RETURNING an expression", "return the columns and compute the expression from them")
            }
            if let label {
                out.append(" AS ")
                appendIdentifier(label)
            }
        }
    }

    /// Written by ``visitOutputClause(_:pseudoTable:)`` instead.
    override func visitReturningClause(_ items: [ExpressionNode]) throws {}
}
