import RetortCore

/// One instance per primary key per session. Entries do not keep their instances
/// alive: an instance that leaves memory removes its entry (from its `ModelState`'s
/// deinit). Instances with pending changes are kept alive by the session's own lists.
///
/// Keys are kept per model; a single integer key (the common case) is looked up in a
/// table keyed by the integer itself, which hashes much faster than a general key.
final class IdentityMap {
    struct Entry {
        unowned(unsafe) let object: AnyObject
        unowned(unsafe) let state: ModelState
    }

    /// The instances of one model.
    final class Identities {
        var integers: [Int64: Entry] = [:]
        var others: [PrimaryKeyValue: Entry] = [:]

        @inline(__always)
        subscript(id: PrimaryKeyValue) -> Entry? {
            get {
                if case .one(.integer(let i)) = id { return integers[i] }
                return others[id]
            }
            set {
                if case .one(.integer(let i)) = id { integers[i] = newValue } else { others[id] = newValue }
            }
        }

        var count: Int { integers.count + others.count }
    }

    private(set) var models: [ObjectIdentifier: Identities] = [:]

    var count: Int { models.values.reduce(0) { $0 + $1.count } }

    /// The table of one model's instances (created on first use).
    func identities(_ type: ObjectIdentifier) -> Identities {
        if let m = models[type] { return m }
        let m = Identities()
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
        guard let m = models[key.type], let e = m[key.id], e.state === state else { return }
        m[key.id] = nil
    }

    /// Every live instance's state.
    var states: [ModelState] {
        var out: [ModelState] = []
        for m in models.values {
            for e in m.integers.values { out.append(e.state) }
            for e in m.others.values { out.append(e.state) }
        }
        return out
    }

    /// Calls `body` with every live instance's state, without collecting them first.
    func forEachState(_ body: (ModelState) -> Void) {
        for m in models.values {
            for e in m.integers.values { body(e.state) }
            for e in m.others.values { body(e.state) }
        }
    }

    func removeAll() { models.removeAll() }
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
