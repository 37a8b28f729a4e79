import Foundation
import RetortCore

/// What `migrator squash` did.
public struct SquashResult: Sendable {
    /// The new revision: the run's last id, the first one's parents, the net operations,
    /// and `replaces` listing the other ids of the run.
    public let revision: Revision
    /// Its file.
    public let path: String
    /// The run that was squashed, first to last.
    public let run: [String]
    /// Where the run's files went (under `versions/replaced/`), for databases part-way
    /// through the run.
    public let keptFiles: [String]
    /// The differences the new revision makes (schema at the run's parent → at its end).
    public let diff: SchemaDiff
    /// The data operations (`execute`, `bulk_insert`) left out, as `revision: operation`.
    public let droppedDataOperations: [String]
}

extension Project {
    /// `migrator squash A B -m MSG`: replaces the linear run of revisions from `first`
    /// to `last` by one revision whose operations are the net effect of the run (the
    /// difference between the schema at `first`'s parent and at `last`, both built by
    /// replaying the scripts on scratch databases). The new revision keeps `last`'s id,
    /// so databases at the end of the run stay valid, and lists the other ids in
    /// `replaces`; their files move to `versions/replaced/`, from which a database
    /// part-way through the run finishes it when it next upgrades.
    ///
    /// Refused, naming the reason, when the run is not linear (a merge point in it, a
    /// revision in it that other revisions also build on or depend on), when it holds
    /// data operations (`execute`, `bulk_insert`) unless `dropDataOperations`, and when
    /// the squashed revision would not rebuild the run's schema exactly (checked by
    /// replaying it before anything is written).
    ///
    /// ```swift
    /// let result = try project.squash(from: "3f2a", to: "9c1b", message: "initial schema")
    /// result.revision.replaces   // ["3f2a9c1b7d4e", ...]
    /// ```
    public func squash(from first: String, to last: String, message: String, dropDataOperations: Bool = false,
                       date: Date = Date()) throws -> SquashResult {
        let run = try linearRun(from: try graph.resolve(first), to: try graph.resolve(last))
        let revisions = run.map { graph.revision($0)! }
        let head = revisions[0], end = revisions[revisions.count - 1]

        var dropped: [String] = []
        for r in revisions {
            for op in r.upgrade {
                switch op {
                case .execute, .bulkInsert: dropped.append("\(r.id): \(op.key)")
                default: break
                }
            }
        }
        if !dropped.isEmpty, !dropDataOperations {
            throw MigrateError("the run holds data operations, which a squash (built from schemas) cannot carry: "
                               + dropped.joined(separator: ", "),
                               hint: "pass --drop-data-ops if every database has run them and new ones do not need them, "
                                   + "or squash a shorter run that leaves them out")
        }

        // Dependencies of the run on revisions outside it stay dependencies of the squash;
        // the schema "before" has them applied, so that their effect is not folded in.
        let parents = head.downRevisions
        let inRun = Set(run)
        let below = graph.ancestors(of: Set(parents))
        var dependsOn: [String] = []
        for r in revisions {
            for d in r.dependsOn where !inRun.contains(d) && !dependsOn.contains(d) { dependsOn.append(d) }
        }
        let before = try replayedSchema(at: parents + dependsOn.filter { !below.contains($0) })
        let after = try replayedSchema(at: [end.id])
        let diff = try difference(from: before.schema, to: after.schema, dialect: after.dialect)
        if !diff.notes.isEmpty {
            throw MigrateError("the run's net effect cannot be written as operations: " + diff.notes.joined(separator: "; "),
                               hint: "squash a shorter run")
        }

        var squashed = Revision(id: end.id, downRevisions: parents, branchLabels: revisions.flatMap(\.branchLabels),
                                dependsOn: dependsOn, message: message, created: ScriptDirectory.timestamp(date),
                                upgrade: diff.upgrade, downgrade: diff.downgrade)
        squashed.replaces = run.filter { $0 != end.id }

        // Nothing is written until the squashed scripts are shown to rebuild the schema.
        let newGraph = try RevisionGraph(graph.order.filter { !inRun.contains($0) }.map { graph.revision($0)! } + [squashed],
                                         replaced: revisions)
        let check = Project(config: config, scripts: ScriptDirectory(versionsPath: scripts.versionsPath, graph: newGraph))
        let rebuilt = try check.replayedSchema(at: [end.id])
        let differences = Snapshot(after.schema).differences(from: Snapshot(rebuilt.schema))
        if !differences.isEmpty {
            throw MigrateError("the squashed revision would not rebuild the schema at \(end.id): "
                               + differences.joined(separator: "; "), hint: "squash a shorter run; nothing was written")
        }
        return try write(squashed, replacing: revisions, date: date, diff: diff, dropped: dropped)
    }

    /// The revisions from `first` to `last` following parents back from `last`; refused
    /// unless every one has one parent (the first may have any) and every one but the
    /// last has no other child or dependent.
    private func linearRun(from first: String, to last: String) throws -> [String] {
        var run = [last]
        var at = last
        while at != first {
            let r = graph.revision(at)!
            guard r.downRevisions.count == 1 else {
                if r.downRevisions.isEmpty {
                    throw MigrateError("\(last) does not descend from \(first): following down_revision from \(last) reaches "
                                       + "the base \(at) first", hint: "name the older revision first: migrator squash OLDER NEWER")
                }
                throw MigrateError("\(at) is a merge point (of \(r.downRevisions.joined(separator: ", "))): a squash takes a "
                                   + "linear run only", hint: "squash the runs before and after the merge separately")
            }
            at = r.downRevisions[0]
            run.append(at)
        }
        run.reverse()
        guard run.count >= 2 else { throw MigrateError("\(first)..\(last) is one revision: there is nothing to squash") }
        for (id, next) in zip(run, run.dropFirst()) {
            let others = (children[id] ?? []).filter { $0 != next } + (dependents[id] ?? [])
            if !others.isEmpty {
                throw MigrateError("\(id) is a branch point: \(others.joined(separator: ", ")) also build\(others.count == 1 ? "s" : "") "
                                   + "on it, and would lose their parent", hint: "squash a run that ends at \(id) or starts after it")
            }
        }
        if let again = run.first(where: { !(graph.revision($0)?.replaces.isEmpty ?? true) }) {
            throw MigrateError("\(again) is itself a squash (it replaces \(graph.revision(again)!.replaces.joined(separator: ", "))); "
                               + "squashing it again is not supported",
                               hint: "squash a run that starts after it, or wait until no database is part-way through it, "
                                   + "delete versions/\(ScriptDirectory.replacedFolder)/ and remove its replaces: list by hand")
        }
        if let merge = run.first.flatMap(graph.revision), merge.isMergePoint {
            throw MigrateError("\(merge.id) is a merge point: a squash takes a linear run only",
                               hint: "start the run after it")
        }
        return run
    }

    private var children: [String: [String]] { graph.children }
    private var dependents: [String: [String]] { graph.dependents }

    /// Moves the run's files to `versions/replaced/` and writes the squashed revision
    /// (put back as they were if the write fails).
    private func write(_ squashed: Revision, replacing run: [Revision], date: Date, diff: SchemaDiff,
                       dropped: [String]) throws -> SquashResult {
        var header = ["Squashed from \(run.count) revisions (\(run.first!.id)..\(run.last!.id)) by `migrator squash`;",
                      "their files are kept in versions/\(ScriptDirectory.replacedFolder)/ for databases part-way through them."]
        if !dropped.isEmpty { header += ["Data operations left out (--drop-data-ops): " + dropped.joined(separator: ", ")] }
        header += diff.headerComments
        let (text, path) = try scripts.rendered(squashed, date: date, headerComments: header)
        let fm = FileManager.default
        let folder = (scripts.versionsPath as NSString).appendingPathComponent(ScriptDirectory.replacedFolder)
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var moved: [(from: String, to: String)] = []
        do {
            for r in run {
                let to = (folder as NSString).appendingPathComponent((r.path as NSString).lastPathComponent)
                if fm.fileExists(atPath: to) {
                    throw MigrateError("\(to) already exists", hint: "move it away; nothing was squashed")
                }
                try fm.moveItem(atPath: r.path, toPath: to)
                moved.append((r.path, to))
            }
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            for m in moved.reversed() { try? fm.moveItem(atPath: m.to, toPath: m.from) }
            throw error
        }
        var written = squashed
        written.path = path
        written.checksum = Revision.checksum(of: text)
        return SquashResult(revision: written, path: path, run: run.map(\.id), keptFiles: moved.map(\.to), diff: diff,
                            droppedDataOperations: dropped)
    }
}
