/// One ORDER BY term: an expression with an optional direction and NULLS placement.
///
/// ```swift
/// select(authors.c.name).orderBy(authors.c.name.desc().nullsLast(), authors.c.id)
/// // SELECT authors.name FROM authors ORDER BY authors.name DESC NULLS LAST, authors.id
/// ```
public struct OrderingTerm: OrderByItem, Sendable, Hashable {
    package var expression: ExpressionNode
    /// `ASC` / `DESC`, or nil for the database's default.
    public var direction: OrderDirection?
    /// `NULLS FIRST` / `NULLS LAST`, or nil for the database's default.
    public var nulls: NullsOrder?

    package init(_ expression: ExpressionNode, direction: OrderDirection?, nulls: NullsOrder?) {
        self.expression = expression
        self.direction = direction
        self.nulls = nulls
    }

    public var orderingTerm: OrderingTerm { self }

    /// `... NULLS FIRST`.
    public func nullsFirst() -> OrderingTerm { OrderingTerm(expression, direction: direction, nulls: .first) }
    /// `... NULLS LAST`.
    public func nullsLast() -> OrderingTerm { OrderingTerm(expression, direction: direction, nulls: .last) }
}

extension SQLExpression {
    /// `expr ASC`.
    public func asc() -> OrderingTerm { OrderingTerm(node, direction: .ascending, nulls: nil) }
    /// `expr DESC`.
    public func desc() -> OrderingTerm { OrderingTerm(node, direction: .descending, nulls: nil) }
    /// `expr NULLS FIRST`.
    public func nullsFirst() -> OrderingTerm { OrderingTerm(node, direction: nil, nulls: .first) }
    /// `expr NULLS LAST`.
    public func nullsLast() -> OrderingTerm { OrderingTerm(node, direction: nil, nulls: .last) }
}
