/// One revision to apply or unapply, with the version table's rows before and after.
public struct MigrationStep: Sendable, Equatable {
    public let revision: Revision
    public let isUpgrade: Bool
    public let headsBefore: Set<String>
    public let headsAfter: Set<String>

    /// `3f2a9c1b7d4e -> 9c1b2e7f00aa` (upgrade) or `9c1b2e7f00aa -> 3f2a9c1b7d4e` (downgrade).
    public var arrow: String {
        let parents = revision.downRevisions.isEmpty ? "base" : revision.downRevisions.joined(separator: ", ")
        return isUpgrade ? "\(parents) -> \(revision.id)" : "\(revision.id) -> \(parents)"
    }
}

extension RevisionGraph {
    /// Splits `REV+2`, `-1`, `feature@+1` into (base, signed steps).
    static func splitRelative(_ target: String) -> (base: String, steps: Int)? {
        guard let signIndex = target.lastIndex(where: { $0 == "+" || $0 == "-" }) else { return nil }
        let digits = target[target.index(after: signIndex)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let n = Int(digits) else { return nil }
        return (String(target[..<signIndex]), target[signIndex] == "+" ? n : -n)
    }

    /// Checks that every revision the database claims is in the scripts.
    func checkKnown(_ current: Set<String>) throws {
        for id in current.sorted() where revisions[id] == nil {
            if let squashed = replacedBy[id] {
                throw MigrateError("the database is at revision \(id), part-way through the run that revision \(squashed) "
                                   + "squashed", hint: "run `migrator upgrade \(squashed)` (or head) first: it finishes the run")
            }
            throw MigrateError("the database is at revision \(id), which is not in the scripts",
                               hint: "restore its file, or `migrator stamp --purge REV` if it is truly gone")
        }
    }

    /// `current` with each revision a squash replaced read as the squashed revision (a
    /// database part-way through the run is upgraded to its end first; see
    /// ``catchUp(_:)``).
    func squashedPosition(_ current: Set<String>) -> Set<String> {
        Set(current.map { replacedBy[$0] ?? $0 })
    }

    /// The steps that take a database part-way through a squashed run (at a revision
    /// listed in a squashed revision's `replaces`) to the end of the run, with the kept
    /// files of the replaced revisions; and the heads after them. The last step has the
    /// squashed revision's id, so the database then stands where every other database
    /// at the end of the run stands.
    func catchUp(_ current: Set<String>) throws -> (steps: [MigrationStep], current: Set<String>) {
        var heads = current
        var steps: [MigrationStep] = []
        for id in current.sorted() {
            guard let squashed = replacedBy[id] else { continue }
            var at = id
            while at != squashed {
                let next = replaced.values.filter { $0.downRevisions == [at] }
                guard next.count == 1, let r = next.first else {
                    throw MigrateError("the database is at revision \(id), part-way through the run that revision \(squashed) "
                                       + "squashed, and the replaced revision after \(at) is "
                                       + (next.isEmpty ? "not" : "more than once") + " among the files kept under versions/replaced/",
                                       hint: "restore versions/replaced/ from version control (squash keeps those files "
                                           + "for databases part-way through), or `migrator stamp` the database by hand")
                }
                var after = heads
                after.remove(at)
                after.insert(r.id)
                steps.append(MigrationStep(revision: r, isUpgrade: true, headsBefore: heads, headsAfter: after))
                heads = after
                at = r.id
            }
        }
        return (steps, heads)
    }

    /// Where a relative target starts: the single current head (or the head on a branch).
    private func relativeStart(_ base: String, current: Set<String>, label: String) throws -> String? {
        if base.isEmpty {
            guard current.count <= 1 else {
                throw MigrateError("relative target \(label) needs one current revision, but the database is at "
                                   + current.sorted().joined(separator: ", "), hint: "use REV+N or LABEL@+N")
            }
            return current.first
        }
        if base.hasSuffix("@") {
            let branch = String(base.dropLast())
            guard let start = labels[branch] ?? revisions[branch]?.id else {
                throw MigrateError("unknown branch label '\(branch)'")
            }
            let onBranch = descendants(of: start)
            let applied = current.filter(onBranch.contains)
            if applied.count > 1 {
                throw MigrateError("branch '\(branch)' has several applied heads: \(applied.sorted().joined(separator: ", "))")
            }
            return applied.first  // nil: nothing of the branch is applied yet
        }
        return try resolve(base)
    }

    /// The revisions an upgrade to `target` must leave applied (relative targets are
    /// counted from `current`).
    public func upgradeTargets(_ target: String, current: Set<String>) throws -> Set<String> {
        let current = squashedPosition(current)
        if target == "heads" { return Set(heads) }
        if let (base, steps) = RevisionGraph.splitRelative(target), !target.hasSuffix("@head") {
            guard steps > 0 || !base.isEmpty else {
                throw MigrateError("upgrade cannot go to \(target)", hint: "use `migrator downgrade \(target)`")
            }
            var start = try relativeStart(base, current: current, label: target)
            // LABEL@+N starting before the branch: its first step is the labelled revision.
            var remaining = steps
            if base.hasSuffix("@"), start == nil, steps > 0 {
                let branch = String(base.dropLast())
                start = labels[branch] ?? revisions[branch]?.id
                remaining -= 1
            }
            guard let end = try relative(from: start, steps: remaining, label: target) else { return [] }
            return [end]
        }
        return [try resolve(target)]
    }

    /// Refuses an upgrade to a revision below where the database is (applied, and not
    /// one of the current heads): that is a downgrade.
    public func checkUpgradeDirection(_ target: String, targets: Set<String>, current: Set<String>) throws {
        let current = squashedPosition(current)
        let applied = ancestors(of: current)
        guard let below = targets.sorted().first(where: { applied.contains($0) && !current.contains($0) }) else { return }
        throw MigrateError("\(target) (\(below)) is below the database's current revision "
                           + "\(current.sorted().joined(separator: ", ")): upgrading to it is the wrong direction",
                           hint: "to go back to it, run `migrator downgrade \(target)`")
    }

    /// Plans `upgrade target` from the revisions the version table holds.
    public func planUpgrade(from current: Set<String>, to target: String) throws -> [MigrationStep] {
        try checkKnown(squashedPosition(current))
        return try planUpgrade(from: current, toRevisions: try upgradeTargets(target, current: current))
    }

    /// Plans an upgrade that leaves `targets` (and all they descend from) applied. A
    /// database part-way through a squashed run first finishes the run (``catchUp(_:)``).
    public func planUpgrade(from start: Set<String>, toRevisions targets: Set<String>) throws -> [MigrationStep] {
        let (catchUp, current) = try catchUp(start)
        try checkKnown(current)
        let applied = ancestors(of: current)
        let wanted = ancestors(of: targets)
        var steps: [MigrationStep] = []
        var heads = self.heads(ofApplied: applied)
        for id in ordered(wanted.subtracting(applied)) {
            // Applied in order, so everything it descends from is applied: it replaces
            // those of its parents and dependencies that were heads.
            let r = revisions[id]!
            var after = heads.subtracting(r.downRevisions).subtracting(r.dependsOn)
            after.insert(id)
            steps.append(MigrationStep(revision: r, isUpgrade: true, headsBefore: heads, headsAfter: after))
            heads = after
        }
        return catchUp + steps
    }

    /// Plans `downgrade target`: `base`, `-N`, `REV`, `REV-N`, `LABEL@-N`.
    public func planDowngrade(from current: Set<String>, to target: String) throws -> [MigrationStep] {
        try checkKnown(current)
        var applied = ancestors(of: current)
        var heads = current
        var steps: [MigrationStep] = []
        func unapply(_ id: String) {
            applied.remove(id)
            // Its parents and dependencies become heads unless something else applied needs them.
            let r = revisions[id]!
            var after = heads
            after.remove(id)
            for p in r.downRevisions + r.dependsOn where applied.contains(p)
                && !(children[p] ?? []).contains(where: applied.contains) && !(dependents[p] ?? []).contains(where: applied.contains) {
                after.insert(p)
            }
            steps.append(MigrationStep(revision: revisions[id]!, isUpgrade: false, headsBefore: heads, headsAfter: after))
            heads = after
        }
        if target == "base" {
            for id in ordered(applied).reversed() { unapply(id) }
            return steps
        }
        if let (base, n) = RevisionGraph.splitRelative(target), base.isEmpty || base.hasSuffix("@") {
            guard n < 0 else { throw MigrateError("downgrade cannot go to \(target)", hint: "use `migrator upgrade \(target)`") }
            var branchFilter: Set<String>?
            if base.hasSuffix("@") {
                let label = String(base.dropLast())
                guard let start = labels[label] else { throw MigrateError("unknown branch label '\(label)'") }
                branchFilter = descendants(of: start)
            }
            for taken in 0..<(-n) {
                let candidates = heads.filter { branchFilter?.contains($0) ?? true }
                guard let head = candidates.first else {
                    if taken == 0, heads.isEmpty {
                        throw MigrateError("the database is at base: there is no revision below it to downgrade \(target) to")
                    }
                    throw MigrateError("relative revision \(target) only reaches \(taken) revision\(taken == 1 ? "" : "s")"
                                       + (branchFilter == nil ? ": below them is base" : " on the branch"))
                }
                guard candidates.count == 1 else {
                    throw MigrateError("the database has several heads (\(candidates.sorted().joined(separator: ", "))); "
                                       + "\(target) is ambiguous", hint: "downgrade to a named revision or LABEL@-N")
                }
                // Anything applied that depends on the head goes first.
                for d in ordered(applied.intersection(descendants(of: head))).reversed() { unapply(d) }
            }
            return steps
        }
        let keep: String
        if let (base, n) = RevisionGraph.splitRelative(target) {
            guard let rev = try relative(from: try resolve(base), steps: n, label: target) else {
                for id in ordered(applied).reversed() { unapply(id) }
                return steps
            }
            keep = rev
        } else {
            keep = try resolve(target)
        }
        guard applied.contains(keep) else {
            throw MigrateError("\(target) is not applied (the database is at \(current.isEmpty ? "base" : current.sorted().joined(separator: ", "))): "
                               + "downgrading to it is the wrong direction", hint: "to apply it, run `migrator upgrade \(target)`")
        }
        var doomed = applied.intersection(descendants(of: keep))
        doomed.remove(keep)
        for id in ordered(doomed).reversed() { unapply(id) }
        return steps
    }
}
