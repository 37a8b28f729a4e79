/// The storage of one relationship property of one object, as `@Relationship` declares
/// it (`private let _$author = ToOneRelationship<Author>(...)`): the related object or
/// objects, or *unloaded*.
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
}

/// A to-one relationship (`var author: Author?`): many-to-one, or one-to-one.
public final class ToOneRelationship<Target: Model>: RelationshipSlot {
    public let name: String
    public let backPopulates: String?
    private var value: Target?
    public private(set) var isLoaded = true

    public init(_ name: String, backPopulates: String? = nil) {
        self.name = name
        self.backPopulates = backPopulates
    }

    /// The getter of the property: the related object, loading it first if need be
    /// (see ``RelationshipLoading/loadOnAccess(_:_:)``).
    public func get<Owner: ModelRelationships>(_ owner: Owner) -> Target? {
        RelationshipLoading.unloadIfStale(owner)
        if !isLoaded { RelationshipLoading.loadOnAccess(owner, name) }
        return value
    }

    /// The setter of the property: stores `newValue` and mirrors the change on the
    /// `backPopulates` side of the previous and the new object.
    public func set<Owner: ModelRelationships>(_ newValue: Target?, on owner: Owner) {
        RelationshipLoading.unloadIfStale(owner)
        let old = isLoaded ? value : nil
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
    }

    public func markUnloaded() {
        value = nil
        isLoaded = false
    }

    public func addBackReference(_ other: AnyObject, owner: AnyObject) {
        let other = RelationshipMirror.cast(other, to: Target.self, for: name)
        let old = isLoaded ? value : nil
        value = other
        isLoaded = true
        // The object this one referred to before loses it (a book moved to another
        // author leaves the first author's books).
        if let old, old !== other, let backPopulates {
            RelationshipMirror.slot(backPopulates, of: old, mirroring: name, of: type(of: owner)).removeBackReference(owner, owner: old)
        }
    }

    public func removeBackReference(_ other: AnyObject, owner: AnyObject) {
        if isLoaded, value === other { value = nil }
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
    private var values: [Target] = []
    public private(set) var isLoaded = true

    public init(_ name: String, backPopulates: String? = nil) {
        self.name = name
        self.backPopulates = backPopulates
    }

    /// The getter of the property.
    public func get<Owner: ModelRelationships>(_ owner: Owner) -> [Target] {
        RelationshipLoading.unloadIfStale(owner)
        if !isLoaded { RelationshipLoading.loadOnAccess(owner, name) }
        return values
    }

    /// The setter of the property: stores `newValue`; each object added takes `owner`
    /// on its `backPopulates` side, each object removed loses it.
    public func set<Owner: ModelRelationships>(_ newValue: [Target], on owner: Owner) {
        RelationshipLoading.unloadIfStale(owner)
        let old = isLoaded ? values : []
        values = newValue
        isLoaded = true
        guard let backPopulates else { return }
        let oldIDs = Set(old.map(ObjectIdentifier.init))
        let newIDs = Set(newValue.map(ObjectIdentifier.init))
        for o in old where !newIDs.contains(ObjectIdentifier(o)) {
            RelationshipMirror.slot(backPopulates, of: o, mirroring: name, of: Owner.self).removeBackReference(owner, owner: o)
        }
        var added = Set<ObjectIdentifier>()
        for n in newValue where !oldIDs.contains(ObjectIdentifier(n)) && added.insert(ObjectIdentifier(n)).inserted {
            RelationshipMirror.slot(backPopulates, of: n, mirroring: name, of: Owner.self).addBackReference(owner, owner: n)
        }
    }

    public var loadedObjects: [AnyObject]? { isLoaded ? values : nil }

    public func setLoaded(_ objects: [AnyObject]) {
        values = objects.map { RelationshipMirror.cast($0, to: Target.self, for: name) }
        isLoaded = true
    }

    public func markUnloaded() {
        values = []
        isLoaded = false
    }

    /// Appends `other` unless it is already there. On an unloaded collection this does
    /// nothing: the collection is read from the database when it is loaded.
    public func addBackReference(_ other: AnyObject, owner: AnyObject) {
        guard isLoaded else { return }
        let other = RelationshipMirror.cast(other, to: Target.self, for: name)
        if !values.contains(where: { $0 === other }) { values.append(other) }
    }

    public func removeBackReference(_ other: AnyObject, owner: AnyObject) {
        guard isLoaded else { return }
        values.removeAll { $0 === other }
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

    static func cast<Target>(_ object: AnyObject, to: Target.Type, for name: String) -> Target {
        guard let t = object as? Target else {
            preconditionFailure("\(name): expected a \(Target.self), got a \(type(of: object))")
        }
        return t
    }
}
