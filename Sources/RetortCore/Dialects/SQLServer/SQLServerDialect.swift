import Foundation
import Logging

/// Microsoft SQL Server 2017 and later, compile-only: Retort writes its SQL (for
/// offline migration scripts and ``Dialect/literalSQL(_:_:)``) but has no driver for it.
///
/// Names that need quoting are bracketed, `[MyTable]`, as SQLAlchemy writes them;
/// parameters are `?`; booleans are `BIT` holding 1 / 0; text literals are national,
/// `N'…'`; blobs `0x0A0B`; timestamps `CAST('…' AS DATETIME2)`.
struct SQLServerDialect: DatabaseDialect {
    var name: String { "mssql" }
    var urlAliases: [String] { ["sqlserver"] }

    func makeDriver(url: DatabaseURL, logger: Logger) throws -> any Driver { throw CompileOnly.noDriver(name) }

    func makeSQLCompiler(_ dialect: Dialect) -> SQLCompiler { SQLServerCompiler(dialect: dialect) }
    func makeDDLCompiler(_ dialect: Dialect) -> DDLCompiler { SQLServerDDLCompiler(dialect: dialect) }
    let typeCompiler: TypeCompiler = SQLServerTypeCompiler(quoteIdentifier: { SQLServerDialect.quote($0) })
    var reflector: any SchemaReflector { CompileOnlyReflector(databaseName: name) }

    func quoteIdentifier(_ name: String) -> String { SQLServerDialect.quote(name) }

    /// Bare for lower-case letters, digits and `_` (not first a digit) that are not
    /// reserved; `[name]` otherwise, doubling `]`.
    static func quote(_ name: String) -> String {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first),
              name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }),
              !reservedWords.contains(name)
        else { return "[" + name.replacingOccurrences(of: "]", with: "]]") + "]" }
        return name
    }

    /// Booleans `1`/`0`; text `N'…'`; blobs `0x…`; UUIDs `'…'` (UNIQUEIDENTIFIER reads
    /// the text); timestamps `CAST('YYYY-MM-DD HH:MM:SS.ffffff' AS DATETIME2)` (UTC). SQL
    /// Server has no infinities or NaN, so those throw.
    func literal(_ value: SQLValue) throws -> String {
        switch value {
        case .bool(let b): return b ? "1" : "0"
        case .text(let s): return "N" + (try ANSILiteral.quoted(s))
        case .blob(let data): return "0x" + ANSILiteral.hex(data)
        case .timestamp(let d): return "CAST('" + SQLDateFormat.timestampString(d) + "' AS DATETIME2)"
        default: return try ANSILiteral.literal(value)
        }
    }

    var isolationLevels: [IsolationLevel] { IsolationLevel.allCases }

    func beginStatements(isolation: IsolationLevel?, immediate: Bool) -> [String] {
        guard let isolation, isolation != .autocommit else { return ["BEGIN TRANSACTION"] }
        return ["SET TRANSACTION ISOLATION LEVEL \(isolation.rawValue)", "BEGIN TRANSACTION"]
    }

    func tableExistsQuery(_ table: TableReference, dialect: Dialect) -> CompiledStatement {
        CompiledStatement(
            sql: "SELECT 1 FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = " + (table.schema == nil ? "SCHEMA_NAME()" : "?")
                + " AND TABLE_NAME = ?",
            bindings: (table.schema.map { [.value(.text($0))] } ?? []) + [.value(.text(table.name))])
    }

    /// T-SQL's reserved keywords, lower case.
    static let reservedWords: Set<String> = [
        "add", "all", "alter", "and", "any", "as", "asc", "authorization", "backup", "begin", "between", "break",
        "browse", "bulk", "by", "cascade", "case", "check", "checkpoint", "close", "clustered", "coalesce",
        "collate", "column", "commit", "compute", "constraint", "contains", "containstable", "continue", "convert",
        "create", "cross", "current", "current_date", "current_time", "current_timestamp", "current_user", "cursor",
        "database", "dbcc", "deallocate", "declare", "default", "delete", "deny", "desc", "disk", "distinct",
        "distributed", "double", "drop", "dump", "else", "end", "errlvl", "escape", "except", "exec", "execute",
        "exists", "exit", "external", "fetch", "file", "fillfactor", "for", "foreign", "freetext", "freetexttable",
        "from", "full", "function", "goto", "grant", "group", "having", "holdlock", "identity", "identity_insert",
        "identitycol", "if", "in", "index", "inner", "insert", "intersect", "into", "is", "join", "key", "kill",
        "left", "like", "lineno", "load", "merge", "national", "nocheck", "nonclustered", "not", "null", "nullif",
        "of", "off", "offsets", "on", "open", "opendatasource", "openquery", "openrowset", "openxml", "option", "or",
        "order", "outer", "over", "percent", "pivot", "plan", "precision", "primary", "print", "proc", "procedure",
        "public", "raiserror", "read", "readtext", "reconfigure", "references", "replication", "restore",
        "restrict", "return", "revert", "revoke", "right", "rollback", "rowcount", "rowguidcol", "rule", "save",
        "schema", "securityaudit", "select", "semantickeyphrasetable", "semanticsimilaritydetailstable",
        "semanticsimilaritytable", "session_user", "set", "setuser", "shutdown", "some", "statistics",
        "system_user", "table", "tablesample", "textsize", "then", "to", "top", "tran", "transaction", "trigger",
        "truncate", "try_convert", "tsequal", "union", "unique", "unpivot", "update", "updatetext", "use", "user",
        "values", "varying", "view", "waitfor", "when", "where", "while", "with", "within", "writetext",
    ]
}

extension Dialect {
    /// Microsoft SQL Server 2017 and later, compile-only (no driver): for offline
    /// scripts and compiled SQL. Identifiers up to 128 characters; `?` parameters
    /// (2100 per statement); `OUTPUT inserted.*` for RETURNING; comments as extended
    /// properties.
    ///
    /// ```swift
    /// try select(authors.c.name).limit(5).compile(for: .mssql).sql
    /// // SELECT TOP (?) authors.name FROM authors
    /// ```
    public static let mssql = Dialect(
        paramStyle: .questionMark, maxBindParameters: 2100, maxIdentifierLength: 128,
        supportsReturning: true, supportsSavepoints: true,
        supportsForUpdate: false, supportsNativeEnum: false, supportsAlterColumn: true,
        supportsComments: true, integerPrimaryKeyIsRowID: false, typesKeepTimeZone: true,
        listParameterStyle: .expanded(jsonFallback: false), supportsRightAndFullJoin: true, implementation: SQLServerDialect())
}
