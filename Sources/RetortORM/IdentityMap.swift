import RetortCore

/// One instance per primary key per session. Entries do not keep their instances
/// alive: an instance that leaves memory removes its entry (from its `ModelState`'s
/// deinit). Instances with pending changes are kept alive by the session's own lists.
final class IdentityMap {
    struct Entry {
        unowned(unsafe) let object: AnyObject
        unowned(unsafe) let state: ModelState
    }

    private(set) var entries: [IdentityKey: Entry] = [:]

    var count: Int { entries.count }

    subscript(key: IdentityKey) -> Entry? { entries[key] }

    func insert(_ object: AnyObject, _ state: ModelState, for key: IdentityKey) {
        entries[key] = Entry(object: object, state: state)
    }

    func remove(_ key: IdentityKey) {
        entries.removeValue(forKey: key)
    }

    /// Removes `key` only while it still maps to `state` (a dying instance must not
    /// remove a newer one loaded under the same key).
    func remove(_ key: IdentityKey, ifState state: ModelState) {
        if let e = entries[key], e.state === state { entries.removeValue(forKey: key) }
    }

    func reserve(_ n: Int) { entries.reserveCapacity(entries.count + n) }

    /// Every live instance's state.
    var states: [ModelState] { entries.values.map(\.state) }

    func removeAll() { entries.removeAll() }
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

    /// The identity key a row's values give (the model's columns start at `offset`).
    static func _identityKey(row: Row, offset: Int) -> IdentityKey {
        let mapping = Self.mapping
        let columns = mapping.table.columns
        if mapping.primaryKey.count == 1 {
            let i = mapping.primaryKey[0]
            return IdentityKey(type: ObjectIdentifier(Self.self), id: .one(columns[i].type.processResult(row[offset + i])))
        }
        return IdentityKey(type: ObjectIdentifier(Self.self),
                           id: .many(mapping.primaryKey.map { columns[$0].type.processResult(row[offset + $0]) }))
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
