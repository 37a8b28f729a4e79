import Foundation
import Logging

/// PostgreSQL through libpq.
///
/// Every ANSI isolation level; `BEGIN ISOLATION LEVEL …`; bytea literals
/// `'\x..'::bytea`; timestamps written with their UTC offset, as the driver binds them;
/// the catalog read from `pg_catalog`.
struct PostgreSQLDialect: DatabaseDialect {
    var name: String { "postgresql" }
    var urlAliases: [String] { ["postgres"] }
    var driverNames: [String] { ["libpq"] }

    func makeDriver(url: DatabaseURL, logger: Logger) throws -> any Driver { try PostgreSQLDriver(url: url, logger: logger) }

    func makeSQLCompiler(_ dialect: Dialect) -> SQLCompiler { PostgreSQLCompiler(dialect: dialect) }
    func makeDDLCompiler(_ dialect: Dialect) -> DDLCompiler { PostgreSQLDDLCompiler(dialect: dialect) }
    let typeCompiler: TypeCompiler = PostgreSQLTypeCompiler(quoteIdentifier: { IdentifierQuoting.isSafe($0) ? $0 : IdentifierQuoting.quote($0) })
    var reflector: any SchemaReflector { PostgreSQLReflector() }

    /// Blobs as `'\x0a0b'::bytea`; timestamps as `'… +00'` (UTC, as bound); infinities
    /// and NaN as `'Infinity'::float8`, `'-Infinity'::float8`, `'NaN'::float8`.
    func literal(_ value: SQLValue) throws -> String {
        switch value {
        case .blob(let data): return "'\\x" + ANSILiteral.hex(data).lowercased() + "'::bytea"
        case .timestamp(let d): return "'" + SQLDateFormat.timestampString(d) + "+00'"
        case .real(let d) where !d.isFinite: return "'" + (d.isNaN ? "NaN" : d > 0 ? "Infinity" : "-Infinity") + "'::float8"
        case .decimal(let d) where d.isNaN: return "'NaN'::numeric"
        default: return try ANSILiteral.literal(value)
        }
    }

    var isolationLevels: [IsolationLevel] { IsolationLevel.allCases }
}

extension Dialect {
    /// PostgreSQL through libpq.
    public static let postgresql = Dialect(
        paramStyle: .dollarNumbered, maxBindParameters: 65535, maxIdentifierLength: 63,
        supportsReturning: true, supportsSavepoints: true,
        supportsForUpdate: true, supportsNativeEnum: true, supportsAlterColumn: true,
        supportsComments: true, integerPrimaryKeyIsRowID: false, typesKeepTimeZone: true,
        listParameterStyle: .array, supportsRightAndFullJoin: true, implementation: PostgreSQLDialect())
}
