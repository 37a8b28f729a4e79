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
    /// `immediate` takes the database's write lock at once where that is a separate step
    /// (SQLite's `BEGIN IMMEDIATE`), so two writers cannot both read before either writes.
    public func beginStatements(isolation: IsolationLevel?, immediate: Bool = false) throws -> [String] {
        if immediate, name == "sqlite" { return ["BEGIN IMMEDIATE"] }
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

extension Dialect {
    /// A statement returning one boolean: whether the session-level advisory lock `key`
    /// was taken. Nil on databases without advisory locks (SQLite locks the file instead).
    public func tryAdvisoryLockSQL(key: Int64) -> TextClause? {
        name == "postgresql" ? text("SELECT pg_try_advisory_lock(:key)") : nil
    }

    /// Releases what ``tryAdvisoryLockSQL(key:)`` took.
    public func advisoryUnlockSQL(key: Int64) -> TextClause? {
        name == "postgresql" ? text("SELECT pg_advisory_unlock(:key)") : nil
    }

    /// Session settings for lock and statement timeouts, in seconds (nil leaves a setting).
    public func timeoutStatements(lockTimeout: Double?, statementTimeout: Double?) -> [String] {
        guard name == "postgresql" else { return [] }
        var out: [String] = []
        if let t = lockTimeout { out.append("SET lock_timeout = \(Int((t * 1000).rounded()))") }
        if let t = statementTimeout { out.append("SET statement_timeout = \(Int((t * 1000).rounded()))") }
        return out
    }
}
