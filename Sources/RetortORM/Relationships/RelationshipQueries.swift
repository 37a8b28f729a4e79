import RetortCore

/// What a `@Relationship` property holds: `Target?` (a to-one) or `[Target]` (a
/// collection). Lets a query name a relationship by its key path and know the model on
/// the other side: `join(\.author)`, `join(\.books)`.
public protocol RelatedObjects {
    /// The model on the other side of the relationship.
    associatedtype Target: Model
}

extension Optional: RelatedObjects where Wrapped: Model {
    public typealias Target = Wrapped
}

extension Array: RelatedObjects where Element: Model {
    public typealias Target = Element
}

/// A model query whose FROM clause can grow along relationships: ``ModelSelect`` and
/// ``ModelTupleSelect``. Each method returns a copy with ``core`` changed.
///
/// ```swift
/// select(Book.self).join(\.author).where(Author.columns.name == "Ursula")
/// // SELECT books.id, books.title, books.author_id FROM books
/// //   JOIN authors ON authors.id = books.author_id WHERE authors.name = ?
/// select(Author.self).join(\.books).join(\Book.tags).where(Tag.columns.name == "sf").distinct()
/// // SELECT DISTINCT authors.id, authors.name FROM authors JOIN books ON authors.id = books.author_id
/// //   JOIN book_tags ON books.id = book_tags.book_id JOIN tags ON tags.id = book_tags.tag_id
/// //   WHERE tags.name = ?
/// ```
///
/// The ON clause comes from the relationship's resolved join (its foreign keys, or its
/// `foreignKeys:`), so two foreign keys between the same tables are no problem; a
/// many-to-many joins its `secondary` table and then the target. Joining a to-many
/// relationship repeats the owner once per related row, as in SQL (and SQLAlchemy):
/// add `.distinct()` when you want each owner once.
///
/// Mistakes that the types cannot catch — a key path to a property that is not a
/// `@Relationship`, a relationship whose owner is not in the query's FROM, joining a
/// table that is already there without an alias, a relationship that does not resolve
/// — make the statement fail when it is compiled (executed), with an `ArgumentError`
/// that names the relationship and says what to do.
public protocol ModelQuery {
    /// The query's first model: key paths without a root (`\.author`) start from it.
    associatedtype Primary: Model
    /// The Core statement underneath.
    var core: Select { get set }
    /// Where the first model's columns come from: its table, or the alias when the first
    /// entity of a tuple query is an ``AliasedModel``. Root-less key paths join from it.
    var primarySource: any FromClause { get }
}

extension ModelSelect: ModelQuery {
    public typealias Primary = M
    /// The model's table.
    public var primarySource: any FromClause { M.mapping.table }
}

extension ModelQuery {
    // MARK: Joins along relationships

    /// `JOIN` the target of relationship `path` of the query's first model, or of
    /// `target` (an alias of it) when given: `select(Book.self).join(\.author)`.
    public func join<V: RelatedObjects>(_ path: KeyPath<Primary, V>, as target: AliasedModel<V.Target>? = nil) -> Self
    where Primary: ModelRelationships {
        joined(path, owner: primarySource, target: target, kind: .inner)
    }

    /// `JOIN` along relationship `path` of any model already in the query, or of `owner`
    /// (an alias of that model) when given: `.join(\Book.tags)` after `.join(\.books)`.
    public func join<Owner: ModelRelationships, V: RelatedObjects>(
        _ path: KeyPath<Owner, V>, as target: AliasedModel<V.Target>? = nil, from owner: AliasedModel<Owner>? = nil
    ) -> Self {
        joined(path, owner: owner.map { $0.table as any FromClause } ?? Owner.mapping.table, target: target, kind: .inner)
    }

    /// `LEFT OUTER JOIN` the target of relationship `path` of the query's first model:
    /// owners without related rows are kept (select the target as `optional(...)` to
    /// read them as nil).
    public func outerJoin<V: RelatedObjects>(_ path: KeyPath<Primary, V>, as target: AliasedModel<V.Target>? = nil) -> Self
    where Primary: ModelRelationships {
        joined(path, owner: primarySource, target: target, kind: .left)
    }

    /// `LEFT OUTER JOIN` along relationship `path` of any model already in the query, or
    /// of `owner` (an alias) when given.
    public func outerJoin<Owner: ModelRelationships, V: RelatedObjects>(
        _ path: KeyPath<Owner, V>, as target: AliasedModel<V.Target>? = nil, from owner: AliasedModel<Owner>? = nil
    ) -> Self {
        joined(path, owner: owner.map { $0.table as any FromClause } ?? Owner.mapping.table, target: target, kind: .left)
    }

    // MARK: Joins to aliases

    /// `JOIN` an aliased model on an explicit condition:
    /// `.join(coAuthor, on: Book.columns.coAuthorId == coAuthor.columns.id)`.
    public func join<T: Model, C: SQLLogicalValue>(_ target: AliasedModel<T>, on condition: SQLExpression<C>) -> Self {
        var q = self
        q.core = core.join(target.table, on: condition)
        return q
    }

    /// `LEFT OUTER JOIN` an aliased model on an explicit condition.
    public func outerJoin<T: Model, C: SQLLogicalValue>(_ target: AliasedModel<T>, on condition: SQLExpression<C>) -> Self {
        var q = self
        q.core = core.outerJoin(target.table, on: condition)
        return q
    }

    private func joined<Owner: ModelRelationships, V: RelatedObjects>(
        _ path: KeyPath<Owner, V>, owner ownerFrom: any FromClause, target: AliasedModel<V.Target>?, kind: JoinKind
    ) -> Self {
        var q = self
        let targetFrom: any FromClause = if let target { target.table } else { V.Target.mapping.table }
        q.core = RelationshipJoin.join(core, Owner.self, path, owner: ownerFrom, target: targetFrom, targetIsAlias: target != nil, kind: kind)
        return q
    }
}

// MARK: - EXISTS over a relationship

extension ModelRelationships {
    /// `EXISTS` a related row of to-one relationship `path` (SQLAlchemy's `has`): the
    /// condition "this book has an author". Negate it with `!`.
    ///
    /// ```swift
    /// select(Book.self).where(!Book.has(\.author))
    /// // SELECT books.id, books.title, books.author_id FROM books
    /// //   WHERE NOT (EXISTS (SELECT 1 FROM authors WHERE authors.id = books.author_id))
    /// ```
    public static func has<T: Model>(_ path: KeyPath<Self, T?>) -> SQLExpression<Bool> {
        RelationshipJoin.exists(Self.self, path, owner: mapping.table, criteria: { _ in nil })
    }

    /// `EXISTS` a related row of to-one relationship `path` that meets `criteria`,
    /// written against the target's columns.
    ///
    /// ```swift
    /// select(Book.self).where(Book.has(\.author) { $0.name == "Ursula" })
    /// // SELECT books.id, books.title, books.author_id FROM books WHERE EXISTS
    /// //   (SELECT 1 FROM authors WHERE authors.id = books.author_id AND authors.name = ?)
    /// ```
    public static func has<T: Model, C: SQLLogicalValue>(
        _ path: KeyPath<Self, T?>, _ criteria: (T.Columns) -> SQLExpression<C>
    ) -> SQLExpression<Bool> {
        RelationshipJoin.exists(Self.self, path, owner: mapping.table) { criteria(T.Columns($0)).node }
    }

    /// `EXISTS` a related row of collection `path` (SQLAlchemy's `any`): "this author has
    /// books". Negate it with `!`. A many-to-many looks through its `secondary` table.
    ///
    /// ```swift
    /// select(Author.self).where(Author.any(\.books))
    /// // SELECT authors.id, authors.name FROM authors
    /// //   WHERE EXISTS (SELECT 1 FROM books WHERE authors.id = books.author_id)
    /// ```
    public static func any<T: Model>(_ path: KeyPath<Self, [T]>) -> SQLExpression<Bool> {
        RelationshipJoin.exists(Self.self, path, owner: mapping.table, criteria: { _ in nil })
    }

    /// `EXISTS` a related row of collection `path` that meets `criteria`.
    ///
    /// ```swift
    /// select(Author.self).where(Author.any(\.books) { $0.title.like("%Sea%") })
    /// // SELECT authors.id, authors.name FROM authors WHERE EXISTS
    /// //   (SELECT 1 FROM books WHERE authors.id = books.author_id AND books.title LIKE ?)
    /// select(Book.self).where(Book.any(\.tags) { $0.name == "sf" })
    /// // ... WHERE EXISTS (SELECT 1 FROM book_tags, tags
    /// //   WHERE books.id = book_tags.book_id AND tags.id = book_tags.tag_id AND tags.name = ?)
    /// ```
    public static func any<T: Model, C: SQLLogicalValue>(
        _ path: KeyPath<Self, [T]>, _ criteria: (T.Columns) -> SQLExpression<C>
    ) -> SQLExpression<Bool> {
        RelationshipJoin.exists(Self.self, path, owner: mapping.table) { criteria(T.Columns($0)).node }
    }
}

extension AliasedModel where M: ModelRelationships {
    /// ``ModelRelationships/has(_:)`` for the aliased model's rows.
    public func has<T: Model>(_ path: KeyPath<M, T?>) -> SQLExpression<Bool> {
        RelationshipJoin.exists(M.self, path, owner: table, criteria: { _ in nil })
    }

    /// ``ModelRelationships/has(_:_:)`` for the aliased model's rows.
    public func has<T: Model, C: SQLLogicalValue>(
        _ path: KeyPath<M, T?>, _ criteria: (T.Columns) -> SQLExpression<C>
    ) -> SQLExpression<Bool> {
        RelationshipJoin.exists(M.self, path, owner: table) { criteria(T.Columns($0)).node }
    }

    /// ``ModelRelationships/any(_:)`` for the aliased model's rows.
    public func any<T: Model>(_ path: KeyPath<M, [T]>) -> SQLExpression<Bool> {
        RelationshipJoin.exists(M.self, path, owner: table, criteria: { _ in nil })
    }

    /// ``ModelRelationships/any(_:_:)`` for the aliased model's rows.
    public func any<T: Model, C: SQLLogicalValue>(
        _ path: KeyPath<M, [T]>, _ criteria: (T.Columns) -> SQLExpression<C>
    ) -> SQLExpression<Bool> {
        RelationshipJoin.exists(M.self, path, owner: table) { criteria(T.Columns($0)).node }
    }
}

// MARK: - Building the SQL

/// The ON conditions and EXISTS subqueries of relationships, from their resolved joins.
enum RelationshipJoin {
    /// The relationship at `path` of `Owner`, or a message saying why there is none.
    static func relationship<Owner: ModelRelationships>(_ owner: Owner.Type, _ path: AnyKeyPath) -> Result<Relationship, ArgumentError> {
        guard let name = Owner._relationshipName(for: path) else {
            return .failure(ArgumentError(
                "a key path given to join/outerJoin/has/any is not a @Relationship property of \(Owner.self); "
                    + "name a relationship (\(Owner.relationshipDeclarations.map { "\\.\($0.name)" }.joined(separator: ", "))), "
                    + "or join a table with on:"))
        }
        do {
            let r = try Owner.relationship(named: name)
            if r.ownerTable !== r.owner.mapping.table || r.targetTable !== r.target.mapping.table {
                let table = r.ownerTable !== r.owner.mapping.table ? r.ownerTable : r.targetTable
                return .failure(ArgumentError(
                    "\(Owner.self).\(name) cannot be used in join/outerJoin/has/any yet: its join columns are in '\(table.name)', "
                        + "a subclass's table of an inheritance hierarchy; load it with a loader option, or join '\(table.name)' with on:"))
            }
            return .success(r)
        } catch {
            return .failure(ArgumentError("\(Owner.self).\(name) cannot be used in a query: \(error)"))
        }
    }

    /// `referred = referring` for each pair, between `owner` and `target` (or, for a
    /// many-to-many, between each of them and `secondary`).
    static func conditions(_ r: Relationship, owner: FromNode, target: FromNode, secondary: FromNode?) -> (secondary: ExpressionNode?, target: ExpressionNode) {
        func eq(_ a: FromNode, _ ac: String, _ b: FromNode, _ bc: String) -> ExpressionNode {
            .binary(.equal, a.columnNode(ac), b.columnNode(bc))
        }
        switch r.direction {
        case .manyToOne:
            // books.author_id → authors.id: `authors.id = books.author_id`.
            return (nil, .conjoin(.and, r.pairs.map { eq(target, $0.remote, owner, $0.local) }))
        case .oneToMany:
            return (nil, .conjoin(.and, r.pairs.map { eq(owner, $0.local, target, $0.remote) }))
        case .manyToMany:
            let secondary = secondary ?? .table(r.secondary!)
            return (
                .conjoin(.and, r.pairs.map { eq(owner, $0.local, secondary, $0.remote) }),
                .conjoin(.and, r.secondaryPairs.map { eq(target, $0.local, secondary, $0.remote) })
            )
        }
    }

    /// `core` with `target` joined along relationship `path` of `owner` (the owner's
    /// table or an alias of it, which must be in the FROM already). A mistake becomes
    /// a WHERE term that fails to compile with the message.
    static func join<Owner: ModelRelationships>(
        _ core: Select, _ ownerModel: Owner.Type, _ path: AnyKeyPath, owner: any FromClause, target: any FromClause,
        targetIsAlias: Bool, kind: JoinKind
    ) -> Select {
        let r: Relationship
        switch relationship(Owner.self, path) {
        case .success(let found): r = found
        case .failure(let error): return failing(core, error.message)
        }
        let here = "\(Owner.self).\(r.name)"
        let ownerNode = owner.fromReference.node
        let targetNode = target.fromReference.node

        // Where the FROM stands: explicit elements (joins) and those the columns and
        // conditions bring in.
        var implicit: [FromNode] = []
        var seen = Set<FromIdentity>()
        for c in core.columns { c.collectFroms(into: &implicit, seen: &seen) }
        core.whereClause?.collectFroms(into: &implicit, seen: &seen)
        let explicit = Set(core.froms.flatMap(\.flattened).map(\.identity))
        let ownerIndex = core.froms.firstIndex { $0.flattened.contains { $0.identity == ownerNode.identity } }

        guard ownerIndex != nil || seen.contains(ownerNode.identity) else {
            let present = (core.froms.flatMap(\.flattened) + implicit).map(\.displayName)
            return failing(core,
                "cannot join \(here): its owner \(ownerNode.displayName) is not in the query (which has \(present.joined(separator: ", "))); "
                    + "join \(Owner.self) first, or select it")
        }
        if targetNode.identity == ownerNode.identity || explicit.contains(targetNode.identity) {
            let model = r.target
            return failing(core,
                "cannot join \(here): \(targetNode.displayName) is already in the query's FROM; "
                    + (targetIsAlias ? "use another alias" : "join an alias: .join(\\.\(r.name), as: aliased(\(model).self))"))
        }

        var secondary: (any FromClause)? = nil
        if let table = r.secondary {
            // The association table a second time (another path to the same
            // many-to-many) goes under an anonymous alias.
            let plain = FromNode.table(table)
            secondary = explicit.contains(plain.identity) || seen.contains(plain.identity) ? table.alias() : table
        }
        let on = conditions(r, owner: ownerNode, target: targetNode, secondary: secondary?.fromReference.node)

        // Core's join extends the last explicit FROM element: make that the one holding
        // the owner (or the owner itself).
        var s = core
        if let i = ownerIndex {
            s.froms.append(s.froms.remove(at: i))
        } else {
            s.froms.append(ownerNode)
        }
        if let secondary, let secondaryOn = on.secondary {
            s = s.join(secondary, on: SQLExpression<Bool>(secondaryOn), kind: kind)
        }
        s = s.join(target, on: SQLExpression<Bool>(on.target), kind: kind)
        return s
    }

    /// `EXISTS (SELECT 1 FROM target WHERE <join> AND <criteria>)`, correlated to
    /// `owner`; a mistake is an expression that fails to compile with the message.
    static func exists<Owner: ModelRelationships>(
        _ ownerModel: Owner.Type, _ path: AnyKeyPath, owner: any FromClause, criteria: (any FromClause) -> ExpressionNode?
    ) -> SQLExpression<Bool> {
        let r: Relationship
        switch relationship(Owner.self, path) {
        case .success(let found): r = found
        case .failure(let error): return SQLExpression(.invalid(error.message))
        }
        let ownerNode = owner.fromReference.node
        let targetTable = r.target.mapping.table
        // A self-referential relationship looks at another row of the same table.
        let target: any FromClause = FromNode.table(targetTable).identity == ownerNode.identity ? targetTable.alias() : targetTable
        let targetNode = target.fromReference.node
        let secondaryNode = r.secondary.map { FromNode.table($0) }
        let on = conditions(r, owner: ownerNode, target: targetNode, secondary: secondaryNode)

        var terms = [on.secondary, on.target].compactMap { $0 }
        if let extra = criteria(target) { terms.append(extra) }
        var q = select(literalColumn("1"))
        q.froms = (secondaryNode.map { [$0] } ?? []) + [targetNode]
        q.whereClause = .conjoin(.and, terms)
        q.correlation = .only([ownerNode.identity])
        return q.exists()
    }

    /// `core` with the owner of each `has` / `any` in its WHERE added to its FROM when
    /// the query does not have it yet (as SQLAlchemy does): `select(Author.self)
    /// .where(Book.has(\.author))` reads `FROM authors, books WHERE EXISTS (... WHERE
    /// authors_1.id = books.author_id)`, rather than naming a table the query lacks.
    /// Run when the query executes, so that joins added after the condition count.
    static func withOwnersOfExists(_ core: Select) -> Select {
        guard let condition = core.whereClause else { return core }
        var correlated: [FromNode] = []
        condition.forEachNode { node in
            guard case .exists(.select(let sub), _) = node, case .only(let ids) = sub.correlation else { return }
            var froms: [FromNode] = []
            var seen = Set<FromIdentity>()
            sub.whereClause?.collectFroms(into: &froms, seen: &seen)
            for f in froms where ids.contains(f.identity) { correlated.append(f) }
        }
        guard !correlated.isEmpty else { return core }
        var present = Set<FromIdentity>()
        var implicit: [FromNode] = []
        for f in core.froms { for e in f.flattened { present.insert(e.identity) } }
        for c in core.columns { c.collectFroms(into: &implicit, seen: &present) }
        condition.collectFroms(into: &implicit, seen: &present)
        var s = core
        for f in correlated where present.insert(f.identity).inserted { s.froms.append(f) }
        if s.froms.count == core.froms.count { return core }
        // The query's own elements first (the model's table leads the FROM list).
        s.froms = core.froms + implicit.filter { f in !core.froms.contains { $0.identity == f.identity } }
            + s.froms.dropFirst(core.froms.count)
        return s
    }

    /// `core` made to fail when compiled, with `message`.
    static func failing(_ core: Select, _ message: String) -> Select {
        var s = core
        let term = ExpressionNode.invalid(message)
        s.whereClause = s.whereClause.map { .conjoin(.and, [$0, term]) } ?? term
        return s
    }
}
