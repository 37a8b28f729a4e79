import Foundation
import Yams

/// Reads a YAML document field by field, turning every problem into a
/// ``MigrateError`` that names the file, line and column, the field, and (for an
/// unknown field) the nearest valid one.
struct YAMLReader {
    let file: String

    /// Parses `text` into its root node.
    func parse(_ text: String) throws -> YAMLNode {
        do {
            // The basic resolver tags every scalar as text: Yams' default resolver runs a
            // regular expression per scalar, which was most of the time `migrator current` took.
            guard let node = try Yams.compose(yaml: text, .basic, .default, .utf8) else {
                throw MigrateError("the file is empty", at: .init(file: file, line: 1))
            }
            return YAMLNode(node)
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

    func location(_ node: YAMLNode) -> MigrateError.Location { location(node.mark) }

    func location(_ mark: Mark?) -> MigrateError.Location {
        .init(file: file, line: mark?.line, column: mark?.column)
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

/// A YAML node as the readers above use it: Yams' ``Node`` converted once, right after
/// composition. A revision file's fields are read many times over (looked up, checked
/// for null, read as text), and every copy of a Yams node retains its tag and copies
/// its weak anchor; a copy of this one retains at most its text or its children.
enum YAMLNode {
    /// The text, whether it was written plain (unquoted), where it is.
    case scalar(String, plain: Bool, Mark?)
    case sequence([YAMLNode], Mark?)
    case mapping(Mapping)
    /// Composition resolves aliases to the nodes they name, so this is not met in
    /// practice; such a node is none of the shapes the readers accept.
    case alias(Mark?)

    /// A class, so that a copy of a mapping node is one retain.
    final class Mapping {
        let entries: [Entry]
        let mark: Mark?

        init(entries: [Entry], mark: Mark?) {
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
        var keyMark: Mark?
        var value: YAMLNode
    }

    init(_ node: Node) {
        switch node {
        case .scalar(let s):
            self = .scalar(s.string, plain: s.style == .plain, s.mark)
        case .sequence(let seq):
            self = .sequence(seq.map(YAMLNode.init), seq.mark)
        case .mapping(let m):
            var entries: [Entry] = []
            entries.reserveCapacity(m.count)
            for (keyNode, value) in m {
                // A plain scalar key is its own text (what `Node.string` returns for it, without its lookup).
                let key: String?, keyMark: Mark?
                if case .scalar(let s) = keyNode {
                    key = s.string
                    keyMark = s.mark
                } else {
                    key = keyNode.string
                    keyMark = keyNode.mark
                }
                entries.append(Entry(key: key ?? "", keyIsText: key != nil, keyMark: keyMark, value: YAMLNode(value)))
            }
            self = .mapping(Mapping(entries: entries, mark: m.mark))
        case .alias(let a):
            self = .alias(a.mark)
        }
    }

    var mark: Mark? {
        switch self {
        case .scalar(_, _, let mark), .sequence(_, let mark), .alias(let mark): return mark
        case .mapping(let m): return m.mark
        }
    }

    /// A scalar's text, whatever its style; nil for any other node.
    var string: String? {
        if case .scalar(let text, _, _) = self { return text }
        return nil
    }
}
