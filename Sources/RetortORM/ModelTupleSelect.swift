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
    /// The loader options' paths (``options(_:)``); each starts at a model of the tuple.
    var loaderSteps: [[LoaderStep]] = []
    var loaderError: String?

    /// The first entity's table or alias.
    public var primarySource: any FromClause { first.source }

    init(_ first: First, _ rest: repeat each Rest) {
        self.first = first
        self.rest = (repeat each rest)
        var items: [any SelectItem] = Self.selectItems(first)
        var conditions = Self.classCondition(first).map { [$0] } ?? []
        for entity in repeat each rest {
            items += Self.selectItems(entity)
            if let c = Self.classCondition(entity) { conditions.append(c) }
        }
        core = select(items)
        for c in conditions { core = core.where(c) }
    }

    /// The hierarchy of an entity that is a hierarchy class's own tables (not an alias).
    static func hierarchy<E: ModelEntity>(_ entity: E) -> Hierarchy? {
        guard E.Mapped.mapping.inheritance != nil, let table = entity.source as? Table, table === E.Mapped.mapping.table else { return nil }
        return Hierarchy.of(E.Mapped.self)
    }

    /// An entity's columns: its table's, or every column of its hierarchy's tables (so
    /// that each row reads as the class its discriminator names).
    private static func selectItems<E: ModelEntity>(_ entity: E) -> [any SelectItem] {
        hierarchy(entity)?.columns ?? [entity.source]
    }

    /// A subclass entity's rows are its class's and its subclasses' (not when the entity
    /// is optional: the far side of an outer join, where a filter would drop the row).
    private static func classCondition<E: ModelEntity>(_ entity: E) -> SQLExpression<Bool>? {
        guard ObjectIdentifier(E.Element.self) == ObjectIdentifier(E.Mapped.self) else { return nil }
        return hierarchy(entity)?.classCondition(E.Mapped.self)
    }

    /// The statement as run: each hierarchy entity's subclass tables outer-joined to the
    /// FROM element that holds its root table (after the joins the query was given).
    var completedCore: Select {
        var s = core
        if let h = Self.hierarchy(first) { s = h.completingFrom(s) }
        for entity in repeat each rest {
            if let h = Self.hierarchy(entity) { s = h.completingFrom(s) }
        }
        return s
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

    /// Loader options for the relationships of the tuple's models, each option starting
    /// at the model it names (`\Book.tags`, `\Author.books`): every element of that
    /// model (an alias of it too) is loaded as ``ModelSelect/options(_:)`` would. The
    /// loads run once for all rows with `all()`, `one()` and `oneOrNil()`, per row with
    /// `next()` and `first()`. A `joinedLoad` is carried out by an `IN` query after the
    /// rows (the tuple's own joins stay as written); `containsEager` is for
    /// ``ModelSelect``, since an element of the tuple is how a tuple reads a join.
    ///
    /// ```swift
    /// try session.execute(
    ///     select(Book.self, Author.self).join(\.author).options(.selectinLoad(\Book.tags), .raiseLoad(\Author.books))
    /// ).all()
    /// // SELECT books.id, ..., authors.id, ... FROM books JOIN authors ON authors.id = books.author_id
    /// // SELECT tags.id, tags.name, book_tags.book_id FROM tags JOIN book_tags ON ... WHERE book_tags.book_id IN (?, ...)
    /// ```
    public func options<each Root: Model, each Leaf: Model>(_ options: repeat LoaderOption<each Root, each Leaf>) -> ModelTupleSelect {
        var q = self
        for option in repeat each options {
            q.loaderSteps.append(option.steps)
            if let e = option.error, q.loaderError == nil { q.loaderError = e }
        }
        return q
    }
}

/// The rows of a ``ModelTupleSelect``, each a tuple of instances, read as they come.
public struct ModelTupleResult<First: ModelEntity, each Rest: ModelEntity> {
    let result: CursorResult
    let firstReader: ModelEntityReader<First.Element>
    let restReaders: (repeat ModelEntityReader<(each Rest).Element>)
    /// The loader options' work over the instances the readers collect (nil without options).
    let eager: TupleEagerLoads?

    private func read(_ row: Row) throws -> (First.Element, repeat (each Rest).Element) {
        try (firstReader.read(row), repeat (each restReaders).read(row))
    }

    /// The next row's instances, or nil at the end.
    public func next() throws -> (First.Element, repeat (each Rest).Element)? {
        guard let row = try result.next() else { return nil }
        let values = try read(row)
        try eager?.load()
        return .some(values)
    }

    /// Every remaining row's instances.
    public func all() throws -> [(First.Element, repeat (each Rest).Element)] {
        var out: [(First.Element, repeat (each Rest).Element)] = []
        while let row = try result.next() { out.append(try read(row)) }
        try eager?.load()
        return out
    }

    /// The first row's instances, or nil; the rest are not read.
    public func first() throws -> (First.Element, repeat (each Rest).Element)? {
        defer { result.close() }
        return try next()
    }

    /// Exactly one row's instances; throws `InterfaceError` (`.noRows` / `.multipleRows`) otherwise.
    public func one() throws -> (First.Element, repeat (each Rest).Element) {
        let values = try read(try result.one())
        try eager?.load()
        return values
    }

    /// One row's instances or nil; throws `InterfaceError` `.multipleRows` when there are more.
    public func oneOrNil() throws -> (First.Element, repeat (each Rest).Element)? {
        guard let row = try result.oneOrNil() else { return nil }
        let values = try read(row)
        try eager?.load()
        return .some(values)
    }
}

/// The loader options of a tuple query: per element, the instances read since the last
/// load and the loader tree of its model.
final class TupleEagerLoads {
    let session: Session
    /// Per element that options name: its loader tree, and the distinct instances read.
    var elements: [(nodes: [LoadNode], objects: [AnyObject], seen: Set<ObjectIdentifier>)] = []

    init(session: Session) { self.session = session }

    /// Loads what the options ask for the instances read since the last call.
    func load() throws {
        for i in elements.indices where !elements[i].objects.isEmpty {
            let objects = elements[i].objects
            elements[i].objects.removeAll()
            try EagerLoader.postLoad(objects, elements[i].nodes, in: session)
        }
    }

    /// A reader that also collects its instances for element `slot`.
    func collecting<E: ModelEntity>(_ reader: ModelEntityReader<E.Element>, _ entity: E, slot: Int) -> ModelEntityReader<E.Element> {
        ModelEntityReader(width: reader.width) { [self] row in
            let value = try reader.read(row)
            if let object = (value as Any) as? E.Mapped, elements[slot].seen.insert(ObjectIdentifier(object)).inserted {
                elements[slot].objects.append(object)
            }
            return value
        }
    }
}

extension Session {
    /// Runs a multi-model query (flushing first, with autoflush) and returns its rows
    /// as tuples of instances.
    public func execute<First: ModelEntity, each Rest: ModelEntity>(
        _ query: ModelTupleSelect<First, repeat each Rest>
    ) throws -> ModelTupleResult<First, repeat each Rest> {
        try autoflushIfNeeded()
        if let message = query.loaderError { throw ArgumentError(message) }
        let layout = EntityLayout(self, options: query.loaderSteps)
        let first = try layout.reader(query.first, self)
        let rest = (repeat try layout.reader(each query.rest, self))
        try layout.checkOptionsUsed()
        let result = try activeConnection().execute(RelationshipJoin.withOwnersOfExists(query.completedCore))
        return ModelTupleResult(result: result, firstReader: first, restReaders: (repeat each rest), eager: layout.eager)
    }
}

/// Hands each entity of a row its first column, left to right, and the loader options
/// that start at its model.
private final class EntityLayout {
    var offset = 0
    /// The options' paths by the model they start at.
    private var paths: [ObjectIdentifier: [[LoaderStep]]] = [:]
    private var used = Set<ObjectIdentifier>()
    private(set) var eager: TupleEagerLoads?

    init(_ session: Session, options: [[LoaderStep]]) {
        for path in options where !path.isEmpty { paths[ObjectIdentifier(path[0].owner), default: []].append(path) }
        if !paths.isEmpty { eager = TupleEagerLoads(session: session) }
    }

    func reader<E: ModelEntity>(_ entity: E, _ session: Session) throws -> ModelEntityReader<E.Element> {
        let reader = try entity._reader(session, at: offset)
        offset += reader.width
        let model = ObjectIdentifier(E.Mapped.self)
        guard let eager, let mine = paths[model] else { return reader }
        used.insert(model)
        let nodes = try EagerLoader.effective(E.Mapped.self, try EagerLoader.tree(mine))
        if let name = Self.containsEager(nodes) {
            throw ArgumentError(
                "containsEager(\(name)) in a tuple select: select the joined model as an element of the tuple instead, "
                    + "or use containsEager in a select of one model")
        }
        eager.elements.append((nodes, [], []))
        return eager.collecting(reader, entity, slot: eager.elements.count - 1)
    }

    /// The first containsEager step among `nodes` and their explicit steps, as `Owner.name`.
    private static func containsEager(_ nodes: [LoadNode]) -> String? {
        for n in nodes {
            if case .containsEager = n.strategy { return "\(n.relationship.owner).\(n.relationship.name)" }
            if let deeper = containsEager(n.explicit) { return deeper }
        }
        return nil
    }

    /// Every option starts at a model the tuple selects.
    func checkOptionsUsed() throws {
        for (model, path) in paths where !used.contains(model) {
            throw ArgumentError(
                "a loader option starts at \(path[0][0].owner), which is not an element of this tuple select; "
                    + "start each option at one of the selected models")
        }
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
