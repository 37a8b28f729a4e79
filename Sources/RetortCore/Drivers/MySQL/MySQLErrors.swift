import CMariaDB
import Foundation

/// Maps libmariadb failures to Retort's error families, by the server's error number
/// first and its SQLSTATE after. An error's ``DatabaseError/code`` is the error number
/// (`1062`); its `driverMessage` reads as the `mysql` client prints it,
/// `ERROR 1062 (23000): Duplicate entry '1' for key 'PRIMARY'`.
///
/// | error number | error |
/// |---|---|
/// | 1062, 1586 | ``IntegrityError`` unique, with the key's name |
/// | 1216, 1217, 1451, 1452 | ``IntegrityError`` foreignKey, with the constraint, table and columns |
/// | 1048, 1364 | ``IntegrityError`` notNull, with the column |
/// | 3819, 4025 | ``IntegrityError`` check, with the constraint |
/// | 1213 | ``OperationalError`` other: deadlock, the transaction was rolled back and can be retried |
/// | 1205 | ``OperationalError`` timeout: lock wait timeout, the statement can be retried |
/// | 2006, 2013, 2055, 1927, 4031, 1053 | ``OperationalError`` connectionLost: the pool discards the connection |
/// | 1317, 1969, 3024 | ``OperationalError`` timeout (query interrupted, statement time limit) |
/// | 1045, 1044, 1698 | ``OperationalError`` authenticationFailed |
/// | 1290, 1792, 1836 | ``OperationalError`` readOnly |
/// | 1040, 1203 | ``OperationalError`` cannotConnect (too many connections) |
/// | 1146 | ``ProgrammingError`` undefinedTable |
/// | 1054 | ``ProgrammingError`` undefinedColumn |
/// | 1050, 1060, 1061, 1826, 1007 | ``ProgrammingError`` duplicateObject |
/// | 1064, 1149 | ``ProgrammingError`` syntax |
/// | 1235, 1295 | ``ProgrammingError`` notSupported |
/// | 1265, 1366, 1367, SQLSTATE class 22 (1264, 1406, 1292, 1365, …) | ``DataError``: a value the column cannot hold as given (strict `sql_mode`, see ``MySQLDriver/sessionSQLModes``) |
/// | other SQLSTATE class 23 | ``IntegrityError`` other |
/// | other SQLSTATE class 08, or a client error 2000–2099 | ``OperationalError`` |
/// | anything else | ``ProgrammingError`` other |
enum MySQLErrors {
    /// One error as libmariadb reports it.
    struct Report {
        let number: UInt32
        let sqlState: String
        let message: String
    }

    /// A statement's error; when libmariadb left it on the connection instead (a fetch
    /// that found the socket closed does), the connection's; when neither has one, the
    /// failure is taken for a lost connection (2013).
    static func report(_ stmt: UnsafeMutablePointer<MYSQL_STMT>, conn: UnsafeMutablePointer<MYSQL>?) -> Report {
        let own = Report(number: mysql_stmt_errno(stmt),
                         sqlState: mysql_stmt_sqlstate(stmt).map { String(cString: $0) } ?? "HY000",
                         message: mysql_stmt_error(stmt).map { String(cString: $0) } ?? "")
        if own.number != 0 { return own }
        if let conn, mysql_errno(conn) != 0 { return report(conn) }
        return Report(number: 2013, sqlState: "HY000", message: "Lost connection to server (no error was reported)")
    }

    static func report(_ conn: UnsafeMutablePointer<MYSQL>) -> Report {
        Report(number: mysql_errno(conn), sqlState: mysql_sqlstate(conn).map { String(cString: $0) } ?? "HY000",
               message: mysql_error(conn).map { String(cString: $0) } ?? "")
    }

    /// Error numbers after which the connection cannot be used again.
    static let connectionLossNumbers: Set<UInt32> = [
        2006,  // CR_SERVER_GONE_ERROR: MySQL server has gone away
        2013,  // CR_SERVER_LOST: lost connection to server during query
        2055,  // CR_SERVER_LOST_EXTENDED
        2026,  // CR_SSL_CONNECTION_ERROR
        1927,  // ER_CONNECTION_KILLED (MariaDB)
        4031,  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8: disconnected for inactivity)
        1053,  // ER_SERVER_SHUTDOWN
        1152, 1153, 1154, 1155, 1156, 1157, 1158, 1159, 1160, 1161,  // ER_ABORTING_CONNECTION, packet errors
    ]

    static func isConnectionLoss(_ number: UInt32) -> Bool { connectionLossNumbers.contains(number) }

    /// The error for a failed statement.
    static func error(_ r: Report, sql: String?) -> any DatabaseError {
        let number = r.number
        let code = String(number)
        let driverMessage = "ERROR \(number) (\(r.sqlState)): \(r.message)"
        let message = r.message.isEmpty ? "unknown MySQL error \(number)" : r.message

        if isConnectionLoss(number) {
            return OperationalError(
                kind: .connectionLost,
                message: "the connection to the server was lost (\(message)); open a new connection", sql: sql,
                driverMessage: driverMessage, code: code)
        }
        func integrity(_ kind: IntegrityError.Kind, constraint: String? = nil, table: String? = nil,
                       columns: [String] = []) -> IntegrityError {
            IntegrityError(kind: kind, constraintName: constraint, tableName: table, columnNames: columns,
                           message: message, sql: sql, driverMessage: driverMessage, code: code)
        }
        func programming(_ kind: ProgrammingError.Kind) -> ProgrammingError {
            ProgrammingError(kind: kind, message: message, sql: sql, driverMessage: driverMessage, code: code)
        }
        func operational(_ kind: OperationalError.Kind, _ text: String = message) -> OperationalError {
            OperationalError(kind: kind, message: text, sql: sql, driverMessage: driverMessage, code: code)
        }
        switch number {
        case 1062, 1586:
            // Duplicate entry 'x' for key 'uq_users_email' (MySQL 8: 'users.uq_users_email')
            var key = lastQuoted(message, after: "for key ")
            var table: String?
            if let k = key, let dot = k.firstIndex(of: ".") {
                table = String(k[..<dot])
                key = String(k[k.index(after: dot)...])
            }
            return integrity(.unique, constraint: key, table: table)
        case 1216, 1217, 1451, 1452:
            // ... a foreign key constraint fails (`db`.`child`, CONSTRAINT `fk` FOREIGN KEY (`pid`) REFERENCES ...)
            let f = foreignKeyDetail(message)
            return integrity(.foreignKey, constraint: f.constraint, table: f.table, columns: f.columns)
        case 1048, 1364:
            // Column 'name' cannot be null / Field 'name' doesn't have a default value
            return integrity(.notNull, columns: firstQuoted(message).map { [$0] } ?? [])
        case 3819:
            // Check constraint 'ck_x' is violated.
            return integrity(.check, constraint: firstQuoted(message))
        case 4025:
            // CONSTRAINT `ck_x` failed for `db`.`t`
            let names = backticked(message)
            return integrity(.check, constraint: names.first, table: names.last)
        case 1213:
            return operational(.other, message + "; the transaction was rolled back: retry it")
        case 1205:
            return operational(
                .timeout,
                message + "; only the statement was rolled back: retry it, or roll back the transaction and retry that")
        case 1317, 1969, 3024:
            return operational(.timeout)
        case 1045, 1044, 1698:
            return operational(.authenticationFailed)
        case 1290, 1792, 1836:
            return operational(.readOnly)
        case 1040, 1203:
            return operational(.cannotConnect)
        case 1021:
            return operational(.diskFull)
        case 1146:
            return programming(.undefinedTable)
        case 1054:
            return programming(.undefinedColumn)
        case 1050, 1060, 1061, 1826, 1007:
            return programming(.duplicateObject)
        case 1064, 1149:
            return programming(.syntax)
        case 1235, 1295:
            return programming(.notSupported)
        case 1265, 1366, 1367:
            // Data truncated for column 'e' at row 1 (SQLSTATE 01000, a warning's class,
            // raised as an error in strict mode); Incorrect integer value: 'x' for column 'i'.
            return DataError(message: message, sql: sql, driverMessage: driverMessage, code: code)
        default:
            break
        }
        switch r.sqlState.prefix(2) {
        case "22": return DataError(message: message, sql: sql, driverMessage: driverMessage, code: code)
        case "23": return integrity(.other)
        case "08": return operational(.connectionLost)
        case "40": return operational(.other, message + "; the transaction was rolled back: retry it")
        default: break
        }
        if (2000..<2100).contains(number) { return operational(.other) }  // client-side errors
        return programming(.other)
    }

    /// The error for a failed `mysql_real_connect`: one actionable line, never the password.
    static func connectError(_ r: Report, driver: MySQLDriver) -> OperationalError {
        let target = driver.targetDescription
        let driverMessage = "ERROR \(r.number) (\(r.sqlState)): \(r.message)"
        let code = String(r.number)
        func make(_ kind: OperationalError.Kind, _ message: String) -> OperationalError {
            OperationalError(kind: kind, message: message, driverMessage: driverMessage, code: code)
        }
        switch r.number {
        case 1045, 1698:
            let who = driver.user.map { " for user '\($0)'" } ?? ""
            return make(.authenticationFailed,
                        "access denied\(who) on \(target) (\(r.message)) — check the URL's user and password")
        case 1044:
            return make(.authenticationFailed, "\(r.message) on \(target) — grant the user access or fix the database name")
        case 1049:
            let name = driver.database.map { "'\($0)'" } ?? "named in the URL"
            return make(.cannotConnect,
                        "the database \(name) does not exist on \(target) — create it (CREATE DATABASE) or fix the "
                            + "URL's database name")
        case 1040, 1203:
            return make(.cannotConnect,
                        "the server at \(target) has no free connection slots (\(r.message)) — close idle connections "
                            + "or raise max_connections")
        case 2002, 2003, 2005, 2006, 2013:
            return make(.cannotConnect,
                        "could not connect to MySQL at \(target): \(r.message) — is the server running and accepting "
                            + "connections there?")
        case 2026, 2012, 5012, 5013, 5014:
            return make(.cannotConnect,
                        "could not connect to MySQL at \(target): \(r.message) — check ssl_mode and the certificate options")
        default:
            return make(.cannotConnect, "could not connect to MySQL at \(target): \(r.message)")
        }
    }

    // MARK: Reading the server's messages

    /// The text between the last pair of single quotes after `marker`.
    static func lastQuoted(_ message: String, after marker: String) -> String? {
        guard let m = message.range(of: marker, options: .backwards) else { return nil }
        let rest = message[m.upperBound...]
        guard let open = rest.firstIndex(of: "'") else { return nil }
        let inner = rest[rest.index(after: open)...]
        guard let close = inner.lastIndex(of: "'") else { return nil }
        return String(inner[..<close])
    }

    /// The text inside the first pair of single quotes.
    static func firstQuoted(_ message: String) -> String? {
        guard let open = message.firstIndex(of: "'") else { return nil }
        let inner = message[message.index(after: open)...]
        guard let close = inner.firstIndex(of: "'") else { return nil }
        return String(inner[..<close])
    }

    /// Every backtick-quoted name, in order (`` `a` `` → a).
    static func backticked(_ message: String) -> [String] {
        var names: [String] = []
        var current: String?
        for ch in message {
            if ch == "`" {
                if let c = current { names.append(c); current = nil } else { current = "" }
            } else if current != nil {
                current!.append(ch)
            }
        }
        return names
    }

    /// From a foreign key failure's message: the constraint, the child table and its columns.
    static func foreignKeyDetail(_ message: String) -> (constraint: String?, table: String?, columns: [String]) {
        guard let open = message.firstIndex(of: "(") else { return (nil, nil, []) }
        let detail = String(message[open...])
        let names = backticked(detail)
        // (`db`.`child`, CONSTRAINT `fk` FOREIGN KEY (`a`, `b`) REFERENCES `parent` (`id`) ...)
        guard names.count >= 3 else { return (nil, names.last, []) }
        let table = names[1], constraint = names[2]
        var columns: [String] = []
        if let fk = detail.range(of: "FOREIGN KEY ("), let end = detail[fk.upperBound...].firstIndex(of: ")") {
            columns = backticked(String(detail[fk.upperBound..<end]))
        }
        return (constraint, table, columns)
    }
}
