import Foundation
import Logging

/// MySQL and MariaDB through libmariadb — PROVISIONAL: the smallest dialect that lets an
/// ``Engine`` open MySQL connections and run `text(...)` SQL, written with the driver
/// while the real one (MySQL's compilers, types, DDL and reflection) is being written;
/// that one replaces this file.
///
/// What is already MySQL's own: `mysql://`, `mariadb://` and `mysql+libmariadb://` URLs;
/// backtick quoting; transactions begun with `SET TRANSACTION ISOLATION LEVEL …` and
/// `BEGIN`; the table-exists query in the connection's database (`DATABASE()`). The
/// compilers are the shared base ones and reflection is refused with a message.
struct MySQLDialect: DatabaseDialect {
    var name: String { "mysql" }
    var urlAliases: [String] { ["mariadb"] }
    var driverNames: [String] { ["libmariadb"] }

    func makeDriver(url: DatabaseURL, logger: Logger) throws -> any Driver { try MySQLDriver(url: url, logger: logger) }

    func makeSQLCompiler(_ dialect: Dialect) -> SQLCompiler { SQLCompiler(dialect: dialect) }
    func makeDDLCompiler(_ dialect: Dialect) -> DDLCompiler { DDLCompiler(dialect: dialect) }
    let typeCompiler = TypeCompiler(quoteIdentifier: { MySQLDialect.quote($0) })
    var reflector: any SchemaReflector { MySQLReflectorPending() }

    /// `` `name` `` with embedded backticks doubled, when the name needs quoting.
    static func quote(_ name: String) -> String {
        IdentifierQuoting.isSafe(name) ? name : "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
    }

    func quoteIdentifier(_ name: String) -> String { MySQLDialect.quote(name) }

    var isolationLevels: [IsolationLevel] { IsolationLevel.allCases }

    /// MySQL has no `BEGIN ISOLATION LEVEL`: the level is set for the next transaction.
    func beginStatements(isolation: IsolationLevel?, immediate: Bool) -> [String] {
        guard let isolation, isolation != .autocommit else { return ["BEGIN"] }
        return ["SET TRANSACTION ISOLATION LEVEL \(isolation.rawValue)", "BEGIN"]
    }

    func tableExistsQuery(_ table: TableReference, dialect: Dialect) -> CompiledStatement {
        CompiledStatement(
            sql: "SELECT 1 FROM information_schema.tables WHERE table_schema = "
                + (table.schema == nil ? "DATABASE()" : "?") + " AND table_name = ?",
            bindings: (table.schema.map { [.value(.text($0))] } ?? []) + [.value(.text(table.name))])
    }
}

/// Reflection of MySQL is not written yet: every call says so.
struct MySQLReflectorPending: SchemaReflector {
    private func refuse() -> ProgrammingError {
        ProgrammingError(kind: .notSupported, message: "reading a MySQL schema (reflection) is not supported yet")
    }
    func reflect(_ conn: Connection, schema: String?, only: Set<String>?, exclude: Set<String>) throws -> ReflectedSchema {
        throw refuse()
    }
    func schemaNames(_ conn: Connection) throws -> [String] { throw refuse() }
    func canonicalDefault(_ sql: String) -> String { sql }
    func canonicalIndexElement(_ sql: String) -> String { sql }
    func canonicalCondition(_ sql: String) -> String { sql }
    func tableSizes(_ conn: Connection, tables: [String]) throws -> [String: TableSize] { throw refuse() }
}

extension Dialect {
    /// MySQL and MariaDB through libmariadb (provisional: see ``MySQLDialect``).
    public static let mysql = Dialect(
        paramStyle: .questionMark, maxBindParameters: 65535, maxIdentifierLength: 64,
        supportsReturning: false, supportsSavepoints: true,
        supportsForUpdate: true, supportsNativeEnum: false, supportsAlterColumn: true,
        supportsComments: true, integerPrimaryKeyIsRowID: false, typesKeepTimeZone: false,
        listParameterStyle: .expanded(jsonFallback: false), supportsRightAndFullJoin: false,
        implementation: MySQLDialect())
}
