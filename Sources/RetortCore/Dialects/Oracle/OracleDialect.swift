import Foundation
import Logging

/// Oracle Database 19c and later, compile-only: Retort writes its SQL (for offline
/// migration scripts and ``Dialect/literalSQL(_:_:)``) but has no driver for it.
///
/// Unquoted names fold to upper case, so a lower-case name is written bare and one
/// with upper-case letters (or a reserved word, or a leading digit or underscore) is
/// quoted: `authors` stays `authors` (the table AUTHORS), `"MyTable"` keeps its case.
/// Parameters are `:1`, `:2`; booleans are `NUMBER(1)` holding 1 / 0 (with a CHECK)
/// before 23ai and `BOOLEAN` holding TRUE / FALSE from 23ai (``Dialect/oracle23``, or
/// `oracle://…?version=23`); timestamps are `TIMESTAMP '…'` literals, blobs and UUIDs
/// `HEXTORAW('…')`.
struct OracleDialect: DatabaseDialect {
    /// The major release the SQL is written for: 19 (19c, the default) or later.
    let version: Int

    init(version: Int = 19) {
        self.version = version
        typeCompiler = OracleTypeCompiler(nativeBoolean: version >= 23, quoteIdentifier: { OracleDialect.quote($0) })
    }

    /// 23ai has a BOOLEAN type and TRUE / FALSE; earlier releases keep booleans in NUMBER(1).
    var nativeBoolean: Bool { version >= 23 }

    var name: String { "oracle" }

    /// The booleans' spelling is what two Oracle releases compile differently.
    var compilationVariant: UInt64 { nativeBoolean ? 1 : 0 }

    /// `oracle://…?version=23` writes for Oracle 23ai (its BOOLEAN type); no `version`,
    /// for 19c. Releases before 19c are refused.
    func dialect(for url: DatabaseURL, _ dialect: Dialect) throws -> Dialect {
        guard let text = url.option("version") else { return dialect }
        let digits = text.prefix { $0.isNumber }
        guard let major = Int(digits), !digits.isEmpty else {
            throw ArgumentError("the database URL's version=\(text) is not an Oracle release number; write e.g. version=23 or version=19")
        }
        guard major >= 19 else {
            throw ArgumentError("version=\(text): Retort writes SQL for Oracle 19c and later; write version=19 for 19c")
        }
        return .oracle(version: major)
    }

    func makeDriver(url: DatabaseURL, logger: Logger) throws -> any Driver { throw CompileOnly.noDriver(name) }

    func makeSQLCompiler(_ dialect: Dialect) -> SQLCompiler { OracleCompiler(dialect: dialect) }
    func makeDDLCompiler(_ dialect: Dialect) -> DDLCompiler { OracleDDLCompiler(dialect: dialect) }
    let typeCompiler: TypeCompiler
    var reflector: any SchemaReflector { CompileOnlyReflector(databaseName: name) }

    func quoteIdentifier(_ name: String) -> String { OracleDialect.quote(name) }

    /// Bare when Oracle's upper-case folding gives the same name back (lower-case
    /// letters, digits, `_`, `$`, `#`, starting with a letter, not reserved); quoted otherwise.
    static func quote(_ name: String) -> String {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first),
              name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "_$#".unicodeScalars.contains($0) }),
              !reservedWords.contains(name)
        else { return IdentifierQuoting.quote(name) }
        return name
    }

    /// Booleans `1`/`0` (`TRUE`/`FALSE` from 23ai); timestamps `TIMESTAMP 'YYYY-MM-DD HH:MI:SS.FFFFFF'` (UTC);
    /// blobs `HEXTORAW('0A0B')` and UUIDs the same over their 16 bytes (`RAW(16)`);
    /// infinities and NaN as `BINARY_DOUBLE_INFINITY` / `BINARY_DOUBLE_NAN`.
    func literal(_ value: SQLValue) throws -> String {
        switch value {
        case .bool(let b) where nativeBoolean: return b ? "TRUE" : "FALSE"
        case .bool(let b): return b ? "1" : "0"
        case .timestamp(let d): return "TIMESTAMP '" + SQLDateFormat.timestampString(d) + "'"
        case .blob(let data): return "HEXTORAW('" + ANSILiteral.hex(data) + "')"
        case .uuid(let u): return "HEXTORAW('" + u.uuidString.replacingOccurrences(of: "-", with: "") + "')"
        case .real(let d) where d.isNaN: return "BINARY_DOUBLE_NAN"
        case .real(let d) where d.isInfinite: return d > 0 ? "BINARY_DOUBLE_INFINITY" : "-BINARY_DOUBLE_INFINITY"
        default: return try ANSILiteral.literal(value)
        }
    }

    var isolationLevels: [IsolationLevel] { [.readCommitted, .serializable] }

    func beginStatements(isolation: IsolationLevel?, immediate: Bool) -> [String] {
        guard let isolation, isolation != .autocommit else { return [] }
        return ["SET TRANSACTION ISOLATION LEVEL \(isolation.rawValue)"]
    }

    func tableExistsQuery(_ table: TableReference, dialect: Dialect) -> CompiledStatement {
        if let schema = table.schema {
            return CompiledStatement(sql: "SELECT 1 FROM all_tables WHERE owner = :1 AND table_name = :2",
                                     bindings: [.value(.text(schema.uppercased())), .value(.text(OracleDialect.storedName(table.name)))])
        }
        return CompiledStatement(sql: "SELECT 1 FROM user_tables WHERE table_name = :1",
                                 bindings: [.value(.text(OracleDialect.storedName(table.name)))])
    }

    /// The name as Oracle stores it: upper case when written bare.
    static func storedName(_ name: String) -> String { quote(name) == name ? name.uppercased() : name }

    /// Oracle's reserved words (those `V$RESERVED_WORDS` marks reserved), lower case.
    static let reservedWords: Set<String> = [
        "access", "add", "all", "alter", "and", "any", "as", "asc", "audit", "between", "by", "char", "check",
        "cluster", "column", "comment", "compress", "connect", "create", "current", "date", "decimal", "default",
        "delete", "desc", "distinct", "drop", "else", "exclusive", "exists", "file", "float", "for", "from",
        "grant", "group", "having", "identified", "immediate", "in", "increment", "index", "initial", "insert",
        "integer", "intersect", "into", "is", "level", "like", "lock", "long", "maxextents", "minus", "mlslabel",
        "mode", "modify", "noaudit", "nocompress", "not", "nowait", "null", "number", "of", "offline", "on",
        "online", "option", "or", "order", "pctfree", "prior", "privileges", "public", "raw", "rename",
        "resource", "revoke", "row", "rowid", "rownum", "rows", "select", "session", "set", "share", "size",
        "smallint", "start", "successful", "synonym", "sysdate", "table", "then", "to", "trigger", "uid", "union",
        "unique", "update", "user", "validate", "values", "varchar", "varchar2", "view", "whenever", "where", "with",
    ]
}

extension Dialect {
    /// Oracle Database 19c and later, compile-only (no driver): for offline scripts and
    /// compiled SQL. Identifiers up to 128 bytes; `:1` parameters; no native enums or
    /// boolean type (see ``oracle23`` for 23ai's); comments with `COMMENT ON`.
    ///
    /// ```swift
    /// try select(authors.c.name).limit(5).compile(for: .oracle).sql
    /// // SELECT authors.name FROM authors FETCH FIRST :1 ROWS ONLY
    /// ```
    public static let oracle = Dialect.oracle(version: 19)

    /// Oracle Database 23ai, compile-only: as ``oracle`` but with 23ai's `BOOLEAN` type
    /// (no `NUMBER(1)` and CHECK) and `TRUE` / `FALSE` literals. A migrator.yaml chooses
    /// it with `database: oracle://…?version=23`.
    ///
    /// ```swift
    /// try CreateTable(books).compile(for: .oracle23)
    /// // CREATE TABLE books (… in_print BOOLEAN DEFAULT true NOT NULL, …)
    /// ```
    public static let oracle23 = Dialect.oracle(version: 23)

    /// The Oracle dialect for one major release (19 for 19c, 23 for 23ai, ...).
    public static func oracle(version: Int) -> Dialect {
        Dialect(
            paramStyle: .colonNumbered, maxBindParameters: 65535, maxIdentifierLength: 128,
            supportsReturning: true, supportsSavepoints: true,
            supportsForUpdate: true, supportsNativeEnum: false, supportsAlterColumn: true,
            supportsComments: true, integerPrimaryKeyIsRowID: false, typesKeepTimeZone: true,
            listParameterStyle: .expanded(jsonFallback: false), supportsRightAndFullJoin: true,
            implementation: OracleDialect(version: version))
    }
}
