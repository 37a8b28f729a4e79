import Foundation
import RetortCore

/// What `migrator diff FROM TO` found: the operations that turn FROM into TO, and the
/// dialect of TO (the one its SQL is written for).
public struct SchemaDifference: Sendable {
    /// The side the operations start from.
    public let from: SchemaSide
    /// The side they reach.
    public let to: SchemaSide
    /// The changes, upgrade operations in the order they run (and their downgrades).
    public let diff: SchemaDiff
    /// TO's database (FROM's, or the configured one's, when TO is the models).
    public let dialect: Dialect

    /// The operations as revision YAML: the `upgrade:` and `downgrade:` lists spelled
    /// as a revision file spells them, ready to paste into one.
    public var yaml: String {
        RevisionWriter.operations("upgrade", diff.upgrade) + RevisionWriter.operations("downgrade", diff.downgrade)
    }

    /// The upgrade as SQL for TO's database, compiled offline as `upgrade --sql`
    /// compiles it (nothing connects).
    public func sql(enums: [String: [String]] = [:]) throws -> String {
        let out = OfflineExecutor(dialect: dialect)
        let applier = CoreOperationApplier(enums: enums.merging(diffEnums) { a, _ in a })
        for i in diff.upgrade.indices { try applier.apply(diff.upgrade, at: i, on: out) }
        return out.script
    }

    /// The enum types the diff's operations create, with their values.
    private var diffEnums: [String: [String]] {
        var out: [String: [String]] = [:]
        for case .createEnum(let name, let values) in diff.upgrade { out[name] = values }
        return out
    }

    /// `{"status": "ok" | "different", "from": ..., "to": ..., "differences": [...],
    /// "upgrade": [...], "downgrade": [...], "notes": [...]}`; each operation is an object
    /// with one key, as in a revision file (`{"add_column": {"table": "books", ...}}`).
    public var json: String {
        let differences = diff.changes.map { c -> [String: Any] in
            ["kind": c.kind.rawValue, "table": c.table ?? NSNull(), "summary": c.summary, "data_loss": c.dataLoss != nil]
        }
        return MachineOutput.object(status: diff.isEmpty ? "ok" : "different", [
            "from": from.description, "to": to.description, "dialect": dialect.name, "differences": differences,
            "upgrade": diff.upgrade.map(OperationJSON.object), "downgrade": diff.downgrade.map(OperationJSON.object),
            "notes": diff.notes,
        ])
    }
}

extension Project {
    /// `migrator diff FROM TO`: reflects both sides (a revision is built by replaying the
    /// scripts on a scratch database; the models come from `models`, asked for only when
    /// a side is `models`) and compares them as `check` does, TO playing the models'
    /// part. Across databases (SQLite against PostgreSQL) the comparison is in Retort's
    /// type names. The configured database is only read, and only when a side names it.
    ///
    /// ```swift
    /// let d = try project.diff(from: .revision("head"), to: .database(url: "postgresql://app@db/prod"), models: { metadata })
    /// print(d.yaml)   // upgrade: [...] downgrade: [...]
    /// ```
    public func diff(from: SchemaSide, to: SchemaSide, models: () throws -> MetaData) throws -> SchemaDifference {
        var loaded: MetaData?
        func metadata() throws -> MetaData {
            if let loaded { return loaded }
            let m = try models()
            loaded = m
            return m
        }
        let fromSchema = try reflectedSchema(from)
        let toSchema = try reflectedSchema(to)
        let dialect: Dialect
        if let d = toSchema?.dialect ?? fromSchema?.dialect { dialect = d } else { dialect = try engine().dialect }
        let fromReflected: ReflectedSchema
        if let fromSchema { fromReflected = fromSchema.schema } else { fromReflected = try expectedSchema(metadata(), dialect: dialect) }
        let result: SchemaDiff
        if let toSchema {
            result = try difference(from: fromReflected, to: toSchema.schema, dialect: dialect)
        } else {
            result = try comparer(for: dialect).compare(try metadata(), with: fromReflected)
        }
        return SchemaDifference(from: from, to: to, diff: result, dialect: dialect)
    }

    /// What reflection would report for `metadata` once created on `dialect`.
    func expectedSchema(_ metadata: MetaData, dialect: Dialect) throws -> ReflectedSchema {
        ReflectedSchema(
            tables: try metadata.tables.map { try ReflectedTable(expecting: $0, dialect: dialect) },
            enums: dialect.supportsNativeEnum ? metadata.enums.map { ReflectedEnum(name: $0.name, values: $0.values) } : [])
    }

    /// The operations that turn the reflected schema `from` into `to`: `to` plays the
    /// models' part in the comparison, its names exactly as reflected (the naming
    /// convention must not name what the database left unnamed).
    func difference(from: ReflectedSchema, to: ReflectedSchema, dialect: Dialect) throws -> SchemaDiff {
        let target = MetaData(namingConvention: .none)
        for t in to.tables { _ = Table(reflected: t, metadata: target) }
        for s in to.sequences where s.ownedBy == nil { target.add(DatabaseSequence(s.name, options: s.options)) }
        var diff = try comparer(for: dialect).compare(target, with: from)
        // Reflection states every column's autoincrement; a column spells it only where
        // it is not the default (false for a column that is not a key).
        func plain(_ column: ColumnSpec) -> ColumnSpec {
            var column = column
            if column.autoincrement == false, !column.primaryKey { column.autoincrement = nil }
            return column
        }
        func plain(_ op: MigrationOperation) -> MigrationOperation {
            switch op {
            case .addColumn(let table, let column): return .addColumn(table: table, column: plain(column))
            case .createTable(var t):
                t.columns = t.columns.map(plain)
                return .createTable(t)
            default: return op
            }
        }
        for i in diff.changes.indices {
            diff.changes[i].upgrade = diff.changes[i].upgrade.map(plain)
            diff.changes[i].downgrade = diff.changes[i].downgrade.map(plain)
        }
        diff.changes = Project.droppingTablesFirst(diff.changes)
        return diff
    }

    /// `changes` with the tables TO no longer has dropped before the new ones are
    /// created (after the foreign keys that kept tables had to them): between two real
    /// schemas a dropped table can hold a name a new one takes, such as the primary key
    /// `pk_a` a table renamed from `a` kept when a new `a` is created, and on PostgreSQL
    /// those names are one namespace. The downgrade, undone in reverse, recreates them
    /// after dropping the new ones.
    static func droppingTablesFirst(_ changes: [SchemaChange]) -> [SchemaChange] {
        let enums = changes.filter { $0.kind == .addEnum || $0.kind == .addEnumValue }
        let foreignKeys = changes.filter { $0.kind == .removeForeignKey }
        let dropped = changes.filter { $0.kind == .removeTable }
        let moved: Set<SchemaChange.Kind> = [.addEnum, .addEnumValue, .removeForeignKey, .removeTable]
        return enums + foreignKeys + dropped + changes.filter { !moved.contains($0.kind) }
    }

    /// A side read from a database (nil for the models).
    private func reflectedSchema(_ side: SchemaSide) throws -> (schema: ReflectedSchema, dialect: Dialect)? {
        switch side {
        case .models:
            return nil
        case .database(let url):
            let engine = try createEngine(url)
            defer { engine.dispose() }
            return (try reflect(engine), engine.dialect)
        case .revision(let rev):
            return try replayedSchema(at: [rev])
        }
    }

    /// The schema on `engine`, the migrator's own tables left out.
    func reflect(_ engine: Engine) throws -> ReflectedSchema {
        let own = Set(VersionStore(versionTable: config.versionTable, dialect: engine.dialect).ownTables)
        return try engine.connect { conn in
            try Inspector(conn, excluding: own).reflect()
        }
    }

    /// The schema the revision files produce at `revisions` (each applied in turn with
    /// what it descends from; `base` or none: the empty schema), built by upgrading a
    /// scratch database beside the configured one (a temporary SQLite file, or a
    /// temporary database on the configured server) and reflecting it.
    public func replayedSchema(at revisions: [String]) throws -> (schema: ReflectedSchema, dialect: Dialect) {
        let targets = try revisions.filter { $0 != "base" }.map { try graph.resolve($0) }
        let scratch = try ScratchDatabase.make(near: config.database)
        defer { scratch.drop() }
        var scratchConfig = config
        scratchConfig.database = scratch.url
        let project = Project(config: scratchConfig, scripts: scripts)
        let engine = try project.engine()
        defer { engine.dispose() }
        for target in targets {
            do {
                _ = try project.runner().upgrade(to: target)
            } catch {
                throw MigrateError("cannot build the schema at revision \(target): upgrading a scratch database to it failed: "
                                   + MachineOutput.describe(error),
                                   hint: "`migrator verify` shows which revision fails")
            }
        }
        return (try reflect(engine), engine.dialect)
    }
}
