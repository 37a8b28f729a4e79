import CLibPQ
import Foundation

/// Maps libpq failures to Retort's error families.
///
/// Statement errors are classified by SQLSTATE:
///
/// | SQLSTATE | error |
/// |---|---|
/// | class 23 | ``IntegrityError``: 23505 unique, 23503 foreignKey, 23502 notNull, 23514 check, 23P01 exclusion |
/// | class 42 | ``ProgrammingError``: 42601 syntax (multipleStatements for several commands in one call), 42P01 undefinedTable, 42703 undefinedColumn, 42P07/42710/… duplicateObject |
/// | 0A000 | ``ProgrammingError`` notSupported |
/// | class 22 | ``DataError`` |
/// | class 08, 57P01–57P03, or the connection dropped | ``OperationalError`` connectionLost |
/// | 57014, 55P03 | ``OperationalError`` timeout (statement timeout, cancel, lock not available) |
/// | 40001, 40P01 | ``OperationalError`` other (serialization failure, deadlock: retry the transaction) |
/// | class 28 | ``OperationalError`` authenticationFailed |
/// | 25006 | ``OperationalError`` readOnly (a write in a read-only transaction or on a standby) |
/// | 25P02 | ``InterfaceError`` misuse (statements sent after an error, before ROLLBACK) |
/// | 25001 | ``ProgrammingError`` cannotRunInTransaction (e.g. `CREATE INDEX CONCURRENTLY` in a transaction block) |
/// | other class 25 | ``ProgrammingError`` other |
/// | 53100 | ``OperationalError`` diskFull |
/// | other classes 53, 54, 55, 57, 58, XX | ``OperationalError`` other (resources, limits, object state, operator intervention, system) |
/// | anything else | ``ProgrammingError`` other |
enum PostgreSQLErrors {
    // libpq's PG_DIAG_* field codes are character macros that Swift does not import.
    static let fieldSeverity = Int32(UInt8(ascii: "V"))
    static let fieldSQLState = Int32(UInt8(ascii: "C"))
    static let fieldMessagePrimary = Int32(UInt8(ascii: "M"))
    static let fieldMessageDetail = Int32(UInt8(ascii: "D"))
    static let fieldMessageHint = Int32(UInt8(ascii: "H"))
    static let fieldTableName = Int32(UInt8(ascii: "t"))
    static let fieldColumnName = Int32(UInt8(ascii: "c"))
    static let fieldConstraintName = Int32(UInt8(ascii: "n"))

    static func field(_ result: OpaquePointer?, _ code: Int32) -> String? {
        guard let result, let p = PQresultErrorField(result, code) else { return nil }
        return String(cString: p)
    }

    /// libpq's current error message for the connection, trimmed.
    static func connectionMessage(_ conn: OpaquePointer?) -> String {
        guard let conn, let p = PQerrorMessage(conn) else { return "" }
        return String(cString: p).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The error for a failed statement. `result` may be nil (libpq returns none when
    /// the connection is gone or memory ran out); the connection's status decides
    /// whether the failure lost the connection.
    static func error(result: OpaquePointer?, conn: OpaquePointer?, sql: String?) -> any DatabaseError {
        let sqlState = field(result, fieldSQLState)
        var driverMessage = result.flatMap { r -> String? in
            guard let p = PQresultErrorMessage(r), p.pointee != 0 else { return nil }
            return String(cString: p).trimmingCharacters(in: .whitespacesAndNewlines)
        } ?? connectionMessage(conn)
        if driverMessage.isEmpty { driverMessage = "unknown libpq error" }
        let primary = field(result, fieldMessagePrimary) ?? firstLine(stripSeverity(driverMessage))

        let connectionBad = conn.map { PQstatus($0) == CONNECTION_BAD } ?? true
        if connectionBad || isConnectionLoss(sqlState) {
            return OperationalError(
                kind: .connectionLost,
                message: "the connection to the server was lost (\(primary)); open a new connection",
                sql: sql, driverMessage: driverMessage, code: sqlState)
        }
        guard let sqlState else {
            return ProgrammingError(kind: .other, message: primary, sql: sql, driverMessage: driverMessage)
        }
        return error(sqlState: sqlState, primary: primary, detail: field(result, fieldMessageDetail),
                     hint: field(result, fieldMessageHint), result: result, sql: sql, driverMessage: driverMessage)
    }

    static func isConnectionLoss(_ sqlState: String?) -> Bool {
        guard let s = sqlState else { return false }
        return s.hasPrefix("08") || s == "57P01" || s == "57P02" || s == "57P03"
    }

    private static func error(
        sqlState: String, primary: String, detail: String?, hint: String?, result: OpaquePointer?, sql: String?,
        driverMessage: String
    ) -> any DatabaseError {
        var message = primary
        if let detail, !detail.isEmpty { message += " (\(detail))" }
        if let hint, !hint.isEmpty { message += "; hint: \(hint)" }
        let sqlClass = sqlState.prefix(2)

        switch sqlClass {
        case "23":
            let kind: IntegrityError.Kind
            switch sqlState {
            case "23505": kind = .unique
            case "23503": kind = .foreignKey
            case "23502": kind = .notNull
            case "23514": kind = .check
            case "23P01": kind = .exclusion
            default: kind = .other
            }
            var columns: [String] = []
            if let column = field(result, fieldColumnName) {
                columns = [column]
            } else if let detail {
                columns = keyColumns(inDetail: detail)
            }
            return IntegrityError(
                kind: kind, constraintName: field(result, fieldConstraintName),
                tableName: field(result, fieldTableName), columnNames: columns, message: message, sql: sql,
                driverMessage: driverMessage, code: sqlState)
        case "42":
            let kind: ProgrammingError.Kind
            switch sqlState {
            // The extended protocol takes one statement per call.
            case "42601": kind = primary.contains("multiple commands") ? .multipleStatements : .syntax
            case "42P01": kind = .undefinedTable
            case "42703": kind = .undefinedColumn
            case "42P07", "42710", "42701", "42P03", "42P04", "42P05", "42P06", "42712", "42723": kind = .duplicateObject
            default: kind = .other
            }
            return ProgrammingError(kind: kind, message: message, sql: sql, driverMessage: driverMessage, code: sqlState)
        case "22":
            return DataError(message: message, sql: sql, driverMessage: driverMessage, code: sqlState)
        case "28":
            return OperationalError(kind: .authenticationFailed, message: message, sql: sql,
                                    driverMessage: driverMessage, code: sqlState)
        case "40":
            var text = message
            if sqlState == "40001" || sqlState == "40P01" { text += "; the transaction can be retried" }
            return OperationalError(kind: .other, message: text, sql: sql, driverMessage: driverMessage, code: sqlState)
        case "25":
            switch sqlState {
            case "25006":
                return OperationalError(kind: .readOnly, message: message, sql: sql, driverMessage: driverMessage,
                                        code: sqlState)
            case "25P02":
                return InterfaceError(
                    kind: .misuse,
                    message: "the transaction was aborted by an earlier error and ignores statements until it is "
                        + "rolled back; roll back the transaction (or to a savepoint) before continuing",
                    sql: sql, driverMessage: driverMessage, code: sqlState)
            default:
                // 25001 active_sql_transaction: CREATE INDEX CONCURRENTLY, VACUUM, ... in a transaction.
                return ProgrammingError(kind: sqlState == "25001" ? .cannotRunInTransaction : .other, message: message,
                                        sql: sql, driverMessage: driverMessage, code: sqlState)
            }
        default:
            break
        }
        switch sqlState {
        case "0A000":
            return ProgrammingError(kind: .notSupported, message: message, sql: sql, driverMessage: driverMessage,
                                    code: sqlState)
        case "57014", "55P03":
            return OperationalError(kind: .timeout, message: message, sql: sql, driverMessage: driverMessage,
                                    code: sqlState)
        case "53100":
            return OperationalError(kind: .diskFull, message: message, sql: sql, driverMessage: driverMessage,
                                    code: sqlState)
        default:
            break
        }
        if ["53", "54", "55", "57", "58", "XX"].contains(sqlClass) {
            return OperationalError(kind: .other, message: message, sql: sql, driverMessage: driverMessage,
                                    code: sqlState)
        }
        return ProgrammingError(kind: .other, message: message, sql: sql, driverMessage: driverMessage, code: sqlState)
    }

    /// The columns of a key violation's detail, `Key (a, b)=(1, 2) already exists.`
    static func keyColumns(inDetail detail: String) -> [String] {
        guard let start = detail.range(of: "Key ("),
            let end = detail.range(of: ")=(", range: start.upperBound..<detail.endIndex)
        else { return [] }
        return detail[start.upperBound..<end.lowerBound].components(separatedBy: ", ").map {
            $0.count >= 2 && $0.hasPrefix("\"") && $0.hasSuffix("\"")
                ? String($0.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"") : $0
        }
    }

    static func firstLine(_ s: String) -> String {
        String(s.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: true).first ?? Substring(s))
    }

    /// Drops a leading `ERROR:  ` / `FATAL:  ` from a libpq message.
    static func stripSeverity(_ s: String) -> String {
        for prefix in ["ERROR:  ", "FATAL:  ", "PANIC:  "] where s.hasPrefix(prefix) {
            return String(s.dropFirst(prefix.count))
        }
        return s
    }

    // MARK: Connecting

    /// The error for a failed `PQconnectdb`: one actionable line, never the password.
    static func connectError(conn: OpaquePointer?, driver: PostgreSQLDriver) -> OperationalError {
        let raw = connectionMessage(conn)
        var target = driver.targetDescription
        if let conn, let h = PQhost(conn), h.pointee != 0 {
            let port = PQport(conn).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "5432"
            target = PostgreSQLDriver.describeTarget(host: String(cString: h), port: port)
        }
        let user = driver.parameters.last(where: { $0.0 == "user" })?.1
        let database = driver.parameters.last(where: { $0.0 == "dbname" })?.1
        // libpq reports "connection to server at ... failed: FATAL:  <server message>"
        // or "... failed: <socket error>\n\tIs the server running ...?". Several lines
        // appear when several hosts or addresses were tried; the last attempt is the
        // most telling one.
        let reason = serverReason(in: raw)
        let lower = raw.lowercased()

        func make(_ kind: OperationalError.Kind, _ message: String, _ code: String? = nil) -> OperationalError {
            OperationalError(kind: kind, message: message, driverMessage: raw, code: code)
        }
        if lower.contains("password authentication failed") {
            let who = user.map { " for user \"\($0)\"" } ?? ""
            return make(.authenticationFailed,
                        "password authentication failed\(who) on \(target) — check the URL's user and password",
                        "28P01")
        }
        if lower.contains("no password supplied") {
            return make(.authenticationFailed,
                        "the server at \(target) asks for a password but the URL has none — add it to the URL "
                            + "(postgresql://user:password@host/db) or to a .pgpass file", "28P01")
        }
        if lower.contains("role \"") && lower.contains("does not exist") {
            return make(.authenticationFailed,
                        "\(reason) on \(target) — check the URL's user name or create the role", "28000")
        }
        if lower.contains("pg_hba.conf") || lower.contains("authentication failed") {
            return make(.authenticationFailed,
                        "\(reason) — the server at \(target) refused this user/database/address; "
                            + "check pg_hba.conf and the URL's user", "28000")
        }
        if lower.contains("database \"") && lower.contains("does not exist") {
            let name = database.map { "\"\($0)\"" } ?? "named in the URL"
            return make(.cannotConnect,
                        "the database \(name) does not exist on \(target) — create it (createdb) or fix the URL's "
                            + "database name", "3D000")
        }
        if lower.contains("too many clients") || lower.contains("too many connections") {
            return make(.cannotConnect,
                        "the server at \(target) has no free connection slots (\(reason)) — close idle connections "
                            + "or raise max_connections", "53300")
        }
        if lower.contains("the database system is") {
            return make(.cannotConnect, "the server at \(target) cannot accept connections yet: \(reason)", "57P03")
        }
        if lower.contains("timeout expired") {
            return make(.cannotConnect,
                        "timed out connecting to PostgreSQL at \(target) — is the host reachable? "
                            + "(connect_timeout in the URL sets the limit)")
        }
        if lower.contains("could not translate host name") {
            return make(.cannotConnect, "could not connect to PostgreSQL at \(target): \(reason) — check the URL's host")
        }
        if lower.contains("ssl") || lower.contains("certificate") {
            return make(.cannotConnect, "could not connect to PostgreSQL at \(target): \(reason) — check the sslmode "
                            + "and certificate options")
        }
        if lower.contains("connection refused") || lower.contains("no such file or directory")
            || lower.contains("is the server running") || lower.contains("could not connect")
        {
            return make(.cannotConnect,
                        "could not connect to PostgreSQL at \(target): is the server running and accepting "
                            + "connections there?")
        }
        return make(.cannotConnect, "could not connect to PostgreSQL at \(target): \(reason)")
    }

    /// The meaningful part of a connection failure message: the server's FATAL text
    /// or the socket error, without libpq's "connection to server ... failed:" prefix.
    static func serverReason(in raw: String) -> String {
        let lines = raw.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard var line = lines.last(where: { $0.contains("failed:") }) ?? lines.first else {
            return "unknown error"
        }
        if let r = line.range(of: "failed: ") { line = String(line[r.upperBound...]) }
        return stripSeverity(line).trimmingCharacters(in: .whitespaces)
    }
}
