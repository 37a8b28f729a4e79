import Foundation

/// The values of each enum type before and after each revision, as its operations
/// (`create_enum`, `add_enum_value`, `drop_enum`) leave them. A type name such as
/// `enum(color)` in a revision means the values the type has at that revision, not
/// the latest ones: on SQLite, where an enum is a CHECK, a table rebuilt by an early
/// revision must get the early list.
public struct EnumHistory: Sendable {
    /// Values after each revision, by revision id.
    private let after: [String: [String: [String]]]
    private let parents: [String: [String]]

    public init(_ graph: RevisionGraph) {
        var after: [String: [String: [String]]] = [:]
        var parents: [String: [String]] = [:]
        for id in graph.order {
            guard let r = graph.revision(id) else { continue }
            parents[id] = r.downRevisions + r.dependsOn
            var values = EnumHistory.merged(parents[id]!.map { after[$0] ?? [:] })
            for op in r.upgrade { EnumHistory.apply(op, to: &values) }
            after[id] = values
        }
        self.after = after
        self.parents = parents
    }

    /// The values before `revision` runs: its parents' together.
    public func before(_ revision: String) -> [String: [String]] {
        EnumHistory.merged((parents[revision] ?? []).map { after[$0] ?? [:] })
    }

    /// The values once `revision` has run.
    public func after(_ revision: String) -> [String: [String]] { after[revision] ?? [:] }

    private static func merged(_ maps: [[String: [String]]]) -> [String: [String]] {
        maps.reduce(into: [:]) { out, m in out.merge(m) { _, later in later } }
    }

    /// What `op` does to the enum types' values.
    static func apply(_ op: MigrationOperation, to values: inout [String: [String]]) {
        switch op {
        case .createEnum(let name, let list): values[name] = list
        case .dropEnum(let name): values[name] = nil
        case .addEnumValue(let name, let value, let before, let after):
            var list = values[name] ?? []
            guard !list.contains(value) else { return }
            if let b = before, let i = list.firstIndex(of: b) { list.insert(value, at: i) }
            else if let a = after, let i = list.firstIndex(of: a) { list.insert(value, at: i + 1) }
            else { list.append(value) }
            values[name] = list
        default: break
        }
    }
}

/// The enum values an applier resolves `enum(name)` with, moved along as it applies.
final class EnumState: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var values: [String: [String]]

    init(_ values: [String: [String]]) { self.values = values }

    var current: [String: [String]] { lock.withLock { values } }
    func set(_ v: [String: [String]]) { lock.withLock { values = v } }
    func apply(_ op: MigrationOperation) { lock.withLock { EnumHistory.apply(op, to: &values) } }
}
