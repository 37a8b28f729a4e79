import Foundation
import RetortCore

/// What `migrator check` found: the database at head and matching the models, at head
/// with differences, or behind head (then the models are not compared). Anything that
/// keeps it from answering (no server, malformed metadata, several heads) is thrown.
///
/// ```swift
/// let report = try project.check(models)
/// exit(report.exitStatus.rawValue)      // 0 ok, 1 drift or behind
/// print(report.json)                    // {"status": "drift", "differences": [...], ...}
/// ```
public enum CheckReport: Sendable {
    /// At head, no differences (there may be notes).
    case ok(SchemaDiff)
    /// At head, with differences.
    case drift(SchemaDiff)
    /// The database is at `current` (empty: base); the scripts' head is `head`.
    case behind(current: Set<String>, head: String)

    /// `ok`, `drift` or `behind`: the `status` of the JSON.
    public var status: String {
        switch self {
        case .ok: return "ok"
        case .drift: return "drift"
        case .behind: return "behind"
        }
    }

    /// 0 for ok, 1 for drift or behind.
    public var exitStatus: ExitStatus {
        if case .ok = self { return .success }
        return .no
    }

    /// The one JSON object `check --format json` prints: `status`, with `differences`
    /// and `notes` when compared, `current` and `head` when behind.
    public var json: String {
        switch self {
        case .ok(let diff), .drift(let diff):
            // SchemaDiff renders the differences; the report adds its status.
            let fields = (try? JSONSerialization.jsonObject(with: Data(diff.json().utf8))) as? [String: Any] ?? [:]
            return MachineOutput.object(status: status, fields)
        case .behind(let current, let head):
            return MachineOutput.object(status: status, [
                "current": current.sorted(), "head": head,
                "message": behindMessage, "hint": "run `migrator upgrade head` first",
            ])
        }
    }

    /// `the database is not at head: it is at base, the head is 3f2a9c1b7d4e`
    public var behindMessage: String {
        guard case .behind(let current, let head) = self else { return "" }
        return "the database is not at head: it is at \(current.isEmpty ? "base" : current.sorted().joined(separator: ", ")), "
            + "the head is \(head)"
    }
}

extension Project {
    /// `migrator check`: where the database stands against the scripts, and when it is
    /// at head, its differences from `metadata`. Throws when it cannot answer (several
    /// heads, a revision the scripts do not have, no server).
    public func check(_ metadata: MetaData) throws -> CheckReport {
        switch try headStatus() {
        case .severalHeads(let heads):
            throw MigrateError("the scripts have several heads (\(heads.joined(separator: ", ")))",
                               hint: "merge them with `migrator merge heads -m MSG`, then upgrade")
        case .notAtHead(let current, let head):
            try graph.checkKnown(current)
            return .behind(current: current, head: head)
        case .atHead:
            let diff = try compare(metadata)
            return diff.isEmpty ? .ok(diff) : .drift(diff)
        }
    }
}
