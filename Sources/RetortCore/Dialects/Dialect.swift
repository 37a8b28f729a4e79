/// What Retort knows about one database's SQL: a value with flags that the compiler,
/// the engine and the migrator consult instead of checking a database's name, and the
/// database's own ``DatabaseDialect`` (compilers, quoting, literals, transactions,
/// reflection, driver), which lives in the database's folder and defines its value
/// there (`Dialects/SQLite/SQLiteDialect.swift` defines `Dialect.sqlite`).
///
/// ```swift
/// engine.dialect.paramStyle          // .questionMark for SQLite, .dollarNumbered for PostgreSQL
/// engine.dialect.supportsReturning   // true on both (SQLite >= 3.35)
/// ```
public struct Dialect: Sendable, Hashable, CustomStringConvertible {
    /// How positional parameters are spelled in SQL text.
    public enum ParamStyle: Sendable, Hashable {
        /// `?`, SQLite.
        case questionMark
        /// `$1`, `$2`, …, PostgreSQL.
        case dollarNumbered
        /// `:1`, `:2`, …, Oracle.
        case colonNumbered

        /// The placeholder for the parameter at 1-based `position`.
        @inlinable public func placeholder(_ position: Int) -> String {
            switch self {
            case .questionMark: return "?"
            case .dollarNumbered: return "$" + String(position)
            case .colonNumbered: return ":" + String(position)
            }
        }
    }

    /// The database's name: `sqlite`, `postgresql`.
    public var name: String { implementation.name }
    public var paramStyle: ParamStyle
    /// The most bind parameters one statement may carry.
    public var maxBindParameters: Int
    /// The longest identifier the database keeps without truncating.
    public var maxIdentifierLength: Int
    public var supportsReturning: Bool
    public var supportsSavepoints: Bool
    /// `SELECT ... FOR UPDATE`.
    public var supportsForUpdate: Bool
    /// Native enum types (`CREATE TYPE ... AS ENUM`).
    public var supportsNativeEnum: Bool
    /// `ALTER TABLE ... ALTER COLUMN` and constraint changes in place.
    public var supportsAlterColumn: Bool
    /// Comments on tables and columns.
    public var supportsComments: Bool
    /// A lone `INTEGER` primary key is the table's rowid and numbers itself (SQLite),
    /// whatever was declared about autoincrement.
    public var integerPrimaryKeyIsRowID: Bool
    /// A timestamp type remembers whether it has a time zone (SQLite's DATETIME does not).
    public var typesKeepTimeZone: Bool
    /// How the list of an expanding IN travels at execution.
    public var listParameterStyle: ListParameterStyle
    /// `RIGHT OUTER JOIN` and `FULL OUTER JOIN` (SQLite from 3.39, PostgreSQL always).
    public var supportsRightAndFullJoin: Bool

    /// The database's own behaviour (see ``DatabaseDialect``).
    public let implementation: any DatabaseDialect

    public var description: String { name }

    /// Dialects are equal when their names and flags are (the compilers follow the name).
    public static func == (a: Dialect, b: Dialect) -> Bool {
        a.name == b.name && a.paramStyle == b.paramStyle && a.maxBindParameters == b.maxBindParameters
            && a.maxIdentifierLength == b.maxIdentifierLength && a.supportsReturning == b.supportsReturning
            && a.supportsSavepoints == b.supportsSavepoints
            && a.supportsForUpdate == b.supportsForUpdate && a.supportsNativeEnum == b.supportsNativeEnum
            && a.supportsAlterColumn == b.supportsAlterColumn && a.supportsComments == b.supportsComments
            && a.integerPrimaryKeyIsRowID == b.integerPrimaryKeyIsRowID && a.typesKeepTimeZone == b.typesKeepTimeZone
            && a.listParameterStyle == b.listParameterStyle && a.supportsRightAndFullJoin == b.supportsRightAndFullJoin
            && a.implementation.compilationVariant == b.implementation.compilationVariant
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// Every flag packed into one word: with the name, what tells dialects that
    /// compile differently apart (the compiled-statement cache keys on both).
    package var compilationFlags: UInt64 {
        @inline(__always) func bit(_ flag: Bool, _ position: UInt64) -> UInt64 { flag ? 1 << position : 0 }
        let flags = bit(paramStyle == .questionMark, 0) | bit(supportsReturning, 1) | bit(paramStyle == .colonNumbered, 2)
            | bit(supportsSavepoints, 3) | bit(supportsForUpdate, 4) | bit(supportsNativeEnum, 5)
            | bit(supportsAlterColumn, 6) | bit(supportsComments, 7) | bit(integerPrimaryKeyIsRowID, 8)
            | bit(typesKeepTimeZone, 9) | bit(supportsRightAndFullJoin, 10) | bit(listParameterStyle == .array, 11)
        return flags | UInt64(truncatingIfNeeded: maxBindParameters & 0xF_FFFF) << 12
            | UInt64(truncatingIfNeeded: maxIdentifierLength & 0xFFF) << 32
            | (implementation.compilationVariant & 0xF_FFFF) << 44
    }

    /// Quotes an identifier when it needs it (upper case, spaces, quotes, a leading
    /// digit, a reserved word), doubling embedded double quotes.
    ///
    /// ```swift
    /// Dialect.postgresql.quoteIdentifier("user")      // "user"  (reserved)
    /// Dialect.postgresql.quoteIdentifier("authors")   // authors
    /// ```
    public func quoteIdentifier(_ name: String) -> String {
        implementation.quoteIdentifier(name)
    }

    /// An enum column's type lists its values (see ``DatabaseDialect/enumValuesInColumnType``).
    public var enumValuesInColumnType: Bool { implementation.enumValuesInColumnType }
    /// Unique indexes are unique constraints (see ``DatabaseDialect/uniqueIndexesAreConstraints``).
    public var uniqueIndexesAreConstraints: Bool { implementation.uniqueIndexesAreConstraints }
    /// An INSERT reports an autoincrementing key (see ``DatabaseDialect/lastInsertIDIsAutoincrementKey``).
    public var lastInsertIDIsAutoincrementKey: Bool { implementation.lastInsertIDIsAutoincrementKey }

    /// CREATE TABLE carries the comments (see ``DatabaseDialect/commentsInCreateTable``).
    public var commentsInCreateTable: Bool { implementation.commentsInCreateTable }
    /// Indexes take prefix lengths (see ``DatabaseDialect/indexPrefixLengths``).
    public var indexPrefixLengths: Bool { implementation.indexPrefixLengths }
    /// Partial indexes (see ``DatabaseDialect/supportsPartialIndexes``).
    public var supportsPartialIndexes: Bool { implementation.supportsPartialIndexes }
    /// `UPDATE … RETURNING` (see ``DatabaseDialect/supportsUpdateReturning``).
    public var supportsUpdateReturning: Bool { supportsReturning && implementation.supportsUpdateReturning }
    /// The name every primary key has, if the database allows no other (see
    /// ``DatabaseDialect/fixedPrimaryKeyName``).
    public var fixedPrimaryKeyName: String? { implementation.fixedPrimaryKeyName }

    /// A new SQL compiler for one statement.
    public func makeSQLCompiler() -> SQLCompiler { implementation.makeSQLCompiler(self) }
    /// A new DDL compiler for one statement.
    public func makeDDLCompiler() -> DDLCompiler { implementation.makeDDLCompiler(self) }
    /// The shared type compiler.
    public var typeCompiler: TypeCompiler { implementation.typeCompiler }
    /// How this dialect reads its catalog.
    public var reflector: any SchemaReflector { implementation.reflector }

    /// The query whose rows are one row when `table` exists (values bound): the one
    /// table-exists check behind `checkFirst` and the migrator's own tables.
    public func tableExistsQuery(_ table: TableReference) -> CompiledStatement {
        implementation.tableExistsQuery(table, dialect: self)
    }
}

/// ANSI identifier quoting (double quotes), the default of ``DatabaseDialect``.
public enum IdentifierQuoting {
    /// Always quotes, doubling embedded quotes.
    public static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Lower-case ASCII letters, digits and underscores, not starting with a digit,
    /// and not a reserved word.
    public static func isSafe(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
        for c in name.utf8 {
            let ok = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
            if !ok { return false }
        }
        return !reservedWords.contains(name)
    }

    /// SQL words that cannot stand unquoted as identifiers on SQLite or PostgreSQL.
    public static let reservedWords: Set<String> = [
        "abort", "action", "add", "after", "all", "alter", "always", "analyse", "analyze", "and", "any", "array",
        "as", "asc", "asymmetric", "attach", "authorization", "autoincrement", "before", "begin", "between",
        "binary", "both", "by", "cascade", "case", "cast", "check", "collate", "collation", "column", "commit",
        "concurrently", "conflict", "constraint", "create", "cross", "current", "current_catalog",
        "current_date", "current_role", "current_schema", "current_time", "current_timestamp", "current_user",
        "database", "default", "deferrable", "deferred", "delete", "desc", "detach", "distinct", "do", "drop",
        "each", "else", "end", "escape", "except", "exclude", "exclusive", "exists", "explain", "fail",
        "false", "fetch", "filter", "first", "following", "for", "foreign", "freeze", "from", "full",
        "generated", "glob", "grant", "group", "groups", "having", "if", "ignore", "ilike", "immediate", "in",
        "index", "indexed", "initially", "inner", "insert", "instead", "intersect", "into", "is", "isnull",
        "join", "key", "last", "lateral", "leading", "left", "like", "limit", "localtime", "localtimestamp",
        "match", "materialized", "natural", "no", "not", "nothing", "notnull", "null", "nulls", "of", "offset",
        "on", "only", "or", "order", "others", "outer", "over", "overlaps", "partition", "placing", "plan",
        "pragma", "preceding", "primary", "query", "raise", "range", "recursive", "references", "regexp",
        "reindex", "release", "rename", "replace", "restrict", "returning", "right", "rollback", "row", "rows",
        "savepoint", "select", "session_user", "set", "similar", "some", "symmetric", "table", "temp",
        "temporary", "then", "ties", "to", "trailing", "transaction", "trigger", "true", "unbounded", "union",
        "unique", "update", "user", "using", "vacuum", "values", "variadic", "verbose", "view", "virtual",
        "when", "where", "window", "with", "without",
    ]
}
