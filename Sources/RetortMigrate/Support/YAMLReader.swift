import Foundation
import RetortCore

/// Reads a YAML document field by field, turning every problem into a
/// ``MigrateError`` that names the file, line and column, the field, and (for an
/// unknown field) the nearest valid one.
struct YAMLReader {
    let file: String

    /// Parses `text` into its root node.
    func parse(_ text: String) throws -> YAMLNode {
        guard let node = try YAMLComposer.compose(text, file: file) else {
            throw MigrateError("the file is empty", at: .init(file: file, line: 1))
        }
        return node
    }

    func location(_ node: YAMLNode) -> MigrateError.Location { location(node.mark) }

    func location(_ mark: YAMLNode.Mark) -> MigrateError.Location {
        .init(file: file, line: mark.line, column: mark.column)
    }

    func error(_ message: String, at node: YAMLNode, hint: String? = nil) -> MigrateError {
        MigrateError(message, at: location(node), hint: hint)
    }

    /// An error located at the key of `entry`.
    func error(_ message: String, atKeyOf entry: YAMLNode.Entry, hint: String? = nil) -> MigrateError {
        MigrateError(message, at: location(entry.keyMark), hint: hint)
    }

    /// The node as a mapping with string keys; `what` names it in messages.
    func mapping(_ node: YAMLNode, _ what: @autoclosure () -> String) throws -> [YAMLNode.Entry] {
        guard case .mapping(let m) = node else {
            throw error("\(what()) must be a mapping of field: value", at: node)
        }
        if let bad = m.entries.first(where: { !$0.keyIsText }) {
            throw error("\(what()) has a key that is not text", atKeyOf: bad)
        }
        return m.entries
    }

    /// The value of the entry named `name` (the first, as YAML keys are unique here).
    func field(_ entries: [YAMLNode.Entry], _ name: String) -> YAMLNode? {
        for i in entries.indices where entries[i].key == name { return entries[i].value }
        return nil
    }

    /// Checks that every key is one of `allowed`, suggesting the nearest.
    func checkKeys(_ entries: [YAMLNode.Entry], allowed: [String],
                   in what: @autoclosure () -> String) throws {
        for e in entries where !allowed.contains(e.key) {
            if e.key.hasSuffix(")"), !e.key.contains("(") {
                throw error("unknown field '\(e.key)' in \(what())", atKeyOf: e,
                            hint: "a comma inside {...} splits the mapping: quote values that contain commas, e.g. type: \"numeric(10,2)\"")
            }
            let suggestion = nearest(e.key, in: allowed).map { "did you mean '\($0)'?" }
            throw error("unknown field '\(e.key)' in \(what())", atKeyOf: e,
                        hint: suggestion ?? "valid fields: \(allowed.joined(separator: ", "))")
        }
    }

    /// The text of an unquoted scalar (where YAML reads `true` or `12` as non-text).
    private func plain(_ node: YAMLNode) -> String? {
        if case .scalar(let text, plain: true, _) = node { return text }
        return nil
    }

    func isNull(_ node: YAMLNode) -> Bool {
        switch plain(node) {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// `true`/`false` (and YAML's yes/no/on/off), unquoted.
    func boolValue(_ node: YAMLNode) -> Bool? {
        switch plain(node)?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    func intValue(_ node: YAMLNode) -> Int? { plain(node).flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } }

    func doubleValue(_ node: YAMLNode) -> Double? {
        guard let p = plain(node), p.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return Double(p)
    }

    // The `what` of the readers below is an autoclosure: it names the field in an error
    // message, and most fields have none, so it is built only when one is thrown.

    func string(_ node: YAMLNode, _ what: @autoclosure () -> String) throws -> String {
        guard case .scalar(let text, _, _) = node, !isNull(node) else {
            throw error("\(what()) must be text", at: node)
        }
        return text
    }

    func optionalString(_ node: YAMLNode?, _ what: @autoclosure () -> String) throws -> String? {
        guard let node, !isNull(node) else { return nil }
        return try string(node, what())
    }

    func bool(_ node: YAMLNode, _ what: @autoclosure () -> String) throws -> Bool {
        guard let b = boolValue(node) else { throw error("\(what()) must be true or false", at: node) }
        return b
    }

    func int(_ node: YAMLNode, _ what: @autoclosure () -> String) throws -> Int {
        guard let i = intValue(node) else { throw error("\(what()) must be a whole number", at: node) }
        return i
    }

    /// A list of strings; a single string counts as a list of one.
    func stringList(_ node: YAMLNode?, _ what: @autoclosure () -> String) throws -> [String] {
        guard let node, !isNull(node) else { return [] }
        if case .sequence(let seq, _) = node { return try seq.map { try string($0, "each entry of \(what())") } }
        return [try string(node, what())]
    }

    func sequence(_ node: YAMLNode, _ what: @autoclosure () -> String) throws -> [YAMLNode] {
        if isNull(node) { return [] }
        guard case .sequence(let seq, _) = node else { throw error("\(what()) must be a list", at: node) }
        return seq
    }
}

/// A YAML node as the readers above use it, built by ``YAMLComposer``. Aliases are
/// resolved to the node their anchor names, so every node is one of these three.
enum YAMLNode {
    /// The text, whether it was written plain (unquoted), where it is.
    case scalar(String, plain: Bool, Mark)
    case sequence([YAMLNode], Mark)
    case mapping(Mapping)

    /// Where a node starts in its file, counted from 1 (columns in characters).
    struct Mark: Equatable {
        let line: Int
        let column: Int
    }

    /// A class, so that a copy of a mapping node is one retain.
    final class Mapping {
        let entries: [Entry]
        let mark: Mark

        init(entries: [Entry], mark: Mark) {
            self.entries = entries
            self.mark = mark
        }
    }

    /// One key: value pair of a mapping.
    struct Entry {
        /// The key's text (empty when the key is not text).
        var key: String
        /// False for a key such as a list, which ``YAMLReader/mapping(_:_:)`` refuses.
        var keyIsText: Bool
        var keyMark: Mark
        var value: YAMLNode
    }

    var mark: Mark {
        switch self {
        case .scalar(_, _, let mark), .sequence(_, let mark): return mark
        case .mapping(let m): return m.mark
        }
    }

    /// A scalar's text, whatever its style; nil for any other node.
    var string: String? {
        if case .scalar(let text, _, _) = self { return text }
        return nil
    }
}
