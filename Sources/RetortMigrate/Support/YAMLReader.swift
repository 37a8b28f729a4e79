import Foundation
import Yams

/// Reads a YAML document field by field, turning every problem into a
/// ``MigrateError`` that names the file, line and column, the field, and (for an
/// unknown field) the nearest valid one.
struct YAMLReader {
    let file: String

    /// Parses `text` into its root node.
    func parse(_ text: String) throws -> Node {
        do {
            // The basic resolver tags every scalar as text: Yams' default resolver runs a
            // regular expression per scalar, which was most of the time `migrator current` took.
            guard let node = try Yams.compose(yaml: text, .basic, .default, .utf8) else {
                throw MigrateError("the file is empty", at: .init(file: file, line: 1))
            }
            return node
        } catch let error as YamlError {
            throw MigrateError(YAMLReader.describe(error), at: YAMLReader.location(of: error, file: file))
        }
    }

    private static func location(of error: YamlError, file: String) -> MigrateError.Location {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return .init(file: file, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(_, let context):
            return .init(file: file, line: context.mark.line, column: context.mark.column)
        default:
            return .init(file: file)
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            let ctx = context.map { " (\($0.text))" } ?? ""
            return "malformed YAML: \(problem)\(ctx)"
        case .duplicatedKeysInMapping(let duplicates, _):
            return "malformed YAML: the key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) appears twice in one mapping"
        default:
            return "malformed YAML: \(error)"
        }
    }

    func location(_ node: Node) -> MigrateError.Location {
        .init(file: file, line: node.mark?.line, column: node.mark?.column)
    }

    func error(_ message: String, at node: Node, hint: String? = nil) -> MigrateError {
        MigrateError(message, at: location(node), hint: hint)
    }

    /// The node as a mapping with string keys; `what` names it in messages.
    func mapping(_ node: Node, _ what: @autoclosure () -> String) throws -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let m) = node else {
            throw error("\(what()) must be a mapping of field: value", at: node)
        }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        entries.reserveCapacity(m.count)
        for (keyNode, value) in m {
            // A plain scalar key is its own text (what `Node.string` returns for it, without its lookup).
            let key: String?
            if case .scalar(let s) = keyNode { key = s.string } else { key = keyNode.string }
            guard let key else { throw error("\(what()) has a key that is not text", at: keyNode) }
            entries.append((key, keyNode, value))
        }
        return entries
    }

    /// The value of the entry named `name` (the first, as YAML keys are unique here).
    func field(_ entries: [(key: String, keyNode: Node, value: Node)], _ name: String) -> Node? {
        // A plain loop over indices, so that only the value found is copied: a predicate
        // closure gets a copy of each entry, and a Node copy retains its tag and anchor.
        for i in entries.indices where entries[i].key == name { return entries[i].value }
        return nil
    }

    /// Checks that every key is one of `allowed`, suggesting the nearest.
    func checkKeys(_ entries: [(key: String, keyNode: Node, value: Node)], allowed: [String],
                   in what: @autoclosure () -> String) throws {
        for e in entries where !allowed.contains(e.key) {
            if e.key.hasSuffix(")"), !e.key.contains("(") {
                throw error("unknown field '\(e.key)' in \(what())", at: e.keyNode,
                            hint: "a comma inside {...} splits the mapping: quote values that contain commas, e.g. type: \"numeric(10,2)\"")
            }
            let suggestion = nearest(e.key, in: allowed).map { "did you mean '\($0)'?" }
            throw error("unknown field '\(e.key)' in \(what())", at: e.keyNode,
                        hint: suggestion ?? "valid fields: \(allowed.joined(separator: ", "))")
        }
    }

    /// The text of an unquoted scalar (where YAML reads `true` or `12` as non-text).
    private func plain(_ node: Node) -> String? {
        if case .scalar(let s) = node, s.style == .plain { return s.string }
        return nil
    }

    func isNull(_ node: Node) -> Bool {
        switch plain(node) {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// `true`/`false` (and YAML's yes/no/on/off), unquoted.
    func boolValue(_ node: Node) -> Bool? {
        switch plain(node)?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    func intValue(_ node: Node) -> Int? { plain(node).flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } }

    func doubleValue(_ node: Node) -> Double? {
        guard let p = plain(node), p.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return Double(p)
    }

    // The `what` of the readers below is an autoclosure: it names the field in an error
    // message, and most fields have none, so it is built only when one is thrown.

    func string(_ node: Node, _ what: @autoclosure () -> String) throws -> String {
        guard case .scalar(let s) = node, !isNull(node) else {
            throw error("\(what()) must be text", at: node)
        }
        return s.string
    }

    func optionalString(_ node: Node?, _ what: @autoclosure () -> String) throws -> String? {
        guard let node, !isNull(node) else { return nil }
        return try string(node, what())
    }

    func bool(_ node: Node, _ what: @autoclosure () -> String) throws -> Bool {
        guard let b = boolValue(node) else { throw error("\(what()) must be true or false", at: node) }
        return b
    }

    func int(_ node: Node, _ what: @autoclosure () -> String) throws -> Int {
        guard let i = intValue(node) else { throw error("\(what()) must be a whole number", at: node) }
        return i
    }

    /// A list of strings; a single string counts as a list of one.
    func stringList(_ node: Node?, _ what: @autoclosure () -> String) throws -> [String] {
        guard let node, !isNull(node) else { return [] }
        if case .sequence(let seq) = node { return try seq.map { try string($0, "each entry of \(what())") } }
        return [try string(node, what())]
    }

    func sequence(_ node: Node, _ what: @autoclosure () -> String) throws -> [Node] {
        if isNull(node) { return [] }
        guard case .sequence(let seq) = node else { throw error("\(what()) must be a list", at: node) }
        return Array(seq)
    }
}
