import RetortCore

// The parts of a flush that relationships add (RelationshipPersistence.swift plans
// them): rows ordered one by one when rows depend on rows, post-update foreign keys,
// and the rows of many-to-many association tables.

extension Session {
    // MARK: Row order

    /// The position of each object's table in `groups` (dependency order).
    func tablePositions(_ objects: [any Model], _ groups: [TableGroup]) -> [Int] {
        let position = Dictionary(uniqueKeysWithValues: groups.enumerated().map { (ObjectIdentifier($1.table), $0) })
        return objects.map { position[ObjectIdentifier(type(of: $0).mapping.table)] ?? 0 }
    }

    /// Inserts and updates, each parent's INSERT before its children's statements:
    /// ready rows of the earliest table go together, as one UPDATE (first) or INSERT batch.
    func saveInOrder(_ inserts: [any Model], _ updates: [any Model], _ relationships: RelationshipFlush,
                             _ groups: [TableGroup], _ conn: Connection, _ work: inout FlushWork) throws {
        let nodes = inserts + updates
        let kinds = [Int](repeating: 1, count: inserts.count) + [Int](repeating: 0, count: updates.count)
        var index: [ObjectIdentifier: Int] = [:]
        for (i, o) in nodes.enumerated() { index[ObjectIdentifier(o)] = i }
        let edges = relationships.saveEdges.compactMap { e -> FlushOrder.Edge? in
            guard let a = index[ObjectIdentifier(e.parent)], let b = index[ObjectIdentifier(e.child)] else { return nil }
            return FlushOrder.Edge(first: a, then: b, label: e.label)
        }
        let tables = tablePositions(nodes, groups)
        let (batches, stuck) = FlushOrder.batches(tables: tables, kinds: kinds, edges: edges, highestFirst: false)
        if !stuck.isEmpty {
            throw FlushOrder.cycleError(stuck: stuck, edges: edges, tableName: { type(of: nodes[$0]).mapping.table.fullName }, deleting: false)
        }
        for batch in batches {
            let objects = batch.map { nodes[$0] }
            for o in objects {
                for d in relationships.deferred[ObjectIdentifier(o)] ?? [] {
                    try work.setForeignKey(o, d.plan, from: d.parent, session: self)
                }
            }
            if kinds[batch[0]] == 1 {
                try insertRows(objects, conn, &work)
            } else {
                try updateRows(objects, conn, &work)
            }
        }
    }

    /// Deletes, children before their parents.
    func deleteInOrder(_ deletes: [any Model], _ edges: [FlushOrder.Edge], _ groups: [TableGroup],
                               _ conn: Connection, _ work: inout FlushWork) throws {
        let tables = tablePositions(deletes, groups)
        let (batches, stuck) = FlushOrder.batches(
            tables: tables, kinds: [Int](repeating: 0, count: deletes.count), edges: edges, highestFirst: true)
        if !stuck.isEmpty {
            throw FlushOrder.cycleError(stuck: stuck, edges: edges, tableName: { type(of: deletes[$0]).mapping.table.fullName }, deleting: true)
        }
        for batch in batches { try deleteRows(batch.map { deletes[$0] }, conn, &work) }
    }

    // MARK: Relationship rows

    /// After the inserts and updates, before the deletes: post-update foreign keys,
    /// association rows taken out then put in, post-update keys of rows about to be
    /// deleted set to NULL, and the association rows of deleted instances.
    func writeRelationshipRows(_ r: RelationshipFlush, _ conn: Connection, _ work: inout FlushWork) throws {
        if !r.postUpdates.isEmpty {
            var items: [(any Model, [Int])] = []
            for (child, plan, parent) in r.postUpdates {
                var columns: [Int] = []
                for (k, c) in plan.childColumns.enumerated() {
                    let value = parent._value(at: plan.parentColumns[k])
                    if child._value(at: c) != value {
                        try work.set(child, value, at: c)
                        columns.append(c)
                    }
                }
                if !columns.isEmpty { items.append((child, columns)) }
            }
            try updateColumns(items, conn, &work)
        }
        if !r.associationDeletes.isEmpty { try writeAssociations(r.associationDeletes, delete: true, conn) }
        if !r.associationInserts.isEmpty { try writeAssociations(r.associationInserts, delete: false, conn) }
        if !r.deleteNulls.isEmpty {
            var items: [(any Model, [Int])] = []
            for (child, plan) in r.deleteNulls {
                try work.setForeignKey(child, plan, from: nil, session: self, tracked: false)
                items.append((child, plan.childColumns))
            }
            try updateColumns(items, conn, &work)
        }
        if !r.associationsOfDeleted.isEmpty { try deleteAssociations(of: r.associationsOfDeleted, conn) }
    }

    /// `UPDATE t SET c1 = ?, ... WHERE pk = ?` with each instance's current values of the
    /// given columns, one executemany per model and column set.
    func updateColumns(_ items: [(any Model, [Int])], _ conn: Connection, _ work: inout FlushWork) throws {
        var start = 0
        while start < items.count {
            let model = ObjectIdentifier(type(of: items[start].0))
            var end = start + 1
            while end < items.count, ObjectIdentifier(type(of: items[end].0)) == model, items[end].1 == items[start].1 { end += 1 }
            let batch = items[start..<end].map { ($0.0, $0.1) }
            let m = type(of: items[start].0)
            for (mapped, part) in Self.byTable(batch, m.mapping) {
                try updateBatch(part[...], mapped: mapped, model: m, conn, &work) { $0._identityKey().id.values }
            }
            start = end
        }
    }

    /// INSERTs or DELETEs of association rows, one executemany per table and column set.
    func writeAssociations(_ rows: [AssociationRow], delete: Bool, _ conn: Connection) throws {
        var groups: [(table: Table, columns: [Int], values: [[Int: SQLValue]])] = []
        for row in rows {
            guard let table = row.plan.secondary else { continue }
            let values = row.values()
            let columns = values.keys.sorted()
            if let i = groups.firstIndex(where: { $0.table === table && $0.columns == columns }) {
                groups[i].values.append(values)
            } else {
                groups.append((table, columns, [values]))
            }
        }
        for g in groups {
            let compiled: CompiledStatement
            if delete {
                var statement = Delete(target: .table(g.table))
                statement.whereClause = Self.columnsCondition(g.table, g.columns)
                compiled = try StatementCache.shared.compile(.delete(statement), engine.dialect)
            } else {
                var statement = Insert(table: g.table)
                statement.columnNames = g.columns.map { g.table.columns[$0].name }
                statement.rows = [g.columns.map { .parameter(name: g.table.columns[$0].name, type: g.table.columns[$0].type) }]
                compiled = try StatementCache.shared.compile(.insert(statement), engine.dialect)
            }
            let sources = try BindSource.list(compiled, table: g.table)
            let matched = try conn.executeMany(compiled: compiled, count: g.values.count) { i, values in
                for s in sources {
                    switch s {
                    case .column(let c): values.append(g.values[i][c] ?? .null)
                    case .constant(let v): values.append(v)
                    case .key, .loadedVersion: throw InvalidRequestError("internal: an association statement of \(g.table.fullName) has a key parameter")
                    }
                }
            }
            if delete, matched != g.values.count {
                throw StaleDataError(
                    "DELETE FROM \(g.table.fullName) expected to delete \(g.values.count) association row\(g.values.count == 1 ? "" : "s") and matched \(matched): "
                        + "rows were deleted by another transaction since the relationship was loaded")
            }
        }
    }

    /// `DELETE FROM secondary WHERE owner_column = ?` (or, `asTarget`, the columns the
    /// target fills) for each deleted instance, before its own DELETE.
    func deleteAssociations(of items: [(plan: RelationshipPlan, object: any Model, asTarget: Bool)], _ conn: Connection) throws {
        var groups: [(table: Table, columns: [(model: Int, secondary: Int)], objects: [any Model])] = []
        struct Seen: Hashable {
            let table: ObjectIdentifier
            let object: ObjectIdentifier
            let columns: [Int]
        }
        var seen = Set<Seen>()
        for (plan, object, asTarget) in items {
            guard let table = plan.secondary else { continue }
            let columns = asTarget ? plan.targetToSecondary : plan.ownerToSecondary
            guard seen.insert(Seen(table: ObjectIdentifier(table), object: ObjectIdentifier(object), columns: columns.map(\.secondary))).inserted
            else { continue }
            if let i = groups.firstIndex(where: { $0.table === table && $0.columns.map(\.secondary) == columns.map(\.secondary) }) {
                groups[i].objects.append(object)
            } else {
                groups.append((table, columns, [object]))
            }
        }
        for g in groups {
            var statement = Delete(target: .table(g.table))
            statement.whereClause = Self.columnsCondition(g.table, g.columns.map(\.secondary))
            let compiled = try StatementCache.shared.compile(.delete(statement), engine.dialect)
            let sources = try BindSource.list(compiled, table: g.table)
            let modelColumn = Dictionary(uniqueKeysWithValues: g.columns.map { ($0.secondary, $0.model) })
            _ = try conn.executeMany(compiled: compiled, count: g.objects.count) { i, values in
                for s in sources {
                    guard case .column(let c) = s, let m = modelColumn[c] else {
                        throw InvalidRequestError("internal: an association DELETE of \(g.table.fullName) has an unexpected parameter")
                    }
                    values.append(g.table.columns[c].type.processBind(g.objects[i]._value(at: m)))
                }
            }
        }
    }

    /// `c1 = ? AND c2 = ?`, parameters named as the columns.
    static func columnsCondition(_ table: Table, _ columns: [Int]) -> ExpressionNode {
        let terms: [ExpressionNode] = columns.map {
            .binary(.equal, table.columnNode(at: $0), .parameter(name: table.columns[$0].name, type: table.columns[$0].type))
        }
        return terms.count == 1 ? terms[0] : .conjoin(.and, terms)
    }
}
