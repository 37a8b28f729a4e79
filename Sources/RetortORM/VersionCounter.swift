import RetortCore

// Optimistic concurrency (`@Model(versionId:)`, SQLAlchemy's `version_id_col`): the
// flush writes 1 into an inserted row's version counter, and every UPDATE and DELETE
// of a versioned instance says `WHERE <key> AND version = <the version it loaded>`, an
// UPDATE also setting version + 1. A set of parameters that matches no row means that
// another transaction changed or deleted the row since it was loaded: the flush throws
// ``StaleDataError`` naming the model and key, and is rolled back like any failed flush.
//
// Which set matched is known per set, not only as a total: still one executemany,
// whose driver reports each set's rows affected (SQLite after each step, PostgreSQL
// from each pipelined result; other drivers execute the sets one by one).

extension Session {
    /// Sets the version counter at `index` of instances about to be inserted to 1.
    func startVersions(_ objects: [any Model], at index: Int, _ work: inout FlushWork) throws {
        for o in objects { try work.set(o, .integer(1), at: index) }
    }

    /// The version each instance was loaded at (the original value when the counter was
    /// changed by hand), for the WHERE clause.
    func loadedVersions<C: Collection>(_ objects: C, at index: Int) -> [SQLValue] where C.Element == any Model {
        objects.map { o in o._state.changes.first { $0.index == index }?.original ?? o._value(at: index) }
    }

    /// Sets each instance's version counter to the loaded version + 1 (undone if the
    /// flush fails).
    func bumpVersions<C: Collection>(_ objects: C, loaded: [SQLValue], at index: Int, _ work: inout FlushWork) throws
        where C.Element == any Model
    {
        for (k, o) in objects.enumerated() {
            guard case .integer(let n) = loaded[k] else {
                let m = type(of: o)
                throw InvalidRequestError(
                    "the version counter \(m).\(m.mapping.propertyNames[index]) of the row with primary key "
                        + "\(o._storedKey?.id.description ?? "?") is NULL, so its UPDATE cannot say which version it changes; "
                        + "set the column to a number in the database (UPDATE \(m.mapping.table.fullName) SET "
                        + "\(m.mapping.table.columns[index].name) = 1 WHERE ... IS NULL) and load the instance again")
            }
            try work.set(o, .integer(n + 1), at: index)
        }
    }

    /// Runs a versioned UPDATE or DELETE once per instance and throws ``StaleDataError``
    /// when a set matched no row.
    func executeVersioned(_ compiled: CompiledStatement, _ objects: [any Model], verb: String, loaded: [SQLValue],
                          _ conn: Connection, fill: (Int, inout [SQLValue]) throws -> Void) throws {
        var missed: [Int] = []
        _ = try conn.executeManyCounted(compiled: compiled, count: objects.count, fill: fill) { i, n in
            if n != 1 { missed.append(i) }
        }
        guard let first = missed.first else { return }
        let o = objects[first]
        let m = type(of: o)
        let others = missed.count > 1 ? " (and \(missed.count - 1) other \(m) row\(missed.count == 2 ? "" : "s"))" : ""
        throw StaleDataError(
            "\(verb) of \(m) with primary key \(o._storedKey?.id.description ?? "?") expected version \(loaded[first].description) "
                + "and matched no row\(others): another transaction changed or deleted it since it was loaded. "
                + "The flush was rolled back; load the \(m) again and reapply the change",
            model: "\(m)", key: o._storedKey?.id.values ?? [])
    }

    /// `version = ?`, bound to the version each instance was loaded at.
    static func versionCondition(_ table: Table, _ index: Int) -> ExpressionNode {
        .binary(.equal, table.columnNode(at: index), .parameter(name: BindSource.loadedVersionName, type: table.columns[index].type))
    }
}
