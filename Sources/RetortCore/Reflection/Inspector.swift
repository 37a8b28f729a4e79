/// Reads a live database's schema: tables, views, columns, keys, indexes,
/// constraints, comments, and on PostgreSQL enums and sequences.
///
/// ```swift
/// let inspector = try Inspector(engine)
/// for name in try inspector.tableNames() {
///     for column in try inspector.columns(name) { print(name, column.name, column.type) }
/// }
/// ```
///
/// The first question about a schema reads the whole schema with a fixed number of
/// queries; later questions are answered from that snapshot until ``clearCache()``.
/// Tables named in `excluding` are left out (the migrator passes its own bookkeeping tables).
public final class Inspector {
    private let connection: Connection
    private let ownsConnection: Bool
    private let reflector: any SchemaReflector
    private var cache: [String: ReflectedSchema] = [:]
    /// Tables never reported.
    public var excludedTables: Set<String>

    /// An inspector with a connection of its own from `engine` (closed on deinit).
    public convenience init(_ engine: Engine, excluding: Set<String> = []) throws {
        try self.init(connection: engine.connect(), owns: true, excluding: excluding)
    }

    /// An inspector that reads through `connection` (inside its transaction).
    public convenience init(_ connection: Connection, excluding: Set<String> = []) {
        self.init(connection: connection, owns: false, excluding: excluding)
    }

    private init(connection: Connection, owns: Bool, excluding: Set<String>) {
        self.connection = connection
        self.ownsConnection = owns
        self.reflector = connection.dialect.reflector
        self.excludedTables = excluding
    }

    deinit { if ownsConnection { connection.close() } }

    /// Forgets what was read, so the next question reads the database again.
    public func clearCache() { cache.removeAll() }

    /// The whole schema (nil: the default schema), optionally only some tables.
    public func reflect(schema: String? = nil, only: Set<String>? = nil) throws -> ReflectedSchema {
        if only == nil, let cached = cache[schema ?? ""] { return cached }
        let result = try reflector.reflect(connection, schema: schema, only: only, exclude: excludedTables)
        if only == nil { cache[schema ?? ""] = result }
        return result
    }

    /// Schemas other than the system ones (PostgreSQL); empty on SQLite.
    public func schemaNames() throws -> [String] { try reflector.schemaNames(connection) }

    public func tableNames(schema: String? = nil) throws -> [String] { try reflect(schema: schema).tables.map(\.name) }
    public func viewNames(schema: String? = nil) throws -> [String] { try reflect(schema: schema).views }
    /// Views and triggers with the statements that create them, in creation order (read
    /// fresh, not cached; SQLite only: elsewhere empty).
    public func viewsAndTriggers(schema: String? = nil) throws -> [ReflectedSchemaObject] {
        try reflector.viewsAndTriggers(connection, schema: schema)
    }
    public func enums(schema: String? = nil) throws -> [ReflectedEnum] { try reflect(schema: schema).enums }
    public func sequences(schema: String? = nil) throws -> [ReflectedSequence] { try reflect(schema: schema).sequences }

    /// One table; a ``ProgrammingError`` (`.undefinedTable`) when there is none.
    public func table(_ name: String, schema: String? = nil) throws -> ReflectedTable {
        guard let t = try reflect(schema: schema).table(name) else {
            throw ProgrammingError(kind: .undefinedTable,
                                   message: "no table named '\(name)'\(schema.map { " in schema '\($0)'" } ?? "")")
        }
        return t
    }

    public func columns(_ table: String, schema: String? = nil) throws -> [ReflectedColumn] {
        try self.table(table, schema: schema).columns
    }
    public func primaryKey(_ table: String, schema: String? = nil) throws -> ReflectedPrimaryKey? {
        try self.table(table, schema: schema).primaryKey
    }
    public func foreignKeys(_ table: String, schema: String? = nil) throws -> [ReflectedForeignKey] {
        try self.table(table, schema: schema).foreignKeys
    }
    public func indexes(_ table: String, schema: String? = nil) throws -> [ReflectedIndex] {
        try self.table(table, schema: schema).indexes
    }
    public func uniqueConstraints(_ table: String, schema: String? = nil) throws -> [ReflectedUniqueConstraint] {
        try self.table(table, schema: schema).uniqueConstraints
    }
    public func checkConstraints(_ table: String, schema: String? = nil) throws -> [ReflectedCheckConstraint] {
        try self.table(table, schema: schema).checkConstraints
    }
    public func tableComment(_ table: String, schema: String? = nil) throws -> String? {
        try self.table(table, schema: schema).comment
    }
}

extension Inspector {
    /// Rows and bytes of each of `tables` that exists (see ``TableSize``).
    public static func tableSizes(_ conn: Connection, tables: [String]) throws -> [String: TableSize] {
        try conn.dialect.reflector.tableSizes(conn, tables: tables)
    }
}
