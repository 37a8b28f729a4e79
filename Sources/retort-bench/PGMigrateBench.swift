import CLibPQ
import Foundation

/// Big-table migrations on PostgreSQL, applied by the release `migrator` to a table of
/// 1M rows while another session keeps reading it by primary key:
///
/// - `pg_add_column_default_1m_rows`: `add_column` of a NOT NULL column with a server
///   default (PostgreSQL 11+ stores the default in the catalog: no table rewrite).
/// - `pg_create_index_concurrently_1m_rows`: `create_index` with `concurrently: true`
///   in a `transactional: false` revision.
///
/// Each line gives the migrator's wall time and `reader_blocked_ms`, the longest any one
/// of the reader's queries took while it ran (`reader_idle_ms`: the same with no
/// migration running, for scale).
struct PGMigrateBench {
    let report: Report
    let rows = 1_000_000

    func run(url: String) throws {
        guard report.wants("pg_add_column_default_1m_rows") || report.wants("pg_create_index_concurrently_1m_rows") else { return }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("migrator").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("(pg big-table migrations skipped: build the migrator first: swift build -c release --product migrator)")
            return
        }
        let libpqURL = url.replacingOccurrences(of: "postgresql+libpq://", with: "postgresql://")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-pgbig-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeProject(dir)
        setenv("RETORT_BENCH_PGBIG_URL", url, 1)
        let migrator = MigratorBench(report: report)
        let admin = try RawPostgres(url: libpqURL)
        // The migrator's own tables too: the reflection workloads that run next in the
        // same database count every table there.
        let ownTables = ["pgbig", "migrator_version", "migrator_history", "migrator_progress"]
        for table in ownTables { try admin.exec("DROP TABLE IF EXISTS \(table)") }
        defer { for table in ownTables { try? admin.exec("DROP TABLE IF EXISTS \(table)") } }
        _ = try migrator.timeProcess(binary, ["upgrade", "p00000000001"], in: dir)
        try admin.exec("INSERT INTO pgbig (name, n) SELECT 'name ' || g, g FROM generate_series(1, \(rows)) g")
        try admin.exec("VACUUM ANALYZE pgbig")
        let idle = try ReaderProbe.during(libpqURL, rows: rows) { Thread.sleep(forTimeInterval: 0.5) }

        for (name, target, back) in [("pg_add_column_default_1m_rows", "p00000000002", "p00000000001"),
                                     ("pg_create_index_concurrently_1m_rows", "p00000000003", "p00000000002")] {
            if target == "p00000000003" { _ = try migrator.timeProcess(binary, ["upgrade", "p00000000002"], in: dir) }
            guard report.wants(name) else { continue }
            var best = Double.infinity, blocked = 0.0
            for _ in 0..<3 {
                var seconds = 0.0
                let probe = try ReaderProbe.during(libpqURL, rows: rows) {
                    seconds = try migrator.timeProcess(binary, ["upgrade", target], in: dir)
                }
                if seconds < best { (best, blocked) = (seconds, probe.longest) }
                _ = try migrator.timeProcess(binary, ["downgrade", back], in: dir)
            }
            report.line(name, seconds: best, rows: rows, raw: nil, extra: [
                "reader_blocked_ms": report.fmt(blocked * 1000, 1),
                "reader_idle_ms": report.fmt(idle.longest * 1000, 1),
            ])
        }
    }

    private func writeProject(_ dir: URL) throws {
        let versions = dir.appendingPathComponent("migrations/versions")
        try FileManager.default.createDirectory(at: versions, withIntermediateDirectories: true)
        try "database: ${RETORT_BENCH_PGBIG_URL}\nscript_location: migrations\n".write(
            to: dir.appendingPathComponent("migrator.yaml"), atomically: true, encoding: .utf8)
        let files = [
            """
            revision: p00000000001
            down_revision: null
            message: big table
            upgrade:
              - create_table:
                  name: pgbig
                  columns:
                    - {name: id, type: integer, nullable: false, primary_key: true}
                    - {name: name, type: string(100), nullable: false}
                    - {name: n, type: integer, nullable: false}
                  primary_key: {name: pk_pgbig, columns: [id]}
            downgrade:
              - drop_table: {name: pgbig}

            """,
            """
            revision: p00000000002
            down_revision: p00000000001
            message: flag with a default
            upgrade:
              - add_column: {table: pgbig, column: {name: flag, type: integer, nullable: false, server_default: "0"}}
            downgrade:
              - drop_column: {table: pgbig, column: flag}

            """,
            """
            revision: p00000000003
            down_revision: p00000000002
            message: index n concurrently
            transactional: false
            upgrade:
              - create_index: {name: ix_pgbig_n, table: pgbig, columns: [n], concurrently: true}
            downgrade:
              - drop_index: {name: ix_pgbig_n, table: pgbig, concurrently: true}

            """,
        ]
        for (i, yaml) in files.enumerated() {
            try yaml.write(to: versions.appendingPathComponent("p0000000000\(i + 1).yaml"), atomically: true, encoding: .utf8)
        }
    }
}

/// A session reading one row by primary key over and over on a thread of its own
/// while `body` runs; `longest` is the longest single query (the time it was blocked).
struct ReaderProbe {
    let longest: Double
    let queries: Int

    static func during(_ url: String, rows: Int, _ body: () throws -> Void) throws -> ReaderProbe {
        let reader = try RawPostgres(url: url)
        let stop = Flag(false)
        let result = Flag<(Double, Int, String?)>((0, 0, nil))
        let done = DispatchSemaphore(value: 0)
        let conn = UncheckedPointer(reader.conn)
        Thread {
            var longest = 0.0, count = 0
            var failure: String?
            while !stop.value {
                let start = DispatchTime.now().uptimeNanoseconds
                let r = String(count % rows + 1).withCString { p -> OpaquePointer? in
                    var values: [UnsafePointer<CChar>?] = [p]
                    return PQexecParams(conn.pointer, "SELECT name FROM pgbig WHERE id = $1", 1, nil, &values, nil, nil, 0)
                }
                if PQresultStatus(r) != PGRES_TUPLES_OK { failure = String(cString: PQerrorMessage(conn.pointer)) }
                PQclear(r)
                longest = max(longest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                count += 1
                if failure != nil { break }
            }
            result.set((longest, count, failure))
            done.signal()
        }.start()
        do {
            try body()
        } catch {
            stop.set(true)
            done.wait()
            throw error
        }
        stop.set(true)
        done.wait()
        withExtendedLifetime(reader) {}
        let (longest, count, failure) = result.value
        if let failure { throw BenchError("the concurrent reader failed: \(failure)") }
        return ReaderProbe(longest: longest, queries: count)
    }
}

/// A libpq connection handed to the reader thread (used by it alone meanwhile).
private struct UncheckedPointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
