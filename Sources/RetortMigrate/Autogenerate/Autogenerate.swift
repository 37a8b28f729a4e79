import Foundation
import RetortCore

/// Where the database stands against the revision files, as `check` and
/// `revision --autogenerate` need it.
public enum HeadStatus: Sendable, Equatable {
    /// At the single head, or no revisions exist and none is applied.
    case atHead
    /// The database is at `current`, the scripts' head is `head`.
    case notAtHead(current: Set<String>, head: String)
    /// The scripts have several heads (merge them first).
    case severalHeads([String])
}

/// Autogenerate and `check`: the models against the live database.
///
/// ```swift
/// let project = try Project(configPath: "migrator.yaml")
/// let models = try MetadataJSON.read(contentsOf: "models.json")
/// let diff = try project.compare(models)                      // what `migrator check` reports
/// if let (_, revision, path, _) = try project.autogenerate(message: "add tags", metadata: models) {
///     print("created \(path)")                                // else: "No changes detected"
/// }
/// ```
extension Project {
    /// Whether the database is at the scripts' single head.
    public func headStatus() throws -> HeadStatus {
        let heads = graph.heads
        if heads.count > 1 { return .severalHeads(heads.sorted()) }
        let current = try currentHeads()
        guard let head = heads.first else {
            return current.isEmpty ? .atHead : .notAtHead(current: current, head: "base")
        }
        return current == [head] ? .atHead : .notAtHead(current: current, head: head)
    }

    /// Throws the message `check` and `revision --autogenerate` give unless the
    /// database is at head.
    public func requireAtHead() throws {
        switch try headStatus() {
        case .atHead:
            return
        case .severalHeads(let heads):
            throw MigrateError("the scripts have several heads (\(heads.joined(separator: ", ")))",
                               hint: "merge them with `migrator merge heads -m MSG`, then upgrade")
        case .notAtHead(let current, let head):
            throw MigrateError("the database is not at head: it is at \(current.isEmpty ? "base" : current.sorted().joined(separator: ", ")), "
                                   + "the head is \(head)",
                               hint: "run `migrator upgrade head` first")
        }
    }

    /// The comparer this project's config asks for (`compare:`, `exclude_tables:`).
    public func comparer(for dialect: Dialect) -> SchemaComparer {
        SchemaComparer(dialect: dialect, compareTypes: config.compareTypes, compareServerDefaults: config.compareServerDefaults,
                       excludeTables: config.excludeTables)
    }

    /// The differences between `metadata` and the database (the migrator's own tables
    /// left out).
    public func compare(_ metadata: MetaData, rename: (RenameCandidate) throws -> Bool = { _ in false }) throws -> SchemaDiff {
        let engine = try engine()
        let own = Set(VersionStore(versionTable: config.versionTable, dialect: engine.dialect).ownTables)
        return try engine.connect { conn in
            let schema = try Inspector(conn, excluding: own).reflect()
            return try comparer(for: conn.dialect).compare(metadata, with: schema, rename: rename)
        }
    }

    /// `migrator revision --autogenerate`: writes a revision with the operations that
    /// bring the database to `metadata` and a downgrade that undoes them, with a header
    /// warning of data loss where there is any. Returns nil, writing nothing, when
    /// there are no changes. Refuses unless the database is at head. `written` lists
    /// every file written, in order: new enum values on PostgreSQL get a revision of
    /// their own before `revision` (see ``enumValuesRevision(_:message:date:)``).
    public func autogenerate(message: String, metadata: MetaData, revisionID: String? = nil, date: Date = Date(),
                             rename: (RenameCandidate) throws -> Bool = { _ in false })
        throws -> (diff: SchemaDiff, revision: Revision, path: String, written: [String])?
    {
        try requireAtHead()
        let diff = try compare(metadata, rename: rename)
        guard !diff.isEmpty else { return nil }
        var header = diff.headerComments
        if !diff.notes.isEmpty { header += ["Not handled (do it by hand):"] + diff.notes.map { "  - " + $0 } }
        var rest = diff
        let values = try enumValuesRevision(diff, message: message, date: date)
        if let values {
            // The rest follows in a revision of its own, which may use the new values.
            rest.changes.removeAll { $0.kind == .addEnumValue }
            header += ["The new enum values are added by revision \(values.revision) (\(values.file)), which runs before this one:",
                       "PostgreSQL cannot use an enum value in the transaction that adds it."]
        }
        var parents = try values.map { [$0.revision] } ?? (graph.heads.isEmpty ? [] : [graph.singleHead()])
        var written = values.map { [$0.path] } ?? []
        let dialect = try engine().dialect
        let ddl = dialect.makeDDLCompiler()
        var later = SchemaDiff()
        if config.postgresqlSafe, ddl.supportsConcurrentIndexes, ddl.supportsNotValidConstraints {
            (rest, later) = rest.postgresqlSafeSplit(dialect: dialect)
        }
        var last: (Revision, String)?
        if !rest.isEmpty || later.isEmpty {
            let nowHeader = later.isEmpty ? header
                : header + ["The lock-friendly follow-up steps (postgresql_safe) are in the next revision, which runs outside a transaction."]
            last = try writeRevision(message: message, parents: parents, revisionID: later.isEmpty ? revisionID : nil,
                                     upgrade: rest.upgrade, downgrade: rest.downgrade, headerComments: nowHeader, date: date)
            parents = [last!.0.id]
            written.append(last!.1)
        }
        if !later.isEmpty {
            // Outside a transaction: CONCURRENTLY needs it, and each VALIDATE and SET NOT NULL commits on its own.
            last = try writeRevision(
                message: message + " (postgresql_safe follow-up)", parents: parents, revisionID: revisionID, transactional: false,
                upgrade: later.upgrade, downgrade: later.downgrade,
                headerComments: ["postgresql_safe: indexes built concurrently, constraints validated without blocking writes.",
                                 "Runs outside a transaction: each step commits on its own, and a rerun resumes at a failed step."],
                date: date)
            written.append(last!.1)
        }
        return (diff, last!.0, last!.1, written)
    }

    /// Where a database cannot use a new value of a native enum type before the
    /// transaction that added it commits (PostgreSQL: "unsafe use of new value"), and
    /// the diff both adds values and changes anything else, the added values go into
    /// a revision of their own, written here first; returns its id and file name.
    func enumValuesRevision(_ diff: SchemaDiff, message: String, date: Date) throws -> (revision: String, file: String, path: String)? {
        let values = diff.changes.filter { $0.kind == .addEnumValue }
        guard !values.isEmpty, values.count < diff.changes.count, try engine().dialect.supportsNativeEnum else { return nil }
        let part = SchemaDiff(changes: values)
        let (revision, path) = try newRevision(
            message: message + " (enum values)", upgrade: part.upgrade, downgrade: part.downgrade,
            headerComments: ["Enum values only: PostgreSQL cannot use an enum value in the transaction that adds it,",
                             "so the revision after this one, which uses them, runs in a transaction of its own."],
            date: date)
        return (revision.id, (path as NSString).lastPathComponent, path)
    }
}
