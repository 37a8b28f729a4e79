import CLibPQ
import Foundation

/// One server-side prepared statement (`retort_N`) of a connection.
struct PostgresPreparedStatement {
    /// The server-side name, `retort_1`, `retort_2`, …
    let name: String
    /// How many parameters the server says the statement takes.
    let parameterCount: Int
}

/// A bounded least-recently-used cache of a connection's named prepared statements,
/// keyed by SQL text (plus the positions of `bytea` parameters, which are fixed when
/// a statement is prepared).
///
/// Evicted statements are queued for `DEALLOCATE`; the connection runs the queue
/// when it is not inside a failed transaction (where the server refuses everything
/// but ROLLBACK).
final class PostgresStatementCache {
    private struct Entry {
        let statement: PostgresPreparedStatement
        var lastUsed: UInt64
    }

    private var entries: [String: Entry] = [:]
    private var tick: UInt64 = 0
    private var nextNumber = 0
    let capacity: Int
    /// Names evicted but not yet deallocated on the server.
    private(set) var pendingDeallocation: [String] = []

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { entries.count }

    /// The cache key for `sql` executed with blobs at `blobPositions`.
    static func key(sql: String, blobPositions: [Int]) -> String {
        guard !blobPositions.isEmpty else { return sql }
        // SQL text cannot contain NUL, so the separator is unambiguous.
        return sql + "\u{0}" + blobPositions.map(String.init).joined(separator: ",")
    }

    /// The cached statement for `key`, marked most recently used.
    func lookup(_ key: String) -> PostgresPreparedStatement? {
        guard var entry = entries[key] else { return nil }
        tick &+= 1
        entry.lastUsed = tick
        entries[key] = entry
        return entry.statement
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
    func insert(_ statement: PostgresPreparedStatement, key: String) -> Bool {
        guard capacity > 0 else { return false }
        if entries.count >= capacity, let victim = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            entries[victim.key] = nil
            pendingDeallocation.append(victim.value.statement.name)
        }
        tick &+= 1
        entries[key] = Entry(statement: statement, lastUsed: tick)
        return true
    }

    /// Forgets `key` (e.g. after the server invalidated its plan), queueing it for
    /// deallocation unless the server no longer has it.
    func remove(_ key: String, deallocate: Bool) {
        guard let entry = entries.removeValue(forKey: key) else { return }
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
        pendingDeallocation.removeAll()
    }
}
