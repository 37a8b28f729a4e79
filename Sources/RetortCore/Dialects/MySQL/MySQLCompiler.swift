/// MySQL's departures from the shared SQL compiler.
///
/// - names in backticks (the dialect's quoting), `?` parameters, booleans `1`/`0`;
/// - `a || b` is `CONCAT(a, b)` (MySQL reads `||` as OR); `IS [NOT] DISTINCT FROM` is
///   `<=>`; `fn.now()` is `CURRENT_TIMESTAMP(6)`; `length` counts characters
///   (`CHAR_LENGTH`, as on SQLite and PostgreSQL); `random()` is `RAND()`;
///   `groupConcat` is `GROUP_CONCAT(x [ORDER BY …] SEPARATOR '…')`;
/// - OFFSET needs a LIMIT: `LIMIT 18446744073709551615 OFFSET ?`;
/// - an upsert is `INSERT … ON DUPLICATE KEY UPDATE`, the proposed row being
///   `VALUES(col)` (MariaDB, MySQL before 8.0.19) or the row alias `new.col`
///   (`INSERT … VALUES (…) AS new`); DO NOTHING updates a column to itself. MySQL takes
///   no conflict target: any unique key's conflict updates;
/// - refused before anything is sent (``ProgrammingError`` `.notSupported`): FULL
///   OUTER JOIN, RETURNING on UPDATE (and anywhere before MariaDB 10.5), DISTINCT ON,
///   LATERAL (MariaDB, MySQL before 8.0.14), INTERSECT/EXCEPT (MySQL before 8.0.31),
///   `FOR NO KEY UPDATE`/`FOR KEY SHARE`, SKIP LOCKED and `OF` where absent,
///   `DELETE … USING`, an upsert's WHERE.
final class MySQLCompiler: SQLCompiler {
    private var server: MySQLServer { (dialect.implementation as? MySQLDialect)?.server ?? MySQLServer(.mysql, [8, 0, 36]) }

    /// `nextval(s)` on MariaDB 10.3 and later; MySQL has no sequences.
    override func visitNextValue(sequence: String, schema: String?) throws {
        guard server.features.contains(.sequences) else {
            throw notSupported("sequences (\(sequence).nextValue()) on \(server)",
                               "MariaDB 10.3 and later has them; on MySQL number rows with AUTO_INCREMENT")
        }
        out.append("nextval(" + sequenceName(sequence, schema: schema) + ")")
    }
    /// The INSERT being compiled takes its rows from a query (no row alias there).
    private var insertFromQuery = false

    override func visitStatement(_ statement: StatementNode) throws {
        if case .update(let u) = statement, !u.returning.isEmpty {
            throw notSupported("UPDATE ... RETURNING", "select the rows after updating them, in the same transaction")
        }
        try super.visitStatement(statement)
    }

    override func visitKeyword(_ k: SQLKeyword) throws {
        switch k {
        case .currentTimestamp: out.append("CURRENT_TIMESTAMP(6)")
        default: try super.visitKeyword(k)
        }
    }

    override func visitBinary(_ op: BinaryOperator, _ l: ExpressionNode, _ r: ExpressionNode) throws {
        switch op {
        case .concat:
            out.append("CONCAT(")
            try visit(l)
            out.append(", ")
            try visit(r)
            out.append(")")
        case .isNotDistinctFrom, .isDistinctFrom:
            if op == .isDistinctFrom { out.append("NOT (") }
            try visitOperand(l, of: BinaryOperator.equal.precedence, operator: .equal, right: false)
            out.append(" <=> ")
            try visitOperand(r, of: BinaryOperator.equal.precedence, operator: .equal, right: true)
            if op == .isDistinctFrom { out.append(")") }
        default:
            try super.visitBinary(op, l, r)
        }
    }

    override func visitKnownFunction(_ f: FunctionCall, _ known: KnownFunction) throws {
        switch known {
        case .now: out.append("CURRENT_TIMESTAMP(6)")
        case .length, .charLength:
            var g = f
            g.name = "CHAR_LENGTH"
            try visitFunctionCall(g)
        case .random:
            var g = f
            g.name = "RAND"
            try visitFunctionCall(g)
        case .groupConcat:
            if let filter = f.filter {
                var plain = f
                plain.filter = nil
                return try visitFilteredAggregate(plain, filter)
            }
            out.append("GROUP_CONCAT(")
            if f.distinct { out.append("DISTINCT ") }
            guard let value = f.arguments.first else { throw ArgumentError("group_concat needs a value") }
            try visit(value)
            if !f.orderBy.isEmpty {
                out.append(" ORDER BY ")
                try visitOrderingTerms(f.orderBy)
            }
            // The separator must be a literal.
            if f.arguments.count > 1 {
                guard case .bind(let b) = f.arguments[1] else {
                    throw ArgumentError("GROUP_CONCAT's separator must be a constant string on MySQL")
                }
                out.append(" SEPARATOR " + (try renderLiteral(b.value)))
            }
            out.append(")")
        case .nextValue:
            try visitFunctionCall(f)
        }
    }

    /// Aggregates that skip NULL inputs: for them `agg(x) FILTER (WHERE c)` is exactly
    /// `agg(CASE WHEN c THEN x END)`.
    private static let nullSkippingAggregates: Set<String> = [
        "count", "sum", "avg", "min", "max", "group_concat", "bit_and", "bit_or", "bit_xor",
        "std", "stddev", "stddev_pop", "stddev_samp", "var_pop", "var_samp", "variance",
    ]

    /// MySQL has no FILTER: `agg(x) FILTER (WHERE c)` is written `agg(CASE WHEN c THEN x END)`
    /// and `count(*) FILTER (WHERE c)` `count(CASE WHEN c THEN 1 END)`, the same result
    /// for every aggregate that skips NULLs; any other aggregate is refused.
    override func visitFilteredAggregate(_ f: FunctionCall, _ condition: ExpressionNode) throws {
        guard Self.nullSkippingAggregates.contains(f.name.lowercased()) || f.known == .groupConcat else {
            throw notSupported("\(f.name)(...) FILTER (WHERE ...)",
                               "MySQL has no FILTER; aggregate a CASE expression that yields NULL for the rows to leave out")
        }
        var g = f
        let value: ExpressionNode = f.star ? .raw("1", type: .integer) : (f.arguments.first ?? .raw("1", type: .integer))
        let filtered = ExpressionNode.caseWhen(CaseExpression(
            value: nil, whens: [CaseExpression.When(condition: condition, result: value)], otherwise: nil))
        g.star = false
        g.arguments = [filtered] + f.arguments.dropFirst()
        try visitFunction(g)
    }

    override func visitLimitOffset(limit: ExpressionNode?, offset: ExpressionNode?) throws {
        if let limit {
            out.append(" LIMIT ")
            try visit(limit)
        } else if offset != nil {
            out.append(" LIMIT 18446744073709551615")
        }
        if let offset {
            out.append(" OFFSET ")
            try visit(offset)
        }
    }

    override func visitRowLock(_ lock: RowLock) throws {
        switch lock.strength {
        case .update: break
        case .share:
            if server.isMariaDB {
                if !lock.of.isEmpty || lock.nowait || lock.skipLocked {
                    throw notSupported("FOR SHARE with OF, NOWAIT or SKIP LOCKED on MariaDB", "use forUpdate()")
                }
                out.append(" LOCK IN SHARE MODE")
                return
            }
        case .noKeyUpdate, .keyShare:
            throw notSupported("FOR \(lock.strength.rawValue)", "use FOR UPDATE or FOR SHARE")
        }
        if server.isMariaDB, !lock.of.isEmpty { throw notSupported("FOR UPDATE OF", "MariaDB locks the rows of every table read") }
        if lock.skipLocked, !server.features.contains(.skipLocked) { throw notSupported("SKIP LOCKED (before MariaDB 10.6)") }
        try super.visitRowLock(lock)
    }

    override func visitDistinctOn(_ exprs: [ExpressionNode]) throws {
        throw notSupported("DISTINCT ON", "use GROUP BY or a window function (ROW_NUMBER() OVER ...) instead")
    }

    override func joinKeyword(_ kind: JoinKind) throws -> String {
        switch kind {
        case .right: return " RIGHT OUTER JOIN "
        case .full:
            throw notSupported("FULL OUTER JOIN", "unite a LEFT JOIN with the rows a RIGHT JOIN adds (UNION)")
        default: return try super.joinKeyword(kind)
        }
    }

    override func visitLateral() throws {
        guard server.features.contains(.lateral) else {
            throw notSupported("LATERAL (on \(server))", "use a correlated scalar subquery instead")
        }
        try super.visitLateral()
    }

    override func compoundKeyword(_ op: CompoundSelect.Operator) throws -> String {
        switch op {
        case .intersect, .intersectAll, .except, .exceptAll:
            guard server.features.contains(.intersectExcept) else {
                throw notSupported("\(op.rawValue) (before MySQL 8.0.31)", "use IN / NOT IN with a subquery instead")
            }
            if server.isMariaDB, op == .intersectAll || op == .exceptAll, !server.atLeast(10, 5) {
                throw notSupported("\(op.rawValue) (before MariaDB 10.5)")
            }
        default: break
        }
        return op.rawValue
    }

    override func visitDeleteUsing(_ froms: [FromNode]) throws {
        throw notSupported("DELETE ... USING", "refer to other tables through a subquery, e.g. where(exists(...))")
    }

    override func visitConflictConstraint(_ name: String) throws {}

    override func visitInsertQuery(_ q: QueryNode, hasConflictClause: Bool) throws {
        insertFromQuery = true
        try super.visitInsertQuery(q, hasConflictClause: hasConflictClause)
    }

    private var usesRowAlias: Bool { server.features.contains(.rowAlias) && !insertFromQuery }

    /// ` [AS new] ON DUPLICATE KEY UPDATE a = VALUES(a) | new.a, ...`.
    override func visitUpsert(_ oc: OnConflict) throws {
        if oc.target?.predicate != nil {
            throw notSupported("ON CONFLICT (...) WHERE", "MySQL takes no conflict target; any unique key's conflict updates")
        }
        if usesRowAlias { out.append(" AS new") }
        out.append(" ON DUPLICATE KEY UPDATE ")
        switch oc.action {
        case .nothing:
            // A column set to itself: the conflicting row stays as it is (INSERT IGNORE
            // would also turn other errors into warnings).
            guard let target = oc.target?.columns.first else {
                throw ArgumentError("ON CONFLICT DO NOTHING needs a conflict target on MySQL: name a unique key's columns")
            }
            appendIdentifier(target)
            out.append(" = ")
            appendIdentifier(target)
        case .update(let columns, let values, let condition):
            if condition != nil {
                throw notSupported("ON CONFLICT DO UPDATE ... WHERE", "MySQL's ON DUPLICATE KEY UPDATE has no condition")
            }
            if columns.isEmpty { throw ArgumentError("ON CONFLICT DO UPDATE needs at least one column to set") }
            try visitAssignments(columns, values)
        }
    }

    /// `VALUES(name)` or `new.name`.
    override func visitExcluded(_ name: String) throws {
        if usesRowAlias {
            out.append("new.")
            appendIdentifier(name)
        } else {
            out.append("VALUES(")
            appendIdentifier(name)
            out.append(")")
        }
    }

    /// `(SELECT ? AS a, ? AS b UNION ALL SELECT ?, ?) AS name`: MySQL and MariaDB spell
    /// a VALUES list differently, and both take this.
    override func visitValues(_ v: ValuesNode) throws {
        try checkValues(v)
        out.append("(")
        for (r, row) in v.rows.enumerated() {
            out.append(r == 0 ? "SELECT " : " UNION ALL SELECT ")
            for (i, value) in row.enumerated() {
                if i > 0 { out.append(", ") }
                try visit(value)
                if r == 0 { out.append(" AS " + dialect.quoteIdentifier(v.columns[i])) }
            }
        }
        out.append(") AS ")
        appendIdentifier(aliasName(v.name))
    }
}
