/// Creating and dropping a ``MetaData``'s schema on a database.
///
/// ```swift
/// let engine = try createEngine("sqlite:///app.db")
/// try metadata.createAll(engine)        // CREATE TABLE for each table not there yet, in FK order
/// try metadata.dropAll(engine)          // DROP TABLE in reverse order
/// ```
///
/// With `checkFirst` (the default) tables, and PostgreSQL enum types, that already
/// exist are left alone (one existence query each, values bound). Everything runs in
/// one transaction: both databases roll DDL back with it.
extension MetaData {
    /// Creates the tables (and enum types, comments, indexes) that do not exist yet.
    public func createAll(_ engine: Engine, checkFirst: Bool = true, tables: [Table]? = nil) throws {
        try engine.begin { conn in try createAll(conn, checkFirst: checkFirst, tables: tables) }
    }

    /// Creates the tables on `conn`, inside its current transaction.
    public func createAll(_ conn: Connection, checkFirst: Bool = true, tables: [Table]? = nil) throws {
        let dialect = conn.dialect
        if tables == nil {
            for s in sequences { try conn.execute(CreateSequence(s, ifNotExists: checkFirst)) }
        }
        var wanted = tables ?? self.tables
        if checkFirst { wanted = try wanted.filter { try !MetaData.exists($0, on: conn) } }
        guard !wanted.isEmpty else { return }
        for statement in try createStatements(for: dialect, only: wanted) {
            if checkFirst, let e = statement as? CreateEnum, try MetaData.enumExists(e.name, schema: e.schema, on: conn) {
                continue
            }
            try conn.execute(statement)
        }
    }

    /// Drops the tables (then their enum types) that exist.
    public func dropAll(_ engine: Engine, checkFirst: Bool = true, tables: [Table]? = nil) throws {
        try engine.begin { conn in try dropAll(conn, checkFirst: checkFirst, tables: tables) }
    }

    /// Drops the tables on `conn`, inside its current transaction.
    public func dropAll(_ conn: Connection, checkFirst: Bool = true, tables: [Table]? = nil) throws {
        let dialect = conn.dialect
        var wanted = tables ?? self.tables
        if checkFirst { wanted = try wanted.filter { try MetaData.exists($0, on: conn) } }
        if !wanted.isEmpty {
            for statement in try dropStatements(for: dialect, only: wanted) {
                if checkFirst, let e = statement as? DropEnum, try !MetaData.enumExists(e.name, schema: e.schema, on: conn) {
                    continue
                }
                try conn.execute(statement)
            }
        }
        if tables == nil {
            for s in sequences { try conn.execute(DropSequence(s.name, schema: s.schema, ifExists: checkFirst)) }
        }
    }

    /// True when `table` exists on the connection's database.
    public static func exists(_ table: Table, on conn: Connection) throws -> Bool {
        try conn.tableExists(table.name, schema: table.schema)
    }

    /// True when an enum type exists (always false where enums are not types).
    static func enumExists(_ name: String, schema: String?, on conn: Connection) throws -> Bool {
        guard let q = conn.dialect.makeDDLCompiler().enumExistsQuery(name, schema: schema) else { return false }
        return try conn.executeDriverSQL(q.sql, q.boundValues).first() != nil
    }
}

extension Connection {
    /// True when a table named `name` exists (in `schema`, or where unqualified names
    /// resolve), asked with the dialect's one table-exists query.
    public func tableExists(_ name: String, schema: String? = nil) throws -> Bool {
        let q = dialect.tableExistsQuery(TableReference(name, schema: schema))
        return try executeDriverSQL(q.sql, q.boundValues).first() != nil
    }
}
