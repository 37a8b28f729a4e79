/// A FROM element as seen from outside: what ``FromClause/fromReference`` returns.
public struct FromReference: Sendable {
    package let node: FromNode
    package init(_ node: FromNode) { self.node = node }
}

/// Something a query can select FROM: a ``Table``, an alias, a ``Subquery``, a ``CTE``
/// or a ``Join``. Each has columns, `.c.name`.
///
/// ```swift
/// let a = authors.alias("a")
/// select(a.c.name).where(a.c.id == 1)   // SELECT a.name FROM authors AS a WHERE a.id = ?
/// ```
public protocol FromClause: SelectItem, Sendable {
    var fromReference: FromReference { get }
}

extension FromClause {
    /// The columns: `authors.c.name`, `authors.c["first name"]`.
    public var c: ColumnCollection { ColumnCollection(fromReference.node) }

    /// All columns of this element, for `select(table)`.
    public var selectedExpressions: [SQLExpression<Untyped>] {
        let from = fromReference.node
        if case .table(let t) = from { return t.columns.indices.map { SQLExpression(t.columnNode(at: $0)) } }
        guard let cols = from.exportedColumns else { return [SQLExpression(.star(from))] }
        return cols.map { SQLExpression(.column(ColumnReference(from: from, name: $0.name, type: $0.type))) }
    }

    /// `table.*`.
    public var star: SQLExpression<Untyped> { SQLExpression(.star(fromReference.node)) }

    /// `self JOIN other ON ...`; with no `on`, the condition comes from the foreign
    /// keys between the two (an error when there is none, or more than one).
    ///
    /// ```swift
    /// select(books.c.title).selectFrom(authors.join(books))
    /// // SELECT books.title FROM authors JOIN books ON authors.id = books.author_id
    /// ```
    public func join<C: SQLLogicalValue>(_ other: some FromClause, on condition: SQLExpression<C>) -> Join {
        Join(JoinNode(left: fromReference.node, right: other.fromReference.node, on: condition.node, kind: .inner))
    }

    /// A join whose ON clause is inferred from foreign keys.
    public func join(_ other: some FromClause, kind: JoinKind = .inner) -> Join {
        Join(JoinNode(left: fromReference.node, right: other.fromReference.node, on: nil, kind: kind))
    }

    /// `self LEFT OUTER JOIN other ON ...` (inferred from foreign keys without `on`).
    public func outerJoin<C: SQLLogicalValue>(_ other: some FromClause, on condition: SQLExpression<C>, full: Bool = false) -> Join {
        Join(JoinNode(left: fromReference.node, right: other.fromReference.node, on: condition.node, kind: full ? .full : .left))
    }

    /// `self LEFT OUTER JOIN other` with the ON clause inferred from foreign keys.
    public func outerJoin(_ other: some FromClause, full: Bool = false) -> Join {
        Join(JoinNode(left: fromReference.node, right: other.fromReference.node, on: nil, kind: full ? .full : .left))
    }

    /// A join of any kind with an explicit condition.
    public func join<C: SQLLogicalValue>(_ other: some FromClause, on condition: SQLExpression<C>, kind: JoinKind) -> Join {
        Join(JoinNode(left: fromReference.node, right: other.fromReference.node, on: condition.node, kind: kind))
    }
}

/// `left JOIN right ON condition`: a FROM element made of two.
///
/// ```swift
/// let j = authors.join(books).outerJoin(reviews)
/// select(authors.c.name, reviews.c.stars).selectFrom(j)
/// // SELECT authors.name, reviews.stars FROM authors JOIN books ON authors.id = books.author_id
/// //   LEFT OUTER JOIN reviews ON books.id = reviews.book_id
/// ```
public struct Join: FromClause, Sendable {
    package let node: JoinNode
    package init(_ node: JoinNode) { self.node = node }
    public var fromReference: FromReference { FromReference(.join(node)) }
}

/// An alias of a table or CTE: `authors.alias("a")` is `authors AS a`.
public struct TableAlias: FromClause, Sendable {
    package let node: FromNode
    public var fromReference: FromReference { FromReference(node) }
}

extension Table {
    /// `authors AS name`; without a name, an anonymous alias compiled as `authors_1`.
    ///
    /// ```swift
    /// let parent = nodes.alias("parent")
    /// select(nodes.c.id, parent.c.id).selectFrom(nodes.join(parent, on: nodes.c.parent_id == parent.c.id))
    /// // SELECT nodes.id, parent.id FROM nodes JOIN nodes AS parent ON nodes.parent_id = parent.id
    /// ```
    public func alias(_ name: String? = nil) -> TableAlias {
        TableAlias(node: .alias(.table(self), name.map(AliasName.named) ?? .anonymous(self.name)))
    }
}

/// The columns of a FROM element, by name: `authors.c.name` or `authors.c["name"]`.
///
/// A name the element lacks gives an expression that fails to compile with an error
/// listing the columns it has.
@dynamicMemberLookup
public struct ColumnCollection: Sendable {
    package let from: FromNode
    package init(_ from: FromNode) { self.from = from }

    public subscript(dynamicMember name: String) -> SQLExpression<Untyped> { self[name] }

    /// The column named `name` (any name, e.g. `c["first name"]`).
    public subscript(_ name: String) -> SQLExpression<Untyped> { SQLExpression(from.columnNode(name)) }

    /// A typed column: `books.c.typed("pages", Int.self)`.
    public func typed<V>(_ name: String, _ type: V.Type) -> SQLExpression<V> { SQLExpression(from.columnNode(name)) }

    /// The column names, in order (empty when unknown).
    public var names: [String] { from.exportedColumns?.map(\.name) ?? [] }

    /// Every column, in order.
    public var all: [SQLExpression<Untyped>] { names.map { self[$0] } }

    /// True when the element has a column of that name.
    public func contains(_ name: String) -> Bool { names.contains(name) }
}

extension FromNode {
    /// A column of this element, or an `.invalid` node naming the columns it has.
    package func columnNode(_ name: String) -> ExpressionNode {
        if case .table(let t) = self {
            if let i = t.position(of: name) { return t.columnNode(at: i) }
            return .invalid(
                "table '\(t.fullName)' has no column '\(name)'; its columns are: "
                    + t.columns.map(\.name).joined(separator: ", "))
        }
        guard let cols = exportedColumns else {
            return .column(ColumnReference(from: self, name: name, type: nil))
        }
        if let c = cols.first(where: { $0.name == name }) {
            return .column(ColumnReference(from: self, name: name, type: c.type))
        }
        return .invalid(
            "'\(displayName)' has no column '\(name)'; its columns are: " + cols.map(\.name).joined(separator: ", "))
    }
}
