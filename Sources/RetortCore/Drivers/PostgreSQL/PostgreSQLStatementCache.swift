import CLibPQ
import Foundation

/// One server-side prepared statement (`retort_N`) of a connection.
struct PostgreSQLPreparedStatement {
    /// The server-side name, `retort_1`, `retort_2`, …
    let name: String
    /// How many parameters the server says the statement takes.
    let parameterCount: Int
    /// True when its rows are streamed (single-row mode) rather than read whole: it is
    /// a query (``PostgreSQLConnection/isQuery(_:)``) and the server says it returns
    /// columns.
    let streamsRows: Bool
}

/// A bounded least-recently-used cache of a connection's named prepared statements,
/// keyed by SQL text and parameter types, which are fixed when a statement is prepared
/// (see ``PostgreSQLParameters``): `x = $1` run with an integer and then with a Double
/// is two statements, one with an `int8` parameter and one with a `float8`. A lookup
/// compares the types in place, so a hit allocates nothing.
///
/// Evicted statements are queued for `DEALLOCATE`; the connection runs the queue
/// when it is not inside a failed transaction (where the server refuses everything
/// but ROLLBACK).
final class PostgreSQLStatementCache {
    /// What a statement was prepared for: its SQL text and parameter types.
    struct Key: Hashable {
        let sql: String
        let types: [Oid]
    }

    private struct Entry {
        let types: [Oid]
        let statement: PostgreSQLPreparedStatement
        var lastUsed: UInt64
    }

    /// Per SQL text, one entry per combination of parameter types (almost always one).
    private var entries: [String: [Entry]] = [:]
    private(set) var count = 0
    private var tick: UInt64 = 0
    private var nextNumber = 0
    let capacity: Int
    /// Names evicted but not yet deallocated on the server.
    private(set) var pendingDeallocation: [String] = []

    init(capacity: Int) { self.capacity = capacity }

    /// The cached statement for `sql` with parameters of `types`, marked most recently used.
    func lookup(sql: String, types: [Oid]) -> PostgreSQLPreparedStatement? {
        guard var variants = entries[sql], let i = variants.firstIndex(where: { $0.types == types }) else { return nil }
        tick &+= 1
        variants[i].lastUsed = tick
        entries[sql] = variants
        return variants[i].statement
    }

    /// A fresh statement name, unique on this connection.
    func makeName() -> String {
        nextNumber += 1
        return "retort_\(nextNumber)"
    }

    /// Caches a newly prepared statement, evicting the least recently used one when
    /// full. Returns false when the cache holds nothing (capacity 0): the caller then
    /// deallocates the statement after use.
    @discardableResult
    func insert(_ statement: PostgreSQLPreparedStatement, key: Key) -> Bool {
        guard capacity > 0 else { return false }
        if count >= capacity, let victim = leastRecentlyUsed() {
            remove(Key(sql: victim.sql, types: victim.types), deallocate: true)
        }
        tick &+= 1
        entries[key.sql, default: []].append(Entry(types: key.types, statement: statement, lastUsed: tick))
        count += 1
        return true
    }

    private func leastRecentlyUsed() -> (sql: String, types: [Oid])? {
        var best: (sql: String, types: [Oid], lastUsed: UInt64)?
        for (sql, variants) in entries {
            for e in variants where best == nil || e.lastUsed < best!.lastUsed {
                best = (sql, e.types, e.lastUsed)
            }
        }
        return best.map { ($0.sql, $0.types) }
    }

    /// Forgets `key` (e.g. after the server invalidated its plan), queueing it for
    /// deallocation unless the server no longer has it.
    func remove(_ key: Key, deallocate: Bool) {
        guard var variants = entries[key.sql], let i = variants.firstIndex(where: { $0.types == key.types }) else { return }
        let entry = variants.remove(at: i)
        entries[key.sql] = variants.isEmpty ? nil : variants
        count -= 1
        if deallocate { pendingDeallocation.append(entry.statement.name) }
    }

    var hasPendingDeallocations: Bool { !pendingDeallocation.isEmpty }

    /// Queues a statement that was never cached for deallocation.
    func discard(_ name: String) {
        pendingDeallocation.append(name)
    }

    /// Takes the queue of names to deallocate.
    func takePendingDeallocations() -> [String] {
        defer { pendingDeallocation.removeAll() }
        return pendingDeallocation
    }

    /// Forgets everything (the connection closed; the server dropped its statements).
    func removeAll() {
        entries.removeAll()
        count = 0
        pendingDeallocation.removeAll()
    }
}
