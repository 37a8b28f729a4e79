import RetortCore

/// `lazy: .select`: the Session loads an unloaded relationship on first access with one
/// SELECT of the target model (through the identity map), built from the resolved join.
///
/// - many-to-one on the target's primary key: `session.get` (no query when the target
///   is already in the identity map; none at all when the foreign key is NULL);
/// - one-to-many: `SELECT target WHERE target.fk = owner's key`, in `orderBy` order;
/// - many-to-many: `SELECT target JOIN secondary ON ... WHERE secondary.fk = owner's key`.
///
/// Only the public Session API is used, so the session's autoflush runs first, as for
/// any query, and the target model's own declared `.selectin` / `.joined` relationships
/// are loaded with the targets (see EagerLoading.swift).
extension Session: RelationshipLoader {
    public func loadRelationship(_ relationship: Relationship, of object: any ModelRelationships) throws -> [any Model] {
        try relationship.target._loadRelated(relationship, of: object, in: self)
    }
}

extension Model {
    /// The objects of `Self` that `relationship` of `owner` refers to.
    static func _loadRelated(_ r: Relationship, of owner: any ModelRelationships, in session: Session) throws -> [any Model] {
        let ownerTable = type(of: owner).mapping.table
        let table = mapping.table
        func ownerValue(_ column: String) throws -> SQLValue {
            guard let i = ownerTable.columns.firstIndex(where: { $0.name == column }) else {
                throw RelationshipLoadError("\(r.owner).\(r.name): column '\(column)' is not mapped on \(r.owner)")
            }
            return owner._value(at: i)
        }
        var query = select(Self.self)
        var conditions: [SQLExpression<Bool>] = []
        switch r.direction {
        case .manyToOne:
            let values = try r.pairs.map { try ownerValue($0.local) }
            if values.contains(where: \.isNull) { return [] }
            let keyColumns = mapping.primaryKey.map { table.columns[$0].name }
            if Set(r.pairs.map(\.remote)) == Set(keyColumns), r.pairs.count == keyColumns.count {
                let byName = Dictionary(uniqueKeysWithValues: zip(r.pairs.map(\.remote), values))
                return try session.get(Self.self, key: keyColumns.map { byName[$0]! }).map { [$0] } ?? []
            }
            for (pair, value) in zip(r.pairs, values) { conditions.append(table.column(pair.remote, as: SQLValue.self) == value) }
        case .oneToMany:
            for pair in r.pairs {
                let value = try ownerValue(pair.local)
                if value.isNull { return [] }
                conditions.append(table.column(pair.remote, as: SQLValue.self) == value)
            }
        case .manyToMany:
            guard let secondary = r.secondary else { return [] }
            let on = and(r.secondaryPairs.map { table.column($0.local, as: SQLValue.self) == secondary.column($0.remote, as: SQLValue.self) })
            query = query.join(secondary, on: on)
            for pair in r.pairs {
                let value = try ownerValue(pair.local)
                if value.isNull { return [] }
                conditions.append(secondary.column(pair.remote, as: SQLValue.self) == value)
            }
        }
        query = query.where(and(conditions))
        let order: [any OrderByItem] = r.declaration.orderBy.map { term in
            term.hasPrefix("-")
                ? table.column(String(term.dropFirst()), as: SQLValue.self).desc()
                : table.column(term, as: SQLValue.self).asc()
        }
        if !order.isEmpty { query = query.orderBy { _ in order } }
        return try session.scalars(query).all()
    }
}
