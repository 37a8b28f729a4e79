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
    public var isolationLevels: [IsolationLevel] {
        switch name {
        case "sqlite": return [.autocommit, .serializable]
        default: return IsolationLevel.allCases
        }
    }

    /// The statements that open a transaction at `isolation` (nil: the database's default).
    public func beginStatements(isolation: IsolationLevel?) throws -> [String] {
        guard let isolation, isolation != .autocommit else { return ["BEGIN"] }
        guard isolationLevels.contains(isolation) else {
            throw ArgumentError(
                "\(name) does not offer isolation level \(isolation.rawValue); it offers "
                    + isolationLevels.map(\.rawValue).joined(separator: ", "))
        }
        switch name {
        case "sqlite": return ["BEGIN"]  // SQLite transactions are serializable.
        default: return ["BEGIN ISOLATION LEVEL \(isolation.rawValue)"]
        }
    }

    /// `SAVEPOINT name`, `RELEASE SAVEPOINT name`, `ROLLBACK TO SAVEPOINT name`.
    public func savepointSQL(_ name: String) -> String { "SAVEPOINT " + quoteIdentifier(name) }
    public func releaseSavepointSQL(_ name: String) -> String { "RELEASE SAVEPOINT " + quoteIdentifier(name) }
    public func rollbackToSavepointSQL(_ name: String) -> String { "ROLLBACK TO SAVEPOINT " + quoteIdentifier(name) }
}
