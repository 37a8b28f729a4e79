import Foundation
import RetortCore

// How the Session turns relationships into rows: the save-update and delete cascades,
// delete-orphan, and the plan of a flush — which foreign keys to copy from which
// related objects, which rows must be written before which, which association rows to
// insert and delete. UnitOfWork.swift carries the plan out.

/// What a flush needs to know about one relationship, worked out once per model from
/// its resolved join: column positions instead of names.
struct RelationshipPlan: @unchecked Sendable {
    // @unchecked Sendable: every field is a `let`; `Relationship` is immutable (see its
    // note) and the column-pair tuples cannot declare a conformance themselves.
    let relationship: Relationship
    /// `CsAuthor.books`, for messages.
    let label: String
    /// For a join on a foreign key: true when the owner's table holds it (many-to-one),
    /// false when the target's does (one-to-many, one-to-one's parent side).
    let childIsOwner: Bool
    /// The foreign-key columns in the child's table, and the columns they refer to in
    /// the parent's table, pairwise.
    let childColumns: [Int]
    let parentColumns: [Int]
    /// A many-to-many's association table, and which columns of it the owner's and the
    /// target's columns fill: (model column, secondary column).
    let secondary: Table?
    let ownerToSecondary: [(model: Int, secondary: Int)]
    let targetToSecondary: [(model: Int, secondary: Int)]
    /// This relationship or its `backPopulates` partner declares `postUpdate`.
    let postUpdate: Bool
    /// The `backPopulates` partner cascades delete-orphan: a to-one set to nil here
    /// orphans the owner.
    let partnerDeletesOrphans: Bool

    var name: String { relationship.name }
    var direction: RelationshipDirection { relationship.direction }
    var cascade: Cascade { relationship.cascade }
    var passiveDeletes: Bool { relationship.passiveDeletes }

    init(_ r: Relationship) throws {
        relationship = r
        let label = "\(r.owner).\(r.name)"
        self.label = label
        func positions(_ table: Table, _ names: [String]) throws -> [Int] {
            try names.map { name in
                guard let i = table.position(of: name) else {
                    throw RelationshipConfigurationError("\(label): '\(name)' is not a column of \(table.fullName)")
                }
                return i
            }
        }
        var partner: Relationship?
        if let back = r.backPopulates, let target = r.target as? any ModelRelationships.Type {
            partner = try target.relationship(named: back)
        }
        postUpdate = r.postUpdate || partner?.postUpdate == true
        partnerDeletesOrphans = partner?.cascade.contains(.deleteOrphan) == true
        switch r.direction {
        case .manyToOne:
            childIsOwner = true
            // Property indices (in a hierarchy the columns may be in a subclass's table).
            childColumns = r.ownerProperties
            parentColumns = r.targetProperties
            secondary = nil
            ownerToSecondary = []
            targetToSecondary = []
        case .oneToMany:
            childIsOwner = false
            childColumns = r.targetProperties
            parentColumns = r.ownerProperties
            secondary = nil
            ownerToSecondary = []
            targetToSecondary = []
        case .manyToMany:
            guard let table = r.secondary else { throw RelationshipConfigurationError("\(label): a many-to-many without its secondary table") }
            childIsOwner = false
            childColumns = []
            parentColumns = []
            secondary = table
            ownerToSecondary = Array(zip(r.ownerProperties, try positions(table, r.pairs.map(\.remote))))
                .map { (model: $0, secondary: $1) }
            targetToSecondary = Array(zip(r.targetProperties, try positions(table, r.secondaryPairs.map(\.remote))))
                .map { (model: $0, secondary: $1) }
        }
    }
}

/// The relationship plans of each model, worked out once.
enum RelationshipPlans {
    private static let cache = ModelTypeCache<[RelationshipPlan]>()

    /// The plans of `model`, nil for a model without relationships.
    static func of(_ model: any Model.Type) throws -> [RelationshipPlan]? {
        guard let owner = model as? any ModelRelationships.Type else { return nil }
        let key = ObjectIdentifier(model)
        if let hit = cache[key] { return hit }
        let plans = try owner.relationships().map(RelationshipPlan.init)
        cache[key] = plans
        return plans
    }
}

/// The plans of the instances one operation meets, looked up once per model.
struct PlanLookup {
    private var byModel: [ObjectIdentifier: [RelationshipPlan]?] = [:]
    private var lastModel: ObjectIdentifier?
    private var lastPlans: [RelationshipPlan]?

    mutating func callAsFunction(_ object: any Model) throws -> [RelationshipPlan]? {
        try self(type(of: object))
    }

    mutating func callAsFunction(_ model: any Model.Type) throws -> [RelationshipPlan]? {
        let key = ObjectIdentifier(model)
        if key == lastModel { return lastPlans }
        let plans: [RelationshipPlan]?
        if let known = byModel[key] {
            plans = known
        } else {
            plans = try RelationshipPlans.of(model)
            byModel[key] = .some(plans)
        }
        lastModel = key
        lastPlans = plans
        return plans
    }
}

// MARK: Cascades

extension Session {
    /// Whether a relationship of `object` changed since the last flush.
    static func relationshipsChanged(_ object: any Model) -> Bool {
        guard let model = object as? any ModelRelationships, !model._state.relationshipsStale else { return false }
        for d in type(of: model).relationshipDeclarations where model._existingRelationship(d.name)?.hasChanges == true { return true }
        return false
    }

    /// Forgets the relationship history of `object` (after a flush wrote it).
    static func clearRelationshipHistory(_ object: any Model) {
        guard let model = object as? any ModelRelationships else { return }
        for d in type(of: model).relationshipDeclarations { model._existingRelationship(d.name)?.clearHistory() }
    }

    /// The storage of relationship `name` of `object`, its contents dropped first if the
    /// object expired since they were loaded.
    static func slot(_ object: any Model, _ name: String) -> (any RelationshipSlot)? {
        guard let model = object as? any ModelRelationships else { return nil }
        RelationshipLoading.unloadIfStale(model)
        return model._relationship(name)
    }

    /// Adds every object reachable from `roots` through loaded relationships that
    /// cascade save-update; objects already in this session are not walked again (what
    /// was related to them since is picked up by the flush).
    func cascadeSaveUpdate(_ roots: [any Model]) throws {
        var stack = roots
        var plans = PlanLookup()
        while let o = stack.popLast() {
            guard let ps = try plans(o) else { continue }
            for p in ps where p.cascade.contains(.saveUpdate) {
                guard let objects = Self.slot(o, p.name)?.loadedObjects else { continue }
                for case let x as any Model in objects where x._state.session !== self {
                    try addOne(x, reachedThrough: p.label)
                    stack.append(x)
                }
            }
        }
    }

    /// Marks `roots` (persistent instances of this session) for deletion and follows the
    /// delete cascade. An instance marked here first has the relationships the flush
    /// will need loaded (without autoflush): those that cascade delete, and the
    /// one-to-many ones whose children the flush unlinks, except with `passiveDeletes`.
    /// Instances already marked are walked without loading. Pending instances reached
    /// are never inserted: they go to `dropped`.
    func cascadeDelete(_ roots: [any Model], marked: inout [any Model], dropped: inout [any Model]) throws {
        var stack = roots
        var visited = Set<ObjectIdentifier>()
        var plans = PlanLookup()
        while let o = stack.popLast() {
            guard visited.insert(ObjectIdentifier(o)).inserted else { continue }
            let s = o._state
            guard s.session === self else { continue }
            if s.status == .pending {
                dropped.append(o)
                continue
            }
            guard s.status == .persistent else { continue }
            let ps = try plans(o) ?? []
            if !s.markedForDeletion {
                if let model = o as? any ModelRelationships {
                    for p in ps where !p.passiveDeletes && (p.cascade.contains(.delete) || p.direction == .oneToMany) {
                        if Self.slot(o, p.name)?.isLoaded == false {
                            try noAutoflush { _ in try RelationshipLoading.load(model, p.name) }
                        }
                    }
                }
                o._state.markedForDeletion = true
                if !o._state.held { hold(o) }
                marked.append(o)
            }
            for p in ps where p.cascade.contains(.delete) {
                for case let x as any Model in Self.slot(o, p.name)?.loadedObjects ?? [] { stack.append(x) }
            }
        }
    }
}

// MARK: Planning a flush

/// The relationship work of one flush, planned before its first statement.
struct RelationshipFlush {
    /// Pending instances that are not inserted after all (orphans, children of deleted
    /// parents): they leave the session when the flush succeeds.
    var dropped: Set<ObjectIdentifier> = []
    var droppedObjects: [any Model] = []
    /// Foreign keys to copy from parents this flush inserts, just before the child's
    /// own statement.
    var deferred: [ObjectIdentifier: [(plan: RelationshipPlan, parent: any Model)]] = [:]
    /// Rows that must be written before others: the parent's INSERT before the child's
    /// INSERT or UPDATE.
    var saveEdges: [(parent: any Model, child: any Model, label: String)] = []
    /// Foreign keys written by a second UPDATE once every row is in.
    var postUpdates: [(child: any Model, plan: RelationshipPlan, parent: any Model)] = []
    /// Association rows to delete, then to insert.
    var associationDeletes: [AssociationRow] = []
    var associationInserts: [AssociationRow] = []
    /// Instances being deleted whose association rows are deleted first: as the owner
    /// of the plan's relationship, or (`asTarget`) as its target (an orphan of a
    /// many-to-many with delete-orphan, whose model may not declare the other side).
    var associationsOfDeleted: [(plan: RelationshipPlan, object: any Model, asTarget: Bool)] = []
    /// Post-update foreign keys of rows being deleted, set to NULL before the DELETEs.
    var deleteNulls: [(child: any Model, plan: RelationshipPlan)] = []

    /// Whether `object` is dropped.
    func isDropped(_ object: any Model) -> Bool { !dropped.isEmpty && dropped.contains(ObjectIdentifier(object)) }
}

/// One row of a many-to-many's association table: `owner` related to `target` through
/// `plan`.
struct AssociationRow {
    let plan: RelationshipPlan
    let owner: any Model
    let target: any Model

    /// The row's values by position in the association table.
    func values() -> [Int: SQLValue] {
        guard let secondary = plan.secondary else { return [:] }
        var out: [Int: SQLValue] = [:]
        for (m, s) in plan.ownerToSecondary { out[s] = secondary.columns[s].type.processBind(owner._value(at: m)) }
        for (m, s) in plan.targetToSecondary { out[s] = secondary.columns[s].type.processBind(target._value(at: m)) }
        return out
    }

    /// The same pair through the same table, whichever side recorded it.
    var key: PairKey {
        let a = ObjectIdentifier(owner), b = ObjectIdentifier(target)
        return PairKey(table: ObjectIdentifier(plan.secondary!), first: min(a, b), second: max(a, b))
    }

    struct PairKey: Hashable {
        let table: ObjectIdentifier
        let first: ObjectIdentifier
        let second: ObjectIdentifier
    }
}

/// What relationship changes ask of one foreign key (a child's columns): copy them from
/// a parent, or set them to NULL. Setting wins over clearing (an object moved from one
/// parent to another is taken out of the first and put in the second).
private struct ForeignKeyIntents {
    struct Key: Hashable {
        let child: ObjectIdentifier
        let columns: [Int]
    }

    struct Intent {
        let child: any Model
        let plan: RelationshipPlan
        let parent: (any Model)?
    }

    private(set) var order: [Key] = []
    private(set) var byKey: [Key: Intent] = [:]

    mutating func set(_ child: any Model, _ plan: RelationshipPlan, to parent: any Model) {
        let key = Key(child: ObjectIdentifier(child), columns: plan.childColumns)
        if byKey[key] == nil { order.append(key) }
        byKey[key] = Intent(child: child, plan: plan, parent: parent)
    }

    mutating func clear(_ child: any Model, _ plan: RelationshipPlan) {
        let key = Key(child: ObjectIdentifier(child), columns: plan.childColumns)
        guard byKey[key] == nil else { return }
        order.append(key)
        byKey[key] = Intent(child: child, plan: plan, parent: nil)
    }

    func isSet(_ child: any Model, _ plan: RelationshipPlan) -> Bool {
        byKey[Key(child: ObjectIdentifier(child), columns: plan.childColumns)]?.parent != nil
    }
}

extension Session {
    /// Plans the relationship work of a flush, or returns nil when no model with
    /// relationships takes part. Cascades first (objects related since they were added
    /// join the session; objects related to deleted ones are deleted), then orphans,
    /// then the foreign keys: those whose parent already has its key are set now (an
    /// UPDATE of a persistent child records the change), those whose parent is inserted
    /// by this flush wait for it.
    func prepareRelationships(_ work: inout FlushWork) throws -> RelationshipFlush? {
        var plans = PlanLookup()
        var involved = false
        for o in pending where try plans(o) != nil {
            involved = true
            break
        }
        if !involved {
            for o in modified where try plans(o) != nil {
                involved = true
                break
            }
        }
        guard involved else { return nil }
        var plan = RelationshipFlush()

        // Save-update: what was related to persistent instances since the last flush,
        // and whatever pending instances reach now.
        var roots: [any Model] = pending
        for o in modified where o._state.status == .persistent && !o._state.markedForDeletion {
            guard let ps = try plans(o) else { continue }
            for p in ps where p.cascade.contains(.saveUpdate) {
                guard let slot = Self.slot(o, p.name), slot.hasChanges else { continue }
                for case let x as any Model in slot.addedObjects where x._state.session !== self {
                    try addOne(x, reachedThrough: p.label)
                    roots.append(x)
                }
            }
        }
        try cascadeSaveUpdate(roots)

        // Delete: what is related to instances marked earlier (their relationships were
        // loaded when they were marked).
        var marked: [any Model] = []
        var dropped: [any Model] = []
        let markedEarlier = modified.filter { $0._state.markedForDeletion && $0._state.status == .persistent }
        if !markedEarlier.isEmpty { try cascadeDelete(markedEarlier, marked: &marked, dropped: &dropped) }
        func drop(_ objects: [any Model]) {
            for o in objects where plan.dropped.insert(ObjectIdentifier(o)).inserted { plan.droppedObjects.append(o) }
        }
        drop(dropped)

        // What each change asks for.
        var intents = ForeignKeyIntents()
        var orphans: [(child: any Model, plan: RelationshipPlan)] = []
        var pairsAdded: [AssociationRow] = []
        var pairsRemoved: [AssociationRow] = []
        for o in pending where !plan.isDropped(o) {
            guard let ps = try plans(o) else { continue }
            for p in ps {
                guard let slot = Self.slot(o, p.name), let current = slot.loadedObjects else { continue }
                switch p.direction {
                case .manyToOne:
                    if let parent = current.first as? any Model {
                        intents.set(o, p, to: parent)
                    } else if slot.hasChanges {
                        intents.clear(o, p)
                        if p.partnerDeletesOrphans { orphans.append((o, p)) }
                    }
                case .oneToMany:
                    for case let c as any Model in current { intents.set(c, p, to: o) }
                    for case let c as any Model in slot.removedObjects {
                        intents.clear(c, p)
                        if p.cascade.contains(.deleteOrphan) { orphans.append((c, p)) }
                    }
                case .manyToMany:
                    for case let t as any Model in current { pairsAdded.append(AssociationRow(plan: p, owner: o, target: t)) }
                }
            }
        }
        for o in modified where o._state.status == .persistent && !o._state.markedForDeletion {
            guard let ps = try plans(o) else { continue }
            for p in ps {
                guard let slot = Self.slot(o, p.name), slot.hasChanges else { continue }
                switch p.direction {
                case .manyToOne:
                    if let parent = slot.loadedObjects?.first as? any Model {
                        intents.set(o, p, to: parent)
                    } else {
                        intents.clear(o, p)
                        if p.partnerDeletesOrphans { orphans.append((o, p)) }
                    }
                case .oneToMany:
                    for case let c as any Model in slot.addedObjects { intents.set(c, p, to: o) }
                    for case let c as any Model in slot.removedObjects {
                        intents.clear(c, p)
                        if p.cascade.contains(.deleteOrphan) { orphans.append((c, p)) }
                    }
                case .manyToMany:
                    for case let t as any Model in slot.addedObjects { pairsAdded.append(AssociationRow(plan: p, owner: o, target: t)) }
                    for case let t as any Model in slot.removedObjects {
                        pairsRemoved.append(AssociationRow(plan: p, owner: o, target: t))
                        if p.cascade.contains(.deleteOrphan) { orphans.append((t, p)) }
                    }
                }
            }
        }

        // Orphans: taken out of a delete-orphan relationship and not put anywhere else.
        // A many-to-many's target is an orphan unless this flush puts it back into the
        // same relationship of some owner; its association rows go first (its model may
        // not declare the other side).
        var orphaned: [any Model] = []
        var readded = Set<ObjectIdentifier>()
        for row in pairsAdded where row.plan.cascade.contains(.deleteOrphan) { readded.insert(ObjectIdentifier(row.target)) }
        for (c, p) in orphans where c._state.session === self && !c._state.markedForDeletion && !plan.isDropped(c) {
            if p.direction == .manyToMany {
                if readded.contains(ObjectIdentifier(c)) { continue }
                if c._state.status == .persistent, !p.passiveDeletes { plan.associationsOfDeleted.append((p, c, true)) }
            } else if intents.isSet(c, p) {
                continue
            }
            if c._state.status == .pending { drop([c]) } else { orphaned.append(c) }
        }
        if !orphaned.isEmpty {
            var more: [any Model] = []
            try cascadeDelete(orphaned, marked: &marked, dropped: &more)
            drop(more)
        }
        work.markedDuringFlush += marked
        try refusePendingOrphans(intents, plan, &plans)

        // Instances being deleted: their loaded children are unlinked (or deleted with
        // them), their association rows deleted, their post-update keys cleared.
        var nulled = Set<ForeignKeyIntents.Key>()
        for d in modified where d._state.markedForDeletion && d._state.status == .persistent {
            guard let ps = try plans(d) else { continue }
            for p in ps {
                switch p.direction {
                case .oneToMany:
                    for case let c as any Model in Self.slot(d, p.name)?.loadedObjects ?? [] {
                        if c._state.markedForDeletion {
                            if p.postUpdate, nulled.insert(.init(child: ObjectIdentifier(c), columns: p.childColumns)).inserted {
                                plan.deleteNulls.append((c, p))
                            }
                        } else {
                            intents.clear(c, p)
                        }
                    }
                case .manyToOne:
                    if p.postUpdate, p.childColumns.contains(where: { !d._value(at: $0).isNull }),
                        nulled.insert(.init(child: ObjectIdentifier(d), columns: p.childColumns)).inserted
                    {
                        plan.deleteNulls.append((d, p))
                    }
                case .manyToMany:
                    if !p.passiveDeletes { plan.associationsOfDeleted.append((p, d, false)) }
                }
            }
        }

        // Foreign keys.
        for key in intents.order {
            guard let intent = intents.byKey[key] else { continue }
            let c = intent.child, p = intent.plan
            let cs = c._state
            guard cs.session === self else {
                // A child to write that the session does not have; one to unlink that
                // it does not have has no row to change.
                if let parent = intent.parent { throw notInSession(c, relatedTo: parent, through: p) }
                continue
            }
            guard !cs.markedForDeletion, !plan.isDropped(c), cs.status == .pending || cs.status == .persistent else { continue }
            guard let parent = intent.parent else {
                try work.setForeignKey(c, p, from: nil, session: self)
                continue
            }
            let ps = parent._state
            guard ps.session === self else { throw notInSession(parent, relatedTo: c, through: p) }
            if ps.markedForDeletion || plan.isDropped(parent) {
                // Related to a parent that this flush deletes (or drops): the child is let
                // go, as a deleted parent's children are. Left alone, its row would keep
                // the key it had, perhaps that of another parent deleted in this flush.
                try work.setForeignKey(c, p, from: nil, session: self)
                continue
            }
            guard ps.status == .pending || ps.status == .persistent else { continue }
            if p.postUpdate {
                plan.postUpdates.append((c, p, parent))
            } else if ps.status == .pending {
                plan.deferred[ObjectIdentifier(c), default: []].append((p, parent))
                plan.saveEdges.append((parent, c, p.label))
                if cs.status == .persistent, !cs.held { hold(c) }
            } else {
                try work.setForeignKey(c, p, from: parent, session: self)
            }
        }

        // Association rows, each pair once however many sides recorded it.
        var seen = Set<AssociationRow.PairKey>()
        for row in pairsRemoved {
            let a = row.owner._state, b = row.target._state
            guard a.session === self, b.session === self, a.status == .persistent, b.status == .persistent,
                !a.markedForDeletion, !b.markedForDeletion, seen.insert(row.key).inserted
            else { continue }
            plan.associationDeletes.append(row)
        }
        seen.removeAll()
        for row in pairsAdded {
            let a = row.owner._state, b = row.target._state
            guard b.session === self else { throw notInSession(row.target, relatedTo: row.owner, through: row.plan) }
            guard a.status == .pending || a.status == .persistent, b.status == .pending || b.status == .persistent,
                !a.markedForDeletion, !b.markedForDeletion, !plan.isDropped(row.owner), !plan.isDropped(row.target),
                seen.insert(row.key).inserted
            else { continue }
            plan.associationInserts.append(row)
        }
        return plan
    }

    /// A pending instance that a delete-orphan relationship owns but that has no parent
    /// there would be deleted as soon as it was inserted: the flush refuses it, naming
    /// the relationship. Its parent is known from its many-to-one (or the parent's
    /// collection), or from a foreign key set by hand. A self-referential relationship
    /// is left out: the root of a tree has no parent.
    private func refusePendingOrphans(_ intents: ForeignKeyIntents, _ flush: RelationshipFlush, _ plans: inout PlanLookup) throws {
        for o in pending where !flush.isDropped(o) && !o._state.markedForDeletion {
            guard let ps = try plans(o) else { continue }
            var owners: [RelationshipPlan] = []
            var parented = false
            for p in ps where p.direction == .manyToOne && p.partnerDeletesOrphans
                && ObjectIdentifier(p.relationship.target) != ObjectIdentifier(type(of: o)) {
                owners.append(p)
                if intents.isSet(o, p) || p.childColumns.allSatisfy({ !o._value(at: $0).isNull }) { parented = true }
            }
            guard !owners.isEmpty, !parented else { continue }
            let p = owners[0]
            let collection = "\(p.relationship.target).\(p.relationship.backPopulates ?? "?")"
            throw InvalidRequestError(
                "cannot insert this \(type(of: o)): it is pending and an orphan — \(collection) deletes the objects taken out of it "
                    + "(delete-orphan) and this one is in no \(p.relationship.target)'s \(p.relationship.backPopulates ?? "collection"), "
                    + "so it would be deleted as soon as it was inserted; set its \(p.name) (or put it in a \(collection)) before the flush, "
                    + "or expunge it")
        }
    }

    private func notInSession(_ object: any Model, relatedTo other: any Model, through plan: RelationshipPlan) -> InvalidRequestError {
        let state = object._state
        let whereabouts = state.session == nil ? "is \(state.status.rawValue), not in this session" : "belongs to another session"
        return InvalidRequestError(
            "\(plan.label) relates a \(type(of: other)) to a \(type(of: object)) that \(whereabouts), so the flush cannot write the relationship; "
                + "add it with session.add(...)" + (plan.cascade.contains(.saveUpdate) ? "" : ", or declare the relationship with cascade: .saveUpdate"))
    }
}

// MARK: The order of deletes

extension FlushOrder {
    /// Between instances being deleted: a child's DELETE before its parent's, for every
    /// relationship joined on a foreign key (post-update ones aside: their keys are set
    /// to NULL first). The foreign-key values say who is whose child, so relationships
    /// need not be loaded.
    static func deleteEdges(_ deletes: [any Model]) throws -> [Edge] {
        var byModel: [ObjectIdentifier: [Int]] = [:]
        var models: [ObjectIdentifier: any Model.Type] = [:]
        for (i, o) in deletes.enumerated() {
            let m = ObjectIdentifier(type(of: o))
            byModel[m, default: []].append(i)
            models[m] = type(of: o)
        }
        // The instances of a target class: in a hierarchy, its subclasses' too (a
        // relationship to Manager relates Directors).
        var instancesOf: [ObjectIdentifier: [Int]] = [:]
        func instances(of model: any Model.Type) -> [Int] {
            let key = ObjectIdentifier(model)
            if let hit = instancesOf[key] { return hit }
            let found = model.mapping.inheritance == nil ? byModel[key] ?? [] : deletes.indices.filter { model.isInstance(deletes[$0]) }
            instancesOf[key] = found
            return found
        }
        var edges: [Edge] = []
        var plans = PlanLookup()
        for (m, model) in models {
            for p in try plans(model) ?? [] where p.direction != .manyToMany && !p.postUpdate {
                // The owners are the instances of exactly this class (a subclass's plans
                // repeat its superclass's relationships).
                let owners = byModel[m] ?? [], targets = instances(of: p.relationship.target)
                let (children, parents) = p.childIsOwner ? (owners, targets) : (targets, owners)
                guard !children.isEmpty, !parents.isEmpty else { continue }
                var parentOf: [[SQLValue]: Int] = [:]
                for i in parents { parentOf[p.parentColumns.map { deletes[i]._value(at: $0) }] = i }
                for i in children {
                    let key = p.childColumns.map { deletes[i]._value(at: $0) }
                    guard !key.contains(where: \.isNull), let parent = parentOf[key], parent != i else { continue }
                    edges.append(Edge(first: i, then: parent, label: p.label))
                }
            }
        }
        return edges
    }
}
