import Foundation

/// A collection of ``Table``s: the schema your code declares. Tables register
/// themselves when built; ``createAll(_:checkFirst:)`` and ``dropAll(_:checkFirst:)``
/// create and drop them in foreign-key order.
///
/// ```swift
/// let metadata = MetaData()
/// let authors = Table("authors", metadata, Column("id", .integer, primaryKey: true))
/// metadata.tables.map(\.name)      // ["authors"]
/// metadata["authors"] === authors  // true
/// ```
///
/// The naming convention (``NamingConvention/default``) names every constraint and
/// index declared without a name. A conventional name that collides with one already
/// used in this metadata gets a short deterministic hash suffix.
///
/// Thread-safe: tables may be declared from any thread.
public final class MetaData: @unchecked Sendable {
    // @unchecked Sendable: the table, sequence and claimed-name lists are read and written
    // only with `lock` held; every other stored property is a `let` of a Sendable type.
    /// How unnamed constraints and indexes are named.
    public let namingConvention: NamingConvention
    /// The schema tables are created in when they name none (nil: the database's default).
    public let schema: String?

    private let lock = NSLock()
    private var tableList: [Table] = []
    private var sequenceList: [DatabaseSequence] = []
    /// Constraint and index names in use → the table that owns each.
    private var claimedNames: [String: String] = [:]

    /// An empty collection of tables.
    public init(namingConvention: NamingConvention = .default, schema: String? = nil) {
        self.namingConvention = namingConvention
        self.schema = schema
    }

    /// The tables, in the order they were declared.
    public var tables: [Table] {
        lock.lock()
        defer { lock.unlock() }
        return tableList
    }

    /// The sequences declared on this metadata (``DatabaseSequence``), in order.
    public var sequences: [DatabaseSequence] {
        lock.lock()
        defer { lock.unlock() }
        return sequenceList
    }

    /// Registers `sequence` (replacing one of the same name and schema).
    public func add(_ sequence: DatabaseSequence) {
        lock.lock()
        defer { lock.unlock() }
        sequenceList.removeAll { $0.name == sequence.name && $0.schema == sequence.schema }
        sequenceList.append(sequence)
    }

    /// The table named `name` (in `schema`, when given).
    public func table(_ name: String, schema: String? = nil) -> Table? {
        lock.lock()
        defer { lock.unlock() }
        return tableList.first { $0.name == name && (schema == nil || $0.schema == schema) }
    }

    /// The table named `name`, or nil.
    public subscript(name: String) -> Table? { table(name) }

    /// Removes a table (its constraint names become free again).
    public func remove(_ table: Table) {
        lock.lock()
        defer { lock.unlock() }
        tableList.removeAll { $0 === table }
        releaseNamesLocked(owner: table.fullName)
    }

    /// The enum types the tables' columns use, each once, in order of first use.
    public var enums: [(name: String, values: [String])] {
        var seen = Set<String>()
        var out: [(String, [String])] = []
        for t in tables {
            for c in t.columns {
                if let e = c.type.enumDefinition, seen.insert(e.name).inserted { out.append(e) }
            }
        }
        return out
    }

    // MARK: Registration (called while a Table is built)

    /// Forgets the names a previous table of this name claimed, before it is replaced.
    package func prepareForTable(_ fullName: String) {
        lock.lock()
        defer { lock.unlock() }
        releaseNamesLocked(owner: fullName)
    }

    /// Adds a built table, replacing any previous table with the same name and schema.
    package func register(_ table: Table) {
        lock.lock()
        defer { lock.unlock() }
        if let i = tableList.firstIndex(where: { $0.name == table.name && $0.schema == table.schema }) {
            tableList[i] = table
        } else {
            tableList.append(table)
        }
    }

    /// Claims a constraint or index name for `owner`. An explicit name is returned as
    /// given; a conventional one that is taken gets a hash of `discriminator` appended.
    package func claimName(_ name: String, owner: String, discriminator: String, conventional: Bool) -> String {
        lock.lock()
        defer { lock.unlock() }
        let claimed = conventional ? NamingConvention.unique(name, discriminator: discriminator) { claimedNames[$0] != nil } : name
        claimedNames[claimed] = owner
        return claimed
    }

    private func releaseNamesLocked(owner: String) {
        claimedNames = claimedNames.filter { $0.value != owner }
    }
}
