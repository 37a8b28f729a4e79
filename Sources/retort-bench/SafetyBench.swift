import Foundation

/// `lint_1000_revisions`: `migrator lint --all` over 1000 revisions of 5 operations,
/// as a whole process; `verify_100_revisions`: `migrator verify` over the 100 revisions
/// of `migrator_upgrade_100` on a scratch SQLite file (each upgraded, downgraded and
/// upgraded again). Both with the release `migrator`; best of three.
extension MigratorBench {
    func runSafety() throws {
        guard report.wants("lint_1000_revisions") || report.wants("verify_100_revisions") else { return }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("migrator").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("(lint and verify skipped: build the migrator first: swift build -c release --product migrator)")
            return
        }
        if report.wants("verify_100_revisions") {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-verify-\(getpid())")
            try? FileManager.default.removeItem(at: dir)
            defer { try? FileManager.default.removeItem(at: dir) }
            try MigratorBench.writeProject(dir, revisions: 100)
            var best = Double.infinity
            for _ in 0..<3 { best = min(best, try timeProcess(binary, ["verify"], in: dir)) }
            report.line("verify_100_revisions", seconds: best, rows: 100, raw: nil)
        }
        if report.wants("lint_1000_revisions") {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-lint-\(getpid())")
            try? FileManager.default.removeItem(at: dir)
            defer { try? FileManager.default.removeItem(at: dir) }
            let versions = dir.appendingPathComponent("migrations/versions")
            try FileManager.default.createDirectory(at: versions, withIntermediateDirectories: true)
            try "database: sqlite:///bench.db\nscript_location: migrations\n".write(
                to: dir.appendingPathComponent("migrator.yaml"), atomically: true, encoding: .utf8)
            for i in 0..<1000 {
                let id = String(format: "l%011d", i)
                let parent = i == 0 ? "null" : String(format: "l%011d", i - 1)
                try """
                    revision: \(id)
                    down_revision: \(parent)
                    message: step \(i)
                    upgrade:
                      - create_table: {name: t\(i), columns: [{name: id, type: integer, nullable: false, primary_key: true}, {name: name, type: string(100)}]}
                      - create_index: {name: ix_t\(i)_name, table: t\(i), columns: [name]}
                      - add_column: {table: t\(i), column: {name: note, type: text}}
                      - add_column: {table: t\(i), column: {name: score, type: integer, nullable: false, server_default: "0"}}
                      - create_index: {name: ix_t\(i)_score, table: t\(i), columns: [score]}
                    downgrade:
                      - drop_table: {name: t\(i)}

                    """.write(to: versions.appendingPathComponent("\(id).yaml"), atomically: true, encoding: .utf8)
            }
            var best = Double.infinity
            for _ in 0..<3 { best = min(best, try timeProcess(binary, ["lint", "--all"], in: dir)) }
            report.line("lint_1000_revisions", seconds: best, rows: 1000, raw: nil)
        }
    }
}
