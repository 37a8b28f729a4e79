import Foundation

/// Migration operations as JSON objects shaped like their revision-file YAML
/// (`{"add_column": {"table": "books", "column": {"name": "isbn", "type": "string(13)"}}}`):
/// the operation is rendered as a revision file spells it and that YAML is read back
/// into JSON values, so the two spellings cannot drift apart.
enum OperationJSON {
    /// The operation as a JSON-serialisable object.
    static func object(_ op: MigrationOperation) -> Any {
        let text = RevisionWriter.operations("ops", [op])
        guard let root = try? YAMLComposer.compose(text, file: "operation"), case .mapping(let m) = root,
              case .sequence(let items, _)? = m.entries.first?.value, let item = items.first else {
            return ["unrendered": op.key]  // cannot happen: the writer's output always reads back
        }
        return value(item)
    }

    /// A YAML node as JSON: plain `null`, `true`, `false` and numbers typed, everything
    /// else a string (quoted scalars always are).
    static func value(_ node: YAMLNode) -> Any {
        switch node {
        case .scalar(let text, let plain, _):
            guard plain else { return text }
            switch text {
            case "null", "~": return NSNull()
            case "true": return true
            case "false": return false
            default:
                if let i = Int(text) { return i }
                if let d = Double(text) { return d }
                return text
            }
        case .sequence(let items, _):
            return items.map(value)
        case .mapping(let m):
            var out: [String: Any] = [:]
            for e in m.entries { out[e.key] = value(e.value) }
            return out
        }
    }
}
