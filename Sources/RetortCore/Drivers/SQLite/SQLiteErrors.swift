import CSQLite
import Foundation

/// Maps SQLite result codes to Retort's error families.
enum SQLiteErrors {
    // Extended result codes are C macros that Swift does not import.
    static let constraintCheck: Int32 = 275
    static let constraintForeignKey: Int32 = 787
    static let constraintNotNull: Int32 = 1299
    static let constraintPrimaryKey: Int32 = 1555
    static let constraintUnique: Int32 = 2067

    static func error(db: OpaquePointer, rc: Int32, sql: String?) -> any DatabaseError {
        let extended = sqlite3_extended_errcode(db)
        let code = extended != 0 ? extended : rc
        let driverMessage = String(cString: sqlite3_errmsg(db))
        return error(code: code, driverMessage: driverMessage, sql: sql)
    }

    static func error(code: Int32, driverMessage: String, sql: String?) -> any DatabaseError {
        let primary = code & 0xFF
        let codeText = String(code)
        switch primary {
        case SQLITE_CONSTRAINT:
            return integrity(code: code, driverMessage: driverMessage, sql: sql)
        case SQLITE_BUSY, SQLITE_LOCKED:
            return OperationalError(
                kind: .locked,
                message: "the database is locked by another connection (\(driverMessage)); "
                    + "retry, or raise the URL's timeout= option",
                sql: sql, driverMessage: driverMessage, code: codeText)
        case SQLITE_READONLY:
            return OperationalError(kind: .readOnly, message: driverMessage, sql: sql, driverMessage: driverMessage,
                                    code: codeText)
        case SQLITE_FULL:
            return OperationalError(kind: .diskFull, message: driverMessage, sql: sql, driverMessage: driverMessage,
                                    code: codeText)
        case SQLITE_CANTOPEN:
            return OperationalError(kind: .cannotConnect, message: driverMessage, sql: sql,
                                    driverMessage: driverMessage, code: codeText)
        case SQLITE_INTERRUPT:
            return OperationalError(kind: .timeout, message: "the statement was interrupted", sql: sql,
                                    driverMessage: driverMessage, code: codeText)
        case SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_PROTOCOL, SQLITE_NOMEM:
            return OperationalError(kind: .other, message: driverMessage, sql: sql, driverMessage: driverMessage,
                                    code: codeText)
        case SQLITE_TOOBIG, SQLITE_MISMATCH:
            return DataError(message: driverMessage, sql: sql, driverMessage: driverMessage, code: codeText)
        case SQLITE_RANGE, SQLITE_MISUSE:
            return InterfaceError(kind: .misuse, message: driverMessage, sql: sql, driverMessage: driverMessage,
                                  code: codeText)
        default:
            return ProgrammingError(kind: programmingKind(driverMessage), message: driverMessage, sql: sql,
                                    driverMessage: driverMessage, code: codeText)
        }
    }

    private static func programmingKind(_ message: String) -> ProgrammingError.Kind {
        if message.hasPrefix("no such table") { return .undefinedTable }
        if message.hasPrefix("no such column") || message.contains("has no column named") { return .undefinedColumn }
        if message.contains("syntax error") || message.hasPrefix("incomplete input") { return .syntax }
        if message.contains("already exists") { return .duplicateObject }
        return .other
    }

    /// SQLite's constraint messages: `UNIQUE constraint failed: authors.email`,
    /// `NOT NULL constraint failed: authors.name`, `CHECK constraint failed: ck_books_pages`,
    /// `FOREIGN KEY constraint failed`.
    private static func integrity(code: Int32, driverMessage: String, sql: String?) -> IntegrityError {
        let kind: IntegrityError.Kind
        switch code {
        case constraintUnique, constraintPrimaryKey: kind = .unique
        case constraintForeignKey: kind = .foreignKey
        case constraintNotNull: kind = .notNull
        case constraintCheck: kind = .check
        default: kind = .other
        }
        var table: String?
        var columns: [String] = []
        var constraint: String?
        if let colon = driverMessage.range(of: "failed: ") {
            let detail = String(driverMessage[colon.upperBound...])
            if kind == .check {
                constraint = detail
            } else {
                for item in detail.components(separatedBy: ", ") {
                    let parts = item.split(separator: ".", maxSplits: 1).map(String.init)
                    if parts.count == 2 {
                        table = parts[0]
                        columns.append(parts[1])
                    }
                }
            }
        }
        return IntegrityError(
            kind: kind, constraintName: constraint, tableName: table, columnNames: columns, message: driverMessage,
            sql: sql, driverMessage: driverMessage, code: String(code))
    }
}
