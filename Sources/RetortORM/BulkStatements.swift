import RetortCore

/// An ORM-enabled INSERT of rows given by property name, executed many at a time:
///
/// ```swift
/// try session.execute(insert(Author.self), [["name": "Ursula"], ["name": "Octavia", "email": "o@example.org"]])
/// // INSERT INTO authors (name, email) VALUES (?, ?)   -- one prepared statement, stepped per row
/// ```
///
/// No instances are created; use `add` for that.
public struct ModelInsert<M: Model>: Sendable {
    /// The Core statement underneath.
    public var core: Insert
}

/// `INSERT INTO` the model's table, for ``Session/execute(_:_:)-(ModelInsert<M>,_)``.
public func insert<M: Model>(_ model: M.Type) -> ModelInsert<M> { ModelInsert(core: M.mapping.table.insert()) }

/// An ORM-enabled UPDATE with a condition on the model's columns.
///
/// ```swift
/// try session.execute(update(Author.self).where { $0.name == "Ursula" }.values(["email": "u@example.org"]))
/// // UPDATE authors SET email = ? WHERE authors.name = ? RETURNING authors.id, authors.email
/// ```
public struct ModelUpdate<M: Model>: Sendable {
    /// The Core statement underneath.
    public var core: Update
    /// Property indices the statement sets.
    var setIndices: [Int] = []
    var problem: String?

    /// Adds a condition, ANDed with any before it.
    public func `where`<C: SQLLogicalValue>(_ condition: (M.Columns) -> SQLExpression<C>) -> ModelUpdate {
        var s = self
        s.core = core.where(condition(M.columns))
        return s
    }

    /// Sets properties by name: values are bound, expressions are SQL
    /// (`["views": Post.columns.views + 1]`).
    public func values(_ values: [String: (any SQLExpressible)?]) -> ModelUpdate {
        var s = self
        var byColumn: [String: (any SQLExpressible)?] = [:]
        for (property, value) in values {
            guard let i = M.mapping.index(ofProperty: property) else {
                s.problem = "\(M.self) has no mapped property '\(property)'; its properties are: "
                    + M.mapping.propertyNames.joined(separator: ", ")
                return s
            }
            byColumn[M.mapping.table.columns[i].name] = value
            if !s.setIndices.contains(i) { s.setIndices.append(i) }
        }
        s.core = core.values(byColumn)
        return s
    }
}

/// `UPDATE` the model's table.
public func update<M: Model>(_ model: M.Type) -> ModelUpdate<M> { ModelUpdate(core: M.mapping.table.update()) }

/// An ORM-enabled DELETE with a condition on the model's columns.
///
/// ```swift
/// try session.execute(delete(Author.self).where { $0.email == nil })
/// // DELETE FROM authors WHERE authors.email IS NULL RETURNING authors.id
/// ```
public struct ModelDelete<M: Model>: Sendable {
    /// The Core statement underneath.
    public var core: Delete

    /// Adds a condition, ANDed with any before it.
    public func `where`<C: SQLLogicalValue>(_ condition: (M.Columns) -> SQLExpression<C>) -> ModelDelete {
        var s = self
        s.core = core.where(condition(M.columns))
        return s
    }
}

/// `DELETE FROM` the model's table.
public func delete<M: Model>(_ model: M.Type) -> ModelDelete<M> { ModelDelete(core: M.mapping.table.delete()) }

/// What a bulk UPDATE or DELETE does to instances the session has already loaded.
public enum SynchronizeSession: Sendable {
    /// Nothing: loaded instances keep their values until they are expired or refreshed.
    case none
    /// The statement returns the primary keys (and new values) of the rows it touched:
    /// loaded instances among them get the new values, or leave the session as deleted.
    case fetch
}

extension Session {
    /// Inserts rows given by property name, many at a time, in the session's transaction.
    /// Returns the number of rows inserted.
    @discardableResult
    public func execute<M: Model>(_ statement: ModelInsert<M>, _ rows: [[String: (any SQLValueConvertible)?]]) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        let mapping = M.mapping
        let sets: [Parameters] = try rows.enumerated().map { n, row in
            var p = Parameters()
            for (property, value) in row {
                guard let i = mapping.index(ofProperty: property) else {
                    throw ArgumentError("row \(n + 1) of the insert into \(M.self) names '\(property)', which is not a mapped property; "
                        + "its properties are: " + mapping.propertyNames.joined(separator: ", "))
                }
                p[mapping.table.columns[i].name] = value
            }
            return p
        }
        try autoflushIfNeeded()
        return try activeConnection().execute(statement.core, sets).rowCount
    }

    /// Runs a bulk UPDATE in the session's transaction (flushing first) and returns the
    /// number of rows it changed. With `.fetch` (the default), instances already loaded
    /// get the new values of the rows the statement changed (through `UPDATE …
    /// RETURNING`; where the database has none, MySQL, the loaded instances of `M` are
    /// expired instead and read their values again when next used).
    @discardableResult
    public func execute<M: Model>(_ statement: ModelUpdate<M>, synchronizeSession: SynchronizeSession = .fetch) throws -> Int {
        if let problem = statement.problem { throw ArgumentError(problem) }
        guard !statement.setIndices.isEmpty else {
            throw ArgumentError("update(\(M.self).self) sets nothing; give it values([\"property\": value])")
        }
        try autoflushIfNeeded()
        let conn = try activeConnection()
        guard synchronizeSession == .fetch else { return try conn.execute(statement.core).rowCount }
        guard conn.dialect.supportsUpdateReturning else {
            let count = try conn.execute(statement.core).rowCount
            let type = ObjectIdentifier(M.self)
            identityMap.forEachObject { o in
                guard ObjectIdentifier(Swift.type(of: o)) == type, o._state.status == .persistent else { return }
                o._state.expired = true
            }
            return count
        }
        let mapping = M.mapping
        var core = statement.core
        let returned = mapping.primaryKey + statement.setIndices
        core.returning = returned.map { mapping.table.columnNode(at: $0) }
        var count = 0
        let result = try conn.execute(core)
        while let row = try result.next() {
            count += 1
            let key = returnedKey(M.self, row)
            guard let e = identityMap[key] else { continue }
            let object = unsafeDowncast(e, to: M.self)
            if object._state.expired { continue }  // loads the new values when read
            for (k, i) in statement.setIndices.enumerated() {
                try object._setValue(row[mapping.primaryKey.count + k], at: i)
                object._state.changes.removeAll { $0.index == i }
            }
        }
        return count
    }

    /// The identity key of a row whose first columns are the RETURNING'd primary key.
    private func returnedKey<M: Model>(_ type: M.Type, _ row: Row) -> IdentityKey {
        let mapping = M.mapping, columns = mapping.table.columns
        return IdentityKey(type: M._identityType, id: keyValue(mapping.primaryKey.indices.map {
            columns[mapping.primaryKey[$0]].type.processResult(row[$0])
        }))
    }

    /// Runs a bulk DELETE in the session's transaction (flushing first) and returns the
    /// number of rows deleted. With `.fetch` (the default), loaded instances of deleted
    /// rows become `.deleted` and leave the identity map.
    @discardableResult
    public func execute<M: Model>(_ statement: ModelDelete<M>, synchronizeSession: SynchronizeSession = .fetch) throws -> Int {
        try autoflushIfNeeded()
        let conn = try activeConnection()
        guard synchronizeSession == .fetch else { return try conn.execute(statement.core).rowCount }
        let mapping = M.mapping
        var core = statement.core
        core.returning = mapping.primaryKey.map { mapping.table.columnNode(at: $0) }
        var count = 0
        let result = try conn.execute(core)
        var gone: [any Model] = []
        while let row = try result.next() {
            count += 1
            let key = returnedKey(M.self, row)
            guard let e = identityMap[key] else { continue }
            let object = unsafeDowncast(e, to: M.self)
            identityMap.remove(key)
            object._state.status = .deleted
            object._state.tracking = false
            object._state.markedForDeletion = false
            object._state.changes.removeAll()
            if object._state.held {
                object._state.held = false
                modified.removeAll { $0 === object }
            }
            gone.append(object)
        }
        if !gone.isEmpty, !frames.isEmpty { frames[frames.count - 1].deleted += gone }
        return count
    }

    private func keyValue(_ values: [SQLValue]) -> PrimaryKeyValue {
        values.count == 1 ? .one(values[0]) : .many(values)
    }
}
