import CMariaDB
import Foundation
import RetortCore

/// The same workloads written directly against libmariadb: server-side prepared
/// statements over the binary protocol, MariaDB's bulk execution for the inserts and an
/// unbuffered fetch for the select, as a careful C program would.
final class RawMySQL {
    let conn: UnsafeMutablePointer<MYSQL>

    init(url: String) throws {
        let u = try DatabaseURL(url)
        guard let c = mysql_init(nil) else { throw BenchError("mysql_init failed") }
        conn = c
        _ = mysql_options(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        let socket = u.option("unix_socket")
        guard mysql_real_connect(conn, socket == nil ? u.host : "localhost", u.username, u.password, u.database,
                                 UInt32(u.port ?? 3306), socket, 0) != nil
        else { throw BenchError("mysql_real_connect failed for \(u): \(String(cString: mysql_error(conn)))") }
    }

    deinit { mysql_close(conn) }

    func exec(_ sql: String) throws {
        guard mysql_query(conn, sql) == 0 else { throw BenchError(String(cString: mysql_error(conn))) }
        if let r = mysql_store_result(conn) { mysql_free_result(r) }
    }

    private func prepare(_ sql: String) throws -> UnsafeMutablePointer<MYSQL_STMT> {
        guard let stmt = mysql_stmt_init(conn), mysql_stmt_prepare(stmt, sql, UInt(sql.utf8.count)) == 0 else {
            throw BenchError(String(cString: mysql_error(conn)))
        }
        return stmt
    }

    /// MariaDB's bulk execution (column-wise arrays, `STMT_ATTR_ARRAY_SIZE`), 1000 rows per
    /// batch, inside one transaction.
    func insertAuthors(names: [String], emails: [String]) throws {
        try exec("BEGIN")
        let stmt = try prepare("INSERT INTO bench_authors (name, email) VALUES (?, ?)")
        defer { mysql_stmt_close(stmt) }
        let batch = 1000
        // Every value's bytes in one arena, with a pointer and a length per value.
        var arena = [UInt8]()
        var nameOffsets: [Int] = [], emailOffsets: [Int] = []
        var nameLengths: [UInt] = [], emailLengths: [UInt] = []
        for i in names.indices {
            nameOffsets.append(arena.count)
            arena.append(contentsOf: names[i].utf8)
            nameLengths.append(UInt(names[i].utf8.count))
            emailOffsets.append(arena.count)
            arena.append(contentsOf: emails[i].utf8)
            emailLengths.append(UInt(emails[i].utf8.count))
        }
        try arena.withUnsafeMutableBufferPointer { bytes in
            let base = UnsafeMutableRawPointer(bytes.baseAddress!)
            var namePointers = nameOffsets.map { Optional(base + $0) }
            var emailPointers = emailOffsets.map { Optional(base + $0) }
            var start = 0
            while start < names.count {
                var n = UInt32(min(batch, names.count - start))
                var binds = [MYSQL_BIND](repeating: MYSQL_BIND(), count: 2)
                try namePointers.withUnsafeMutableBufferPointer { np in
                    try emailPointers.withUnsafeMutableBufferPointer { ep in
                        try nameLengths.withUnsafeMutableBufferPointer { nl in
                            try emailLengths.withUnsafeMutableBufferPointer { el in
                                binds[0].buffer_type = MYSQL_TYPE_STRING
                                binds[0].buffer = UnsafeMutableRawPointer(np.baseAddress! + start)
                                binds[0].length = nl.baseAddress! + start
                                binds[1].buffer_type = MYSQL_TYPE_STRING
                                binds[1].buffer = UnsafeMutableRawPointer(ep.baseAddress! + start)
                                binds[1].length = el.baseAddress! + start
                                _ = mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &n)
                                guard mysql_stmt_bind_param(stmt, &binds) == 0, mysql_stmt_execute(stmt) == 0 else {
                                    throw BenchError(String(cString: mysql_stmt_error(stmt)))
                                }
                            }
                        }
                    }
                }
                start += Int(n)
            }
        }
        try exec("COMMIT")
    }

    func selectAuthors() throws -> Int {
        let stmt = try prepare("SELECT id, name, email FROM bench_authors")
        defer { mysql_stmt_close(stmt) }
        guard mysql_stmt_execute(stmt) == 0 else { throw BenchError(String(cString: mysql_stmt_error(stmt))) }
        let row = AuthorRowBuffers()
        try row.bindResult(of: stmt)
        var checksum = 0
        while mysql_stmt_fetch(stmt) == 0 { checksum &+= row.checksum() }
        return checksum
    }

    /// One prepared SELECT by key, executed once per id over the binary protocol, its
    /// row fetched into bound buffers.
    func lookupByID(_ ids: [Int]) throws -> Int {
        let stmt = try prepare("SELECT id, name, email FROM bench_authors WHERE id = ?")
        defer { mysql_stmt_close(stmt) }
        let key = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
        defer { key.deallocate() }
        key.initialize(to: 0)
        var params = [MYSQL_BIND](repeating: MYSQL_BIND(), count: 1)
        params[0].buffer_type = MYSQL_TYPE_LONGLONG
        params[0].buffer = UnsafeMutableRawPointer(key)
        guard mysql_stmt_bind_param(stmt, &params) == 0 else { throw BenchError(String(cString: mysql_stmt_error(stmt))) }
        let row = AuthorRowBuffers()
        try row.bindResult(of: stmt)
        var checksum = 0
        for k in ids {
            key.pointee = Int64(k)
            guard mysql_stmt_execute(stmt) == 0 else { throw BenchError(String(cString: mysql_stmt_error(stmt))) }
            while mysql_stmt_fetch(stmt) == 0 { checksum &+= row.checksum() }
        }
        return checksum
    }

    /// UPDATE one column of each row by primary key: MariaDB's bulk execution of one
    /// prepared statement, 1000 rows per round trip, inside one transaction (as the inserts).
    func updateNames(ids: [Int], names: [String]) throws {
        try exec("BEGIN")
        let stmt = try prepare("UPDATE bench_authors SET name = ? WHERE id = ?")
        defer { mysql_stmt_close(stmt) }
        var arena = [UInt8]()
        var offsets: [Int] = [], lengths: [UInt] = []
        for n in names {
            offsets.append(arena.count)
            arena.append(contentsOf: n.utf8)
            lengths.append(UInt(n.utf8.count))
        }
        var keys = ids.map(Int64.init)
        try arena.withUnsafeMutableBufferPointer { bytes in
            let base = UnsafeMutableRawPointer(bytes.baseAddress!)
            var pointers = offsets.map { Optional(base + $0) }
            try pointers.withUnsafeMutableBufferPointer { np in
                try lengths.withUnsafeMutableBufferPointer { nl in
                    try keys.withUnsafeMutableBufferPointer { kp in
                        var start = 0
                        while start < ids.count {
                            var n = UInt32(min(1000, ids.count - start))
                            var binds = [MYSQL_BIND](repeating: MYSQL_BIND(), count: 2)
                            binds[0].buffer_type = MYSQL_TYPE_STRING
                            binds[0].buffer = UnsafeMutableRawPointer(np.baseAddress! + start)
                            binds[0].length = nl.baseAddress! + start
                            binds[1].buffer_type = MYSQL_TYPE_LONGLONG
                            binds[1].buffer = UnsafeMutableRawPointer(kp.baseAddress! + start)
                            _ = mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &n)
                            guard mysql_stmt_bind_param(stmt, &binds) == 0, mysql_stmt_execute(stmt) == 0 else {
                                throw BenchError(String(cString: mysql_stmt_error(stmt)))
                            }
                            start += Int(n)
                        }
                    }
                }
            }
        }
        try exec("COMMIT")
    }
}

/// The bound result buffers of a `SELECT id, name, email FROM bench_authors` over the
/// binary protocol: `mysql_stmt_fetch` writes each row into them. Heap storage, so the
/// pointers the binds hold stay valid for the statement's life.
private final class AuthorRowBuffers {
    private let id = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
    private let name = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    private let email = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    private let lengths = UnsafeMutablePointer<UInt>.allocate(capacity: 3)
    private var binds = [MYSQL_BIND](repeating: MYSQL_BIND(), count: 3)

    init() {
        id.initialize(to: 0)
        lengths.initialize(repeating: 0, count: 3)
        binds[0].buffer_type = MYSQL_TYPE_LONGLONG
        binds[0].buffer = UnsafeMutableRawPointer(id)
        binds[0].length = lengths
        binds[1].buffer_type = MYSQL_TYPE_STRING
        binds[1].buffer = UnsafeMutableRawPointer(name)
        binds[1].buffer_length = 256
        binds[1].length = lengths + 1
        binds[2].buffer_type = MYSQL_TYPE_STRING
        binds[2].buffer = UnsafeMutableRawPointer(email)
        binds[2].buffer_length = 256
        binds[2].length = lengths + 2
    }

    deinit {
        id.deallocate()
        name.deallocate()
        email.deallocate()
        lengths.deallocate()
    }

    func bindResult(of stmt: UnsafeMutablePointer<MYSQL_STMT>) throws {
        guard mysql_stmt_bind_result(stmt, &binds) == 0 else { throw BenchError(String(cString: mysql_stmt_error(stmt))) }
    }

    /// The fetched row, read as the ORM would: the id plus both strings decoded.
    @inline(__always) func checksum() -> Int {
        let n = String(decoding: UnsafeBufferPointer(start: name, count: Int(lengths[1])), as: UTF8.self)
        let e = String(decoding: UnsafeBufferPointer(start: email, count: Int(lengths[2])), as: UTF8.self)
        return Int(id.pointee) &+ n.utf8.count &+ e.utf8.count
    }
}
