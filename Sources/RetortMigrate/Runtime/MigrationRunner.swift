import Foundation
import RetortCore

/// Carries out one migration operation through an executor (the DDL it compiles to,
/// or SQLite's table rebuild).
public protocol OperationApplier: Sendable {
    func apply(_ operation: MigrationOperation, on executor: any SQLExecutor) throws
    /// Applies operation `index` of `operations`, the step's whole list, so that an
    /// operation may be carried out together with its neighbour (see
    /// ``CoreOperationApplier/apply(_:at:on:)``). The default applies it alone.
    func apply(_ operations: [MigrationOperation], at index: Int, on executor: any SQLExecutor) throws
    /// Called before the operations of `step` run (after the first `done` of them, when
    /// a revision outside a transaction resumes): what the revision's type names mean
    /// may depend on where in the history it is.
    func prepare(for step: MigrationStep, resumingAfter done: Int)
}

extension OperationApplier {
    public func prepare(for step: MigrationStep, resumingAfter done: Int) {}
    public func apply(_ operations: [MigrationOperation], at index: Int, on executor: any SQLExecutor) throws {
        try apply(operations[index], on: executor)
    }
}

/// A revision applied or unapplied, for the CLI's one line per step.
public struct StepReport: Sendable {
    public let step: MigrationStep
    public let milliseconds: Int
    /// For a revision run outside a transaction that an earlier run left part-way: how
    /// many of its steps that run had applied (this run began after them); else 0.
    public let resumedAfter: Int
    /// Resumed, and the revision's file changed since the run that applied its first
    /// steps (usually the fix of the failed step; those steps are not run again).
    public let editedSinceStarted: Bool
    /// For a downgrade of a revision an earlier upgrade left part-way: how many of its
    /// upgrade steps were applied and are now undone (the revision's last downgrade
    /// steps); else 0.
    public let undidPartialUpgrade: Int
    /// Its place in the run, from 1 (set as the runner reports it through ``MigrationRunner/onStep``).
    public internal(set) var index = 0
    /// How many revisions the run planned when it began (a concurrent migrator's work
    /// may make it run fewer).
    public internal(set) var total = 0

    /// A report of `step`, applied in `milliseconds`.
    public init(step: MigrationStep, milliseconds: Int, resumedAfter: Int = 0, editedSinceStarted: Bool = false,
                undidPartialUpgrade: Int = 0) {
        self.step = step
        self.milliseconds = milliseconds
        self.resumedAfter = resumedAfter
        self.editedSinceStarted = editedSinceStarted
        self.undidPartialUpgrade = undidPartialUpgrade
    }

    /// `upgrade 3f2a9c1b7d4e -> 9c1b2e7f00aa  add tags  (12 ms)`
    public var line: String {
        "\(step.isUpgrade ? "upgrade" : "downgrade") \(step.arrow)  \(step.revision.message)  (\(milliseconds) ms)"
            + (resumedAfter > 0 ? "  resumed at step \(resumedAfter + 1): an earlier run applied the steps before it" : "")
            + (editedSinceStarted ? " (the file has changed since; steps 1-\(resumedAfter) as they were then stay, not run again)" : "")
            + (undidPartialUpgrade > 0
                ? "  undid the \(undidPartialUpgrade == 1 ? "upgrade step" : "\(undidPartialUpgrade) upgrade steps") an earlier "
                    + "run left applied (downgrade \(undidPartialUpgrade == 1 ? "step" : "steps") "
                    + "\(step.revision.downgrade.count - undidPartialUpgrade + 1)-\(step.revision.downgrade.count))"
                : "")
    }
}

/// An upgrade or downgrade that stopped between two revisions because the caller asked
/// it to (``MigrationRunner/stopRequested``, e.g. on SIGTERM).
public struct MigrationInterrupted: Error, Sendable {
    /// The revisions this run applied (or unapplied) and committed.
    public let committed: [StepReport]
    /// The revisions it ran and then rolled back (with `transaction: all`, every one
    /// since the last commit).
    public let rolledBack: [StepReport]
}

/// Applies revisions through Core inside transactions, holding the migration lock,
/// keeping the version and history tables, and refusing edited revisions.
public final class MigrationRunner {
    public let config: MigratorConfig
    public let scripts: ScriptDirectory
    public let engine: Engine
    public let store: VersionStore
    let applier: any OperationApplier
    /// Called after each revision with its report, once it is committed (with
    /// `transaction: all`, once it is applied in the run's transaction).
    public var onStep: (StepReport) -> Void = { _ in }
    /// Asked after each revision; true stops the run there: what is committed stays,
    /// an open `transaction: all` is rolled back, and ``MigrationInterrupted`` is thrown.
    public var stopRequested: () -> Bool = { false }
    /// The progress of revisions that run outside a transaction.
    public let progress: StepProgress
    /// How many revisions the current upgrade or downgrade planned to run.
    private var plannedSteps = 0
    /// How many of them it has reported so far.
    private var reportedSteps = 0
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
        self.progress = StepProgress(table: store.progressTable, dialect: engine.dialect)
    }

    var graph: RevisionGraph { scripts.graph }
    var immediate: Bool { engine.dialect.migration.migrationLock == nil }

    /// The revisions the version table holds.
    public func current() throws -> Set<String> {
        try engine.connect { try store.heads($0) }
    }

    /// The revisions an earlier run left part-way (run outside a transaction, a step
    /// failed or the run stopped): what `current` reports besides the heads.
    public func partlyRun() throws -> [StepProgress.Entry] {
        try engine.connect { try progress.entries($0).filter { $0.stepsDone > 0 } }
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
            try graph.checkUpgradeDirection(target, targets: targets, current: current)
            var plan = try graph.planUpgrade(from: current, toRevisions: targets)
            try checkPartlyRun(conn, against: plan, isUpgrade: true)
            try checkRunnable(plan)
            plannedSteps = plan.count
            reportedSteps = 0
            // Planned again only if another migrator moved the version table.
            return try walk(executor, conn) { heads in
                if plan.first?.headsBefore != heads { plan = try self.graph.planUpgrade(from: heads, toRevisions: targets) }
                guard !plan.isEmpty else { return [] }
                return [plan.removeFirst()]
            }
        }
    }

    /// Unapplies down to `target`; returns the steps taken.
    @discardableResult
    public func downgrade(to target: String, allowEdited: Bool = false) throws -> [StepReport] {
        try run { executor, conn in
            let current = try store.heads(conn)
            if !allowEdited { try checkNotEdited(current, conn) }
            let plan = try graph.planDowngrade(from: current, to: target)
            let undos = try partialUndos(conn, heads: current)
            try checkPartlyRun(conn, against: plan, isUpgrade: false, undoing: Set(undos.map(\.revision.id)))
            try checkRunnable(plan + undos.map { MigrationStep(revision: $0.revision, isUpgrade: false, headsBefore: current,
                                                                 headsAfter: current) })
            plannedSteps = plan.count + undos.count
            reportedSteps = 0
            // First the steps an upgrade left applied part-way: what is above the version table.
            var undone: [StepReport] = []
            for undo in undos {
                let report = numbered(try undoPartialUpgrade(undo, heads: current, executor, conn))
                undone.append(report)
                onStep(report)
            }
            // A relative target means "from where we were", so the plan is fixed here.
            var remaining = plan[...]
            return try undone + walk(executor, conn) { heads in
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

    /// `report` with its place in the run and the run's planned total.
    private func numbered(_ report: StepReport) -> StepReport {
        reportedSteps += 1
        var r = report
        r.index = reportedSteps
        r.total = plannedSteps
        return r
    }

    /// Sets the version table to `revisions` without running anything.
    public func stamp(_ revisions: [String], purge: Bool) throws {
        _ = try run { executor, conn in
            let targets = try Set(revisions.map { $0 == "base" ? nil : try graph.resolve($0) }.compactMap { $0 })
            try executor.begin()
            let current: Set<String>
            if purge {
                try executor.execute(store.version.delete(), [:])
                current = []
            } else {
                current = try store.heads(conn)
                try graph.checkKnown(current)
            }
            let after = graph.heads(ofApplied: graph.ancestors(of: targets))
            for (stmt, params) in store.transition(from: current, to: after) { try executor.execute(stmt, params) }
            // Stamping says where the database is: a record of a revision left part-way goes.
            for stmt in try progress.clear(conn) { try executor.execute(stmt, [:]) }
            try executor.commit()
            return []
        }
    }

    /// Connects, takes the migration lock, makes the migrator's tables, runs `body`,
    /// and always releases the lock.
    private func run(_ body: (any SQLExecutor, Connection) throws -> [StepReport]) throws -> [StepReport] {
        try engine.connect { conn in
            do {
                try conn.checkWritable()
            } catch let error as OperationalError where error.kind == .readOnly {
                throw MigrateError("cannot migrate: " + error.message, hint: "nothing was run")
            }
            let executor = LiveExecutor(conn, immediate: immediate)
            for sql in engine.dialect.migration.timeoutStatements(lockTimeout: config.lockTimeout, statementTimeout: config.statementTimeout) {
                try conn.execute(text(sql))
            }
            try conn.commit()
            let locked = try acquireLock(conn)
            defer { if locked { releaseLock(conn) } }
            let fk = engine.dialect.migration.foreignKeyHandling
            try conn.executeOutsideTransaction(fk.before)
            var release: [String] = []
            defer {
                try? conn.rollback()
                try? conn.executeOutsideTransaction(release)
                try? conn.executeOutsideTransaction(fk.after)
            }
            try executor.begin()
            for stmt in store.createStatements { try executor.execute(stmt, [:]) }
            release = try engine.dialect.migration.holdWriteLockForRun(on: conn)
            try executor.commit()
            return try body(executor, conn)
        }
    }

    /// Applies one planned step at a time, re-reading the version table inside each
    /// transaction so that a concurrent migrator's work is seen, not repeated.
    private func walk(_ executor: any SQLExecutor, _ conn: Connection,
                      plan: (Set<String>) throws -> [MigrationStep]) throws -> [StepReport] {
        var committed: [StepReport] = []
        // With `transaction: all`: applied in the open transaction, not yet committed.
        var pending: [StepReport] = []
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
                let started = Date()
                if runsInTransaction(step.revision) {
                    try apply(step, executor)
                    try recordHistory(step, started, executor)
                    let report = numbered(StepReport(step: step, milliseconds: milliseconds(since: started)))
                    if all {
                        pending.append(report)
                    } else {
                        try checkForeignKeys(conn, after: [step])
                        try executor.commit()
                        committed.append(report)
                    }
                    onStep(report)
                } else {
                    // Its steps commit one by one: what the run's transaction holds commits
                    // first, checked as at the end of a run.
                    if all {
                        try checkForeignKeys(conn, after: pending.map(\.step))
                        try executor.commit()
                        committed += pending
                        pending = []
                        try executor.begin()
                    }
                    let earlier = try applyOutsideTransaction(step, executor, conn, started: started)
                    let report = numbered(StepReport(step: step, milliseconds: milliseconds(since: started),
                                                     resumedAfter: earlier?.stepsDone ?? 0,
                                                     editedSinceStarted: (earlier?.stepsDone ?? 0) > 0
                                                         && earlier?.checksum.map { $0 != step.revision.checksum } == true))
                    committed.append(report)
                    if all { try executor.begin() }
                    onStep(report)
                }
                if stopRequested() {
                    try executor.rollback()
                    throw MigrationInterrupted(committed: committed, rolledBack: pending)
                }
            }
            if all {
                try checkForeignKeys(conn, after: pending.map(\.step))
                try executor.commit()
            }
        } catch let error as MigrationInterrupted {
            throw error
        } catch {
            try? executor.rollback()
            throw rolledBack(error, pending)
        }
        return committed + pending
    }

    /// Whether `revision` runs inside a transaction: unless it says `transactional: false`,
    /// or the database cannot roll DDL back (then every revision runs step by step,
    /// recording its progress, as a non-transactional one does).
    func runsInTransaction(_ revision: Revision) -> Bool {
        revision.transactional && engine.dialect.migration.transactionalDDL
    }

    /// With `transaction: all`, a failure also rolls back the revisions the run applied
    /// before it: the error says so, and where the database still is.
    private func rolledBack(_ error: any Error, _ pending: [StepReport]) -> any Error {
        guard let first = pending.first else { return error }
        let ids = pending.map(\.step.revision.id).joined(separator: ", ")
        let note = "with `transaction: all` the \(pending.count) revision\(pending.count == 1 ? "" : "s") this run had applied "
            + "(\(ids)) \(pending.count == 1 ? "was" : "were") rolled back too, not applied; the database is still at "
            + (first.step.headsBefore.isEmpty ? "base" : first.step.headsBefore.sorted().joined(separator: ", "))
        if var e = error as? MigrateError {
            e.hint = [e.hint, note].compactMap { $0 }.joined(separator: "; ")
            return e
        }
        return MigrateError(MigrationRunner.describe(error), hint: note)
    }

    private func milliseconds(since started: Date) -> Int {
        Int((Date().timeIntervalSince(started) * 1000).rounded())
    }

    private func recordHistory(_ step: MigrationStep, _ started: Date, _ executor: any SQLExecutor) throws {
        let (stmt, params) = store.historyInsert(revision: step.revision.id, upgrade: step.isUpgrade,
                                                 checksum: step.revision.checksum, at: started,
                                                 milliseconds: milliseconds(since: started))
        try executor.execute(stmt, params)
    }

    /// Runs a revision with `transactional: false` one step at a time, each committing
    /// on its own, recording after each how many are done (see ``StepProgress``): a
    /// failure leaves a record of exactly what stays applied, and the next run resumes
    /// after it. The version table and history are updated once every step is done, in
    /// one transaction with forgetting the record. Called with the run's transaction
    /// open; returns with none open. Returns the record an earlier run left, if any.
    private func applyOutsideTransaction(_ step: MigrationStep, _ executor: any SQLExecutor, _ conn: Connection,
                                         started: Date) throws -> StepProgress.Entry? {
        let earlier = try progress.entries(conn).first { $0.revision == step.revision.id && $0.isUpgrade == step.isUpgrade }
        if earlier == nil {
            try executor.execute(progress.createStatement, [:])
            let (stmt, params) = progress.start(step)
            try executor.execute(stmt, params)
        }
        try executor.commit()
        let done = earlier?.stepsDone ?? 0
        try runSteps(step, from: done, executor, conn)
        try executor.begin()
        for (stmt, params) in store.transition(from: step.headsBefore, to: step.headsAfter) {
            try executor.execute(stmt, params)
        }
        try recordHistory(step, started, executor)
        let (stmt, params) = progress.finish(step)
        try executor.execute(stmt, params)
        try executor.commit()
        return earlier
    }

    /// Runs the steps of `step` from `done` on, each committing on its own (a data step
    /// in a transaction with its record), advancing the progress record after each.
    /// Called with no transaction open; returns with none open.
    func runSteps(_ step: MigrationStep, from done: Int, _ executor: any SQLExecutor, _ conn: Connection) throws {
        let ops = step.isUpgrade ? step.revision.upgrade : step.revision.downgrade
        applier.prepare(for: step, resumingAfter: done)
        let previousIsolation = conn.isolationLevel
        try conn.setIsolationLevel(.autocommit)
        do {
            for i in done..<ops.count {
                // A data step (bulk_insert's rows, an INSERT/UPDATE/DELETE) runs in a
                // transaction with its progress record: all of it or none, so a resumed
                // run neither repeats nor skips rows.
                let atomic = ops[i].isDataStatement
                if atomic { try executor.begin() }
                do {
                    try applier.apply(ops, at: i, on: executor)
                } catch {
                    if atomic { try? executor.rollback() }
                    throw stepError(step, index: i, ops[i], error, notRolledBack: ops[..<i])
                }
                let (stmt, params) = progress.advance(step, to: i + 1)
                try executor.execute(stmt, params)
                if atomic { try executor.commit() }
            }
        } catch {
            try? conn.setIsolationLevel(previousIsolation)
            throw error
        }
        try conn.setIsolationLevel(previousIsolation)
    }

    private func apply(_ step: MigrationStep, _ executor: any SQLExecutor) throws {
        let ops = step.isUpgrade ? step.revision.upgrade : step.revision.downgrade
        applier.prepare(for: step, resumingAfter: 0)
        for (i, op) in ops.enumerated() {
            do {
                try applier.apply(ops, at: i, on: executor)
            } catch {
                throw stepError(step, index: i, op, error, notRolledBack: nil)
            }
        }
        for (stmt, params) in store.transition(from: step.headsBefore, to: step.headsAfter) {
            try executor.execute(stmt, params)
        }
    }

    /// The error for step `index` of `step` failing: which revision, step and operation,
    /// the database's message, what of the revision stays applied (`notRolledBack`: the
    /// steps before it of a revision run outside a transaction; nil when the revision's
    /// transaction rolls back) and what to do.
    private func stepError(_ step: MigrationStep, index: Int, _ op: MigrationOperation, _ error: any Error,
                           notRolledBack: ArraySlice<MigrationOperation>?) -> any Error {
        let direction = step.isUpgrade ? "upgrade" : "downgrade"
        let place = "revision \(step.revision.id), \(direction) step \(index + 1) (\(op.key))"
        var hints: [String] = []
        if let kept = notRolledBack {
            let total = (step.isUpgrade ? step.revision.upgrade : step.revision.downgrade).count
            if kept.isEmpty {
                hints.append("nothing of this revision was applied")
            } else {
                let why = step.revision.transactional ? "this database cannot roll DDL back" : "transactional: false"
                hints.append("the revision runs outside a transaction (\(why)), so \(describeSteps(kept, from: 1)) "
                             + "ran and \(kept.count == 1 ? "stays" : "stay") applied, not rolled back; "
                             + (index + 1 == total ? "step \(total) was not applied" : "steps \(index + 1)-\(total) were not applied")
                             + "; the version table still says \(step.headsBefore.isEmpty ? "base" : step.headsBefore.sorted().joined(separator: ", "))")
                hints.append("fix the cause and run the \(direction) again: it resumes at step \(index + 1)")
            }
        }
        switch error {
        case let e as MigrateError:
            let all = [e.hint].compactMap { $0 } + hints
            return MigrateError("\(place): \(e.message)", at: e.location ?? .init(file: step.revision.path),
                                hint: all.isEmpty ? nil : all.joined(separator: "; "))
        case let e as any DatabaseError:
            if notRolledBack == nil { hints.append("nothing of this revision was applied") }
            if let p = e as? ProgrammingError {
                switch p.kind {
                case .cannotRunInTransaction:
                    hints.append("this statement cannot run inside a transaction: put it in a revision of its own with "
                                 + "`transactional: false`")
                case .multipleStatements:
                    hints.append("give each statement its own `execute` operation (one statement per operation)")
                default: break
                }
            }
            return MigrateError("\(place) failed: \(type(of: e)): \(e.message)", at: .init(file: step.revision.path),
                                hint: hints.joined(separator: "; "))
        default:
            return error
        }
    }

    /// Refuses to start while a revision that runs outside a transaction is left
    /// part-way by an earlier run, unless this run finishes it (same direction, in
    /// `plan`): going on would build on, or undo, a revision half there.
    private func checkPartlyRun(_ conn: Connection, against plan: [MigrationStep], isUpgrade: Bool,
                                undoing: Set<String> = []) throws {
        for entry in try progress.entries(conn) where entry.stepsDone > 0 {
            if entry.isUpgrade == isUpgrade, plan.contains(where: { $0.revision.id == entry.revision }) { continue }
            // A downgrade undoes an upgrade's applied steps when the revision's downgrade mirrors them.
            if !isUpgrade, undoing.contains(entry.revision) { continue }
            guard let revision = graph.revision(entry.revision) else {
                throw MigrateError("revision \(entry.revision) was left part-way by an earlier run and is not in the scripts",
                                   hint: "restore its file, or `migrator stamp` the revision the database is at to clear the record")
            }
            let ops = entry.isUpgrade ? revision.upgrade : revision.downgrade
            let steps = describeSteps(ops.prefix(entry.stepsDone), from: 1)
            let parents = revision.downRevisions.isEmpty ? "base" : revision.downRevisions.joined(separator: " ")
            if entry.isUpgrade {
                throw MigrateError(
                    "revision \(revision.id) is partly applied: an earlier upgrade ran its \(steps) of \(ops.count) outside a "
                        + "transaction, and they stay applied",
                    at: .init(file: revision.path),
                    hint: isUpgrade
                        ? "upgrade to a target that includes it (`migrator upgrade \(revision.id)`): it resumes at step \(entry.stepsDone + 1)"
                        : "its downgrade (\(revision.downgrade.count) step\(revision.downgrade.count == 1 ? "" : "s")) does not mirror its "
                            + "upgrade (\(ops.count) step\(ops.count == 1 ? "" : "s")), so "
                            + "which downgrade steps undo them is not known: finish it first with `migrator upgrade \(revision.id)` "
                            + "(it resumes at step \(entry.stepsDone + 1)) and then downgrade, or undo those steps by hand and run "
                            + "`migrator stamp \(parents)` to clear the record")
            }
            throw MigrateError(
                "revision \(revision.id) is partly unapplied: an earlier downgrade ran its \(steps) of \(ops.count) outside a "
                    + "transaction, and they are not undone",
                at: .init(file: revision.path),
                hint: !isUpgrade
                    ? "downgrade to a target below it (`migrator downgrade \(parents)`): it resumes at step \(entry.stepsDone + 1)"
                    : "finish it first with `migrator downgrade \(parents)` (it resumes at step \(entry.stepsDone + 1)) and then "
                        + "upgrade, or redo those steps by hand and run `migrator stamp \(revision.id)` to clear the record")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? any DatabaseError { return "\(type(of: e)): \(e.message)" }
        return "\(error)"
    }

    /// Fails (and so rolls back) when the revision left rows whose foreign keys point
    /// at nothing — checked here where the database only checks them on request.
    /// Runs only when one of `steps` (the revision just applied, or with `transaction: all`
    /// every revision of the walk) holds an operation that can leave violations; the
    /// error names the last of them.
    private func checkForeignKeys(_ conn: Connection, after steps: [MigrationStep]) throws {
        guard let query = engine.dialect.migration.foreignKeyHandling.check, let step = steps.last else { return }
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
            // A squashed revision keeps the id of the run's last revision with a new file: not an edit.
            guard let rev = graph.revision(id), rev.replaces.isEmpty, let was = recorded[id], was != rev.checksum else { continue }
            throw MigrateError("revision \(id) was edited after it was applied",
                               at: .init(file: rev.path),
                               hint: "restore the file, or pass --allow-edited if the change is intended")
        }
    }

    // MARK: Offline

    /// The SQL an upgrade (`START:END`, or `END` from base) would run, without connecting
    /// (see ``OfflineScript``).
    public func offlineUpgrade(_ range: String) throws -> String {
        try OfflineScript(config: config, graph: graph, applier: applier, dialect: engine.dialect).upgrade(range)
    }

    /// The SQL a downgrade over `START:END` would run (see ``OfflineScript``).
    public func offlineDowngrade(_ range: String) throws -> String {
        try OfflineScript(config: config, graph: graph, applier: applier, dialect: engine.dialect).downgrade(range)
    }

    // MARK: The migration lock

    private func acquireLock(_ conn: Connection) throws -> Bool {
        guard let sql = engine.dialect.migration.migrationLock?.tryLock else { return false }
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
                                   hint: "wait for it to finish, or raise \(engine.dialect.name).lock_timeout in the config")
            }
            Thread.sleep(forTimeInterval: delay)
            delay = min(delay * 2, 0.5)
        }
    }

    private func releaseLock(_ conn: Connection) {
        guard let sql = engine.dialect.migration.migrationLock?.unlock else { return }
        try? conn.rollback()
        _ = try? conn.execute(sql, ["key": lockKey])
        try? conn.commit()
    }
}
