/// The revisions of a script directory as a directed acyclic graph: parents through
/// `down_revision` (several for a merge point), extra edges through `depends_on`,
/// branch labels, heads and bases. Resolves targets (`head`, `ae10+2`, `feature@head`,
/// …) and plans upgrades and downgrades.
public struct RevisionGraph: Sendable {
    public let revisions: [String: Revision]
    /// Children through `down_revision`.
    let children: [String: [String]]
    /// Revisions that list the key in `depends_on`.
    let dependents: [String: [String]]
    /// Revisions with no children, in a stable order.
    public let heads: [String]
    /// Revisions with no parents, in a stable order.
    public let bases: [String]
    /// Branch label → the revision that carries it.
    public let labels: [String: String]
    /// Every revision, parents (and dependencies) before children, ties broken by id.
    public let order: [String]
    /// The id of each revision a squash replaced → the squashed revision that lists it
    /// in `replaces` (a database at one of them is part-way through the squashed run).
    public let replacedBy: [String: String]
    /// The replaced revisions' files, kept by `migrator squash` under
    /// `versions/replaced/`, by id (the last of a run has the squashed revision's id):
    /// what a database part-way through a squashed run upgrades with.
    public let replaced: [String: Revision]

    /// Builds the graph; throws on duplicate ids or labels, missing parents or
    /// dependencies, and cycles, naming the files involved. `replaced` are the files a
    /// squash kept (see ``replaced``).
    public init(_ list: [Revision], replaced: [Revision] = []) throws {
        var byID: [String: Revision] = [:]
        for r in list {
            if let other = byID[r.id] {
                throw MigrateError("duplicate revision id \(r.id): \(other.path) and \(r.path)",
                                   hint: "give one of them a new id")
            }
            byID[r.id] = r
        }
        var children: [String: [String]] = [:]
        var dependents: [String: [String]] = [:]
        var labels: [String: String] = [:]
        for r in list {
            for p in r.downRevisions {
                guard byID[p] != nil else {
                    throw MigrateError("revision \(r.id) names down_revision \(p), which does not exist",
                                       at: r.path.isEmpty ? nil : .init(file: r.path),
                                       hint: "restore the missing revision file or correct down_revision")
                }
                children[p, default: []].append(r.id)
            }
            for d in r.dependsOn {
                guard byID[d] != nil else {
                    throw MigrateError("revision \(r.id) depends on \(d), which does not exist",
                                       at: r.path.isEmpty ? nil : .init(file: r.path))
                }
                dependents[d, default: []].append(r.id)
            }
            for l in r.branchLabels {
                if let other = labels[l] {
                    throw MigrateError("branch label '\(l)' is used by both \(other) and \(r.id)")
                }
                labels[l] = r.id
            }
        }
        self.revisions = byID
        self.children = children.mapValues { $0.sorted() }
        self.dependents = dependents.mapValues { $0.sorted() }
        self.labels = labels
        self.heads = byID.keys.filter { children[$0] == nil }.sorted()
        self.bases = byID.keys.filter { byID[$0]!.downRevisions.isEmpty }.sorted()
        self.order = try RevisionGraph.topologicalOrder(byID)
        var replacedBy: [String: String] = [:]
        for r in list {
            for old in r.replaces {
                if byID[old] != nil {
                    throw MigrateError("revision \(r.id) replaces \(old), but \(old) is still a revision of the scripts",
                                       at: r.path.isEmpty ? nil : .init(file: r.path),
                                       hint: "remove \(old)'s file from the versions folder, or remove it from 'replaces'")
                }
                replacedBy[old] = r.id
            }
        }
        self.replacedBy = replacedBy
        self.replaced = Dictionary(replaced.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Kahn's algorithm over parent and dependency edges; a leftover means a cycle.
    private static func topologicalOrder(_ byID: [String: Revision]) throws -> [String] {
        var indegree: [String: Int] = [:]
        var next: [String: [String]] = [:]
        for (id, r) in byID {
            let parents = Set(r.downRevisions + r.dependsOn)
            indegree[id] = parents.count
            for p in parents { next[p, default: []].append(id) }
        }
        var ready = indegree.filter { $0.value == 0 }.map(\.key).sorted(by: >)
        var order: [String] = []
        order.reserveCapacity(byID.count)
        while let id = ready.popLast() {
            order.append(id)
            for c in next[id] ?? [] {
                indegree[c]! -= 1
                if indegree[c] == 0 {
                    ready.append(c)
                    ready.sort(by: >)
                }
            }
        }
        if order.count < byID.count {
            let stuck = byID.keys.filter { indegree[$0]! > 0 }.sorted()
            throw MigrateError("the revisions form a cycle: \(stuck.joined(separator: ", "))",
                               hint: "fix their down_revision / depends_on so that history only moves forward")
        }
        return order
    }

    public func revision(_ id: String) -> Revision? { revisions[id] }

    /// The revisions whose `down_revision` names `id` (its children), by id.
    public func children(of id: String) -> [String] { children[id] ?? [] }

    /// True when history branches at `id`: more than one revision names it as its
    /// `down_revision` (`migrator branches` lists these; history marks them `(branchpoint)`).
    public func isBranchPoint(_ id: String) -> Bool { children(of: id).count > 1 }

    /// `ids` and everything they descend from (through parents and dependencies).
    public func ancestors(of ids: some Sequence<String>) -> Set<String> {
        var seen = Set<String>()
        var stack = Array(ids)
        while let id = stack.popLast() {
            guard seen.insert(id).inserted, let r = revisions[id] else { continue }
            stack.append(contentsOf: r.downRevisions)
            stack.append(contentsOf: r.dependsOn)
        }
        return seen
    }

    /// `id` and everything that descends from it (through children and dependents).
    public func descendants(of id: String) -> Set<String> {
        var seen = Set<String>()
        var stack = [id]
        while let x = stack.popLast() {
            guard seen.insert(x).inserted else { continue }
            stack.append(contentsOf: children[x] ?? [])
            stack.append(contentsOf: dependents[x] ?? [])
        }
        return seen
    }

    /// The applied revisions no other applied revision descends from: what the
    /// version table holds.
    public func heads(ofApplied applied: Set<String>) -> Set<String> {
        applied.filter { id in
            !(children[id] ?? []).contains(where: applied.contains)
                && !(dependents[id] ?? []).contains(where: applied.contains)
        }
    }

    /// The revisions in `subset`, parents first.
    public func ordered(_ subset: Set<String>) -> [String] { order.filter(subset.contains) }

    // MARK: Resolving names

    /// Resolves a full id, a unique prefix of at least 4 characters, a branch label,
    /// `head` (the only head), or `LABEL@head`.
    public func resolve(_ name: String) throws -> String {
        if name == "head" {
            return try singleHead()
        }
        if name.hasSuffix("@head") {
            return try head(ofBranch: String(name.dropLast(5)))
        }
        if revisions[name] != nil { return name }
        if let labelled = labels[name] { return labelled }
        let matches = revisions.keys.filter { $0.hasPrefix(name) }.sorted()
        if matches.count == 1 {
            guard name.count >= 4 else {
                throw MigrateError("revision prefix '\(name)' is too short", hint: "give at least 4 characters (\(matches[0]))")
            }
            return matches[0]
        }
        if matches.count > 1 {
            throw MigrateError("revision prefix '\(name)' is ambiguous: it matches \(matches.joined(separator: ", "))",
                               hint: "give more characters")
        }
        throw MigrateError("unknown revision '\(name)'", hint: "`migrator history` lists the revisions")
    }

    /// The only head, or an error listing them.
    public func singleHead() throws -> String {
        guard heads.count <= 1 else {
            throw MigrateError("there are several heads: \(heads.joined(separator: ", "))",
                               hint: "merge them (`migrator merge heads -m ...`) or name a head (REV, LABEL@head, or 'heads' for all)")
        }
        guard let h = heads.first else { throw MigrateError("there are no revisions yet") }
        return h
    }

    /// The head descending from the revision labelled `label`.
    public func head(ofBranch label: String) throws -> String {
        guard let start = labels[label] ?? revisions[label]?.id else {
            throw MigrateError("unknown branch label '\(label)'",
                               hint: labels.isEmpty ? "no revision has a branch label" : "labels: \(labels.keys.sorted().joined(separator: ", "))")
        }
        let branchHeads = descendants(of: start).filter { children[$0] == nil }.sorted()
        guard branchHeads.count == 1 else {
            throw MigrateError("branch '\(label)' has several heads: \(branchHeads.joined(separator: ", "))",
                               hint: "name one of them")
        }
        return branchHeads[0]
    }

    /// Moves `steps` revisions forward (positive) or back (negative) from `start`
    /// (nil: before the first revision).
    public func relative(from start: String?, steps: Int, label: String) throws -> String? {
        var current = start
        for taken in 0..<abs(steps) {
            let options: [String]
            if steps > 0 {
                options = current.map { children[$0] ?? [] } ?? bases
            } else {
                guard let c = current else { return nil }
                options = revisions[c]!.downRevisions
                if options.isEmpty {
                    if taken + 1 == abs(steps) { return nil }  // stepping back past the first revision: base
                }
            }
            if options.isEmpty {
                guard steps > 0, let c = current else {
                    throw MigrateError("relative revision \(label) only reaches \(taken) revision\(taken == 1 ? "" : "s")"
                                       + (current.map { ": \($0) is a first revision, with only base below it" } ?? ""))
                }
                if taken == 0 {
                    throw MigrateError("there is no revision above \(c) (it is a head), so \(label) names none",
                                       hint: "`migrator heads` lists the heads; `migrator revision -m MSG` writes a new one")
                }
                throw MigrateError("relative revision \(label) only reaches \(taken) revision\(taken == 1 ? "" : "s"): "
                                   + "there is no revision above \(c) (it is a head)")
            }
            if options.count > 1 {
                throw MigrateError("relative revision \(label) is ambiguous at \(current ?? "base"): it could go to "
                                   + options.joined(separator: " or "), hint: "name the revision instead")
            }
            current = options[0]
        }
        return current
    }
}
