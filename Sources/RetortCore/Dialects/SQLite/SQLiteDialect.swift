import Foundation
import Logging

/// SQLite through libsqlite3: the embedded database, one file per database.
///
/// Transactions are serializable (its only level besides autocommit); `BEGIN IMMEDIATE`
/// takes the write lock at once; booleans are written `1`/`0`; the catalog is
/// `sqlite_master`.
struct SQLiteDialect: DatabaseDialect {
    var name: String { "sqlite" }
    var urlNamesAFile: Bool { true }
    /// A lone `INTEGER PRIMARY KEY` is the rowid, which every INSERT reports.
    var lastInsertIDIsAutoincrementKey: Bool { true }

    func makeDriver(url: DatabaseURL, logger: Logger) throws -> any Driver { try SQLiteDriver(url: url) }

    func makeSQLCompiler(_ dialect: Dialect) -> SQLCompiler { SQLiteCompiler(dialect: dialect) }
    func makeDDLCompiler(_ dialect: Dialect) -> DDLCompiler { SQLiteDDLCompiler(dialect: dialect) }
    let typeCompiler: TypeCompiler = SQLiteTypeCompiler(quoteIdentifier: { IdentifierQuoting.isSafe($0) ? $0 : IdentifierQuoting.quote($0) })
    var reflector: any SchemaReflector { SQLiteReflector() }

    /// Booleans are `1`/`0`; infinities are `9e999` (the REAL SQLite reads as infinite);
    /// NaN has no SQLite value (it stores NULL), so it throws.
    func literal(_ value: SQLValue) throws -> String {
        switch value {
        case .bool(let b): return b ? "1" : "0"
        case .real(let d) where d.isInfinite: return d > 0 ? "9e999" : "-9e999"
        default: return try ANSILiteral.literal(value)
        }
    }

    var isolationLevels: [IsolationLevel] { [.autocommit, .serializable] }

    /// `BEGIN` (SQLite transactions are serializable), `BEGIN IMMEDIATE` for a writer.
    func beginStatements(isolation: IsolationLevel?, immediate: Bool) -> [String] {
        [immediate ? "BEGIN IMMEDIATE" : "BEGIN"]
    }

    func tableExistsQuery(_ table: TableReference, dialect: Dialect) -> CompiledStatement {
        let master = table.schema.map { IdentifierQuoting.quote($0) + ".sqlite_master" } ?? "sqlite_master"
        return CompiledStatement(
            sql: "SELECT 1 FROM \(master) WHERE type = 'table' AND name = ?", bindings: [.value(.text(table.name))])
    }
}

extension Dialect {
    /// SQLite through libsqlite3.
    public static let sqlite = Dialect(
        paramStyle: .questionMark, maxBindParameters: 32766, maxIdentifierLength: 1024,
        supportsReturning: true, supportsSavepoints: true,
        supportsForUpdate: false, supportsNativeEnum: false, supportsAlterColumn: false,
        supportsComments: false, integerPrimaryKeyIsRowID: true, typesKeepTimeZone: false,
        listParameterStyle: .expanded(jsonFallback: true),
        supportsRightAndFullJoin: SQLiteLibrary.versionNumber >= 3_039_000, implementation: SQLiteDialect())
}
