import CLibPQ
import Foundation

// Streaming a query's rows: single-row mode, the cursor that reads them, and what the
// connection does when it is needed again before they have all been read (see
// ``PostgreSQLConnection``).
extension PostgreSQLConnection {
    /// Sends the prepared statement in single-row mode and returns its first result: a
    /// `PGRES_SINGLE_TUPLE` (the first row; the rest follow through
    /// ``nextStreamedRow(sql:)``) or, with the connection already read clear, the
    /// statement's whole answer (no rows, an error, a COPY), as `PQexecPrepared` gives it.
    func sendStreaming(_ sql: String, statement: PostgreSQLPreparedStatement, conn: OpaquePointer) throws -> OpaquePointer? {
        let sent = statement.name.withCString { name in
            parameters.withLibpqArrays { n, values, lengths, formats in
                PQsendQueryPrepared(conn, name, n, values, lengths, formats, 0)
            }
        }
        guard sent == 1 else { throw PostgreSQLErrors.error(result: nil, conn: conn, sql: sql) }
        // Fails only when called at the wrong moment, which this is not; the rows then
        // simply arrive whole, and are read below like any other result.
        _ = PQsetSingleRowMode(conn)
        let first = PQgetResult(conn)
        if let first {
            switch PQresultStatus(first) {
            case PGRES_SINGLE_TUPLE: return first
            case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH: return first  // abandonCopy reads the rest
            default: break
            }
        }
        // The whole answer is here: read up to the end of the statement (the nil).
        while let rest = PQgetResult(conn) { PQclear(rest) }
        return first
    }

    /// The next row of the statement ``streaming`` reads: a `PGRES_SINGLE_TUPLE`
    /// result (the caller frees it), or nil once the statement has ended. Throws the
    /// statement's error should it fail part way through. Either way, once it returns
    /// nil or throws, the connection is free for the next statement.
    func nextStreamedRow(sql: String) throws -> OpaquePointer? {
        guard let conn else {
            streaming = nil
            throw InterfaceError(kind: .closed, message: "this connection was closed while a result was being read", sql: sql)
        }
        guard let result = PQgetResult(conn) else {
            streaming = nil
            guard PQstatus(conn) == CONNECTION_OK else { throw PostgreSQLErrors.error(result: nil, conn: conn, sql: sql) }
            return nil
        }
        switch PQresultStatus(result) {
        case PGRES_SINGLE_TUPLE:
            return result
        case PGRES_TUPLES_OK:
            PQclear(result)
            finishStream(conn)
            return nil
        default:
            let error = PostgreSQLErrors.error(result: result, conn: conn, sql: sql)
            PQclear(result)
            finishStream(conn)
            throw error
        }
    }

    /// Reads the streaming statement's remaining results off and drops them (a cursor
    /// closed before its last row).
    func discardStream() {
        guard let conn else {
            streaming = nil
            return
        }
        finishStream(conn)
    }

    /// Reads up to the end of the streaming statement (the nil after its last result).
    private func finishStream(_ conn: OpaquePointer) {
        while let result = PQgetResult(conn) { PQclear(result) }
        streaming = nil
    }

    /// Moves the rows still on the wire into the streaming cursor, if there is one, so
    /// that the connection can run another statement. Called before every use of the
    /// connection; costs one comparison when nothing streams.
    @inline(__always)
    func settleStream() {
        if let cursor = streaming { cursor.bufferRemaining() }
    }

    /// True for a statement that only reads (its rows may be streamed): one whose first
    /// word is `SELECT`, `VALUES` or `TABLE`, or `WITH` when no word of it (quoted
    /// identifiers included) is `INSERT`, `UPDATE`, `DELETE` or `MERGE`. A
    /// data-modifying statement is read whole, so that its rows-affected count (which
    /// comes after its rows) is known at once. Run once per prepared statement.
    static func isQuery(_ sql: String) -> Bool {
        let words = SQLWords.identifiers(in: sql)
        guard let first = words.first?.lowercased() else { return false }
        switch first {
        case "select", "values", "table": return true
        case "with":
            let modifying: Set<String> = ["insert", "update", "delete", "merge"]
            return !words.contains { modifying.contains($0.lowercased()) }
        default: return false
        }
    }

    /// `PQcancel`s the streaming statement when it runs in a transaction (which the
    /// caller then rolls back) and drops its remaining rows.
    func stopStreamedStatement() -> Bool {
        guard let cursor = streaming, streamingInTransaction else { return false }
        cancel()
        cursor.stop(OperationalError(
            kind: .timeout,
            message: "the statement was stopped before all its rows were read (its task was cancelled, "
                + "or its connection released); its transaction was rolled back",
            sql: cursor.sql))
        return true
    }
}
