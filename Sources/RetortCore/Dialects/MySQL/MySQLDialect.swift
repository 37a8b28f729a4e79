import Foundation
import Logging

/// MySQL and MariaDB through libmariadb (MariaDB Connector/C).
///
/// One dialect speaks both servers; what differs between them, and between their
/// versions, is its ``MySQLServer`` (the flavour and version), settled from the
/// server's version string when an ``Engine`` opens its first connection (see
/// ``DatabaseDialect/initialize(_:connection:)``):
///
/// | | MySQL 8 (``Dialect/mysql``, offline default) | MariaDB (``Dialect/mariadb``) |
/// |---|---|---|
/// | `RETURNING` | never (the last insert id gives keys) | INSERT and DELETE from 10.5, never UPDATE |
/// | `uuid` | `CHAR(36)` | `UUID` from 10.7, else `CHAR(36)` |
/// | upsert's new row | `AS new` … `new.col` from 8.0.19, else `VALUES(col)` | `VALUES(col)` |
/// | `INTERSECT` / `EXCEPT` | from 8.0.31 | from 10.3 |
/// | `LATERAL` | from 8.0.14 | no |
/// | `RENAME COLUMN` | yes | from 10.5 |
/// | dropping a CHECK | `DROP CHECK name` | `DROP CONSTRAINT name` |
/// | index over expressions | from 8.0.13 | no (index a generated column) |
///
/// Identifiers are quoted with backticks; string literals double their quotes and,
/// unless the session's `sql_mode` has `NO_BACKSLASH_ESCAPES` (read at the first
/// connection), their backslashes; `DATETIME(6)` keeps no time zone, so every
/// timestamp is written and read as UTC (the driver sets the session's `time_zone`).
public struct MySQLDialect: DatabaseDialect {
    /// The server the dialect writes for.
    public let server: MySQLServer
    /// String literals double backslashes (the server reads `\` as an escape unless
    /// `sql_mode` has `NO_BACKSLASH_ESCAPES`).
    public let backslashEscapes: Bool
    public let typeCompiler: TypeCompiler

    /// The dialect for `server`.
    public init(server: MySQLServer, backslashEscapes: Bool = true) {
        self.server = server
        self.backslashEscapes = backslashEscapes
        self.typeCompiler = MySQLTypeCompiler(server: server)
    }

    public var name: String { "mysql" }
    public var urlAliases: [String] { ["mariadb"] }
    public var driverNames: [String] { ["libmariadb"] }

    public func makeDriver(url: DatabaseURL, logger: Logger) throws -> any Driver { try MySQLDriver(url: url, logger: logger) }

    public func makeSQLCompiler(_ dialect: Dialect) -> SQLCompiler { MySQLCompiler(dialect: dialect) }
    public func makeDDLCompiler(_ dialect: Dialect) -> DDLCompiler { MySQLDDLCompiler(dialect: dialect) }
    public var reflector: any SchemaReflector { MySQLReflector(server: server) }

    /// Backticks around names that are not lower-case, plain and unreserved in MySQL
    /// (``MySQLIdentifierQuoting``), embedded backticks doubled.
    public func quoteIdentifier(_ name: String) -> String { MySQLIdentifierQuoting.quoteIfNeeded(name) }

    /// Booleans `1`/`0`; strings with quotes doubled and backslashes doubled (see
    /// ``backslashEscapes``); timestamps `'YYYY-MM-DD HH:MM:SS.ffffff'` in UTC; blobs
    /// `X'..'`; a non-finite number throws (MySQL has none).
    public func literal(_ value: SQLValue) throws -> String {
        switch value {
        case .bool(let b): return b ? "1" : "0"
        case .text(let s): return try quoted(s)
        default: return try ANSILiteral.literal(value)
        }
    }

    /// `'text'` as this server reads it.
    func quoted(_ s: String) throws -> String {
        let ansi = try ANSILiteral.quoted(s)
        return backslashEscapes ? ansi.replacingOccurrences(of: "\\", with: "\\\\") : ansi
    }

    public var isolationLevels: [IsolationLevel] { IsolationLevel.allCases }

    /// `START TRANSACTION`, after `SET TRANSACTION ISOLATION LEVEL …` (which applies to
    /// the next transaction only) for a level.
    public func beginStatements(isolation: IsolationLevel?, immediate: Bool) -> [String] {
        guard let isolation, isolation != .autocommit else { return ["START TRANSACTION"] }
        return ["SET TRANSACTION ISOLATION LEVEL \(isolation.rawValue)", "START TRANSACTION"]
    }

    /// `x` as utf8mb4 text: `information_schema` columns are utf8mb3 on MariaDB and
    /// cannot be compared with a name outside it (an emoji) without this.
    static func utf8mb4(_ x: String) -> String { "CONVERT(\(x) USING utf8mb4) COLLATE utf8mb4_bin" }

    /// `information_schema.TABLES` in `DATABASE()` (the database unqualified names
    /// resolve in) unless the table names one.
    public func tableExistsQuery(_ table: TableReference, dialect: Dialect) -> CompiledStatement {
        if let schema = table.schema {
            return CompiledStatement(
                sql: "SELECT 1 FROM information_schema.TABLES WHERE \(Self.utf8mb4("TABLE_SCHEMA")) = ? "
                    + "AND \(Self.utf8mb4("TABLE_NAME")) = ?",
                bindings: [.value(.text(schema)), .value(.text(table.name))])
        }
        return CompiledStatement(
            sql: "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND \(Self.utf8mb4("TABLE_NAME")) = ?",
            bindings: [.value(.text(table.name))])
    }

    public var compilationVariant: UInt64 { server.features.rawValue | (backslashEscapes ? 1 << 15 : 0) }
    public var enumValuesInColumnType: Bool { true }
    public var uniqueIndexesAreConstraints: Bool { true }
    public var lastInsertIDIsAutoincrementKey: Bool { true }
    /// `COMMENT '…'` inside CREATE TABLE and ADD COLUMN (MySQL has no statement that sets
    /// only a column's comment).
    public var commentsInCreateTable: Bool { true }
    /// `INDEX (body(100))`, read back from `information_schema.STATISTICS.SUB_PART`.
    public var indexPrefixLengths: Bool { true }
    /// MySQL has no partial index (index a generated column instead).
    public var supportsPartialIndexes: Bool { false }
    /// RETURNING is on INSERT and DELETE only (MariaDB 10.5+), never on UPDATE.
    public var supportsUpdateReturning: Bool { false }
    /// Every primary key is called `PRIMARY` (a name given to one is ignored, and
    /// `PRIMARY` may name nothing else).
    public var fixedPrimaryKeyName: String? { "PRIMARY" }
    /// `x IN (SELECT NULL FROM DUAL WHERE FALSE)`: false, and `NOT IN` true, whatever `x` is.
    public var emptyListSQL: String { "SELECT NULL FROM DUAL WHERE FALSE" }

    /// Settles the flavour from the server's version (`10.11.19-MariaDB`, `8.0.36`) and
    /// the string-literal rule from the session's `sql_mode`.
    public func initialize(_ dialect: Dialect, connection: any DriverConnection) throws -> Dialect {
        let cursor = try connection.execute("SELECT @@SESSION.sql_mode", [])
        defer { cursor.close() }
        var mode = ""
        if let row = try cursor.next(), case .text(let text) = row.first ?? .null { mode = text }
        return Dialect.mysql(server: MySQLServer(versionString: connection.serverVersion),
                             backslashEscapes: !mode.uppercased().contains("NO_BACKSLASH_ESCAPES"))
    }
}

/// A MySQL or MariaDB server: its flavour and version, and what that makes it support.
public struct MySQLServer: Sendable, Hashable, CustomStringConvertible {
    public enum Flavour: String, Sendable, Hashable { case mysql = "MySQL", mariadb = "MariaDB" }
    public var flavour: Flavour
    /// Major, minor, patch.
    public var version: [Int]

    public init(_ flavour: Flavour, _ version: [Int]) {
        self.flavour = flavour
        self.version = version
    }

    /// From a version string as the server reports it: `8.0.36`, `10.11.19-MariaDB`,
    /// `5.5.5-10.11.19-MariaDB-1:10.11.19+maria~deb12` (MariaDB's replication prefix).
    public init(versionString: String) {
        var s = Substring(versionString)
        let mariadb = versionString.lowercased().contains("mariadb")
        if mariadb, s.hasPrefix("5.5.5-") { s = s.dropFirst(6) }
        let numbers = s.prefix { $0.isNumber || $0 == "." }.split(separator: ".").compactMap { Int($0) }
        self.init(mariadb ? .mariadb : .mysql, Array((numbers + [0, 0, 0]).prefix(3)))
    }

    public var description: String { flavour.rawValue + " " + version.map(String.init).joined(separator: ".") }

    /// True when the server's version is at least `v` (compared part by part).
    public func atLeast(_ v: Int...) -> Bool { version.lexicographicallyPrecedes(v) == false }

    var isMariaDB: Bool { flavour == .mariadb }

    /// What this server supports, one bit each (also how compiled statements tell
    /// servers apart in the statement cache).
    public struct Features: OptionSet, Sendable, Hashable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let mariadb = Features(rawValue: 1 << 0)
        /// `INSERT … RETURNING`, `DELETE … RETURNING` (MariaDB 10.5).
        public static let returning = Features(rawValue: 1 << 1)
        /// `INSERT … AS new ON DUPLICATE KEY UPDATE c = new.c` (MySQL 8.0.19).
        public static let rowAlias = Features(rawValue: 1 << 2)
        public static let intersectExcept = Features(rawValue: 1 << 3)
        /// The `UUID` column type (MariaDB 10.7).
        public static let uuidType = Features(rawValue: 1 << 4)
        public static let renameColumn = Features(rawValue: 1 << 5)
        public static let lateral = Features(rawValue: 1 << 6)
        public static let skipLocked = Features(rawValue: 1 << 7)
        /// `DEFAULT (expression)` (MySQL 8.0.13, MariaDB 10.2).
        public static let expressionDefaults = Features(rawValue: 1 << 8)
        public static let windowFunctions = Features(rawValue: 1 << 9)
        /// `CREATE SEQUENCE`, `nextval(s)` (MariaDB 10.3).
        public static let sequences = Features(rawValue: 1 << 10)
        /// An index over expressions, `INDEX ((lower(name)))` (MySQL 8.0.13; MariaDB has none).
        public static let expressionIndexes = Features(rawValue: 1 << 11)
    }

    public var features: Features {
        var f: Features = []
        if isMariaDB {
            f.insert(.mariadb)
            if atLeast(10, 5) { f.formUnion([.returning, .renameColumn]) }
            if atLeast(10, 3) { f.formUnion([.intersectExcept, .sequences]) }
            if atLeast(10, 7) { f.insert(.uuidType) }
            if atLeast(10, 6) { f.insert(.skipLocked) }
            if atLeast(10, 2) { f.formUnion([.expressionDefaults, .windowFunctions]) }
        } else {
            if atLeast(8, 0, 19) { f.insert(.rowAlias) }
            if atLeast(8, 0, 31) { f.insert(.intersectExcept) }
            if atLeast(8, 0, 14) { f.insert(.lateral) }
            if atLeast(8, 0, 13) { f.formUnion([.expressionDefaults, .expressionIndexes]) }
            if atLeast(8) { f.formUnion([.renameColumn, .skipLocked, .windowFunctions]) }
        }
        return f
    }
}

extension Dialect {
    /// MySQL 8 (8.0.36) through libmariadb: what an engine on a `mysql://` URL starts
    /// with, and what offline `--sql` scripts are written for. An engine settles the
    /// flavour and version on its first connection (``Dialect/mysql(server:backslashEscapes:)``).
    public static let mysql = Dialect.mysql(server: MySQLServer(.mysql, [8, 0, 36]))

    /// MariaDB 10.11 (RETURNING on INSERT and DELETE, the UUID type).
    public static let mariadb = Dialect.mysql(server: MySQLServer(.mariadb, [10, 11, 0]))

    /// The MySQL dialect for one server's flavour and version.
    public static func mysql(server: MySQLServer, backslashEscapes: Bool = true) -> Dialect {
        Dialect(
            paramStyle: .questionMark, maxBindParameters: 65535, maxIdentifierLength: 64,
            supportsReturning: server.features.contains(.returning), supportsSavepoints: true,
            supportsForUpdate: true, supportsNativeEnum: false, supportsAlterColumn: true,
            supportsComments: true, integerPrimaryKeyIsRowID: false, typesKeepTimeZone: false,
            listParameterStyle: .expanded(jsonFallback: false), supportsRightAndFullJoin: false,
            implementation: MySQLDialect(server: server, backslashEscapes: backslashEscapes))
    }
}
