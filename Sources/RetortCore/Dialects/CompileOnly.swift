import Foundation

/// What the compile-only dialects (Oracle, SQL Server) share: no driver, so
/// connecting fails with one line that says what to do instead, and names longer than
/// the database keeps are refused when DDL is compiled.
enum CompileOnly {
    /// The error `makeDriver` throws for a database Retort writes SQL for but does not connect to.
    static func noDriver(_ name: String) -> ProgrammingError {
        ProgrammingError(
            kind: .notSupported,
            message: "connecting to \(name) is not supported; Retort writes \(name) SQL offline: use "
                + "`migrator upgrade --sql` / `downgrade --sql`, or compile statements with `compile(for: .\(name))`")
    }

    /// Throws when `name` is longer than `dialect` keeps (in UTF-8 bytes).
    static func checkLength(_ name: String, _ kind: String, _ dialect: Dialect) throws {
        let length = name.utf8.count
        guard length > dialect.maxIdentifierLength else { return }
        throw ArgumentError("\(kind) '\(name)' is \(length) bytes long; \(dialect.name) keeps at most "
                            + "\(dialect.maxIdentifierLength) bytes of a name: shorten it")
    }

    /// Throws when the table's name, or a column's, is longer than `dialect` keeps.
    static func checkLengths(_ table: Table, _ dialect: Dialect) throws {
        try checkLength(table.name, "table", dialect)
        for c in table.columns { try checkLength(c.name, "column", dialect) }
    }
}

/// The reflector of a compile-only dialect: there is no connection to read a catalog
/// through, so reading throws; the spellings are taken as written.
struct CompileOnlyReflector: SchemaReflector {
    let databaseName: String

    func reflect(_ conn: Connection, schema: String?, only: Set<String>?, exclude: Set<String>) throws -> ReflectedSchema {
        throw CompileOnly.noDriver(databaseName)
    }
    func schemaNames(_ conn: Connection) throws -> [String] { throw CompileOnly.noDriver(databaseName) }
    func canonicalDefault(_ sql: String) -> String { sql }
    func canonicalIndexElement(_ sql: String) -> String { sql }
    func canonicalCondition(_ sql: String) -> String { sql }
    func tableSizes(_ conn: Connection, tables: [String]) throws -> [String: TableSize] { throw CompileOnly.noDriver(databaseName) }
    func viewsAndTriggers(_ conn: Connection, schema: String?) throws -> [ReflectedSchemaObject] { [] }
    func comparableType(_ type: SQLType) -> SQLType { type }
}
