import RetortCore

/// One instance per primary key per session. Entries do not keep their instances
/// alive: an instance that leaves memory removes its entry (from the `deinit` `@Model`
/// writes, ``ModelState/objectWillDeinit(_:)``). Instances with pending changes are kept
/// alive by the session's own lists.
///
/// Keys are kept per model. A single integer key (the common case) goes into an
/// open-addressing table of its own ( ``IntegerTable``): one 16-byte slot per entry,
/// the instance and its key, so a session holding many loaded instances spends little
/// memory on finding them again.
final class IdentityMap {
    /// The instances of one model.
    final class Identities {
        /// The model type.
        let type: ObjectIdentifier
        /// The model, to reach the instances' states (entries hold plain objects).
        let model: any Model.Type
        // Unchecked: used on the session's thread only, never passed inout across calls
        // that could reach the same table (the run-time checks showed in row loading).
        @exclusivity(unchecked) var integers = IntegerTable()
        @exclusivity(unchecked) var others: [PrimaryKeyValue: Unmanaged<AnyObject>] = [:]

        init(_ model: any Model.Type) {
            self.model = model
            self.type = ObjectIdentifier(model)
        }

        /// The instance under `id`.
        @inline(__always)
        subscript(id: PrimaryKeyValue) -> AnyObject? {
            if case .one(.integer(let i)) = id { return integers.object(i) }
            return others[id]?.takeUnretainedValue()
        }

        /// Enters `object` under its state's key (replacing any entry of that key). Set
        /// the state's key (``ModelState/setKey(_:)``) first.
        func insert(_ object: any Model, id: PrimaryKeyValue) {
            if case .one(.integer(let i)) = id {
                object._state.setIntegerKey(i)
                integers.insert(i, object)
            } else {
                others[id] = Unmanaged.passUnretained(object)
            }
        }

        func remove(_ id: PrimaryKeyValue) {
            if case .one(.integer(let i)) = id { integers.remove(i) } else { others[id] = nil }
        }

        /// The instance of integer key `i`.
        @inline(__always)
        func integerObject(_ i: Int64) -> AnyObject? { integers.object(i) }

        /// Makes room for about `additional` more integer-keyed instances (a loader that
        /// can estimate how many rows are coming).
        func reserveIntegers(_ additional: Int) { integers.reserve(additional) }

        /// Enters `object` under integer key `i`, whose state already holds that key
        /// (``ModelState/attachLoaded(_:integerKey:)``), known to be absent.
        @inline(__always)
        func insertAttached(_ object: AnyObject, _ i: Int64) {
            integers.insertNew(object, i)
        }

        /// Removes integer key `i` only while it maps to `object` (an opaque pointer: a
        /// dying instance must not remove a newer one loaded under the same key).
        func removeInteger(_ i: Int64, ifObject object: UnsafeMutableRawPointer) {
            integers.remove(i, ifObject: object)
        }

        func removeOther(_ id: PrimaryKeyValue, ifObject object: UnsafeMutableRawPointer) {
            if let e = others[id], e.toOpaque() == object { others[id] = nil }
        }

        var count: Int { integers.count + others.count }

        /// Calls `body` with every instance.
        func forEachObject(_ body: (any Model) -> Void) {
            func walk<M: Model>(_: M.Type) {
                // A copy of the table's handle: `body` may let an instance die, which then
                // removes itself from `integers` (no overlapping access to it here).
                let table = integers
                table.forEach { body(unsafeDowncast($0, to: M.self)) }
                for e in Array(others.values) { body(unsafeDowncast(e.takeUnretainedValue(), to: M.self)) }
            }
            walk(model)
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
    func identities(_ model: any Model.Type) -> Identities {
        let type = ObjectIdentifier(model)
        if let m = models[type] { return m }
        let m = Identities(model)
        models[type] = m
        return m
    }

    subscript(key: IdentityKey) -> AnyObject? { models[key.type]?[key.id] }

    func remove(_ key: IdentityKey) {
        models[key.type]?.remove(key.id)
    }

    /// Removes `key` only while it still maps to `object` (a dying instance must not
    /// remove a newer one loaded under the same key).
    func remove(_ key: IdentityKey, ifObject object: AnyObject) {
        guard let m = models[key.type] else { return }
        let me = Unmanaged.passUnretained(object).toOpaque()
        if case .one(.integer(let i)) = key.id { m.removeInteger(i, ifObject: me) } else { m.removeOther(key.id, ifObject: me) }
    }

    /// Calls `body` with every live instance, without collecting them first.
    func forEachObject(_ body: (any Model) -> Void) {
        for m in models.values { m.forEachObject(body) }
    }

    /// Empties every model's table (the tables themselves stay).
    func removeAll() {
        for m in models.values { m.removeAll() }
    }
}

/// An open-addressing hash table (linear probing, Fibonacci hashing, backward-shift
/// deletion) of objects keyed by an integer primary key. A slot holds the object
/// (unretained) and its key. Grows by doubling past a load of 4/5.
struct IntegerTable {
    struct Slot {
        var object: Unmanaged<AnyObject>?
        var key: Int64
    }

    private final class Storage {
        let slots: UnsafeMutablePointer<Slot>
        let capacity: Int
        init(capacity: Int) {
            self.capacity = capacity
            slots = .allocate(capacity: capacity)
            slots.initialize(repeating: Slot(object: nil, key: 0), count: capacity)
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
        while storage.slots[i].object != nil {
            if storage.slots[i].key == key { return i }
            i = (i + 1) & mask
        }
        return nil
    }

    @inline(__always)
    func object(_ key: Int64) -> AnyObject? {
        guard let i = find(key), let storage else { return nil }
        return storage.slots[i].object!.takeUnretainedValue()
    }

    /// Inserts or replaces the entry of `key`.
    mutating func insert(_ key: Int64, _ object: AnyObject) {
        if let i = find(key), let storage {
            storage.slots[i].object = Unmanaged.passUnretained(object)
            return
        }
        insertNew(object, key)
    }

    /// Inserts an entry whose key is known to be absent.
    @inline(__always)
    mutating func insertNew(_ object: AnyObject, _ key: Int64) {
        if count + 1 > (storage?.capacity ?? 0) / 5 * 4 { grow() }
        let storage = self.storage!
        let mask = storage.capacity - 1
        var i = home(key, mask)
        while storage.slots[i].object != nil { i = (i + 1) & mask }
        storage.slots[i] = Slot(object: Unmanaged.passUnretained(object), key: key)
        count += 1
    }

    private mutating func grow() {
        grow(to: max(16, (storage?.capacity ?? 8) * 2))
    }

    /// Makes room for `additional` more entries in one step (rehashing once rather than
    /// at every doubling on the way).
    mutating func reserve(_ additional: Int) {
        let needed = count + additional
        guard needed > (storage?.capacity ?? 0) / 5 * 4 else { return }
        var capacity = max(16, storage?.capacity ?? 16)
        while needed > capacity / 5 * 4 { capacity *= 2 }
        grow(to: capacity)
    }

    private mutating func grow(to capacity: Int) {
        let old = storage
        let fresh = Storage(capacity: capacity)
        storage = fresh
        shift = 64 - capacity.trailingZeroBitCount
        guard let old else { return }
        let mask = capacity - 1
        for j in 0..<old.capacity where old.slots[j].object != nil {
            var i = home(old.slots[j].key, mask)
            while fresh.slots[i].object != nil { i = (i + 1) & mask }
            fresh.slots[i] = old.slots[j]
        }
    }

    mutating func remove(_ key: Int64) {
        if let i = find(key) { removeSlot(i) }
    }

    mutating func remove(_ key: Int64, ifObject object: UnsafeMutableRawPointer) {
        if let i = find(key), storage!.slots[i].object?.toOpaque() == object { removeSlot(i) }
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
            guard storage.slots[j].object != nil else { break }
            let h = home(storage.slots[j].key, mask)
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            let staysPut = hole < j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !staysPut {
                storage.slots[hole] = storage.slots[j]
                hole = j
            }
        }
        storage.slots[hole] = Slot(object: nil, key: 0)
        count -= 1
    }

    func forEach(_ body: (AnyObject) -> Void) {
        guard let storage else { return }
        for i in 0..<storage.capacity {
            if let o = storage.slots[i].object { body(o.takeUnretainedValue()) }
        }
    }

    mutating func removeAll() {
        storage = nil
        count = 0
        shift = 64
    }
}

/// The slot an integer key starts probing at in an open-addressing table of
/// `1 << (64 - shift)` slots (at least 16). Keys go in runs of 16 consecutive values,
/// each run on 16 adjacent slots, and the runs are spread across the table by Fibonacci
/// hashing (the run number times 2^64/φ, top bits). Rows usually arrive in key order,
/// so a load touches the table a cache line per four keys, in order, instead of one
/// random line per key (that miss was most of the time of an identity-map lookup in
/// a large load); sparse or strided keys still spread like plain Fibonacci hashing.
@inline(__always)
func fibonacciSlot(_ key: Int64, shift: UInt64) -> Int {
    let bits = UInt64(bitPattern: key)
    let run = ((bits >> 4) &* 0x9E37_79B9_7F4A_7C15) >> (shift &+ 4)
    return Int(truncatingIfNeeded: run << 4 | bits & 15)
}

extension Model {
    /// The identity key of this instance's current primary-key values.
    func _identityKey() -> IdentityKey {
        let mapping = Self.mapping
        let columns = mapping.table.columns
        if mapping.primaryKey.count == 1 {
            let i = mapping.primaryKey[0]
            return IdentityKey(type: Self._identityType, id: .one(columns[i].type.processResult(_value(at: i))))
        }
        return IdentityKey(type: Self._identityType,
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
        return IdentityKey(type: Self._identityType, id: normalised.count == 1 ? .one(normalised[0]) : .many(normalised))
    }
}
