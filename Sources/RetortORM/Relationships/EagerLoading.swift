import RetortCore

// Eager loading: the loader options of a query (LoaderOptions.swift) and the declared
// `lazy: .selectin` / `.joined` strategies, carried out when a model query runs.
//
// The options become a tree of `LoadNode`s, one per relationship along each path. The
// owners' query gets a LEFT OUTER JOIN (on an alias of the target's table) per joined
// node, and the columns of a `containsEager` join; `RowReader` turns each row into the
// owner and the joined targets, de-duplicated in order. Then `EagerLoader.postLoad`
// walks the tree over the objects loaded: a selectin node runs one `IN` query per 500
// keys for all the owners, a joined node's owners that the rows did not cover (objects
// that came from the identity map) are loaded the same way, and raise / lazy nodes are
// remembered on the objects. Only unloaded relationships are filled, and the walk goes on
// only through the objects a step newly loaded, so cycles of declared eager strategies
// end.

/// One relationship of the loader tree and how it loads.
final class LoadNode {
    let relationship: Relationship
    var strategy: LoaderStrategy
    var filter: ((any FromClause) -> ExpressionNode)?
    var order: ((any FromClause) -> [OrderingTerm])?
    /// The options' steps below this one.
    var explicit: [LoadNode] = []
    /// `explicit` plus the target model's declared eager relationships (worked out once).
    private var resolved: [LoadNode]?
    /// The distinct targets the rows of a joined load decoded.
    var rowTargets: [AnyObject] = []
    var rowTargetIDs: Set<ObjectIdentifier> = []

    /// True for a node made from a declared `lazy:` strategy rather than an option:
    /// such nodes are joined at most once along a path (a cycle of declared joined
    /// strategies would otherwise never end).
    let declared: Bool

    init(_ relationship: Relationship, _ strategy: LoaderStrategy, declared: Bool = false) {
        self.relationship = relationship
        self.strategy = strategy
        self.declared = declared
    }

    func children() throws -> [LoadNode] {
        if let resolved { return resolved }
        let r = try EagerLoader.effective(relationship.target, explicit)
        resolved = r
        return r
    }

    var key: String { "\(ObjectIdentifier(relationship.owner)).\(relationship.name)" }
}

enum EagerLoader {
    /// The options of a query as a tree: paths sharing a prefix share nodes; a later
    /// option's strategy for the same relationship wins.
    static func tree(_ paths: [[LoaderStep]]) throws -> [LoadNode] {
        var roots: [LoadNode] = []
        for path in paths {
            var level: [LoadNode] = roots
            var parent: LoadNode?
            for step in path {
                let node: LoadNode
                // The relationship's owner is the class that declares it (a key path may
                // start from a subclass of it).
                let relationship = try step.owner.relationship(named: step.name)
                if let existing = level.first(where: { $0.relationship.name == step.name && ObjectIdentifier($0.relationship.owner) == ObjectIdentifier(relationship.owner) }) {
                    node = existing
                    node.strategy = step.strategy
                    node.filter = step.filter ?? node.filter
                    node.order = step.order ?? node.order
                } else {
                    node = LoadNode(relationship, step.strategy)
                    node.filter = step.filter
                    node.order = step.order
                    if let parent { parent.explicit.append(node) } else { roots.append(node) }
                }
                parent = node
                level = node.explicit
            }
        }
        return roots
    }

    /// `explicit` plus a node for each relationship of `model` declared `lazy: .selectin`
    /// or `.joined` that no option names.
    static func effective(_ model: any Model.Type, _ explicit: [LoadNode]) throws -> [LoadNode] {
        guard let m = model as? any ModelRelationships.Type else { return explicit }
        var out = explicit
        for d in m.relationshipDeclarations where d.lazy == .selectin || d.lazy == .joined {
            if explicit.contains(where: { $0.relationship.name == d.name }) { continue }
            out.append(LoadNode(try m.relationship(named: d.name), d.lazy == .joined ? .joined : .selectin, declared: true))
        }
        return out
    }

    /// Whether `M` declares relationships loaded by a join (`lazy: .joined`): `get`
    /// then reads the instance with its joins in one query.
    static func declaresJoinedLoads<M: Model>(_ model: M.Type) -> Bool {
        guard let m = M.self as? any ModelRelationships.Type else { return false }
        return m.relationshipDeclarations.contains { $0.lazy == .joined }
    }

    /// Whether `M` declares relationships that load with their owners (`lazy: .selectin`
    /// or `.joined`). Asked once per model by ``LoadPlan``, which queries read it from.
    static func declaresEagerLoads<M: Model>(_ model: M.Type) -> Bool {
        guard let m = M.self as? any ModelRelationships.Type else { return false }
        return m.relationshipDeclarations.contains { $0.lazy == .selectin || $0.lazy == .joined }
    }

    // MARK: The owners' query

    /// Runs a model query with its eager loads: the owners, distinct, in row order.
    static func run<M: Model>(_ query: ModelSelect<M>, in session: Session) throws -> [M] {
        if let message = query.loaderError { throw ArgumentError(message) }
        let roots = try effective(M.self, try tree(query.loaderSteps))
        var core = query.core
        let reader = RowReader()
        let inQuery = roots.filter { $0.strategy.isJoinedInQuery }
        if !inQuery.isEmpty {
            var source: any FromClause = M.mapping.table
            if core.limit != nil || core.offset != nil, try joinsCollection(inQuery) {
                if try hasContainsEager(inQuery) {
                    throw ArgumentError(
                        "a joinedLoad of a collection with limit/offset wraps the query in a subquery, which cannot be combined with containsEager in the same query; use selectinLoad for the collection")
                }
                (core, source) = wrapped(core)
            }
            try addJoins(&core, inQuery, from: source, parent: -1, reader: reader, path: [])
        }
        let plan = try session.loadPlan(M.self)
        let result = try session.activeConnection().execute(core)
        let owners = try reader.read(M.self, result, session, plan) { _, _ in }
        try postLoad(owners, roots, in: session)
        return RelationshipMirror.castAll(owners, to: M.self, for: "\(M.self) query")
    }

    /// Whether a joined chain below these nodes joins a collection (which multiplies rows).
    private static func joinsCollection(_ nodes: [LoadNode], _ path: Set<String> = []) throws -> Bool {
        try nodes.contains { n in
            guard n.strategy.isJoinedInQuery, !(n.declared && path.contains(n.key)) else { return false }
            if case .joined = n.strategy, n.relationship.isCollection { return true }
            return try joinsCollection(n.children(), path.union([n.key]))
        }
    }

    private static func hasContainsEager(_ nodes: [LoadNode], _ path: Set<String> = []) throws -> Bool {
        try nodes.contains { n in
            if case .containsEager = n.strategy { return true }
            guard n.strategy.isJoinedInQuery, !(n.declared && path.contains(n.key)) else { return false }
            return try hasContainsEager(n.children(), path.union([n.key]))
        }
    }

    /// The query as a subquery, so that its LIMIT/OFFSET count owners: `SELECT anon.*
    /// FROM (SELECT ... LIMIT ?) AS anon`, ordered as the inner query (its ORDER BY
    /// terms are carried out as labelled columns).
    private static func wrapped(_ core: Select) -> (Select, any FromClause) {
        var inner = core
        let terms = core.orderBy
        for (i, t) in terms.enumerated() { inner.columns.append(.label(t.expression, "_order_\(i)")) }
        let sq = inner.subquery()
        var outer = select([sq])
        outer.orderBy = terms.enumerated().map { i, t in OrderingTerm(sq.c["_order_\(i)"].node, direction: t.direction, nulls: t.nulls) }
        return (outer, sq)
    }

    /// Adds a LEFT OUTER JOIN (joinedLoad) or the columns of the user's join
    /// (containsEager) for each node, then their joined children, recording where each
    /// target's columns start.
    static func addJoins(_ core: inout Select, _ nodes: [LoadNode], from parent: any FromClause, parent index: Int, reader: RowReader, path: Set<String>) throws {
        for node in nodes where node.strategy.isJoinedInQuery {
            // A declared joined relationship already joined along this path (a
            // self-referential or cyclic declared strategy) is loaded by an IN query
            // after the rows.
            if node.declared && path.contains(node.key) { continue }
            let r = node.relationship
            if case .containsEager = node.strategy, r.target.mapping.inheritance != nil {
                throw ArgumentError(
                    "containsEager(\\.\(r.name)) cannot read \(r.target) from the query's rows: its rows span the tables of its inheritance hierarchy; use selectinLoad or joinedLoad")
            }
            // Joined across an inheritance hierarchy: by an IN query after the rows.
            if !joinable(r) { continue }
            let target = r.target.mapping.table
            let source: any FromClause
            switch node.strategy {
            case .containsEager(let given):
                source = given ?? target
            default:
                let alias = target.alias()
                source = alias
                var on: [SQLExpression<Bool>] = []
                switch r.direction {
                case .manyToOne, .oneToMany:
                    on = r.pairs.map { parent.c[$0.local] == alias.c[$0.remote] }
                case .manyToMany:
                    guard let secondary = r.secondary else { continue }
                    let link = secondary.alias()
                    core = core.outerJoin(link, on: and(r.pairs.map { parent.c[$0.local] == link.c[$0.remote] }))
                    on = r.secondaryPairs.map { alias.c[$0.local] == link.c[$0.remote] }
                }
                if let filter = node.filter { on.append(SQLExpression<Bool>(filter(alias))) }
                core = core.outerJoin(alias, on: and(on))
                if r.isCollection {
                    core.orderBy += (node.order?(alias) ?? []) + declaredOrder(r, alias)
                }
            }
            let offset = core.columns.count
            core = core.addColumns(source)
            let me = reader.add(node, parent: index, offset: offset)
            try addJoins(&core, node.children(), from: source, parent: me, reader: reader, path: path.union([node.key]))
        }
    }

    /// The relationship's declared `orderBy` on `source`.
    static func declaredOrder(_ r: Relationship, _ source: any FromClause) -> [OrderingTerm] {
        r.declaration.orderBy.map { term in
            let name = term.hasPrefix("-") ? String(term.dropFirst()) : term
            let column = orderColumn(r, source, name)
            return term.hasPrefix("-") ? column.desc() : column.asc()
        }
    }

    /// The column `name` of the declared order: on `source`, or, when `source` is the
    /// root table of a hierarchy target that lacks it, on the target's table that has it
    /// (a subclass's, which the hierarchy's SELECT joins).
    private static func orderColumn(_ r: Relationship, _ source: any FromClause, _ name: String) -> SQLExpression<Untyped> {
        let mapping = r.target.mapping
        if mapping.inheritance != nil, let table = source as? Table, table === mapping.table, table.position(of: name) == nil,
            let holder = RelationshipResolver.tables(of: r.target).first(where: { $0.position(of: name) != nil }) {
            return holder.c[name]
        }
        return source.c[name]
    }

    /// Whether a joined load of `r` can be a LEFT OUTER JOIN from `parent`: the target
    /// is not in an inheritance hierarchy (whose rows span several tables) and the
    /// owner's join columns are in the table `parent` stands for. Otherwise the
    /// relationship is loaded by an `IN` query after the rows.
    static func joinable(_ r: Relationship) -> Bool {
        r.target.mapping.inheritance == nil && r.ownerTable === r.owner.mapping.table
    }

    // MARK: After the rows

    /// Carries out `nodes` over `objects` (instances of the nodes' owner model).
    static func postLoad(_ objects: [AnyObject], _ nodes: [LoadNode], in session: Session) throws {
        guard !objects.isEmpty else { return }
        for node in nodes {
            let name = node.relationship.name
            var targets: [AnyObject] = []
            let children = try node.children()
            let needTargets = !children.isEmpty
            switch node.strategy {
            case .lazy, .raise:
                let strategy: LoadStrategy = { if case .raise = node.strategy { return .raise } else { return .select } }()
                // The steps below this one wait for the relationship's load.
                let after = node.explicit
                for o in objects {
                    guard let m = o as? any Model else { continue }
                    var strategies = m._state.loadStrategies ?? [:]
                    strategies[name] = strategy
                    m._state.loadStrategies = strategies
                    if !after.isEmpty || m._state.loadsAfter?[name] != nil {
                        var loads = m._state.loadsAfter ?? [:]
                        loads[name] = after.isEmpty ? nil : after
                        m._state.loadsAfter = loads
                    }
                }
                continue
            case .selectin:
                targets = try selectin(node.relationship.target, node, objects, needTargets: needTargets, in: session)
            case .joined, .containsEager:
                targets = node.rowTargets
                // Owners the rows did not cover (from the identity map, or beyond a
                // cycle) are loaded with an IN query.
                let rest = objects.filter { o in
                    guard let m = o as? any ModelRelationships else { return false }
                    RelationshipLoading.unloadIfStale(m)
                    return m._relationship(name)?.isLoaded == false
                }
                if !rest.isEmpty {
                    if case .containsEager = node.strategy {
                        // The user's join had no row for them: nothing is related.
                        for o in rest { (o as? any ModelRelationships)?._relationship(name)?.setLoaded([]) }
                    } else {
                        var seen = node.rowTargetIDs
                        for t in try selectin(node.relationship.target, node, rest, needTargets: needTargets, in: session)
                        where seen.insert(ObjectIdentifier(t)).inserted { targets.append(t) }
                    }
                }
            }
            if needTargets, !targets.isEmpty { try postLoad(targets, children, in: session) }
        }
    }

    // MARK: selectin

    /// Loads `node`'s relationship of every object in `owners` whose relationship is not
    /// loaded, with one IN query per 500 distinct keys; returns the distinct targets
    /// newly loaded when `needTargets`.
    static func selectin<T: Model>(_ target: T.Type, _ node: LoadNode, _ owners: [AnyObject], needTargets: Bool, in session: Session) throws -> [AnyObject] {
        let r = node.relationship
        let table = T.mapping.table
        let hierarchy = T.mapping.inheritance == nil ? nil : Hierarchy.of(T.self)
        // The owner's properties and the far side's columns they equal, in the order of
        // the target's primary key for a many-to-one on it (so the identity map can answer).
        var pairs = r.pairs
        var localIndices = r.ownerProperties
        let keyProperties = T.mapping.primaryKey
        let byPrimaryKey = r.direction == .manyToOne && Set(r.targetProperties) == Set(keyProperties) && r.targetProperties.count == keyProperties.count
        if byPrimaryKey {
            let order = keyProperties.map { k in r.targetProperties.firstIndex(of: k)! }
            pairs = order.map { pairs[$0] }
            localIndices = order.map { localIndices[$0] }
        }
        let remoteTable = r.direction == .manyToMany ? r.secondary! : r.targetTable
        let remoteTypes = try pairs.map { p -> SQLType in
            guard let c = remoteTable.column(named: p.remote) else {
                throw RelationshipLoadError("\(r.owner).\(r.name): table '\(remoteTable.name)' has no column '\(p.remote)'")
            }
            return c.type
        }

        // The owners still to load, grouped by key.
        var slots: [any RelationshipSlot] = []
        var groupOf: [Int] = []
        var keys = KeyIndex()
        keys.reserve(owners.count)
        var keyList: [PrimaryKeyValue] = []
        for o in owners {
            guard let owner = o as? any ModelRelationships else { continue }
            RelationshipLoading.unloadIfStale(owner)
            guard let slot = owner._relationship(r.name), !slot.isLoaded else { continue }
            let key: PrimaryKeyValue
            if localIndices.count == 1 {
                key = .one(remoteTypes[0].processResult(remoteTypes[0].processBind(owner._value(at: localIndices[0]))))
            } else {
                key = .many(zip(localIndices, remoteTypes).map { i, t in t.processResult(t.processBind(owner._value(at: i))) })
            }
            if key.hasNull {
                slot.setLoaded([])
                continue
            }
            let (g, inserted) = keys.index(key)
            if inserted { keyList.append(key) }
            slots.append(slot)
            groupOf.append(g)
        }
        if slots.isEmpty { return [] }
        var groups = [[AnyObject]](repeating: [], count: keyList.count)

        // Many-to-one targets already in the identity map need no query.
        var toQuery: [Int] = Array(keyList.indices)
        if byPrimaryKey && node.filter == nil {
            let identities = try session.loadPlan(T.self).identities(in: session.identityMap)
            toQuery = []
            for (g, key) in keyList.enumerated() {
                // In a hierarchy the key may be another class's object: not a target.
                if let e = identities[key], hierarchy == nil || e is T, !unsafeDowncast(e, to: T.self)._state.markedForDeletion {
                    groups[g] = [e]
                } else {
                    toQuery.append(g)
                }
            }
        }

        if !toQuery.isEmpty {
            // SELECT target [, secondary's owner columns] FROM target [JOIN secondary]
            //   WHERE [filter AND] far side IN (...) ORDER BY option order, declared order
            // A hierarchy target: its polymorphic SELECT (every table of the hierarchy,
            // limited to the class and its subclasses by the discriminator).
            var base = hierarchy?.select(T.self) ?? select([table])
            let keyOffset = base.columns.count
            let keyExpressions: [SQLExpression<Untyped>]
            var keyIndices: [Int]
            if r.direction == .manyToMany, let secondary = r.secondary {
                let near = r.targetTable
                base = base.join(secondary, on: and(r.secondaryPairs.map { near.c[$0.local] == secondary.c[$0.remote] }))
                keyExpressions = pairs.map { secondary.c[$0.remote] }
                for e in keyExpressions { base = base.addColumns(e) }
                keyIndices = Array(keyOffset..<(keyOffset + pairs.count))
            } else {
                let holder = r.targetTable
                keyExpressions = pairs.map { holder.c[$0.remote] }
                keyIndices = pairs.map { p in
                    if let hierarchy { return hierarchy.position(of: p.remote, in: holder) }
                    return table.columns.firstIndex { $0.name == p.remote }!
                }
            }
            if let filter = node.filter { base = base.where(SQLExpression<Bool>(filter(table))) }
            base.orderBy += (node.order?(table) ?? []) + declaredOrder(r, table)
            let reader = RowReader()
            try addJoins(&base, node.children().filter { $0.strategy.isJoinedInQuery }, from: table, parent: -1, reader: reader, path: [node.key])
            let plan = try session.loadPlan(T.self)
            let dedupe = !reader.joined.isEmpty
            let single = keyIndices.count == 1
            let integerKey: Bool = {
                guard single else { return false }
                switch remoteTypes[0] {
                case .integer, .bigint, .smallint: return true
                default: return false
                }
            }()
            var placed = Set<PlacedKey>()
            let conn = try session.activeConnection()
            // The rows' targets and groups, in row order, grouped after the queries.
            var rowGroups: [Int32] = []
            var rowObjects: [AnyObject?] = []
            var counts = [Int32](repeating: 0, count: keyList.count)
            var start = 0
            while start < toQuery.count {
                if start == 500, plan.integerKey {
                    // The first chunk's rows predict the rest: the identity table grows
                    // once, not at every doubling.
                    let remaining = (toQuery.count - start + 499) / 500
                    plan.identities(in: session.identityMap).reserveIntegers(rowObjects.count * remaining)
                }
                let chunk = toQuery[start..<min(start + 500, toQuery.count)]
                start += 500
                let condition: SQLExpression<Bool>
                if keyExpressions.count == 1 {
                    condition = keyExpressions[0].inValues(chunk.map { keyList[$0].firstValue }, negated: false)
                } else {
                    // A composite key: a row-value IN over the keys as a VALUES list,
                    // `(a, b) IN (SELECT k.k1, k.k2 FROM (VALUES (?, ?), ...) AS k (k1, k2))`,
                    // which each database writes in its own VALUES spelling.
                    let names = keyExpressions.indices.map { "k\($0 + 1)" }
                    let keys = values(Array(zip(names, remoteTypes)), name: "selectin_keys",
                                      rows: chunk.map { g in keyList[g].values.map { $0 as any SQLExpressible } })
                    let row = SQLExpression<Untyped>(.tuple(keyExpressions.map(\.node)))
                    condition = row.in(select(names.map { keys.c[$0] as any SelectItem }).selectFrom(keys))
                }
                let result = try conn.execute(base.where(condition))
                _ = try reader.read(T.self, result, session, plan, collect: false) { row, object in
                    let found: Int?
                    if single {
                        // An integer key column reads back as itself: no normalising.
                        if integerKey, case .value(let i) = row.integer(at: keyIndices[0]) {
                            found = keys.findInteger(i)
                        } else {
                            found = keys.find(.one(remoteTypes[0].processResult(row[keyIndices[0]])))
                        }
                    } else {
                        found = keys.find(.many(zip(keyIndices, remoteTypes).map { i, t in t.processResult(row[i]) }))
                    }
                    guard let g = found else { return }
                    if dedupe, !placed.insert(PlacedKey(group: g, object: ObjectIdentifier(object))).inserted { return }
                    rowGroups.append(Int32(truncatingIfNeeded: g))
                    rowObjects.append(object)
                    counts[g] &+= 1
                }
            }
            // Each group's array is allocated once at its final size (appending row by
            // row regrew each one several times).
            for g in toQuery where counts[g] > 0 { groups[g].reserveCapacity(Int(counts[g])) }
            // Moved, not copied, out of the row list (no reference count per object).
            for k in rowObjects.indices { groups[Int(rowGroups[k])].append(rowObjects[k].take()!) }
        }

        // Fill the slots; collect the distinct targets for the next level.
        var targets: [AnyObject] = []
        var seen = Set<ObjectIdentifier>()
        let collection = r.isCollection
        for (slot, g) in zip(slots, groupOf) {
            let objects = groups[g]
            slot.setLoaded(collection || objects.count <= 1 ? objects : [objects[0]])
            if needTargets {
                for t in objects where seen.insert(ObjectIdentifier(t)).inserted { targets.append(t) }
            }
        }
        return targets
    }

    private struct PlacedKey: Hashable {
        let group: Int
        let object: ObjectIdentifier
    }
}

/// Turns the rows of a query into instances: the query's model at offset 0, and each
/// joined load's target at its offset (none when its primary key is NULL, an outer
/// join that found nothing). Fills the joined relationships of the objects whose
/// relationship was unloaded when their first row arrived.
final class RowReader {
    struct Joined {
        let node: LoadNode
        /// The index of the joined load this one hangs from; -1 for the query's model.
        let parent: Int
        let offset: Int
        /// The target's primary-key columns, relative to `offset`.
        let keyIndices: [Int]
        let decode: (Session, RowSource, Int) throws -> AnyObject
    }

    private(set) var joined: [Joined] = []

    /// The objects one joined relationship of one parent collects.
    private final class Collected {
        let slot: (any RelationshipSlot)?
        let parent: AnyObject
        let collection: Bool
        var objects: [AnyObject] = []
        var ids = Set<ObjectIdentifier>()
        init(parent: AnyObject, slot: (any RelationshipSlot)?, collection: Bool) {
            self.parent = parent
            self.slot = slot
            self.collection = collection
        }
    }

    private struct CollectedKey: Hashable {
        let parent: ObjectIdentifier
        let joined: Int
    }

    /// Records a joined load whose target's columns start at `offset`; returns its index.
    func add(_ node: LoadNode, parent: Int, offset: Int) -> Int {
        let target = node.relationship.target
        joined.append(Joined(node: node, parent: parent, offset: offset, keyIndices: target.mapping.primaryKey,
                             decode: Self.decoder(target)))
        return joined.count - 1
    }

    private static func decoder<T: Model>(_ type: T.Type) -> (Session, RowSource, Int) throws -> AnyObject {
        { session, row, offset in try session.instance(T.self, from: row, offset: offset, plan: try session.loadPlan(T.self)) }
    }

    /// Reads every row of `result`: the distinct instances of `M` in order (none when
    /// `collect` is false: the caller keeps what it needs from `onRow`). `onRow` sees
    /// each row with its instance (before de-duplication).
    func read<M: Model>(_ model: M.Type, _ result: CursorResult, _ session: Session, _ plan: LoadPlan,
                        collect: Bool = true, _ onRow: (RowSource, M) throws -> Void) throws -> [AnyObject] {
        // `[AnyObject]`, not `[M]`: this code is not specialised for the model, and
        // appending to an `[M]` looked up `Array<M>`'s metadata for every row.
        var out: [AnyObject] = []
        // Values are read straight from the result's current row (no array per row).
        let row = RowSource.reading(result)
        if joined.isEmpty {
            while try result.advance() {
                let object = try session.instance(M.self, from: row, plan: plan)
                try onRow(row, object)
                if collect { out.append(object) }
            }
            return out
        }
        var seen = Set<ObjectIdentifier>()
        var collected: [CollectedKey: Collected] = [:]
        var order: [Collected] = []
        var objects = [AnyObject?](repeating: nil, count: joined.count)
        while try result.advance() {
            let object = try session.instance(M.self, from: row, plan: plan)
            try onRow(row, object)
            if collect, seen.insert(ObjectIdentifier(object)).inserted { out.append(object) }
            for (i, j) in joined.enumerated() {
                objects[i] = nil
                guard let parent: AnyObject = j.parent < 0 ? object : objects[j.parent] else { continue }
                let key = CollectedKey(parent: ObjectIdentifier(parent), joined: i)
                let c: Collected
                if let existing = collected[key] {
                    c = existing
                } else {
                    var slot: (any RelationshipSlot)?
                    if let owner = parent as? any ModelRelationships {
                        RelationshipLoading.unloadIfStale(owner)
                        if let s = owner._relationship(j.node.relationship.name), !s.isLoaded { slot = s }
                    }
                    c = Collected(parent: parent, slot: slot, collection: j.node.relationship.isCollection)
                    collected[key] = c
                    order.append(c)
                }
                if j.keyIndices.contains(where: { row[j.offset + $0].isNull }) { continue }
                let target = try j.decode(session, row, j.offset)
                objects[i] = target
                if c.slot != nil, c.ids.insert(ObjectIdentifier(target)).inserted { c.objects.append(target) }
                if j.node.rowTargetIDs.insert(ObjectIdentifier(target)).inserted { j.node.rowTargets.append(target) }
            }
        }
        for c in order {
            guard let slot = c.slot else { continue }
            slot.setLoaded(c.collection || c.objects.count <= 1 ? c.objects : [c.objects[0]])
        }
        return out
    }
}
