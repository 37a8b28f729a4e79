/// One `WHEN condition THEN result` of a ``caseWhen(_:else:)``.
public struct CaseBranch: Sendable {
    package let condition: ExpressionNode
    package let result: ExpressionNode

    /// `WHEN condition THEN result`.
    public static func when<C: SQLLogicalValue>(_ condition: SQLExpression<C>, then result: some SQLExpressible) -> CaseBranch {
        CaseBranch(condition: condition.node, result: result.sqlExpression(as: nil).node)
    }

    /// `WHEN value THEN result`, for a simple CASE over a value (``caseWhen(value:_:else:)``).
    public static func when(_ value: some SQLExpressible, then result: some SQLExpressible) -> CaseBranch {
        CaseBranch(condition: value.sqlExpression(as: nil).node, result: result.sqlExpression(as: nil).node)
    }
}

/// `CASE WHEN ... THEN ... ELSE ... END`.
///
/// ```swift
/// caseWhen(.when(books.c.pages > 500, then: "long"), .when(books.c.pages > 100, then: "medium"), else: "short")
/// // CASE WHEN books.pages > ? THEN ? WHEN books.pages > ? THEN ? ELSE ? END
/// ```
public func caseWhen(_ branches: CaseBranch..., else otherwise: (any SQLExpressible)? = nil) -> SQLExpression<Untyped> {
    SQLExpression(.caseWhen(CaseExpression(
        value: nil, whens: branches.map { .init(condition: $0.condition, result: $0.result) },
        otherwise: otherwise?.sqlExpression(as: nil).node)))
}

/// A simple CASE over a value: `CASE x WHEN 1 THEN 'one' ... END`.
///
/// ```swift
/// caseWhen(value: books.c.format, .when("ebook", then: 0), else: 1)
/// // CASE books.format WHEN ? THEN ? ELSE ? END
/// ```
public func caseWhen(value: some SQLExpressible, _ branches: CaseBranch..., else otherwise: (any SQLExpressible)? = nil) -> SQLExpression<Untyped> {
    let v = value.sqlExpression(as: nil).node
    let t = v.sqlType
    return SQLExpression(.caseWhen(CaseExpression(
        value: v, whens: branches.map { .init(condition: $0.condition.coerced(to: t), result: $0.result) },
        otherwise: otherwise?.sqlExpression(as: nil).node)))
}

/// `CAST(expr AS type)`, with the type spelled by the dialect.
///
/// ```swift
/// cast(books.c.pages, .string(10))   // CAST(books.pages AS VARCHAR(10))
/// ```
public func cast(_ expression: some SQLExpressible, _ type: SQLType) -> SQLExpression<Untyped> {
    SQLExpression(.cast(expression.sqlExpression(as: nil).node, type))
}

/// A typed `CAST`: `cast(books.c.pages, .text, as: String.self)`.
public func cast<V>(_ expression: some SQLExpressible, _ type: SQLType, as: V.Type) -> SQLExpression<V> {
    SQLExpression(.cast(expression.sqlExpression(as: nil).node, type))
}

extension SQLExpression {
    /// `CAST(self AS type)`.
    public func cast(_ type: SQLType) -> SQLExpression<Untyped> { SQLExpression<Untyped>(.cast(node, type)) }
}

/// `(a, b, c)`: a row value, e.g. for `tuple(a, b).in(...)`.
public func tuple(_ items: any SQLExpressible...) -> SQLExpression<Untyped> {
    SQLExpression(.tuple(items.map { $0.sqlExpression(as: nil).node }))
}
