/// Something a ``Connection`` can execute: it compiles, for a dialect, into SQL text
/// with ordered bind parameters.
///
/// ``TextClause`` (from ``text(_:)``) is one; the expression language's statements
/// are the others.
public protocol Executable {
    /// Compiles for `dialect`. Values are never spliced into the SQL text: every one
    /// is a ``CompiledStatement/Binding``.
    func compile(for dialect: Dialect) throws -> CompiledStatement
}

/// A statement compiled for one dialect: the SQL text, in the dialect's paramstyle,
/// and where each positional parameter's value comes from.
public struct CompiledStatement: Sendable, Hashable {
    /// Where one positional parameter's value comes from.
    public enum Binding: Sendable, Hashable {
        /// Looked up by name in the parameters given to `execute`.
        case named(String)
        /// A value fixed when the statement was built (a literal in an expression).
        case value(SQLValue)
    }

    public let sql: String
    /// One entry per placeholder, in order.
    public let bindings: [Binding]
    /// The distinct parameter names the statement expects, in first-use order.
    public let parameterNames: [String]

    public init(sql: String, bindings: [Binding] = []) {
        self.sql = sql
        self.bindings = bindings
        var seen = Set<String>()
        var names: [String] = []
        for case .named(let n) in bindings where seen.insert(n).inserted { names.append(n) }
        self.parameterNames = names
    }
}
