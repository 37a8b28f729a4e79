/// SQLite's departures from the shared SQL compiler.
///
/// - booleans are `1` / `0`; `fn.now()` is `CURRENT_TIMESTAMP`;
/// - OFFSET needs a LIMIT: `LIMIT -1 OFFSET ?`;
/// - compound members cannot be parenthesised, so one with its own ORDER BY or LIMIT
///   becomes `SELECT * FROM (...)`;
/// - `INSERT ... SELECT ... ON CONFLICT` needs a WHERE clause to parse;
/// - FOR UPDATE, DISTINCT ON, LATERAL, `ON CONFLICT ON CONSTRAINT` and
///   `DELETE ... USING` raise ``ProgrammingError`` (`.notSupported`) naming the construct.
final class SQLiteCompiler: SQLCompiler {

    override func visitKnownFunction(_ f: FunctionCall, _ known: KnownFunction) throws {
        switch known {
        case .now: out.append("CURRENT_TIMESTAMP")
        case .charLength:
            var g = f
            g.name = "length"
            try visitFunctionCall(g)
        case .groupConcat where !f.orderBy.isEmpty && SQLiteLibrary.versionNumber < 3_044_000:
            throw notSupported("ORDER BY inside group_concat (before SQLite 3.44)",
                               "leave orderBy out, or aggregate an ordered subquery's rows")
        default: try visitFunctionCall(f)
        }
    }

    override func visitLimitOffset(limit: ExpressionNode?, offset: ExpressionNode?) throws {
        if let limit {
            out.append(" LIMIT ")
            try visit(limit)
        } else if offset != nil {
            out.append(" LIMIT -1")
        }
        if let offset {
            out.append(" OFFSET ")
            try visit(offset)
        }
    }

    /// SQLite takes no column names after a derived table's alias and calls VALUES
    /// columns `column1`, `column2`, …: `(SELECT column1 AS a, column2 AS b FROM (VALUES ...)) AS name`.
    /// Its values carry their own types, so nothing is cast.
    override func visitValues(_ v: ValuesNode) throws {
        try checkValues(v)
        out.append("(SELECT ")
        out.append(v.columns.enumerated().map { "column\($0.offset + 1) AS " + dialect.quoteIdentifier($0.element) }
            .joined(separator: ", "))
        out.append(" FROM (VALUES ")
        try visitValuesRows(v, castFirstRow: false)
        out.append(")) AS ")
        appendIdentifier(aliasName(v.name))
    }

    /// SQLite has no ANY / ALL: `= ANY (SELECT ...)` is `IN (SELECT ...)` and `<> ALL`
    /// is `NOT IN`; other comparisons are refused.
    override func visitQuantified(_ x: ExpressionNode, _ op: BinaryOperator, _ q: Quantifier, _ operand: QuantifiedOperand) throws {
        guard case .query(let query) = operand else { return try super.visitQuantified(x, op, q, operand) }
        if (op == .equal && q == .any) || (op == .notEqual && q == .all) {
            return try visitInQuery(x, query, negated: q == .all)
        }
        throw notSupported("\(op.sql) \(q.rawValue) (SELECT ...)", "compare with the subquery's min() or max() instead")
    }

    override func visitDistinctOn(_ exprs: [ExpressionNode]) throws {
        throw notSupported("DISTINCT ON", "use GROUP BY or a window function instead")
    }

    override func visitCompoundMember(_ q: QueryNode, context: QueryContext) throws {
        let wrap: Bool
        if case .compound = q { wrap = true } else { wrap = q.hasOrderOrLimit }
        if wrap {
            out.append("SELECT * FROM (")
            try visitQuery(q, context: context)
            out.append(")")
        } else {
            try visitQuery(q, context: context)
        }
    }

    override func visitLateral() throws {
        throw notSupported("LATERAL", "use a correlated scalar subquery instead")
    }

    override func visitConflictConstraint(_ name: String) throws {
        throw notSupported("ON CONFLICT ON CONSTRAINT", "name the constraint's columns with .columns(...)")
    }

    override func visitDeleteUsing(_ froms: [FromNode]) throws {
        throw notSupported("DELETE ... USING", "refer to other tables through a subquery, e.g. where(exists(...))")
    }

    override func visitInsertQuery(_ q: QueryNode, hasConflictClause: Bool) throws {
        // "INSERT INTO t SELECT ... FROM x ON CONFLICT" reads ON as a join constraint
        // unless the SELECT has a WHERE clause.
        if hasConflictClause, case .select(var s) = q, s.whereClause == nil {
            s.whereClause = .keyword(.true)
            try visitQuery(.select(s), context: .insertSource)
        } else {
            try visitQuery(q, context: .insertSource)
        }
    }
}
