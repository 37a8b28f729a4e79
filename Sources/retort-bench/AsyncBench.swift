import Foundation
import RetortCore

/// Issue-24 workloads: the async API next to the synchronous one doing the same work on
/// the same database — a primary-key lookup loop and a select of every row — and the
/// difference per statement (the async API's cost: the task's hop onto the connection's
/// thread is paid once per `connect`, each statement pays a cancellation handler).
struct AsyncBench {
    let report: Report
    let rows = 20_000
    let lookups = 20_000

    static let create = "CREATE TABLE bench_async (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(255) NOT NULL)"

    func runSQLite() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-async-\(getpid()).db").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try run(prefix: "", url: "sqlite:///" + file)
    }

    func runPostgres(url: String) throws {
        try run(prefix: "pg_", url: url)
    }

    private func run(prefix: String, url: String) throws {
        guard [prefix + "async_get_by_pk_loop", prefix + "async_select_all"].contains(where: report.wants) else { return }
        let engine = try createEngine(url, pool: PoolOptions(size: 2))
        defer { engine.dispose() }
        try engine.begin { conn in
            try conn.execute(text("DROP TABLE IF EXISTS bench_async"))
            try conn.execute(text(AsyncBench.create))
            try conn.execute(text("INSERT INTO bench_async (id, name, email) VALUES (:id, :name, :email)"),
                             (1...rows).map { ["id": $0, "name": "author \($0)", "email": "author\($0)@example.org"] as Parameters })
        }
        let async = AsyncEngine(engine)
        let lookup = text("SELECT name FROM bench_async WHERE id = :id")
        let all = text("SELECT id, name, email FROM bench_async")
        let n = rows, lookups = self.lookups

        if report.wants(prefix + "async_get_by_pk_loop") {
            let syncSeconds = try report.time {
                try engine.connect { conn in
                    for i in 0..<lookups {
                        _ = try conn.scalar(lookup, ["id": i % n + 1], as: String.self)
                    }
                }
            }
            let asyncSeconds = try report.time {
                try blocking {
                    try await async.connect { conn in
                        for i in 0..<lookups {
                            _ = try await conn.scalar(lookup, ["id": i % n + 1], as: String.self)
                        }
                    }
                }
            }
            report.line(prefix + "sync_get_by_pk_loop", seconds: syncSeconds, rows: lookups, raw: nil)
            report.line(prefix + "async_get_by_pk_loop", seconds: asyncSeconds, rows: lookups, raw: syncSeconds, extra: [
                "overhead_us_per_statement": String(format: "%.2f", (asyncSeconds - syncSeconds) / Double(lookups) * 1e6),
            ])
        }
        if report.wants(prefix + "async_select_all") {
            var checksum = 0
            let syncSeconds = try report.time {
                try engine.connect { conn in
                    let result = try conn.execute(all)
                    while let row = try result.next() {
                        let name: String = try row.get(1)
                        checksum &+= name.utf8.count
                    }
                }
            }
            let asyncSeconds = try report.time {
                checksum &+= try blocking {
                    try await async.connect { conn in
                        var sum = 0
                        for try await row in try await conn.execute(all) {
                            let name: String = try row.get(1)
                            sum &+= name.utf8.count
                        }
                        return sum
                    }
                }
            }
            if checksum == 0 { throw BenchError("async_select_all read no rows") }
            report.line(prefix + "sync_select_all", seconds: syncSeconds, rows: n, raw: nil)
            report.line(prefix + "async_select_all", seconds: asyncSeconds, rows: n, raw: syncSeconds, extra: [
                "overhead_us_per_row": String(format: "%.3f", (asyncSeconds - syncSeconds) / Double(n) * 1e6),
            ])
        }
        try engine.begin { try $0.execute(text("DROP TABLE bench_async")) }
    }

    /// Runs async work from the benchmark's synchronous main thread and waits for it.
    private func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome<T>()
        Task {
            do { outcome.value = .success(try await body()) } catch { outcome.value = .failure(error) }
            done.signal()
        }
        done.wait()
        return try outcome.value!.get()
    }
}

/// The result of work done in a task, read by the thread that waited for it (the
/// semaphore orders the write before the read).
private final class Outcome<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}
