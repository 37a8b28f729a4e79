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

/// The ORM's per-instance bookkeeping, stored inline in every instance: `@Model` adds
/// `var _state = ModelState()` to the class, calls `willRead` / `willWrite` from the
/// accessors it writes for mapped properties, and `deinit` (``objectWillDeinit(_:)``).
///
/// The hot paths are single flag tests: a getter of a loaded instance checks `expired`,
/// a setter of an instance no session tracks checks `tracking`.
///
/// It is a value stored in the instance rather than an object of its own, so loading an
/// instance allocates once, not twice. Its storage is three words: the session's address,
/// the flags and the lifecycle state share the first (the flags and the state in the
/// 16 bits above a 48-bit address), an integer primary key is stored as the integer
/// itself in the second (other keys, and the list of changes, live in a side box
/// allocated only when needed, the third). Three words rather than five take a loaded
/// instance of a typical three-column model from a 112-byte to a 96-byte heap block.
///
/// The ORM reads and writes it through the instance (`object._state.held = true`):
/// copies of it are snapshots.
public struct ModelState {
    public init() {}

    /// The session's address (bits 0-47), ``flags`` (bits 48-55) and ``status`` (bits
    /// 56-58). User-space addresses fit in 48 bits on the 64-bit platforms Swift runs
    /// on (x86-64 and arm64 Linux, Apple arm64).
    @usableFromInline var bits: UInt64 = 0
    /// The integer primary key, when the key is one integer (see ``Flags/integerKey``).
    /// Left as it is when the key is cleared: the identity table compares it while an
    /// entry for this instance is in the table.
    var integerKey: Int64 = 0
    /// Changes and a non-integer key; nil until either is needed.
    var extras: Extras?

    @usableFromInline static let addressMask: UInt64 = 0x0000_FFFF_FFFF_FFFF

    /// The session this instance belongs to. Unowned: the session clears it when it
    /// lets go of the instance (close, expunge, deinit), so it never dangles.
    var session: Session? {
        get {
            guard let p = UnsafeRawPointer(bitPattern: UInt(truncatingIfNeeded: bits & Self.addressMask)) else { return nil }
            return Unmanaged<Session>.fromOpaque(p).takeUnretainedValue()
        }
        set {
            let address = newValue.map { UInt64(UInt(bitPattern: Unmanaged.passUnretained($0).toOpaque())) } ?? 0
            precondition(address & ~Self.addressMask == 0, "Retort: a Session's address does not fit in 48 bits")
            bits = bits & ~Self.addressMask | address
        }
    }

    @usableFromInline var flags: Flags {
        @inlinable get { Flags(rawValue: UInt8(truncatingIfNeeded: bits >> 48)) }
        set { bits = bits & ~(0xFF << 48) | UInt64(newValue.rawValue) << 48 }
    }

    private var statusCode: UInt8 {
        get { UInt8(truncatingIfNeeded: bits >> 56) }
        set { bits = bits & ~(0xFF << 56) | UInt64(newValue) << 56 }
    }

    @usableFromInline
    struct Flags: OptionSet, Sendable {
        @usableFromInline let rawValue: UInt8
        @inlinable init(rawValue: UInt8) { self.rawValue = rawValue }
        @usableFromInline static let expired = Flags(rawValue: 1)
        static let relationshipsStale = Flags(rawValue: 2)
        @usableFromInline static let tracking = Flags(rawValue: 4)
        static let held = Flags(rawValue: 8)
        static let markedForDeletion = Flags(rawValue: 16)
        /// ``key`` is set and is one integer, stored in ``integerKey``.
        static let integerKey = Flags(rawValue: 32)
        /// ``key`` is set and is stored in ``extras``.
        static let otherKey = Flags(rawValue: 64)
        /// Relationship storage allocated from now on starts unloaded.
        @usableFromInline static let relationshipsUnloaded = Flags(rawValue: 128)
    }

    /// Whether relationship storage allocated now starts unloaded: the instance was read
    /// from a row, or expired, so its relationships hold nothing known. (An instance made
    /// by its initialiser starts with loaded, empty relationships.)
    @inlinable
    public var relationshipsStartUnloaded: Bool { flags.rawValue & 128 != 0 }

    /// Marks the relationships not yet allocated as unloaded (the row decoder `@Model`
    /// writes calls it; expiring does too).
    @inlinable
    public mutating func markRelationshipsUnloaded() { bits |= 128 << 48 }

    /// What most instances never need.
    final class Extras {
        var changes: [Change] = []
        var key: IdentityKey?
        var loadStrategies: [String: LoadStrategy]?
        var loadsAfter: [String: [LoadNode]]?
    }

    /// Set when the instance's values must be reloaded before they are read. Expiring
    /// also marks the relationships stale (see ``relationshipsStale``).
    @usableFromInline var expired: Bool {
        @inlinable get { flags.rawValue & 1 != 0 }  // .expired
        set {
            if newValue { flags.formUnion([.expired, .relationshipsStale]) } else { flags.remove(.expired) }
        }
    }
    /// Set when the instance expired: its relationships are marked unloaded at their
    /// next access, so that they are read again (a flag here, rather than a walk over
    /// every relationship of every instance at each commit).
    var relationshipsStale: Bool {
        get { flags.contains(.relationshipsStale) }
        set { if newValue { flags.insert(.relationshipsStale) } else { flags.remove(.relationshipsStale) } }
    }
    /// Set while a session records this instance's changes (persistent instances).
    @usableFromInline var tracking: Bool {
        @inlinable get { flags.rawValue & 4 != 0 }  // .tracking
        set { if newValue { flags.insert(.tracking) } else { flags.remove(.tracking) } }
    }
    /// True while the session holds the instance strongly (pending changes).
    var held: Bool {
        get { flags.contains(.held) }
        set { if newValue { flags.insert(.held) } else { flags.remove(.held) } }
    }
    /// Marked with `session.delete` and not yet flushed.
    var markedForDeletion: Bool {
        get { flags.contains(.markedForDeletion) }
        set { if newValue { flags.insert(.markedForDeletion) } else { flags.remove(.markedForDeletion) } }
    }

    /// The instance's lifecycle state.
    var status: ObjectState {
        get { ObjectState(code: statusCode) }
        set { statusCode = newValue.code }
    }

    /// The identity-map key (model type and primary key), once persistent. Set it (with
    /// ``setKey(_:)``) before the instance's entry goes into the identity map, and remove
    /// the entry before changing it (the map finds entries by the key stored here).
    /// `model` is the instance's model type (the key's type).
    func key(_ model: ObjectIdentifier) -> IdentityKey? {
        if flags.contains(.integerKey) { return IdentityKey(type: model, id: .one(.integer(integerKey))) }
        if flags.contains(.otherKey) { return extras?.key }
        return nil
    }

    /// Sets (or clears) the identity-map key.
    mutating func setKey(_ newValue: IdentityKey?) {
        flags.subtract([.integerKey, .otherKey])
        extras?.key = nil
        guard let newValue else { return }
        if case .one(.integer(let i)) = newValue.id {
            integerKey = i
            flags.insert(.integerKey)
            return
        }
        if extras == nil { extras = Extras() }
        extras!.key = newValue
        flags.insert(.otherKey)
    }

    /// Sets an integer key (no box).
    @inline(__always)
    mutating func setIntegerKey(_ i: Int64) {
        extras?.key = nil
        flags.remove(.otherKey)
        integerKey = i
        flags.insert(.integerKey)
    }

    /// Makes a state just decoded from a row persistent in `session`, under integer key
    /// `i` (the caller enters it in the session's identity table): two writes.
    @inline(__always)
    mutating func attachLoaded(_ session: Session, integerKey i: Int64) {
        let address = UInt64(UInt(bitPattern: Unmanaged.passUnretained(session).toOpaque()))
        precondition(address & ~Self.addressMask == 0, "Retort: a Session's address does not fit in 48 bits")
        let kept = UInt64(flags.rawValue & Flags.relationshipsUnloaded.rawValue)
        let flagBits = kept | UInt64(Flags.tracking.rawValue | Flags.integerKey.rawValue)
        bits = address | flagBits << 48 | 2 << 56  // status .persistent
        integerKey = i
    }

    /// True when ``key`` is set.
    var hasKey: Bool { !flags.isDisjoint(with: [.integerKey, .otherKey]) }

    /// Original values of changed properties, recorded at their first write since the
    /// last flush.
    var changes: [Change] {
        get { extras?.changes ?? [] }
        _modify {
            if let extras {
                yield &extras.changes
            } else {
                var list: [Change] = []
                yield &list
                if !list.isEmpty {
                    let box = Extras()
                    box.changes = list
                    extras = box
                }
            }
        }
    }
    /// Loading strategies a query's `raiseLoad` / `lazyLoad` options set for this
    /// instance's relationships, by name (they override the declared `lazy:`). Kept in
    /// the lazily allocated box: most instances never have any.
    var loadStrategies: [String: LoadStrategy]? {
        get { extras?.loadStrategies }
        set {
            if extras == nil {
                guard newValue != nil else { return }
                extras = Extras()
            }
            extras!.loadStrategies = newValue
        }
    }

    /// The loader options' steps below a `raiseLoad` / `lazyLoad` step, by relationship
    /// name: carried out over the relationship's objects when it is loaded later
    /// (`lazyLoad(\.books).selectinLoad(\.tags)` loads the tags of the books with them).
    var loadsAfter: [String: [LoadNode]]? {
        get { extras?.loadsAfter }
        set {
            if extras == nil {
                guard newValue != nil else { return }
                extras = Extras()
            }
            extras!.loadsAfter = newValue
        }
    }

    struct Change {
        let index: Int
        let original: SQLValue
    }

    /// Called by a mapped property's getter before it reads its storage (an expired
    /// instance loads itself here).
    @inlinable
    public func willRead<M: Model>(_ object: M, _ index: Int) {
        if expired { ModelState._loadExpired(object) }
    }

    /// Called by a mapped property's setter before it writes its storage (records the
    /// change for the next flush).
    @inlinable
    public func willWrite<M: Model>(_ object: M, _ index: Int) {
        if tracking { ModelState._recordWrite(object, index) }
    }

    @usableFromInline
    static func _loadExpired<M: Model>(_ object: M) {
        object._state.expired = false
        guard let session = object._state.session, object._state.status == .persistent else { return }  // detached: keeps its last values
        do {
            try session.load(object)
        } catch {
            // A getter cannot throw. `try session.refresh(object)` reports the error instead.
            preconditionFailure("Retort: reloading an expired \(M.self) failed: \(error). "
                + "Call `try session.refresh(object)` before reading it to handle such errors.")
        }
    }

    @usableFromInline
    static func _recordWrite<M: Model>(_ object: M, _ index: Int) {
        if object._state.expired { _loadExpired(object) }
        if !object._state.changes.contains(where: { $0.index == index }) {
            let original = object._value(at: index)
            object._state.changes.append(Change(index: index, original: original))
        }
        if !object._state.held, let session = object._state.session {
            object._state.held = true
            session.hold(object)
        }
    }

    /// The indices whose current value differs from the original.
    func netChanges(_ object: any Model) -> [Int] {
        var out: [Int] = []
        for c in changes where object._value(at: c.index) != c.original { out.append(c.index) }
        return out.sorted()
    }

    /// Called from the `deinit` `@Model` writes (first, when the class declares its own):
    /// removes the dying instance from its session's identity map.
    public func objectWillDeinit<M: Model>(_ object: M) {
        guard let session, !flags.isDisjoint(with: [.integerKey, .otherKey]),
              let table = session.identityMap.models[M._identityType] else { return }
        let me = Unmanaged.passUnretained(object).toOpaque()
        if flags.contains(.integerKey) {
            table.removeInteger(integerKey, ifObject: me)
        } else if let key = extras?.key {
            table.removeOther(key.id, ifObject: me)
        }
    }
}

extension Model {
    /// The identity-map key of this instance, once persistent.
    var _storedKey: IdentityKey? { _state.key(Self._identityType) }

    /// The type identity keys of this model carry: the model's own, or the root of its
    /// inheritance hierarchy.
    static var _identityType: ObjectIdentifier { ObjectIdentifier(mapping.identityModel.type ?? Self.self) }
}

extension ObjectState {
    /// A one-byte code, for ``ModelState``'s compact storage.
    var code: UInt8 {
        switch self {
        case .transient: return 0
        case .pending: return 1
        case .persistent: return 2
        case .deleted: return 3
        case .detached: return 4
        }
    }

    init(code: UInt8) {
        switch code {
        case 1: self = .pending
        case 2: self = .persistent
        case 3: self = .deleted
        case 4: self = .detached
        default: self = .transient
        }
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

    /// The first (for a one-column key, the only) value, without building an array.
    var firstValue: SQLValue {
        switch self {
        case .one(let v): return v
        case .many(let vs): return vs[0]
        }
    }

    var hasNull: Bool {
        switch self {
        case .one(let v): return v.isNull
        case .many(let vs): return vs.contains(where: \.isNull)
        }
    }

    var description: String {
        values.count == 1 ? values[0].description : "(" + values.map(\.description).joined(separator: ", ") + ")"
    }
}
