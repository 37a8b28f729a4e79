/// What the Session implements so that relationships load on demand.
///
/// When an unloaded relationship of a persistent object is read (or `load(_:)` is
/// called), ``RelationshipLoading`` finds the object's session and, if that session
/// conforms to this protocol, asks it for the related objects; it then stores them in
/// the relationship (without mirroring them on the `backPopulates` side). `Session`
/// conforms (SessionRelationshipLoader.swift): one SELECT per access.
public protocol RelationshipLoader: AnyObject {
    /// The objects `relationship` of `object` refers to, read from the database (through
    /// the identity map): zero or one for a to-one, in `orderBy` order for a collection.
    func loadRelationship(_ relationship: Relationship, of object: any ModelRelationships) throws -> [any Model]
}

/// Why a relationship could not be loaded.
public struct RelationshipLoadError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Loading unloaded relationships: the throwing path (``ModelRelationships/load(_:)``)
/// and the one a property getter takes.
///
/// **How database errors surface.** A Swift property getter cannot throw, so reading
/// `book.author` cannot report a failed query. Retort splits the two needs:
/// - `try book.load(\.author)` loads the relationship if it is not loaded and returns
///   it; every failure (no session, a detached object, the database) is a thrown error
///   you can handle. Use it wherever a failure is expected to be recoverable.
/// - Reading `book.author` returns the loaded value. If the relationship is not loaded
///   (`lazy: .select`), the getter loads it through the object's session, and a failure
///   there is a programming error that stops the program with a message naming the
///   relationship and the cause, as an out-of-range array index does. With
///   `lazy: .raise`, reading an unloaded relationship always stops the program with a
///   message naming it, so a missing eager load is caught the first time the code runs.
///
/// Load what a screen needs up front (eager loading, or `load(_:)`), and treat the
/// getter's implicit load as a convenience.
public enum RelationshipLoading {
    /// Loads relationship `name` of `object` into its storage. Throws
    /// ``RelationshipLoadError`` when the object has no session that can load it, and
    /// whatever the loader throws.
    public static func load<Owner: ModelRelationships>(_ object: Owner, _ name: String) throws {
        let relationship = try Owner.relationship(named: name)
        guard let slot = object._relationship(name) else {
            throw RelationshipLoadError("\(Owner.self) has no relationship '\(name)'")
        }
        let state = object._state
        guard let session = state.session, state.status == .persistent else {
            throw RelationshipLoadError(
                "\(Owner.self).\(name) is not loaded and the \(Owner.self) is \(state.status.rawValue), not in a session: load it before the object leaves its session")
        }
        guard let loader = (session as AnyObject) as? any RelationshipLoader else {
            throw RelationshipLoadError(
                "\(Owner.self).\(name) is not loaded, and this Session cannot load relationships yet")
        }
        let objects = try loader.loadRelationship(relationship, of: object)
        slot.setLoaded(objects.map { $0 as AnyObject })
        // Options chained after a lazyLoad / raiseLoad step of the query that loaded
        // the object apply to what was just loaded.
        if let after = object._state.loadsAfter?[name], !objects.isEmpty {
            try EagerLoader.postLoad(objects.map { $0 as AnyObject }, after, in: session)
        }
    }

    /// Called by a relationship's getter when it is unloaded: loads it (`lazy: .select`
    /// and the others), or stops with a message (`lazy: .raise`, or a failed load).
    /// Marks every relationship of `owner` unloaded if the instance expired since they
    /// were loaded (commit with `expireOnCommit`, `expire`, `expireAll`, rollback): the
    /// next read loads them again, as SQLAlchemy does.
    @inline(__always)
    public static func unloadIfStale<Owner: ModelRelationships>(_ owner: Owner) {
        guard owner._state.relationshipsStale else { return }
        owner._state.relationshipsStale = false
        owner._expireRelationships()
    }

    public static func loadOnAccess<Owner: ModelRelationships>(_ object: Owner, _ name: String) {
        if let option = object._state.loadStrategies?[name] {
            if option == .raise {
                fatalError(
                    "\(Owner.self).\(name) is not loaded and its query said raiseLoad(\\.\(name)); load it with the query, or with try object.load(\\.\(name))")
            }
        } else if Owner.relationshipDeclarations.first(where: { $0.name == name })?.lazy == .raise {
            fatalError(
                "\(Owner.self).\(name) is not loaded and is declared lazy: .raise; load it with the query, or with try object.load(\\.\(name))")
        }
        do {
            try load(object, name)
        } catch {
            fatalError("\(Owner.self).\(name) could not be loaded on access: \(error). Use try object.load(\\.\(name)) to handle the error")
        }
    }
}

extension ModelRelationships {
    /// The relationship at `keyPath`, loaded first if it is not: the throwing way to
    /// read a relationship.
    ///
    /// ```swift
    /// let author = try book.load(\.author)
    /// ```
    @discardableResult
    public func load<T>(_ keyPath: KeyPath<Self, T>) throws -> T {
        let name = try Self.relationshipName(keyPath)
        RelationshipLoading.unloadIfStale(self)
        if _relationship(name)?.isLoaded == false { try RelationshipLoading.load(self, name) }
        return self[keyPath: keyPath]
    }

    /// Whether the relationship at `keyPath` holds its objects (reading it would not load).
    public func isLoaded<T>(_ keyPath: KeyPath<Self, T>) throws -> Bool {
        let name = try Self.relationshipName(keyPath)
        RelationshipLoading.unloadIfStale(self)
        return _relationship(name)?.isLoaded ?? false
    }

    /// The storage of the relationship at `keyPath`, for loaders.
    public func relationshipSlot<T>(_ keyPath: KeyPath<Self, T>) throws -> any RelationshipSlot {
        let name = try Self.relationshipName(keyPath)
        guard let slot = _relationship(name) else { throw RelationshipLoadError("\(Self.self) has no relationship '\(name)'") }
        return slot
    }

    /// Marks every relationship of this object unloaded: the Session calls it when it
    /// expires the object, so that the next access reads them again.
    public func _expireRelationships() {
        _state.markRelationshipsUnloaded()  // storage allocated later starts unloaded
        for d in Self.relationshipDeclarations { _existingRelationship(d.name)?.markUnloaded() }
    }

    private static func relationshipName(_ keyPath: AnyKeyPath) throws -> String {
        guard let name = _relationshipName(for: keyPath) else {
            throw RelationshipLoadError("the key path is not a @Relationship property of \(Self.self)")
        }
        return name
    }
}
