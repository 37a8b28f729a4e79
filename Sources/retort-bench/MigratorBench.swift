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
        let versions = dir.appendingPathComponent("migrations/versions")
        try FileManager.default.createDirectory(at: versions, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "database: sqlite:///bench.db\nscript_location: migrations\n".write(
            to: dir.appendingPathComponent("migrator.yaml"), atomically: true, encoding: .utf8)
        for i in 0..<100 {
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
        var upgradeSeconds = Double.infinity
        for _ in 0..<3 {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent("bench.db"))
            upgradeSeconds = min(upgradeSeconds, try timeProcess(binary, ["upgrade", "head"], in: dir))
        }
        var currentSeconds = Double.infinity
        for _ in 0..<5 { currentSeconds = min(currentSeconds, try timeProcess(binary, ["current"], in: dir)) }
        report.line("migrator_upgrade_100", seconds: upgradeSeconds, rows: 100, raw: nil)
        report.line("migrator_current", seconds: currentSeconds, rows: 1, raw: nil)
    }

    private func timeProcess(_ binary: String, _ args: [String], in dir: URL) throws -> Double {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        let start = DispatchTime.now().uptimeNanoseconds
        try p.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard p.terminationStatus == 0 else {
            throw BenchError("migrator \(args.joined(separator: " ")) failed: \(String(decoding: errData, as: UTF8.self))")
        }
        return seconds
    }
}
