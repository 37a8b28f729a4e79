import CLibPQ
import Foundation

/// The same workloads written directly against libpq (prepared statements, pipeline
/// mode for the inserts, as a careful C program would).
final class RawPostgres {
    let conn: OpaquePointer

    init(url: String) throws {
        guard let c = PQconnectdb(url), PQstatus(c) == CONNECTION_OK else {
            throw BenchError("PQconnectdb failed for \(url)")
        }
        conn = c
    }

    deinit { PQfinish(conn) }

    func exec(_ sql: String) throws {
        let r = PQexec(conn, sql)
        defer { PQclear(r) }
        let s = PQresultStatus(r)
        guard s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK else {
            throw BenchError(String(cString: PQerrorMessage(conn)))
        }
    }

    private func prepare(_ name: String, _ sql: String, _ count: Int32) throws {
        let r = PQprepare(conn, name, sql, count, nil)
        defer { PQclear(r) }
        guard PQresultStatus(r) == PGRES_COMMAND_OK else { throw BenchError(String(cString: PQerrorMessage(conn))) }
    }

    /// Ends a pipeline batch of `count` commands: syncs, reads each command's result (and
    /// the NULL after it), then the sync marker, and leaves pipeline mode.
    private func finishPipelineBatch(_ count: Int) throws {
        PQpipelineSync(conn)
        var pending = count
        while pending > 0 {
            guard let r = PQgetResult(conn) else { continue }
            let status = PQresultStatus(r)
            PQclear(r)
            if status == PGRES_COMMAND_OK {
                pending -= 1
                while let extra = PQgetResult(conn) { PQclear(extra) }  // the NULL after each result
            } else if status != PGRES_PIPELINE_SYNC {
                throw BenchError(String(cString: PQerrorMessage(conn)))
            }
        }
        while let r = PQgetResult(conn) {
            let done = PQresultStatus(r) == PGRES_PIPELINE_SYNC
            PQclear(r)
            if done { break }
        }
        PQexitPipelineMode(conn)
    }

    func insertAuthors(names: [String], emails: [String]) throws {
        try exec("BEGIN")
        try prepare("raw_ins", "INSERT INTO bench_authors (name, email) VALUES ($1, $2)", 2)
        let batch = 1000
        var start = 0
        while start < names.count {
            let end = min(start + batch, names.count)
            guard PQenterPipelineMode(conn) == 1 else { throw BenchError("pipeline mode unavailable") }
            for i in start..<end {
                names[i].withCString { n in
                    emails[i].withCString { e in
                        var values: [UnsafePointer<CChar>?] = [n, e]
                        _ = PQsendQueryPrepared(conn, "raw_ins", 2, &values, nil, nil, 0)
                    }
                }
            }
            try finishPipelineBatch(end - start)
            start = end
        }
        try exec("DEALLOCATE raw_ins")
        try exec("COMMIT")
    }

    func selectAuthors() throws -> Int {
        let r = PQexecParams(conn, "SELECT id, name, email FROM bench_authors", 0, nil, nil, nil, nil, 0)
        defer { PQclear(r) }
        guard PQresultStatus(r) == PGRES_TUPLES_OK else { throw BenchError(String(cString: PQerrorMessage(conn))) }
        var checksum = 0
        for row in 0..<PQntuples(r) {
            let id = Int(strtoll(PQgetvalue(r, row, 0), nil, 10))
            let name = String(cString: PQgetvalue(r, row, 1))
            let email = String(cString: PQgetvalue(r, row, 2))
            checksum &+= id &+ name.utf8.count &+ email.utf8.count
        }
        return checksum
    }

    func lookupByID(_ ids: [Int]) throws -> Int {
        try prepare("raw_get", "SELECT id, name, email FROM bench_authors WHERE id = $1", 1)
        defer { try? exec("DEALLOCATE raw_get") }
        var checksum = 0
        for id in ids {
            let r = String(id).withCString { p -> OpaquePointer? in
                var values: [UnsafePointer<CChar>?] = [p]
                return PQexecPrepared(conn, "raw_get", 1, &values, nil, nil, 0)
            }
            defer { PQclear(r) }
            if PQntuples(r) == 1 {
                let name = String(cString: PQgetvalue(r, 0, 1))
                let email = String(cString: PQgetvalue(r, 0, 2))
                checksum &+= Int(strtoll(PQgetvalue(r, 0, 0), nil, 10)) &+ name.utf8.count &+ email.utf8.count
            }
        }
        return checksum
    }

    /// UPDATE one column of each row by primary key: a prepared statement sent in
    /// pipeline batches inside one transaction, as for the inserts.
    func updateNames(ids: [Int], names: [String]) throws {
        try exec("BEGIN")
        try prepare("raw_upd", "UPDATE bench_authors SET name = $1 WHERE id = $2", 2)
        let batch = 1000
        var start = 0
        while start < ids.count {
            let end = min(start + batch, ids.count)
            guard PQenterPipelineMode(conn) == 1 else { throw BenchError("pipeline mode unavailable") }
            for i in start..<end {
                names[i].withCString { n in
                    String(ids[i]).withCString { id in
                        var values: [UnsafePointer<CChar>?] = [n, id]
                        _ = PQsendQueryPrepared(conn, "raw_upd", 2, &values, nil, nil, 0)
                    }
                }
            }
            try finishPipelineBatch(end - start)
            start = end
        }
        try exec("DEALLOCATE raw_upd")
        try exec("COMMIT")
    }
}
