import CMariaDB
import Foundation

/// The rows of one prepared statement's result, streamed: each ``advance()`` is one
/// `mysql_stmt_fetch`, which reads the next row off the socket, so a result of a
/// million rows holds one row in memory, not a million (no `mysql_stmt_store_result`).
///
/// The protocol carries one result at a time per connection. When the connection is
/// asked to run another statement before this cursor is finished, it first reads this
/// cursor's remaining rows into memory (``bufferRemainingRows()``); the cursor then goes
/// on from there, so interleaved reads still see every row.
final class MySQLCursor: DriverCursor {
    let columnNames: [String]
    /// For DML with RETURNING (MariaDB 10.5+), the rows it changed, which are the rows it
    /// returned: final once they have all been read (-1 until then, and for a query).
    var rowsAffected: Int { returnsChangedRows && exhausted ? rowsRead : -1 }
    /// The statement is an INSERT, REPLACE or DELETE with RETURNING: every row it changed is a row of its result.
    private let returnsChangedRows: Bool
    private var rowsRead = 0
    /// Every row of the result has been read off the connection.
    private var exhausted = false
    var lastInsertRowID: Int64? { nil }

    /// The statement being fetched from, while streaming.
    private var statement: MySQLStatement?
    private let binding: MySQLResultBinding
    private weak var connection: MySQLConnection?
    /// Closes the statement when the cursor is done (it is not in the cache).
    private let ownsStatement: Bool
    /// Rows read ahead by ``bufferRemainingRows()``, and the position in them.
    private var buffered: [[SQLValue]]?
    private var bufferedIndex = -1
    /// An error met while reading ahead, raised when the reader reaches it.
    private var pendingError: (any Error)?

    init(statement: MySQLStatement, binding: MySQLResultBinding, connection: MySQLConnection, ownsStatement: Bool) {
        self.statement = statement
        self.binding = binding
        self.connection = connection
        self.ownsStatement = ownsStatement
        columnNames = binding.columnNames
        returnsChangedRows = MySQLCursor.changesRows(statement.sql)
    }

    /// True when `sql` starts (after blanks and comments) with INSERT, REPLACE or DELETE.
    static func changesRows(_ sql: String) -> Bool {
        var rest = Substring(sql)
        while true {
            rest = rest.drop { $0.isWhitespace || $0 == "(" }
            if rest.hasPrefix("/*"), let end = rest.range(of: "*/") {
                rest = rest[end.upperBound...]
            } else if rest.hasPrefix("-- ") || rest.hasPrefix("#") {
                rest = rest.drop { $0 != "\n" }
            } else {
                break
            }
        }
        let word = rest.prefix { $0.isLetter }.uppercased()
        return word == "INSERT" || word == "REPLACE" || word == "DELETE"
    }

    deinit { close() }

    /// True while rows are still being read off the connection.
    var isStreaming: Bool { statement != nil }

    func next() throws -> [SQLValue]? {
        guard try advance() else { return nil }
        if let buffered { return buffered[bufferedIndex] }
        var values = [SQLValue]()
        values.reserveCapacity(binding.count)
        for i in 0..<binding.count { values.append(binding.value(i)) }
        return values
    }

    func advance() throws -> Bool {
        if let buffered {
            if bufferedIndex + 1 < buffered.count {
                bufferedIndex += 1
                return true
            }
            self.buffered = []
            bufferedIndex = -1
            if let error = pendingError {
                pendingError = nil
                throw error
            }
            return false
        }
        guard let statement else { return false }
        switch mysql_stmt_fetch(statement.handle) {
        case 0:
            rowsRead += 1
            return true
        case Int32(MYSQL_DATA_TRUNCATED):
            if binding.refetchTruncated(statement.handle) {
                rowsRead += 1
                return true
            }
            throw fail(statement)
        case Int32(MYSQL_NO_DATA):
            exhausted = true
            finish()
            return false
        default:
            throw fail(statement)
        }
    }

    func value(at index: Int) -> SQLValue {
        if let buffered { return buffered[bufferedIndex][index] }
        return binding.value(index)
    }

    /// Reads every remaining row into memory and lets go of the statement, so the
    /// connection can run another one. A read error is kept and raised in order.
    func bufferRemainingRows() {
        guard statement != nil, buffered == nil else { return }
        var rows: [[SQLValue]] = []
        do {
            while let row = try next() { rows.append(row) }
        } catch {
            pendingError = error
        }
        buffered = rows
        bufferedIndex = -1
        finish()
    }

    func close() {
        buffered = []
        bufferedIndex = -1
        finish()
    }

    /// Discards what is left of the result on the wire and releases the statement.
    private func finish() {
        guard let statement else { return }
        self.statement = nil
        _ = mysql_stmt_free_result(statement.handle)
        if ownsStatement { statement.close() }
        connection?.cursorFinished(self)
    }

    /// The error for a failed fetch; the cursor is finished.
    private func fail(_ statement: MySQLStatement) -> any Error {
        let report = connection?.fetchFailure(statement.handle) ?? MySQLErrors.report(statement.handle, conn: nil)
        finish()
        return MySQLErrors.error(report, sql: statement.sql)
    }
}
