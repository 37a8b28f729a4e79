/// What the builders and the compiler ask of an expression tree: its type, its result
/// name, the columns and FROM elements it mentions.
extension ExpressionNode {
    /// The SQL type of the expression's value, when it can be told.
    package var sqlType: SQLType? {
        switch self {
        case .column(let r): return r.type
        case .bind(let b): return b.type ?? b.value.impliedType
        case .parameter(_, let t), .raw(_, let t): return t
        case .keyword(let k):
            switch k {
            case .true, .false: return .boolean
            case .currentTimestamp: return .datetime(timezone: true)
            case .currentDate: return .date
            case .currentTime: return .time
            case .null, .default: return nil
            }
        case .text: return nil
        case .unary(let op, let e):
            return op == .not ? .boolean : e.sqlType
        case .binary(let op, let l, let r):
            if op.isComparison { return .boolean }
            if op == .concat { return .text }
            return l.sqlType ?? r.sqlType
        case .like, .conjunction, .inList, .inExpanding, .inQuery, .between, .isNull, .exists, .quantified: return .boolean
        case .function(let f): return f.type
        case .window(let e, _): return e.sqlType
        case .caseWhen(let c): return c.whens.first?.result.sqlType ?? c.otherwise?.sqlType
        case .cast(_, let t): return t
        case .label(let e, _), .grouping(let e), .collate(let e, _): return e.sqlType
        case .scalarSubquery(let q): return q.exportedColumns?.first?.type
        case .tuple, .star, .excluded, .invalid: return nil
        }
    }

    /// The name a result column gets: a column's name or a label.
    package var resultName: String? {
        switch self {
        case .column(let r): return r.name
        case .label(_, let name): return name
        default: return nil
        }
    }

    /// A bound value without a type takes `type` (the type of what it meets).
    package func coerced(to type: SQLType?) -> ExpressionNode {
        guard let type, case .bind(var b) = self, b.type == nil else { return self }
        b.type = type
        return .bind(b)
    }

    /// Names of the columns the expression mentions (outside subqueries), in order.
    package var referencedColumnNames: [String] {
        var out: [String] = []
        forEachNode { if case .column(let r) = $0 { out.append(r.name) } }
        return out
    }

    /// Adds the FROM elements the expression's columns belong to (not looking inside
    /// subqueries, which have their own FROM).
    package func collectFroms(into froms: inout [FromNode], seen: inout Set<FromIdentity>) {
        forEachNode { node in
            switch node {
            case .column(let r):
                if let f = r.from, seen.insert(f.identity).inserted { froms.append(f) }
            case .star(let f?):
                if seen.insert(f.identity).inserted { froms.append(f) }
            default: break
            }
        }
    }

    /// Calls `body` for this node and every node beneath it, not entering subqueries.
    package func forEachNode(_ body: (ExpressionNode) -> Void) {
        body(self)
        switch self {
        case .column, .bind, .parameter, .keyword, .raw, .text, .excluded, .invalid, .star,
            .scalarSubquery, .exists:
            return
        case .unary(_, let e), .isNull(let e, _), .cast(let e, _), .label(let e, _), .grouping(let e),
            .collate(let e, _), .inQuery(let e, _, _), .inExpanding(let e, _, _), .quantified(let e, _, _, _):
            e.forEachNode(body)
        case .binary(_, let l, let r):
            l.forEachNode(body)
            r.forEachNode(body)
        case .like(let e, let p, _, _, _):
            e.forEachNode(body)
            p.forEachNode(body)
        case .conjunction(_, let terms), .tuple(let terms):
            for t in terms { t.forEachNode(body) }
        case .inList(let e, let items, _):
            e.forEachNode(body)
            for t in items { t.forEachNode(body) }
        case .between(let e, let lo, let hi, _):
            e.forEachNode(body)
            lo.forEachNode(body)
            hi.forEachNode(body)
        case .function(let f):
            for a in f.arguments { a.forEachNode(body) }
            f.filter?.forEachNode(body)
            for o in f.orderBy { o.expression.forEachNode(body) }
        case .window(let e, let spec):
            e.forEachNode(body)
            for p in spec.partitionBy { p.forEachNode(body) }
            for o in spec.orderBy { o.expression.forEachNode(body) }
        case .caseWhen(let c):
            c.value?.forEachNode(body)
            for w in c.whens {
                w.condition.forEachNode(body)
                w.result.forEachNode(body)
            }
            c.otherwise?.forEachNode(body)
        }
    }

    /// How tightly the node binds as an operand (see ``Precedence``): the compiler
    /// parenthesises a child that binds less tightly than its operator needs.
    package var precedence: Precedence {
        switch self {
        case .binary(let op, _, _): return op.precedence
        case .conjunction(let k, let terms):
            if terms.isEmpty { return .comparison }
            return k == .and ? .and : .or
        case .like, .inList, .inExpanding, .inQuery, .between, .isNull, .quantified: return .comparison
        case .unary(.not, _), .exists(_, negated: true): return .not
        // A prefix `~` is an "other operator" on PostgreSQL: its operand runs on
        // through any `+` that follows, so it is grouped like a custom operator.
        case .unary(.bitwiseNot, _): return .custom
        case .unary, .collate: return .unary
        case .label(let e, _): return e.precedence
        case .text: return .lowest
        case .raw(let sql, _):
            // A single token (`1`, `'%'`, `x`) needs no parentheses; anything longer may.
            if sql.hasPrefix("-") { return .unary }
            return sql.contains(" ") ? .lowest : .atom
        default: return .atom
        }
    }
}

extension SQLValue {
    /// True for a number below zero (or negative zero), which a literal spells with a `-`.
    package var isNegativeNumber: Bool {
        switch self {
        case .integer(let i): return i < 0
        case .real(let d): return d.sign == .minus
        case .decimal(let d): return d.sign == .minus
        default: return false
        }
    }
}

extension SQLValue {
    /// The SQL type a value of this kind implies when nothing else says.
    package var impliedType: SQLType? {
        switch self {
        case .null: return nil
        case .integer: return .bigint
        case .real: return .double
        case .text: return .text
        case .blob: return .binary
        case .bool: return .boolean
        case .decimal: return .numeric
        case .timestamp: return .datetime
        case .uuid: return .uuid
        }
    }
}
