import RetortCore

/// A SELECT of whole model instances: `select(Author.self)`. Conditions and ordering
/// are written against the model's typed columns; the session turns each row into an
/// instance, through its identity map.
///
/// ```swift
/// let q = select(Author.self).where { $0.name == "Ursula" }.orderBy { $0.id }.limit(10)
/// // SELECT authors.id, authors.name, authors.email FROM authors
/// //   WHERE authors.name = ? ORDER BY authors.id LIMIT ?
/// let authors = try session.scalars(q).all()
/// ```
public struct ModelSelect<M: Model>: Sendable {
    /// The Core statement underneath (the model's columns, in property order, first).
    public var core: Select
    /// The loader options' paths (``options(_:)``), in the order given.
    var loaderSteps: [[LoaderStep]] = []
    /// The first loader option that names no relationship; running the query throws it.
    var loaderError: String?
    /// Subclass columns are read by one SELECT per subclass table after the rows
    /// (``selectinPolymorphic()``), not by the LEFT OUTER JOINs of the query.
    var polymorphicSelectin = false

    init() {
        let mapping = M.mapping
        core = mapping.inheritance == nil ? select([mapping.table]) : Hierarchy.of(M.self).select(M.self)
    }

    /// Adds a condition on the model's columns, ANDed with any before it.
    public func `where`<C: SQLLogicalValue>(_ condition: (M.Columns) -> SQLExpression<C>) -> ModelSelect {
        var s = self
        s.core = core.where(condition(M.columns))
        return s
    }

    /// Adds a condition (any expression, e.g. on a joined table), ANDed with any before it.
    public func `where`<C: SQLLogicalValue>(_ condition: SQLExpression<C>) -> ModelSelect {
        var s = self
        s.core = core.where(condition)
        return s
    }

    /// `ORDER BY` a column or term of the model: `.orderBy { $0.name.desc() }`.
    public func orderBy(_ term: (M.Columns) -> any OrderByItem) -> ModelSelect {
        var s = self
        s.core = core.orderBy(term(M.columns))
        return s
    }

    /// `ORDER BY` several terms: `.orderBy { [$0.name, $0.id.desc()] }`.
    public func orderBy(_ terms: (M.Columns) -> [any OrderByItem]) -> ModelSelect {
        var s = self
        for t in terms(M.columns) { s.core = s.core.orderBy(t) }
        return s
    }

    /// `LIMIT n`.
    public func limit(_ n: Int) -> ModelSelect {
        var s = self
        s.core = core.limit(n)
        return s
    }

    /// `OFFSET n`.
    public func offset(_ n: Int) -> ModelSelect {
        var s = self
        s.core = core.offset(n)
        return s
    }

    /// `SELECT DISTINCT`.
    public func distinct() -> ModelSelect {
        var s = self
        s.core = core.distinct()
        return s
    }

    /// Joins another table or model's table (conditions from foreign keys, or `on`).
    public func join(_ target: some FromClause) -> ModelSelect {
        var s = self
        s.core = core.join(target)
        return s
    }

    /// Joins `target` on an explicit condition.
    public func join<C: SQLLogicalValue>(_ target: some FromClause, on condition: SQLExpression<C>) -> ModelSelect {
        var s = self
        s.core = core.join(target, on: condition)
        return s
    }

    /// `FOR UPDATE` (PostgreSQL).
    public func forUpdate(nowait: Bool = false, skipLocked: Bool = false) -> ModelSelect {
        var s = self
        s.core = core.forUpdate(nowait: nowait, skipLocked: skipLocked)
        return s
    }
}

/// `SELECT` every column of a model's table, returning instances:
/// `try session.scalars(select(Author.self)).all()`.
public func select<M: Model>(_ model: M.Type) -> ModelSelect<M> { ModelSelect() }

/// The instances a ``ModelSelect`` returns, built row by row as they are read.
///
/// A query that loads relationships eagerly (loader options, or relationships declared
/// `lazy: .selectin` / `.joined`) reads all its rows and runs its eager loads before
/// returning; the instances are then handed out from memory.
public struct ModelResult<M: Model> {
    let result: CursorResult?
    let session: Session
    let plan: LoadPlan
    /// The instances of an eagerly loaded query, already read.
    let loaded: Loaded?

    /// Instances read ahead, handed out in order.
    final class Loaded {
        let objects: [M]
        var position = 0
        init(_ objects: [M]) { self.objects = objects }
    }

    init(result: CursorResult, session: Session, plan: LoadPlan) {
        self.result = result
        self.session = session
        self.plan = plan
        self.loaded = nil
    }

    init(loaded objects: [M], session: Session, plan: LoadPlan) {
        self.result = nil
        self.session = session
        self.plan = plan
        self.loaded = Loaded(objects)
    }

    /// The next instance, or nil at the end.
    public func next() throws -> M? { try _nextInstance() }

    /// Every remaining instance.
    ///
    /// Inlinable so that the array of instances is specialised for the model where it
    /// is called: appending to an `[M]` in unspecialised code looked up `Array<M>`'s
    /// metadata for every row.
    @inlinable
    public func all() throws -> [M] {
        var out: [M] = []
        while let object = try _nextInstance() { out.append(object) }
        return out
    }

    /// The next instance (read ahead, or decoded straight from the result's cursor).
    @usableFromInline
    func _nextInstance() throws -> M? {
        if let loaded {
            guard loaded.position < loaded.objects.count else { return nil }
            loaded.position += 1
            return loaded.objects[loaded.position - 1]
        }
        guard let result, try result.advance() else { return nil }
        return try session.instance(M.self, from: .reading(result), plan: plan)
    }

    /// The first instance or nil; the rest are not read.
    public func first() throws -> M? {
        defer { result?.close() }
        return try next()
    }

    /// Exactly one instance; throws `InterfaceError` (`.noRows` / `.multipleRows`) otherwise.
    public func one() throws -> M {
        if loaded != nil {
            guard let object = try oneOrNil() else {
                throw InterfaceError(kind: .noRows, message: "no row was found when one was required")
            }
            return object
        }
        return try session.instance(M.self, from: try result!.one(), plan: plan)
    }

    /// One instance or nil; throws `InterfaceError` `.multipleRows` when there are more.
    public func oneOrNil() throws -> M? {
        if let loaded {
            let rest = loaded.objects.count - loaded.position
            if rest > 1 {
                throw InterfaceError(kind: .multipleRows, message: "multiple rows were found when one or none was required")
            }
            return try next()
        }
        return try result!.oneOrNil().map { try session.instance(M.self, from: $0, plan: plan) }
    }
}

extension Session {
    // MARK: Queries

    /// Runs a model query (flushing first, with autoflush) and returns its instances.
    ///
    /// With loader options (``ModelSelect/options(_:)``) or relationships declared
    /// `lazy: .selectin` / `.joined`, the relationships are loaded before this returns:
    /// joined ones in the query itself, selectin ones with one `IN` query per
    /// relationship per level.
    public func scalars<M: Model>(_ query: ModelSelect<M>) throws -> ModelResult<M> {
        try autoflushIfNeeded()
        var query = query
        query.core = RelationshipJoin.withOwnersOfExists(query.core)
        let plan = try loadPlan(M.self)
        if query.polymorphicSelectin, let hierarchy = plan.hierarchy {
            return ModelResult(loaded: try PolymorphicSelectin.run(query, hierarchy, plan, in: self), session: self, plan: plan)
        }
        if !query.loaderSteps.isEmpty || plan.declaresEagerLoads {
            return ModelResult(loaded: try EagerLoader.run(query, in: self), session: self, plan: plan)
        }
        return ModelResult(result: try activeConnection().execute(query.core), session: self, plan: plan)
    }

    /// Same as ``scalars(_:)-(ModelSelect<M>)``: a model query's instances.
    public func execute<M: Model>(_ query: ModelSelect<M>) throws -> ModelResult<M> { try scalars(query) }

    /// The first instance a model query returns, or nil.
    public func scalar<M: Model>(_ query: ModelSelect<M>) throws -> M? { try scalars(query).first() }

    /// Runs a Core statement in the session's transaction (flushing first, with autoflush).
    @discardableResult
    public func execute(_ statement: some Executable, _ parameters: Parameters = [:]) throws -> CursorResult {
        try autoflushIfNeeded()
        return try activeConnection().execute(statement, parameters)
    }

    /// Runs a Core statement once per parameter set (executemany) in the session's transaction.
    @discardableResult
    public func execute(_ statement: some Executable, _ parameterSets: [Parameters]) throws -> CursorResult {
        try autoflushIfNeeded()
        return try activeConnection().execute(statement, parameterSets)
    }

    /// The first column of the first row of a Core query.
    public func scalar<T: SQLValueConvertible>(_ statement: some Executable, _ parameters: Parameters = [:],
                                               as type: T.Type = T.self) throws -> T {
        try execute(statement, parameters).scalar(T.self)
    }

    /// The first column of every row of a Core query.
    public func scalars<T: SQLValueConvertible>(_ statement: some Executable, _ parameters: Parameters = [:],
                                                as type: T.Type = SQLValue.self) throws -> ScalarResult<T> {
        try execute(statement, parameters).scalars(T.self)
    }

    /// The instance with this primary key: from the identity map when it is there (no
    /// query), else loaded (nil when there is no such row). Composite keys take their
    /// values in primary-key order: `get(Edition.self, 7, "en")`.
    public func get<M: Model>(_ model: M.Type, _ key: any SQLValueConvertible...) throws -> M? {
        // A closure, not `\.sqlValue`: applying a key path per element was a tenth of a `get`.
        try get(model, key: key.map { $0.sqlValue })
    }

    /// ``get(_:_:)`` with the key's values as an array.
    ///
    /// An instance loaded from the database has its relationships declared
    /// `lazy: .selectin` / `.joined` loaded before it is returned: joined ones by a
    /// LEFT OUTER JOIN in the lookup itself, selectin ones with one `IN` query each.
    public func get<M: Model>(_ model: M.Type, key values: [SQLValue]) throws -> M? {
        let plan = try loadPlan(M.self)
        let identities = plan.identities(in: identityMap)
        let bound: [SQLValue]
        if plan.integerKey, values.count == 1, case .integer(let i) = values[0] {
            // An integer key binds and reads back as itself: no normalising.
            if let e = identities.integerObject(i) {
                // In a hierarchy the key may be another class's (get(Manager.self, id) of an Engineer: nil).
                guard let object = plan.hierarchy == nil ? unsafeDowncast(e, to: M.self) : e as? M else { return nil }
                return object._state.markedForDeletion ? nil : object
            }
            bound = values
        } else {
            let id = try plan.identity(values, M.self)
            if let e = identities[id] {
                guard let object = plan.hierarchy == nil ? unsafeDowncast(e, to: M.self) : e as? M else { return nil }
                return object._state.markedForDeletion ? nil : object
            }
            bound = plan.bind(id.values)
        }
        try autoflushIfNeeded()
        if plan.declaresEagerLoads, EagerLoader.declaresJoinedLoads(M.self) {
            // Declared joined loads: one query, the row and its joins together.
            let table = M.mapping.table
            var query = ModelSelect<M>()
            query.core = query.core.where(and(zip(M.mapping.primaryKey, bound).map { i, v in
                table.c[table.columns[i].name] == v
            }))
            return try EagerLoader.run(query, in: self).first
        }
        let compiled = try keyStatement(M.self)
        // Decoded straight from the cursor's row (no Row built), then the result closed.
        let result = try activeConnection().execute(compiled: compiled, values: bound)
        defer { result.close() }
        guard try result.advance() else { return nil }
        if let hierarchy = plan.hierarchy {
            // The key of another class of the hierarchy (an Engineer's, asked as a Manager): none.
            let info = try hierarchy.info(identity: RowSource.reading(result)[hierarchy.discriminator])
            guard info.type is M.Type else { return nil }
        }
        let object = try instance(M.self, from: .reading(result), plan: plan)
        if plan.declaresEagerLoads { try EagerLoader.postLoad([object], try EagerLoader.effective(M.self, []), in: self) }
        return object
    }

    /// The instance for a row: the identity map's when the key is there (reloaded first
    /// when it was expired), else a new persistent one.
    @inline(__always)
    func instance<M: Model>(_ model: M.Type, from row: Row, offset: Int = 0, plan: LoadPlan) throws -> M {
        try instance(M.self, from: .row(row), offset: offset, plan: plan)
    }

    /// ``instance(_:from:offset:plan:)`` for a row read from a built row or straight
    /// from a result's cursor.
    func instance<M: Model>(_ model: M.Type, from row: RowSource, offset: Int = 0, plan: LoadPlan) throws -> M {
        if let hierarchy = plan.hierarchy { return try polymorphicInstance(M.self, from: row, offset: offset, plan: plan, hierarchy) }
        // The plan holds the table: used unretained (one reference count pair less per row).
        return try Unmanaged.passUnretained(plan.identities(in: identityMap))._withUnsafeGuaranteedRef {
            try instance(M.self, from: row, offset: offset, plan: plan, identities: $0)
        }
    }

    @inline(__always)
    private func instance<M: Model>(_ model: M.Type, from row: RowSource, offset: Int, plan: LoadPlan,
                                    identities: IdentityMap.Identities) throws -> M {
        let keyIndex = offset &+ plan.primaryKey[0]
        if plan.integerKey, case .value(let i) = row.integer(at: keyIndex) {
            // The common case: one integer key, used as read (no IdentityKey built).
            if let e = identities.integerObject(i) { return try existing(e, row, offset, plan) }
            var decoder = ModelDecoder(row, offset: offset, known: keyIndex, integer: i)
            let object = try M(_decoding: &decoder)
            object._state.attachLoaded(self, integerKey: i)
            identities.insertAttached(object, i)
            return object
        }
        let key = plan.key(row, offset)
        if let e = identities[key.id] { return try existing(e, row, offset, plan) }
        var decoder = ModelDecoder(row, offset: offset)
        let object = try M(_decoding: &decoder)
        object._state.session = self
        object._state.setKey(key)
        object._state.status = .persistent
        object._state.tracking = true
        identities.insert(object, id: key.id)
        return object
    }

    /// The identity map's instance for a row (its values reloaded from the row when it
    /// was expired).
    /// The instance of a row of an inheritance hierarchy: of the class its discriminator
    /// names, keyed by the root's primary key.
    private func polymorphicInstance<M: Model>(_ model: M.Type, from row: RowSource, offset: Int, plan: LoadPlan,
                                               _ hierarchy: Hierarchy) throws -> M {
        let identities = plan.identities(in: identityMap)
        let key = plan.key(row, offset)
        if let e = identities[key.id] {
            guard let object = e as? M else {
                throw InvalidRequestError("the row of \(M.self) with primary key \(key.id) is held in this session as a \(type(of: e)), not a \(M.self)")
            }
            if object._state.expired {
                object._state.expired = false
                object._state.changes.removeAll()
                let info = hierarchy.info(type(of: object))
                for (i, at) in info.positions.enumerated() { try object._setValue(row[offset + at], at: i) }
            }
            return object
        }
        let info = try hierarchy.info(identity: row[offset + hierarchy.discriminator])
        guard info.type is M.Type else {
            throw InvalidRequestError(
                "the row of \(M.self) with primary key \(key.id) is a \(info.type) (discriminator '\(info.identity ?? "")'), which is not a \(M.self)")
        }
        var decoder = ModelDecoder(row: hierarchy.propertyRow(info, row, offset: offset))
        let object = try info.type.init(_decoding: &decoder) as! M
        object._state.session = self
        object._state.setKey(key)
        object._state.status = .persistent
        object._state.tracking = true
        identities.insert(object, id: key.id)
        return object
    }

    private func existing<M: Model>(_ e: AnyObject, _ row: RowSource, _ offset: Int, _ plan: LoadPlan) throws -> M {
        let object = unsafeDowncast(e, to: M.self)
        if object._state.expired {
            object._state.expired = false
            object._state.changes.removeAll()
            for i in 0..<plan.propertyCount { try object._setValue(row[offset + i], at: i) }
        }
        return object
    }

    /// Copies a detached (or other session's) instance's state into this session and
    /// returns the instance that carries it here: the one already in the identity map,
    /// else one loaded by primary key, else a new pending copy. Changed values are
    /// recorded as changes, written at the next flush.
    public func merge<M: Model>(_ object: M) throws -> M {
        if object._state.session === self { return object }
        try M.checkMapped()
        let key = object._identityKey()
        let count = M.mapping.propertyNames.count
        if !key.id.hasNull, let target = try get(M.self, key: key.id.values) {
            for i in 0..<count {
                let v = object._value(at: i)
                if target._value(at: i) != v {
                    ModelState._recordWrite(target, i)
                    try target._setValue(v, at: i)
                }
            }
            return target
        }
        let row = Row(values: (0..<count).map { object._value(at: $0) }, columns: ResultColumns(M.mapping.propertyNames))
        var decoder = ModelDecoder(row: row)
        let copy = try M(_decoding: &decoder)
        try add(copy)
        return copy
    }
}

/// What loading rows of one model needs, read from its mapping once per query.
final class LoadPlan {
    /// The session's table of this model's instances (looked up once per plan: plans
    /// belong to one session).
    @inline(__always)
    func identities(in map: IdentityMap) -> IdentityMap.Identities {
        if let cached, cachedMap == ObjectIdentifier(map) { return cached }
        let t = map.identities(model)
        cached = t
        cachedMap = ObjectIdentifier(map)
        return t
    }
    @exclusivity(unchecked) private var cached: IdentityMap.Identities?
    @exclusivity(unchecked) private var cachedMap: ObjectIdentifier?

    let type: ObjectIdentifier
    /// The model whose identity table instances are kept in (the root of a hierarchy).
    let model: any Model.Type
    /// The model's inheritance hierarchy, when it has one: rows are read through it.
    let hierarchy: Hierarchy?
    let primaryKey: [Int]
    let keyTypes: [SQLType]
    let propertyCount: Int
    /// One primary-key column whose integer values read back unchanged (not numeric or
    /// boolean): rows' and callers' integers are identity keys as they are.
    let integerKey: Bool
    /// Relationships declared `lazy: .selectin` / `.joined` load with each object `get`
    /// reads (worked out once: asking for the conformance on every `get` showed).
    let declaresEagerLoads: Bool

    init<M: Model>(_ model: M.Type) throws {
        try M.checkMapped()
        let mapping = M.mapping
        declaresEagerLoads = EagerLoader.declaresEagerLoads(M.self)
        let identityModel = mapping.identityModel.type ?? M.self
        type = ObjectIdentifier(identityModel)
        self.model = identityModel
        hierarchy = mapping.inheritance == nil ? nil : Hierarchy.of(M.self)
        primaryKey = mapping.primaryKey
        keyTypes = mapping.primaryKey.map { mapping.table.columns[$0].type }
        // A hierarchy's rows hold every column of its tables.
        propertyCount = hierarchy?.columns.count ?? mapping.propertyNames.count
        if keyTypes.count == 1 {
            switch keyTypes[0] {
            case .integer, .bigint, .smallint: integerKey = true
            default: integerKey = false
            }
        } else {
            integerKey = false
        }
    }

    /// The identity of the instance with these primary-key values (normalised as a
    /// row's would be); throws when the count is wrong.
    func identity<M: Model>(_ values: [SQLValue], _ model: M.Type) throws -> PrimaryKeyValue {
        guard values.count == primaryKey.count else { return try M._identityKey(values: values).id }  // throws the message
        if values.count == 1 { return .one(keyTypes[0].processResult(keyTypes[0].processBind(values[0]))) }
        return .many(values.indices.map { keyTypes[$0].processResult(keyTypes[$0].processBind(values[$0])) })
    }

    /// The key values as bound to the lookup by primary key.
    func bind(_ values: [SQLValue]) -> [SQLValue] {
        zip(keyTypes, values).map { $0.processBind($1) }
    }

    /// The identity key of the row's instance (its columns start at `offset`).
    @inline(__always)
    func key(_ row: RowSource, _ offset: Int) -> IdentityKey {
        if primaryKey.count == 1 {
            return IdentityKey(type: type, id: .one(keyTypes[0].processResult(row[offset + primaryKey[0]])))
        }
        return IdentityKey(type: type, id: .many(primaryKey.indices.map { keyTypes[$0].processResult(row[offset + primaryKey[$0]]) }))
    }
}

extension Model {
    /// `SELECT <columns> FROM table WHERE pk = ?`, compiled once per dialect.
    static func loadByKeyStatement(_ dialect: Dialect) throws -> CompiledStatement {
        var s = select([mapping.table])
        s.whereClause = BindSource.keyCondition(mapping.table, mapping.primaryKey)
        if mapping.inheritance != nil {
            // Every column of the hierarchy, by key (`get` checks the row's class).
            let hierarchy = Hierarchy.of(Self.self)
            s = hierarchy.select(hierarchy.root)
            s.whereClause = BindSource.keyCondition(mapping.table, mapping.primaryKey)
        }
        return try StatementCache.shared.compile(.select(s), dialect)
    }

    /// Throws when the model cannot be tracked by identity (no primary key).
    static func checkMapped() throws {
        if mapping.primaryKey.isEmpty {
            throw InvalidRequestError(
                "\(Self.self) (table '\(mapping.table.fullName)') has no primary key; the session needs one to track instances. "
                    + "Mark a property @Column(primaryKey: true)")
        }
    }
}

/// Creates sessions with shared settings: one per unit of work.
///
/// ```swift
/// let makeSession = SessionMaker(engine, expireOnCommit: false)
/// try makeSession.begin { session in try session.add(Author(name: "Ursula")) }   // commits
/// let session = makeSession()
/// ```
public struct SessionMaker {
    /// The engine the sessions run on.
    public let engine: Engine
    /// Each session's ``Session/autoflush``.
    public var autoflush: Bool
    /// Each session's ``Session/expireOnCommit``.
    public var expireOnCommit: Bool
    /// The listeners each session starts with.
    public var events: SessionEvents

    /// A maker of sessions on `engine` with these settings.
    public init(_ engine: Engine, autoflush: Bool = true, expireOnCommit: Bool = true, events: SessionEvents = SessionEvents()) {
        self.engine = engine
        self.autoflush = autoflush
        self.expireOnCommit = expireOnCommit
        self.events = events
    }

    /// A new session with these settings.
    public func callAsFunction() -> Session {
        Session(engine, autoflush: autoflush, expireOnCommit: expireOnCommit, events: events)
    }

    /// Runs `body` with a new session, commits (rolls back on throw) and closes it.
    @discardableResult
    public func begin<T>(_ body: (Session) throws -> T) throws -> T {
        let session = self()
        defer { session.close() }
        return try session.run(body)
    }
}
