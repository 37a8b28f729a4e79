import Foundation
import RetortCore
import RetortMigrate

/// `autogenerate_300_tables`: the 300-table models of `reflect_300_tables` against a
/// database holding them with 30 columns missing: reflect the database and compare,
/// producing the 30 add_column operations (and their downgrade). No manifest build.
struct AutogenerateBench {
    let report: Report

    func run(prefix: String, engine: Engine) throws {
        guard report.wants(prefix + "autogenerate_300_tables") else { return }
        let metadata = ReflectionBench.schema()
        try metadata.dropAll(engine)
        try metadata.createAll(engine)
        defer { try? metadata.dropAll(engine) }
        try engine.begin { conn in
            for i in stride(from: 0, to: 300, by: 10) {
                try conn.execute(text("ALTER TABLE bench_t\(i) DROP COLUMN email"))
            }
        }
        let comparer = SchemaComparer(dialect: engine.dialect)
        var operations: [MigrationOperation] = []
        let seconds = try report.time(repeats: 5) {
            let schema = try Inspector(engine).reflect()
            operations = try comparer.compare(metadata, with: schema).upgrade
        }
        guard operations.count == 30, operations.allSatisfy({ $0.key == "add_column" }) else {
            throw BenchError("autogenerate found \(operations.count) operations, expected 30 add_column")
        }
        report.line(prefix + "autogenerate_300_tables", seconds: seconds, rows: 300, raw: nil)
    }
}
