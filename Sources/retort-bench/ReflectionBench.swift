import Foundation
import RetortCore

/// `reflect_300_tables`: 300 tables of 7 columns, one index and one foreign key each,
/// reflected whole by a fresh Inspector.
struct ReflectionBench {
    let report: Report

    static func schema() -> MetaData {
        let m = MetaData()
        for i in 0..<300 {
            var elements: [any TableElement] = [
                Column("id", .integer, primaryKey: true),
                Column("name", .string(100), nullable: false, index: true),
                Column("email", .string(255)),
                Column("score", .numeric(10, 2)),
                Column("active", .boolean, nullable: false, serverDefault: "true"),
                Column("created_at", .datetime, nullable: false, serverDefault: "CURRENT_TIMESTAMP"),
            ]
            elements.append(i == 0 ? Column("parent_id", .integer)
                                   : Column("parent_id", .integer, foreignKey: "bench_t\(i - 1).id"))
            Table("bench_t\(i)", m, elements: elements)
        }
        return m
    }

    func run(prefix: String, engine: Engine) throws {
        guard report.wants(prefix + "reflect_300_tables") else { return }
        let metadata = ReflectionBench.schema()
        try metadata.dropAll(engine)
        try metadata.createAll(engine)
        defer { try? metadata.dropAll(engine) }
        var tables = 0
        let seconds = try report.time(repeats: 5) {
            tables = try Inspector(engine).reflect().tables.count
        }
        guard tables == 300 else { throw BenchError("reflected \(tables) tables, expected 300") }
        report.line(prefix + "reflect_300_tables", seconds: seconds, rows: 300, raw: nil)
    }
}
