import Foundation
import Logging

/// Everything one database spells its own way: how to reach it (URL schemes and the
/// driver), its compilers, how it quotes names and writes literals, its isolation
/// levels and BEGIN statements, the table-exists query, and how its catalog is read.
///
/// One type per database implements it, in that database's folder
/// (`Dialects/SQLite/SQLiteDialect.swift`, `Dialects/PostgreSQL/PostgreSQLDialect.swift`);
/// each is wrapped in a ``Dialect`` value (`Dialect.sqlite`, `Dialect.postgresql`)
/// together with the capability flags that shared code asks. Shared code never
/// compares a database's name: it asks a flag or calls one of these methods. A new
/// database adds a folder and one line in ``Dialect/registered``.
///
/// Behaviour that only the migrator needs (its lock, foreign keys during table
/// rebuilds, whether DDL is transactional) is not here: it belongs to RetortMigrate's
/// per-database `MigrationDialect`.
public protocol DatabaseDialect: Sendable {
    /// The database's name in URLs, revision files and messages: `sqlite`, `postgresql`.
    var name: String { get }
    /// Other URL schemes for this database (`postgres`).
    var urlAliases: [String] { get }
    /// Driver names a URL may give after `+` (`postgresql+libpq`).
    var driverNames: [String] { get }
    /// URLs name a file (`sqlite:///app.db`) rather than a server and database.
    var urlNamesAFile: Bool { get }
    /// The driver for `url` (validates its options; contacts nothing).
    func makeDriver(url: DatabaseURL, logger: Logger) throws -> any Driver

    /// A new SQL compiler for one statement.
    func makeSQLCompiler(_ dialect: Dialect) -> SQLCompiler
    /// A new DDL compiler for one statement.
    func makeDDLCompiler(_ dialect: Dialect) -> DDLCompiler
    /// The (stateless, shared) type compiler.
    var typeCompiler: TypeCompiler { get }
    /// How the catalog is read.
    var reflector: any SchemaReflector { get }

    /// An identifier quoted when it needs it. The default: ANSI double quotes around
    /// names that are not lower-case, plain and unreserved (``IdentifierQuoting``).
    func quoteIdentifier(_ name: String) -> String
    /// A value as an SQL literal: the one spelling used by compiled statements with
    /// literal values and by offline scripts. The default is ANSI: `true`/`false`,
    /// `X'..'` blobs, timestamps as quoted UTC text; a non-finite number throws.
    func literal(_ value: SQLValue) throws -> String

    /// The isolation levels the database offers.
    var isolationLevels: [IsolationLevel] { get }
    /// The statements that open a transaction at `isolation` (already checked to be
    /// one of ``isolationLevels``; nil: the database's default). `immediate` asks for
    /// the write lock at once where that is a separate step.
    func beginStatements(isolation: IsolationLevel?, immediate: Bool) -> [String]
    /// The query whose rows are one row when `table` exists (its values bound).
    func tableExistsQuery(_ table: TableReference, dialect: Dialect) -> CompiledStatement

    /// The dialect to use once a connection to the server is open: SQLAlchemy's
    /// `dialect.initialize(connection)`. An ``Engine`` calls it once, on its first
    /// connection, and uses what it returns from then on. The default returns `dialect`;
    /// MySQL settles MySQL or MariaDB and the server's version here.
    func initialize(_ dialect: Dialect, connection: any DriverConnection) throws -> Dialect
    /// The dialect a URL's options choose before anything connects, for offline
    /// scripts: Oracle's `oracle://…?version=23` is ``Dialect/oracle23``. The default
    /// returns `dialect`.
    func dialect(for url: DatabaseURL, _ dialect: Dialect) throws -> Dialect
    /// Whatever else, beyond the name and the ``Dialect`` flags, makes two values of
    /// this database compile a statement differently (a server version's features); the
    /// compiled-statement cache keys on it. At most 20 bits. The default is 0.
    var compilationVariant: UInt64 { get }
    /// An enum column's type lists its values (MySQL's `ENUM('a', 'b')`): no type is
    /// created and no CHECK stands in; reflection names the enum after its column.
    var enumValuesInColumnType: Bool { get }
    /// A unique index and a unique constraint are one thing (MySQL's UNIQUE KEY), which
    /// reflection reports as a unique constraint.
    var uniqueIndexesAreConstraints: Bool { get }
    /// An INSERT reports the key an autoincrementing integer primary key generated
    /// (SQLite's rowid, MySQL's `LAST_INSERT_ID()`), so it needs no RETURNING.
    var lastInsertIDIsAutoincrementKey: Bool { get }
    /// What stands inside `IN (...)` for an empty expanded list: nothing (SQLite reads
    /// `x IN ()` as false); MySQL, which cannot parse that, an empty subquery.
    var emptyListSQL: String { get }
    /// CREATE TABLE writes the table's and its columns' comments itself, and ADD COLUMN
    /// the column's (MySQL's `COMMENT '…'`), so no separate comment statements follow them.
    var commentsInCreateTable: Bool { get }
    /// An index may cover only the first N characters of a column (MySQL's
    /// `INDEX (body(100))`, ``Index/mysqlLength``), and reflection reads those lengths back.
    var indexPrefixLengths: Bool { get }
    /// `CREATE INDEX … WHERE` (a partial index); without it such an index is refused
    /// before anything is sent.
    var supportsPartialIndexes: Bool { get }
    /// `UPDATE … RETURNING`, where ``Dialect/supportsReturning`` holds (MariaDB has
    /// RETURNING on INSERT and DELETE only).
    var supportsUpdateReturning: Bool { get }
    /// The one name every primary key has where the database names them itself and
    /// keeps no other (MySQL: `PRIMARY`); nil where each has a name of its own.
    /// Reflection reads such a key unnamed, and it is dropped as the table's primary key.
    var fixedPrimaryKeyName: String? { get }
}

extension DatabaseDialect {
    public var urlAliases: [String] { [] }
    public var driverNames: [String] { [] }
    public var urlNamesAFile: Bool { false }
    public func initialize(_ dialect: Dialect, connection: any DriverConnection) throws -> Dialect { dialect }
    public func dialect(for url: DatabaseURL, _ dialect: Dialect) throws -> Dialect { dialect }
    public var compilationVariant: UInt64 { 0 }
    public var enumValuesInColumnType: Bool { false }
    public var uniqueIndexesAreConstraints: Bool { false }
    public var lastInsertIDIsAutoincrementKey: Bool { false }
    public var emptyListSQL: String { "" }
    public var commentsInCreateTable: Bool { false }
    public var indexPrefixLengths: Bool { false }
    public var supportsPartialIndexes: Bool { true }
    public var supportsUpdateReturning: Bool { true }
    public var fixedPrimaryKeyName: String? { nil }

    public func quoteIdentifier(_ name: String) -> String {
        IdentifierQuoting.isSafe(name) ? name : IdentifierQuoting.quote(name)
    }

    public func literal(_ value: SQLValue) throws -> String {
        try ANSILiteral.literal(value)
    }

    public func beginStatements(isolation: IsolationLevel?, immediate: Bool) -> [String] {
        guard let isolation, isolation != .autocommit else { return ["BEGIN"] }
        return ["BEGIN ISOLATION LEVEL \(isolation.rawValue)"]
    }

    /// The information-schema form: `SELECT 1 FROM information_schema.tables WHERE …`,
    /// in the current schema unless the table names one.
    public func tableExistsQuery(_ table: TableReference, dialect: Dialect) -> CompiledStatement {
        let p = dialect.paramStyle
        if let schema = table.schema {
            return CompiledStatement(
                sql: "SELECT 1 FROM information_schema.tables WHERE table_schema = \(p.placeholder(1)) "
                    + "AND table_name = \(p.placeholder(2))",
                bindings: [.value(.text(schema)), .value(.text(table.name))])
        }
        return CompiledStatement(
            sql: "SELECT 1 FROM information_schema.tables WHERE table_schema = \(currentSchemaFunction) "
                + "AND table_name = \(p.placeholder(1))",
            bindings: [.value(.text(table.name))])
    }

    /// `current_schema()`: the function naming the schema unqualified names resolve in.
    public var currentSchemaFunction: String { "current_schema()" }
}

/// The ANSI spelling of literals, which dialects start from.
public enum ANSILiteral {
    /// `'text'` with quotes doubled; a NUL character throws (SQL text cannot hold it).
    public static func quoted(_ s: String) throws -> String {
        if s.utf8.contains(0) { throw ArgumentError("a SQL literal cannot contain a NUL character") }
        return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// Upper-case hex digits of `data`.
    public static func hex(_ data: Data) -> String {
        data.map { String(format: "%02X", $0) }.joined()
    }

    /// The ANSI literal of `value`.
    public static func literal(_ value: SQLValue) throws -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let v): return String(v)
        case .real(let v):
            guard v.isFinite else { throw ArgumentError("cannot write the non-finite number \(v) as a SQL literal") }
            return String(v)
        case .text(let s): return try quoted(s)
        case .decimal(let d):
            guard d.isFinite else { throw ArgumentError("cannot write the non-finite number \(d) as a SQL literal") }
            return d.description
        case .bool(let b): return b ? "true" : "false"
        case .timestamp(let d): return "'" + SQLDateFormat.timestampString(d) + "'"
        case .uuid(let u): return "'" + u.uuidString.lowercased() + "'"
        case .blob(let data): return "X'" + hex(data) + "'"
        }
    }
}

extension Dialect {
    /// The databases Retort speaks, in the order URL errors list them. A new database
    /// registers its dialect here.
    public static let registered: [Dialect] = [.sqlite, .postgresql, .mysql, .oracle, .mssql]

    /// The registered dialect a URL scheme (`sqlite`, `postgres`, …) names, if any.
    public static func named(_ scheme: String) -> Dialect? {
        registered.first { $0.name == scheme || $0.implementation.urlAliases.contains(scheme) }
    }

    /// The dialect `url` writes for without connecting (offline scripts): its scheme's,
    /// as the URL's options refine it (`oracle://…?version=23` is ``oracle23``).
    public static func forURL(_ url: DatabaseURL) throws -> Dialect? {
        guard let d = named(url.backend) else { return nil }
        return try d.implementation.dialect(for: url, d)
    }
}
