import RetortCore

/// Where an instance stands with respect to a ``Session`` (SQLAlchemy's object states).
///
/// ```swift
/// let a = Author(name: "Ursula")     // .transient: no session, no row
/// try session.add(a)                 // .pending: inserted at the next flush
/// try session.flush()                // .persistent: has a row and an identity
/// try session.delete(a)
/// try session.flush()                // .deleted: its row is deleted in this transaction
/// try session.commit()               // .detached: no session any more
/// Session.state(of: a)               // .detached
/// ```
public enum ObjectState: String, Sendable, Hashable {
    /// Not in a session and not in the database.
    case transient
    /// Added to a session; its INSERT happens at the next flush.
    case pending
    /// In a session's identity map with a row in the database.
    case persistent
    /// Its DELETE was flushed; it leaves the session when the transaction commits (or
    /// becomes persistent again when it rolls back).
    case deleted
    /// Was persistent, but is no longer in a session (closed, expunged, committed delete).
    case detached
}

/// The ORM's per-instance bookkeeping. `@Model` stores one in every instance
/// (`let _state = ModelState()`) and calls `willRead` / `willWrite` from the accessors
/// it writes for mapped properties.
///
/// The hot paths are single flag tests: a getter of a loaded instance checks `expired`,
/// a setter of an instance no session tracks checks `tracking`.
public final class ModelState {
    public init() {}

    /// Set when the instance's values must be reloaded before they are read. Expiring
    /// also marks the relationships stale (see ``relationshipsStale``).
    @usableFromInline var expired = false {
        didSet { if expired { relationshipsStale = true } }
    }
    /// Set when the instance expired: its relationships are marked unloaded at their
    /// next access, so that they are read again (a flag here, rather than a walk over
    /// every relationship of every instance at each commit).
    var relationshipsStale = false
    /// Set while a session records this instance's changes (persistent instances).
    @usableFromInline var tracking = false

    /// The session this instance belongs to. Unowned: the session clears it when it
    /// lets go of the instance (close, expunge, deinit), so it never dangles.
    unowned(unsafe) var session: Session?
    /// The instance's lifecycle state.
    var status: ObjectState = .transient
    /// The identity-map key (model type and primary key), once persistent.
    var key: IdentityKey?
    /// Original values of changed properties, recorded at their first write since the
    /// last flush.
    var changes: [Change] = []
    /// True while the session holds the instance strongly (pending changes).
    var held = false
    /// Marked with `session.delete` and not yet flushed.
    var markedForDeletion = false
    /// Loading strategies a query's `raiseLoad` / `lazyLoad` options set for this
    /// instance's relationships, by name (they override the declared `lazy:`).
    var loadStrategies: [String: LoadStrategy]?

    struct Change {
        let index: Int
        let original: SQLValue
    }

    /// Called by a mapped property's getter before it reads its storage (an expired
    /// instance loads itself here).
    @inlinable
    public func willRead<M: Model>(_ object: M, _ index: Int) {
        if expired { _loadExpired(object) }
    }

    /// Called by a mapped property's setter before it writes its storage (records the
    /// change for the next flush).
    @inlinable
    public func willWrite<M: Model>(_ object: M, _ index: Int) {
        if tracking { _recordWrite(object, index) }
    }

    @usableFromInline
    func _loadExpired<M: Model>(_ object: M) {
        expired = false
        guard let session, status == .persistent else { return }  // detached: keeps its last values
        do {
            try session.load(object, state: self)
        } catch {
            // A getter cannot throw. `try session.refresh(object)` reports the error instead.
            preconditionFailure("Retort: reloading an expired \(M.self) failed: \(error). "
                + "Call `try session.refresh(object)` before reading it to handle such errors.")
        }
    }

    @usableFromInline
    func _recordWrite<M: Model>(_ object: M, _ index: Int) {
        if expired { _loadExpired(object) }
        if !changes.contains(where: { $0.index == index }) {
            changes.append(Change(index: index, original: object._value(at: index)))
        }
        if !held, let session {
            held = true
            session.hold(object)
        }
    }

    /// The indices whose current value differs from the original.
    func netChanges(_ object: any Model) -> [Int] {
        var out: [Int] = []
        for c in changes where object._value(at: c.index) != c.original { out.append(c.index) }
        return out.sorted()
    }

    deinit {
        if let session, let key { session.identityMap.remove(key, ifState: self) }
    }
}

/// A model type and a primary key: what the identity map is keyed by.
struct IdentityKey: Hashable {
    let type: ObjectIdentifier
    let id: PrimaryKeyValue
}

/// One or several primary-key values, normalised by column type so that a key read
/// from a row and one read from an instance compare equal.
enum PrimaryKeyValue: Hashable, CustomStringConvertible {
    case one(SQLValue)
    case many([SQLValue])

    var values: [SQLValue] {
        switch self {
        case .one(let v): return [v]
        case .many(let vs): return vs
        }
    }

    var hasNull: Bool { values.contains(where: \.isNull) }

    var description: String {
        values.count == 1 ? values[0].description : "(" + values.map(\.description).joined(separator: ", ") + ")"
    }
}
