import Foundation

/// `migrator_upgrade_100`: 100 revisions, each creating a table of 6 columns with an
/// index and a foreign key to the previous table, applied by the release `migrator`
/// binary as a whole process to a fresh SQLite file; then `migrator current`.
struct MigratorBench {
    let report: Report

    func run() throws {
        guard report.wants("migrator_upgrade_100") || report.wants("migrator_current") else { return }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("migrator").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("(migrator_upgrade_100 skipped: build the migrator first: swift build -c release --product migrator)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-migrator-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        try MigratorBench.writeProject(dir, revisions: 100)
        // The floor: the same 100 transactions (table, index, version row) written
        // directly against libsqlite3 on the same disk, with SQLite's default durability.
        // The two alternate, best of five each: this disk's fsync time drifts by 2x
        // within a minute, and runs taken one after the other would compare phases.
        var upgradeSeconds = Double.infinity, floorSeconds = Double.infinity
        for _ in 0..<5 {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent("bench.db"))
            upgradeSeconds = min(upgradeSeconds, try timeProcess(binary, ["upgrade", "head"], in: dir))
            floorSeconds = min(floorSeconds, try rawUpgrade(path: dir.appendingPathComponent("floor.db").path))
        }
        var currentSeconds = Double.infinity
        for _ in 0..<5 { currentSeconds = min(currentSeconds, try timeProcess(binary, ["current"], in: dir)) }
        report.line("raw_upgrade_100_floor", seconds: floorSeconds, rows: 100, raw: floorSeconds)
        report.line("migrator_upgrade_100", seconds: upgradeSeconds, rows: 100, raw: floorSeconds)
        report.line("migrator_current", seconds: currentSeconds, rows: 1, raw: nil)
    }

    /// A project in `dir` (config and `migrations/versions`) of `revisions` revisions,
    /// each creating a table of 6 columns with an index and a foreign key to the
    /// previous table.
    static func writeProject(_ dir: URL, revisions: Int) throws {
        let versions = dir.appendingPathComponent("migrations/versions")
        try FileManager.default.createDirectory(at: versions, withIntermediateDirectories: true)
        try "database: sqlite:///bench.db\nscript_location: migrations\n".write(
            to: dir.appendingPathComponent("migrator.yaml"), atomically: true, encoding: .utf8)
        for i in 0..<revisions {
            let id = String(format: "b%011d", i)
            let parent = i == 0 ? "null" : String(format: "b%011d", i - 1)
            var fk = ""
            if i > 0 {
                fk = "      foreign_keys:\n        - {name: fk_t\(i)_prev_id_t\(i - 1), columns: [prev_id], ref_table: t\(i - 1), ref_columns: [id]}\n"
            }
            let yaml = """
                revision: \(id)
                down_revision: \(parent)
                message: table \(i)
                upgrade:
                  - create_table:
                      name: t\(i)
                      columns:
                        - {name: id, type: integer, nullable: false, primary_key: true}
                        - {name: name, type: string(100), nullable: false}
                        - {name: email, type: string(255)}
                        - {name: created_at, type: datetime, nullable: false, server_default: CURRENT_TIMESTAMP}
                        - {name: score, type: "numeric(10,2)"}
                        - {name: prev_id, type: integer}
                      primary_key: {name: pk_t\(i), columns: [id]}

                """ + fk + """
                  - create_index: {name: ix_t\(i)_name, table: t\(i), columns: [name]}
                downgrade:
                  - drop_table: {name: t\(i)}

                """
            try yaml.write(to: versions.appendingPathComponent("\(id).yaml"), atomically: true, encoding: .utf8)
        }
    }

    /// `migrator_manifest_warm`: what reading the models from an unchanged (cached)
    /// manifest module adds to a command — `migrator metadata` on this repository's
    /// ExampleModels against `migrator heads` (same config and scripts, no models).
    /// Run from the repository root; the first (cold) build is not timed.
    func runManifest() throws {
        guard report.wants("migrator_manifest_warm") else { return }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("migrator").path
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        guard FileManager.default.isExecutableFile(atPath: binary),
              FileManager.default.fileExists(atPath: root.appendingPathComponent("migrations-example/Models").path)
        else {
            print("(migrator_manifest_warm skipped: run from the repository root after building the migrator)")
            return
        }
        _ = try timeProcess(binary, ["metadata"], in: root)  // cold: builds the dump program once
        var warm = Double.infinity, baseline = Double.infinity
        for _ in 0..<7 {
            warm = min(warm, try timeProcess(binary, ["metadata"], in: root))
            baseline = min(baseline, try timeProcess(binary, ["heads"], in: root))
        }
        report.line("migrator_heads_baseline", seconds: baseline, rows: 1, raw: nil)
        report.line("migrator_manifest_warm", seconds: warm, rows: 1, raw: nil,
                    extra: ["added_s": report.fmt(warm - baseline, 3)])
    }

    /// The C floor of `migrator_upgrade_100`, timed: a fresh file, then 100 transactions.
    private func rawUpgrade(path: String) throws -> Double {
        try? FileManager.default.removeItem(atPath: path)
        let start = DispatchTime.now().uptimeNanoseconds
        let raw = try RawSQLite(path: path)
        try raw.exec("PRAGMA foreign_keys = ON")
        try raw.exec("CREATE TABLE v (version_num VARCHAR(64) NOT NULL PRIMARY KEY)")
        for i in 0..<100 {
            let fk = i == 0 ? "" : ", CONSTRAINT fk_t\(i) FOREIGN KEY (prev_id) REFERENCES t\(i - 1) (id)"
            try raw.exec("BEGIN; CREATE TABLE t\(i) (id INTEGER NOT NULL, name VARCHAR(100) NOT NULL, email VARCHAR(255), "
                         + "created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, score NUMERIC(10, 2), prev_id INTEGER, "
                         + "CONSTRAINT pk_t\(i) PRIMARY KEY (id)\(fk)); CREATE INDEX ix_t\(i)_name ON t\(i) (name); "
                         + (i == 0 ? "INSERT INTO v VALUES ('b0')" : "UPDATE v SET version_num = 'b\(i)'") + "; COMMIT")
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Runs the binary with posix_spawn (Foundation's Process adds tens of milliseconds
    /// of its own) and returns the wall-clock seconds; output goes to /dev/null.
    func timeProcess(_ binary: String, _ args: [String], in dir: URL) throws -> Double {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(dir.path)  // the config names bench.db relative to it
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + args).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        guard posix_spawn(&pid, binary, &actions, nil, argv, environ) == 0 else {
            throw BenchError("could not start \(binary)")
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard status == 0 else {
            throw BenchError("migrator \(args.joined(separator: " ")) failed (status \(status)); run it in \(dir.path) to see why")
        }
        return seconds
    }
}
