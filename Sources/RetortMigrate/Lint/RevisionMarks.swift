import Foundation

/// Where each upgrade (or downgrade) operation of a revision file starts, and the rule
/// codes its `lint_ignore: [...]` lists (per operation, and for the whole revision),
/// read from the file itself.
struct RevisionMarks {
    /// The line of each upgrade operation (the line of `upgrade:` when a file has
    /// fewer items than the revision, e.g. one written in memory).
    var lines: [Int]
    var ignored: [Set<String>]
    var revisionIgnored: Set<String> = []
    var upgradeLine = 1

    init(path: String, count: Int, section: String = "upgrade") throws {
        lines = Array(repeating: 1, count: count)
        ignored = Array(repeating: [], count: count)
        guard !path.isEmpty, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let yaml = YAMLReader(file: path)
        guard let root = try YAMLComposer.compose(text, file: path), case .mapping(let top) = root else { return }
        if let list = yaml.field(top.entries, "lint_ignore") {
            revisionIgnored = Set(try yaml.stringList(list, "'lint_ignore'"))
        }
        guard let entry = top.entries.first(where: { $0.key == section }) else { return }
        upgradeLine = entry.keyMark.line
        lines = Array(repeating: upgradeLine, count: count)
        guard case .sequence(let items, _) = entry.value else { return }
        for (i, item) in items.enumerated() where i < count {
            lines[i] = item.mark.line
            // `- op: {..., lint_ignore: [CODE]}`
            guard case .mapping(let op) = item, let body = op.entries.first?.value, case .mapping(let fields) = body,
                  let list = yaml.field(fields.entries, "lint_ignore") else { continue }
            ignored[i] = Set(try yaml.stringList(list, "'lint_ignore'"))
        }
    }
}
