/// The right-hand side of a comparison with every value of a list or a subquery:
/// `any_(...)` (true when the comparison holds for some value) and `all_(...)` (for
/// every value), as SQLAlchemy spells them.
///
/// ```swift
/// books.c.pages > any_([100, 200])                 // PostgreSQL: books.pages > ANY($1)  (one array parameter)
/// books.c.author_id == any_(select(authors.c.id))   // books.author_id = ANY (SELECT authors.id FROM authors)
/// books.c.pages >= all_(select(books.c.pages))      // books.pages >= ALL (SELECT books.pages FROM books)
/// ```
///
/// SQLite has neither: there `== any_(...)` is written `IN (...)` and `!= all_(...)`
/// `NOT IN (...)`; any other comparison raises ``ProgrammingError`` before anything is
/// sent. An empty list gives SQL's answers: `op ANY` of nothing is false, `op ALL` true.
public struct Quantified: Sendable {
    package let quantifier: Quantifier
    package let values: [SQLValue]?
    package let query: QueryNode?

    package func operand(type: SQLType?) -> QuantifiedOperand {
        if let query { return .query(query) }
        return .list(ExpandingList(values: values ?? [], type: type))
    }
}

/// `op ANY (values)`: see ``Quantified``.
public func any_<S: Sequence>(_ values: S) -> Quantified where S.Element: SQLValueConvertible {
    Quantified(quantifier: .any, values: values.map(\.sqlValue), query: nil)
}

/// `op ANY (SELECT ...)`: see ``Quantified``.
public func any_(_ query: some QueryStatement) -> Quantified {
    Quantified(quantifier: .any, values: nil, query: query.queryNode)
}

/// `op ALL (values)`: see ``Quantified``.
public func all_<S: Sequence>(_ values: S) -> Quantified where S.Element: SQLValueConvertible {
    Quantified(quantifier: .all, values: values.map(\.sqlValue), query: nil)
}

/// `op ALL (SELECT ...)`: see ``Quantified``.
public func all_(_ query: some QueryStatement) -> Quantified {
    Quantified(quantifier: .all, values: nil, query: query.queryNode)
}

extension SQLExpression {
    private func compared(_ op: BinaryOperator, _ q: Quantified) -> SQLExpression<Bool> {
        SQLExpression<Bool>(.quantified(node, op, q.quantifier, q.operand(type: node.sqlType)))
    }

    /// `self = ANY (...)` / `self = ALL (...)`.
    public static func == (lhs: SQLExpression, rhs: Quantified) -> SQLExpression<Bool> { lhs.compared(.equal, rhs) }
    /// `self != ANY (...)` / `self != ALL (...)`.
    public static func != (lhs: SQLExpression, rhs: Quantified) -> SQLExpression<Bool> { lhs.compared(.notEqual, rhs) }
    /// `self < ANY (...)` / `self < ALL (...)`.
    public static func < (lhs: SQLExpression, rhs: Quantified) -> SQLExpression<Bool> { lhs.compared(.less, rhs) }
    /// `self <= ANY (...)` / `self <= ALL (...)`.
    public static func <= (lhs: SQLExpression, rhs: Quantified) -> SQLExpression<Bool> { lhs.compared(.lessOrEqual, rhs) }
    /// `self > ANY (...)` / `self > ALL (...)`.
    public static func > (lhs: SQLExpression, rhs: Quantified) -> SQLExpression<Bool> { lhs.compared(.greater, rhs) }
    /// `self >= ANY (...)` / `self >= ALL (...)`.
    public static func >= (lhs: SQLExpression, rhs: Quantified) -> SQLExpression<Bool> { lhs.compared(.greaterOrEqual, rhs) }
}
