import RetortCore

/// Listeners a session calls around its flushes: the hooks for audit columns, soft
/// deletes and validation.
///
/// ```swift
/// var events = SessionEvents()
/// events.beforeUpdate(Post.self) { post, _ in post.updatedAt = Date() }   // an audit column
/// events.beforeFlush { session in
///     for case let post as Post in session.deleted {                      // a soft delete
///         session.cancelDelete(post)
///         post.deletedAt = Date()
///     }
/// }
/// let session = Session(engine, events: events)
/// ```
///
/// Listeners may change instances and add new ones; a listener that throws aborts the
/// flush, which rolls back like any failed flush.
public struct SessionEvents {
    typealias SessionListener = (Session) throws -> Void
    typealias ObjectListener = (any Model, Session) throws -> Void

    var beforeFlushListeners: [SessionListener] = []
    var afterFlushListeners: [SessionListener] = []
    var objectListeners: [Key: [ObjectListener]] = [:]

    enum Phase: Hashable { case beforeInsert, afterInsert, beforeUpdate, afterUpdate, beforeDelete, afterDelete }
    struct Key: Hashable {
        let model: ObjectIdentifier
        let phase: Phase
    }

    public init() {}

    /// Before each flush that has work, before the work is planned (instances added or
    /// changed here are flushed with the rest).
    public mutating func beforeFlush(_ listener: @escaping (Session) throws -> Void) {
        beforeFlushListeners.append(listener)
    }

    /// After each flush's statements ran, with instances in their new states.
    public mutating func afterFlush(_ listener: @escaping (Session) throws -> Void) {
        afterFlushListeners.append(listener)
    }

    /// Before each instance of `model` is inserted (its values may still change).
    public mutating func beforeInsert<M: Model>(_ model: M.Type, _ listener: @escaping (M, Session) throws -> Void) {
        add(M.self, .beforeInsert, listener)
    }

    /// After each instance of `model` was inserted (generated keys are set).
    public mutating func afterInsert<M: Model>(_ model: M.Type, _ listener: @escaping (M, Session) throws -> Void) {
        add(M.self, .afterInsert, listener)
    }

    /// Before each changed instance of `model` is updated (only instances with a net
    /// change; changes made here are written too).
    public mutating func beforeUpdate<M: Model>(_ model: M.Type, _ listener: @escaping (M, Session) throws -> Void) {
        add(M.self, .beforeUpdate, listener)
    }

    /// After each instance of `model` was updated.
    public mutating func afterUpdate<M: Model>(_ model: M.Type, _ listener: @escaping (M, Session) throws -> Void) {
        add(M.self, .afterUpdate, listener)
    }

    /// Before each instance of `model` is deleted.
    public mutating func beforeDelete<M: Model>(_ model: M.Type, _ listener: @escaping (M, Session) throws -> Void) {
        add(M.self, .beforeDelete, listener)
    }

    /// After each instance of `model` was deleted.
    public mutating func afterDelete<M: Model>(_ model: M.Type, _ listener: @escaping (M, Session) throws -> Void) {
        add(M.self, .afterDelete, listener)
    }

    private mutating func add<M: Model>(_ model: M.Type, _ phase: Phase, _ listener: @escaping (M, Session) throws -> Void) {
        objectListeners[Key(model: ObjectIdentifier(M.self), phase: phase), default: []].append { object, session in
            // The key guarantees the type.
            try listener(unsafeDowncast(object, to: M.self), session)
        }
    }

    func listeners(_ model: any Model.Type, _ phase: Phase) -> [ObjectListener]? {
        if objectListeners.isEmpty { return nil }
        return objectListeners[Key(model: ObjectIdentifier(model), phase: phase)]
    }
}

extension Session {
    /// Takes back a `delete()` not yet flushed (for soft deletes in a `beforeFlush`
    /// listener): the instance stays persistent.
    public func cancelDelete(_ object: some Model) {
        guard object._state.session === self, object._state.markedForDeletion else { return }
        object._state.markedForDeletion = false
    }
}
