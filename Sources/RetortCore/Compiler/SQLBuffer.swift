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

    /// The final text with placeholders in `style`, and the bindings in order.
    package func finish(_ style: Dialect.ParamStyle) -> (String, [TemplateBinding]) {
        if placeholders.isEmpty { return (text, []) }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + placeholders.count * 3)
        var last = 0
        for (i, p) in placeholders.enumerated() {
            out.append(contentsOf: bytes[last..<p.offset])
            out.append(contentsOf: style.placeholder(i + 1).utf8)
            last = p.offset
        }
        out.append(contentsOf: bytes[last...])
        return (String(decoding: out, as: UTF8.self), placeholders.map(\.binding))
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
}

/// A compiled statement shape: SQL text with placeholders, waiting for values.
package struct CompiledTemplate: Sendable {
    package let sql: String
    package let bindings: [TemplateBinding]
    /// False when the compiler met a bound value it could not slot (a value outside the
    /// statement's tree); such a template is compiled afresh every time.
    package let reusable: Bool
    /// One more than the highest slot the template reads.
    package let slotCount: Int

    package init(sql: String, bindings: [TemplateBinding], reusable: Bool) {
        self.sql = sql
        self.bindings = bindings
        self.reusable = reusable
        var highest = -1
        for case .slot(let i) in bindings { highest = max(highest, i) }
        self.slotCount = highest + 1
    }


    /// The compiled statement for one set of values (from ``BindExtractor``).
    package func instantiate(_ values: [BoundValue], _ dialect: Dialect) -> CompiledStatement {
        var out: [CompiledStatement.Binding] = []
        out.reserveCapacity(bindings.count)
        let types = dialect.typeCompiler
        for b in bindings {
            switch b {
            case .named(let n): out.append(.named(n))
            case .constant(let v): out.append(.value(v))
            case .slot(let i):
                let v = values[i]
                out.append(.value(v.type.map { types.processBind(v.value, $0) } ?? v.value))
            }
        }
        return CompiledStatement(sql: sql, bindings: out)
    }
}
