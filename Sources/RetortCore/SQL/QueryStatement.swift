/// A query's tree, as seen from outside: what ``QueryStatement/queryReference`` returns.
public struct QueryReference: Sendable {
    package let node: QueryNode
    package init(_ node: QueryNode) { self.node = node }
}

/// A statement that returns rows and can nest: a ``Select`` or a ``CompoundSelect``.
/// It becomes a subquery, a scalar value, an EXISTS test, a CTE, or part of a UNION.
public protocol QueryStatement: Executable, Sendable {
    var queryReference: QueryReference { get }
}

extension QueryStatement {
    package var queryNode: QueryNode { queryReference.node }

    /// A derived table, `(SELECT ...) AS name`; anonymous ones compile as `anon_1`, ...
    ///
    /// ```swift
    /// let counts = select(books.c.author_id, fn.count().label("n")).groupBy(books.c.author_id).subquery("counts")
    /// select(authors.c.name, counts.c.n).selectFrom(authors.join(counts, on: authors.c.id == counts.c.author_id))
    /// // SELECT authors.name, counts.n FROM authors JOIN (SELECT books.author_id, count(*) AS n FROM books
    /// //   GROUP BY books.author_id) AS counts ON authors.id = counts.author_id
    /// ```
    public func subquery(_ name: String? = nil) -> Subquery {
        Subquery(node: .subquery(queryNode, name.map(AliasName.named) ?? .anonymous("anon"), lateral: false))
    }

    /// `LATERAL (SELECT ...) AS name`: a derived table that may refer to earlier FROM elements.
    public func lateral(_ name: String? = nil) -> Subquery {
        Subquery(node: .subquery(queryNode, name.map(AliasName.named) ?? .anonymous("anon"), lateral: true))
    }

    /// The query as a single value, `(SELECT ...)`; it correlates with the enclosing query.
    ///
    /// ```swift
    /// let n = select(fn.count()).selectFrom(books).where(books.c.author_id == authors.c.id).scalarSubquery()
    /// select(authors.c.name, n.label("n"))
    /// // SELECT authors.name, (SELECT count(*) FROM books WHERE books.author_id = authors.id) AS n FROM authors
    /// ```
    public func scalarSubquery() -> SQLExpression<Untyped> { SQLExpression(.scalarSubquery(queryNode)) }

    /// A typed scalar subquery.
    public func scalarSubquery<V>(as: V.Type) -> SQLExpression<V> { SQLExpression(.scalarSubquery(queryNode)) }

    /// `EXISTS (query)`.
    public func exists() -> SQLExpression<Bool> { SQLExpression(.exists(queryNode, negated: false)) }

    /// A common table expression named `name`, referenced like a table and defined in
    /// the statement's WITH clause. A recursive one takes its recursive part with
    /// ``CTE/unionAll(_:)``.
    ///
    /// ```swift
    /// let recent = select(books).where(books.c.year > 2000).cte("recent")
    /// select(recent.c.title).orderBy(recent.c.title)
    /// // WITH recent AS (SELECT books.id, books.title, books.year FROM books WHERE books.year > ?)
    /// // SELECT recent.title FROM recent ORDER BY recent.title
    /// ```
    public func cte(_ name: String, recursive: Bool = false, columns: [String]? = nil, materialized: Bool? = nil) -> CTE {
        CTE(node: CommonTableExpression(name: name, query: queryNode, recursive: recursive, columnNames: columns, materialized: materialized))
    }

    /// `self UNION other...`.
    public func union(_ others: any QueryStatement...) -> CompoundSelect { compound(.union, others) }
    /// `self UNION ALL other...`.
    public func unionAll(_ others: any QueryStatement...) -> CompoundSelect { compound(.unionAll, others) }
    /// `self INTERSECT other...`.
    public func intersect(_ others: any QueryStatement...) -> CompoundSelect { compound(.intersect, others) }
    /// `self INTERSECT ALL other...` (PostgreSQL).
    public func intersectAll(_ others: any QueryStatement...) -> CompoundSelect { compound(.intersectAll, others) }
    /// `self EXCEPT other...`.
    public func except(_ others: any QueryStatement...) -> CompoundSelect { compound(.except, others) }
    /// `self EXCEPT ALL other...` (PostgreSQL).
    public func exceptAll(_ others: any QueryStatement...) -> CompoundSelect { compound(.exceptAll, others) }

    private func compound(_ op: CompoundSelect.Operator, _ others: [any QueryStatement]) -> CompoundSelect {
        CompoundSelect(op: op, selects: [queryNode] + others.map(\.queryNode))
    }
}

/// A derived table: `(SELECT ...) AS name`. Its columns are the query's (named)
/// result columns: `sq.c.n`.
public struct Subquery: FromClause, Sendable {
    package let node: FromNode
    public var fromReference: FromReference { FromReference(node) }
}

/// A common table expression: `WITH name AS (query)`, used like a table.
///
/// A recursive CTE names its anchor query, then adds the recursive part, which
/// refers to the CTE itself:
///
/// ```swift
/// let tree = select(nodes.c.id, nodes.c.parent_id).where(nodes.c.id == 1).cte("tree", recursive: true)
/// let full = tree.unionAll(select(nodes.c.id, nodes.c.parent_id).selectFrom(nodes.join(tree, on: nodes.c.parent_id == tree.c.id)))
/// select(full.c.id)
/// // WITH RECURSIVE tree(id, parent_id) AS (SELECT nodes.id, nodes.parent_id FROM nodes WHERE nodes.id = ?
/// //   UNION ALL SELECT nodes.id, nodes.parent_id FROM nodes JOIN tree ON nodes.parent_id = tree.id)
/// // SELECT tree.id FROM tree
/// ```
public struct CTE: FromClause, Sendable {
    package let node: CommonTableExpression
    public var fromReference: FromReference { FromReference(.cte(node)) }
    /// The CTE's name in the WITH clause.
    public var name: String { node.name }

    /// The CTE with its query extended by `UNION ALL recursivePart`.
    public func unionAll(_ recursivePart: some QueryStatement) -> CTE { extended(.unionAll, recursivePart) }
    /// The CTE with its query extended by `UNION recursivePart`.
    public func union(_ recursivePart: some QueryStatement) -> CTE { extended(.union, recursivePart) }

    private func extended(_ op: CompoundSelect.Operator, _ part: some QueryStatement) -> CTE {
        var n = node
        // Fix the column names from the anchor so the recursive part can refer to them.
        if n.columnNames == nil { n.columnNames = node.query.exportedColumns?.map(\.name) }
        n.query = .compound(CompoundSelect(op: op, selects: [node.query, part.queryNode]))
        return CTE(node: n)
    }
}

/// `a UNION b`, `a INTERSECT b`, `a EXCEPT b`, with their own ORDER BY and LIMIT.
///
/// ```swift
/// select(authors.c.name).union(select(editors.c.name)).orderBy(column("name")).limit(5)
/// // SELECT authors.name FROM authors UNION SELECT editors.name FROM editors ORDER BY name LIMIT ?
/// ```
public struct CompoundSelect: QueryStatement, Sendable, Hashable {
    /// The set operation joining the selects.
    public enum Operator: String, Sendable, Hashable {
        case union = "UNION"
        case unionAll = "UNION ALL"
        case intersect = "INTERSECT"
        case intersectAll = "INTERSECT ALL"
        case except = "EXCEPT"
        case exceptAll = "EXCEPT ALL"
    }

    package var op: Operator
    package var selects: [QueryNode]
    package var orderBy: [OrderingTerm] = []
    package var limit: ExpressionNode? = nil
    package var offset: ExpressionNode? = nil

    package init(op: Operator, selects: [QueryNode]) {
        self.op = op
        self.selects = selects
    }

    public var queryReference: QueryReference { QueryReference(.compound(self)) }

    /// ORDER BY over the result columns (name them with `column("name")`).
    public consuming func orderBy(_ items: any OrderByItem...) -> CompoundSelect {
        var s = self
        s.orderBy += items.map(\.orderingTerm)
        return s
    }

    /// `LIMIT n` (bound).
    public consuming func limit(_ n: Int) -> CompoundSelect {
        var s = self
        s.limit = .bind(BoundValue(.integer(Int64(n)), type: .integer))
        return s
    }

    /// `OFFSET n` (bound).
    public consuming func offset(_ n: Int) -> CompoundSelect {
        var s = self
        s.offset = .bind(BoundValue(.integer(Int64(n)), type: .integer))
        return s
    }
}

/// `a UNION b UNION ...`.
public func union(_ first: any QueryStatement, _ rest: any QueryStatement...) -> CompoundSelect {
    CompoundSelect(op: .union, selects: [first.queryNode] + rest.map(\.queryNode))
}

/// `a UNION ALL b ...`.
public func unionAll(_ first: any QueryStatement, _ rest: any QueryStatement...) -> CompoundSelect {
    CompoundSelect(op: .unionAll, selects: [first.queryNode] + rest.map(\.queryNode))
}

/// `a INTERSECT b ...`.
public func intersect(_ first: any QueryStatement, _ rest: any QueryStatement...) -> CompoundSelect {
    CompoundSelect(op: .intersect, selects: [first.queryNode] + rest.map(\.queryNode))
}

/// `a EXCEPT b ...`.
public func except(_ first: any QueryStatement, _ rest: any QueryStatement...) -> CompoundSelect {
    CompoundSelect(op: .except, selects: [first.queryNode] + rest.map(\.queryNode))
}

extension Select {
    /// A scalar subquery with a label, for a select list: `(SELECT ...) AS name`.
    public func label(_ name: String) -> SQLExpression<Untyped> { scalarSubquery().label(name) }
}
