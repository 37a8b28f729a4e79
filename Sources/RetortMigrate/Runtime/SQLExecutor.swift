import Foundation
import RetortCore

/// Where a migration's SQL goes: a live connection (``LiveExecutor``), or an offline
/// script (``OfflineExecutor``, `migrator upgrade --sql`). Operations, the version
/// table and the runner write every statement through one of these, so the same code
/// serves both paths.
///
/// ```swift
/// let out = OfflineExecutor(dialect: .postgresql)
/// try out.execute(store.version.insert().values(["version_num": "3f2a9c1b7d4e"]), [:])
/// out.script   // INSERT INTO migrator_version (version_num) VALUES ('3f2a9c1b7d4e');
/// ```
public protocol SQLExecutor: AnyObject {
    /// The database the SQL is written for.
    var dialect: Dialect { get }
    /// Runs (or writes) one statement.
    func execute(_ statement: some Executable, _ parameters: Parameters) throws
    /// Runs (or writes) one statement once per parameter set ("executemany"): live, one
    /// prepared statement stepped for every set; offline, one statement per set with its
    /// values as literals. An INSERT built without values takes its columns from the
    /// first set's names.
    func executeMany(_ statement: some Executable, _ parameterSets: [Parameters]) throws
    /// The live connection, when there is one (offline scripts have none).
    var connection: Connection? { get }
    /// Opens a transaction (offline: writes the dialect's BEGIN, if it has one).
    func begin() throws
    /// Commits the open transaction (offline: writes the dialect's COMMIT).
    func commit() throws
    /// Rolls the open transaction back (offline: writes ROLLBACK).
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

    public func executeMany(_ statement: some Executable, _ parameterSets: [Parameters]) throws {
        guard !parameterSets.isEmpty else { return }
        try conn.execute(statement, parameterSets)
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

    public func executeMany(_ statement: some Executable, _ parameterSets: [Parameters]) throws {
        guard let shaped = statement as? any ParameterizedExecutable else {
            for parameters in parameterSets { try execute(statement, parameters) }
            return
        }
        for parameters in parameterSets {
            let prepared = shaped.prepareParameters(parameters, for: dialect)
            let compiled = try shaped.compile(for: dialect, parameterNames: Set(prepared.names))
            write(try dialect.literalSQL(compiled, prepared))
        }
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
