import RetortCore

// The flush: pending inserts, changed-column updates and deletes, ordered by the
// foreign-key dependencies between their tables, each kind batched per table into
// one prepared statement executed many times. When relationships make rows depend on
// rows (RelationshipPersistence.swift plans that), the rows are ordered one by one
// (FlushOrder.swift), still batched per table where the order allows.

extension Session {
    /// Writes every pending change to the database, in the open transaction (beginning
    /// one when needed): INSERTs of added instances, UPDATEs of the changed columns of
    /// changed instances, DELETEs of deleted ones — referred tables' inserts first and
    /// their deletes last. Generated keys and server defaults come back with RETURNING
    /// and are set on the instances.
    ///
    /// Relationships are written too: objects related since they were added join the
    /// session (save-update cascade), foreign keys are copied from related objects
    /// (a parent inserted first when it is new, rows of one table included), objects
    /// taken out of a one-to-many are unlinked (foreign key NULL) or deleted
    /// (delete-orphan), association rows of many-to-many relationships are inserted and
    /// deleted, and `postUpdate` foreign keys are written by a second UPDATE.
    ///
    /// When a statement fails, the transaction is rolled back and the instances are
    /// left as they were before the flush (pending ones pending, changed ones changed,
    /// no generated keys assigned), so the cause can be fixed and the flush retried.
    /// Foreign keys set from relationships are put back, instances marked for deletion
    /// by the flush (orphans and their cascades) are unmarked, and relationship changes
    /// stay recorded for the retry. Instances flushed by *earlier* flushes of the
    /// rolled-back transaction become pending again, and the others expire.
    public func flush() throws {
        if flushing {
            throw InvalidRequestError("flush() was called during a flush (from an event listener?); change instances there instead")
        }
        guard !pending.isEmpty || !modified.isEmpty else { return }
        flushing = true
        defer { flushing = false }
        for l in events.beforeFlushListeners { try l(self) }
        let conn = try activeConnection()
        var work = FlushWork()
        var relationships: RelationshipFlush?
        do {
            relationships = try prepareRelationships(&work)
            try runFlush(conn, &work, relationships)
        } catch {
            work.revert()
            try? conn.rollback()
            conn.close()
            connection = nil
            undoFrames(from: 0, keepUnflushed: true)
            frames.removeAll()
            throw error
        }
        finishFlush(work, relationships)
        for l in events.afterFlushListeners { try l(self) }
    }

    private func runFlush(_ conn: Connection, _ work: inout FlushWork, _ relationships: RelationshipFlush?) throws {
        // Updates: held instances with a net change (before-update listeners may add
        // more), or waiting for a foreign key from a parent this flush inserts.
        var updates: [any Model] = []
        var deletes: [any Model] = []
        for o in modified {
            let s = o._state
            guard s.session === self, s.status == .persistent else { continue }
            if s.markedForDeletion {
                deletes.append(o)
            } else if !s.changes.isEmpty || relationships?.deferred[ObjectIdentifier(o)] != nil {
                updates.append(o)
            }
        }
        let inserts = relationships.map { r in r.dropped.isEmpty ? pending : pending.filter { !r.isDropped($0) } } ?? pending

        // Group by table, in one pass (runs of one model skip the lookups).
        var groups: [TableGroup] = []
        var slotOfType: [ObjectIdentifier: Int] = [:]
        var slotOfTable: [ObjectIdentifier: Int] = [:]
        var lastType: ObjectIdentifier?
        var lastSlot = 0
        func slot(_ o: any Model) -> Int {
            let t = ObjectIdentifier(type(of: o))
            if t == lastType { return lastSlot }
            let s: Int
            if let known = slotOfType[t] {
                s = known
            } else {
                let table = type(of: o).mapping.table
                if let known = slotOfTable[ObjectIdentifier(table)] {
                    s = known
                } else {
                    s = groups.count
                    groups.append(TableGroup(table: table))
                    slotOfTable[ObjectIdentifier(table)] = s
                }
                slotOfType[t] = s
            }
            lastType = t
            lastSlot = s
            return s
        }
        for o in inserts { groups[slot(o)].inserts.append(o) }
        for o in updates { groups[slot(o)].updates.append(o) }
        for o in deletes { groups[slot(o)].deletes.append(o) }
        if groups.count > 1 {
            let order = DependencyOrder.compute(groups.map(\.table)).tables
            let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { (ObjectIdentifier($1), $0) })
            groups.sort { position[ObjectIdentifier($0.table)]! < position[ObjectIdentifier($1.table)]! }
        }

        if let relationships, !relationships.saveEdges.isEmpty {
            try saveInOrder(inserts, updates, relationships, groups, conn, &work)
        } else {
            // Per table, UPDATEs before INSERTs (as SQLAlchemy does): a row that gives up a
            // unique value (a one-to-one's foreign key set to NULL) lets a new row take it.
            for g in groups {
                if !g.updates.isEmpty { try updateRows(g.updates, conn, &work) }
                if !g.inserts.isEmpty { try insertRows(g.inserts, conn, &work) }
            }
        }
        if let relationships { try writeRelationshipRows(relationships, conn, &work) }
        let deleteEdges = relationships == nil || deletes.count < 2 ? [] : try FlushOrder.deleteEdges(deletes)
        if !deleteEdges.isEmpty {
            try deleteInOrder(deletes, deleteEdges, groups, conn, &work)
        } else {
            for g in groups.reversed() where !g.deletes.isEmpty {
                try deleteRows(g.deletes, conn, &work)
            }
        }
        work.inserted = inserts
        work.deleted = deletes
    }

    // MARK: INSERT

    func insertRows(_ objects: [any Model], _ conn: Connection, _ work: inout FlushWork) throws {
        if type(of: objects[0]).mapping.inheritance != nil {
            for run in Self.classRuns(objects) { try insertRows(of: type(of: run[0]), run, conn, &work) }
            return
        }
        try insertRows(of: type(of: objects[0]), objects, conn, &work)
    }

    /// Instances of several classes of one hierarchy, in runs of one class each.
    static func classRuns(_ objects: [any Model]) -> [[any Model]] {
        var runs: [[any Model]] = []
        var slots: [ObjectIdentifier: Int] = [:]
        for o in objects {
            let t = ObjectIdentifier(type(of: o))
            if let i = slots[t] {
                runs[i].append(o)
            } else {
                slots[t] = runs.count
                runs.append([o])
            }
        }
        return runs
    }

    /// INSERTs of instances of one model: into each of its tables in order (a subclass
    /// of a joined-table hierarchy: its ancestors' tables first, each taking the key the
    /// first one generated).
    private func insertRows(of model: any Model.Type, _ objects: [any Model], _ conn: Connection, _ work: inout FlushWork) throws {
        if let ls = events.listeners(model, .beforeInsert) {
            for o in objects { for l in ls { try l(o, self) } }
        }
        let mapping = model.mapping
        if let inheritance = mapping.inheritance {
            // The discriminator says which class the row is: the flush writes it.
            let identity: SQLValue = inheritance.identity.map { .text($0) } ?? .null
            for o in objects where o._value(at: inheritance.discriminator) != identity {
                try work.set(o, identity, at: inheritance.discriminator)
            }
        }
        if let v = mapping.version { try startVersions(objects, at: v, &work) }
        for mapped in mapping.tables {
            try insertRows(objects, into: mapped, autoincrement: mapping.autoincrement, conn, &work)
        }
        if let ls = events.listeners(model, .afterInsert) {
            for o in objects { for l in ls { try l(o, self) } }
        }
    }

    private func insertRows(_ objects: [any Model], into mapped: MappedTable, autoincrement: Int?,
                            _ conn: Connection, _ work: inout FlushWork) throws {
        let columns = mapped.table.columns
        let properties = mapped.properties
        let autoincrement = autoincrement.flatMap { mapped.column(ofProperty: $0) }
        // Columns left out of an instance's INSERT: a NULL autoincrement key, NULL
        // columns with a server default. Client defaults fill NULL columns that have one.
        var masks: [ColumnMask] = []
        masks.reserveCapacity(objects.count)
        let defaulted = columns.indices.filter {
            properties[$0] != nil && columns[$0].computed == nil
                && (columns[$0].serverDefault != nil || columns[$0].defaultValue != nil)
        }
        // Computed columns are never written: the database computes them, and they come
        // back with the generated key.
        let computed = columns.indices.filter { properties[$0] != nil && columns[$0].computed != nil }
        for o in objects {
            var mask = ColumnMask()
            for i in computed { mask.insert(i) }
            if let a = autoincrement, o._value(at: properties[a]!).isNull { mask.insert(a) }
            for i in defaulted where o._value(at: properties[i]!).isNull {
                if let d = columns[i].defaultValue {
                    try work.set(o, d.make(), at: properties[i]!)
                } else {
                    mask.insert(i)
                }
            }
            masks.append(mask)
        }
        // Consecutive instances leaving out the same columns share one statement.
        var start = 0
        while start < objects.count {
            var end = start + 1
            while end < objects.count, masks[end] == masks[start] { end += 1 }
            try insertBatch(objects[start..<end], omitted: masks[start], mapped: mapped, conn, &work)
            start = end
        }
    }

    private func insertBatch(_ objects: ArraySlice<any Model>, omitted: ColumnMask, mapped: MappedTable,
                             _ conn: Connection, _ work: inout FlushWork) throws {
        let table = mapped.table
        let columns = table.columns
        let properties = mapped.properties
        // Columns no property of the class maps (a sibling subclass's) are left out.
        let included = columns.indices.filter { !omitted.contains($0) && properties[$0] != nil }
        let returned = columns.indices.filter { omitted.contains($0) }
        var statement = Insert(table: table)
        statement.columnNames = included.map { columns[$0].name }
        statement.rows = included.isEmpty ? [] : [included.map { .parameter(name: columns[$0].name, type: columns[$0].type) }]
        // A lone integer key that the INSERT reports comes back without RETURNING
        // (SQLite's rowid, MySQL's AUTO_INCREMENT through the last insert id).
        let dialect = engine.dialect
        let rowIDKey: Int? = returned.count == 1
            && (dialect.integerPrimaryKeyIsRowID || (dialect.lastInsertIDIsAutoincrementKey && columns[returned[0]].autoincrement))
            && table.primaryKey?.columns == [columns[returned[0]].name]
            && [.integer, .bigint, .smallint].contains(columns[returned[0]].type) ? returned[0] : nil
        if rowIDKey == nil { statement.returning = returned.map { table.columnNode(at: $0) } }
        let compiled = try StatementCache.shared.compile(.insert(statement), dialect)
        let sources = try BindSource.list(compiled, table: table, properties: properties)
        let types = mapped.typesByProperty
        let base = objects.startIndex
        let fill: (Int, inout [SQLValue]) throws -> Void = { i, values in
            let o = objects[base + i]
            for s in sources { values.append(s.value(o, types, key: [])) }
        }
        if returned.isEmpty {
            _ = try conn.executeMany(compiled: compiled, count: objects.count, fill: fill)
        } else if let rowIDKey {
            _ = try conn.executeManyInsert(compiled: compiled, count: objects.count, fill: fill) { i, id in
                try work.set(objects[base + i], .integer(id), at: properties[rowIDKey]!)
            }
        } else {
            var rows = 0
            _ = try conn.executeManyReturning(compiled: compiled, count: objects.count, fill: fill) { i, row in
                rows += 1
                let o = objects[base + i]
                for (k, index) in returned.enumerated() { try work.set(o, row[k], at: properties[index]!) }
            }
            if rows != objects.count {
                throw StaleDataError("INSERT INTO \(table.fullName) returned \(rows) rows for \(objects.count) instances")
            }
        }
    }

    // MARK: UPDATE

    func updateRows(_ objects: [any Model], _ conn: Connection, _ work: inout FlushWork) throws {
        if type(of: objects[0]).mapping.inheritance != nil {
            for run in Self.classRuns(objects) { try updateRows(of: type(of: run[0]), run, conn, &work) }
            return
        }
        try updateRows(of: type(of: objects[0]), objects, conn, &work)
    }

    /// The changed columns of each instance, split by the tables that hold them (one
    /// table for a plain model): a joined-table subclass updates only the tables whose
    /// columns changed.
    static func byTable(_ changed: [(any Model, [Int])], _ mapping: ModelMapping) -> [(MappedTable, [(any Model, [Int])])] {
        if mapping.tables.count == 1 { return [(mapping.tables[0], changed)] }
        return mapping.tables.compactMap { mapped in
            let part: [(any Model, [Int])] = changed.compactMap { o, net in
                let here = net.filter { mapped.column(ofProperty: $0) != nil }
                return here.isEmpty ? nil : (o, here)
            }
            return part.isEmpty ? nil : (mapped, part)
        }
    }

    private func updateRows(of model: any Model.Type, _ objects: [any Model], _ conn: Connection, _ work: inout FlushWork) throws {
        var changed: [(any Model, [Int])] = []
        changed.reserveCapacity(objects.count)
        let versionInRootTable = model.mapping.tables.count > 1 ? model.mapping.version : nil
        let before = events.listeners(model, .beforeUpdate)
        let computed = model.mapping.computedColumns
        for o in objects {
            var net = o._state.netChanges(o)
            guard !net.isEmpty else { continue }
            if let before {
                for l in before { try l(o, self) }
                net = o._state.netChanges(o)
            }
            if !computed.isEmpty { net.removeAll { computed.contains($0) } }  // never written
            guard !net.isEmpty else { continue }
            // A versioned hierarchy keeps its counter in the root's table: a change to a
            // subclass's table alone still checks and bumps it there (an UPDATE of the
            // root row, first).
            if let v = versionInRootTable, !net.contains(v) { net.append(v) }
            changed.append((o, net))
        }
        guard !changed.isEmpty else { return }
        for (mapped, part) in Self.byTable(changed, model.mapping) {
            var start = 0
            while start < part.count {
                var end = start + 1
                while end < part.count, part[end].1 == part[start].1 { end += 1 }
                try updateBatch(part[start..<end], mapped: mapped, model: model, conn, &work) { $0._storedKey?.id.values ?? [] }
                start = end
            }
        }
        if !computed.isEmpty { try readComputed(changed.map(\.0), model: model, conn, &work) }
        work.updated += changed.map(\.0)
        if let ls = events.listeners(model, .afterUpdate) {
            for (o, _) in changed { for l in ls { try l(o, self) } }
        }
    }

    /// One UPDATE of the columns `batch.first.1` of every instance, WHERE its key as
    /// `key` gives it (and, for a versioned model, its loaded version, which the UPDATE
    /// increments).
    func updateBatch(_ batch: ArraySlice<(any Model, [Int])>, mapped: MappedTable, model: any Model.Type,
                     _ conn: Connection, _ work: inout FlushWork, key: (any Model) -> [SQLValue]) throws {
        let table = mapped.table
        let columns = table.columns
        let pk = mapped.keyColumns
        // The counter is checked in the table that holds it (a hierarchy's root table).
        let version = model.mapping.version.flatMap { mapped.column(ofProperty: $0) != nil ? $0 : nil }
        var set = batch.first!.1
        var loaded: [SQLValue] = []
        if let v = version {
            if !set.contains(v) { set.append(v) }
            loaded = loadedVersions(batch.lazy.map(\.0), at: v)
            try bumpVersions(batch.lazy.map(\.0), loaded: loaded, at: v, &work)
        }
        var statement = Update(target: .table(table))
        for p in set {
            let i = mapped.column(ofProperty: p)!
            statement.columnNames.append(columns[i].name)
            statement.values.append(.parameter(name: columns[i].name, type: columns[i].type))
        }
        statement.whereClause = BindSource.keyCondition(table, pk)
        if let v = version {
            statement.whereClause = .conjoin(.and, [statement.whereClause!, Self.versionCondition(table, mapped.column(ofProperty: v)!)])
        }
        let compiled = try StatementCache.shared.compile(.update(statement), engine.dialect)
        let sources = try BindSource.list(compiled, table: table, properties: mapped.properties)
        let types = mapped.typesByProperty
        let base = batch.startIndex
        if version != nil {
            try executeVersioned(compiled, batch.map(\.0), verb: "UPDATE", loaded: loaded, conn) { i, values in
                let o = batch[base + i].0
                let key = key(o)
                for s in sources {
                    if case .loadedVersion = s { values.append(loaded[i]) } else { values.append(s.value(o, types, key: key)) }
                }
            }
            return
        }
        let matched = try conn.executeMany(compiled: compiled, count: batch.count) { i, values in
            let o = batch[base + i].0
            let key = key(o)
            for s in sources { values.append(s.value(o, types, key: key)) }
        }
        if matched != batch.count {
            throw StaleDataError(
                "UPDATE \(table.fullName) expected to match \(batch.count) row\(batch.count == 1 ? "" : "s") and matched \(matched): "
                    + "rows were deleted or re-keyed by another transaction since they were loaded")
        }
    }

    // MARK: DELETE

    func deleteRows(_ objects: [any Model], _ conn: Connection, _ work: inout FlushWork) throws {
        if type(of: objects[0]).mapping.inheritance != nil {
            for run in Self.classRuns(objects) { try deleteRows(of: type(of: run[0]), run, conn, &work) }
            return
        }
        try deleteRows(of: type(of: objects[0]), objects, conn, &work)
    }

    /// DELETEs of instances of one model: from each of its tables, the subclass's first.
    private func deleteRows(of model: any Model.Type, _ objects: [any Model], _ conn: Connection, _ work: inout FlushWork) throws {
        if let ls = events.listeners(model, .beforeDelete) {
            for o in objects { for l in ls { try l(o, self) } }
        }
        for mapped in model.mapping.tables.reversed() { try deleteRows(objects, from: mapped, model: model, conn) }
        if let ls = events.listeners(model, .afterDelete) {
            for o in objects { for l in ls { try l(o, self) } }
        }
    }

    private func deleteRows(_ objects: [any Model], from mapped: MappedTable, model: any Model.Type, _ conn: Connection) throws {
        let table = mapped.table
        var statement = Delete(target: .table(table))
        statement.whereClause = BindSource.keyCondition(table, mapped.keyColumns)
        // The counter is checked in the table that holds it (a hierarchy's root table,
        // deleted last: a stale row rolls back the subclass rows' deletes with it).
        let version = model.mapping.version.flatMap { mapped.column(ofProperty: $0) != nil ? $0 : nil }
        if let v = version {
            statement.whereClause = .conjoin(.and, [
                statement.whereClause!, Self.versionCondition(table, mapped.column(ofProperty: v)!),
            ])
        }
        let compiled = try StatementCache.shared.compile(.delete(statement), engine.dialect)
        let sources = try BindSource.list(compiled, table: table, properties: mapped.properties)
        let types = mapped.typesByProperty
        if let v = version {
            let loaded = loadedVersions(objects, at: v)
            try executeVersioned(compiled, objects, verb: "DELETE", loaded: loaded, conn) { i, values in
                let o = objects[i]
                let key = o._storedKey?.id.values ?? []
                for s in sources {
                    if case .loadedVersion = s { values.append(loaded[i]) } else { values.append(s.value(o, types, key: key)) }
                }
            }
        } else {
            try deleteUnversioned(objects, compiled, sources, types, table, conn)
        }
    }

    private func deleteUnversioned(_ objects: [any Model], _ compiled: CompiledStatement, _ sources: [BindSource],
                                   _ types: [SQLType], _ table: Table, _ conn: Connection) throws {
        let matched = try conn.executeMany(compiled: compiled, count: objects.count) { i, values in
            let o = objects[i]
            let key = o._storedKey?.id.values ?? []
            for s in sources { values.append(s.value(o, types, key: key)) }
        }
        if matched != objects.count {
            throw StaleDataError(
                "DELETE FROM \(table.fullName) expected to match \(objects.count) row\(objects.count == 1 ? "" : "s") and matched \(matched): "
                    + "rows were deleted or re-keyed by another transaction since they were loaded")
        }
    }

    // MARK: After a successful flush

    private func finishFlush(_ work: FlushWork, _ relationships: RelationshipFlush?) {
        var frame = frames.isEmpty ? TransactionFrame() : frames.removeLast()
        if relationships != nil {
            // The relationship changes are written: the history starts again.
            for o in work.inserted { Self.clearRelationshipHistory(o) }
            for o in modified { Self.clearRelationshipHistory(o) }
        }
        // Pending instances that were not inserted (orphans, children of deleted
        // parents) leave the session.
        for o in relationships?.droppedObjects ?? [] { detach(o) }
        // Runs of one model share its key plan and identity table.
        var lastType: ObjectIdentifier?
        var keyTypes: [SQLType] = []
        var primaryKey: [Int] = []
        var identities: IdentityMap.Identities?
        var keyType = ObjectIdentifier(Session.self)
        for o in work.inserted {
            let t = ObjectIdentifier(type(of: o))
            if t != lastType {
                let mapping = type(of: o).mapping
                primaryKey = mapping.primaryKey
                keyTypes = primaryKey.map { mapping.table.columns[$0].type }
                identities = identityMap.identities(mapping.identityModel.type ?? type(of: o))
                keyType = ObjectIdentifier(mapping.identityModel.type ?? type(of: o))
                lastType = t
            }
            let id: PrimaryKeyValue = primaryKey.count == 1
                ? .one(keyTypes[0].processResult(o._value(at: primaryKey[0])))
                : .many(primaryKey.indices.map { keyTypes[$0].processResult(o._value(at: primaryKey[$0])) })
            if o._state.extras != nil { o._state.changes.removeAll() }
            o._state.held = false
            o._state.session = self
            o._state.setKey(IdentityKey(type: keyType, id: id))
            o._state.status = .persistent
            o._state.tracking = true
            identities?.insert(o, id: id)
        }
        for o in work.updated {
            let pk = type(of: o).mapping.primaryKey
            guard o._state.changes.contains(where: { pk.contains($0.index) }) else { continue }
            let key = o._identityKey()
            if let old = o._storedKey, old != key {
                identityMap.remove(old, ifObject: o)
                attach(o, key: key)
            }
        }
        for o in work.deleted {
            if let key = o._storedKey { identityMap.remove(key, ifObject: o) }
            o._state.status = .deleted
            o._state.tracking = false
            o._state.markedForDeletion = false
        }
        for o in modified {
            o._state.changes.removeAll()
            o._state.held = false
        }
        frame.inserted += work.inserted
        frame.deleted += work.deleted
        frames.append(frame)
        pending.removeAll()
        modified.removeAll()
    }
}

/// One table's share of a flush.
struct TableGroup {
    let table: Table
    var inserts: [any Model] = []
    var updates: [any Model] = []
    var deletes: [any Model] = []
}

/// What a flush did to instances, so a failure can put them back.
struct FlushWork {
    var inserted: [any Model] = []
    var updated: [any Model] = []
    var deleted: [any Model] = []
    /// Values set on instances during the flush (generated keys, defaults), with the
    /// values they replaced.
    private var undo: [(any Model, Int, SQLValue)] = []

    mutating func set(_ object: any Model, _ value: SQLValue, at index: Int) throws {
        undo.append((object, index, object._value(at: index)))
        try object._setValue(value, at: index)
    }

    /// Changes the flush recorded on persistent instances (foreign keys set from
    /// relationships), to forget again if it fails.
    private var recorded: [(any Model, Int)] = []
    /// Instances the flush marked for deletion (orphans and their cascades).
    var markedDuringFlush: [any Model] = []

    /// Sets the foreign key of `plan` on `child` from `parent`'s columns (NULL without a
    /// parent). `tracked`: on a persistent child, the change is recorded, so that its
    /// UPDATE writes it, and the child is held until the flush ends.
    mutating func setForeignKey(_ child: any Model, _ plan: RelationshipPlan, from parent: (any Model)?,
                                session: Session, tracked: Bool = true) throws {
        for (k, c) in plan.childColumns.enumerated() {
            let value = parent?._value(at: plan.parentColumns[k]) ?? .null
            if child._value(at: c) == value { continue }
            if tracked, child._state.status == .persistent, !child._state.changes.contains(where: { $0.index == c }) {
                let original = child._value(at: c)
                child._state.changes.append(ModelState.Change(index: c, original: original))
                recorded.append((child, c))
            }
            do {
                try set(child, value, at: c)
            } catch where value.isNull {
                let property = "\(type(of: child)).\(type(of: child).mapping.propertyNames[c])"
                throw InvalidRequestError(
                    "cannot set \(property) to NULL: the \(type(of: child)) was taken out of \(plan.label) (or its parent was deleted) "
                        + "and its foreign key cannot be empty; delete it too (cascade: .all, or [.saveUpdate, .delete, .deleteOrphan]), "
                        + "or make \(property) optional")
            }
            if tracked, child._state.status == .persistent, !child._state.held { session.hold(child) }
        }
    }

    func revert() {
        for (o, i, v) in undo.reversed() { try? o._setValue(v, at: i) }
        for (o, i) in recorded { o._state.changes.removeAll { $0.index == i } }
        for o in markedDuringFlush { o._state.markedForDeletion = false }
    }
}

/// Where each placeholder of a flush statement gets its value.
enum BindSource {
    /// The instance's property at this index.
    case column(Int)
    /// The instance's identity-key value at this position (the WHERE of UPDATE/DELETE).
    case key(Int)
    /// The version the instance was loaded at (`WHERE version = ?` of a versioned
    /// model); the flush's versioned statements bind it themselves.
    case loadedVersion
    case constant(SQLValue)

    static let keyPrefix = "\u{1}key:"
    static let loadedVersionName = "\u{1}version"

    @inline(__always)
    func value(_ o: any Model, _ types: [SQLType], key: [SQLValue]) -> SQLValue {
        switch self {
        case .column(let i): return types[i].processBind(o._value(at: i))
        case .key(let k): return key[k]
        case .constant(let v): return v
        case .loadedVersion: return .null  // bound by the versioned statements' own loop
        }
    }

    /// The sources of `compiled`'s parameters; `properties` gives the property index of
    /// each column of `table` (the column's own position when nil).
    static func list(_ compiled: CompiledStatement, table: Table, properties: [Int?]? = nil) throws -> [BindSource] {
        try compiled.bindings.map { b in
            switch b {
            case .value(let v): return .constant(v)
            case .named(let name):
                if name.hasPrefix(keyPrefix), let k = Int(name.dropFirst(keyPrefix.count)) { return .key(k) }
                if name == loadedVersionName { return .loadedVersion }
                guard let i = table.position(of: name), let p = properties.map({ $0[i] }) ?? i else {
                    throw InvalidRequestError("internal: flush statement parameter '\(name)' is not a mapped column of \(table.fullName)")
                }
                return .column(p)
            case .valueList, .namedList:
                throw InvalidRequestError("internal: a flush statement of \(table.fullName) has an IN list parameter")
            }
        }
    }

    /// `pk1 = ? AND pk2 = ?` with key parameters.
    static func keyCondition(_ table: Table, _ pk: [Int]) -> ExpressionNode {
        let terms: [ExpressionNode] = pk.enumerated().map { k, i in
            .binary(.equal, table.columnNode(at: i), .parameter(name: keyPrefix + String(k), type: table.columns[i].type))
        }
        return terms.count == 1 ? terms[0] : .conjoin(.and, terms)
    }
}

/// A set of column indices, without allocating for tables of up to 64 columns.
struct ColumnMask: Hashable {
    private var low: UInt64 = 0
    private var high: Set<Int> = []

    mutating func insert(_ i: Int) {
        if i < 64 { low |= 1 << UInt64(i) } else { high.insert(i) }
    }

    func contains(_ i: Int) -> Bool {
        i < 64 ? low & (1 << UInt64(i)) != 0 : high.contains(i)
    }
}
