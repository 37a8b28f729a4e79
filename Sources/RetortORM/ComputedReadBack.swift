import RetortCore

/// Computed columns after an UPDATE: their values depend on the columns just written,
/// so they are read again by key (one SELECT per instance and table; only models with
/// computed columns pay for it).
extension Session {
    func readComputed(_ objects: [any Model], model: any Model.Type, _ conn: Connection, _ work: inout FlushWork) throws {
        let q = engine.dialect.quoteIdentifier
        for mapped in model.mapping.tables {
            let table = mapped.table
            let computed = table.columns.indices.filter { table.columns[$0].computed != nil && mapped.properties[$0] != nil }
            let keys = mapped.keyColumns
            guard !computed.isEmpty, !keys.isEmpty else { continue }
            let name = (table.schema.map { q($0) + "." } ?? "") + q(table.name)
            let sql = "SELECT " + computed.map { q(table.columns[$0].name) }.joined(separator: ", ") + " FROM " + name + " WHERE "
                + keys.enumerated().map { k, c in q(table.columns[c].name) + " = :k\(k)" }.joined(separator: " AND ")
            let statement = text(sql)
            for o in objects {
                var params = Parameters()
                for (k, c) in keys.enumerated() {
                    guard let p = mapped.properties[c] else { continue }
                    params["k\(k)"] = o._value(at: p)
                }
                guard let row = try conn.execute(statement, params).first() else { continue }
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
