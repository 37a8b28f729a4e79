import Foundation

/// The DBAPI layer: what Retort needs from a database client library. One
/// implementation per database (``SQLiteDriver``, ``PostgreSQLDriver``); everything
/// above this protocol is shared.
///
/// Driver connections are used by one thread at a time (the pool hands each to one
/// ``Connection``), so they need not be thread-safe themselves.
public protocol DriverConnection: AnyObject {
    /// Runs one statement with positional parameters and returns a cursor over its
    /// rows (an empty cursor for statements that return none).
    ///
    /// `sql` uses the dialect's paramstyle (`?` or `$1`). Errors are the families of
    /// `Errors.swift`, carrying `sql`.
    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> any DriverCursor

    /// Runs one statement once per parameter set (executemany) and returns the total
    /// number of rows affected. Implementations prepare once and step many times
    /// (SQLite) or pipeline (PostgreSQL).
    func executeMany(_ sql: String, _ parameterSets: [[SQLValue]]) throws -> Int

    /// executemany without materialising every parameter set first: `fill(i, &values)`
    /// writes set `i` into a reused buffer. The default builds the sets and calls
    /// ``executeMany(_:_:)``; drivers that step a statement per set override it.
    func executeMany(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void) throws -> Int

    /// executemany for a statement that returns rows (`INSERT ... RETURNING`): runs the
    /// statement once per parameter set, in order, and hands each returned row to
    /// `row(i, values)` with the index `i` of the set that produced it. Returns the total
    /// number of rows affected. The default executes the sets one by one; drivers step
    /// one prepared statement (SQLite) or pipeline the sets (PostgreSQL).
    func executeManyReturning(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                              row: (Int, [SQLValue]) throws -> Void) throws -> Int

    /// executemany that hands each set's rows affected to `counted(i, n)`, for
    /// statements that must match a known number of rows per set (the ORM's versioned
    /// UPDATE and DELETE). Returns the total. The default executes the sets one by one;
    /// drivers that learn each set's count while stepping (SQLite) or pipelining
    /// (PostgreSQL) override it.
    func executeManyCounted(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                            counted: (Int, Int) -> Void) throws -> Int

    /// executemany of an INSERT on a database with rowids (SQLite): hands each set's
    /// inserted rowid to `rowID(i, id)`, which for a lone `INTEGER PRIMARY KEY` is the
    /// key (see ``Dialect/integerPrimaryKeyIsRowID``) — no RETURNING needed. Returns the
    /// rows affected.
    func executeManyInsert(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                           rowID: (Int, Int64) throws -> Void) throws -> Int

    /// Runs SQL with no parameters and no rows, e.g. `BEGIN` or `SAVEPOINT sp_1`.
    func executeCommand(_ sql: String) throws

    /// True when the connection still answers (a cheap round trip).
    func ping() -> Bool

    /// True while the database says a transaction is open on this connection.
    var inTransaction: Bool { get }

    /// The server's version, e.g. `3.40.1` or `15.18`.
    var serverVersion: String { get }

    /// Closes the connection; calling it again does nothing.
    func close()

    /// Throws an ``OperationalError`` of kind `readOnly`, saying what is not writable,
    /// when the database can be read but not written (a file opened read-only, a
    /// directory where its journal cannot be made). Drivers that cannot tell before
    /// writing do nothing.
    func checkWritable() throws

    /// Asks the database to stop the statement this connection is running now; the
    /// statement then fails with an error (``OperationalError`` `.timeout`), and the
    /// connection stays usable.
    ///
    /// Unlike every other method, this one is called from another thread than the one
    /// running the statement (the async API calls it when a task is cancelled or a
    /// statement timeout passes). It is only called while a statement of this
    /// connection is running (never concurrently with ``close()``), and it may block
    /// briefly (PostgreSQL opens a connection to send the request).
    ///
    /// SQLite implements it with `sqlite3_interrupt`, PostgreSQL with `PQcancel`, MySQL
    /// with `KILL QUERY <thread id>` from a second connection. The default does
    /// nothing: the statement runs to its end, and the cancellation or timeout is only
    /// reported after it. A driver whose database can stop a statement should implement it.
    func cancel()

    /// Stops the statement whose rows a result of this connection is still streaming,
    /// when that statement runs inside a transaction which the caller is about to roll
    /// back (the async API, for a cancelled task or a connection released with its
    /// transaction open): the server cancels it, the rows still on the wire are dropped,
    /// and reading that result further throws. Returns true when it stopped one; false
    /// (doing nothing) when no statement streams or it runs outside a transaction, where
    /// it is left to finish as it would have. Called on the connection's thread. The
    /// default does nothing: drivers that read results whole have nothing to stop.
    func stopStreamedStatement() -> Bool

    /// Whether queries from now on hand out their rows as they arrive rather than read
    /// whole (``Connection/streamResults``). The default ignores it: such a driver
    /// reads rows one at a time anyway (SQLite), or always whole.
    func setStreamsResults(_ on: Bool)
}

extension DriverConnection {
    public func setStreamsResults(_ on: Bool) {}

    public func checkWritable() throws {}

    public func cancel() {}

    public func stopStreamedStatement() -> Bool { false }

    public func executeMany(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void) throws -> Int {
        try executeMany(sql, collectParameterSets(count: count, fill: fill))
    }

    /// The `count` parameter sets that `fill` writes, for drivers that send them all at once.
    func collectParameterSets(count: Int, fill: (Int, inout [SQLValue]) throws -> Void) rethrows -> [[SQLValue]] {
        var sets: [[SQLValue]] = []
        sets.reserveCapacity(count)
        for i in 0..<count {
            var values: [SQLValue] = []
            try fill(i, &values)
            sets.append(values)
        }
        return sets
    }

    public func executeManyCounted(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                                   counted: (Int, Int) -> Void) throws -> Int {
        var total = 0
        for i in 0..<count {
            var values: [SQLValue] = []
            try fill(i, &values)
            let cursor = try execute(sql, values)
            let n = max(0, cursor.rowsAffected)
            cursor.close()
            counted(i, n)
            total += n
        }
        return total
    }

    public func executeManyInsert(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                                  rowID: (Int, Int64) throws -> Void) throws -> Int {
        var total = 0
        for i in 0..<count {
            var values: [SQLValue] = []
            try fill(i, &values)
            let cursor = try execute(sql, values)
            defer { cursor.close() }
            guard let id = cursor.lastInsertRowID else {
                throw InterfaceError(kind: .misuse, message: "this database reports no inserted rowid; use RETURNING", sql: sql)
            }
            try rowID(i, id)
            total += max(0, cursor.rowsAffected)
        }
        return total
    }

    public func executeManyReturning(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                                     row: (Int, [SQLValue]) throws -> Void) throws -> Int {
        var total = 0
        for i in 0..<count {
            var values: [SQLValue] = []
            try fill(i, &values)
            let cursor = try execute(sql, values)
            defer { cursor.close() }
            while let r = try cursor.next() { try row(i, r) }
            total += max(0, cursor.rowsAffected)
        }
        return total
    }
}

/// A forward-only cursor over a statement's result rows.
public protocol DriverCursor: AnyObject {
    /// Result column names, in order.
    var columnNames: [String] { get }
    /// The next row's values, or nil when there are no more (the cursor then releases
    /// its statement).
    func next() throws -> [SQLValue]?
    /// Moves to the next row and writes its values into `values` (emptied first, its
    /// storage kept when nothing else holds it); false when there are no more rows.
    /// ``CursorResult/next()`` reads rows this way, so that a loop that lets go of each row
    /// before asking for the next reuses one buffer. The default calls ``next()``.
    func next(into values: inout [SQLValue]) throws -> Bool
    /// Moves to the next row without building it, for callers that read values one by
    /// one (the ORM decoding instances): its values are then read with ``value(at:)``.
    /// False when there are no more rows (the cursor then releases its statement).
    func advance() throws -> Bool
    /// Column `index` of the row ``advance()`` moved to (valid until the next call of
    /// `advance()` or `next()`).
    func value(at index: Int) -> SQLValue
    /// Rows changed by an INSERT, UPDATE or DELETE (-1 when not applicable).
    var rowsAffected: Int { get }
    /// The rowid of the last inserted row, on databases that have one (SQLite).
    var lastInsertRowID: Int64? { get }
    /// Releases the cursor's statement early; calling it again does nothing.
    func close()
}

extension DriverCursor {
    public func next(into values: inout [SQLValue]) throws -> Bool {
        guard let row = try next() else { return false }
        values = row
        return true
    }
}

/// A database client library: opens connections for a URL.
public protocol Driver: Sendable {
    /// The dialect spoken through this driver's connections.
    var dialect: Dialect { get }
    /// Opens a new connection.
    func connect() throws -> any DriverConnection
    /// How long (seconds) a write transaction waits in the engine's in-process writer
    /// queue (``WriterGate``), or nil when the database takes concurrent writers
    /// itself and needs none.
    var writerQueueTimeout: Double? { get }
}

extension Driver {
    public var writerQueueTimeout: Double? { nil }
}

/// A cursor with no rows, for statements that return none.
final class EmptyCursor: DriverCursor {
    let columnNames: [String]
    let rowsAffected: Int
    let lastInsertRowID: Int64?
    init(columnNames: [String] = [], rowsAffected: Int = -1, lastInsertRowID: Int64? = nil) {
        self.columnNames = columnNames
        self.rowsAffected = rowsAffected
        self.lastInsertRowID = lastInsertRowID
    }
    func next() throws -> [SQLValue]? { nil }
    func advance() throws -> Bool { false }
    func value(at index: Int) -> SQLValue { .null }
    func close() {}
}
