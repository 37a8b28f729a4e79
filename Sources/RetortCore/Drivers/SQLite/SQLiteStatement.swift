import CSQLite
import Foundation

/// `SQLITE_TRANSIENT`: SQLite copies the bound bytes before the bind call returns.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One prepared statement, owned by a connection's cache (or by one cursor when the
/// cached copy was busy). Finalized when it is dropped.
final class SQLiteStatement {
    let handle: OpaquePointer
    let sql: String
    /// Set while a cursor is reading from it.
    var inUse = false
    /// Recency for the LRU cache.
    var lastUsed: UInt64 = 0
    /// True while the cache holds it (so returning it needs no lookup by SQL text).
    var isCached = false
    private var finalized = false
    private var cachedColumnNames: [String]?

    init(_ handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    deinit { finalize() }

    func finalize() {
        guard !finalized else { return }
        finalized = true
        sqlite3_finalize(handle)
    }

    var columnNames: [String] {
        if let names = cachedColumnNames { return names }
        let count = Int(sqlite3_column_count(handle))
        let names = (0..<count).map { i -> String in
            guard let p = sqlite3_column_name(handle, Int32(i)) else { return "column\(i + 1)" }
            return String(cString: p)
        }
        cachedColumnNames = names
        return names
    }

    /// Resets the statement and binds `parameters` positionally.
    func bind(_ parameters: [SQLValue], db: OpaquePointer) throws {
        sqlite3_reset(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == parameters.count else {
            throw InterfaceError(
                kind: parameters.count < expected ? .missingParameter : .unexpectedParameter,
                message: "the statement expects \(expected) parameter\(expected == 1 ? "" : "s") "
                    + "but \(parameters.count) \(parameters.count == 1 ? "was" : "were") given",
                sql: sql)
        }
        for (offset, value) in parameters.enumerated() {
            let i = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, i)
            case .integer(let v): rc = sqlite3_bind_int64(handle, i, v)
            case .real(let v): rc = sqlite3_bind_double(handle, i, v)
            case .bool(let b): rc = sqlite3_bind_int64(handle, i, b ? 1 : 0)
            case .text(let s): rc = bindText(s, at: i)
            case .decimal(let d):
                // As a number (INTEGER or REAL), never text: text sorts after every number.
                switch SQLiteDecimalStorage.value(for: d) {
                case .integer(let v): rc = sqlite3_bind_int64(handle, i, v)
                case .real(let v): rc = sqlite3_bind_double(handle, i, v)
                default: rc = bindText(d.description, at: i)
                }
            case .timestamp(let d): rc = bindText(SQLDateFormat.timestampString(d), at: i)
            case .uuid(let u): rc = bindText(u.uuidString.lowercased(), at: i)
            case .blob(let data):
                rc = data.withUnsafeBytes { raw in
                    // A zero-length blob still binds a (non-NULL) empty value.
                    sqlite3_bind_blob64(handle, i, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(raw.count), sqliteTransient)
                }
            }
            if rc != SQLITE_OK { throw SQLiteErrors.error(db: db, rc: rc, sql: sql) }
        }
    }

    private func bindText(_ s: String, at i: Int32) -> Int32 {
        var s = s
        return s.withUTF8 { buf -> Int32 in
            // Explicit length: embedded NUL characters are kept.
            guard let base = buf.baseAddress, buf.count > 0 else {
                return sqlite3_bind_text64(handle, i, "", 0, sqliteTransient, UInt8(SQLITE_UTF8))
            }
            return base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                sqlite3_bind_text64(handle, i, $0, UInt64(buf.count), sqliteTransient, UInt8(SQLITE_UTF8))
            }
        }
    }

    /// Reads the current row's values.
    @inline(__always)
    func row(columnCount: Int) -> [SQLValue] {
        var values = [SQLValue]()
        values.reserveCapacity(columnCount)
        for i in 0..<Int32(columnCount) {
            values.append(column(i))
        }
        return values
    }

    @inline(__always)
    func column(_ i: Int32) -> SQLValue { Self.column(handle, i) }

    /// Column `i` of the row statement `handle` is on.
    ///
    /// Reads go through the column's `sqlite3_value`: one column call per value rather
    /// than two or three (each `sqlite3_column_*` call checks the statement and the
    /// index and ends with the API exit check). The value is unprotected, which is safe
    /// here: a connection is opened `SQLITE_OPEN_NOMUTEX` and used by one thread at a
    /// time, and the value is read before the statement steps again.
    @inline(__always)
    static func column(_ handle: OpaquePointer, _ i: Int32) -> SQLValue {
        let value = sqlite3_column_value(handle, i)
        switch sqlite3_value_type(value) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_value_int64(value))
        case SQLITE_FLOAT:
            return .real(sqlite3_value_double(value))
        case SQLITE_TEXT:
            if let s = SQLiteColumnRead.string(value) { return .text(s) }
            // Not valid UTF-8: hand back the bytes unchanged rather than repair them.
            return .blob(Data(bytes: sqlite3_value_text(value)!, count: Int(sqlite3_value_bytes(value))))
        case SQLITE_BLOB:
            let n = Int(sqlite3_value_bytes(value))
            guard n > 0, let p = sqlite3_value_blob(value) else { return .blob(Data()) }
            return .blob(Data(bytes: p, count: n))
        default:
            return .null
        }
    }
}

/// A bounded least-recently-used cache of prepared statements, keyed by SQL text.
/// A statement a cursor is still reading is never handed out twice.
final class SQLiteStatementCache {
    private var entries: [String: SQLiteStatement] = [:]
    /// The statement checked out last, looked at before the dictionary.
    private var mostRecent: SQLiteStatement?
    private let capacity: Int
    private var tick: UInt64 = 0

    init(capacity: Int) { self.capacity = capacity }

    /// The cached statement for `sql` if there is one and it is free; marks it in use.
    func checkout(_ sql: String) -> SQLiteStatement? {
        // The statement used last is checked first: a loop re-running one statement
        // passes the same String, whose comparison is then a pointer check, not a hash.
        if let s = mostRecent, s.isCached, !s.inUse, s.sql == sql {
            tick &+= 1
            s.lastUsed = tick
            s.inUse = true
            return s
        }
        guard let s = entries[sql], !s.inUse else { return nil }
        tick &+= 1
        s.lastUsed = tick
        s.inUse = true
        mostRecent = s
        return s
    }

    /// Adds a freshly prepared statement (in use). When another statement with the same
    /// SQL is cached already, the new one stays uncached and is finalized when dropped.
    func insert(_ statement: SQLiteStatement) {
        statement.inUse = true
        tick &+= 1
        statement.lastUsed = tick
        guard capacity > 0, entries[statement.sql] == nil else { return }
        if entries.count >= capacity { evictOne() }
        entries[statement.sql] = statement
        statement.isCached = true
        mostRecent = statement
    }

    func checkin(_ statement: SQLiteStatement) {
        statement.inUse = false
        sqlite3_reset(statement.handle)
        sqlite3_clear_bindings(statement.handle)
        if !statement.isCached { statement.finalize() }
    }

    private func evictOne() {
        var victim: SQLiteStatement?
        for s in entries.values where !s.inUse {
            if victim == nil || s.lastUsed < victim!.lastUsed { victim = s }
        }
        if let v = victim {
            entries[v.sql] = nil
            v.isCached = false
            if mostRecent === v { mostRecent = nil }
            v.finalize()
        }
    }

    func finalizeAll() {
        for s in entries.values {
            s.isCached = false
            s.finalize()
        }
        entries.removeAll()
        mostRecent = nil
    }

    var count: Int { entries.count }
}

/// Rows of one SQLite statement, stepped on demand.
final class SQLiteCursor: DriverCursor {
    private let connection: SQLiteConnection
    private var statement: SQLiteStatement? {
        didSet { handle = statement?.handle }
    }
    /// The statement's handle while it is open, for reading values.
    private(set) var handle: OpaquePointer?
    private var firstRowPending: Bool
    private let columnCount: Int
    let columnNames: [String]
    private(set) var rowsAffected: Int = -1
    private(set) var lastInsertRowID: Int64?

    init(connection: SQLiteConnection, statement: SQLiteStatement, firstRowPending: Bool) {
        self.connection = connection
        self.statement = statement
        self.handle = statement.handle
        self.firstRowPending = firstRowPending
        self.columnNames = statement.columnNames
        self.columnCount = columnNames.count
    }

    deinit { close() }

    func next() throws -> [SQLValue]? {
        guard try advance(), let statement else { return nil }
        return statement.row(columnCount: columnCount)
    }

    func next(into values: inout [SQLValue]) throws -> Bool {
        guard try advance(), let handle else { return false }
        if values.count == columnCount {
            // The previous row's buffer: each value is replaced where it is (releasing the
            // old one). `removeAll(keepingCapacity:)` and appending again went through
            // Array.replaceSubrange, 444 instructions a row of three columns, a sixth of
            // what reading a row cost. A buffer the caller still holds is copied first.
            values.withUnsafeMutableBufferPointer { buffer in
                for i in 0..<buffer.count { buffer[i] = SQLiteStatement.column(handle, Int32(truncatingIfNeeded: i)) }
            }
            return true
        }
        values.removeAll(keepingCapacity: true)
        values.reserveCapacity(columnCount)
        for i in 0..<Int32(truncatingIfNeeded: columnCount) { values.append(SQLiteStatement.column(handle, i)) }
        return true
    }

    func advance() throws -> Bool {
        // Stepped through the handle: the statement object is only needed (retained)
        // at the end of the rows or on an error.
        guard let handle else { return false }
        guard let db = connection.db else { return try closedUnderneath() }
        if firstRowPending {
            firstRowPending = false
            return true
        }
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        guard let statement else { return false }
        if rc == SQLITE_DONE {
            if sqlite3_stmt_readonly(statement.handle) == 0 {
                rowsAffected = Int(sqlite3_changes64(db))
                lastInsertRowID = sqlite3_last_insert_rowid(db)
            }
            close()
            return false
        }
        let error = SQLiteErrors.error(db: db, rc: rc, sql: statement.sql)
        close()
        throw error
    }

    private func closedUnderneath() throws -> Bool {
        let sql = statement?.sql ?? ""
        statement = nil
        throw InterfaceError(kind: .closed, message: "the connection was closed while a result was being read", sql: sql)
    }

    @inline(__always)
    func value(at index: Int) -> SQLValue {
        // The handle, not the statement object: no retain and release per value.
        SQLiteStatement.column(handle!, Int32(truncatingIfNeeded: index))
    }

    func close() {
        guard let s = statement else { return }
        statement = nil
        if connection.db != nil { connection.release(s) } else { s.finalize() }
    }
}

/// Reads of the current row's columns off a statement handle as the one kind a reader
/// expects. Inlinable, so that the ORM's row decoders make one call per value, into
/// SQLite, rather than two more through `CursorResult` and the cursor first (a tenth of an
/// eager load's instructions went to those two calls).
@usableFromInline
package enum SQLiteColumnRead {
    /// Column `index` when it holds an integer.
    @inlinable @inline(__always)
    package static func integer(_ handle: OpaquePointer, _ index: Int) -> TypedRead<Int64> {
        let value = sqlite3_column_value(handle, Int32(truncatingIfNeeded: index))
        switch sqlite3_value_type(value) {
        case SQLITE_INTEGER: return .value(sqlite3_value_int64(value))
        case SQLITE_NULL: return .null
        default: return .other
        }
    }

    /// Column `index` when it holds valid UTF-8 text.
    @inlinable @inline(__always)
    package static func text(_ handle: OpaquePointer, _ index: Int) -> TypedRead<String> {
        let value = sqlite3_column_value(handle, Int32(truncatingIfNeeded: index))
        switch sqlite3_value_type(value) {
        case SQLITE_TEXT: return string(value).map { .value($0) } ?? .other
        case SQLITE_NULL: return .null
        default: return .other
        }
    }

    /// The text of a column value (its type is `SQLITE_TEXT`); nil when it is not valid
    /// UTF-8, which is never repaired.
    @inlinable @inline(__always)
    package static func string(_ value: OpaquePointer?) -> String? {
        guard let p = sqlite3_value_text(value) else { return "" }
        let count = Int(sqlite3_value_bytes(value))
        if let short = shortASCII(p, count) { return short }
        // _tryFromUTF8 validates without the generic-metadata cost of String(validating:).
        return String._tryFromUTF8(UnsafeBufferPointer(start: p, count: count))
    }

    /// `count` bytes at `p` as a string when they are ASCII and fit in a small string
    /// (15 bytes, stored inline). Copied straight into the string's storage: building
    /// it from a buffer validates and then copies byte by byte, which cost three times
    /// as much for the short names and titles most columns hold.
    @inlinable @inline(__always)
    package static func shortASCII(_ p: UnsafePointer<UInt8>, _ count: Int) -> String? {
        guard count > 0, count <= 15 else { return count == 0 ? "" : nil }
        var bits: UInt8 = 0
        for i in 0..<count { bits |= p[i] }
        guard bits < 0x80 else { return nil }
        return String(unsafeUninitializedCapacity: count) { buffer in
            buffer.baseAddress!.update(from: p, count: count)
            return count
        }
    }
}
