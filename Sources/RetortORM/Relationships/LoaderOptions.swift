import RetortCore

/// A per-query loader option: how a query loads a relationship of the objects it returns,
/// overriding the relationship's declared `lazy:` strategy. Given to
/// ``ModelSelect/options(_:)``; chained for a path, each step naming a relationship of
/// the previous step's target.
///
/// ```swift
/// let authors = try session.scalars(
///     select(Author.self).options(
///         .selectinLoad(\.books).selectinLoad(\.tags),   // authors' books, and those books' tags
///         .raiseLoad(\.reviews))                           // reading author.reviews stops the program
/// ).all()
/// // SELECT authors.id, authors.name FROM authors
/// // SELECT books.id, books.title, books.author_id FROM books WHERE books.author_id IN (?, ?, ...)
/// // SELECT tags.id, tags.name, book_tags.book_id FROM tags JOIN book_tags ON tags.id = book_tags.tag_id
/// //   WHERE book_tags.book_id IN (?, ?, ...)
/// ```
///
/// - `selectinLoad`: after the owners' query, one `... WHERE key IN (...)` query per
///   relationship for all the owners (500 keys per query).
/// - `joinedLoad`: a `LEFT OUTER JOIN` in the owners' query itself.
/// - `containsEager`: the rows of a join the query already has fill the relationship.
/// - `raiseLoad`: leave it unloaded, and make reading it an error.
/// - `lazyLoad`: leave it unloaded, loaded on first access (`lazy: .select`).
///
/// `Root` is the queried model, `Leaf` the target of the path's last step (the model
/// the next step's key path starts from).
///
/// Eager loads fill only relationships that are not loaded yet: an object already in
/// the session whose relationship is loaded (perhaps with changes not yet flushed) keeps
/// what it holds. With a `where:` filter the relationship holds only the matching
/// objects (it is loaded, with that subset) until it is expired or loaded again.
public struct LoaderOption<Root: Model, Leaf: Model>: @unchecked Sendable {
    // @unchecked Sendable (so that a ModelSelect with options stays Sendable): the steps
    // hold model metatypes, and the `where:` / `orderBy:` closures, which build
    // expressions from columns and are only called when the query runs.
    var steps: [LoaderStep]
    /// Set when a key path is not a relationship; the query throws it.
    var error: String?

    init(steps: [LoaderStep], error: String?) {
        self.steps = steps
        self.error = error
    }
}

/// How one step of a loader option loads its relationship.
enum LoaderStrategy {
    case lazy
    case selectin
    case joined
    case raise
    /// Filled from the query's own rows; the target's columns come from `source` (an
    /// alias the user joined), or from the target's table when nil.
    case containsEager(source: (any FromClause)?)

    var isJoinedInQuery: Bool {
        switch self {
        case .joined, .containsEager: return true
        default: return false
        }
    }

    var name: String {
        switch self {
        case .lazy: return "lazyLoad"
        case .selectin: return "selectinLoad"
        case .joined: return "joinedLoad"
        case .raise: return "raiseLoad"
        case .containsEager: return "containsEager"
        }
    }
}

/// One relationship of a loader option's path, with how to load it. `@unchecked
/// Sendable` as ``LoaderOption``.
struct LoaderStep: @unchecked Sendable {
    let owner: any ModelRelationships.Type
    let name: String
    let strategy: LoaderStrategy
    /// An extra condition on the target, given the FROM element it is read from (its
    /// table, or the alias of a joined load).
    let filter: ((any FromClause) -> ExpressionNode)?
    /// Order of a collection's objects, given the same FROM element.
    let order: ((any FromClause) -> [OrderingTerm])?
}

extension LoaderOption {
    /// This option with one more step on relationship `keyPath` of `Leaf`.
    func appending<T: Model, Value>(
        _ keyPath: KeyPath<Leaf, Value>, _ target: T.Type, _ strategy: LoaderStrategy,
        filter: ((T.Columns) -> SQLExpression<Bool>)? = nil,
        order: ((T.Columns) -> [any OrderByItem])? = nil
    ) -> LoaderOption<Root, T> {
        guard error == nil else { return LoaderOption<Root, T>(steps: steps, error: error) }
        guard let owner = Leaf.self as? any ModelRelationships.Type, let name = owner._relationshipName(for: keyPath) else {
            return LoaderOption<Root, T>(
                steps: steps,
                error: "\(strategy.name)(\(keyPath)): the key path is not a @Relationship property of \(Leaf.self)")
        }
        var filterNode: ((any FromClause) -> ExpressionNode)?
        if let filter {
            filterNode = { (source: any FromClause) -> ExpressionNode in filter(T.Columns(source)).node }
        }
        var orderTerms: ((any FromClause) -> [OrderingTerm])?
        if let order {
            orderTerms = { (source: any FromClause) -> [OrderingTerm] in order(T.Columns(source)).map { $0.orderingTerm } }
        }
        let step = LoaderStep(owner: owner, name: name, strategy: strategy, filter: filterNode, order: orderTerms)
        return LoaderOption<Root, T>(steps: steps + [step], error: nil)
    }
}

// MARK: Chained steps (key paths on the previous step's target)

extension LoaderOption {
    /// Then loads collection `keyPath` of the previous step's objects with one
    /// `IN` query per 500 owners; `where:` keeps only the matching objects.
    ///
    /// ```swift
    /// select(Author.self).options(.selectinLoad(\.books).selectinLoad(\.tags))
    /// ```
    public func selectinLoad<T: Model>(
        _ keyPath: KeyPath<Leaf, [T]>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil
    ) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .selectin, filter: filter)
    }

    /// Then loads collection `keyPath` with `IN` queries, filtered and in the order of
    /// `orderBy` (before the relationship's declared `orderBy`).
    ///
    /// ```swift
    /// .selectinLoad(\.books, where: { $0.inPrint == true }, orderBy: { $0.published.desc() })
    /// // SELECT ... FROM books WHERE books.in_print = ? AND books.author_id IN (?, ...) ORDER BY books.published DESC
    /// ```
    public func selectinLoad<T: Model>(
        _ keyPath: KeyPath<Leaf, [T]>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil,
        orderBy: @escaping (T.Columns) -> any OrderByItem
    ) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .selectin, filter: filter, order: { [orderBy($0)] })
    }

    /// Then loads collection `keyPath` with `IN` queries, ordered by several terms.
    public func selectinLoad<T: Model>(
        _ keyPath: KeyPath<Leaf, [T]>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil,
        orderBy: @escaping (T.Columns) -> [any OrderByItem]
    ) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .selectin, filter: filter, order: orderBy)
    }

    /// Then loads to-one `keyPath` of the previous step's objects with one `IN` query
    /// per 500 distinct keys; targets already in the session's identity map are not
    /// queried.
    public func selectinLoad<T: Model>(
        _ keyPath: KeyPath<Leaf, T?>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil
    ) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .selectin, filter: filter)
    }

    /// Then loads collection `keyPath` through a `LEFT OUTER JOIN` in the same query;
    /// `where:` goes into the join's `ON` clause.
    public func joinedLoad<T: Model>(
        _ keyPath: KeyPath<Leaf, [T]>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil
    ) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .joined, filter: filter)
    }

    /// Then loads collection `keyPath` through a `LEFT OUTER JOIN`, filtered (in the
    /// `ON` clause) and ordered by `orderBy` (added to the query's `ORDER BY`).
    public func joinedLoad<T: Model>(
        _ keyPath: KeyPath<Leaf, [T]>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil,
        orderBy: @escaping (T.Columns) -> any OrderByItem
    ) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .joined, filter: filter, order: { [orderBy($0)] })
    }

    /// Then loads collection `keyPath` through a `LEFT OUTER JOIN`, ordered by several terms.
    public func joinedLoad<T: Model>(
        _ keyPath: KeyPath<Leaf, [T]>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil,
        orderBy: @escaping (T.Columns) -> [any OrderByItem]
    ) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .joined, filter: filter, order: orderBy)
    }

    /// Then loads to-one `keyPath` through a `LEFT OUTER JOIN` in the same query.
    public func joinedLoad<T: Model>(
        _ keyPath: KeyPath<Leaf, T?>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil
    ) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .joined, filter: filter)
    }

    /// Then fills collection `keyPath` from the rows of a join the query already has
    /// (of the target's table, or of `alias`).
    public func containsEager<T: Model>(_ keyPath: KeyPath<Leaf, [T]>, alias: (any FromClause)? = nil) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .containsEager(source: alias))
    }

    /// Then fills to-one `keyPath` from the rows of a join the query already has (of
    /// the target's table, or of `alias`).
    public func containsEager<T: Model>(_ keyPath: KeyPath<Leaf, T?>, alias: (any FromClause)? = nil) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .containsEager(source: alias))
    }

    /// Then leaves collection `keyPath` unloaded, and reading it an error that names it
    /// (`try object.load(\.x)` still loads it).
    public func raiseLoad<T: Model>(_ keyPath: KeyPath<Leaf, [T]>) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .raise)
    }

    /// Then leaves to-one `keyPath` unloaded, and reading it an error that names it.
    public func raiseLoad<T: Model>(_ keyPath: KeyPath<Leaf, T?>) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .raise)
    }

    /// Then leaves collection `keyPath` unloaded, loaded on first access (one SELECT).
    public func lazyLoad<T: Model>(_ keyPath: KeyPath<Leaf, [T]>) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .lazy)
    }

    /// Then leaves to-one `keyPath` unloaded, loaded on first access.
    public func lazyLoad<T: Model>(_ keyPath: KeyPath<Leaf, T?>) -> LoaderOption<Root, T> {
        appending(keyPath, T.self, .lazy)
    }
}

// MARK: First steps (key paths on the queried model)

extension LoaderOption {
    private static var start: LoaderOption<Root, Root> { LoaderOption<Root, Root>(steps: [], error: nil) }

    /// Loads collection `keyPath` of the query's objects with one `IN` query per 500
    /// owners, after the owners' query; `where:` keeps only the matching objects.
    ///
    /// ```swift
    /// try session.scalars(select(Author.self).options(.selectinLoad(\.books))).all()
    /// // SELECT authors.id, authors.name FROM authors
    /// // SELECT books.id, books.title, books.author_id FROM books WHERE books.author_id IN (?, ?, ...)
    /// ```
    public static func selectinLoad<T: Model>(
        _ keyPath: KeyPath<Root, [T]>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil
    ) -> LoaderOption<Root, T> {
        start.selectinLoad(keyPath, where: filter)
    }

    /// Loads collection `keyPath` with `IN` queries, filtered, in the order of `orderBy`.
    public static func selectinLoad<T: Model>(
        _ keyPath: KeyPath<Root, [T]>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil,
        orderBy: @escaping (T.Columns) -> any OrderByItem
    ) -> LoaderOption<Root, T> {
        start.selectinLoad(keyPath, where: filter, orderBy: orderBy)
    }

    /// Loads collection `keyPath` with `IN` queries, ordered by several terms.
    public static func selectinLoad<T: Model>(
        _ keyPath: KeyPath<Root, [T]>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil,
        orderBy: @escaping (T.Columns) -> [any OrderByItem]
    ) -> LoaderOption<Root, T> {
        start.selectinLoad(keyPath, where: filter, orderBy: orderBy)
    }

    /// Loads to-one `keyPath` with one `IN` query per 500 distinct keys (none for
    /// targets already in the identity map).
    public static func selectinLoad<T: Model>(
        _ keyPath: KeyPath<Root, T?>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil
    ) -> LoaderOption<Root, T> {
        start.selectinLoad(keyPath, where: filter)
    }

    /// Loads collection `keyPath` through a `LEFT OUTER JOIN` in the query itself (the
    /// owners are de-duplicated, in order). With `limit`/`offset`, the owners' query
    /// becomes a subquery, so the limit counts owners, not joined rows.
    ///
    /// ```swift
    /// select(Author.self).options(.joinedLoad(\.books))
    /// // SELECT authors.id, authors.name, books_1.id, books_1.title, books_1.author_id
    /// //   FROM authors LEFT OUTER JOIN books AS books_1 ON authors.id = books_1.author_id
    /// ```
    public static func joinedLoad<T: Model>(
        _ keyPath: KeyPath<Root, [T]>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil
    ) -> LoaderOption<Root, T> {
        start.joinedLoad(keyPath, where: filter)
    }

    /// Loads collection `keyPath` through a `LEFT OUTER JOIN`, filtered (in the `ON`
    /// clause) and ordered by `orderBy`.
    public static func joinedLoad<T: Model>(
        _ keyPath: KeyPath<Root, [T]>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil,
        orderBy: @escaping (T.Columns) -> any OrderByItem
    ) -> LoaderOption<Root, T> {
        start.joinedLoad(keyPath, where: filter, orderBy: orderBy)
    }

    /// Loads collection `keyPath` through a `LEFT OUTER JOIN`, ordered by several terms.
    public static func joinedLoad<T: Model>(
        _ keyPath: KeyPath<Root, [T]>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil,
        orderBy: @escaping (T.Columns) -> [any OrderByItem]
    ) -> LoaderOption<Root, T> {
        start.joinedLoad(keyPath, where: filter, orderBy: orderBy)
    }

    /// Loads to-one `keyPath` through a `LEFT OUTER JOIN` in the query itself.
    ///
    /// ```swift
    /// select(Book.self).options(.joinedLoad(\.author))
    /// // SELECT books.id, books.title, books.author_id, authors_1.id, authors_1.name
    /// //   FROM books LEFT OUTER JOIN authors AS authors_1 ON books.author_id = authors_1.id
    /// ```
    public static func joinedLoad<T: Model>(
        _ keyPath: KeyPath<Root, T?>, where filter: ((T.Columns) -> SQLExpression<Bool>)? = nil
    ) -> LoaderOption<Root, T> {
        start.joinedLoad(keyPath, where: filter)
    }

    /// Fills collection `keyPath` from the rows of a join the query already has: the
    /// target's columns are added to the SELECT, and no other query runs. Only the
    /// joined rows are loaded, so a join with a condition loads that subset.
    public static func containsEager<T: Model>(_ keyPath: KeyPath<Root, [T]>, alias: (any FromClause)? = nil) -> LoaderOption<Root, T> {
        start.containsEager(keyPath, alias: alias)
    }

    /// Fills to-one `keyPath` from the rows of a join the query already has (of the
    /// target's table, or of `alias`).
    ///
    /// ```swift
    /// select(Book.self).join(Author.mapping.table).where(Author.columns.name == "Ursula")
    ///     .options(.containsEager(\.author))
    /// // SELECT books.id, books.title, books.author_id, authors.id, authors.name
    /// //   FROM books JOIN authors ON authors.id = books.author_id WHERE authors.name = ?
    /// ```
    public static func containsEager<T: Model>(_ keyPath: KeyPath<Root, T?>, alias: (any FromClause)? = nil) -> LoaderOption<Root, T> {
        start.containsEager(keyPath, alias: alias)
    }

    /// Leaves collection `keyPath` unloaded, and makes reading it an error that names it,
    /// whatever its declared strategy (`try object.load(\.x)` still loads it).
    public static func raiseLoad<T: Model>(_ keyPath: KeyPath<Root, [T]>) -> LoaderOption<Root, T> {
        start.raiseLoad(keyPath)
    }

    /// Leaves to-one `keyPath` unloaded, and makes reading it an error that names it.
    public static func raiseLoad<T: Model>(_ keyPath: KeyPath<Root, T?>) -> LoaderOption<Root, T> {
        start.raiseLoad(keyPath)
    }

    /// Leaves collection `keyPath` unloaded, to load on first access, whatever its
    /// declared strategy.
    public static func lazyLoad<T: Model>(_ keyPath: KeyPath<Root, [T]>) -> LoaderOption<Root, T> {
        start.lazyLoad(keyPath)
    }

    /// Leaves to-one `keyPath` unloaded, to load on first access.
    public static func lazyLoad<T: Model>(_ keyPath: KeyPath<Root, T?>) -> LoaderOption<Root, T> {
        start.lazyLoad(keyPath)
    }
}

extension ModelSelect {
    /// Loader options for this query's relationships, overriding their declared `lazy:`
    /// strategies; several at once, and chained for nested paths.
    ///
    /// ```swift
    /// select(Author.self).options(.selectinLoad(\.books).joinedLoad(\.tags), .raiseLoad(\.reviews))
    /// ```
    public func options<each Leaf: Model>(_ options: repeat LoaderOption<M, each Leaf>) -> ModelSelect {
        var s = self
        for option in repeat each options {
            s.loaderSteps.append(option.steps)
            if let e = option.error, s.loaderError == nil { s.loaderError = e }
        }
        return s
    }
}
