import Foundation
import RetortCore

/// `migrator upgrade --sql` / `downgrade --sql`: the SQL a run would execute, written
/// as a script for the database's own client, without connecting — so it needs only a
/// ``RetortCore/Dialect``, which is how databases Retort cannot connect to (Oracle,
/// SQL Server) get their migrations: as scripts a DBA reviews and runs.
///
/// The script holds the migrator's tables (from base), each revision's operations
/// between the dialect's BEGIN and COMMIT, and its version-table and history rows;
/// statements end as the client wants (``MigrationDialect/offlineStatementEnd``).
public struct OfflineScript {
    public let config: MigratorConfig
    public let graph: RevisionGraph
    let applier: any OperationApplier
    public let dialect: Dialect
    let store: VersionStore

    public init(config: MigratorConfig, graph: RevisionGraph, applier: any OperationApplier, dialect: Dialect) {
        self.config = config
        self.graph = graph
        self.applier = applier
        self.dialect = dialect
        self.store = VersionStore(versionTable: config.versionTable, dialect: dialect)
    }

    /// The SQL an upgrade (`START:END`, or `END` from base) would run: the migrator's
    /// tables, BEGIN/COMMIT, every operation and version-table statement.
    public func upgrade(_ range: String) throws -> String {
        let (start, end) = try offlineRange(range, defaultStart: "base")
        return try script(plan: try graph.planUpgrade(from: start, to: end), createTables: start.isEmpty)
    }

    /// The SQL a downgrade over `START:END` would run (a start is required offline,
    /// since the database is not asked where it is).
    public func downgrade(_ range: String) throws -> String {
        guard range.contains(":") else {
            throw MigrateError("downgrade --sql needs a range START:END, e.g. head:base", hint: "the database is not consulted offline")
        }
        let (start, end) = try offlineRange(range, defaultStart: "head")
        return try script(plan: try graph.planDowngrade(from: start, to: end), createTables: false)
    }

    private func offlineRange(_ range: String, defaultStart: String) throws -> (Set<String>, String) {
        let parts = range.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let startName = parts.count == 2 ? (parts[0].isEmpty ? defaultStart : parts[0]) : defaultStart
        let end = parts.count == 2 ? parts[1] : parts[0]
        let start: Set<String>
        switch startName {
        case "base": start = []
        case "heads": start = Set(graph.heads)
        default: start = [try graph.resolve(startName)]
        }
        return (start, end)
    }

    private func script(plan: [MigrationStep], createTables: Bool) throws -> String {
        try MigrationRunner.checkRunnable(plan, dialect: dialect)
        let out = OfflineExecutor(dialect: dialect)
        if createTables {
            for stmt in store.createStatements(ifNotExists: dialect.migration.createsTablesIfNotExists) {
                try out.execute(stmt, [:])
            }
        }
        let all = config.transaction == .all
        if all { try out.begin() }
        for step in plan {
            out.comment("\(step.isUpgrade ? "upgrade" : "downgrade") \(step.arrow)  \(step.revision.message)")
            if !all, step.revision.transactional { try out.begin() }
            try apply(step, out)
            let (stmt, params) = store.historyInsert(revision: step.revision.id, upgrade: step.isUpgrade,
                                                     checksum: step.revision.checksum, at: Date(), milliseconds: 0)
            try out.execute(stmt, params)
            if !all, step.revision.transactional { try out.commit() }
        }
        if all { try out.commit() }
        return out.script
    }

    /// The step's operations and its version-table statements; an operation the
    /// dialect cannot express fails naming the revision file, the step and the operation.
    private func apply(_ step: MigrationStep, _ out: OfflineExecutor) throws {
        let ops = step.isUpgrade ? step.revision.upgrade : step.revision.downgrade
        applier.prepare(for: step, resumingAfter: 0)
        for (i, op) in ops.enumerated() {
            do {
                try applier.apply(ops, at: i, on: out)
            } catch {
                let place = "revision \(step.revision.id), \(step.isUpgrade ? "upgrade" : "downgrade") step \(i + 1) (\(op.key))"
                if let e = error as? MigrateError {
                    throw MigrateError("\(place): \(e.message)", at: e.location ?? .init(file: step.revision.path), hint: e.hint)
                }
                let message = (error as? any DatabaseError)?.message ?? (error as? ArgumentError)?.message ?? "\(error)"
                throw MigrateError("\(place): \(message)", at: .init(file: step.revision.path),
                                   hint: "change the operation, or give this database its own SQL with an `execute` operation")
            }
        }
        for (stmt, params) in store.transition(from: step.headsBefore, to: step.headsAfter) {
            try out.execute(stmt, params)
        }
    }
}
