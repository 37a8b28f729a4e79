/// A statement compiled for one dialect: the SQL text, in the dialect's paramstyle,
/// and where each positional parameter's value comes from.
public struct CompiledStatement: Sendable, Hashable {
    /// Where one positional parameter's value comes from.
    public enum Binding: Sendable, Hashable {
        /// Looked up by name in the parameters given to `execute`.
        case named(String)
        /// A value fixed when the statement was built (a literal in an expression).
        case value(SQLValue)
        /// A list fixed when the statement was built, `x.in([1, 2])`: its placeholder
        /// becomes one parameter per value, or one array parameter, at execution (see
        /// ``Dialect/ListParameterStyle``).
        case valueList([SQLValue])
        /// A list given by name at execution as an ``SQLValueList``
        /// (`bindParameter(name, expanding: true)`), each value processed as `type`.
        case namedList(String, type: SQLType?)

        /// True for the two list bindings.
        public var isList: Bool {
            switch self {
            case .named, .value: return false
            case .valueList, .namedList: return true
            }
        }
    }

    public let sql: String
    /// One entry per placeholder, in order.
    public let bindings: [Binding]
    /// The distinct parameter names the statement expects, in first-use order.
    public let parameterNames: [String]
    /// True when a binding is a list, so the SQL and values are settled per execution
    /// by ``resolve(_:for:)``.
    public let hasLists: Bool
    /// Where each placeholder starts in ``sql`` (UTF-8 offsets), when ``hasLists``.
    package let placeholderOffsets: [Int]?

    public init(sql: String, bindings: [Binding] = []) {
        self.init(sql: sql, bindings: bindings, placeholderOffsets: nil)
    }

    package init(sql: String, bindings: [Binding], placeholderOffsets: [Int]?) {
        self.sql = sql
        self.bindings = bindings
        var seen = Set<String>()
        var names: [String] = []
        var lists = false
        for b in bindings {
            switch b {
            case .named(let n), .namedList(let n, _):
                if seen.insert(n).inserted { names.append(n) }
            case .value: break
            case .valueList: lists = true
            }
            if case .namedList = b { lists = true }
        }
        self.parameterNames = names
        self.hasLists = lists
        self.placeholderOffsets = lists ? placeholderOffsets : nil
    }
}

extension CompiledStatement {
    /// The values of a statement whose bindings are all values (no named parameters).
    var boundValues: [SQLValue] {
        bindings.map { b in
            if case .value(let v) = b { return v }
            return .null
        }
    }
}
