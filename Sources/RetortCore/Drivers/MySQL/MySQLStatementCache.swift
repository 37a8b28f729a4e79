import CMariaDB
import Foundation

/// One server-side prepared statement (`mysql_stmt_prepare`) of a connection, with the
/// output buffers of its last result kept for the next execution.
final class MySQLStatement {
    let handle: UnsafeMutablePointer<MYSQL_STMT>
    let sql: String
    /// How many `?` the server counted.
    let parameterCount: Int
    /// The last result's buffers, reused while the result columns stay the same.
    var binding: MySQLResultBinding?
    /// Executions so far (read by tests of the cache through ``MySQLConnection``).
    var executions = 0
    private var closed = false

    init(handle: UnsafeMutablePointer<MYSQL_STMT>, sql: String) {
        self.handle = handle
        self.sql = sql
        parameterCount = Int(mysql_stmt_param_count(handle))
    }

    /// Closes the statement on the server (`COM_STMT_CLOSE`, no reply awaited) and frees it.
    func close() {
        guard !closed else { return }
        closed = true
        binding = nil
        _ = mysql_stmt_close(handle)
    }
}

/// A bounded least-recently-used cache of a connection's prepared statements, keyed by
/// SQL text. MySQL fixes no parameter types at prepare time (each execution sends its
/// own), so the text alone is the key. An evicted statement is closed at once: the
/// connection streams at most one result at a time and reads off any open one before
/// preparing, so no cursor is using it.
final class MySQLStatementCache {
    private struct Entry {
        let statement: MySQLStatement
        var lastUsed: UInt64
    }

    private var entries: [String: Entry] = [:]
    private var tick: UInt64 = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { entries.count }

    /// The cached statement for `sql`, marked most recently used.
    func lookup(_ sql: String) -> MySQLStatement? {
        guard var entry = entries[sql] else { return nil }
        tick &+= 1
        entry.lastUsed = tick
        entries[sql] = entry
        return entry.statement
    }

    /// Caches `statement`, closing the least recently used one when full. False when the
    /// cache holds nothing (capacity 0): the caller closes the statement after use.
    @discardableResult
    func insert(_ statement: MySQLStatement) -> Bool {
        guard capacity > 0 else { return false }
        if entries.count >= capacity, let victim = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            entries.removeValue(forKey: victim.key)
            victim.value.statement.close()
        }
        tick &+= 1
        entries[statement.sql] = Entry(statement: statement, lastUsed: tick)
        return true
    }

    /// Forgets and closes the statement for `sql` (the server no longer knows it).
    func remove(_ sql: String) {
        entries.removeValue(forKey: sql)?.statement.close()
    }

    /// Closes every statement (the connection is closing).
    func removeAll() {
        let all = entries.values
        entries.removeAll()
        for e in all { e.statement.close() }
    }
}
