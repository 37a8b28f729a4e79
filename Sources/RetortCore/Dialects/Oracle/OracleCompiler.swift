import Foundation

/// Oracle's departures from the shared SQL compiler.
///
/// - `fn.now()` is `SYSTIMESTAMP`, `char_length` is `LENGTH`, `group_concat` is
///   `LISTAGG(x, sep) WITHIN GROUP (ORDER BY …)`;
/// - LIMIT / OFFSET are `OFFSET n ROWS FETCH FIRST m ROWS ONLY` (12c and later);
/// - table and subquery aliases take no `AS`; EXCEPT is `MINUS`;
/// - RETURNING is `RETURNING a, b INTO :ret_0, :ret_1` (out-parameters);
/// - an upsert (ON CONFLICT) is a MERGE (``visitInsertStatement(_:)``);
/// - DISTINCT ON, VALUES lists and DELETE ... USING raise
///   ``ProgrammingError`` (`.notSupported`) naming the construct.
final class OracleCompiler: SQLCompiler {
    /// `s.nextval`.
    override func visitNextValue(sequence: String, schema: String?) throws {
        out.append(sequenceName(sequence, schema: schema) + ".nextval")
    }

    override var aliasKeyword: String { " " }

    /// Before 23ai a boolean is a NUMBER(1): `WHERE active` is `WHERE active = 1`.
    override func visitCondition(_ e: ExpressionNode, _ context: Precedence = .lowest) throws {
        if (dialect.implementation as? OracleDialect)?.nativeBoolean == true { return try visit(e, context) }
        try visitNumericBooleanCondition(e, context)
    }

    /// Oracle 19c reads a SELECT without tables from DUAL.
    override var fromlessSelectFrom: String { " FROM DUAL" }

    override func compoundKeyword(_ op: CompoundSelect.Operator) throws -> String {
        switch op {
        case .except: return "MINUS"
        case .exceptAll: return "MINUS ALL"
        default: return op.rawValue
        }
    }

    override func visitKnownFunction(_ f: FunctionCall, _ known: KnownFunction) throws {
        switch known {
        case .now: out.append("SYSTIMESTAMP")
        case .charLength, .length:
            var g = f
            g.name = "LENGTH"
            try visitFunctionCall(g)
        case .random:
            out.append("DBMS_RANDOM.VALUE")
        case .groupConcat:
            try visitWithinGroup("LISTAGG", f)
        case .nextValue:
            try visitFunctionCall(f)
        }
    }

    /// `NAME(args) WITHIN GROUP (ORDER BY …)`: Oracle's and SQL Server's ordered string
    /// aggregation (the separator defaults to `,` as group_concat's does).
    func visitWithinGroup(_ name: String, _ f: FunctionCall) throws {
        if f.distinct { throw notSupported("group_concat(DISTINCT ...)", "aggregate a DISTINCT subquery's rows") }
        out.append(name + "(")
        try visitList(f.arguments)
        if f.arguments.count == 1 { out.append(", ','") }
        out.append(")")
        if !f.orderBy.isEmpty {
            out.append(" WITHIN GROUP (ORDER BY ")
            try visitOrderingTerms(f.orderBy)
            out.append(")")
        }
    }

    override func visitLimitOffset(limit: ExpressionNode?, offset: ExpressionNode?) throws {
        if let offset {
            out.append(" OFFSET ")
            try visit(offset)
            out.append(" ROWS")
        }
        if let limit {
            out.append(" FETCH FIRST ")
            try visit(limit)
            out.append(" ROWS ONLY")
        }
    }

    override func visitDistinctOn(_ exprs: [ExpressionNode]) throws {
        throw notSupported("DISTINCT ON", "use GROUP BY or a window function instead")
    }

    override func visitValues(_ v: ValuesNode) throws {
        throw notSupported("a VALUES list as a table", "select the rows from DUAL united with UNION ALL")
    }

    /// An upsert is `MERGE INTO t USING (SELECT … FROM DUAL [UNION ALL …]) excluded ON (…)
    /// [WHEN MATCHED THEN UPDATE SET … [WHERE …]] WHEN NOT MATCHED THEN INSERT …`
    /// (Oracle's MERGE has no RETURNING, and cannot set a column its ON condition reads).
    override func visitInsertStatement(_ i: Insert) throws {
        guard let oc = i.onConflict else { return try super.visitInsertStatement(i) }
        try visitMerge(i, oc, MergeSpelling(
            source: .selectFromDual, into: true, targetHint: "", parenthesizedOn: true, conditionInWhen: false,
            refusesUpdatingMatchColumns: true, output: false, terminator: ""))
    }

    override func visitDeleteUsing(_ froms: [FromNode]) throws {
        throw notSupported("DELETE ... USING", "refer to other tables through a subquery, e.g. where(exists(...))")
    }

    /// ` RETURNING a, b INTO :ret_0, :ret_1`: Oracle hands returned values back through
    /// out-parameters, which the script's runner declares.
    override func visitReturningClause(_ items: [ExpressionNode]) throws {
        guard !items.isEmpty else { return }
        out.append(" RETURNING ")
        for (i, c) in items.enumerated() {
            if i > 0 { out.append(", ") }
            if case .label(let inner, _) = c { try visit(inner) } else { try visit(c) }
        }
        out.append(" INTO " + items.indices.map { ":ret_\($0)" }.joined(separator: ", "))
    }
}
