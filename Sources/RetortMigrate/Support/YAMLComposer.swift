import CYaml

/// Builds the ``YAMLNode`` tree of a document straight from libyaml's parse events.
///
/// libyaml does all of the YAML work (scanning, parsing, checking); it is the parser
/// Yams wraps, and comes with Yams as its `CYaml` module. Yams' own composer builds a
/// general `Node` tree (tags, resolvers, duplicate keys found by hashing whole nodes)
/// that the readers would convert at once; building ours from the events is about a
/// quarter of the work, and reading revision files is most of what `migrator upgrade`
/// spends before it connects.
///
/// Aliases resolve to the node their anchor names. A key written twice in one mapping,
/// a second document in the stream, and anything libyaml refuses are errors naming the
/// file, line and column.
enum YAMLComposer {
    /// The document's root node, or nil when the text holds no document (it is empty,
    /// or only comments).
    static func compose(_ text: String, file: String) throws -> YAMLNode? {
        var text = text
        return try text.withUTF8 { bytes -> YAMLNode? in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                throw MigrateError("out of memory reading YAML", at: .init(file: file))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, base, bytes.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var builder = Builder(file: file)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    throw parserError(parser, bytes: bytes, file: file)
                }
                defer { yaml_event_delete(&event) }
                if try builder.take(event) { return builder.root }
            }
        }
    }

    /// The tree under construction: one frame per open sequence or mapping.
    private struct Builder {
        let file: String
        var root: YAMLNode?
        var stack: [Frame] = []
        var anchors: [String: YAMLNode] = [:]
        var documents = 0

        struct Frame {
            let mark: YAMLNode.Mark
            let anchor: String?
            let isMapping: Bool
            var items: [YAMLNode] = []
            var entries: [YAMLNode.Entry] = []
            /// A mapping's key, read and waiting for its value.
            var key: (text: String?, mark: YAMLNode.Mark)?
            /// A large mapping's text keys, for finding one written twice.
            var keys: Set<String>?
        }

        init(file: String) { self.file = file }

        /// Takes one event; true at the end of the stream.
        mutating func take(_ event: yaml_event_t) throws -> Bool {
            let mark = YAMLNode.Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return true
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    throw MigrateError("malformed YAML: a second document starts here; the file must hold one",
                                       at: .init(file: file, line: mark.line, column: mark.column))
                }
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                try add(.scalar(text, plain: s.style == YAML_PLAIN_SCALAR_STYLE, mark), anchor: Self.text(s.anchor), at: mark)
            case YAML_SEQUENCE_START_EVENT:
                stack.append(Frame(mark: mark, anchor: Self.text(event.data.sequence_start.anchor), isMapping: false))
            case YAML_MAPPING_START_EVENT:
                stack.append(Frame(mark: mark, anchor: Self.text(event.data.mapping_start.anchor), isMapping: true))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let frame = stack.removeLast()
                let node: YAMLNode = frame.isMapping
                    ? .mapping(YAMLNode.Mapping(entries: frame.entries, mark: frame.mark))
                    : .sequence(frame.items, frame.mark)
                try add(node, anchor: frame.anchor, at: frame.mark)
            case YAML_ALIAS_EVENT:
                let name = Self.text(event.data.alias.anchor) ?? ""
                guard let node = anchors[name] else {
                    throw MigrateError("malformed YAML: the alias *\(name) names no anchor (&\(name)) written before it",
                                       at: .init(file: file, line: mark.line, column: mark.column))
                }
                try add(node, anchor: nil, at: mark)
            default:
                break
            }
            return false
        }

        /// Puts a finished node where it belongs: the root, the next item of a sequence,
        /// or a mapping's key or value.
        private mutating func add(_ node: YAMLNode, anchor: String?, at mark: YAMLNode.Mark) throws {
            if let anchor { anchors[anchor] = node }
            guard !stack.isEmpty else {
                root = node
                return
            }
            let top = stack.count - 1
            guard stack[top].isMapping else {
                stack[top].items.append(node)
                return
            }
            guard let key = stack[top].key else {
                stack[top].key = (node.string, mark)
                return
            }
            stack[top].key = nil
            if let text = key.text, Self.isDuplicate(text, in: &stack[top]) {
                throw MigrateError("malformed YAML: the key '\(text)' appears twice in one mapping",
                                   at: .init(file: file, line: key.mark.line, column: key.mark.column))
            }
            stack[top].entries.append(YAMLNode.Entry(key: key.text ?? "", keyIsText: key.text != nil, keyMark: key.mark, value: node))
        }

        /// Whether `key` is already a key of the mapping `frame`: a scan while the
        /// mapping is small, as most are, and a set once it is not.
        private static func isDuplicate(_ key: String, in frame: inout Frame) -> Bool {
            if frame.keys == nil {
                if frame.entries.count < 16 { return frame.entries.contains { $0.keyIsText && $0.key == key } }
                frame.keys = Set(frame.entries.lazy.filter(\.keyIsText).map(\.key))
            }
            return !frame.keys!.insert(key).inserted
        }

        private static func text(_ c: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            c.map { String(cString: $0) }
        }
    }

    /// libyaml's error, with its problem, context and place.
    private static func parserError(_ parser: yaml_parser_t, bytes: UnsafeBufferPointer<UInt8>, file: String) -> MigrateError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unreadable YAML"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return MigrateError("out of memory reading YAML", at: .init(file: file))
        case YAML_READER_ERROR:
            // The reader reports a byte offset; count lines and columns up to it.
            let end = min(parser.problem_offset, bytes.count)
            var line = 1, column = 1
            for b in bytes[..<end] {
                if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            }
            return MigrateError("malformed YAML: \(problem)", at: .init(file: file, line: line, column: column))
        default:
            let context = parser.context.map { " (\(String(cString: $0)))" } ?? ""
            return MigrateError("malformed YAML: \(problem)\(context)",
                                at: .init(file: file, line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1))
        }
    }
}
