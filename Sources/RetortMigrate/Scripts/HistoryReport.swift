import Foundation

/// What `history`, `heads`, `branches`, `current` and `show` print, as text or JSON.
public struct HistoryReport {
    public let graph: RevisionGraph
    public init(graph: RevisionGraph) { self.graph = graph }

    /// Markers after a revision: `(head)`, `(branchpoint)`, `(mergepoint)`, `(current)`, labels.
    func markers(_ r: Revision, current: Set<String>) -> String {
        var m: [String] = []
        if !r.branchLabels.isEmpty { m.append("(\(r.branchLabels.joined(separator: ", ")))") }
        if graph.heads.contains(r.id) { m.append("(head)") }
        if graph.isBranchPoint(r.id) { m.append("(branchpoint)") }
        if r.isMergePoint { m.append("(mergepoint)") }
        if current.contains(r.id) { m.append("(current)") }
        return m.isEmpty ? "" : " " + m.joined(separator: " ")
    }

    /// `parent -> id (head), message`, newest first.
    public func line(_ r: Revision, current: Set<String> = []) -> String {
        let parents = r.downRevisions.isEmpty ? "<base>" : r.downRevisions.joined(separator: ", ")
        return "\(parents) -> \(r.id)\(markers(r, current: current)), \(r.message)"
    }

    public func verbose(_ r: Revision, current: Set<String> = []) -> String {
        var lines = ["Rev: \(r.id)\(markers(r, current: current))"]
        lines.append("Parent: " + (r.downRevisions.isEmpty ? "<base>" : r.downRevisions.joined(separator: ", ")))
        if !r.dependsOn.isEmpty { lines.append("Also depends on: " + r.dependsOn.joined(separator: ", ")) }
        if graph.isBranchPoint(r.id) { lines.append("Branches into: " + graph.children(of: r.id).joined(separator: ", ")) }
        if !r.branchLabels.isEmpty { lines.append("Branch names: " + r.branchLabels.joined(separator: ", ")) }
        lines.append("Path: \(r.path)")
        if let c = r.created { lines.append("Created: \(c)") }
        lines.append("")
        lines.append("    \(r.message)")
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// The revisions of `range` (`START:END`, either side optional), newest first.
    public func revisions(in range: String?, current: Set<String>) throws -> [Revision] {
        var subset = Set(graph.revisions.keys)
        if let range {
            let parts = range.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw MigrateError("a history range is START:END (either may be empty), e.g. base:head or -3:") }
            let (start, end) = (parts[0], parts[1])
            if !end.isEmpty, end != "heads" {
                let endIDs = try graph.upgradeTargets(end == "current" ? (current.first ?? "base") : end, current: current)
                subset = end == "base" ? [] : graph.ancestors(of: endIDs)
            }
            if !start.isEmpty, start != "base" {
                let startID: String
                if let (base, steps) = RevisionGraph.splitRelative(start), base.isEmpty {
                    // -3: three back from the (single) head.
                    guard let s = try graph.relative(from: try graph.singleHead(), steps: steps, label: start) else {
                        return order(subset)
                    }
                    startID = s
                } else {
                    startID = start == "current" ? (current.first ?? "") : try graph.resolve(start)
                }
                subset.formIntersection(graph.descendants(of: startID))
            }
        }
        return order(subset)
    }

    private func order(_ subset: Set<String>) -> [Revision] {
        graph.ordered(subset).reversed().map { graph.revisions[$0]! }
    }

    /// `{"status": "ok", "revisions": [{"revision": ..., "is_head": ..., ...}]}`, what
    /// `current`, `history` and `heads` print with `--format json`.
    public func json(_ revisions: [Revision], current: Set<String>, extra: [String: Any] = [:]) -> String {
        let items = revisions.map { r -> [String: Any] in
            var d: [String: Any] = [
                "revision": r.id, "down_revision": r.downRevisions, "message": r.message,
                "branch_labels": r.branchLabels, "depends_on": r.dependsOn, "path": r.path,
                "is_head": graph.heads.contains(r.id), "is_current": current.contains(r.id),
                "is_merge_point": r.isMergePoint, "is_branch_point": graph.isBranchPoint(r.id),
            ]
            if let c = r.created { d["created"] = c }
            return d
        }
        return MachineOutput.object(status: "ok", extra.merging(["revisions": items]) { _, new in new })
    }
}
