import Foundation
import RetortCore

/// Carries out one migration operation through an executor (the DDL it compiles to,
/// or SQLite's table rebuild).
public protocol OperationApplier: Sendable {
    func apply(_ operation: MigrationOperation, on executor: any SQLExecutor) throws
}

/// A revision applied or unapplied, for the CLI's one line per step.
public struct StepReport: Sendable {
    public let step: MigrationStep
    public let milliseconds: Int
    /// `upgrade 3f2a9c1b7d4e -> 9c1b2e7f00aa  add tags  (12 ms)`
    public var line: String {
        "\(step.isUpgrade ? "upgrade" : "downgrade") \(step.arrow)  \(step.revision.message)  (\(milliseconds) ms)"
    }
}

/// Applies revisions through Core inside transactions, holding the migration lock,
/// keeping the version and history tables, and refusing edited revisions.
public final class MigrationRunner {
    public let config: MigratorConfig
    public let scripts: ScriptDirectory
    public let engine: Engine
    public let store: VersionStore
    let applier: any OperationApplier
    /// Called after each revision with its report.
    public var onStep: (StepReport) -> Void = { _ in }
    /// How many revisions the current upgrade or downgrade planned to run.
    public private(set) var plannedSteps = 0
    /// The advisory-lock key: the same for every process using this version table.
    var lockKey: Int64 {
        var h: UInt64 = 14_695_981_039_346_656_037  // FNV-1a, stable across runs
        for b in ("retort:" + config.versionTable).utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        return Int64(bitPattern: h >> 1)
    }

    public init(config: MigratorConfig, scripts: ScriptDirectory, engine: Engine, applier: any OperationApplier) {
        self.config = config
        self.scripts = scripts
        self.engine = engine
        self.applier = applier
        self.store = VersionStore(versionTable: config.versionTable, dialect: engine.dialect)
    }

    var graph: RevisionGraph { scripts.graph }
    var immediate: Bool { engine.dialect.tryAdvisoryLockSQL(key: 0) == nil }

    /// The revisions the version table holds.
    public func current() throws -> Set<String> {
        try engine.connect { try store.heads($0) }
    }

    // MARK: Online

    /// Applies what `target` needs; returns the steps taken.
    @discardableResult
    public func upgrade(to target: String, allowEdited: Bool = false) throws -> [StepReport] {
        try run { executor, conn in
            let current = try store.heads(conn)
            if !allowEdited { try checkNotEdited(current, conn) }
            // A relative target counts from where the database is now; fix it to revisions.
            let targets = try graph.upgradeTargets(target, current: current)
            plannedSteps = try graph.planUpgrade(from: current, toRevisions: targets).count
            // Planned once; planned again only if another migrator moved the version table.
            var plan: [MigrationStep] = []
            return try walk(executor, conn) { heads in
                if plan.first?.headsBefore != heads { plan = try self.graph.planUpgrade(from: heads, toRevisions: targets) }
                guard !plan.isEmpty else { return [] }
                return [plan.removeFirst()]
            }
        }
    }

    /// Unapplies down to `target`; returns the steps taken.
    @discardableResult
    public func downgrade(to target: String) throws -> [StepReport] {
        try run { executor, conn in
            let current = try store.heads(conn)
            let plan = try graph.planDowngrade(from: current, to: target)
            plannedSteps = plan.count
            // A relative target means "from where we were", so the plan is fixed here.
            var remaining = plan[...]
            return try walk(executor, conn) { heads in
                guard let next = remaining.first else { return [] }
                guard next.headsBefore == heads else {
                    throw MigrateError("the version table changed during the downgrade (it now holds "
                                       + "\(heads.sorted().joined(separator: ", "))): another migrator is running",
                                       hint: "run the downgrade again once it has finished")
                }
                remaining.removeFirst()
                return [next]
            }
        }
    }

    /// Sets the version table to `revisions` without running anything.
    public func stamp(_ revisions: [String], purge: Bool) throws {
        _ = try run { executor, conn in
            let targets = try Set(revisions.map { $0 == "base" ? nil : try graph.resolve($0) }.compactMap { $0 })
            try executor.begin()
            let current: Set<String>
            if purge {
                try executor.execute(text("DELETE FROM \(engine.dialect.quoteIdentifier(config.versionTable))"), [:])
                current = []
            } else {
                current = try store.heads(conn)
                try graph.checkKnown(current)
            }
            let after = graph.heads(ofApplied: graph.ancestors(of: targets))
            for (stmt, params) in store.transition(from: current, to: after) { try executor.execute(stmt, params) }
            try executor.commit()
            return []
        }
    }

    /// Connects, takes the migration lock, makes the migrator's tables, runs `body`,
    /// and always releases the lock.
    private func run(_ body: (any SQLExecutor, Connection) throws -> [StepReport]) throws -> [StepReport] {
        try engine.connect { conn in
            let executor = LiveExecutor(conn, immediate: immediate)
            for sql in engine.dialect.timeoutStatements(lockTimeout: config.lockTimeout, statementTimeout: config.statementTimeout) {
                try conn.execute(text(sql))
            }
            try conn.commit()
            let locked = try acquireLock(conn)
            defer { if locked { releaseLock(conn) } }
            let fk = engine.dialect.migrationForeignKeyHandling
            try conn.executeOutsideTransaction(fk.before)
            var release: [String] = []
            defer {
                try? conn.rollback()
                try? conn.executeOutsideTransaction(release)
                try? conn.executeOutsideTransaction(fk.after)
            }
            try executor.begin()
            for stmt in store.createStatements { try executor.execute(stmt, [:]) }
            release = try engine.dialect.holdWriteLockForMigrationRun(on: conn)
            try executor.commit()
            return try body(executor, conn)
        }
    }

    /// Applies one planned step at a time, re-reading the version table inside each
    /// transaction so that a concurrent migrator's work is seen, not repeated.
    private func walk(_ executor: any SQLExecutor, _ conn: Connection,
                      plan: (Set<String>) throws -> [MigrationStep]) throws -> [StepReport] {
        var reports: [StepReport] = []
        let all = config.transaction == .all
        if all { try executor.begin() }
        do {
            while true {
                if !all { try executor.begin() }
                let heads = try store.heads(conn, knownToExist: true)
                guard let step = try plan(heads).first else {
                    if !all { try executor.commit() }
                    break
                }
                let previousIsolation = conn.isolationLevel
                if !step.revision.transactional {
                    try executor.commit()
                    try conn.setIsolationLevel(.autocommit)
                }
                let started = Date()
                do {
                    try apply(step, executor)
                } catch {
                    if !step.revision.transactional { try? conn.setIsolationLevel(previousIsolation) }
                    throw error
                }
                let ms = Int((Date().timeIntervalSince(started) * 1000).rounded())
                let (stmt, params) = store.historyInsert(revision: step.revision.id, upgrade: step.isUpgrade,
                                                         checksum: step.revision.checksum, at: started, milliseconds: ms)
                try executor.execute(stmt, params)
                if !step.revision.transactional {
                    try conn.setIsolationLevel(previousIsolation)
                    if all { try executor.begin() }
                } else if !all {
                    try checkForeignKeys(conn, after: [step])
                    try executor.commit()
                }
                let report = StepReport(step: step, milliseconds: ms)
                reports.append(report)
                onStep(report)
            }
            if all {
                try checkForeignKeys(conn, after: reports.map(\.step))
                try executor.commit()
            }
        } catch {
            try? executor.rollback()
            throw error
        }
        return reports
    }

    private func apply(_ step: MigrationStep, _ executor: any SQLExecutor) throws {
        let ops = step.isUpgrade ? step.revision.upgrade : step.revision.downgrade
        for (i, op) in ops.enumerated() {
            do {
                try applier.apply(op, on: executor)
            } catch let error as MigrateError {
                throw MigrateError("revision \(step.revision.id), \(step.isUpgrade ? "upgrade" : "downgrade") step \(i + 1) (\(op.key)): \(error.message)",
                                   at: error.location ?? .init(file: step.revision.path), hint: error.hint)
            } catch let error as any DatabaseError {
                throw MigrateError("revision \(step.revision.id), \(step.isUpgrade ? "upgrade" : "downgrade") step \(i + 1) (\(op.key)) failed: "
                                   + "\(type(of: error)): \(error.message)",
                                   at: .init(file: step.revision.path),
                                   hint: "nothing of this revision was applied" + (step.revision.transactional ? "" : " before the failing statement"))
            }
        }
        for (stmt, params) in store.transition(from: step.headsBefore, to: step.headsAfter) {
            try executor.execute(stmt, params)
        }
    }

    /// Fails (and so rolls back) when the revision left rows whose foreign keys point
    /// at nothing — checked here where the database only checks them on request.
    /// Runs only when one of `steps` (the revision just applied, or with `transaction: all`
    /// every revision of the walk) holds an operation that can leave violations; the
    /// error names the last of them.
    private func checkForeignKeys(_ conn: Connection, after steps: [MigrationStep]) throws {
        guard let query = engine.dialect.migrationForeignKeyHandling.check, let step = steps.last else { return }
        let risky = steps.contains { s in
            (s.isUpgrade ? s.revision.upgrade : s.revision.downgrade).contains(where: \.canLeaveForeignKeyViolations)
        }
        guard risky else { return }
        let rows = try conn.execute(query).all()
        guard let first = rows.first else { return }
        let table = (try? first.get(0, as: String.self)) ?? "?"
        let parent = (try? first.get(2, as: String.self)) ?? "?"
        let rowid = (try? first.get(1, as: Int?.self)).flatMap { $0 }.map { " (rowid \($0))" } ?? ""
        throw MigrateError("revision \(step.revision.id) leaves \(rows.count) row\(rows.count == 1 ? "" : "s") violating foreign keys: "
                           + "table \(table)\(rowid) refers to a missing row of \(parent)",
                           at: .init(file: step.revision.path), hint: "nothing of the revision was applied")
    }

    /// Refuses to go on when an applied revision's file changed since it was applied.
    private func checkNotEdited(_ current: Set<String>, _ conn: Connection) throws {
        let recorded = try store.appliedChecksums(conn)
        for id in graph.ordered(graph.ancestors(of: current.filter { graph.revision($0) != nil })) {
            guard let rev = graph.revision(id), let was = recorded[id], was != rev.checksum else { continue }
            throw MigrateError("revision \(id) was edited after it was applied",
                               at: .init(file: rev.path),
                               hint: "restore the file, or pass --allow-edited if the change is intended")
        }
    }

    // MARK: Offline

    /// The SQL an upgrade (`START:END`, or `END` from base) would run, without connecting:
    /// the migrator's tables, BEGIN/COMMIT, every operation and version-table statement.
    public func offlineUpgrade(_ range: String) throws -> String {
        let (start, end) = try offlineRange(range, defaultStart: "base")
        return try offline(plan: try graph.planUpgrade(from: start, to: end), createTables: start.isEmpty)
    }

    /// The SQL a downgrade over `START:END` would run (a start is required offline,
    /// since the database is not asked where it is).
    public func offlineDowngrade(_ range: String) throws -> String {
        guard range.contains(":") else {
            throw MigrateError("downgrade --sql needs a range START:END, e.g. head:base", hint: "the database is not consulted offline")
        }
        let (start, end) = try offlineRange(range, defaultStart: "head")
        return try offline(plan: try graph.planDowngrade(from: start, to: end), createTables: false)
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

    private func offline(plan: [MigrationStep], createTables: Bool) throws -> String {
        let out = OfflineExecutor(dialect: engine.dialect)
        if createTables {
            for stmt in store.createStatements { try out.execute(stmt, [:]) }
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

    // MARK: The migration lock

    private func acquireLock(_ conn: Connection) throws -> Bool {
        guard let sql = engine.dialect.tryAdvisoryLockSQL(key: lockKey) else { return false }
        let deadline = Date(timeIntervalSinceNow: config.lockTimeout ?? 10)
        var delay = 0.01
        while true {
            if try conn.scalar(sql, ["key": lockKey], as: Bool.self) {
                try conn.commit()
                return true
            }
            try conn.commit()
            if Date() >= deadline {
                throw MigrateError("could not acquire the migration lock within \(config.lockTimeout ?? 10) s: "
                                   + "another migrator is running against this database",
                                   hint: "wait for it to finish, or raise postgresql.lock_timeout in the config")
            }
            Thread.sleep(forTimeInterval: delay)
            delay = min(delay * 2, 0.5)
        }
    }

    private func releaseLock(_ conn: Connection) {
        guard let sql = engine.dialect.advisoryUnlockSQL(key: lockKey) else { return }
        try? conn.rollback()
        _ = try? conn.execute(sql, ["key": lockKey])
        try? conn.commit()
    }
}
