/// MySQL's spelling of types.
///
/// | Retort | MySQL / MariaDB |
/// |---|---|
/// | `boolean` | `TINYINT(1)` |
/// | `string(N)` | `VARCHAR(N)` (a `string` with no length is an error: VARCHAR needs one) |
/// | `text` | `LONGTEXT` (reflection reads every `*TEXT` as `text`) |
/// | `float`, `double` | `FLOAT`, `DOUBLE` |
/// | `numeric(P,S)` | `DECIMAL(P, S)` (with no precision an error: MySQL's bare DECIMAL is DECIMAL(10,0) and rounds to whole numbers) |
/// | `datetime`, `datetime(timezone)` | `DATETIME(6)`, both: no time zone is kept, values are UTC |
/// | `time` | `TIME(6)` |
/// | `binary` | `LONGBLOB` |
/// | `json` | `JSON` (on MariaDB an alias of LONGTEXT with a `json_valid` CHECK) |
/// | `uuid` | `UUID` on MariaDB 10.7+, else `CHAR(36)` |
/// | `enum(NAME)` | `ENUM('a', 'b')`, inline in the column |
final class MySQLTypeCompiler: TypeCompiler, @unchecked Sendable {
    // @unchecked Sendable: stateless, as ``TypeCompiler`` is.
    private(set) var server = MySQLServer(.mysql, [8, 0, 36])

    convenience init(server: MySQLServer) {
        self.init(quoteIdentifier: { MySQLIdentifierQuoting.quoteIfNeeded($0) })
        self.server = server
    }

    override func typeName(_ type: SQLType) throws -> String {
        switch type {
        case .string(nil):
            throw ArgumentError("MySQL's VARCHAR needs a length: declare string(N), or text for unbounded text")
        case .numeric(nil, _):
            throw ArgumentError(
                "MySQL's DECIMAL with no precision is DECIMAL(10,0), which rounds every value to a whole number: "
                    + "declare numeric(P,S)")
        default:
            return try super.typeName(type)
        }
    }

    override func visitBoolean() -> String { "TINYINT(1)" }
    override func visitText() -> String { "LONGTEXT" }
    override func visitFloat() -> String { "FLOAT" }
    override func visitDouble() -> String { "DOUBLE" }
    override func visitNumeric(_ precision: Int?, _ scale: Int?) -> String {
        switch (precision, scale) {
        case (let p?, let s?): return "DECIMAL(\(p), \(s))"
        case (let p?, nil): return "DECIMAL(\(p))"
        default: return "DECIMAL"
        }
    }
    override func visitDatetime(timezone: Bool) -> String { "DATETIME(6)" }
    override func visitTime() -> String { "TIME(6)" }
    override func visitBinary() -> String { "LONGBLOB" }
    override func visitJSON() -> String { "JSON" }
    override func visitUUID() -> String { server.features.contains(.uuidType) ? "UUID" : "CHAR(36)" }
    override func visitEnum(_ name: String, _ values: [String]) throws -> String {
        if values.isEmpty { throw ArgumentError("enum '\(name)' has no values") }
        return "ENUM(" + (try values.map { try MySQLDialect(server: server).quoted($0) }.joined(separator: ", ")) + ")"
    }

    /// The types `CAST` takes: `SIGNED`, `CHAR`, `DECIMAL(P, S)`, `DOUBLE`,
    /// `DATETIME(6)`, `BINARY`, `JSON` (MySQL; `CHAR` on MariaDB).
    override func castTypeName(_ type: SQLType) throws -> String {
        switch type {
        case .integer, .bigint, .smallint, .boolean: return "SIGNED"
        case .string, .text, .enum, .uuid: return "CHAR"
        case .float, .double: return "DOUBLE"
        case .numeric(let p, let s): return visitNumeric(p ?? 65, s ?? 30)
        case .date: return "DATE"
        case .datetime: return "DATETIME(6)"
        case .time: return "TIME(6)"
        case .binary: return "BINARY"
        case .json: return server.isMariaDB ? "CHAR" : "JSON"
        case .sql(let raw): return raw
        }
    }
}
