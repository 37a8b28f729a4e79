import RetortCore

/// Computed columns after an UPDATE: their values depend on the columns just written,
/// so they are read again by key (one SELECT per instance; only models with computed
/// columns pay for it).
extension Session {
    func readComputed(_ objects: [any Model], model: any Model.Type, _ conn: Connection, _ work: inout FlushWork) throws {
        let mapping = model.mapping
        let table = mapping.table
        let q = engine.dialect.quoteIdentifier
        let computed = mapping.computedColumns
        let name = (table.schema.map { q($0) + "." } ?? "") + q(table.name)
        let sql = "SELECT " + computed.map { q(table.columns[$0].name) }.joined(separator: ", ") + " FROM " + name + " WHERE "
            + mapping.primaryKey.enumerated().map { k, i in q(table.columns[i].name) + " = :k\(k)" }.joined(separator: " AND ")
        let statement = text(sql)
        for o in objects {
            var params = Parameters()
            for (k, i) in mapping.primaryKey.enumerated() { params["k\(k)"] = o._value(at: i) }
            guard let row = try conn.execute(statement, params).first() else { continue }
            for (k, i) in computed.enumerated() { try work.set(o, row[k], at: i) }
        }
    }
}

extension ModelMapping {
    /// The indexes of the table's computed columns (``RetortCore/Computed``).
    var computedColumns: [Int] { table.columns.indices.filter { table.columns[$0].computed != nil } }
}
