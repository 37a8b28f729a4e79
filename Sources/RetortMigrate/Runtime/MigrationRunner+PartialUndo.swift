import Foundation
import RetortCore

/// A downgrade after an upgrade that stopped part-way (outside a transaction, as every
/// revision runs on MySQL) unapplies exactly the steps that upgrade applied.
extension MigrationRunner {
    /// A revision above the version table with steps left applied, and the downgrade
    /// steps that undo them: `from` (0-based) to its last.
    struct PartialUndo {
        let revision: Revision
        /// The first downgrade step to run (an undo that failed part-way resumes later).
        let from: Int
        /// How many upgrade steps the undo takes off in all.
        let upgradeSteps: Int
        /// The record to turn into a downgrade record first (nil when resuming one).
        let upgradeRecord: Bool
    }

    /// The revisions an earlier upgrade left part-way whose downgrade mirrors their
    /// upgrade (as many steps, the last undoing the first): their applied upgrade steps
    /// 1…k are undone by the last k downgrade steps. An undo that itself stopped
    /// part-way (a downgrade record of a revision the version table does not hold)
    /// resumes. The revision must be in the scripts.
    func partialUndos(_ conn: Connection, heads: Set<String>) throws -> [PartialUndo] {
        let applied = graph.ancestors(of: heads.filter { graph.revision($0) != nil })
        return try progress.entries(conn).compactMap { entry in
            guard entry.stepsDone > 0, let revision = graph.revision(entry.revision), !applied.contains(revision.id),
                  revision.downgrade.count == revision.upgrade.count, entry.stepsDone <= revision.downgrade.count
            else { return nil }
            let n = revision.downgrade.count
            return entry.isUpgrade
                ? PartialUndo(revision: revision, from: n - entry.stepsDone, upgradeSteps: entry.stepsDone, upgradeRecord: true)
                : PartialUndo(revision: revision, from: entry.stepsDone, upgradeSteps: n - entry.stepsDone, upgradeRecord: false)
        }
    }

    /// Undoes what `undo` names by running the revision's downgrade steps from
    /// `undo.from` on, one by one with their progress recorded (a failure leaves a
    /// downgrade record that the next downgrade resumes). The version table does not
    /// change (the revision never reached it); the record goes at the end.
    func undoPartialUpgrade(_ undo: PartialUndo, heads: Set<String>, _ executor: any SQLExecutor,
                            _ conn: Connection) throws -> StepReport {
        let started = Date()
        let upgrade = MigrationStep(revision: undo.revision, isUpgrade: true, headsBefore: heads, headsAfter: heads)
        let downgrade = MigrationStep(revision: undo.revision, isUpgrade: false, headsBefore: heads, headsAfter: heads)
        if undo.upgradeRecord {
            // The upgrade's record becomes a downgrade record that starts at the mirror step.
            try executor.begin()
            for (stmt, params) in [progress.finish(upgrade), progress.start(downgrade), progress.advance(downgrade, to: undo.from)] {
                try executor.execute(stmt, params)
            }
            try executor.commit()
        }
        try runSteps(downgrade, from: undo.from, executor, conn)
        try executor.begin()
        let (stmt, params) = progress.finish(downgrade)
        try executor.execute(stmt, params)
        try executor.commit()
        return StepReport(step: downgrade, milliseconds: Int((Date().timeIntervalSince(started) * 1000).rounded()),
                          undidPartialUpgrade: undo.upgradeSteps)
    }
}
