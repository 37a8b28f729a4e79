/// Expressions: one visit method per construct.
extension SQLCompiler {
    /// Writes `e`, parenthesised when it binds less tightly than its context.
    package func visit(_ e: ExpressionNode, _ context: Precedence = .lowest) throws {
        let wrap = e.precedence < context
        if wrap { out.append("(") }
        try visitUnwrapped(e)
        if wrap { out.append(")") }
    }

    package func visitUnwrapped(_ e: ExpressionNode) throws {
        switch e {
        case .column(let ref): try visitColumn(ref)
        case .bind(let b): try visitBind(b)
        case .parameter(let name, _): visitParameter(name)
        case .keyword(let k): try visitKeyword(k)
        case .raw(let sql, _): out.append(sql)
        case .text(let t): try visitText(t)
        case .unary(let op, let operand): try visitUnary(op, operand)
        case .binary(let op, let l, let r): try visitBinary(op, l, r)
        case .like(let x, let p, let ci, let neg, let esc):
            try visitLike(x, pattern: p, caseInsensitive: ci, negated: neg, escape: esc)
        case .conjunction(let k, let terms): try visitConjunction(k, terms)
        case .inList(let x, let items, let neg): try visitInList(x, items, negated: neg)
        case .inExpanding(let x, let list, let neg): try visitInExpanding(x, list, negated: neg)
        case .inQuery(let x, let q, let neg): try visitInQuery(x, q, negated: neg)
        case .between(let x, let lo, let hi, let neg): try visitBetween(x, lo, hi, negated: neg)
        case .isNull(let x, let neg): try visitIsNull(x, negated: neg)
        case .function(let f): try visitFunction(f)
        case .window(let f, let spec): try visitWindow(f, spec)
        case .caseWhen(let c): try visitCase(c)
        case .cast(let x, let t): try visitCast(x, t)
        case .label(let x, _): try visit(x)
        case .scalarSubquery(let q): try visitScalarSubquery(q)
        case .exists(let q, let neg): try visitExists(q, negated: neg)
        case .quantified(let x, let op, let q, let operand): try visitQuantified(x, op, q, operand)
        case .grouping(let x):
            out.append("(")
            try visit(x)
            out.append(")")
        case .tuple(let items):
            out.append("(")
            try visitList(items)
            out.append(")")
        case .star(let from): try visitStar(from)
        case .excluded(let name): try visitExcluded(name)
        case .collate(let x, let collation):
            try visit(x, .atom)
            out.append(" COLLATE ")
            appendIdentifier(collation)
        case .invalid(let message): throw ArgumentError(message)
        }
    }

    /// `a, b, c`.
    package func visitList(_ items: [ExpressionNode]) throws {
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(", ") }
            try visit(item)
        }
    }

    /// `table.column`, or `column` where columns are not qualified.
    package func visitColumn(_ ref: ColumnReference) throws {
        if qualifyColumns, let from = ref.from, unqualifiedFrom == nil || from.identity != unqualifiedFrom {
            out.append(try fromName(from))
            out.append(".")
        }
        appendIdentifier(ref.name)
    }

    /// `*` or `table.*`.
    package func visitStar(_ from: FromNode?) throws {
        if let from, qualifyColumns {
            out.append(try fromName(from))
            out.append(".*")
        } else {
            out.append("*")
        }
    }

    /// The name a FROM element is referred to by: the table, alias, subquery or CTE name.
    package func fromName(_ from: FromNode) throws -> String {
        switch from {
        case .table(let t): return tableName(t)
        case .alias(_, let name), .subquery(_, let name, _): return dialect.quoteIdentifier(aliasName(name))
        case .values(let v): return dialect.quoteIdentifier(aliasName(v.name))
        case .cte(let c): return dialect.quoteIdentifier(c.name)
        case .join:
            throw ArgumentError("a join has no name to qualify columns with; refer to the columns of its tables")
        }
    }

    /// A named parameter, `bindParameter("id")`.
    package func visitParameter(_ name: String) {
        out.appendPlaceholder(.named(name))
    }

    /// `text("... :name ...")` inside an expression.
    package func visitText(_ t: TextClause) throws {
        if literalValues, !t.parameterNames.isEmpty {
            throw ArgumentError("text() with parameters cannot be used in DDL; write the values into the SQL")
        }
        out.append(t.segments[0])
        for (i, name) in t.parameterNames.enumerated() {
            out.appendPlaceholder(.named(name))
            out.append(t.segments[i + 1])
        }
    }

    package func visitUnary(_ op: UnaryOperator, _ operand: ExpressionNode) throws {
        switch op {
        case .not:
            out.append("NOT ")
            // NOT binds loosely on both databases: parenthesise anything but an atom.
            try visitCondition(operand, .atom)
        case .negative:
            out.append("-")
            if case .bind(let b) = operand, literalValues || b.inline, b.value.isNegativeNumber {
                // A literal `-1` after the minus would read as a comment, `--1`.
                out.append("(")
                try visitUnwrapped(operand)
                out.append(")")
            } else {
                try visit(operand, .atom)
            }
        case .bitwiseNot:
            out.append("~")
            try visit(operand, .atom)
        case .distinct:
            out.append("DISTINCT ")
            try visit(operand, .unary)
        }
    }

    /// Writes the operand of an operator at `level`, in parentheses when
    /// ``needsGrouping(_:of:operator:right:)`` says so.
    package func visitOperand(
        _ child: ExpressionNode, of level: Precedence, operator op: BinaryOperator? = nil, right: Bool
    ) throws {
        if needsGrouping(child, of: level, operator: op, right: right) {
            out.append("(")
            try visitUnwrapped(child)
            out.append(")")
        } else {
            try visitUnwrapped(child)
        }
    }

    /// The one parenthesisation rule for operands (see ``Precedence``): a child is
    /// grouped when it binds less tightly than the operator; when it binds at the same
    /// level and that level does not chain (comparisons, custom operators) or it is
    /// the right operand (`a - (b - c)`); when `||` meets arithmetic or bitwise
    /// operators, whose order against it differs between databases; and when it is a
    /// custom operator or prefix `~` under any binary operator (its precedence is unknown).
    package func needsGrouping(
        _ child: ExpressionNode, of level: Precedence, operator op: BinaryOperator?, right: Bool
    ) -> Bool {
        let c = child.precedence
        if c == .atom { return false }
        if c < level { return true }
        if c == level, level.groupsSameLevel || right { return true }
        guard op != nil else { return false }
        // A custom operator's precedence is unknown: grouped under any other operator.
        if c == .custom || level == .custom { return true }
        guard level > .comparison else { return false }
        // Above the comparisons: `||`, arithmetic and bitwise operators.
        let childIsConcat = c == .concat
        let parentIsConcat = level == .concat
        return c > .comparison && c < .unary && childIsConcat != parentIsConcat
    }

    package func visitConjunction(_ kind: Conjunction, _ terms: [ExpressionNode]) throws {
        if terms.isEmpty {
            // AND of nothing is true; OR of nothing is false.
            out.append(kind == .and ? "1 = 1" : "1 != 1")
            return
        }
        let p: Precedence = kind == .and ? .and : .or
        for (i, t) in terms.enumerated() {
            if i > 0 { out.append(kind == .and ? " AND " : " OR ") }
            try visitCondition(t, p)
        }
    }

    package func visitInList(_ x: ExpressionNode, _ items: [ExpressionNode], negated: Bool) throws {
        if items.isEmpty {
            // IN () is always false and NOT IN () always true; neither database accepts "()".
            out.append(negated ? "1 = 1" : "1 != 1")
            return
        }
        try visit(x, .atom)
        out.append(negated ? " NOT IN (" : " IN (")
        try visitList(items)
        out.append(")")
    }

    package func visitInQuery(_ x: ExpressionNode, _ q: QueryNode, negated: Bool) throws {
        try visit(x, .atom)
        out.append(negated ? " NOT IN (" : " IN (")
        try visitQuery(q, context: .correlated)
        out.append(")")
    }

    package func visitBetween(_ x: ExpressionNode, _ lo: ExpressionNode, _ hi: ExpressionNode, negated: Bool) throws {
        try visit(x, .atom)
        out.append(negated ? " NOT BETWEEN " : " BETWEEN ")
        try visit(lo, .atom)
        out.append(" AND ")
        try visit(hi, .atom)
    }

    package func visitIsNull(_ x: ExpressionNode, negated: Bool) throws {
        try visit(x, .atom)
        out.append(negated ? " IS NOT NULL" : " IS NULL")
    }

    package func visitFunction(_ f: FunctionCall) throws {
        if f.known == .nextValue {
            var schema: String?
            if case .raw(let s, _)? = f.arguments.first { schema = s }
            try visitNextValue(sequence: f.name, schema: schema)
        } else if let known = f.known {
            try visitKnownFunction(f, known)
        } else {
            try visitFunctionCall(f)
        }
    }

    /// `name(args) [FILTER (WHERE ...)]`; an aggregate with a filter goes through
    /// ``visitFilteredAggregate(_:_:)``, which a dialect without FILTER rewrites.
    package func visitFunctionCall(_ f: FunctionCall) throws {
        if let filter = f.filter {
            var plain = f
            plain.filter = nil
            return try visitFilteredAggregate(plain, filter)
        }
        out.append(functionName(f.name))
        out.append("(")
        if f.star {
            out.append("*")
        } else {
            if f.distinct { out.append("DISTINCT ") }
            try visitList(f.arguments)
        }
        if !f.orderBy.isEmpty {
            out.append(" ORDER BY ")
            try visitOrderingTerms(f.orderBy)
        }
        out.append(")")
    }

    /// A function name as written when it is a plain (possibly dotted) word, else quoted.
    package func functionName(_ name: String) -> String {
        let plain = !name.isEmpty && name.utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2E
        } && !(name.utf8.first.map { $0 >= 0x30 && $0 <= 0x39 } ?? true)
        return plain ? name : IdentifierQuoting.quote(name)
    }

    package func visitWindow(_ f: ExpressionNode, _ spec: WindowSpecification) throws {
        try visit(f, .atom)
        out.append(" OVER (")
        var needsSpace = false
        if !spec.partitionBy.isEmpty {
            out.append("PARTITION BY ")
            try visitList(spec.partitionBy)
            needsSpace = true
        }
        if !spec.orderBy.isEmpty {
            if needsSpace { out.append(" ") }
            out.append("ORDER BY ")
            try visitOrderingTerms(spec.orderBy)
            needsSpace = true
        }
        if let frame = spec.frame {
            if needsSpace { out.append(" ") }
            out.append(frame.sql)
        }
        out.append(")")
    }

    package func visitCase(_ c: CaseExpression) throws {
        out.append("CASE")
        if let v = c.value {
            out.append(" ")
            try visit(v)
        }
        for w in c.whens {
            out.append(" WHEN ")
            // A searched CASE's WHENs are conditions; a simple CASE's are values.
            if c.value == nil { try visitCondition(w.condition) } else { try visit(w.condition) }
            out.append(" THEN ")
            try visit(w.result)
        }
        if let e = c.otherwise {
            out.append(" ELSE ")
            try visit(e)
        }
        out.append(" END")
    }

    package func visitCast(_ x: ExpressionNode, _ t: SQLType) throws {
        out.append("CAST(")
        try visit(x)
        out.append(" AS ")
        out.append(try dialect.typeCompiler.castTypeName(t))
        out.append(")")
    }

    package func visitScalarSubquery(_ q: QueryNode) throws {
        out.append("(")
        try visitQuery(q, context: .correlated)
        out.append(")")
    }

    package func visitExists(_ q: QueryNode, negated: Bool) throws {
        out.append(negated ? "NOT EXISTS (" : "EXISTS (")
        try visitQuery(q, context: .correlated)
        out.append(")")
    }

    /// `expr [ASC|DESC] [NULLS FIRST|LAST], ...`.
    package func visitOrderingTerms(_ terms: [OrderingTerm]) throws {
        for (i, t) in terms.enumerated() {
            if i > 0 { out.append(", ") }
            if case .label(_, let name) = t.expression {
                appendIdentifier(name)
            } else {
                try visit(t.expression)
            }
            switch t.direction {
            case .ascending: out.append(" ASC")
            case .descending: out.append(" DESC")
            case nil: break
            }
            switch t.nulls {
            case .first: out.append(" NULLS FIRST")
            case .last: out.append(" NULLS LAST")
            case nil: break
            }
        }
    }
}
