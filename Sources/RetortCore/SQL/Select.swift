/// A SELECT statement, built step by step; each method returns a new value.
///
/// ```swift
/// let q = select(authors.c.name, fn.count(books.c.id).label("books"))
///     .selectFrom(authors.outerJoin(books))
///     .where(authors.c.name.like("U%"))
///     .groupBy(authors.c.name)
///     .having(fn.count(books.c.id) > 1)
///     .orderBy(authors.c.name.desc())
///     .limit(10)
/// // SELECT authors.name, count(books.id) AS books FROM authors
/// //   LEFT OUTER JOIN books ON authors.id = books.author_id
/// //   WHERE authors.name LIKE ? GROUP BY authors.name HAVING count(books.id) > ?
/// //   ORDER BY authors.name DESC LIMIT ?
/// ```
///
/// The FROM clause comes from the columns and conditions unless ``selectFrom(_:)`` or
/// ``join(_:on:kind:)`` say otherwise. Inside another query (``scalarSubquery()``,
/// ``exists()``, `in(select(...))`) a select leaves out the tables the enclosing query
/// already has — it is correlated — unless ``correlate(_:)`` says which.
///
/// Equality (`==`) compares statements by *shape*: two selects that differ only in
/// the values they bind are equal. That is what the compiled-statement cache needs;
/// compare compiled bindings to compare values.
public struct Select: QueryStatement, Sendable, Hashable {
    package var columns: [ExpressionNode]
    package var froms: [FromNode] = []
    package var whereClause: ExpressionNode? = nil
    /// The clauses most queries leave empty, out of line: nil while they all are.
    ///
    /// A select is built by value, a method call per clause, and every call copies and
    /// destroys the whole struct (the optimizer does not turn a consuming method's
    /// `return self` into a move). Kept to four words, a select travels in registers
    /// and copies with four retains, not one per clause.
    private var more: MoreClauses? = nil

    /// GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET, DISTINCT, locking, correlation and
    /// explicit CTEs: what `more` holds.
    package struct Clauses: Sendable, Hashable {
        package var groupBy: [ExpressionNode] = []
        package var having: ExpressionNode? = nil
        package var orderBy: [OrderingTerm] = []
        package var limit: ExpressionNode? = nil
        package var offset: ExpressionNode? = nil
        package var distinctMode: Distinct = .none
        package var lock: RowLock? = nil
        package var correlation: Correlation = .auto
        package var ctes: [CommonTableExpression] = []
    }

    /// An immutable box: a change makes a new one, so copies of a select never share
    /// an edit.
    private final class MoreClauses: Sendable {
        let clauses: Clauses
        init(_ clauses: Clauses) { self.clauses = clauses }
    }

    /// All the clauses ``more`` holds; setting them all empty frees the box.
    package var clauses: Clauses {
        get { more?.clauses ?? Clauses() }
        set { more = newValue == Clauses() ? nil : MoreClauses(newValue) }
    }

    package var groupBy: [ExpressionNode] {
        get { more?.clauses.groupBy ?? [] }
        set { clauses.groupBy = newValue }
    }
    package var having: ExpressionNode? {
        get { more?.clauses.having }
        set { clauses.having = newValue }
    }
    package var orderBy: [OrderingTerm] {
        get { more?.clauses.orderBy ?? [] }
        set { clauses.orderBy = newValue }
    }
    package var limit: ExpressionNode? {
        get { more?.clauses.limit }
        set { clauses.limit = newValue }
    }
    package var offset: ExpressionNode? {
        get { more?.clauses.offset }
        set { clauses.offset = newValue }
    }
    package var distinctMode: Distinct {
        get { more?.clauses.distinctMode ?? Distinct.none }
        set { clauses.distinctMode = newValue }
    }
    package var lock: RowLock? {
        get { more?.clauses.lock }
        set { clauses.lock = newValue }
    }
    package var correlation: Correlation {
        get { more?.clauses.correlation ?? .auto }
        set { clauses.correlation = newValue }
    }
    package var ctes: [CommonTableExpression] {
        get { more?.clauses.ctes ?? [] }
        set { clauses.ctes = newValue }
    }

    package enum Distinct: Sendable, Hashable {
        case none, all
        /// PostgreSQL's `DISTINCT ON (...)`.
        case on([ExpressionNode])
    }

    package enum Correlation: Sendable, Hashable {
        /// Leave out FROM elements the enclosing query has.
        case auto
        /// Never correlate.
        case none
        /// Correlate exactly these.
        case only([FromIdentity])
    }

    public static func == (a: Select, b: Select) -> Bool {
        a.columns == b.columns && a.froms == b.froms && a.whereClause == b.whereClause
            && (a.more === b.more || a.clauses == b.clauses)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(columns)
        hasher.combine(froms)
        hasher.combine(whereClause)
        hasher.combine(clauses)
    }

    package init(columns: [ExpressionNode]) { self.columns = columns }

    public var queryReference: QueryReference { QueryReference(.select(self)) }

    /// Adds a condition, ANDed with any before it.
    public consuming func `where`<C: SQLLogicalValue>(_ condition: SQLExpression<C>) -> Select {
        // Edits the consumed value itself and hands it on: a `var` copy of `self` cost a
        // retain and a release of every field per call.
        if let existing = whereClause {
            whereClause = .conjoin(.and, [existing, condition.node])
        } else {
            whereClause = condition.node
        }
        return self
    }

    /// Adds a condition written as SQL text (with `:name` parameters).
    public func `where`(_ condition: TextClause) -> Select { self.where(SQLExpression<Untyped>(.text(condition))) }

    /// Adds columns to the select list.
    public consuming func addColumns(_ items: any SelectItem...) -> Select {
        var s = self
        s.columns += items.flatMap { $0.selectedExpressions.map(\.node) }
        return s
    }

    /// Replaces the select list.
    public consuming func withOnlyColumns(_ items: any SelectItem...) -> Select {
        var s = self
        s.columns = items.flatMap { $0.selectedExpressions.map(\.node) }
        return s
    }

    /// Adds explicit FROM elements (tables, joins, subqueries).
    public consuming func selectFrom(_ froms: any FromClause...) -> Select {
        var s = self
        s.froms += froms.map(\.fromReference.node)
        return s
    }

    /// Joins `target` to the query's leftmost FROM element (its last explicit one, or
    /// the first table its columns use). Without `on`, the condition comes from foreign keys.
    ///
    /// ```swift
    /// select(authors.c.name, books.c.title).join(books)
    /// // SELECT authors.name, books.title FROM authors JOIN books ON authors.id = books.author_id
    /// ```
    public func join(_ target: some FromClause, kind: JoinKind = .inner) -> Select {
        joined(target.fromReference.node, on: nil, kind: kind)
    }

    /// Joins `target` with an explicit condition.
    public func join<C: SQLLogicalValue>(_ target: some FromClause, on condition: SQLExpression<C>, kind: JoinKind = .inner) -> Select {
        joined(target.fromReference.node, on: condition.node, kind: kind)
    }

    /// `LEFT OUTER JOIN` (or `FULL OUTER JOIN` with `full`).
    public func outerJoin(_ target: some FromClause, full: Bool = false) -> Select {
        joined(target.fromReference.node, on: nil, kind: full ? .full : .left)
    }

    /// `LEFT OUTER JOIN ... ON condition` (or FULL with `full`).
    public func outerJoin<C: SQLLogicalValue>(_ target: some FromClause, on condition: SQLExpression<C>, full: Bool = false) -> Select {
        joined(target.fromReference.node, on: condition.node, kind: full ? .full : .left)
    }

    private func joined(_ target: FromNode, on: ExpressionNode?, kind: JoinKind) -> Select {
        var s = self
        if let last = s.froms.popLast() {
            s.froms.append(.join(JoinNode(left: last, right: target, on: on, kind: kind)))
        } else {
            var found: [FromNode] = []
            var seen = Set<FromIdentity>()
            for c in columns { c.collectFroms(into: &found, seen: &seen) }
            whereClause?.collectFroms(into: &found, seen: &seen)
            if let left = found.first(where: { $0.identity != target.identity }) {
                s.froms.append(.join(JoinNode(left: left, right: target, on: on, kind: kind)))
            } else {
                s.froms.append(target)
            }
        }
        return s
    }

    /// `GROUP BY ...`.
    public consuming func groupBy(_ items: any SQLExpressible...) -> Select {
        var s = self
        s.groupBy += items.map { $0.sqlExpression(as: nil).node }
        return s
    }

    /// `HAVING condition`, ANDed with any before it.
    public consuming func having<C: SQLLogicalValue>(_ condition: SQLExpression<C>) -> Select {
        var s = self
        s.having = s.having.map { .conjoin(.and, [$0, condition.node]) } ?? condition.node
        return s
    }

    /// `ORDER BY ...`, after any earlier terms.
    public consuming func orderBy(_ items: any OrderByItem...) -> Select {
        var s = self
        s.orderBy += items.map(\.orderingTerm)
        return s
    }

    /// `LIMIT n` (bound).
    public consuming func limit(_ n: Int) -> Select {
        var s = self
        s.limit = .bind(BoundValue(.integer(Int64(n)), type: .integer))
        return s
    }

    /// `OFFSET n` (bound).
    public consuming func offset(_ n: Int) -> Select {
        var s = self
        s.offset = .bind(BoundValue(.integer(Int64(n)), type: .integer))
        return s
    }

    /// `SELECT DISTINCT`.
    public consuming func distinct() -> Select {
        var s = self
        s.distinctMode = .all
        return s
    }

    /// `SELECT DISTINCT ON (exprs)` — PostgreSQL only; SQLite raises when compiling.
    public consuming func distinct(on expressions: [any SQLExpressible]) -> Select {
        var s = self
        s.distinctMode = .on(expressions.map { $0.sqlExpression(as: nil).node })
        return s
    }

    /// `FOR UPDATE` and its variants — PostgreSQL; SQLite raises a
    /// ``ProgrammingError`` (`.notSupported`) when compiling.
    ///
    /// ```swift
    /// select(accounts.c.balance).where(accounts.c.id == 1).forUpdate(skipLocked: true)
    /// // SELECT accounts.balance FROM accounts WHERE accounts.id = $1 FOR UPDATE SKIP LOCKED
    /// ```
    public func forUpdate(
        _ strength: RowLock.Strength = .update, of tables: [any FromClause] = [], nowait: Bool = false, skipLocked: Bool = false
    ) -> Select {
        var s = self
        s.lock = RowLock(strength: strength, of: tables.map(\.fromReference.node), nowait: nowait, skipLocked: skipLocked)
        return s
    }

    /// Correlates exactly these FROM elements with the enclosing query.
    public consuming func correlate(_ froms: any FromClause...) -> Select {
        var s = self
        s.correlation = .only(froms.map(\.fromReference.node.identity))
        return s
    }

    /// Never correlates: the subquery keeps all its FROM elements.
    public consuming func noCorrelation() -> Select {
        var s = self
        s.correlation = .none
        return s
    }

    /// Attaches common table expressions explicitly (CTEs a query references are found
    /// on their own; this adds ones it does not).
    public consuming func with(_ ctes: CTE...) -> Select {
        var s = self
        s.ctes += ctes.map(\.node)
        return s
    }
}

/// `FOR UPDATE` / `FOR SHARE` locking clause.
public struct RowLock: Sendable, Hashable {
    /// `FOR UPDATE`, `FOR NO KEY UPDATE`, `FOR SHARE`, `FOR KEY SHARE`.
    public enum Strength: String, Sendable, Hashable {
        case update = "UPDATE"
        case noKeyUpdate = "NO KEY UPDATE"
        case share = "SHARE"
        case keyShare = "KEY SHARE"
    }

    /// The lock's strength.
    public var strength: Strength
    package var of: [FromNode]
    /// `NOWAIT`: fail instead of waiting for a locked row.
    public var nowait: Bool
    /// `SKIP LOCKED`: leave out rows another transaction holds.
    public var skipLocked: Bool
}

/// `SELECT items...`: columns, expressions, or whole tables.
///
/// ```swift
/// select(authors)                                // SELECT authors.id, authors.name FROM authors
/// select(authors.c.name.label("author"))         // SELECT authors.name AS author FROM authors
/// select(star).selectFrom(authors)               // SELECT * FROM authors
/// ```
public func select<each Item: SelectItem>(_ items: repeat each Item) -> Select {
    var list = SelectList()
    // Room for one column per item (a table or a `*` may add more): no regrowing for
    // the usual list of columns.
    var count = 0
    for _ in repeat each items { count += 1 }
    list.nodes.reserveCapacity(count)
    for item in repeat each items { item.appendColumns(to: &list) }
    return Select(columns: list.nodes)
}

/// `SELECT items...` from an array.
public func select(_ items: [any SelectItem]) -> Select {
    var list = SelectList()
    list.nodes.reserveCapacity(items.count)
    for item in items { item.appendColumns(to: &list) }
    return Select(columns: list.nodes)
}

/// `EXISTS (query)`.
///
/// ```swift
/// select(authors.c.name).where(exists(select(books.c.id).where(books.c.author_id == authors.c.id)))
/// // SELECT authors.name FROM authors WHERE EXISTS (SELECT books.id FROM books WHERE books.author_id = authors.id)
/// ```
public func exists(_ query: some QueryStatement) -> SQLExpression<Bool> {
    SQLExpression(.exists(query.queryNode, negated: false))
}
