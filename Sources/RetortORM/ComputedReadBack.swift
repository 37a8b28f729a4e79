import RetortCore

/// Computed columns after an UPDATE: their values depend on the columns just written,
/// so they are read again by key (one SELECT per instance and table; only models with
/// computed columns pay for it).
extension Session {
    func readComputed(_ objects: [any Model], model: any Model.Type, _ conn: Connection, _ work: inout FlushWork) throws {
        for mapped in model.mapping.tables {
            let table = mapped.table
            let computed = table.columns.indices.filter { table.columns[$0].computed != nil && mapped.properties[$0] != nil }
            let keys = mapped.keyColumns
            guard !computed.isEmpty, !keys.isEmpty, keys.allSatisfy({ mapped.properties[$0] != nil }) else { continue }
            // SELECT <computed> FROM table WHERE pk = ?, compiled once for the whole batch.
            var statement = select(computed.map { table.c[table.columns[$0].name] as any SelectItem })
            statement.whereClause = BindSource.keyCondition(table, keys)
            let compiled = try StatementCache.shared.compile(.select(statement), engine.dialect)
            for o in objects {
                let key = keys.map { o._value(at: mapped.properties[$0]!) }
                guard let row = try conn.execute(compiled: compiled, values: key).first() else { continue }
                for (k, c) in computed.enumerated() { try work.set(o, row[k], at: mapped.properties[c]!) }
            }
        }
    }
}

extension ModelMapping {
    /// The property indexes of the model's computed columns (``RetortCore/Computed``),
    /// across every table it maps.
    var computedColumns: [Int] {
        tables.flatMap { mapped in
            mapped.table.columns.indices.compactMap { mapped.table.columns[$0].computed != nil ? mapped.properties[$0] : nil }
        }
    }
}
