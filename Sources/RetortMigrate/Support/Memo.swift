import Foundation

/// Results of a computation by key, shared by threads (revision files are read in
/// parallel): each key's value is computed on first request and remembered. A
/// computation that throws remembers nothing.
final class Memo<Key: Hashable, Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Key: Value] = [:]
    private let compute: (Key) throws -> Value

    init(_ compute: @escaping (Key) throws -> Value) { self.compute = compute }

    func callAsFunction(_ key: Key) throws -> Value {
        if let known = lock.withLock({ values[key] }) { return known }
        let value = try compute(key)
        lock.withLock { values[key] = value }
        return value
    }
}
