import Foundation
import RetortCore

/// Where a migration's SQL goes: a live connection, or an offline script.
public protocol SQLExecutor: AnyObject {
    var dialect: Dialect { get }
    /// Runs (or writes) one statement.
    func execute(_ statement: some Executable, _ parameters: Parameters) throws
    /// The live connection, when there is one (offline scripts have none).
    var connection: Connection? { get }
    func begin() throws
    func commit() throws
    func rollback() throws
}

/// Runs statements on a connection.
public final class LiveExecutor: SQLExecutor {
    public let connection: Connection?
    private let conn: Connection
    /// SQLite takes its write lock at BEGIN, which is the migration lock there.
    private let immediate: Bool

    public init(_ conn: Connection, immediate: Bool) {
        self.connection = conn
        self.conn = conn
        self.immediate = immediate
    }

    public var dialect: Dialect { conn.dialect }

    public func execute(_ statement: some Executable, _ parameters: Parameters) throws {
        try conn.execute(statement, parameters)
    }

    public func begin() throws {
        if conn.inTransaction { try conn.commit() }
        do {
            try conn.begin(immediate: immediate)
        } catch let error as OperationalError where error.kind == .locked {
            throw MigrateError("could not acquire the migration lock: another process is writing to the database",
                               hint: "wait for it to finish, or raise the URL's timeout= option")
        }
    }

    public func commit() throws { try conn.commit() }
    public func rollback() throws { try conn.rollback() }
}

/// Writes statements as an SQL script with values inlined as literals, for
/// `migrator upgrade --sql`.
public final class OfflineExecutor: SQLExecutor {
    public let dialect: Dialect
    public private(set) var script = ""
    public var connection: Connection? { nil }

    public init(dialect: Dialect) { self.dialect = dialect }

    public func execute(_ statement: some Executable, _ parameters: Parameters) throws {
        let compiled = try statement.compile(for: dialect)
        if let missing = compiled.parameterNames.first(where: { parameters[$0] == nil }) {
            throw MigrateError("offline SQL: no value for parameter '\(missing)' in \(compiled.sql)")
        }
        write(try dialect.literalSQL(compiled, parameters))
    }

    public func comment(_ text: String) { script += "-- \(text)\n" }

    /// `sql` ended as the database's client wants it (see ``MigrationDialect/offlineStatementEnd``).
    private func write(_ sql: String) {
        let end = dialect.migration.offlineStatementEnd
        script += sql
        if !end.terminator.isEmpty, !sql.hasSuffix(end.terminator) { script += end.terminator }
        script += "\n\n"
        if let line = end.separatorLine { script += line + "\n\n" }
    }

    public func begin() throws {
        if let begin = dialect.migration.offlineTransaction.begin { write(begin) }
    }
    public func commit() throws {
        if let commit = dialect.migration.offlineTransaction.commit { write(commit) }
    }
    public func rollback() throws { write("ROLLBACK") }
}

extension Connection {
    /// Runs statements that must not be inside a transaction (SQLite ignores
    /// `PRAGMA foreign_keys` there), committing whatever is open first.
    public func executeOutsideTransaction(_ statements: [String]) throws {
        guard !statements.isEmpty else { return }
        try commit()
        let previous = isolationLevel
        try setIsolationLevel(.autocommit)
        defer { try? setIsolationLevel(previous) }
        for sql in statements { try execute(RawSQL(sql)) }
    }
}
