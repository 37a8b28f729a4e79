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
