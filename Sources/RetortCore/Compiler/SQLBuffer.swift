/// SQL text under construction, with the positions of its placeholders.
///
/// Placeholders are recorded by offset rather than written, so pieces compiled out of
/// order (a WITH clause is compiled after the query that references it) can be joined
/// and then numbered `$1..$n` in text order.
package struct SQLBuffer: Sendable {
    package var text: String = ""
    package var placeholders: [(offset: Int, binding: TemplateBinding)] = []

    package init() {}

    @inline(__always) package mutating func append(_ s: String) { text += s }

    package mutating func appendPlaceholder(_ b: TemplateBinding) {
        placeholders.append((text.utf8.count, b))
    }

    package mutating func append(_ other: SQLBuffer) {
        let base = text.utf8.count
        text += other.text
        for p in other.placeholders { placeholders.append((p.offset + base, p.binding)) }
    }

    package var isEmpty: Bool { text.isEmpty && placeholders.isEmpty }

    /// The final text with placeholders in `style`, the bindings in order, and — when a
    /// binding is a list that expands at execution — each placeholder's UTF-8 offset in
    /// the final text (nil otherwise: nothing will need to find them).
    package func finish(_ style: Dialect.ParamStyle) -> (String, [TemplateBinding], [Int]?) {
        if placeholders.isEmpty { return (text, [], nil) }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + placeholders.count * 3)
        let hasLists = placeholders.contains { $0.binding.isList }
        var offsets: [Int] = []
        var last = 0
        for (i, p) in placeholders.enumerated() {
            out.append(contentsOf: bytes[last..<p.offset])
            if hasLists { offsets.append(out.count) }
            out.append(contentsOf: style.placeholder(i + 1).utf8)
            last = p.offset
        }
        out.append(contentsOf: bytes[last...])
        return (String(decoding: out, as: UTF8.self), placeholders.map(\.binding), hasLists ? offsets : nil)
    }
}

/// Where a compiled placeholder's value comes from, before values are known.
package enum TemplateBinding: Sendable, Hashable {
    /// A named parameter supplied at execution.
    case named(String)
    /// A value fixed in the template (already processed).
    case constant(SQLValue)
    /// The statement's `n`th bound value (in bind-walk order), processed by its type.
    case slot(Int)
    /// The statement's `n`th expanding list (in bind-walk order), each value processed.
    case listSlot(Int)
    /// A list fixed in the template (already processed).
    case constantList([SQLValue])
    /// A list supplied by name at execution, processed as the type.
    case namedList(String, SQLType?)

    package var isList: Bool {
        switch self {
        case .named, .constant, .slot: return false
        case .listSlot, .constantList, .namedList: return true
        }
    }
}

/// A compiled statement shape: SQL text with placeholders, waiting for values.
///
/// A class, immutable: the cache hands the same template to every execution of its
/// shape, and passing a reference costs one retain where the struct cost one per field.
package final class CompiledTemplate: Sendable {
    package let sql: String
    package let bindings: [TemplateBinding]
    /// False when the compiler met a bound value it could not slot (a value outside the
    /// statement's tree); such a template is compiled afresh every time.
    package let reusable: Bool
    /// One more than the highest slot the template reads.
    package let slotCount: Int
    /// One more than the highest list slot the template reads.
    package let listSlotCount: Int
    /// Placeholder offsets in ``sql``, kept when a binding is a list (see ``SQLBuffer/finish(_:)``).
    package let placeholderOffsets: [Int]?
    /// True when every binding is a slot or a constant: the values of one execution
    /// then go straight to the driver (``positionalValues(_:_:into:)``), with no
    /// ``CompiledStatement`` built in between.
    package let isPositional: Bool

    package init(sql: String, bindings: [TemplateBinding], reusable: Bool, placeholderOffsets: [Int]? = nil) {
        self.sql = sql
        self.bindings = bindings
        self.reusable = reusable
        self.placeholderOffsets = placeholderOffsets
        var highest = -1
        var highestList = -1
        for b in bindings {
            switch b {
            case .slot(let i): highest = max(highest, i)
            case .listSlot(let i): highestList = max(highestList, i)
            default: break
            }
        }
        self.slotCount = highest + 1
        self.listSlotCount = highestList + 1
        self.isPositional = bindings.allSatisfy {
            switch $0 {
            case .slot, .constant: return true
            case .named, .listSlot, .constantList, .namedList: return false
            }
        }
    }

    /// The values of one execution in placeholder order, each processed by its type,
    /// for an ``isPositional`` template (the bindings ``instantiate(_:_:_:)`` would give,
    /// without the ``CompiledStatement`` around them), appended to `out` (whose storage
    /// a caller can reuse).
    package func positionalValues(_ values: [BoundValue], _ dialect: Dialect, into out: inout [SQLValue]) {
        let types = dialect.typeCompiler
        for b in bindings {
            switch b {
            case .slot(let i):
                out.append(values[i].processed(by: types))
            case .constant(let v):
                out.append(v)
            case .named, .listSlot, .constantList, .namedList:
                preconditionFailure("positionalValues(_:_:into:) on a template with named or list bindings")
            }
        }
    }

    /// The compiled statement for one set of values and lists (from ``BindExtractor``).
    package func instantiate(_ values: [BoundValue], _ lists: [ExpandingList], _ dialect: Dialect) -> CompiledStatement {
        var out: [CompiledStatement.Binding] = []
        out.reserveCapacity(bindings.count)
        let types = dialect.typeCompiler
        for b in bindings {
            switch b {
            case .named(let n): out.append(.named(n))
            case .constant(let v): out.append(.value(v))
            case .slot(let i):
                out.append(.value(values[i].processed(by: types)))
            case .listSlot(let i):
                out.append(.valueList(lists[i].processed(by: types)))
            case .constantList(let vs): out.append(.valueList(vs))
            case .namedList(let n, let t): out.append(.namedList(n, type: t))
            }
        }
        return CompiledStatement(sql: sql, bindings: out, placeholderOffsets: placeholderOffsets)
    }
}
