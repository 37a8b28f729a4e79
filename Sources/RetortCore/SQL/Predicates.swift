/// IN, BETWEEN and IS NULL.
///
/// A list of values is one *expanding* parameter: the compiled (and cached) SQL is the
/// same whatever the list's length, and the list becomes parameters at execution. On
/// SQLite it expands to one `?` per value (`IN ()` for an empty list, which SQLite
/// reads as false even for a NULL left side); on PostgreSQL it is a single array
/// parameter, `= ANY($1)` / `<> ALL($1)`, so the SQL text and the server's prepared
/// statement are the same for every length and there is no 65535-parameter ceiling.
/// Either way `x IN (empty)` is false and `x NOT IN (empty)` is true, also when `x` is
/// NULL (SQLAlchemy's empty-set semantics); a NULL inside a list follows SQL's rules.
///
/// ```swift
/// authors.c.id.in([1, 2, 3])          // SQLite: authors.id IN (?, ?, ?)    PostgreSQL: authors.id = ANY($1)
/// authors.c.id.in([Int]())            // SQLite: authors.id IN ()           PostgreSQL: authors.id = ANY($1)  with '{}'
/// authors.c.id.notIn([4, 5])          // SQLite: authors.id NOT IN (?, ?)   PostgreSQL: authors.id <> ALL($1)
/// authors.c.id.in(bindParameter("ids", expanding: true))   // values given at execution:
/// //   try conn.execute(query, ["ids": SQLValueList([1, 2, 3])])
/// authors.c.id.in(select(books.c.author_id))   // authors.id IN (SELECT books.author_id FROM books)
/// books.c.pages.between(100, 200)     // books.pages BETWEEN ? AND ?
/// authors.c.email.isNull()            // authors.email IS NULL
/// ```
extension SQLExpression {
    /// `self IN (values...)`, one expanding parameter. An empty list is always false.
    public func `in`<S: Sequence>(_ values: S) -> SQLExpression<Bool> where S.Element == Value, Value: SQLValueConvertible {
        inValues(values.map(\.sqlValue), negated: false)
    }

    /// `self NOT IN (values...)`, one expanding parameter. An empty list is always true.
    public func notIn<S: Sequence>(_ values: S) -> SQLExpression<Bool> where S.Element == Value, Value: SQLValueConvertible {
        inValues(values.map(\.sqlValue), negated: true)
    }

    /// `self IN (:name)` over a parameter: with `bindParameter(name, expanding: true)` the
    /// list is given at execution as an ``SQLValueList``; otherwise it is one value.
    public func `in`(_ parameter: ListParameter) -> SQLExpression<Bool> {
        inParameter(parameter, negated: false)
    }

    /// `self NOT IN (:name)` over a parameter (see ``in(_:)-(ListParameter)``).
    public func notIn(_ parameter: ListParameter) -> SQLExpression<Bool> {
        inParameter(parameter, negated: true)
    }

    private func inParameter(_ p: ListParameter, negated: Bool) -> SQLExpression<Bool> {
        let t = p.type ?? node.sqlType
        if p.expanding {
            return SQLExpression<Bool>(.inExpanding(node, ExpandingList(parameter: p.name, type: t), negated: negated))
        }
        return SQLExpression<Bool>(.inList(node, [.parameter(name: p.name, type: t)], negated: negated))
    }

    /// `self IN (a, b)` over expressions.
    public func `in`(expressions: [SQLExpression<Value>]) -> SQLExpression<Bool> {
        SQLExpression<Bool>(.inList(node, expressions.map(\.node), negated: false))
    }

    /// `self IN (SELECT ...)`.
    public func `in`(_ query: some QueryStatement) -> SQLExpression<Bool> {
        SQLExpression<Bool>(.inQuery(node, query.queryNode, negated: false))
    }

    /// `self NOT IN (SELECT ...)`.
    public func notIn(_ query: some QueryStatement) -> SQLExpression<Bool> {
        SQLExpression<Bool>(.inQuery(node, query.queryNode, negated: true))
    }

    /// `self BETWEEN low AND high`.
    public func between(_ low: Value, _ high: Value) -> SQLExpression<Bool> where Value: SQLValueConvertible {
        let t = node.sqlType
        return SQLExpression<Bool>(.between(
            node, .bind(BoundValue(low.sqlValue, type: t)), .bind(BoundValue(high.sqlValue, type: t)), negated: false))
    }

    /// `self BETWEEN low AND high` over expressions.
    public func between(_ low: SQLExpression<Value>, _ high: SQLExpression<Value>) -> SQLExpression<Bool> {
        SQLExpression<Bool>(.between(node, low.node, high.node, negated: false))
    }

    /// `self IS NULL`.
    public func isNull() -> SQLExpression<Bool> { SQLExpression<Bool>(.isNull(node, negated: false)) }

    /// `self IS NOT NULL`.
    public func isNotNull() -> SQLExpression<Bool> { SQLExpression<Bool>(.isNull(node, negated: true)) }

    package func inValues(_ values: [SQLValue], negated: Bool) -> SQLExpression<Bool> {
        SQLExpression<Bool>(.inExpanding(node, ExpandingList(values: values, type: node.sqlType), negated: negated))
    }
}

extension SQLExpression where Value == Untyped {
    /// `self IN (values...)` for an untyped column: any values.
    public func `in`<S: Sequence>(_ values: S) -> SQLExpression<Bool> where S.Element: SQLValueConvertible {
        inValues(values.map(\.sqlValue), negated: false)
    }

    /// `self NOT IN (values...)` for an untyped column.
    public func notIn<S: Sequence>(_ values: S) -> SQLExpression<Bool> where S.Element: SQLValueConvertible {
        inValues(values.map(\.sqlValue), negated: true)
    }

    /// `self IN (a, b)` over expressions and values mixed.
    public func `in`(expressions: [any SQLExpressible]) -> SQLExpression<Bool> {
        let t = node.sqlType
        return SQLExpression<Bool>(.inList(node, expressions.map { $0.sqlExpression(as: t).node }, negated: false))
    }

    /// `self BETWEEN low AND high` for an untyped column.
    public func between(_ low: some SQLExpressible, _ high: some SQLExpressible) -> SQLExpression<Bool> {
        let t = node.sqlType
        return SQLExpression<Bool>(.between(node, low.sqlExpression(as: t).node, high.sqlExpression(as: t).node, negated: false))
    }
}

/// Marks the value types that text matching (LIKE) applies to.
public protocol SQLTextValue {}
extension String: SQLTextValue {}
extension Optional: SQLTextValue where Wrapped == String {}
extension Untyped: SQLTextValue {}

/// LIKE and friends. ``contains(_:)``, ``startsWith(_:)`` and ``endsWith(_:)`` escape
/// `%`, `_` and `/` in the value, so it matches literally.
///
/// ```swift
/// authors.c.name.like("U%")            // authors.name LIKE ?
/// authors.c.name.ilike("u%")           // SQLite: lower(authors.name) LIKE lower(?)   PostgreSQL: authors.name ILIKE $1
/// authors.c.name.contains("50%")       // authors.name LIKE ? ESCAPE '/'   bound to "%50/%%"
/// authors.c.name.startsWith(other.c.prefix)   // authors.name LIKE other.prefix || '%'
/// ```
extension SQLExpression where Value: SQLTextValue {
    /// `self LIKE pattern`.
    public func like(_ pattern: String, escape: Character? = nil) -> SQLExpression<Bool> {
        likeNode(.bind(BoundValue(.text(pattern), type: nil)), ci: false, negated: false, escape: escape)
    }

    /// `self NOT LIKE pattern`.
    public func notLike(_ pattern: String, escape: Character? = nil) -> SQLExpression<Bool> {
        likeNode(.bind(BoundValue(.text(pattern), type: nil)), ci: false, negated: true, escape: escape)
    }

    /// Case-insensitive LIKE: `ILIKE` on PostgreSQL, `lower(x) LIKE lower(pattern)` on SQLite.
    public func ilike(_ pattern: String, escape: Character? = nil) -> SQLExpression<Bool> {
        likeNode(.bind(BoundValue(.text(pattern), type: nil)), ci: true, negated: false, escape: escape)
    }

    /// Case-insensitive NOT LIKE.
    public func notIlike(_ pattern: String, escape: Character? = nil) -> SQLExpression<Bool> {
        likeNode(.bind(BoundValue(.text(pattern), type: nil)), ci: true, negated: true, escape: escape)
    }

    /// `self LIKE pattern` with a pattern expression.
    public func like<P>(_ pattern: SQLExpression<P>, escape: Character? = nil) -> SQLExpression<Bool> {
        likeNode(pattern.node, ci: false, negated: false, escape: escape)
    }

    /// Matches values containing `substring` literally.
    public func contains(_ substring: String, caseInsensitive: Bool = false) -> SQLExpression<Bool> {
        likeNode(.bind(BoundValue(.text("%" + escapeLike(substring) + "%"), type: nil)), ci: caseInsensitive, negated: false, escape: "/")
    }

    /// Matches values beginning with `prefix` literally.
    public func startsWith(_ prefix: String, caseInsensitive: Bool = false) -> SQLExpression<Bool> {
        likeNode(.bind(BoundValue(.text(escapeLike(prefix) + "%"), type: nil)), ci: caseInsensitive, negated: false, escape: "/")
    }

    /// Matches values ending with `suffix` literally.
    public func endsWith(_ suffix: String, caseInsensitive: Bool = false) -> SQLExpression<Bool> {
        likeNode(.bind(BoundValue(.text("%" + escapeLike(suffix)), type: nil)), ci: caseInsensitive, negated: false, escape: "/")
    }

    /// Contains another expression's value: `self LIKE '%' || other || '%'`.
    public func contains<P>(_ other: SQLExpression<P>) -> SQLExpression<Bool> {
        likeNode(.binary(.concat, .binary(.concat, .raw("'%'", type: .text), other.node), .raw("'%'", type: .text)),
                 ci: false, negated: false, escape: nil)
    }

    /// Starts with another expression's value: `self LIKE other || '%'`.
    public func startsWith<P>(_ other: SQLExpression<P>) -> SQLExpression<Bool> {
        likeNode(.binary(.concat, other.node, .raw("'%'", type: .text)), ci: false, negated: false, escape: nil)
    }

    /// Ends with another expression's value: `self LIKE '%' || other`.
    public func endsWith<P>(_ other: SQLExpression<P>) -> SQLExpression<Bool> {
        likeNode(.binary(.concat, .raw("'%'", type: .text), other.node), ci: false, negated: false, escape: nil)
    }

    private func likeNode(_ pattern: ExpressionNode, ci: Bool, negated: Bool, escape: Character?) -> SQLExpression<Bool> {
        SQLExpression<Bool>(.like(node, pattern: pattern, caseInsensitive: ci, negated: negated, escape: escape))
    }
}

/// Escapes LIKE's wildcards (and the escape character `/`) so `text` matches literally.
package func escapeLike(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for ch in text {
        if ch == "/" || ch == "%" || ch == "_" { out.append("/") }
        out.append(ch)
    }
    return out
}
