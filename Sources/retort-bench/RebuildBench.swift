import CSQLite
import Foundation

/// `sqlite_rebuild_1m_rows`: the release `migrator` applies an `alter_column` that
/// SQLite can only carry out by rebuilding the table (a column becomes NOT NULL) to a
/// table of 1M rows with two indexes; next to the same rebuild written directly against
/// libsqlite3 (create the new shape, copy the rows, drop, rename, recreate the indexes,
/// check foreign keys, bump the version row, in one transaction). Each run starts from
/// a copy of the same file.
struct RebuildBench {
    let report: Report
    let rows = 1_000_000

    func run() throws {
        guard report.wants("sqlite_rebuild_1m_rows") else { return }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("migrator").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("(sqlite_rebuild_1m_rows skipped: build the migrator first: swift build -c release --product migrator)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-rebuild-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeProject(dir)
        let migrator = MigratorBench(report: report)
        let base = dir.appendingPathComponent("base.db").path
        let bench = dir.appendingPathComponent("bench.db").path
        let floor = dir.appendingPathComponent("floor.db").path

        // The starting point: the first revision applied, then 1M rows.
        _ = try migrator.timeProcess(binary, ["upgrade", "r00000000001"], in: dir)
        do {
            let raw = try RawSQLite(path: bench)
            try raw.exec("BEGIN")
            let insert = try raw.prepare("INSERT INTO big (name, email, n) VALUES (?, ?, ?)")
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            for i in 0..<rows {
                sqlite3_bind_text(insert, 1, "name \(i % 50_000)", -1, transient)
                sqlite3_bind_text(insert, 2, "user\(i)@example.org", -1, transient)
                sqlite3_bind_int64(insert, 3, Int64(i))
                guard sqlite3_step(insert) == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(raw.db))) }
                sqlite3_reset(insert)
            }
            sqlite3_finalize(insert)
            try raw.exec("COMMIT")
        }
        try FileManager.default.moveItem(atPath: bench, toPath: base)

        var seconds = Double.infinity, floorSeconds = Double.infinity
        for _ in 0..<3 {
            for path in [bench, floor] {
                try? FileManager.default.removeItem(atPath: path)
                try FileManager.default.copyItem(atPath: base, toPath: path)
            }
            seconds = min(seconds, try migrator.timeProcess(binary, ["upgrade", "head"], in: dir))
            floorSeconds = min(floorSeconds, try rawRebuild(floor))
        }
        // Both must have done the same: NOT NULL, every row, both indexes.
        for path in [bench, floor] {
            let raw = try RawSQLite(path: path)
            let notNull = try raw.integer("SELECT \"notnull\" FROM pragma_table_info('big') WHERE name = 'name'")
            let count = try raw.integer("SELECT count(*) FROM big")
            let indexes = try raw.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'big' AND sql IS NOT NULL")
            guard notNull == 1, count == rows, indexes == 2 else {
                throw BenchError("sqlite_rebuild_1m_rows: \(path) has notnull=\(notNull), \(count) rows, \(indexes) indexes")
            }
        }
        report.line("raw_rebuild_1m_rows", seconds: floorSeconds, rows: rows, raw: floorSeconds)
        report.line("sqlite_rebuild_1m_rows", seconds: seconds, rows: rows, raw: floorSeconds,
                    extra: ["times_raw": report.fmt(seconds / floorSeconds, 2)])
    }

    private func writeProject(_ dir: URL) throws {
        let versions = dir.appendingPathComponent("migrations/versions")
        try FileManager.default.createDirectory(at: versions, withIntermediateDirectories: true)
        try "database: sqlite:///bench.db\nscript_location: migrations\n".write(
            to: dir.appendingPathComponent("migrator.yaml"), atomically: true, encoding: .utf8)
        try """
            revision: r00000000001
            down_revision: null
            message: big table
            upgrade:
              - create_table:
                  name: big
                  columns:
                    - {name: id, type: integer, nullable: false, primary_key: true}
                    - {name: name, type: string(100)}
                    - {name: email, type: string(255), nullable: false}
                    - {name: n, type: integer, nullable: false}
                  primary_key: {name: pk_big, columns: [id]}
              - create_index: {name: ix_big_name, table: big, columns: [name]}
              - create_index: {name: ix_big_email, table: big, columns: [email]}
            downgrade:
              - drop_table: {name: big}

            """.write(to: versions.appendingPathComponent("r00000000001.yaml"), atomically: true, encoding: .utf8)
        try """
            revision: r00000000002
            down_revision: r00000000001
            message: name not null
            upgrade:
              - alter_column: {table: big, column: name, nullable: false, existing_type: string(100)}
            downgrade:
              - alter_column: {table: big, column: name, nullable: true, existing_type: string(100)}

            """.write(to: versions.appendingPathComponent("r00000000002.yaml"), atomically: true, encoding: .utf8)
    }

    /// The rebuild as a careful C program writes it, timed.
    private func rawRebuild(_ path: String) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        let raw = try RawSQLite(path: path)
        try raw.exec("PRAGMA foreign_keys = ON")
        try raw.exec("BEGIN IMMEDIATE")
        try raw.exec("CREATE TABLE _big_new (id INTEGER NOT NULL, name VARCHAR(100) NOT NULL, email VARCHAR(255) NOT NULL, "
                     + "n INTEGER NOT NULL, CONSTRAINT pk_big PRIMARY KEY (id))")
        try raw.exec("INSERT INTO _big_new (id, name, email, n) SELECT id, name, email, n FROM big")
        try raw.exec("DROP TABLE big")
        try raw.exec("ALTER TABLE _big_new RENAME TO big")
        try raw.exec("CREATE INDEX ix_big_name ON big (name)")
        try raw.exec("CREATE INDEX ix_big_email ON big (email)")
        try raw.exec("PRAGMA foreign_key_check")
        try raw.exec("UPDATE migrator_version SET version_num = 'r00000000002'")
        try raw.exec("COMMIT")
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

extension RawSQLite {
    /// The first column of the first row of `sql`, as an integer (0 when there is none).
    func integer(_ sql: String) throws -> Int {
        let stmt = try prepare(sql)
        defer { sqlite3_finalize(stmt) }
        return sqlite3_step(stmt) == SQLITE_ROW ? Int(sqlite3_column_int64(stmt, 0)) : 0
    }
}
