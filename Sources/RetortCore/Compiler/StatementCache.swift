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
    // @unchecked Sendable: the entries, clock, counters and capacity are read and written
    // only with `lock` held; a template handed out is immutable.
    /// The cache every statement's ``Executable/compile(for:)`` uses.
    public static let shared = StatementCache(capacity: 1_000)

    /// A statement's shape and the dialect it is compiled for.
    ///
    /// Compared by the flat spelling of the shape (see ``StatementShape``): a hash, a
    /// length and one `memcmp`, instead of walking two trees. The statement itself is
    /// kept for two reasons: it holds the tables whose identities the spelling names
    /// (so no table can be freed and another take its address while the entry lives),
    /// and a shape with parts the walk does not spell is compared as a tree as well.
    private struct Key: Hashable {
        /// The dialect's name and flags (see ``Dialect/compilationFlags``): two dialects
        /// of one name whose flags differ (an older SQLite library without FULL JOIN)
        /// compile differently. Kept as plain values so a key copies cheaply.
        let dialectName: String
        let dialectFlags: UInt64
        let shape: StatementShape
        /// Always set in a stored key; in a lookup key only when the shape is compared
        /// as a tree too.
        var statement: StatementNode?

        static func == (a: Key, b: Key) -> Bool {
            guard StatementShape.sameWords(a.shape, b.shape), a.dialectFlags == b.dialectFlags,
                  a.dialectName == b.dialectName else { return false }
            // Equal words mean equal markers: both or neither were left partly unspelled.
            guard a.shape.treeCompared else { return true }
            guard let x = a.statement, let y = b.statement else { return false }
            return x == y
        }

        func hash(into hasher: inout Hasher) { hasher.combine(shape.hash) }
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
    // Touched only while `lock` is held, which already makes every access exclusive:
    // the run-time exclusivity check is skipped (it cost a runtime call per lookup).
    @exclusivity(unchecked) private var entries: [Key: Entry] = [:]
    @exclusivity(unchecked) private var clock: UInt64 = 0
    @exclusivity(unchecked) private var hits = 0
    @exclusivity(unchecked) private var misses = 0
    @exclusivity(unchecked) private var _capacity: Int

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
        // One walk gathers the values a hit fills in and spells the shape for the lookup.
        let (template, values, lists) = try lookup(statement, dialect)
        return template.instantiate(values, lists, dialect)
    }

    /// Compiles a SELECT through the cache: as `compile(.select(select), dialect)`, but
    /// the statement is boxed into a ``StatementNode`` only when the key needs it (a
    /// miss, or a shape compared as a tree), not on every hit.
    package func compile(_ select: Select, _ dialect: Dialect) throws -> CompiledStatement {
        let (template, values, lists) = try lookup(select, dialect)
        return template.instantiate(values, lists, dialect)
    }

    /// A SELECT made ready to execute without named parameters.
    package enum Prepared {
        /// The SQL, its values (in placeholder order) put in the caller's array: nothing
        /// is left to resolve.
        case positional(sql: String)
        /// The statement has named parameters or lists; resolve them from this.
        case compiled(CompiledStatement)
    }

    /// Prepares a SELECT for ``Connection/execute(_:_:)`` through the cache: its SQL,
    /// with its values in `values`, when they are all it takes (the usual case), else
    /// the compiled statement.
    ///
    /// The walk works in `extractor` and the values go into `values`, both emptied
    /// first and left holding their storage: a connection keeps them from one execution
    /// to the next, so a cache hit allocates no buffers of its own.
    package func prepare(_ select: Select, _ dialect: Dialect, reusing extractor: inout BindExtractor,
                         into values: inout [SQLValue]) throws -> Prepared {
        extractor.removeAll()
        let (template, bound, lists) = try lookup(select, dialect, &extractor)
        if template.isPositional {
            if !values.isEmpty { values.removeAll(keepingCapacity: true) }
            template.positionalValues(bound, dialect, into: &values)
            return .positional(sql: template.sql)
        }
        return .compiled(template.instantiate(bound, lists, dialect))
    }

    private func lookup(_ select: Select, _ dialect: Dialect) throws -> (CompiledTemplate, [BoundValue], [ExpandingList]) {
        var extractor = BindExtractor()
        return try lookup(select, dialect, &extractor)
    }

    private func lookup(_ select: Select, _ dialect: Dialect, _ extractor: inout BindExtractor)
        throws -> (CompiledTemplate, [BoundValue], [ExpandingList]) {
        extractor.mix(StatementNode.selectTag)
        _ = select.walked(&extractor)
        // No closure over `select` here: capturing it copied the whole statement per hit.
        let (key, cached) = find(&extractor, dialect, tree: extractor.shape.treeCompared ? .select(select) : nil)
        if let cached { return cached }
        return try compileAndStore(key, key.statement ?? .select(select), dialect)
    }

    private func lookup(_ statement: StatementNode, _ dialect: Dialect) throws -> (CompiledTemplate, [BoundValue], [ExpandingList]) {
        var extractor = BindExtractor()
        _ = statement.walked(&extractor)
        let (key, cached) = find(&extractor, dialect, tree: extractor.shape.treeCompared ? statement : nil)
        if let cached { return cached }
        return try compileAndStore(key, statement, dialect)
    }

    /// Looks a walked statement up: the key (holding `tree`, the statement, when its
    /// shape is compared as a tree) and, on a hit, the template with the values to fill in.
    private func find(_ extractor: inout BindExtractor, _ dialect: Dialect, tree: StatementNode?)
        -> (Key, (CompiledTemplate, [BoundValue], [ExpandingList])?) {
        let flags = dialect.compilationFlags
        extractor.mix(Int(truncatingIfNeeded: flags))
        let key = Key(dialectName: dialect.name, dialectFlags: flags, shape: extractor.shape, statement: tree)
        lock.lock()
        guard let entry = entries[key] else {
            misses += 1
            lock.unlock()
            return (key, nil)
        }
        clock &+= 1
        entry.lastUsed = clock
        hits += 1
        let template = entry.template
        lock.unlock()
        // Equal shapes have as many values; should that ever fail, compile afresh
        // rather than index out of range.
        guard extractor.values.count >= template.slotCount, extractor.lists.count >= template.listSlotCount else {
            return (key, nil)
        }
        return (key, (template, extractor.values, extractor.lists))
    }

    /// Compiles a statement the cache did not have into a template, and stores it
    /// (when reusable) under `key`, which from then on holds the statement: that keeps
    /// the tables its spelling names alive.
    private func compileAndStore(_ key: Key, _ statement: StatementNode, _ dialect: Dialect)
        throws -> (CompiledTemplate, [BoundValue], [ExpandingList]) {
        let (template, values) = try StatementCache.compileTemplate(statement, dialect)
        if template.reusable {
            var stored = key
            stored.statement = statement
            lock.withLock {
                clock &+= 1
                if entries[stored] == nil {
                    entries[stored] = Entry(template, clock)
                    if entries.count > _capacity { evictLocked() }
                }
            }
        }
        return (template, values.values, values.lists)
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
        try StatementCache.shared.compile(self, dialect)
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
