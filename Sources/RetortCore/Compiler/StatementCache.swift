import Foundation

/// The compiled-statement cache: SQL compiled once per statement *shape* and dialect.
///
/// A statement's shape is its tree with the bound values left out (see
/// ``BoundValue``), so `select(users.c.name).where(users.c.id == 1)` and `... == 2`
/// share one entry. A hit walks the new statement for its values and fills them into
/// the cached SQL's placeholders, skipping compilation; a miss compiles a copy of the
/// statement whose values carry slot numbers, producing that template.
///
/// ```swift
/// StatementCache.shared.capacity = 2_000
/// StatementCache.shared.statistics   // (hits: 9_999, misses: 1, entries: 1)
/// StatementCache.shared.removeAll()
/// ```
///
/// Bounded: past ``capacity`` entries, the least recently used tenth is dropped.
/// Thread-safe.
public final class StatementCache: @unchecked Sendable {
    /// The cache every statement's ``Executable/compile(for:)`` uses.
    public static let shared = StatementCache(capacity: 1_000)

    private struct Key: Hashable {
        /// The dialect's name and flags (see ``Dialect/compilationFlags``): two dialects
        /// of one name whose flags differ (an older SQLite library without FULL JOIN)
        /// compile differently. Kept as plain values so a key copies cheaply.
        let dialectName: String
        let dialectFlags: UInt64
        var statement: StatementNode
        /// The outline hash from ``BindExtractor/shapeHash``; `==` does the exact comparison.
        let shapeHash: UInt64

        static func == (a: Key, b: Key) -> Bool {
            a.shapeHash == b.shapeHash && a.dialectFlags == b.dialectFlags && a.dialectName == b.dialectName
                && a.statement == b.statement
        }

        func hash(into hasher: inout Hasher) { hasher.combine(shapeHash) }
    }

    private final class Entry {
        let template: CompiledTemplate
        var lastUsed: UInt64
        init(_ template: CompiledTemplate, _ lastUsed: UInt64) {
            self.template = template
            self.lastUsed = lastUsed
        }
    }

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    private var hits = 0
    private var misses = 0
    private var _capacity: Int

    /// A cache of its own (the shared one serves `compile(for:)`).
    public init(capacity: Int) { _capacity = max(1, capacity) }

    /// The most shapes kept (at least 1).
    public var capacity: Int {
        get { lock.withLock { _capacity } }
        set { lock.withLock { _capacity = max(1, newValue) } }
    }

    /// Hits, misses and the number of cached shapes so far.
    public var statistics: (hits: Int, misses: Int, entries: Int) {
        lock.withLock { (hits, misses, entries.count) }
    }

    /// Empties the cache and resets the statistics.
    public func removeAll() {
        lock.withLock {
            entries.removeAll()
            hits = 0
            misses = 0
        }
    }

    /// Compiles `statement` for `dialect`, through the cache.
    package func compile(_ statement: StatementNode, _ dialect: Dialect) throws -> CompiledStatement {
        // One walk gathers the values a hit fills in and hashes the shape for the lookup.
        var extractor = BindExtractor()
        var walked = statement
        walked.walkBinds(&extractor)
        let flags = dialect.compilationFlags
        extractor.mix(Int(truncatingIfNeeded: flags))
        let key = Key(dialectName: dialect.name, dialectFlags: flags, statement: statement, shapeHash: extractor.shapeHash)
        lock.lock()
        if let entry = entries[key] {
            clock &+= 1
            entry.lastUsed = clock
            hits += 1
            let template = entry.template
            lock.unlock()
            if extractor.values.count >= template.slotCount, extractor.lists.count >= template.listSlotCount {
                return template.instantiate(extractor.values, extractor.lists, dialect)
            }
            // Cannot happen for equal shapes; never index out of range if it does.
            return try StatementCache.compileUncached(statement, dialect)
        }
        misses += 1
        lock.unlock()

        let (template, values) = try StatementCache.compileTemplate(statement, dialect)
        if template.reusable {
            lock.withLock {
                clock &+= 1
                entries[key] = Entry(template, clock)
                if entries.count > _capacity { evictLocked() }
            }
        }
        return template.instantiate(values.values, values.lists, dialect)
    }

    /// Compiles without the cache (for measuring, and for statements used once).
    package static func compileUncached(_ statement: StatementNode, _ dialect: Dialect) throws -> CompiledStatement {
        let (template, values) = try compileTemplate(statement, dialect)
        return template.instantiate(values.values, values.lists, dialect)
    }

    private static func compileTemplate(_ statement: StatementNode, _ dialect: Dialect) throws -> (CompiledTemplate, BindTagger) {
        var tagger = BindTagger()
        var tagged = statement
        tagged.walkBinds(&tagger)
        let compiler = dialect.makeSQLCompiler()
        compiler.templateMode = true
        return (try compiler.compileStatement(tagged), tagger)
    }

    private func evictLocked() {
        let keep = _capacity - max(1, _capacity / 10)
        let ordered = entries.sorted { $0.value.lastUsed > $1.value.lastUsed }
        entries = Dictionary(uniqueKeysWithValues: ordered.prefix(max(0, keep)).map { ($0.key, $0.value) })
    }
}

// MARK: Statements are executable

extension Select: Executable {
    /// Compiles through the ``StatementCache``.
    public func compile(for dialect: Dialect) throws -> CompiledStatement {
        try StatementCache.shared.compile(.select(self), dialect)
    }

    /// Compiles without consulting the cache.
    public func compileUncached(for dialect: Dialect) throws -> CompiledStatement {
        try StatementCache.compileUncached(.select(self), dialect)
    }
}

extension CompoundSelect: Executable {
    /// Compiles through the ``StatementCache``.
    public func compile(for dialect: Dialect) throws -> CompiledStatement {
        try StatementCache.shared.compile(.compound(self), dialect)
    }
}

extension Update: Executable {
    /// Compiles through the ``StatementCache``.
    public func compile(for dialect: Dialect) throws -> CompiledStatement {
        try StatementCache.shared.compile(.update(self), dialect)
    }
}

extension Delete: Executable {
    /// Compiles through the ``StatementCache``.
    public func compile(for dialect: Dialect) throws -> CompiledStatement {
        try StatementCache.shared.compile(.delete(self), dialect)
    }
}
