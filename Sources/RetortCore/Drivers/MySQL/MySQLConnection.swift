import CMariaDB
import Foundation

/// One libmariadb connection with its cache of server-side prepared statements.
///
/// Every statement with parameters or rows runs as a prepared statement over the
/// binary protocol (`mysql_stmt_prepare` once per SQL text and connection, then
/// `mysql_stmt_execute`), and its rows are streamed (see ``MySQLCursor``). Commands
/// without parameters (`BEGIN`, `SAVEPOINT sp_1`, DDL sent by ``executeCommand(_:)``)
/// go as plain text.
///
/// The session runs with autocommit on, as a libpq session does: a statement outside
/// `BEGIN` … `COMMIT` commits by itself, and ``inTransaction`` follows the server's
/// status flag, so ``Connection``'s automatic `BEGIN` works the same on both.
final class MySQLConnection: DriverConnection {
    private(set) var conn: UnsafeMutablePointer<MYSQL>?
    private let cache: MySQLStatementCache
    private let parameters = MySQLParameters()
    private let bulk = MySQLBulkParameters()
    /// The cursor still reading rows off the connection, if any.
    private weak var activeCursor: MySQLCursor?
    /// Set once the server connection was lost: every later call fails at once.
    private var lost = false
    /// The driver this connection was opened with (``cancel()`` opens a second one).
    let driver: MySQLDriver
    /// The server's id for this session (`CONNECTION_ID()`), read once on connecting:
    /// ``cancel()`` reads it from another thread, so it never touches the handle.
    let serverThreadID: UInt

    init(driver: MySQLDriver) throws {
        try LibMariaDB.load()
        guard let handle = mysql_init(nil) else {
            throw OperationalError(kind: .cannotConnect,
                                   message: "could not connect to MySQL at \(driver.targetDescription): out of memory")
        }
        func setText(_ option: mysql_option, _ value: String) {
            _ = value.withCString { mysql_options(handle, option, $0) }
        }
        func setNumber(_ option: mysql_option, _ value: Int) {
            var v = UInt32(clamping: value)
            _ = mysql_options(handle, option, &v)
        }
        func setFlag(_ option: mysql_option, _ flag: Bool) {
            var v: CChar = flag ? 1 : 0
            _ = mysql_options(handle, option, &v)
        }
        setText(MYSQL_SET_CHARSET_NAME, "utf8mb4")
        // TIMESTAMP columns then read and write UTC, as DATETIME values are taken to be;
        // and the server raises an error instead of changing a value (see MySQLDriver.sessionSQLModes).
        setText(MYSQL_INIT_COMMAND, MySQLDriver.sessionSetup)
        setFlag(MYSQL_OPT_RECONNECT, false)  // a silent reconnect would lose the transaction
        setFlag(MYSQL_REPORT_DATA_TRUNCATION, true)
        if let t = driver.connectTimeout { setNumber(MYSQL_OPT_CONNECT_TIMEOUT, t) }
        if let t = driver.readTimeout { setNumber(MYSQL_OPT_READ_TIMEOUT, t) }
        if let t = driver.writeTimeout { setNumber(MYSQL_OPT_WRITE_TIMEOUT, t) }
        let files: [(String, mysql_option)] = [
            ("ssl_ca", MYSQL_OPT_SSL_CA), ("ssl_capath", MYSQL_OPT_SSL_CAPATH), ("ssl_cert", MYSQL_OPT_SSL_CERT),
            ("ssl_key", MYSQL_OPT_SSL_KEY), ("ssl_cipher", MYSQL_OPT_SSL_CIPHER),
        ]
        if driver.sslMode != .disabled {
            for (name, option) in files { if let value = driver.sslFiles[name] { setText(option, value) } }
        }
        switch driver.sslMode {
        case .disabled:
            setFlag(MYSQL_OPT_SSL_ENFORCE, false)
        case .none, .preferred:
            // TLS when the server offers it; a server without it is used in clear.
            _ = mysql_ssl_set(handle, nil, nil, nil, nil, nil)
        case .required:
            setFlag(MYSQL_OPT_SSL_ENFORCE, true)
            setFlag(MYSQL_OPT_SSL_VERIFY_SERVER_CERT, false)
        case .verifyCA, .verifyIdentity:
            setFlag(MYSQL_OPT_SSL_ENFORCE, true)
            setFlag(MYSQL_OPT_SSL_VERIFY_SERVER_CERT, true)
        }
        let flags = UInt(CLIENT_FOUND_ROWS) | UInt(CLIENT_MULTI_STATEMENTS)
        let connected = mysql_real_connect(
            handle, driver.unixSocket == nil ? driver.host : "localhost", driver.user, driver.password,
            driver.database, UInt32(driver.port), driver.unixSocket, flags)
        guard connected != nil else {
            let error = MySQLErrors.connectError(MySQLErrors.report(handle), driver: driver)
            mysql_close(handle)
            throw error
        }
        // libmariadb 3.3 goes on in clear when the server offers no TLS, ssl_enforce or not.
        if let mode = driver.sslMode, mode != .disabled, mode != .preferred, mysql_get_ssl_cipher(handle) == nil {
            mysql_close(handle)
            throw OperationalError(
                kind: .cannotConnect,
                message: "could not connect to MySQL at \(driver.targetDescription): ssl_mode=\(mode.rawValue) but the "
                    + "server offers no TLS (SSL) — enable TLS on the server or choose another ssl_mode")
        }
        conn = handle
        cache = MySQLStatementCache(capacity: driver.statementCacheSize)
        self.driver = driver
        serverThreadID = mysql_thread_id(handle)
    }

    deinit { close() }

    // MARK: DriverConnection

    /// `10.11.19-MariaDB` (a distribution's suffix such as `-0+deb12u1` left off) or `8.0.36`.
    var serverVersion: String {
        guard let conn, let info = mysql_get_server_info(conn) else { return "" }
        let full = String(cString: info)
        if let r = full.range(of: "-MariaDB") { return String(full[..<r.upperBound]) }
        return full
    }

    /// From the server's status flag `SERVER_STATUS_IN_TRANS`, sent with every reply.
    var inTransaction: Bool {
        guard let conn, !lost else { return false }
        var status: UInt32 = 0
        _ = mariadb_get_info(conn, MARIADB_CONNECTION_SERVER_STATUS, &status)
        return status & UInt32(SERVER_STATUS_IN_TRANS) != 0
    }

    /// `mysql_ping`: one round trip; false when the server is gone (the connection does
    /// not reconnect by itself).
    func ping() -> Bool {
        guard let conn, !lost else { return false }
        activeCursor?.bufferRemainingRows()
        if mysql_ping(conn) == 0 { return true }
        lost = true
        return false
    }

    func close() {
        activeCursor?.close()
        guard let handle = conn else { return }
        cache.removeAll()
        conn = nil
        mysql_close(handle)
    }

    func execute(_ sql: String, _ values: [SQLValue]) throws -> any DriverCursor {
        let conn = try openHandle(sql)
        let (statement, cached) = try prepared(sql, conn: conn)
        do {
            return try run(statement, values, cached: cached, conn: conn)
        } catch let error as DatabaseError where cached && MySQLConnection.invalidatesCachedStatement(error) {
            cache.remove(sql)
            let (statement, cached) = try prepared(sql, conn: conn)
            return try run(statement, values, cached: cached, conn: conn)
        }
    }

    /// The server no longer knows a cached statement (1243, after a COM_RESET_CONNECTION),
    /// or its result columns changed since it was bound (2057, after DDL): it is prepared
    /// afresh. A statement with a result set changes nothing, so running it again is safe.
    private static func invalidatesCachedStatement(_ error: any DatabaseError) -> Bool {
        error.code == "1243" || error.code == "2057"
    }

    /// Sends `sql` as text. Several statements separated by `;` are allowed (as libpq's
    /// `PQexec` allows them); their rows, if any, are read and dropped.
    func executeCommand(_ sql: String) throws {
        let conn = try openHandle(sql)
        if sql.utf8.contains(0) {
            throw ProgrammingError(kind: .syntax, message: "the SQL text contains a NUL (0x00) character", sql: sql)
        }
        var more: Int32 = 0
        let sent = sql.withCString { mysql_real_query(conn, $0, UInt(strlen($0))) }
        guard sent == 0 else { throw failure(MySQLErrors.report(conn), sql: sql) }
        repeat {
            if mysql_field_count(conn) > 0, let result = mysql_store_result(conn) { mysql_free_result(result) }
            more = mysql_next_result(conn)
            if more > 0 { throw failure(MySQLErrors.report(conn), sql: sql) }
        } while more == 0
    }

    /// Runs the prepared statement for every set and returns the rows affected. Each
    /// set's parameter count is checked before its batch is sent.
    ///
    /// On MariaDB 10.2 and newer the sets go in bulk (`STMT_ATTR_ARRAY_SIZE`): up to
    /// ``bulkBatchSize`` sets (or ``bulkBatchBytes`` of values) in one packet, executed as
    /// one statement, about five times faster than a round trip per set. Outside a
    /// transaction each batch commits as a unit; an error rolls back its batch (earlier
    /// batches stay committed) and nothing after it is sent. Inside a transaction the
    /// failing batch is undone and the transaction stays open: roll it back for all or
    /// nothing. Without bulk support (MySQL) each set is one execution.
    func executeMany(_ sql: String, _ parameterSets: [[SQLValue]]) throws -> Int {
        guard let first = parameterSets.first else { return 0 }
        for (index, set) in parameterSets.enumerated() where set.count != first.count {
            throw InterfaceError(
                kind: .misuse,
                message: "parameter set \(index + 1) has \(set.count) values but the first has \(first.count); "
                    + "every set of an executemany must have the same parameters",
                sql: sql)
        }
        return try executeMany(sql, count: parameterSets.count) { i, values in values = parameterSets[i] }
    }

    /// Sets per bulk batch.
    static let bulkBatchSize = 1000
    /// Bytes of values per bulk batch, well under the server's `max_allowed_packet` (16 MB by default).
    static let bulkBatchBytes = 4 << 20

    func executeMany(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void) throws -> Int {
        guard count > 0 else { return 0 }
        let conn = try openHandle(sql)
        let (statement, cached) = try prepared(sql, conn: conn)
        defer { if !cached { statement.close() } }
        if count > 1, statement.parameterCount > 0, mysql_stmt_field_count(statement.handle) == 0, supportsBulk {
            return try executeBulk(statement, count: count, fill: fill, conn: conn)
        }
        var values: [SQLValue] = []
        var total = 0
        for i in 0..<count {
            values.removeAll(keepingCapacity: true)
            try fill(i, &values)
            try bindAndExecute(statement, values, conn: conn)
            if mysql_stmt_field_count(statement.handle) > 0 { _ = mysql_stmt_free_result(statement.handle) }
            total += MySQLConnection.affected(statement.handle)
        }
        return total
    }

    /// True when the server takes bulk executions (MariaDB 10.2+, not MySQL).
    private lazy var supportsBulk: Bool = {
        guard let conn else { return false }
        var capabilities: UInt = 0
        _ = mariadb_get_info(conn, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &capabilities)
        return UInt64(capabilities) & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32) != 0
    }()

    private func executeBulk(_ statement: MySQLStatement, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                             conn: UnsafeMutablePointer<MYSQL>) throws -> Int {
        var total = 0
        var batch: [[SQLValue]] = []
        batch.reserveCapacity(min(count, MySQLConnection.bulkBatchSize))
        var bytes = 0
        let handle = statement.handle
        func send() throws {
            defer {
                batch.removeAll(keepingCapacity: true)
                bytes = 0
            }
            guard batch.count > 1, bulk.encode(batch, parameterCount: statement.parameterCount) else {
                // One set, or values of differing types at one position: a set at a time.
                for set in batch {
                    try bindAndExecute(statement, set, conn: conn)
                    total += MySQLConnection.affected(handle)
                }
                return
            }
            var size = UInt32(batch.count)
            _ = mysql_stmt_attr_set(handle, STMT_ATTR_ARRAY_SIZE, &size)
            defer {
                var single: UInt32 = 0
                _ = mysql_stmt_attr_set(handle, STMT_ATTR_ARRAY_SIZE, &single)
            }
            guard mysql_stmt_bind_param(handle, bulk.binds) == 0 else {
                throw failure(MySQLErrors.report(handle, conn: conn), sql: statement.sql)
            }
            statement.executions += 1
            guard mysql_stmt_execute(handle) == 0 else {
                throw failure(MySQLErrors.report(handle, conn: conn), sql: statement.sql)
            }
            total += MySQLConnection.affected(handle)
        }
        for i in 0..<count {
            var values: [SQLValue] = []
            values.reserveCapacity(statement.parameterCount)
            try fill(i, &values)
            try MySQLConnection.checkCount(values.count, statement)
            for v in values {
                switch v {
                case .text(let t): bytes += t.utf8.count
                case .blob(let d): bytes += d.count
                default: bytes += 8
                }
            }
            batch.append(values)
            if batch.count >= MySQLConnection.bulkBatchSize || bytes >= MySQLConnection.bulkBatchBytes { try send() }
        }
        if !batch.isEmpty { try send() }
        return total
    }

    func executeManyInsert(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                           rowID: (Int, Int64) throws -> Void) throws -> Int {
        guard count > 0 else { return 0 }
        let conn = try openHandle(sql)
        let (statement, cached) = try prepared(sql, conn: conn)
        defer { if !cached { statement.close() } }
        var values: [SQLValue] = []
        var total = 0
        for i in 0..<count {
            values.removeAll(keepingCapacity: true)
            try fill(i, &values)
            try bindAndExecute(statement, values, conn: conn)
            let id = mysql_stmt_insert_id(statement.handle)
            guard id != 0 else {
                throw InterfaceError(kind: .misuse, message: "the INSERT generated no AUTO_INCREMENT value to report",
                                     sql: sql)
            }
            try rowID(i, Int64(truncatingIfNeeded: id))
            total += MySQLConnection.affected(statement.handle)
        }
        return total
    }

    // MARK: Internals

    /// The error of a failed fetch (the connection may hold it rather than the
    /// statement); a lost connection is remembered so that nothing more is sent.
    func fetchFailure(_ stmt: UnsafeMutablePointer<MYSQL_STMT>) -> MySQLErrors.Report {
        let report = MySQLErrors.report(stmt, conn: conn)
        if MySQLErrors.isConnectionLoss(report.number) { lost = true }
        return report
    }

    /// Called by the streaming cursor when it has let go of its statement.
    func cursorFinished(_ cursor: MySQLCursor) {
        if activeCursor === cursor { activeCursor = nil }
    }

    /// The handle for a new statement: fails when closed or lost, and first reads off
    /// any result still streaming.
    private func openHandle(_ sql: String) throws -> UnsafeMutablePointer<MYSQL> {
        guard let conn else {
            throw InterfaceError(kind: .closed, message: "this connection is closed", sql: sql)
        }
        guard !lost else {
            throw OperationalError(kind: .connectionLost,
                                   message: "the connection to the server was lost earlier; open a new connection", sql: sql)
        }
        if let cursor = activeCursor {
            cursor.bufferRemainingRows()
            activeCursor = nil
        }
        return conn
    }

    /// The prepared statement for `sql` and whether it is cached (else the caller closes it).
    private func prepared(_ sql: String, conn: UnsafeMutablePointer<MYSQL>) throws -> (MySQLStatement, Bool) {
        if let statement = cache.lookup(sql) { return (statement, true) }
        guard let handle = mysql_stmt_init(conn) else { throw failure(MySQLErrors.report(conn), sql: sql) }
        let rc = sql.withCString { mysql_stmt_prepare(handle, $0, UInt(strlen($0))) }
        if rc != 0 || sql.utf8.contains(0) {
            let report = sql.utf8.contains(0)
                ? MySQLErrors.Report(number: 1064, sqlState: "42000", message: "the SQL text contains a NUL (0x00) character")
                : MySQLErrors.report(handle, conn: conn)
            _ = mysql_stmt_close(handle)
            throw failure(report, sql: sql)
        }
        let statement = MySQLStatement(handle: handle, sql: sql)
        return (statement, cache.insert(statement))
    }

    private static func checkCount(_ given: Int, _ statement: MySQLStatement) throws {
        let expected = statement.parameterCount
        guard given != expected else { return }
        throw InterfaceError(
            kind: given < expected ? .missingParameter : .unexpectedParameter,
            message: "the statement expects \(expected) parameter\(expected == 1 ? "" : "s") "
                + "but \(given) \(given == 1 ? "was" : "were") given",
            sql: statement.sql)
    }

    private func bindAndExecute(_ statement: MySQLStatement, _ values: [SQLValue], conn: UnsafeMutablePointer<MYSQL>) throws {
        try MySQLConnection.checkCount(values.count, statement)
        if statement.parameterCount > 0 {
            parameters.encode(values)
            guard mysql_stmt_bind_param(statement.handle, parameters.binds) == 0 else {
                throw failure(MySQLErrors.report(statement.handle, conn: conn), sql: statement.sql)
            }
        }
        statement.executions += 1
        guard mysql_stmt_execute(statement.handle) == 0 else {
            throw failure(MySQLErrors.report(statement.handle, conn: conn), sql: statement.sql)
        }
    }

    private func run(_ statement: MySQLStatement, _ values: [SQLValue], cached: Bool,
                     conn: UnsafeMutablePointer<MYSQL>) throws -> any DriverCursor {
        do {
            try bindAndExecute(statement, values, conn: conn)
        } catch {
            if !cached { statement.close() }
            throw error
        }
        let fieldCount = Int(mysql_stmt_field_count(statement.handle))
        guard fieldCount > 0 else {
            let affected = MySQLConnection.affected(statement.handle)
            let id = mysql_stmt_insert_id(statement.handle)
            if !cached { statement.close() }
            return EmptyCursor(rowsAffected: affected, lastInsertRowID: id == 0 ? nil : Int64(truncatingIfNeeded: id))
        }
        // The result's columns can differ from the last execution's (DDL in between).
        guard let metadata = mysql_stmt_result_metadata(statement.handle), let fields = mysql_fetch_fields(metadata) else {
            let error = failure(MySQLErrors.report(statement.handle, conn: conn), sql: statement.sql)
            if !cached { statement.close() }
            throw error
        }
        defer { mysql_free_result(metadata) }
        let binding: MySQLResultBinding
        if let b = statement.binding, b.matches(fields, count: fieldCount) {
            binding = b
        } else {
            binding = MySQLResultBinding(fields: fields, count: fieldCount)
            statement.binding = binding
        }
        guard mysql_stmt_bind_result(statement.handle, binding.binds) == 0 else {
            let error = failure(MySQLErrors.report(statement.handle, conn: conn), sql: statement.sql)
            _ = mysql_stmt_free_result(statement.handle)
            if !cached { statement.close() }
            throw error
        }
        let cursor = MySQLCursor(statement: statement, binding: binding, connection: self, ownsStatement: !cached)
        activeCursor = cursor
        return cursor
    }

    /// Rows affected by the last execution (-1 when the server reports none).
    private static func affected(_ stmt: UnsafeMutablePointer<MYSQL_STMT>) -> Int {
        let n = mysql_stmt_affected_rows(stmt)
        return n == UInt64.max ? -1 : Int(n)
    }

    /// The mapped error; a lost connection is remembered so that nothing more is sent.
    private func failure(_ report: MySQLErrors.Report, sql: String) -> any DatabaseError {
        if MySQLErrors.isConnectionLoss(report.number) { lost = true }
        return MySQLErrors.error(report, sql: sql)
    }
}
