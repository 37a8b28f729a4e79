import CSQLite
import Foundation

/// The same workloads written directly against libsqlite3: the floor Retort is held to.
final class RawSQLite {
    let db: OpaquePointer
    private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String = ":memory:") throws {
        var handle: OpaquePointer?
        guard sqlite3_open(path, &handle) == SQLITE_OK, let handle else { throw BenchError("sqlite3_open failed") }
        db = handle
    }

    deinit { sqlite3_close_v2(db) }

    func exec(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw BenchError(String(cString: sqlite3_errmsg(db)))
        }
    }

    func prepare(_ sql: String) throws -> OpaquePointer {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
            throw BenchError(String(cString: sqlite3_errmsg(db)))
        }
        return stmt
    }

    /// INSERT every (name, email) with one prepared statement in one transaction.
    func insertAuthors(names: [String], emails: [String]) throws {
        try exec("BEGIN")
        let stmt = try prepare("INSERT INTO bench_authors (name, email) VALUES (?, ?)")
        defer { sqlite3_finalize(stmt) }
        for i in names.indices {
            sqlite3_bind_text(stmt, 1, names[i], -1, transient)
            sqlite3_bind_text(stmt, 2, emails[i], -1, transient)
            guard sqlite3_step(stmt) == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(stmt)
        }
        try exec("COMMIT")
    }

    /// SELECT every row, reading id, name and email into Swift values.
    func selectAuthors() throws -> Int {
        let stmt = try prepare("SELECT id, name, email FROM bench_authors")
        defer { sqlite3_finalize(stmt) }
        var checksum = 0
        while sqlite3_step(stmt) == SQLITE_ROW {
            let id = sqlite3_column_int64(stmt, 0)
            let name = String(cString: sqlite3_column_text(stmt, 1))
            let email = String(cString: sqlite3_column_text(stmt, 2))
            checksum &+= Int(id) &+ name.utf8.count &+ email.utf8.count
        }
        return checksum
    }

    /// `lookups` point queries by primary key through one prepared statement.
    func lookupByID(_ ids: [Int]) throws -> Int {
        let stmt = try prepare("SELECT id, name, email FROM bench_authors WHERE id = ?")
        defer { sqlite3_finalize(stmt) }
        var checksum = 0
        for id in ids {
            sqlite3_bind_int64(stmt, 1, Int64(id))
            if sqlite3_step(stmt) == SQLITE_ROW {
                let name = String(cString: sqlite3_column_text(stmt, 1))
                let email = String(cString: sqlite3_column_text(stmt, 2))
                checksum &+= Int(sqlite3_column_int64(stmt, 0)) &+ name.utf8.count &+ email.utf8.count
            }
            sqlite3_reset(stmt)
        }
        return checksum
    }
}

extension RawSQLite {
    /// UPDATE one column of each row by primary key with one prepared statement in one transaction.
    func updateNames(ids: [Int], names: [String]) throws {
        try exec("BEGIN")
        let stmt = try prepare("UPDATE bench_authors SET name = ? WHERE id = ?")
        defer { sqlite3_finalize(stmt) }
        for i in ids.indices {
            sqlite3_bind_text(stmt, 1, names[i], -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            sqlite3_bind_int64(stmt, 2, Int64(ids[i]))
            guard sqlite3_step(stmt) == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(stmt)
        }
        try exec("COMMIT")
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
