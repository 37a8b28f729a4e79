import RetortCore

/// A SELECT of several models at once, each row read as a tuple of instances:
/// `select(Book.self, Author.self)` returns `(Book, Author)` rows.
///
/// ```swift
/// let rows = try session.execute(
///     select(Book.self, Author.self).join(\.author).where { book, author in author.name == "Ursula" }
/// ).all()
/// // SELECT books.id, books.title, books.author_id, authors.id, authors.name FROM books
/// //   JOIN authors ON authors.id = books.author_id WHERE authors.name = ?
/// for (book, author) in rows { print(book.title, author.name) }
/// ```
///
/// Every element goes through the session's identity map: the author of two books is
/// the same `Author` object in both tuples. The models are joined as you say
/// (``ModelQuery/join(_:as:)``, an explicit `on:`); with none, SQL's cross product is
/// what you get. An element may be an alias (`select(Book.self, coAuthor)`), or
/// `optional(...)` to read as nil where an outer join found nothing
/// (`select(Author.self, optional(Book.self)).outerJoin(\.books)` gives
/// `(Author, Book?)`); a non-optional element whose row is missing is an
/// `InvalidRequestError` that says so.
public struct ModelTupleSelect<First: ModelEntity, each Rest: ModelEntity>: ModelQuery, Sendable {
    /// Key paths without a root (`join(\.author)`) start from the first model.
    public typealias Primary = First.Mapped

    /// The Core statement underneath: each entity's columns, in order.
    public var core: Select
    let first: First
    let rest: (repeat each Rest)

    /// The first entity's table or alias.
    public var primarySource: any FromClause { first.source }

    init(_ first: First, _ rest: repeat each Rest) {
        self.first = first
        self.rest = (repeat each rest)
        var items: [any SelectItem] = [first.source]
        for entity in repeat each rest { items.append(entity.source) }
        core = select(items)
    }

    /// Adds a condition (on any model's columns, an alias's, or any expression), ANDed
    /// with any before it: `.where(Author.columns.name == "Ursula")`.
    public func `where`<C: SQLLogicalValue>(_ condition: SQLExpression<C>) -> ModelTupleSelect {
        var q = self
        q.core = core.where(condition)
        return q
    }

    /// Adds a condition written against each entity's typed columns, in select order
    /// (an alias's columns are the alias's): `.where { book, author in author.name == "Ursula" }`.
    public func `where`<C: SQLLogicalValue>(
        _ condition: (First.Mapped.Columns, repeat (each Rest).Mapped.Columns) -> SQLExpression<C>
    ) -> ModelTupleSelect {
        var q = self
        q.core = core.where(condition(first.columns, repeat (each rest).columns))
        return q
    }

    /// `ORDER BY` a term written against each entity's columns:
    /// `.orderBy { book, author in author.name }`.
    public func orderBy(_ term: (First.Mapped.Columns, repeat (each Rest).Mapped.Columns) -> any OrderByItem) -> ModelTupleSelect {
        var q = self
        q.core = core.orderBy(term(first.columns, repeat (each rest).columns))
        return q
    }

    /// `ORDER BY` the terms, after any earlier ones: `.orderBy(Author.columns.name, Book.columns.title.desc())`.
    public func orderBy(_ terms: any OrderByItem...) -> ModelTupleSelect {
        var q = self
        for t in terms { q.core = q.core.orderBy(t) }
        return q
    }

    /// `LIMIT n`.
    public func limit(_ n: Int) -> ModelTupleSelect {
        var q = self
        q.core = core.limit(n)
        return q
    }

    /// `OFFSET n`.
    public func offset(_ n: Int) -> ModelTupleSelect {
        var q = self
        q.core = core.offset(n)
        return q
    }

    /// `SELECT DISTINCT`.
    public func distinct() -> ModelTupleSelect {
        var q = self
        q.core = core.distinct()
        return q
    }
}

/// The rows of a ``ModelTupleSelect``, each a tuple of instances, read as they come.
public struct ModelTupleResult<First: ModelEntity, each Rest: ModelEntity> {
    let result: RetortCore.Result
    let firstReader: ModelEntityReader<First.Element>
    let restReaders: (repeat ModelEntityReader<(each Rest).Element>)

    private func read(_ row: Row) throws -> (First.Element, repeat (each Rest).Element) {
        try (firstReader.read(row), repeat (each restReaders).read(row))
    }

    /// The next row's instances, or nil at the end.
    public func next() throws -> (First.Element, repeat (each Rest).Element)? {
        guard let row = try result.next() else { return nil }
        return .some(try read(row))
    }

    /// Every remaining row's instances.
    public func all() throws -> [(First.Element, repeat (each Rest).Element)] {
        var out: [(First.Element, repeat (each Rest).Element)] = []
        while let row = try result.next() { out.append(try read(row)) }
        return out
    }

    /// The first row's instances, or nil; the rest are not read.
    public func first() throws -> (First.Element, repeat (each Rest).Element)? {
        defer { result.close() }
        return try next()
    }

    /// Exactly one row's instances; throws `InterfaceError` (`.noRows` / `.multipleRows`) otherwise.
    public func one() throws -> (First.Element, repeat (each Rest).Element) { try read(try result.one()) }

    /// One row's instances or nil; throws `InterfaceError` `.multipleRows` when there are more.
    public func oneOrNil() throws -> (First.Element, repeat (each Rest).Element)? {
        guard let row = try result.oneOrNil() else { return nil }
        return .some(try read(row))
    }
}

extension Session {
    /// Runs a multi-model query (flushing first, with autoflush) and returns its rows
    /// as tuples of instances.
    public func execute<First: ModelEntity, each Rest: ModelEntity>(
        _ query: ModelTupleSelect<First, repeat each Rest>
    ) throws -> ModelTupleResult<First, repeat each Rest> {
        try autoflushIfNeeded()
        let layout = EntityLayout()
        let first = try layout.reader(query.first, self)
        let rest = (repeat try layout.reader(each query.rest, self))
        let result = try activeConnection().execute(query.core)
        return ModelTupleResult(result: result, firstReader: first, restReaders: (repeat each rest))
    }
}

/// Hands each entity of a row its first column, left to right.
private final class EntityLayout {
    var offset = 0

    func reader<E: ModelEntity>(_ entity: E, _ session: Session) throws -> ModelEntityReader<E.Element> {
        let reader = try entity._reader(session, at: offset)
        offset += reader.width
        return reader
    }
}

// MARK: - select(...) of several models
//
// One overload per arity and per mix of models (`Book.self`) and entities (aliases,
// `optional(...)`): a variadic `select` would be shorter, but Swift 6.3 cannot infer the
// closures' parameter types (`where { book, author in ... }`) or a key path's root
// through a generic pack in one chained expression, so each overload names its tuple.

/// `SELECT` two models: each row is a tuple of instances, `(Book, Author)`.
///
/// ```swift
/// try session.execute(select(Book.self, Author.self).join(\.author)).all()   // [(Book, Author)]
/// ```
public func select<A: Model, B: Model>(_ a: A.Type, _ b: B.Type) -> ModelTupleSelect<ModelTableEntity<A>, ModelTableEntity<B>> {
    ModelTupleSelect(ModelTableEntity<A>(), ModelTableEntity<B>())
}

/// `SELECT` a model and an entity (an alias, `optional(...)`): `select(Book.self, coAuthor)`.
public func select<A: Model, B: ModelEntity>(_ a: A.Type, _ b: B) -> ModelTupleSelect<ModelTableEntity<A>, B> {
    ModelTupleSelect(ModelTableEntity<A>(), b)
}

/// `SELECT` an entity and a model: `select(coAuthor, Book.self)`.
public func select<A: ModelEntity, B: Model>(_ a: A, _ b: B.Type) -> ModelTupleSelect<A, ModelTableEntity<B>> {
    ModelTupleSelect(a, ModelTableEntity<B>())
}

/// `SELECT` two entities: `select(author, optional(coAuthor))`.
public func select<A: ModelEntity, B: ModelEntity>(_ a: A, _ b: B) -> ModelTupleSelect<A, B> {
    ModelTupleSelect(a, b)
}

/// `SELECT` three models: `(Book, Author, Tag)` rows.
public func select<A: Model, B: Model, C: Model>(
    _ a: A.Type, _ b: B.Type, _ c: C.Type
) -> ModelTupleSelect<ModelTableEntity<A>, ModelTableEntity<B>, ModelTableEntity<C>> {
    ModelTupleSelect(ModelTableEntity<A>(), ModelTableEntity<B>(), ModelTableEntity<C>())
}

/// `SELECT` three, mixing models and entities.
public func select<A: Model, B: Model, C: ModelEntity>(
    _ a: A.Type, _ b: B.Type, _ c: C
) -> ModelTupleSelect<ModelTableEntity<A>, ModelTableEntity<B>, C> {
    ModelTupleSelect(ModelTableEntity<A>(), ModelTableEntity<B>(), c)
}

/// `SELECT` three, mixing models and entities.
public func select<A: Model, B: ModelEntity, C: Model>(
    _ a: A.Type, _ b: B, _ c: C.Type
) -> ModelTupleSelect<ModelTableEntity<A>, B, ModelTableEntity<C>> {
    ModelTupleSelect(ModelTableEntity<A>(), b, ModelTableEntity<C>())
}

/// `SELECT` three, mixing models and entities.
public func select<A: Model, B: ModelEntity, C: ModelEntity>(
    _ a: A.Type, _ b: B, _ c: C
) -> ModelTupleSelect<ModelTableEntity<A>, B, C> {
    ModelTupleSelect(ModelTableEntity<A>(), b, c)
}

/// `SELECT` three, mixing models and entities.
public func select<A: ModelEntity, B: Model, C: Model>(
    _ a: A, _ b: B.Type, _ c: C.Type
) -> ModelTupleSelect<A, ModelTableEntity<B>, ModelTableEntity<C>> {
    ModelTupleSelect(a, ModelTableEntity<B>(), ModelTableEntity<C>())
}

/// `SELECT` three, mixing models and entities.
public func select<A: ModelEntity, B: Model, C: ModelEntity>(
    _ a: A, _ b: B.Type, _ c: C
) -> ModelTupleSelect<A, ModelTableEntity<B>, C> {
    ModelTupleSelect(a, ModelTableEntity<B>(), c)
}

/// `SELECT` three, mixing models and entities.
public func select<A: ModelEntity, B: ModelEntity, C: Model>(
    _ a: A, _ b: B, _ c: C.Type
) -> ModelTupleSelect<A, B, ModelTableEntity<C>> {
    ModelTupleSelect(a, b, ModelTableEntity<C>())
}

/// `SELECT` three entities.
public func select<A: ModelEntity, B: ModelEntity, C: ModelEntity>(_ a: A, _ b: B, _ c: C) -> ModelTupleSelect<A, B, C> {
    ModelTupleSelect(a, b, c)
}

/// `SELECT` four models: `(A, B, C, D)` rows.
public func select<A: Model, B: Model, C: Model, D: Model>(
    _ a: A.Type, _ b: B.Type, _ c: C.Type, _ d: D.Type
) -> ModelTupleSelect<ModelTableEntity<A>, ModelTableEntity<B>, ModelTableEntity<C>, ModelTableEntity<D>> {
    ModelTupleSelect(ModelTableEntity<A>(), ModelTableEntity<B>(), ModelTableEntity<C>(), ModelTableEntity<D>())
}
