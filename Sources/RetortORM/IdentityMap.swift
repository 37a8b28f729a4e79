import RetortCore

/// One instance per primary key per session. Entries do not keep their instances
/// alive: an instance that leaves memory removes its entry (from its `ModelState`'s
/// deinit). Instances with pending changes are kept alive by the session's own lists.
///
/// Keys are kept per model. A single integer key (the common case) goes into an
/// open-addressing table of its own ( ``IntegerTable``): one 16-byte slot per entry,
/// the key itself read from the entry's ``ModelState``, so a session holding many
/// loaded instances spends little memory on finding them again.
final class IdentityMap {
    struct Entry {
        unowned(unsafe) let object: AnyObject
        unowned(unsafe) let state: ModelState
    }

    /// The instances of one model.
    final class Identities {
        /// The model type.
        let type: ObjectIdentifier
        // Unchecked: used on the session's thread only, never passed inout across calls
        // that could reach the same table (the run-time checks showed in row loading).
        @exclusivity(unchecked) var integers = IntegerTable()
        @exclusivity(unchecked) var others: [PrimaryKeyValue: Entry] = [:]

        init(type: ObjectIdentifier) { self.type = type }

        @inline(__always)
        subscript(id: PrimaryKeyValue) -> Entry? {
            get {
                if case .one(.integer(let i)) = id { return integers.entry(i) }
                return others[id]
            }
            set {
                if case .one(.integer(let i)) = id {
                    if let newValue { insertInteger(i, newValue.object, newValue.state) } else { integers.remove(i) }
                } else if let newValue {
                    newValue.state.table = self
                    others[id] = newValue
                } else {
                    others[id] = nil
                }
            }
        }

        /// The entry of integer key `i`.
        @inline(__always)
        func integerEntry(_ i: Int64) -> Entry? { integers.entry(i) }

        /// Enters `object` under integer key `i` (replacing any entry of that key). The
        /// state's key is set to `i` here, as the table reads keys from states.
        @inline(__always)
        func insertInteger(_ i: Int64, _ object: AnyObject, _ state: ModelState) {
            state.setIntegerKey(i, table: self)
            integers.insert(i, object, state)
        }

        /// Enters `object`, whose state already holds its integer key and this table
        /// (``ModelState/attachLoaded(_:integerKey:table:)``), known to be absent.
        @inline(__always)
        func insertAttached(_ object: AnyObject, _ state: ModelState) {
            integers.insertNew(object, state)
        }

        func removeInteger(_ i: Int64, ifState state: ModelState) {
            integers.remove(i, ifState: state)
        }

        func removeOther(_ id: PrimaryKeyValue, ifState state: ModelState) {
            if let e = others[id], e.state === state { others[id] = nil }
        }

        var count: Int { integers.count + others.count }

        func forEachState(_ body: (ModelState) -> Void) {
            // A copy of the table's handle: `body` may let an instance die, whose state
            // then removes itself from `integers` (no overlapping access to it here).
            let table = integers
            table.forEach { body($0.state) }
            for e in others.values { body(e.state) }
        }

        func removeAll() {
            integers.removeAll()
            others.removeAll()
        }
    }

    private(set) var models: [ObjectIdentifier: Identities] = [:]

    var count: Int { models.values.reduce(0) { $0 + $1.count } }

    /// The table of one model's instances (created on first use, kept for the
    /// session's lifetime: load plans and states refer to it).
    func identities(_ type: ObjectIdentifier) -> Identities {
        if let m = models[type] { return m }
        let m = Identities(type: type)
        models[type] = m
        return m
    }

    subscript(key: IdentityKey) -> Entry? { models[key.type]?[key.id] }

    func insert(_ object: AnyObject, _ state: ModelState, for key: IdentityKey) {
        identities(key.type)[key.id] = Entry(object: object, state: state)
    }

    func remove(_ key: IdentityKey) {
        models[key.type]?[key.id] = nil
    }

    /// Removes `key` only while it still maps to `state` (a dying instance must not
    /// remove a newer one loaded under the same key).
    func remove(_ key: IdentityKey, ifState state: ModelState) {
        guard let m = models[key.type] else { return }
        if case .one(.integer(let i)) = key.id { m.removeInteger(i, ifState: state) } else { m.removeOther(key.id, ifState: state) }
    }

    /// Every live instance's state.
    var states: [ModelState] {
        var out: [ModelState] = []
        out.reserveCapacity(count)
        forEachState { out.append($0) }
        return out
    }

    /// Calls `body` with every live instance's state, without collecting them first.
    func forEachState(_ body: (ModelState) -> Void) {
        for m in models.values { m.forEachState(body) }
    }

    /// Empties every model's table (the tables themselves stay).
    func removeAll() {
        for m in models.values { m.removeAll() }
    }
}

/// An open-addressing hash table (linear probing, Fibonacci hashing, backward-shift
/// deletion) of entries keyed by an integer primary key. A slot holds the entry's
/// object and state; the key is the state's ``ModelState/integerKey``, so it is not
/// stored twice. Grows by doubling past a load of 4/5.
struct IntegerTable {
    struct Slot {
        unowned(unsafe) var object: AnyObject?
        unowned(unsafe) var state: ModelState?
    }

    private final class Storage {
        let slots: UnsafeMutablePointer<Slot>
        let capacity: Int
        init(capacity: Int) {
            self.capacity = capacity
            slots = .allocate(capacity: capacity)
            slots.initialize(repeating: Slot(object: nil, state: nil), count: capacity)
        }
        deinit { slots.deallocate() }
    }

    private var storage: Storage?
    private(set) var count = 0
    /// 64 - log2(capacity): the hash's top bits pick the home slot.
    private var shift = 64

    /// The slot a key starts its probe at.
    @inline(__always)
    private func home(_ key: Int64, _ mask: Int) -> Int {
        fibonacciSlot(key, shift: UInt64(shift)) & mask
    }

    @inline(__always)
    private func find(_ key: Int64) -> Int? {
        guard let storage else { return nil }
        let mask = storage.capacity - 1
        var i = home(key, mask)
        while let s = storage.slots[i].state {
            if s.integerKey == key { return i }
            i = (i + 1) & mask
        }
        return nil
    }

    @inline(__always)
    func entry(_ key: Int64) -> IdentityMap.Entry? {
        guard let i = find(key), let storage else { return nil }
        let slot = storage.slots[i]
        return IdentityMap.Entry(object: slot.object!, state: slot.state!)
    }

    /// Inserts or replaces the entry of `state.integerKey`.
    mutating func insert(_ key: Int64, _ object: AnyObject, _ state: ModelState) {
        if let i = find(key), let storage {
            storage.slots[i] = Slot(object: object, state: state)
            return
        }
        insertNew(object, state)
    }

    /// Inserts an entry whose key (`state.integerKey`) is known to be absent.
    @inline(__always)
    mutating func insertNew(_ object: AnyObject, _ state: ModelState) {
        if count + 1 > (storage?.capacity ?? 0) / 5 * 4 { grow() }
        let storage = self.storage!
        let mask = storage.capacity - 1
        var i = home(state.integerKey, mask)
        while storage.slots[i].state != nil { i = (i + 1) & mask }
        storage.slots[i] = Slot(object: object, state: state)
        count += 1
    }

    private mutating func grow() {
        let old = storage
        let capacity = max(16, (old?.capacity ?? 8) * 2)
        let fresh = Storage(capacity: capacity)
        storage = fresh
        shift = 64 - capacity.trailingZeroBitCount
        guard let old else { return }
        let mask = capacity - 1
        for j in 0..<old.capacity {
            guard let s = old.slots[j].state else { continue }
            var i = home(s.integerKey, mask)
            while fresh.slots[i].state != nil { i = (i + 1) & mask }
            fresh.slots[i] = old.slots[j]
        }
    }

    mutating func remove(_ key: Int64) {
        if let i = find(key) { removeSlot(i) }
    }

    mutating func remove(_ key: Int64, ifState state: ModelState) {
        if let i = find(key), storage!.slots[i].state === state { removeSlot(i) }
    }

    /// Empties slot `hole`, moving later entries of its probe run back so that no probe
    /// stops early at the gap.
    private mutating func removeSlot(_ index: Int) {
        let storage = self.storage!
        let mask = storage.capacity - 1
        var hole = index
        var j = index
        while true {
            j = (j + 1) & mask
            guard let s = storage.slots[j].state else { break }
            let h = home(s.integerKey, mask)
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            let staysPut = hole < j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !staysPut {
                storage.slots[hole] = storage.slots[j]
                hole = j
            }
        }
        storage.slots[hole] = Slot(object: nil, state: nil)
        count -= 1
    }

    func forEach(_ body: (IdentityMap.Entry) -> Void) {
        guard let storage else { return }
        for i in 0..<storage.capacity {
            let slot = storage.slots[i]
            if let s = slot.state, let o = slot.object { body(IdentityMap.Entry(object: o, state: s)) }
        }
    }

    mutating func removeAll() {
        storage = nil
        count = 0
        shift = 64
    }
}

/// The slot an integer key starts probing at in an open-addressing table of
/// `1 << (64 - shift)` slots: the top bits of the key times 2^64/φ (Fibonacci hashing,
/// which spreads consecutive keys, the usual primary keys, across the table).
@inline(__always)
func fibonacciSlot(_ key: Int64, shift: UInt64) -> Int {
    Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> shift)
}

extension Model {
    /// The identity key of this instance's current primary-key values.
    func _identityKey() -> IdentityKey {
        let mapping = Self.mapping
        let columns = mapping.table.columns
        if mapping.primaryKey.count == 1 {
            let i = mapping.primaryKey[0]
            return IdentityKey(type: ObjectIdentifier(Self.self), id: .one(columns[i].type.processResult(_value(at: i))))
        }
        return IdentityKey(type: ObjectIdentifier(Self.self),
                           id: .many(mapping.primaryKey.map { columns[$0].type.processResult(_value(at: $0)) }))
    }

    /// The identity key for primary-key values a caller gave (`session.get`).
    static func _identityKey(values: [SQLValue]) throws -> IdentityKey {
        let mapping = Self.mapping
        guard values.count == mapping.primaryKey.count else {
            throw ArgumentError(
                "\(Self.self)'s primary key has \(mapping.primaryKey.count) column\(mapping.primaryKey.count == 1 ? "" : "s") ("
                    + mapping.primaryKey.map { mapping.table.columns[$0].name }.joined(separator: ", ")
                    + "), but \(values.count) value\(values.count == 1 ? " was" : "s were") given")
        }
        let columns = mapping.table.columns
        let normalised = zip(mapping.primaryKey, values).map { i, v in
            columns[i].type.processResult(columns[i].type.processBind(v))
        }
        return IdentityKey(type: ObjectIdentifier(Self.self), id: normalised.count == 1 ? .one(normalised[0]) : .many(normalised))
    }
}
