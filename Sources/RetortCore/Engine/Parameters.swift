/// Named parameters for one execution, written as a dictionary literal:
/// `["name": "Ursula", "bio": nil]`.
///
/// Unlike a `Dictionary`, a parameter list keeps its entries in order and builds no
/// hash table for the handful of names a statement usually has: executemany creates
/// one per row, and hashing them was most of its cost. A name given twice is an
/// error when the statement is executed, not a crash.
///
/// ```swift
/// var params: Parameters = ["name": "Ursula"]
/// params["email"] = "ursula@example.org"
/// try conn.execute(text("INSERT INTO authors (name, email) VALUES (:name, :email)"), params)
/// ```
public struct Parameters: ExpressibleByDictionaryLiteral, Sequence {
    public typealias Value = (any SQLValueConvertible)?
    public typealias Element = (name: String, value: Value)

    @usableFromInline var entries: [(String, Value)]
    /// Name → position, kept once there are too many entries to scan.
    @usableFromInline var index: [String: Int]?

    @usableFromInline static let scanLimit = 24

    public init() { entries = [] }

    @inlinable
    public init(dictionaryLiteral elements: (String, Value)...) {
        entries = elements
        if elements.count > Parameters.scanLimit { rebuildIndex() }
    }

    /// Parameters from a dictionary.
    public init(_ dictionary: [String: Value]) {
        entries = dictionary.map { ($0.key, $0.value) }
        if entries.count > Parameters.scanLimit { rebuildIndex() }
    }

    @usableFromInline mutating func rebuildIndex() {
        var d: [String: Int] = [:]
        d.reserveCapacity(entries.count)
        for (i, e) in entries.enumerated() where d[e.0] == nil { d[e.0] = i }
        index = d
    }

    /// The number of entries.
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The names given, in order.
    public var names: [String] { entries.map(\.0) }

    @usableFromInline func position(of name: String) -> Int? {
        if let index { return index[name] }
        for i in entries.indices where entries[i].0 == name { return i }
        return nil
    }

    /// The value given for `name`: `.some(nil)` for an explicit NULL, nil when absent.
    public subscript(name: String) -> Value? {
        get { position(of: name).map { entries[$0].1 } }
        set {
            if let i = position(of: name) {
                if let v = newValue {
                    entries[i].1 = v
                } else {
                    entries.remove(at: i)
                    if index != nil { rebuildIndex() }
                }
            } else if let v = newValue {
                entries.append((name, v))
                if index != nil {
                    index![name] = entries.count - 1
                } else if entries.count > Parameters.scanLimit {
                    rebuildIndex()
                }
            }
        }
    }

    /// The bound value for `name`, or nil when absent.
    @inlinable func sqlValue(for name: String) -> SQLValue? {
        guard let i = position(of: name) else { return nil }
        return entries[i].1?.sqlValue ?? .null
    }

    public func makeIterator() -> AnyIterator<Element> {
        var it = entries.makeIterator()
        return AnyIterator { it.next().map { (name: $0.0, value: $0.1) } }
    }

    /// Names given more than once.
    var duplicateNames: [String] {
        var seen = Set<String>()
        var dups: [String] = []
        for (n, _) in entries where !seen.insert(n).inserted && !dups.contains(n) { dups.append(n) }
        return dups
    }
}
