import RetortCore

/// A unit of work over one engine: it tracks the model instances you add, load and
/// change, and writes all of it in one flush, inside one transaction.
///
/// ```swift
/// let session = Session(engine)
/// let ursula = Author(name: "Ursula")
/// try session.add(ursula)
/// try session.commit()                  // BEGIN; INSERT INTO authors (name) VALUES (?) RETURNING id; COMMIT
/// ursula.email = "ursula@example.org"   // recorded: only this column is written
/// try session.commit()                  // UPDATE authors SET email = ? WHERE id = ?
///
/// let same = try session.get(Author.self, ursula.id!)   // the identity map: no query, same instance
/// let found = try session.scalars(select(Author.self).where { $0.name == "Ursula" }).all()
/// ```
///
/// A session begins a transaction (and takes a connection from the engine's pool) with
/// its first statement, and gives the connection back when the transaction ends. It
/// belongs to one task at a time. See ``SessionMaker`` for shared configuration and
/// ``run(_:)`` for a commit-or-rollback block.
public final class Session {
    /// The engine statements run on.
    public let engine: Engine
    /// Flush pending changes before running queries (on by default).
    @exclusivity(unchecked) public var autoflush: Bool
    /// Expire every instance when a transaction commits, so that its next read loads
    /// what the database holds (on by default).
    public var expireOnCommit: Bool
    /// Session and per-model event listeners.
    public var events: SessionEvents

    let identityMap = IdentityMap()
    /// Added instances awaiting INSERT, in order added.
    ///
    /// This and the other bookkeeping below skip the run-time exclusivity checks: a
    /// session belongs to one task at a time and none of them is passed `inout` across
    /// calls that reach the session again (the checks showed in every `get`).
    @exclusivity(unchecked) var pending: [any Model] = []
    /// Persistent instances with recorded changes or marked for deletion (held strongly).
    @exclusivity(unchecked) var modified: [any Model] = []
    /// The open transaction's bookkeeping: the root and one frame per savepoint.
    var frames: [TransactionFrame] = []
    @exclusivity(unchecked) var connection: Connection?
    @exclusivity(unchecked) var flushing = false
    @exclusivity(unchecked) var noAutoflushDepth = 0
    /// `SELECT ... WHERE pk = ?` per model, compiled for this engine's dialect.
    @exclusivity(unchecked) var keyStatements: [ObjectIdentifier: CompiledStatement] = [:]
    /// What loading each model needs, read from its mapping once.
    @exclusivity(unchecked) var loadPlans: [ObjectIdentifier: LoadPlan] = [:]

    /// What a transaction (or savepoint) did to instances, undone when it rolls back.
    struct TransactionFrame {
        var savepoint: NestedTransaction?
        /// Instances whose INSERT was flushed in this frame.
        var inserted: [any Model] = []
        /// Instances whose DELETE was flushed in this frame.
        var deleted: [any Model] = []
    }

    /// A session on `engine`.
    public init(_ engine: Engine, autoflush: Bool = true, expireOnCommit: Bool = true, events: SessionEvents = SessionEvents()) {
        self.engine = engine
        self.autoflush = autoflush
        self.expireOnCommit = expireOnCommit
        self.events = events
    }

    deinit {
        connection?.close()
        detachAll()
    }

    // MARK: Inspecting

    /// The state of an instance: transient, pending, persistent, deleted or detached.
    public static func state(of object: some Model) -> ObjectState { object._state.status }

    /// The session an instance belongs to, if any.
    public static func session(of object: some Model) -> Session? { object._state.session }

    /// True when the instance was expired and will load its values on the next read.
    public static func isExpired(_ object: some Model) -> Bool { object._state.expired }

    /// The names of the properties changed since the last flush (set back to their
    /// original value = unchanged).
    public static func changedProperties<M: Model>(of object: M) -> [String] {
        object._state.netChanges(object).map { M.mapping.propertyNames[$0] }
    }

    /// True when the instance is in this session (pending or persistent, deletion
    /// marked or not).
    public func contains(_ object: some Model) -> Bool { object._state.session === self }

    /// Instances awaiting INSERT.
    public var new: [any Model] { pending }
    /// Persistent instances with changes that differ from their loaded values.
    /// Persistent instances with changes that differ from their loaded values, or whose
    /// relationships changed since the last flush.
    public var dirty: [any Model] {
        modified.filter {
            !$0._state.markedForDeletion && $0._state.status == .persistent
                && (!$0._state.netChanges($0).isEmpty || Self.relationshipsChanged($0))
        }
    }
    /// Instances marked for deletion and not yet flushed.
    public var deleted: [any Model] { modified.filter { $0._state.markedForDeletion } }
    /// The number of instances in the identity map.
    public var identityCount: Int { identityMap.count }
    /// True while a transaction is open.
    public var inTransaction: Bool { !frames.isEmpty }

    // MARK: Adding and deleting

    /// Adds an instance: a transient one becomes pending (inserted at the next flush); a
    /// detached one is attached again as persistent; one already here is left alone.
    /// Throws when the instance belongs to another session, or when a detached
    /// instance's identity is already taken here.
    ///
    /// The save-update cascade follows: every object reachable from this one through
    /// loaded relationships that cascade ``Cascade/saveUpdate`` (the default) is added
    /// too, recursively. Objects related later are added at the next flush.
    public func add<M: Model>(_ object: M) throws {
        if object._state.session === self {
            if object._state.markedForDeletion { object._state.markedForDeletion = false }
            return
        }
        try addOne(object, reachedThrough: nil)
        if M.self is any ModelRelationships.Type { try cascadeSaveUpdate([object]) }
    }

    /// Adds one instance, without cascading (see ``add(_:)``). `reachedThrough` names
    /// the relationship a cascade followed, for messages.
    func addOne<M: Model>(_ object: M, reachedThrough: String?) throws {
        if object._state.session === self { return }
        let via = reachedThrough.map { " (reached through \($0))" } ?? ""
        if let other = object._state.session {
            throw InvalidRequestError(
                "\(M.self) instance\(via) is already in another session (\(ObjectIdentifier(other))); "
                    + "expunge it there first, or merge() it into this one")
        }
        try M.checkMapped()
        switch object._state.status {
        case .transient, .pending:
            object._state.session = self
            object._state.status = .pending
            object._state.held = true
            pending.append(object)
        case .detached, .persistent, .deleted:
            let key = object._identityKey()
            if let existing = identityMap[key], existing !== object {
                throw InvalidRequestError(
                    "cannot add this detached \(M.self)\(via): the session already has the instance with primary key \(key.id); "
                        + "use merge() to copy its values onto that one")
            }
            attach(object, key: key)
            if Self.relationshipsChanged(object), !object._state.held { hold(object) }
        }
    }

    /// Adds every instance (see ``add(_:)``).
    public func addAll<M: Model>(_ objects: [M]) throws {
        try M.checkMapped()
        pending.reserveCapacity(pending.count + objects.count)
        for o in objects {
            let state = o._state
            if state.session == nil, state.status == .transient {
                // The common case, without add()'s checks per instance.
                o._state.session = self
                o._state.status = .pending
                o._state.held = true
                pending.append(o)
            } else if state.session !== self {
                try addOne(o, reachedThrough: nil)
            } else if state.markedForDeletion {
                o._state.markedForDeletion = false
            }
        }
        if M.self is any ModelRelationships.Type { try cascadeSaveUpdate(objects) }
    }

    /// Adds every instance, of any models.
    public func addAll(_ objects: [any Model]) throws {
        for o in objects { try add(o) }
    }

    /// Marks a persistent instance for deletion at the next flush. A pending one is
    /// simply removed from the session (it was never inserted).
    ///
    /// The delete cascade follows: the objects of every relationship with
    /// ``Cascade/delete`` are deleted too, recursively, their relationships loaded first
    /// when they are not (in this session, without autoflush), unless the relationship
    /// has `passiveDeletes`, which leaves unloaded children to the database's
    /// `ON DELETE CASCADE`. The children of a one-to-many without `.delete` are loaded
    /// too, so that the flush can set their foreign keys to NULL.
    public func delete<M: Model>(_ object: M) throws {
        let state = object._state
        guard state.session === self else {
            throw InvalidRequestError(
                "cannot delete this \(M.self): it is \(state.status.rawValue) and not in this session; "
                    + (state.status == .detached ? "add() it first" : "only persistent instances can be deleted"))
        }
        switch state.status {
        case .pending:
            expunge(object)
        case .persistent:
            var marked: [any Model] = []
            var dropped: [any Model] = []
            try cascadeDelete([object], marked: &marked, dropped: &dropped)
            for o in dropped { expunge(o) }
        case .deleted, .transient, .detached:
            break
        }
    }

    /// Removes an instance from the session: it becomes detached (transient when it was
    /// pending) and its changes are no longer tracked.
    public func expunge<M: Model>(_ object: M) {
        let state = object._state
        guard state.session === self else { return }
        if state.status == .pending {
            pending.removeAll { $0 === object }
        } else if let key = object._storedKey {
            identityMap.remove(key, ifObject: object)
        }
        if state.held { modified.removeAll { $0 === object } }
        detach(object)
    }

    /// Expunges every instance and ends any transaction (rolling back what was not
    /// committed), returning the connection to the pool. The session can be used again.
    public func close() {
        if let conn = connection { conn.close() }
        connection = nil
        detachAll()
        frames.removeAll()
    }

    // MARK: Expiring and refreshing

    /// Marks an instance's values as stale: its next read reloads them. Unflushed
    /// changes to it are discarded.
    public func expire<M: Model>(_ object: M) {
        guard object._state.session === self, object._state.status == .persistent else { return }
        object._state.changes.removeAll()
        object._state.expired = true
    }

    /// Expires every persistent instance in the session.
    public func expireAll() {
        identityMap.forEachObject { o in
            guard o._state.status == .persistent else { return }
            o._state.changes.removeAll()
            o._state.expired = true
        }
    }

    /// Reloads an instance's values from the database now, discarding unflushed changes.
    /// Throws when its row no longer exists.
    public func refresh<M: Model>(_ object: M) throws {
        let state = object._state
        guard state.session === self, state.status == .persistent else {
            throw InvalidRequestError("cannot refresh this \(M.self): it is \(state.status.rawValue), not persistent in this session")
        }
        try load(object)
    }

    /// Loads an expired or refreshed instance's row by primary key.
    func load<M: Model>(_ object: M) throws {
        guard let key = object._storedKey else { return }
        let conn = try activeConnection()
        let compiled = try keyStatement(M.self)
        guard let row = try conn.execute(compiled: compiled, values: key.id.values).first() else {
            throw ObjectDeletedError(
                "the row of \(M.self) with primary key \(key.id) no longer exists (deleted, or its key changed, in another transaction)")
        }
        object._state.changes.removeAll()
        object._state.expired = false
        if M.mapping.inheritance != nil {
            // The row holds the hierarchy's columns: the object's class says where its are.
            let info = Hierarchy.of(M.self).info(type(of: object))
            for (i, at) in info.positions.enumerated() { try object._setValue(row[at], at: i) }
            return
        }
        for i in 0..<M.mapping.propertyNames.count { try object._setValue(row[i], at: i) }
    }

    // MARK: Transactions

    /// Flushes and commits the transaction (every open savepoint with it). With
    /// ``expireOnCommit``, every instance reloads on its next read.
    public func commit() throws {
        try flush()
        if let conn = connection {
            try conn.commit()
            conn.close()
            connection = nil
        }
        for frame in frames {
            for o in frame.deleted where o._state.status == .deleted { detach(o) }
        }
        frames.removeAll()
        if expireOnCommit {
            identityMap.forEachObject { if $0._state.status == .persistent { $0._state.expired = true } }
        }
    }

    /// Rolls back the transaction: instances inserted in it become transient, those
    /// deleted in it persistent again, pending ones are expunged and every persistent
    /// instance expires (its changes are discarded).
    public func rollback() throws {
        var failure: (any Error)?
        if let conn = connection {
            do { try conn.rollback() } catch { failure = error }
            conn.close()
            connection = nil
        }
        undoFrames(from: 0, keepUnflushed: false)
        frames.removeAll()
        if let failure { throw failure }
    }

    /// Begins the transaction now (statements begin one on their own). Throws when one
    /// is open.
    public func begin() throws {
        if !frames.isEmpty {
            throw InvalidRequestError("a transaction is already open in this session; commit() or rollback() it first")
        }
        _ = try activeConnection()
    }

    /// Flushes, then opens a savepoint and returns its handle: rolling it back undoes
    /// the database work since, makes instances inserted since transient again and
    /// expires the rest; committing it keeps the work in the outer transaction.
    ///
    /// ```swift
    /// let sp = try session.beginNested()       // SAVEPOINT sp_1
    /// try session.add(Author(name: "Maybe"))
    /// try sp.rollback()                          // ROLLBACK TO SAVEPOINT sp_1
    /// ```
    public func beginNested() throws -> SessionSavepoint {
        try flush()
        let conn = try activeConnection()
        let sp = try conn.beginNested()
        frames.append(TransactionFrame(savepoint: sp))
        return SessionSavepoint(session: self, depth: frames.count - 1)
    }

    /// Runs `body` inside a savepoint: committed when it returns, rolled back when it throws.
    @discardableResult
    public func beginNested<T>(_ body: (Session) throws -> T) throws -> T {
        let sp = try beginNested()
        do {
            let value = try body(self)
            try sp.commit()
            return value
        } catch {
            try? sp.rollback()
            throw error
        }
    }

    func endSavepoint(depth: Int, rollback: Bool) throws {
        guard depth < frames.count, depth > 0, let sp = frames[depth].savepoint else {
            throw InvalidRequestError("this savepoint is no longer open (its transaction ended or it was already ended)")
        }
        if rollback {
            try sp.rollback()
            undoFrames(from: depth, keepUnflushed: false)
            frames.removeSubrange(depth...)
        } else {
            try flush()
            try sp.commit()
            // Inner frames' work now belongs to the enclosing one.
            var parent = frames[depth - 1]
            for f in frames[depth...] {
                parent.inserted += f.inserted
                parent.deleted += f.deleted
            }
            frames.removeSubrange(depth...)
            frames[depth - 1] = parent
        }
    }

    /// Runs `body` and commits; rolls back and rethrows when it throws.
    ///
    /// ```swift
    /// try Session(engine).run { session in
    ///     try session.add(Author(name: "Ursula"))
    /// }                                           // COMMIT (or ROLLBACK on throw)
    /// ```
    @discardableResult
    public func run<T>(_ body: (Session) throws -> T) throws -> T {
        do {
            let value = try body(self)
            try commit()
            return value
        } catch {
            try? rollback()
            throw error
        }
    }

    /// Runs `body` without autoflush (queries inside it do not flush first).
    @discardableResult
    public func noAutoflush<T>(_ body: (Session) throws -> T) rethrows -> T {
        noAutoflushDepth += 1
        defer { noAutoflushDepth -= 1 }
        return try body(self)
    }

    // MARK: Internals

    /// The connection of the open transaction, beginning one when none is open.
    func activeConnection() throws -> Connection {
        if let connection, !frames.isEmpty { return connection }
        let conn = try connection ?? engine.connect()
        connection = conn
        if !conn.inTransaction { try conn.begin() }
        frames = [TransactionFrame()]
        return conn
    }

    /// The load plan of `M`.
    func loadPlan<M: Model>(_ model: M.Type) throws -> LoadPlan {
        if let p = loadPlans[ObjectIdentifier(M.self)] { return p }
        let p = try LoadPlan(M.self)
        loadPlans[ObjectIdentifier(M.self)] = p
        return p
    }

    /// The compiled primary-key lookup of `M`.
    func keyStatement<M: Model>(_ model: M.Type) throws -> CompiledStatement {
        if let c = keyStatements[ObjectIdentifier(M.self)] { return c }
        let c = try M.loadByKeyStatement(engine.dialect)
        keyStatements[ObjectIdentifier(M.self)] = c
        return c
    }

    func autoflushIfNeeded() throws {
        if autoflush, noAutoflushDepth == 0, !flushing { try flush() }
    }

    /// Keeps an instance with changes alive until the next flush. Callers check `held`
    /// first: an instance is held once.
    func hold(_ object: any Model) {
        object._state.held = true
        modified.append(object)
    }

    /// Makes an instance persistent under `key` in this session.
    func attach(_ object: some Model, key: IdentityKey) {
        object._state.session = self
        object._state.setKey(key)
        object._state.status = .persistent
        object._state.tracking = true
        identityMap.identities(type(of: object).mapping.identityModel.type ?? type(of: object)).insert(object, id: key.id)
    }

    func detach(_ object: any Model) {
        object._state.session = nil
        object._state.tracking = false
        object._state.held = false
        object._state.markedForDeletion = false
        object._state.changes.removeAll()
        switch object._state.status {
        case .pending, .transient: object._state.status = .transient
        default: object._state.status = .detached
        }
    }

    private func detachAll() {
        identityMap.forEachObject { detach($0) }
        for o in pending { detach(o) }
        for o in modified { detach(o) }
        for f in frames {
            for o in f.deleted { detach(o) }
        }
        identityMap.removeAll()
        pending.removeAll()
        modified.removeAll()
    }

    /// Undoes the instance bookkeeping of frames `from...` after their database work was
    /// rolled back. `keepUnflushed`: pending instances and recorded changes stay (a failed
    /// flush leaves them for a retry).
    func undoFrames(from first: Int, keepUnflushed: Bool) {
        var pendingAgain: [any Model] = []
        for frame in frames[min(first, frames.count)...] {
            for o in frame.inserted {
                if let key = o._storedKey { identityMap.remove(key, ifObject: o) }
                o._state.setKey(nil)
                if keepUnflushed {
                    // Inserted by an earlier flush of this transaction: pending again.
                    o._state.status = .pending
                    o._state.tracking = false
                    o._state.expired = false
                    o._state.changes.removeAll()
                    o._state.held = true
                    pendingAgain.append(o)
                } else {
                    detach(o)
                    o._state.status = .transient
                }
            }
            for o in frame.deleted {
                guard o._state.status == .deleted, let key = o._storedKey else { continue }
                o._state.status = .persistent
                o._state.tracking = true
                identityMap.identities(type(of: o).mapping.identityModel.type ?? type(of: o)).insert(o, id: key.id)
            }
        }
        // In their original order, before those added since.
        if !pendingAgain.isEmpty { pending = pendingAgain + pending }
        // Instances whose relationships changed since the last flush keep those changes
        // (and their loaded relationships) for a retry, as changed columns are kept.
        var keep = Set<ObjectIdentifier>()
        if keepUnflushed {
            for o in modified where Self.relationshipsChanged(o) { keep.insert(ObjectIdentifier(o)) }
        }
        if !keepUnflushed {
            for o in pending { detach(o) }
            pending.removeAll()
            for o in modified {
                o._state.held = false
                o._state.markedForDeletion = false
                o._state.changes.removeAll()
            }
            modified.removeAll()
        }
        identityMap.forEachObject { o in
            let s = o._state
            guard s.status == .persistent else { return }
            if keepUnflushed, s.held, !s.changes.isEmpty || s.markedForDeletion || keep.contains(ObjectIdentifier(o)) { return }
            o._state.changes.removeAll()
            o._state.expired = true
        }
    }
}

/// A savepoint opened with ``Session/beginNested()``.
public struct SessionSavepoint {
    let session: Session
    let depth: Int

    /// Flushes and releases the savepoint; its work stays in the outer transaction.
    public func commit() throws { try session.endSavepoint(depth: depth, rollback: false) }

    /// Rolls the database back to the savepoint; instances inserted since become
    /// transient and every persistent instance expires.
    public func rollback() throws { try session.endSavepoint(depth: depth, rollback: true) }
}

/// A session operation that cannot be carried out as asked (an instance in another
/// session, a closed session, a savepoint that already ended).
public struct InvalidRequestError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "InvalidRequestError: \(message)" }
}

/// An instance's row is gone: a reload or refresh found nothing under its primary key.
public struct ObjectDeletedError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "ObjectDeletedError: \(message)" }
}

/// A flush's UPDATE or DELETE matched fewer rows than it expected: another transaction
/// deleted (or re-keyed) them since they were loaded, or, for a model with a version
/// counter (`@Model(versionId:)`), changed them. The flush's transaction is rolled back.
public struct StaleDataError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// The model whose row was not matched, when one is known (versioned models).
    public var model: String?
    /// That row's primary key, when known.
    public var key: [SQLValue]
    public init(_ message: String, model: String? = nil, key: [SQLValue] = []) {
        self.message = message
        self.model = model
        self.key = key
    }
    public var description: String { "StaleDataError: \(message)" }
}
