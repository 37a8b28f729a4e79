import CSQLite
import Foundation

/// The SQLite driver, over libsqlite3.
///
/// URL options: `mode=ro|rw|rwc` (default `rwc`: read-write, create if missing),
/// `timeout=SECONDS` (how long to wait on a locked database, default 5),
/// `journal_mode=wal|delete|...`, `foreign_keys=on|off` (default on),
/// `statement_cache_size=N` (prepared statements kept per connection, default 128).
public struct SQLiteDriver: Driver {
    public var dialect: Dialect { .sqlite }

    /// The database file path, or `:memory:`.
    public let path: String
    public let readOnly: Bool
    public let createIfMissing: Bool
    public let busyTimeoutMilliseconds: Int32
    public let journalMode: String?
    public let foreignKeys: Bool
    public let statementCacheSize: Int

    static let knownOptions = ["mode", "timeout", "journal_mode", "foreign_keys", "statement_cache_size"]

    /// One writer at a time: an engine's write transactions take turns in its queue,
    /// for as long as the URL's `timeout=` (none on a read-only database).
    public var writerQueueTimeout: Double? { readOnly ? nil : Double(busyTimeoutMilliseconds) / 1000 }

    public init(url: DatabaseURL) throws {
        path = url.database ?? ":memory:"
        for (name, _) in url.query where !SQLiteDriver.knownOptions.contains(name) {
            throw ArgumentError(
                "unknown SQLite URL option '\(name)'; known options: \(SQLiteDriver.knownOptions.joined(separator: ", "))")
        }
        switch url.option("mode") ?? "rwc" {
        case "ro": (readOnly, createIfMissing) = (true, false)
        case "rw": (readOnly, createIfMissing) = (false, false)
        case "rwc": (readOnly, createIfMissing) = (false, true)
        case let other: throw ArgumentError("unknown SQLite mode '\(other)' in URL; use ro, rw or rwc")
        }
        if let t = url.option("timeout") {
            guard let seconds = Double(t), seconds >= 0 else {
                throw ArgumentError("SQLite URL option timeout='\(t)' is not a number of seconds")
            }
            busyTimeoutMilliseconds = Int32(min(seconds * 1000, Double(Int32.max)))
        } else {
            busyTimeoutMilliseconds = 5000
        }
        journalMode = url.option("journal_mode")
        if let j = journalMode,
            !["delete", "truncate", "persist", "memory", "wal", "off"].contains(j.lowercased())
        {
            throw ArgumentError("unknown SQLite journal_mode '\(j)'; use delete, truncate, persist, memory, wal or off")
        }
        switch url.option("foreign_keys")?.lowercased() ?? "on" {
        case "on", "true", "1": foreignKeys = true
        case "off", "false", "0": foreignKeys = false
        case let other: throw ArgumentError("SQLite URL option foreign_keys='\(other)' must be on or off")
        }
        if let s = url.option("statement_cache_size") {
            guard let n = Int(s), n >= 0 else {
                throw ArgumentError("SQLite URL option statement_cache_size='\(s)' is not a whole number")
            }
            statementCacheSize = n
        } else {
            statementCacheSize = 128
        }
    }

    public func connect() throws -> any DriverConnection {
        try SQLiteConnection(driver: self)
    }
}

/// One libsqlite3 connection with its prepared-statement cache.
final class SQLiteConnection: DriverConnection {
    private(set) var db: OpaquePointer?
    private let cache: SQLiteStatementCache
    let variableLimit: Int
    /// The database file (`:memory:` or empty for a private database).
    private let path: String
    private let openedReadOnly: Bool

    init(driver: SQLiteDriver) throws {
        path = driver.path
        openedReadOnly = driver.readOnly
        var handle: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX
        flags |= driver.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if driver.createIfMissing { flags |= SQLITE_OPEN_CREATE }
        let rc = sqlite3_open_v2(driver.path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let driverMessage = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw SQLiteConnection.openError(path: driver.path, rc: rc, driverMessage: driverMessage, driver: driver)
        }
        db = handle
        cache = SQLiteStatementCache(capacity: driver.statementCacheSize)
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, driver.busyTimeoutMilliseconds)
        variableLimit = Int(sqlite3_limit(handle, SQLITE_LIMIT_VARIABLE_NUMBER, -1))
        do {
            if driver.foreignKeys { try executeCommand("PRAGMA foreign_keys = ON") }
            if let j = driver.journalMode { _ = try execute("PRAGMA journal_mode = \(j.lowercased())", []).next() }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    private static func openError(path: String, rc: Int32, driverMessage: String, driver: SQLiteDriver)
        -> OperationalError
    {
        var message = "cannot open SQLite database '\(path)': \(driverMessage)"
        if rc & 0xFF == SQLITE_CANTOPEN {
            let dir = (path as NSString).deletingLastPathComponent
            var isDir: ObjCBool = false
            if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
                message = "cannot open SQLite database '\(path)': the directory '\(dir)' does not exist; create it first"
            } else if !driver.createIfMissing, !FileManager.default.fileExists(atPath: path) {
                message = "cannot open SQLite database '\(path)': the file does not exist (mode=\(driver.readOnly ? "ro" : "rw") does not create it)"
            } else if !dir.isEmpty, !isDir.boolValue {
                message = "cannot open SQLite database '\(path)': '\(dir)' is not a directory"
            }
        }
        return OperationalError(kind: .cannotConnect, message: message, driverMessage: driverMessage, code: String(rc))
    }

    var serverVersion: String { String(cString: sqlite3_libversion()) }

    /// SQLite opens a file it may not write read-only without a word, and finds a
    /// directory it cannot make its journal in only at the first write.
    func checkWritable() throws {
        guard let db, !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return }
        if sqlite3_db_readonly(db, "main") == 1 {
            let why = openedReadOnly ? "the URL opens it read-only (mode=ro)" : "the file is not writable by this process"
            throw OperationalError(kind: .readOnly, message: "the SQLite database file '\(path)' is not writable: \(why)")
        }
        var dir = (path as NSString).deletingLastPathComponent
        if dir.isEmpty { dir = "." }
        if access(dir, W_OK) != 0 {
            throw OperationalError(
                kind: .readOnly,
                message: "the directory '\(dir)' holding the SQLite database '\(path)' is not writable: "
                    + "SQLite makes its journal there when it writes; make the directory writable")
        }
    }

    var inTransaction: Bool {
        guard let db else { return false }
        return sqlite3_get_autocommit(db) == 0
    }

    func ping() -> Bool { db != nil }

    /// `sqlite3_interrupt`: the running statement fails with `SQLITE_INTERRUPT` (an
    /// interrupted write inside a transaction rolls that transaction back). Called from
    /// another thread only while a statement runs, so `db` is open (see
    /// ``DriverConnection/cancel()``).
    func cancel() {
        if let db { sqlite3_interrupt(db) }
    }

    func close() {
        guard let handle = db else { return }
        cache.finalizeAll()
        db = nil
        // close_v2 defers the close until statements still held by open cursors are finalized.
        sqlite3_close_v2(handle)
    }

    private func openHandle(_ sql: String) throws -> OpaquePointer {
        guard let db else {
            throw InterfaceError(kind: .closed, message: "this connection is closed", sql: sql)
        }
        return db
    }

    /// A prepared statement for `sql`: the cached one when it is free, else a new one.
    private func statement(for sql: String, parameterCount: Int) throws -> SQLiteStatement {
        let db = try openHandle(sql)
        if parameterCount > variableLimit {
            throw InterfaceError(
                kind: .tooManyParameters,
                message: "the statement has \(parameterCount) bind parameters; SQLite allows at most \(variableLimit) "
                    + "per statement: split the work into smaller batches",
                sql: sql)
        }
        if let cached = cache.checkout(sql) { return cached }
        var stmt: OpaquePointer?
        var moreSQL = false
        let rc = sql.withCString { cSQL -> Int32 in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(db, cSQL, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, &tail)
            // The tail points into this temporary C string: inspect it here.
            if rc == SQLITE_OK, let tail { moreSQL = SQLiteConnection.hasMoreSQL(tail) }
            return rc
        }
        guard rc == SQLITE_OK else {
            sqlite3_finalize(stmt)
            throw SQLiteErrors.error(db: db, rc: rc, sql: sql)
        }
        if moreSQL {
            sqlite3_finalize(stmt)
            throw ProgrammingError(
                kind: .multipleStatements,
                message: "only one statement can be executed at a time; split the SQL at its semicolons",
                sql: sql)
        }
        guard let stmt else {
            // Empty SQL or only a comment.
            throw ProgrammingError(kind: .syntax, message: "the SQL text contains no statement", sql: sql)
        }
        let entry = SQLiteStatement(stmt, sql: sql)
        cache.insert(entry)
        return entry
    }

    private static func hasMoreSQL(_ tail: UnsafePointer<CChar>) -> Bool {
        var p = tail
        while p.pointee != 0 {
            let c = UInt8(bitPattern: p.pointee)
            if c == 0x2D, (p + 1).pointee == 0x2D {  // -- comment to end of line
                while p.pointee != 0, p.pointee != 0x0A { p += 1 }
                continue
            }
            if !(c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0x3B) { return true }
            p += 1
        }
        return false
    }

    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> any DriverCursor {
        let statement = try statement(for: sql, parameterCount: parameters.count)
        let db = self.db!
        do {
            try statement.bind(parameters, db: db)
            let rc = sqlite3_step(statement.handle)
            switch rc {
            case SQLITE_ROW:
                return SQLiteCursor(connection: self, statement: statement, firstRowPending: true)
            case SQLITE_DONE:
                let changes = Int(sqlite3_changes64(db))
                let rowid = sqlite3_last_insert_rowid(db)
                let isReadOnly = sqlite3_stmt_readonly(statement.handle) != 0
                let names = statement.columnNames
                cache.checkin(statement)
                return EmptyCursor(columnNames: names, rowsAffected: isReadOnly ? -1 : changes, lastInsertRowID: rowid)
            default:
                throw SQLiteErrors.error(db: db, rc: rc, sql: sql)
            }
        } catch {
            cache.checkin(statement)
            throw error
        }
    }

    func executeMany(_ sql: String, _ parameterSets: [[SQLValue]]) throws -> Int {
        try executeMany(sql, count: parameterSets.count) { i, values in values = parameterSets[i] }
    }

    func executeMany(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void) throws -> Int {
        try stepMany(sql, count: count, fill: fill, readsRows: false, row: { _, _ in }, done: { _, _ in })
    }

    func executeManyReturning(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                              row: (Int, [SQLValue]) throws -> Void) throws -> Int {
        try stepMany(sql, count: count, fill: fill, readsRows: true, row: row, done: { _, _ in })
    }

    func executeManyCounted(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                            counted: (Int, Int) -> Void) throws -> Int {
        try stepMany(sql, count: count, fill: fill, readsRows: false, row: { _, _ in }) { i, db in
            counted(i, Int(sqlite3_changes64(db)))
        }
    }

    func executeManyInsert(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                           rowID: (Int, Int64) throws -> Void) throws -> Int {
        try stepMany(sql, count: count, fill: fill, readsRows: false, row: { _, _ in }) { i, db in
            try rowID(i, sqlite3_last_insert_rowid(db))
        }
    }

    /// One prepared statement stepped once per parameter set: `fill` writes set `i`'s
    /// values, `row` hears each returned row (when `readsRows`), `done` runs after each
    /// set. Returns the total of rows changed.
    private func stepMany(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void, readsRows: Bool,
                          row: (Int, [SQLValue]) throws -> Void,
                          done: (Int, OpaquePointer) throws -> Void) throws -> Int {
        guard count > 0 else { return 0 }
        var values: [SQLValue] = []
        try fill(0, &values)
        let statement = try statement(for: sql, parameterCount: values.count)
        defer { cache.checkin(statement) }  // resets it
        let db = self.db!
        let columns = readsRows ? Int(sqlite3_column_count(statement.handle)) : 0
        var total = 0
        for i in 0..<count {
            if i > 0 {
                values.removeAll(keepingCapacity: true)
                try fill(i, &values)
            }
            try statement.bind(values, db: db)
            var rc = sqlite3_step(statement.handle)
            while rc == SQLITE_ROW {
                if readsRows { try row(i, statement.row(columnCount: columns)) }
                rc = sqlite3_step(statement.handle)
            }
            guard rc == SQLITE_DONE else { throw SQLiteErrors.error(db: db, rc: rc, sql: sql) }
            try done(i, db)
            total += Int(sqlite3_changes64(db))
        }
        return total
    }

    func executeCommand(_ sql: String) throws {
        let db = try openHandle(sql)
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw SQLiteErrors.error(db: db, rc: rc, sql: sql) }
    }

    /// Returns a statement to the cache once its cursor is done with it.
    func release(_ statement: SQLiteStatement) {
        cache.checkin(statement)
    }
}
