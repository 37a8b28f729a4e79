import CLibPQ
import Foundation
import Logging

/// One libpq connection with its cache of named prepared statements.
///
/// Every parameterised statement is prepared once per connection (`PQprepare`, then
/// `PQdescribePrepared` to learn its parameter count) and run with `PQexecPrepared`.
/// ``executeMany(_:_:)`` sends its parameter sets in libpq pipeline mode, a batch
/// at a time, so 100 000 inserts cost about a hundred round trips rather than
/// 100 000.
///
/// A query's rows are streamed: it is sent with `PQsendQueryPrepared` in libpq's
/// single-row mode, and its cursor takes each row off the connection as it is read, so
/// a million-row SELECT read in a loop holds one row at a time, not the whole result.
/// While a cursor streams, the connection is busy with its statement; the next call
/// that needs the connection first moves the cursor's remaining rows into the cursor
/// (``settleStream()``), so a caller may still run other statements between rows and
/// read the rest afterwards. A cursor closed early reads the rest off and discards it:
/// the statement runs to its end as it did when its rows were read whole (cancelling
/// it instead would abort the caller's transaction and undo what the query did).
final class PostgreSQLConnection: DriverConnection {
    /// Parameter sets sent per pipeline batch in ``executeMany(_:_:)``.
    static let pipelineBatchSize = 1000

    private(set) var conn: OpaquePointer?
    private let cache: PostgreSQLStatementCache
    let parameters = PostgreSQLParameters()
    private var noticeSink: Unmanaged<PostgreSQLNoticeSink>?
    /// libpq's cancel request object (`PQgetCancel`), made once on connecting: it
    /// holds the backend's key, and `PQcancel` on it is safe from another thread.
    private var cancelRequest: OpaquePointer?
    /// The cursor whose rows the server is still sending, if any. Not retained: the
    /// cursor clears it when its statement ends (on its last row, on `close()`, in
    /// `deinit`), and ``close()`` detaches the cursor first, so it never dangles.
    unowned(unsafe) var streaming: PostgreSQLCursor?
    /// Whether a transaction was open when the streaming statement was sent: while
    /// it runs, libpq reports the status as active, and ``inTransaction`` answers this.
    var streamingInTransaction = false
    /// True when queries stream their rows (single-row mode; ``Connection/streamResults``);
    /// false, the default, reads a query's rows whole, which costs less per row.
    var streamsResults = false

    func setStreamsResults(_ on: Bool) { streamsResults = on }

    init(driver: PostgreSQLDriver) throws {
        try LibPQ.load()
        guard let handle = driver.conninfo().withCString({ PQconnectdb($0) }) else {
            throw OperationalError(
                kind: .cannotConnect,
                message: "could not connect to PostgreSQL at \(driver.targetDescription): libpq ran out of memory")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let error = PostgreSQLErrors.connectError(conn: handle, driver: driver)
            PQfinish(handle)
            throw error
        }
        conn = handle
        cancelRequest = PQgetCancel(handle)
        cache = PostgreSQLStatementCache(capacity: driver.statementCacheSize)
        let sink = Unmanaged.passRetained(PostgreSQLNoticeSink(logger: driver.logger))
        noticeSink = sink
        _ = PQsetNoticeReceiver(handle, { context, result in
            guard let context, let result else { return }
            Unmanaged<PostgreSQLNoticeSink>.fromOpaque(context).takeUnretainedValue().receive(result)
        }, sink.toOpaque())
    }

    deinit { close() }

    // MARK: DriverConnection

    /// `15.18` from `PQserverVersion` (`9.6.24` for servers before 10).
    var serverVersion: String {
        guard let conn else { return "" }
        let v = Int(PQserverVersion(conn))
        if v >= 100_000 { return "\(v / 10000).\(v % 10000)" }
        return "\(v / 10000).\(v / 100 % 100).\(v % 100)"
    }

    var inTransaction: Bool {
        guard let conn else { return false }
        if streaming != nil { return streamingInTransaction }
        let status = PQtransactionStatus(conn)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Runs `SELECT 1` (an empty query inside a failed transaction, which refuses
    /// anything else); false on any failure.
    func ping() -> Bool {
        settleStream()
        guard let conn, PQstatus(conn) == CONNECTION_OK else { return false }
        let sql = PQtransactionStatus(conn) == PQTRANS_INERROR ? "" : "SELECT 1"
        guard let result = PQexec(conn, sql) else { return false }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        return status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY
    }

    /// `PQcancel`: asks the server (over a connection of its own) to cancel the running
    /// statement, which then fails with SQLSTATE 57014. Called from another thread only
    /// while a statement runs, never with ``close()`` (see ``DriverConnection/cancel()``).
    func cancel() {
        guard let cancelRequest else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancelRequest, &buffer, Int32(buffer.count))
    }

    func close() {
        guard let handle = conn else { return }
        streaming?.detach()
        streaming = nil
        conn = nil
        if let cancelRequest { PQfreeCancel(cancelRequest) }
        cancelRequest = nil
        PQfinish(handle)
        noticeSink?.release()
        noticeSink = nil
        cache.removeAll()
    }

    func execute(_ sql: String, _ values: [SQLValue]) throws -> any DriverCursor {
        let conn = try openHandle(sql)
        try parameters.encode(values, sql: sql)
        let wasIdle = PQtransactionStatus(conn) == PQTRANS_IDLE
        do {
            return try executeEncoded(sql, conn: conn)
        } catch let error as ProgrammingError where wasIdle && PostgreSQLConnection.invalidatesCachedStatement(error) {
            // The cached statement was dropped (`executeEncoded` forgot it); outside a
            // transaction nothing was aborted, so preparing afresh is safe.
            return try executeEncoded(sql, conn: conn)
        }
    }

    func executeCommand(_ sql: String) throws {
        let conn = try openHandle(sql)
        try PostgreSQLConnection.checkNoNUL(sql)
        let result = PQexec(conn, sql)
        forgetStatementsIfDiscarded(sql)
        guard let result else { throw PostgreSQLErrors.error(result: nil, conn: conn, sql: sql) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            throw abandonCopy(conn, sql: sql)
        default:
            throw PostgreSQLErrors.error(result: result, conn: conn, sql: sql)
        }
    }

    /// Sends the sets in pipeline mode, ``pipelineBatchSize`` per sync. Every set is
    /// checked (parameter count, NUL in text) before anything is sent. Outside a
    /// transaction each batch commits as a unit; an error rolls back its batch (earlier
    /// batches stay committed) and is raised once the pipeline has been drained, so
    /// the connection stays usable. Wrap the call in a transaction for all or nothing.
    func executeMany(_ sql: String, _ parameterSets: [[SQLValue]]) throws -> Int {
        try pipelined(sql, parameterSets, row: nil)
    }

    /// Pipelined like ``executeMany(_:_:)``; each set's returned rows go to `row` in order.
    func executeManyReturning(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                              row: (Int, [SQLValue]) throws -> Void) throws -> Int {
        let sets = try collectParameterSets(count: count, fill: fill)
        return try withoutActuallyEscaping(row) { row in try pipelined(sql, sets, row: row) }
    }

    /// Pipelined like ``executeMany(_:_:)``; each set's rows affected go to `counted`.
    func executeManyCounted(_ sql: String, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                            counted: (Int, Int) -> Void) throws -> Int {
        let sets = try collectParameterSets(count: count, fill: fill)
        return try withoutActuallyEscaping(counted) { counted in try pipelined(sql, sets, row: nil, counted: counted) }
    }

    private func pipelined(_ sql: String, _ parameterSets: [[SQLValue]], row: ((Int, [SQLValue]) throws -> Void)?,
                           counted: ((Int, Int) -> Void)? = nil) throws -> Int {
        guard let first = parameterSets.first else { return 0 }
        let conn = try openHandle(sql)
        try PostgreSQLParameters.checkCount(first.count, sql: sql)
        for (index, set) in parameterSets.enumerated() {
            guard set.count == first.count else {
                throw InterfaceError(
                    kind: .misuse,
                    message: "parameter set \(index + 1) has \(set.count) values but the first has \(first.count); "
                        + "every set of an executemany must have the same parameters",
                    sql: sql)
            }
            for (position, value) in set.enumerated() {
                switch value {
                case .text(let s) where s.utf8.contains(0):
                    throw DataError(
                        message: "PostgreSQL text cannot contain NUL (0x00) characters; store it as binary data "
                            + "(parameter $\(position + 1) of set \(index + 1))",
                        sql: sql)
                default: break
                }
            }
        }
        // One statement for every set: each position prepared as the type all its values share.
        let types = PostgreSQLParameters.sharedTypes(parameterSets)
        try parameters.encode(first, sql: sql, preparedTypes: types)
        let key = PostgreSQLStatementCache.Key(sql: sql, types: types)
        let statement = try prepared(key, conn: conn)
        try PostgreSQLConnection.checkParameterCount(statement, given: first.count, sql: sql)

        guard PQenterPipelineMode(conn) == 1 else { throw PostgreSQLErrors.error(result: nil, conn: conn, sql: sql) }
        var total = 0
        var failure: (any Error)?
        var start = 0
        while start < parameterSets.count, failure == nil {
            let end = min(start + PostgreSQLConnection.pipelineBatchSize, parameterSets.count)
            for index in start..<end {
                do {
                    try parameters.encode(parameterSets[index], sql: sql, preparedTypes: types)
                } catch {
                    failure = error
                    break
                }
                let sent = statement.name.withCString { name in
                    parameters.withLibpqArrays { n, values, lengths, formats in
                        PQsendQueryPrepared(conn, name, n, values, lengths, formats, 0)
                    }
                }
                if sent != 1 {
                    failure = PostgreSQLErrors.error(result: nil, conn: conn, sql: sql)
                    break
                }
            }
            guard PQpipelineSync(conn) == 1 else {
                failure = failure ?? PostgreSQLErrors.error(result: nil, conn: conn, sql: sql)
                break
            }
            let (affected, error) = readPipelineResults(conn, sql: sql, firstSet: start, row: row, counted: counted)
            total += affected
            failure = failure ?? error
            start = end
        }
        leavePipelineMode(conn)
        if let p = failure as? ProgrammingError, PostgreSQLConnection.invalidatesCachedStatement(p) {
            cache.remove(key, deallocate: p.code != "26000")  // prepared afresh next time
        }
        if let failure { throw failure }
        return total
    }

    // MARK: Internals

    private func openHandle(_ sql: String) throws -> OpaquePointer {
        settleStream()
        guard let conn else {
            throw InterfaceError(kind: .closed, message: "this connection is closed", sql: sql)
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            throw OperationalError(
                kind: .connectionLost,
                message: "the connection to the server was lost earlier; open a new connection",
                sql: sql, driverMessage: PostgreSQLErrors.connectionMessage(conn))
        }
        return conn
    }

    private static func checkNoNUL(_ sql: String) throws {
        if sql.utf8.contains(0) {
            throw ProgrammingError(kind: .syntax, message: "the SQL text contains a NUL (0x00) character", sql: sql)
        }
    }

    /// Runs the encoded ``parameters`` through the prepared statement for `sql`: a
    /// query streams its rows when asked to (``streamsResults``,
    /// ``sendStreaming(_:statement:conn:)``); anything else is run with `PQexecPrepared`.
    private func executeEncoded(_ sql: String, conn: OpaquePointer) throws -> any DriverCursor {
        let statement = try prepared(PostgreSQLStatementCache.Key(sql: sql, types: parameters.types), conn: conn)
        try PostgreSQLConnection.checkParameterCount(statement, given: parameters.count, sql: sql)
        let result: OpaquePointer?
        if statement.streamsRows && streamsResults {
            let wasInTransaction = PQtransactionStatus(conn) != PQTRANS_IDLE
            result = try sendStreaming(sql, statement: statement, conn: conn)
            if let result, PQresultStatus(result) == PGRES_SINGLE_TUPLE {
                let cursor = PostgreSQLCursor(result: result, streamingFrom: self, sql: sql)
                streaming = cursor
                streamingInTransaction = wasInTransaction
                return cursor
            }
        } else {
            result = statement.name.withCString { name in
                parameters.withLibpqArrays { n, values, lengths, formats in
                    PQexecPrepared(conn, name, n, values, lengths, formats, 0)
                }
            }
        }
        guard let result else { throw PostgreSQLErrors.error(result: nil, conn: conn, sql: sql) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK:
            return PostgreSQLCursor(result: result)
        case PGRES_COMMAND_OK:
            let affected = PostgreSQLCursor.rowsAffected(result)
            PQclear(result)
            forgetStatementsIfDiscarded(sql)
            return EmptyCursor(rowsAffected: affected)
        case PGRES_EMPTY_QUERY:
            PQclear(result)
            throw ProgrammingError(kind: .syntax, message: "the SQL text contains no statement", sql: sql)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQclear(result)
            throw abandonCopy(conn, sql: sql)
        default:
            let error = PostgreSQLErrors.error(result: result, conn: conn, sql: sql)
            PQclear(result)
            if let p = error as? ProgrammingError, PostgreSQLConnection.invalidatesCachedStatement(p) {
                cache.remove(PostgreSQLStatementCache.Key(sql: sql, types: parameters.types), deallocate: p.code != "26000")
            }
            throw error
        }
    }

    /// The server dropped or invalidated a cached statement: its plan's result type
    /// changed after DDL, or someone ran `DEALLOCATE` / `DISCARD ALL`.
    private static func invalidatesCachedStatement(_ error: ProgrammingError) -> Bool {
        if error.code == "26000" { return true }
        return error.code == "0A000" && (error.driverMessage ?? "").contains("cached plan must not change result type")
    }

    /// After `DISCARD ALL` / `DEALLOCATE [PREPARE] ALL` the server holds none of our
    /// statements. (A single statement deallocated by name is noticed when it is next
    /// used: error 26000, handled by ``execute(_:_:)``.)
    private func forgetStatementsIfDiscarded(_ sql: String) {
        // Cheap test first: this runs after every command.
        guard let first = sql.utf8.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }),
            first | 0x20 == UInt8(ascii: "d")
        else { return }
        let words = sql.prefix(40).uppercased()
            .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == ";" })
            .prefix(3)
        guard let verb = words.first, verb == "DISCARD" || verb == "DEALLOCATE" else { return }
        let rest = Array(words.dropFirst())
        if rest.first == "ALL" || (verb == "DEALLOCATE" && rest == ["PREPARE", "ALL"]) { cache.removeAll() }
    }

    /// The prepared statement for `key` (SQL text and parameter types), preparing and
    /// describing it on a miss.
    private func prepared(_ key: PostgreSQLStatementCache.Key, conn: OpaquePointer) throws -> PostgreSQLPreparedStatement {
        let sql = key.sql
        if let statement = cache.lookup(sql: sql, types: key.types) { return statement }
        try PostgreSQLConnection.checkNoNUL(sql)
        // Parameter types: the values' own (see PostgreSQLParameters), 0 (inferred) elsewhere.
        let types = PostgreSQLParameters.preparedTypes(key.types, sql: sql)
        let name = cache.capacity > 0 ? cache.makeName() : ""
        let prepareResult = types.withUnsafeBufferPointer { t in
            PQprepare(conn, name, sql, Int32(t.count), t.count == 0 ? nil : t.baseAddress)
        }
        try PostgreSQLConnection.check(prepareResult, expecting: PGRES_COMMAND_OK, conn: conn, sql: sql)
        let described = PQdescribePrepared(conn, name)
        guard let described, PQresultStatus(described) == PGRES_COMMAND_OK else {
            if !name.isEmpty { cache.discard(name) }  // deallocated at the next opportunity
            try PostgreSQLConnection.check(described, expecting: PGRES_COMMAND_OK, conn: conn, sql: sql)
            throw PostgreSQLErrors.error(result: nil, conn: conn, sql: sql)
        }
        let statement = PostgreSQLPreparedStatement(
            name: name, parameterCount: Int(PQnparams(described)),
            streamsRows: PQnfields(described) > 0 && PostgreSQLConnection.isQuery(sql))
        PQclear(described)
        if !name.isEmpty { cache.insert(statement, key: key) }
        deallocatePending(conn)  // what the insert evicted, so the server holds at most `capacity`
        return statement
    }

    /// Clears `result`, throwing the mapped error unless it has status `expected`.
    private static func check(_ result: OpaquePointer?, expecting expected: ExecStatusType, conn: OpaquePointer,
                              sql: String) throws {
        guard let result else { throw PostgreSQLErrors.error(result: nil, conn: conn, sql: sql) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == expected else {
            throw PostgreSQLErrors.error(result: result, conn: conn, sql: sql)
        }
    }

    private static func checkParameterCount(_ statement: PostgreSQLPreparedStatement, given: Int, sql: String) throws {
        let expected = statement.parameterCount
        guard expected != given else { return }
        throw InterfaceError(
            kind: given < expected ? .missingParameter : .unexpectedParameter,
            message: "the statement expects \(expected) parameter\(expected == 1 ? "" : "s") "
                + "but \(given) \(given == 1 ? "was" : "were") given",
            sql: sql)
    }

    /// Deallocates evicted statements, only outside a transaction block: there a
    /// failed `DEALLOCATE` cannot abort the caller's transaction.
    private func deallocatePending(_ conn: OpaquePointer) {
        guard PQtransactionStatus(conn) == PQTRANS_IDLE, cache.hasPendingDeallocations else { return }
        let names = cache.takePendingDeallocations()
        let sql = names.map { "DEALLOCATE " + $0 }.joined(separator: "; ")
        if let result = PQexec(conn, sql) { PQclear(result) }
    }

    /// Reads one pipeline batch's results up to its sync point: the rows affected and
    /// the first error.
    private func readPipelineResults(_ conn: OpaquePointer, sql: String, firstSet: Int = 0,
                                     row: ((Int, [SQLValue]) throws -> Void)? = nil,
                                     counted: ((Int, Int) -> Void)? = nil) -> (Int, (any Error)?) {
        var affected = 0
        var set = firstSet
        var failure: (any Error)?
        var emptyInARow = 0
        while true {
            guard let result = PQgetResult(conn) else {
                // A nil ends each query's results; two in a row mean nothing more is coming.
                emptyInARow += 1
                if PQstatus(conn) == CONNECTION_BAD || emptyInARow > 1 {
                    return (affected, failure ?? PostgreSQLErrors.error(result: nil, conn: conn, sql: sql))
                }
                continue
            }
            emptyInARow = 0
            let status = PQresultStatus(result)
            switch status {
            case PGRES_PIPELINE_SYNC:
                PQclear(result)
                return (affected, failure)
            case PGRES_TUPLES_OK where row != nil:
                // The cursor owns (and frees) the result.
                let cursor = PostgreSQLCursor(result: result)
                affected += max(0, cursor.rowsAffected)
                do {
                    while let values = try cursor.next() { try row?(set, values) }
                } catch {
                    if failure == nil { failure = error }
                }
                cursor.close()
                set += 1
                continue
            case PGRES_SINGLE_TUPLE where row != nil:
                // libpq 15 carries the single-row mode of the last streamed query over to
                // the next statement sent in pipeline mode: its rows come a result each,
                // then a PGRES_TUPLES_OK without rows ends (and counts) the statement.
                let cursor = PostgreSQLCursor(result: result)
                do {
                    while let values = try cursor.next() { try row?(set, values) }
                } catch {
                    if failure == nil { failure = error }
                }
                cursor.close()
                continue
            case PGRES_SINGLE_TUPLE:
                break  // as above; nobody wants the rows
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
                let n = max(0, PostgreSQLCursor.rowsAffected(result))
                affected += n
                counted?(set, n)
                set += 1
            case PGRES_PIPELINE_ABORTED:
                break  // skipped after an earlier error in the batch
            default:
                if failure == nil { failure = PostgreSQLErrors.error(result: result, conn: conn, sql: sql) }
            }
            PQclear(result)
        }
    }

    private func leavePipelineMode(_ conn: OpaquePointer) {
        // Normally every result up to the last sync has been read and this succeeds at
        // once. Should results remain queued, read them off (each query's end with a
        // nil) until libpq lets go; a sync was always sent, so nothing waits forever.
        var rounds = 0
        while PQexitPipelineMode(conn) != 1 {
            guard PQstatus(conn) == CONNECTION_OK, rounds <= 2 * PostgreSQLConnection.pipelineBatchSize + 2 else { return }
            rounds += 1
            while let result = PQgetResult(conn) { PQclear(result) }
        }
    }

    /// Ends a COPY that `execute` started (Retort does not stream COPY data) and
    /// returns the error to raise.
    private func abandonCopy(_ conn: OpaquePointer, sql: String) -> any DatabaseError {
        let message = "COPY FROM STDIN / TO STDOUT is not supported through execute; use COPY with a server-side "
            + "file, or INSERT (executeMany pipelines many rows)"
        _ = PQputCopyEnd(conn, message)
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(conn, &buffer, 0) > 0 {
            PQfreemem(buffer)
            buffer = nil
        }
        while let result = PQgetResult(conn) { PQclear(result) }
        return ProgrammingError(kind: .notSupported, message: message, sql: sql)
    }
}

/// Receives a connection's server notices and warnings and logs them. Kept alive by
/// the connection (an `Unmanaged` retain) for as long as libpq may call back.
final class PostgreSQLNoticeSink {
    let logger: Logger?

    init(logger: Logger?) { self.logger = logger }

    func receive(_ result: OpaquePointer) {
        guard let logger else { return }
        let severity = PostgreSQLErrors.field(result, PostgreSQLErrors.fieldSeverity) ?? "NOTICE"
        let level: Logger.Level
        switch severity {
        case "WARNING": level = .warning
        case "NOTICE": level = .debug  // "table does not exist, skipping": detail, not news
        case "INFO": level = .info
        default: level = .debug  // LOG, DEBUG1…DEBUG5
        }
        let message = PostgreSQLErrors.field(result, PostgreSQLErrors.fieldMessagePrimary)
            ?? PostgreSQLErrors.firstLine(String(cString: PQresultErrorMessage(result)))
        var metadata: Logger.Metadata = ["postgresql.severity": .string(severity)]
        if let code = PostgreSQLErrors.field(result, PostgreSQLErrors.fieldSQLState) {
            metadata["postgresql.sqlstate"] = .string(code)
        }
        if let detail = PostgreSQLErrors.field(result, PostgreSQLErrors.fieldMessageDetail) {
            metadata["postgresql.detail"] = .string(detail)
        }
        if let hint = PostgreSQLErrors.field(result, PostgreSQLErrors.fieldMessageHint) {
            metadata["postgresql.hint"] = .string(hint)
        }
        logger.log(level: level, "\(message)", metadata: metadata)
    }
}
