import Foundation
import RetortMigrate

/// `graph_1000_revisions`: `migrator graph` (SVG) over 1000 revision files, in this
/// process: the files' headers read, the graph built and laid out, the SVG written to a
/// string. The history is a trunk with a branch of a few revisions every 40, merged
/// back, and one open branch; the configured database file does not exist, so nothing
/// connects. Best of three.
struct HistoryBench {
    let report: Report

    func run() throws {
        guard report.wants("graph_1000_revisions") else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-graph-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let versions = dir.appendingPathComponent("migrations/versions")
        try FileManager.default.createDirectory(at: versions, withIntermediateDirectories: true)
        let config = dir.appendingPathComponent("migrator.yaml")
        try "database: sqlite:///\(dir.path)/absent.db\nscript_location: \(dir.path)/migrations\n"
            .write(to: config, atomically: true, encoding: .utf8)
        var trunk = ""
        var branchTip: String?
        for i in 0..<1000 {
            let id = String(format: "g%011d", i)
            let phase = i % 40
            let down: [String]
            if i == 0 {
                down = []
            } else if (11...13).contains(phase), let tip = branchTip {
                down = [tip]                                  // a branch grows beside the trunk
            } else if phase == 20, let tip = branchTip {
                down = [trunk, tip]                           // and is merged back
                branchTip = nil
            } else {
                down = [trunk]
            }
            if (10...13).contains(phase) { branchTip = id } else if i != 995 { trunk = id }  // 995: an open branch
            let downText = down.isEmpty ? "null" : down.count == 1 ? down[0] : "[\(down.joined(separator: ", "))]"
            try """
                revision: \(id)
                down_revision: \(downText)
                message: step \(i) of the history
                upgrade:
                  - add_column: {table: t, column: {name: c\(i), type: integer}}
                downgrade:
                  - drop_column: {table: t, column: c\(i)}

                """.write(to: versions.appendingPathComponent("\(id).yaml"), atomically: true, encoding: .utf8)
        }
        var size = 0
        let seconds = try report.time {
            let project = try Project(configPath: config.path, environment: [:], operations: false)
            size = project.drawGraph(.svg).picture.utf8.count
        }
        report.line("graph_1000_revisions", seconds: seconds, rows: 1000, raw: nil, extra: ["svg_bytes": "\(size)"])
    }
}
