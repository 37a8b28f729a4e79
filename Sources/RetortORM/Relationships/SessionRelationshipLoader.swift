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
    /// The objects of `Self` that `relationship` of `owner` refers to. In an inheritance
    /// hierarchy the query is the class's polymorphic SELECT (its subclasses' rows too,
    /// no others), and the join's columns are those of the tables that hold them.
    static func _loadRelated(_ r: Relationship, of owner: any ModelRelationships, in session: Session) throws -> [any Model] {
        let table = r.targetTable
        let ownerValues = r.ownerProperties.map { owner._value(at: $0) }
        var query = select(Self.self)
        var conditions: [SQLExpression<Bool>] = []
        switch r.direction {
        case .manyToOne:
            if ownerValues.contains(where: \.isNull) { return [] }
            let keyProperties = mapping.primaryKey
            if Set(r.targetProperties) == Set(keyProperties), r.targetProperties.count == keyProperties.count {
                let byProperty = Dictionary(uniqueKeysWithValues: zip(r.targetProperties, ownerValues))
                return try session.get(Self.self, key: keyProperties.map { byProperty[$0]! }).map { [$0] } ?? []
            }
            for (pair, value) in zip(r.pairs, ownerValues) { conditions.append(table.column(pair.remote, as: SQLValue.self) == value) }
        case .oneToMany:
            if ownerValues.contains(where: \.isNull) { return [] }
            for (pair, value) in zip(r.pairs, ownerValues) { conditions.append(table.column(pair.remote, as: SQLValue.self) == value) }
        case .manyToMany:
            guard let secondary = r.secondary else { return [] }
            if ownerValues.contains(where: \.isNull) { return [] }
            let on = and(r.secondaryPairs.map { table.column($0.local, as: SQLValue.self) == secondary.column($0.remote, as: SQLValue.self) })
            query = query.join(secondary, on: on)
            for (pair, value) in zip(r.pairs, ownerValues) { conditions.append(secondary.column(pair.remote, as: SQLValue.self) == value) }
        }
        query = query.where(and(conditions))
        let order = EagerLoader.declaredOrder(r, mapping.table)
        if !order.isEmpty { query = query.orderBy { _ in order.map { $0 as any OrderByItem } } }
        return try session.scalars(query).all()
    }
}
