import RetortCore

/// The storage of one relationship property of one object, as `@Relationship` declares
/// it (`_$author`, a `ToOneRelationship<Author>` allocated at the first use of the
/// relationship, so objects whose relationships are never touched carry none): the
/// related object or objects, or *unloaded*.
///
/// Unloaded is not the same as empty: `book.author == nil` says the book has no author,
/// an unloaded `author` says nobody has looked. A new object (made by your initialiser)
/// starts loaded and empty; an object read from the database starts unloaded, until a
/// loader fills it in.
///
/// The type-erased face that the session, the loaders and `backPopulates` use.
public protocol RelationshipSlot: AnyObject {
    /// The property's name.
    var name: String { get }
    /// The property on the target that mirrors this one.
    var backPopulates: String? { get }
    /// Whether the property holds what it refers to (possibly nothing).
    var isLoaded: Bool { get }
    /// The related objects when loaded (zero or one for a to-one), nil when unloaded.
    var loadedObjects: [AnyObject]? { get }
    /// Fills the property from a loader, without mirroring on the other side (the other
    /// side's rows say the same thing and are loaded on their own). For a to-one, at most
    /// one object.
    func setLoaded(_ objects: [AnyObject])
    /// Forgets the contents (an object read from a row, or expired).
    func markUnloaded()
    /// `other` now refers to `owner` (the object holding this slot) through the mirror
    /// property: add `other` here, without mirroring back.
    func addBackReference(_ other: AnyObject, owner: AnyObject)
    /// `other` no longer refers to `owner`: take `other` out, without mirroring back.
    func removeBackReference(_ other: AnyObject, owner: AnyObject)

    // MARK: Change history (what the next flush writes)

    /// True when the contents differ from what they were at the last flush or load:
    /// objects were added or removed (a to-one counts as changed when it was assigned
    /// while unloaded, since its previous value is unknown).
    var hasChanges: Bool { get }
    /// The objects put in since the last flush or load (for a to-one, the new value when
    /// it changed).
    var addedObjects: [AnyObject] { get }
    /// The objects taken out since the last flush or load (for a to-one, the previous
    /// value when it was loaded and changed).
    var removedObjects: [AnyObject] { get }
    /// Forgets the history: the contents are now what the database holds. The Session
    /// calls it after a successful flush; loading and expiring do it too.
    func clearHistory()
}

/// A to-one relationship (`var author: Author?`): many-to-one, or one-to-one.
///
/// The stored properties of both storage classes skip the run-time exclusivity checks:
/// an object's relationship storage is used on one thread and never passed `inout`,
/// and the checks showed when thousands of loaded objects are filled in.
public final class ToOneRelationship<Target: Model>: RelationshipSlot {
    public let name: String
    public let backPopulates: String?
    @exclusivity(unchecked) private var value: Target?
    @exclusivity(unchecked) public private(set) var isLoaded = true
    /// Assigned since the last flush or load, with the value it replaced (unknown when
    /// the relationship was unloaded then).
    @exclusivity(unchecked) private var changed = false
    @exclusivity(unchecked) private var original: Target?
    @exclusivity(unchecked) private var originalKnown = true

    /// `loaded: false` for an object whose relationships were not read with it (one
    /// read from a row, or expired).
    public init(_ name: String, backPopulates: String? = nil, loaded: Bool = true) {
        self.name = name
        self.backPopulates = backPopulates
        self.isLoaded = loaded
    }

    /// The getter of the property: the related object, loading it first if need be
    /// (see ``RelationshipLoading/loadOnAccess(_:_:)``).
    public func get<Owner: ModelRelationships>(_ owner: Owner) -> Target? {
        RelationshipLoading.unloadIfStale(owner)
        if !isLoaded { RelationshipLoading.loadOnAccess(owner, name) }
        return value
    }

    /// The setter of the property: stores `newValue` and mirrors the change on the
    /// `backPopulates` side of the previous and the new object. The change is recorded
    /// for the next flush (which sets the foreign key from it). The previous value of an
    /// unloaded one-to-one parent side (`user.profile`) is loaded first, so that the
    /// flush can unlink (or, with `.deleteOrphan`, delete) the object it replaces.
    public func set<Owner: ModelRelationships>(_ newValue: Target?, on owner: Owner) {
        RelationshipLoading.unloadIfStale(owner)
        if !isLoaded {
            if RelationshipHistory.mustLoadBeforeReplacing(owner, name) {
                RelationshipLoading.loadOnAccess(owner, name)
            } else {
                fillFromIdentityMap(owner)
            }
        }
        let old = isLoaded ? value : nil
        if old !== newValue || !isLoaded {
            record(old)
            RelationshipHistory.noteChange(owner)
        }
        value = newValue
        isLoaded = true
        guard old !== newValue, let backPopulates else { return }
        if let old { RelationshipMirror.slot(backPopulates, of: old, mirroring: name, of: Owner.self).removeBackReference(owner, owner: old) }
        if let newValue { RelationshipMirror.slot(backPopulates, of: newValue, mirroring: name, of: Owner.self).addBackReference(owner, owner: newValue) }
    }

    public var loadedObjects: [AnyObject]? { isLoaded ? (value.map { [$0] } ?? []) : nil }

    public func setLoaded(_ objects: [AnyObject]) {
        precondition(objects.count <= 1, "\(name): a to-one relationship loaded \(objects.count) objects")
        value = objects.first.map { RelationshipMirror.cast($0, to: Target.self, for: name) }
        isLoaded = true
        clearHistory()
    }

    public func markUnloaded() {
        value = nil
        isLoaded = false
        if changed { clearHistory() }
    }

    public func addBackReference(_ other: AnyObject, owner: AnyObject) {
        let other = RelationshipMirror.cast(other, to: Target.self, for: name)
        if !isLoaded, let model = owner as? any Model { fillFromIdentityMap(model) }
        let old = isLoaded ? value : nil
        if old !== other || !isLoaded {
            record(old)
            RelationshipHistory.noteChange(owner)
        }
        value = other
        isLoaded = true
        // The object this one referred to before loses it (a book moved to another
        // author leaves the first author's books).
        if let old, old !== other, let backPopulates {
            RelationshipMirror.slot(backPopulates, of: old, mirroring: name, of: type(of: owner)).removeBackReference(owner, owner: old)
        }
    }

    public func removeBackReference(_ other: AnyObject, owner: AnyObject) {
        if isLoaded, value === other {
            record(value)
            RelationshipHistory.noteChange(owner)
            value = nil
        }
    }

    /// An unloaded many-to-one whose target the session already holds (or whose foreign
    /// key is NULL) is filled in without a query, as a lazy load would: then the object
    /// it referred to can lose `owner` from its loaded collection.
    private func fillFromIdentityMap(_ owner: some Model) {
        guard let present = RelationshipHistory.presentTarget(of: owner, name) else { return }
        value = present.map { RelationshipMirror.cast($0, to: Target.self, for: name) }
        isLoaded = true
    }

    // MARK: History

    /// Notes the value being replaced, the first time since the last flush.
    private func record(_ old: Target?) {
        guard !changed else { return }
        changed = true
        original = old
        originalKnown = isLoaded
    }

    /// True once the property was assigned (or mirrored) since the last flush or load,
    /// even back to its previous value: a pending object set to nil after having a
    /// parent is an orphan for a delete-orphan partner.
    public var hasChanges: Bool { changed }

    public var addedObjects: [AnyObject] {
        guard changed, let value, !(originalKnown && original === value) else { return [] }
        return [value]
    }

    public var removedObjects: [AnyObject] {
        guard changed, originalKnown, let original, original !== value else { return [] }
        return [original]
    }

    public func clearHistory() {
        changed = false
        original = nil
        originalKnown = true
    }
}

/// A collection relationship (`var books: [Book]`): one-to-many or many-to-many.
///
/// The property reads and writes a whole array, so `author.books.append(b)` is a read,
/// an append and a write; the write compares the old and new arrays by identity and
/// mirrors only what was added or removed.
public final class ToManyRelationship<Target: Model>: RelationshipSlot {
    public let name: String
    public let backPopulates: String?
    @exclusivity(unchecked) private var values: [Target] = []
    @exclusivity(unchecked) public private(set) var isLoaded = true
    /// What was put in and taken out since the last flush or load (an object put in and
    /// taken out again is in neither).
    @exclusivity(unchecked) private var added = ObjectList()
    @exclusivity(unchecked) private var removed = ObjectList()

    /// `loaded: false` for an object whose relationships were not read with it (one
    /// read from a row, or expired).
    public init(_ name: String, backPopulates: String? = nil, loaded: Bool = true) {
        self.name = name
        self.backPopulates = backPopulates
        self.isLoaded = loaded
    }

    /// The getter of the property.
    public func get<Owner: ModelRelationships>(_ owner: Owner) -> [Target] {
        RelationshipLoading.unloadIfStale(owner)
        if !isLoaded { RelationshipLoading.loadOnAccess(owner, name) }
        return values
    }

    /// The setter of the property: stores `newValue`; each object added takes `owner`
    /// on its `backPopulates` side, each object removed loses it, and both are recorded
    /// for the next flush. Assigning a whole array to an unloaded collection of an object
    /// in a session loads the collection first, so that the objects it replaces are
    /// known (and unlinked or deleted at the flush).
    public func set<Owner: ModelRelationships>(_ newValue: [Target], on owner: Owner) {
        RelationshipLoading.unloadIfStale(owner)
        if !isLoaded, RelationshipHistory.isPersistentInSession(owner) {
            RelationshipLoading.loadOnAccess(owner, name)
        }
        let old = isLoaded ? values : []
        values = newValue
        isLoaded = true
        let oldIDs = Set(old.map(ObjectIdentifier.init))
        let newIDs = Set(newValue.map(ObjectIdentifier.init))
        var changed = false
        for o in old where !newIDs.contains(ObjectIdentifier(o)) {
            recordRemoved(o)
            changed = true
            if let backPopulates {
                RelationshipMirror.slot(backPopulates, of: o, mirroring: name, of: Owner.self).removeBackReference(owner, owner: o)
            }
        }
        var seen = Set<ObjectIdentifier>()
        for n in newValue where !oldIDs.contains(ObjectIdentifier(n)) && seen.insert(ObjectIdentifier(n)).inserted {
            recordAdded(n)
            changed = true
            if let backPopulates {
                RelationshipMirror.slot(backPopulates, of: n, mirroring: name, of: Owner.self).addBackReference(owner, owner: n)
            }
        }
        if changed { RelationshipHistory.noteChange(owner) }
    }

    public var loadedObjects: [AnyObject]? { isLoaded ? values : nil }

    public func setLoaded(_ objects: [AnyObject]) {
        values = RelationshipMirror.castAll(objects, to: Target.self, for: name)
        isLoaded = true
        clearHistory()
    }

    public func markUnloaded() {
        values = []
        isLoaded = false
        clearHistory()
    }

    /// Appends `other` unless it is already there. On an unloaded collection this does
    /// nothing: the collection is read from the database when it is loaded.
    public func addBackReference(_ other: AnyObject, owner: AnyObject) {
        guard isLoaded else { return }
        let other = RelationshipMirror.cast(other, to: Target.self, for: name)
        if !values.contains(where: { $0 === other }) {
            values.append(other)
            recordAdded(other)
            RelationshipHistory.noteChange(owner)
        }
    }

    public func removeBackReference(_ other: AnyObject, owner: AnyObject) {
        guard isLoaded, let i = values.firstIndex(where: { $0 === other }) else { return }
        recordRemoved(values.remove(at: i))
        RelationshipHistory.noteChange(owner)
    }

    // MARK: History

    private func recordAdded(_ o: Target) {
        if !removed.remove(o) { added.insert(o) }
    }

    private func recordRemoved(_ o: Target) {
        if !added.remove(o) { removed.insert(o) }
    }

    public var hasChanges: Bool { !added.isEmpty || !removed.isEmpty }
    public var addedObjects: [AnyObject] { added.objects }
    public var removedObjects: [AnyObject] { removed.objects }

    public func clearHistory() {
        if !added.isEmpty { added = ObjectList() }
        if !removed.isEmpty { removed = ObjectList() }
    }
}

/// Objects in insertion order, each once, compared by identity. Not generic: generic
/// code of the relationship storage is not specialised for the model, and even
/// `isEmpty` of a generic list looked up its type's metadata.
struct ObjectList {
    private(set) var objects: [AnyObject] = []
    private var ids: Set<ObjectIdentifier> = []

    var isEmpty: Bool { objects.isEmpty }

    mutating func insert(_ o: AnyObject) {
        if ids.insert(ObjectIdentifier(o)).inserted { objects.append(o) }
    }

    /// Removes `o`; false when it was not there.
    mutating func remove(_ o: AnyObject) -> Bool {
        guard ids.remove(ObjectIdentifier(o)) != nil else { return false }
        objects.removeAll { $0 === o }
        return true
    }
}

/// How a relationship's change reaches the owner's session.
enum RelationshipHistory {
    /// A persistent owner whose relationship changed is held by its session until the
    /// next flush (which writes the change), as an owner whose columns changed is.
    static func noteChange(_ owner: AnyObject) {
        guard let model = owner as? any Model else { return }
        let state = model._state
        guard !state.held, let session = state.session, state.status == .persistent else { return }
        session.hold(model)
    }

    static func isPersistentInSession(_ owner: some Model) -> Bool {
        let state = owner._state
        return state.session != nil && state.status == .persistent
    }

    /// The resolved relationship `name` of `model` (from the model's cached
    /// resolution), nil when the model's relationships do not resolve (that error is
    /// reported where it can be thrown).
    static func relationship(_ model: any ModelRelationships.Type, _ name: String) -> Relationship? {
        (try? model.relationships())?.first { $0.name == name }
    }

    /// Whether assigning relationship `name` of `owner` while it is unloaded must load
    /// its previous value first: the parent side of a one-to-one (`user.profile`) of a
    /// persistent object, whose previous object's foreign key the flush must clear.
    static func mustLoadBeforeReplacing<Owner: ModelRelationships>(_ owner: Owner, _ name: String) -> Bool {
        guard isPersistentInSession(owner), let r = relationship(Owner.self, name) else { return false }
        return r.direction == .oneToMany
    }

    /// The object that many-to-one `name` of a persistent `owner` refers to, when the
    /// answer needs no query: `.some(nil)` when the foreign key is NULL, the instance
    /// when the session's identity map holds it, nil when only a query could tell.
    static func presentTarget(of owner: some Model, _ name: String) -> AnyObject?? {
        let state = owner._state
        guard let session = state.session, state.status == .persistent,
            let model = type(of: owner) as? any ModelRelationships.Type,
            let r = relationship(model, name), r.direction == .manyToOne
        else { return nil }
        // By the target's property index (in a hierarchy the key may be a subclass table's).
        var values: [Int: SQLValue] = [:]
        for (local, remote) in zip(r.ownerProperties, r.targetProperties) { values[remote] = owner._value(at: local) }
        if values.values.contains(where: \.isNull) { return .some(nil) }
        let target = r.target
        let keyProperties = target.mapping.primaryKey
        guard Set(keyProperties) == Set(values.keys), let key = try? target._identityKey(values: keyProperties.map { values[$0]! }),
            let entry = session.identityMap[key]
        else { return nil }
        // In a hierarchy the key may be held by another class than the target.
        guard r.target.isInstance(entry) else { return nil }
        return .some(entry)
    }
}

/// Finding the mirror side of a `backPopulates` pair at run time.
enum RelationshipMirror {
    /// The slot `name` of `object`, which mirrors `property` of `Owner`. A missing one is
    /// a programming error that ``ModelRelationships/relationships()`` reports as a
    /// thrown error when the model is configured; here, in a setter, it can only trap.
    static func slot(_ name: String, of object: AnyObject, mirroring property: String, of owner: Any.Type) -> any RelationshipSlot {
        guard let model = object as? any ModelRelationships, let slot = model._relationship(name) else {
            preconditionFailure(
                "\(owner).\(property): backPopulates names '\(name)', which \(type(of: object)) does not declare as a @Relationship")
        }
        return slot
    }

    /// `objects` as an `[Target]`, each checked as ``cast(_:to:for:)`` does.
    ///
    /// When every object is exactly a `Target` (models are final classes: the normal
    /// case) the array itself is reinterpreted, as the standard library does for an
    /// array of class references known to hold only the target class: an array of class
    /// references has one representation whatever the class. The callers are not
    /// specialised for `Target`, and building a new array there looked up metadata per
    /// call and per object.
    static func castAll<Target: AnyObject>(_ objects: [AnyObject], to: Target.Type, for name: String) -> [Target] {
        let target = ObjectIdentifier(Target.self)
        for o in objects where ObjectIdentifier(type(of: o)) != target {
            return objects.map { cast($0, to: Target.self, for: name) }
        }
        return unsafeBitCast(objects, to: [Target].self)
    }

    @inline(__always)
    static func cast<Target: AnyObject>(_ object: AnyObject, to: Target.Type, for name: String) -> Target {
        // Models are final classes, so the exact type is the common case; comparing
        // metatypes costs far less than a dynamic cast.
        if ObjectIdentifier(type(of: object)) == ObjectIdentifier(Target.self) { return unsafeDowncast(object, to: Target.self) }
        guard let t = object as? Target else {
            preconditionFailure("\(name): expected a \(Target.self), got a \(type(of: object))")
        }
        return t
    }
}
