import Foundation
import RetortCore
import RetortMigrate

/// Adopting an existing database, on the 300 tables of `reflect_300_tables`:
/// - `baseline_300_tables`: `migrator revision --baseline` through ``Project/baseline(message:revisionID:date:)``:
///   reflect, build the operations, write the revision file, stamp the database.
/// - `models_from_database_300_tables`: `migrator models --from-database --style core`:
///   reflect and write the Swift source to a file (compiling it is not measured).
struct AdoptBench {
    let report: Report

    func run(prefix: String, url: String) throws {
        guard report.wants(prefix + "baseline_300_tables") || report.wants(prefix + "models_from_database_300_tables") else { return }
        let engine = try createEngine(url)
        defer { engine.dispose() }
        let metadata = ReflectionBench.schema()
        try metadata.dropAll(engine)
        try metadata.createAll(engine)
        defer { try? metadata.dropAll(engine) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-adopt-\(getpid())").path
        let versions = dir + "/migrations/versions"
        try FileManager.default.createDirectory(atPath: versions, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "database: '\(url)'\nscript_location: migrations\n".write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        let store = VersionStore(versionTable: "migrator_version", dialect: engine.dialect)
        func reset() throws {
            for f in try FileManager.default.contentsOfDirectory(atPath: versions) { try FileManager.default.removeItem(atPath: versions + "/" + f) }
            try engine.begin { conn in
                for t in store.ownTables { try conn.execute(text("DROP TABLE IF EXISTS \(engine.dialect.quoteIdentifier(t))")) }
            }
        }

        if report.wants(prefix + "baseline_300_tables") {
            var tables = 0
            let seconds = try report.time(repeats: 5, reset: reset) {
                tables = try Project(configPath: dir + "/migrator.yaml", environment: [:]).baseline(message: "adopt").baseline.tables.count
            }
            guard tables == 300 else { throw BenchError("the baseline created \(tables) tables, expected 300") }
            report.line(prefix + "baseline_300_tables", seconds: seconds, rows: 300, raw: nil)
        }
        try reset()

        if report.wants(prefix + "models_from_database_300_tables") {
            let output = dir + "/Models.swift"
            let seconds = try report.time(repeats: 5) {
                let source = try Project(configPath: dir + "/migrator.yaml", environment: [:], operations: false).modelsSource(style: .core)
                try source.write(toFile: output, atomically: true, encoding: .utf8)
            }
            let written = try String(contentsOfFile: output, encoding: .utf8)
            let count = written.components(separatedBy: "\n    Table(\n").count - 1
            guard count == 300 else { throw BenchError("the models declare \(count) tables, expected 300") }
            report.line(prefix + "models_from_database_300_tables", seconds: seconds, rows: 300, raw: nil)
        }
    }
}
