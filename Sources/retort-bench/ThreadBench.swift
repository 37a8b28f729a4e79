import CLibPQ
import CSQLite
import Foundation
import RetortCore
import RetortORM

/// Issue-27 workloads: many threads sharing one Engine, next to the same number of
/// threads running the raw C loop on connections of their own.
///
/// - `sqlite_wal_readers_<n>threads`: a file database in WAL mode; `n` reader threads
///   look rows up by primary key (the cached-shape Core SELECT) while one writer thread
///   keeps committing single-row UPDATEs (`engine.begin`), until the readers are done.
/// - `pg_pool_get_by_pk_<n>threads`: a pool of 8; each thread its own `Session`
///   doing `session.get` by primary key.
///
/// Each figure is lookups per second over all reader threads; the ratio is to the raw
/// loops on the same number of threads. Lines for 1, 2, 4 and 8 threads show how the
/// throughput grows (the machine has as many cores as `ProcessInfo.activeProcessorCount`).
struct ThreadBench {
    let report: Report
    let lookupsPerThread = 5_000
    let threadCounts = [1, 2, 4, 8]
    var rows: Int { lookupsPerThread * (threadCounts.max() ?? 1) }

    // MARK: SQLite, WAL

    func runSQLite() throws {
        guard threadCounts.contains(where: { report.wants("sqlite_wal_readers_\($0)threads") }) else { return }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-wal-\(getpid()).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let names = (0..<rows).map { "author \($0)" }
        let emails = (0..<rows).map { "author\($0)@example.org" }
        do {
            let setup = try RawSQLite(path: path)
            try setup.exec("PRAGMA journal_mode = wal")
            try setup.exec(CoreBench.createSQLite)
            try setup.insertAuthors(names: names, emails: emails)
        }
        let metadata = MetaData()
        let authors = Table("bench_authors", metadata,
                            Column("id", .integer, primaryKey: true),
                            Column("name", .string(100), nullable: false),
                            Column("email", .string(255), nullable: false))
        let engine = try createEngine("sqlite:///\(path)?journal_mode=wal",
                                      pool: PoolOptions(size: (threadCounts.max() ?? 1) + 1))
        defer { engine.dispose() }
        for threads in threadCounts where report.wants("sqlite_wal_readers_\(threads)threads") {
            let rawSeconds = try report.time {
                try Self.readersWithWriter(threads, writer: { stop in
                    try RawWALThread(path: path).writeUntil(stop, rows: rows)
                }, reader: { t in
                    _ = try RawWALThread(path: path).lookup(ids(thread: t))
                })
            }
            let seconds = try report.time {
                try Self.readersWithWriter(threads, writer: { stop in
                    var i = 0
                    while !stop.value {
                        i += 1
                        try engine.begin { conn in
                            try conn.execute(authors.update().where(authors.c.id == i % rows + 1).values(["name": "w \(i)"]))
                        }
                    }
                }, reader: { t in
                    try engine.connect { conn in
                        var checksum = 0
                        for id in ids(thread: t) {
                            let q = select(authors.c.id, authors.c.name, authors.c.email).where(authors.c.id == id)
                            if let row = try conn.execute(q).first() {
                                let email: String = try row.get(2)
                                checksum &+= email.utf8.count
                            }
                        }
                        if checksum == 0 { throw BenchError("sqlite_wal_readers read no rows") }
                    }
                })
            }
            report.line("sqlite_wal_raw_readers_\(threads)threads", seconds: rawSeconds, rows: threads * lookupsPerThread, raw: rawSeconds)
            report.line("sqlite_wal_readers_\(threads)threads", seconds: seconds, rows: threads * lookupsPerThread, raw: rawSeconds)
        }
    }

    /// Thread `t`'s keys: its own stretch of the table, visited with a stride.
    private func ids(thread t: Int) -> [Int] {
        (0..<lookupsPerThread).map { t * lookupsPerThread + ($0 * 7919) % lookupsPerThread + 1 }
    }

    // MARK: PostgreSQL, pool of 8

    func runPostgres(url: String) throws {
        guard threadCounts.contains(where: { report.wants("pg_pool_get_by_pk_\($0)threads") }) else { return }
        let engine = try createEngine(url, pool: PoolOptions(size: 8, maxOverflow: 0))
        defer { engine.dispose() }
        let names = (0..<rows).map { "author \($0)" }
        let emails = (0..<rows).map { "author\($0)@example.org" }
        try engine.begin { conn in
            try conn.execute(text("DROP TABLE IF EXISTS bench_authors"))
            try conn.execute(text(CoreBench.createPostgres))
            try conn.execute(text("INSERT INTO bench_authors (name, email) VALUES (:name, :email)"),
                             (0..<rows).map { ["name": names[$0], "email": emails[$0]] })
        }
        defer { _ = try? engine.begin { try $0.execute(text("DROP TABLE bench_authors")) } }
        let libpqURL = try DatabaseURL(url).render(maskPassword: false).replacingOccurrences(of: "postgresql+libpq://", with: "postgresql://")
        // Warm the pool: eight connections open before the timed runs.
        try Self.together(8) { _ in try engine.connect { conn in _ = try conn.scalar(text("SELECT 1"), as: Int.self); Thread.sleep(forTimeInterval: 0.05) } }
        for threads in threadCounts where report.wants("pg_pool_get_by_pk_\(threads)threads") {
            let rawConnections = try (0..<threads).map { _ in try RawPostgres(url: libpqURL) }
            let rawSeconds = try report.time {
                try Self.together(threads) { t in _ = try rawConnections[t].lookupByID(ids(thread: t)) }
            }
            let seconds = try report.time {
                try Self.together(threads) { t in
                    let session = Session(engine)
                    defer { session.close() }
                    var found = 0
                    for id in ids(thread: t) where try session.get(BenchAuthor.self, id) != nil { found += 1 }
                    if found != lookupsPerThread { throw BenchError("pg_pool_get_by_pk found \(found) of \(lookupsPerThread)") }
                }
            }
            report.line("pg_pool_raw_get_by_pk_\(threads)threads", seconds: rawSeconds, rows: threads * lookupsPerThread, raw: rawSeconds)
            report.line("pg_pool_get_by_pk_\(threads)threads", seconds: seconds, rows: threads * lookupsPerThread, raw: rawSeconds)
        }
    }

    // MARK: Threads

    /// Runs `body(t)` on `count` threads of their own (not Dispatch's pool, which runs
    /// as many at once as there are cores) and returns when all are done. The first
    /// error any thread threw is rethrown.
    static func together(_ count: Int, _ body: @escaping (Int) throws -> Void) throws {
        let done = DispatchGroup()
        let failure = Flag<String?>(nil)
        let box = UncheckedBody(body)
        for t in 0..<count {
            done.enter()
            let thread = Thread {
                do { try box.body(t) } catch { failure.set("\(error)") }
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        done.wait()
        if let message = failure.value { throw BenchError(message) }
    }

    /// `readers` threads running `reader(t)` while one more runs `writer(stop)` until
    /// they are done (`stop.value` turns true).
    static func readersWithWriter(_ readers: Int, writer: @escaping (Flag<Bool>) throws -> Void,
                                  reader: @escaping (Int) throws -> Void) throws {
        let stop = Flag(false)
        let writerDone = DispatchSemaphore(value: 0)
        let writerFailure = Flag<String?>(nil)
        let writerBox = UncheckedBody { (_: Int) in try writer(stop) }
        Thread {
            do { try writerBox.body(0) } catch { writerFailure.set("\(error)") }
            writerDone.signal()
        }.start()
        do {
            try together(readers, reader)
        } catch {
            stop.set(true)
            writerDone.wait()
            throw error
        }
        stop.set(true)
        writerDone.wait()
        if let message = writerFailure.value { throw BenchError("writer: " + message) }
    }
}

/// A value shared between threads under a lock.
final class Flag<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T { lock.lock(); defer { lock.unlock() }; return stored }
    func set(_ value: T) { lock.lock(); stored = value; lock.unlock() }
}

/// A thread body handed to `Thread` (which wants a Sendable closure); each thread
/// works on what is its own.
private final class UncheckedBody: @unchecked Sendable {
    let body: (Int) throws -> Void
    init(_ body: @escaping (Int) throws -> Void) { self.body = body }
}

/// One thread's raw libsqlite3 connection to the WAL database: opened without
/// SQLite's own mutex, as Retort's are (each is used by one thread).
private final class RawWALThread {
    let db: OpaquePointer

    init(path: String) throws {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let handle else {
            throw BenchError("sqlite3_open_v2 failed for \(path)")
        }
        db = handle
        sqlite3_busy_timeout(db, 5000)
    }

    deinit { sqlite3_close_v2(db) }

    private func exec(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
    }

    /// The readers' loop: one read transaction, one prepared statement stepped per key.
    func lookup(_ ids: [Int]) throws -> Int {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, "SELECT id, name, email FROM bench_authors WHERE id = ?", -1, &stmt, nil) == SQLITE_OK,
              let stmt else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
        defer { sqlite3_finalize(stmt) }
        try exec("BEGIN")
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
        try exec("COMMIT")
        if checksum == 0 { throw BenchError("raw WAL reader read no rows") }
        return checksum
    }

    /// The writer's loop: one-row UPDATE transactions until `stop`.
    func writeUntil(_ stop: Flag<Bool>, rows: Int) throws {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, "UPDATE bench_authors SET name = ? WHERE id = ?", -1, &stmt, nil) == SQLITE_OK,
              let stmt else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
        defer { sqlite3_finalize(stmt) }
        var i = 0
        while !stop.value {
            i += 1
            try exec("BEGIN IMMEDIATE")
            sqlite3_bind_text(stmt, 1, "w \(i)", -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            sqlite3_bind_int64(stmt, 2, Int64(i % rows + 1))
            guard sqlite3_step(stmt) == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(stmt)
            try exec("COMMIT")
        }
    }
}
