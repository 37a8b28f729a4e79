/// `&&`, `||` and `!` on conditions, and ``and(_:)`` / ``or(_:)`` / ``not(_:)`` for lists.
///
/// ```swift
/// authors.c.id > 1 && (authors.c.name == "a" || authors.c.name == "b")
/// // authors.id > ? AND (authors.name = ? OR authors.name = ?)
/// !(authors.c.id == 1)          // authors.id != ?
/// and([])                       // 1 = 1 (true); or([]) is 1 != 1 (false)
/// ```
extension SQLExpression where Value: SQLLogicalValue {
    /// `lhs AND rhs` (nested ANDs flatten into one list).
    public static func && <R: SQLLogicalValue>(lhs: SQLExpression, rhs: SQLExpression<R>) -> SQLExpression<Bool> {
        SQLExpression<Bool>(ExpressionNode.conjoin(.and, [lhs.node, rhs.node]))
    }

    /// `lhs OR rhs` (nested ORs flatten into one list).
    public static func || <R: SQLLogicalValue>(lhs: SQLExpression, rhs: SQLExpression<R>) -> SQLExpression<Bool> {
        SQLExpression<Bool>(ExpressionNode.conjoin(.or, [lhs.node, rhs.node]))
    }

    /// `NOT x`; a comparison negates its operator instead (`!(a == 1)` is `a != ?`),
    /// `IN` becomes `NOT IN`, `LIKE` `NOT LIKE`, `IS NULL` `IS NOT NULL`, `EXISTS` `NOT EXISTS`.
    public static prefix func ! (operand: SQLExpression) -> SQLExpression<Bool> {
        SQLExpression<Bool>(operand.node.negated)
    }
}

/// `a AND b AND ...`; an empty list is TRUE.
public func and<V: SQLLogicalValue>(_ conditions: [SQLExpression<V>]) -> SQLExpression<Bool> {
    SQLExpression(ExpressionNode.conjoin(.and, conditions.map(\.node)))
}

/// `a AND b AND ...`.
public func and<V: SQLLogicalValue>(_ first: SQLExpression<V>, _ rest: SQLExpression<V>...) -> SQLExpression<Bool> {
    and([first] + rest)
}

/// `a OR b OR ...`; an empty list is FALSE.
public func or<V: SQLLogicalValue>(_ conditions: [SQLExpression<V>]) -> SQLExpression<Bool> {
    SQLExpression(ExpressionNode.conjoin(.or, conditions.map(\.node)))
}

/// `a OR b OR ...`.
public func or<V: SQLLogicalValue>(_ first: SQLExpression<V>, _ rest: SQLExpression<V>...) -> SQLExpression<Bool> {
    or([first] + rest)
}

/// `NOT condition` (see `!`).
public func not<V: SQLLogicalValue>(_ condition: SQLExpression<V>) -> SQLExpression<Bool> {
    SQLExpression(condition.node.negated)
}

extension ExpressionNode {
    /// Joins terms with AND/OR, flattening terms that are already the same conjunction.
    package static func conjoin(_ kind: Conjunction, _ terms: [ExpressionNode]) -> ExpressionNode {
        var flat: [ExpressionNode] = []
        for t in terms {
            if case .conjunction(let k, let inner) = t, k == kind { flat += inner } else { flat.append(t) }
        }
        return flat.count == 1 ? flat[0] : .conjunction(kind, flat)
    }

    /// The logical negation, pushed into the construct where SQL has a negated form.
    package var negated: ExpressionNode {
        switch self {
        case .binary(let op, let l, let r):
            if let n = op.negated { return .binary(n, l, r) }
            return .unary(.not, self)
        case .isNull(let e, let neg): return .isNull(e, negated: !neg)
        case .inList(let e, let list, let neg): return .inList(e, list, negated: !neg)
        case .inExpanding(let e, let list, let neg): return .inExpanding(e, list, negated: !neg)
        case .inQuery(let e, let q, let neg): return .inQuery(e, q, negated: !neg)
        case .between(let e, let lo, let hi, let neg): return .between(e, lo, hi, negated: !neg)
        case .like(let e, let p, let ci, let neg, let esc): return .like(e, pattern: p, caseInsensitive: ci, negated: !neg, escape: esc)
        case .exists(let q, let neg): return .exists(q, negated: !neg)
        case .unary(.not, let inner): return inner
        case .keyword(.true): return .keyword(.false)
        case .keyword(.false): return .keyword(.true)
        default: return .unary(.not, self)
        }
    }
}

/// `text("...")` conditions combine with expressions: `text("age > :min") && authors.c.active`.
extension TextClause {
    /// `text AND condition` (the text is parenthesised).
    public static func && <R: SQLLogicalValue>(lhs: TextClause, rhs: SQLExpression<R>) -> SQLExpression<Bool> {
        SQLExpression(ExpressionNode.conjoin(.and, [.text(lhs), rhs.node]))
    }
    /// `condition AND text`.
    public static func && <L: SQLLogicalValue>(lhs: SQLExpression<L>, rhs: TextClause) -> SQLExpression<Bool> {
        SQLExpression(ExpressionNode.conjoin(.and, [lhs.node, .text(rhs)]))
    }
    /// `text OR condition`.
    public static func || <R: SQLLogicalValue>(lhs: TextClause, rhs: SQLExpression<R>) -> SQLExpression<Bool> {
        SQLExpression(ExpressionNode.conjoin(.or, [.text(lhs), rhs.node]))
    }
    /// `condition OR text`.
    public static func || <L: SQLLogicalValue>(lhs: SQLExpression<L>, rhs: TextClause) -> SQLExpression<Bool> {
        SQLExpression(ExpressionNode.conjoin(.or, [lhs.node, .text(rhs)]))
    }
    /// The text as a condition expression.
    public var condition: SQLExpression<Untyped> { SQLExpression(.text(self)) }
}
