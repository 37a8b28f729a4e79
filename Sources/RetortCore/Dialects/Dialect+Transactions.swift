/// A transaction isolation level for a ``Connection``.
public enum IsolationLevel: String, Sendable, Hashable, CaseIterable {
    /// No transaction: each statement commits on its own (no automatic BEGIN).
    case autocommit = "AUTOCOMMIT"
    case readUncommitted = "READ UNCOMMITTED"
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension Dialect {
    /// The isolation levels the database offers.
    public var isolationLevels: [IsolationLevel] { implementation.isolationLevels }

    /// The statements that open a transaction at `isolation` (nil: the database's default).
    /// `immediate` takes the database's write lock at once where that is a separate step
    /// (SQLite's `BEGIN IMMEDIATE`), so two writers cannot both read before either writes.
    /// Throws ``ArgumentError`` for a level the database does not offer.
    public func beginStatements(isolation: IsolationLevel?, immediate: Bool = false) throws -> [String] {
        if let isolation, !isolationLevels.contains(isolation) {
            throw ArgumentError(
                "\(name) does not offer isolation level \(isolation.rawValue); it offers "
                    + isolationLevels.map(\.rawValue).joined(separator: ", "))
        }
        return implementation.beginStatements(isolation: isolation, immediate: immediate)
    }

    /// `SAVEPOINT name`, `RELEASE SAVEPOINT name`, `ROLLBACK TO SAVEPOINT name`.
    public func savepointSQL(_ name: String) -> String { "SAVEPOINT " + quoteIdentifier(name) }
    public func releaseSavepointSQL(_ name: String) -> String { "RELEASE SAVEPOINT " + quoteIdentifier(name) }
    public func rollbackToSavepointSQL(_ name: String) -> String { "ROLLBACK TO SAVEPOINT " + quoteIdentifier(name) }
}
