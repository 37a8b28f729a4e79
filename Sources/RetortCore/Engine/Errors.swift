/// The common shape of every error a database operation raises, modelled on the
/// DBAPI's families. Catch a family by its type:
///
/// ```swift
/// do {
///     try conn.execute(text("INSERT INTO authors (email) VALUES (:e)"), ["e": "u@example.org"])
/// } catch let error as IntegrityError where error.kind == .unique {
///     print("already registered:", error.constraintName ?? "?")
/// }
/// ```
///
/// `description` is one line a person can act on; the other fields carry the detail.
public protocol DatabaseError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in words (the database's own message when it gave one).
    var message: String { get }
    /// The SQL being executed, when there was one.
    var sql: String? { get }
    /// The driver's own message, verbatim.
    var driverMessage: String? { get }
    /// PostgreSQL's SQLSTATE (e.g. `23505`) or SQLite's extended result code (e.g. `2067`).
    var code: String? { get }
}

extension DatabaseError {
    public var description: String {
        var s = "\(Self.self): \(message)"
        if let code { s += " [\(code)]" }
        if let sql { s += "\n  SQL: \(sql.count > 500 ? String(sql.prefix(500)) + "…" : sql)" }
        return s
    }
}

/// A constraint refused a write: unique, foreign key, not null or check.
public struct IntegrityError: DatabaseError {
    public enum Kind: String, Sendable { case unique, foreignKey, notNull, check, exclusion, other }
    public var kind: Kind
    /// The violated constraint's name when the database reports it (PostgreSQL always,
    /// SQLite for named CHECK constraints).
    public var constraintName: String?
    /// The table involved, when known.
    public var tableName: String?
    /// The columns involved, when known (SQLite names them in its message).
    public var columnNames: [String]
    public var message: String
    public var sql: String?
    public var driverMessage: String?
    public var code: String?

    public init(
        kind: Kind, constraintName: String? = nil, tableName: String? = nil, columnNames: [String] = [],
        message: String, sql: String? = nil, driverMessage: String? = nil, code: String? = nil
    ) {
        self.kind = kind
        self.constraintName = constraintName
        self.tableName = tableName
        self.columnNames = columnNames
        self.message = message
        self.sql = sql
        self.driverMessage = driverMessage
        self.code = code
    }
}

/// The database could not do what was asked for reasons outside the statement: it
/// could not be reached, the credentials were refused, it was locked or busy, a
/// timeout passed, or the server went away.
public struct OperationalError: DatabaseError {
    public enum Kind: String, Sendable {
        case cannotConnect, authenticationFailed, locked, timeout, connectionLost, readOnly, diskFull, other
    }
    public var kind: Kind
    public var message: String
    public var sql: String?
    public var driverMessage: String?
    public var code: String?

    public init(kind: Kind, message: String, sql: String? = nil, driverMessage: String? = nil, code: String? = nil) {
        self.kind = kind
        self.message = message
        self.sql = sql
        self.driverMessage = driverMessage
        self.code = code
    }

    /// True when the connection that raised this can no longer be used.
    public var isDisconnect: Bool { kind == .connectionLost || kind == .cannotConnect }
}

/// The statement itself is wrong: a syntax error, a missing table or column, a
/// construct the database does not support.
public struct ProgrammingError: DatabaseError {
    public enum Kind: String, Sendable {
        case syntax, undefinedTable, undefinedColumn, duplicateObject, notSupported
        /// The statement cannot run inside a transaction block (PostgreSQL's
        /// `CREATE INDEX CONCURRENTLY`, `VACUUM`): run it outside one.
        case cannotRunInTransaction
        /// One call carried several statements; send them one at a time.
        case multipleStatements
        case other
    }
    public var kind: Kind
    public var message: String
    public var sql: String?
    public var driverMessage: String?
    public var code: String?

    public init(kind: Kind, message: String, sql: String? = nil, driverMessage: String? = nil, code: String? = nil) {
        self.kind = kind
        self.message = message
        self.sql = sql
        self.driverMessage = driverMessage
        self.code = code
    }
}

/// A value was wrong for where it was going: out of range, not convertible, too
/// long, or not representable by the database (a NUL character in PostgreSQL text).
public struct DataError: DatabaseError {
    public var message: String
    public var sql: String?
    public var driverMessage: String?
    public var code: String?

    public init(message: String, sql: String? = nil, driverMessage: String? = nil, code: String? = nil) {
        self.message = message
        self.sql = sql
        self.driverMessage = driverMessage
        self.code = code
    }
}

/// Retort was used in a way it cannot honour: a closed connection, an exhausted
/// pool, a missing or extra bind parameter, a result read twice.
public struct InterfaceError: DatabaseError {
    public enum Kind: String, Sendable {
        case closed, poolExhausted, missingParameter, unexpectedParameter, tooManyParameters,
            noTransaction, resultConsumed, noRows, multipleRows, misuse
    }
    public var kind: Kind
    public var message: String
    public var sql: String?
    public var driverMessage: String?
    public var code: String?

    public init(kind: Kind, message: String, sql: String? = nil, driverMessage: String? = nil, code: String? = nil) {
        self.kind = kind
        self.message = message
        self.sql = sql
        self.driverMessage = driverMessage
        self.code = code
    }
}

/// An argument given to Retort is malformed before any database is involved: a bad
/// URL, an unknown option. The message names the part that is wrong.
public struct ArgumentError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "ArgumentError: \(message)" }
}
