import Foundation
import RetortCore
import RetortORM

// retort-bench: Retort's workloads next to the same work written directly against
// libsqlite3 / libpq in this process. Prints figures, asserts nothing.
//
//   swift run -c release retort-bench            # table
//   swift run -c release retort-bench --json     # one JSON object per line
//   RETORT_BENCH_POSTGRES_URL=postgresql://... swift run -c release retort-bench
//   RETORT_BENCH_MYSQL_URL=mysql://... swift run -c release retort-bench   # MySQL/MariaDB too
//   swift run -c release retort-bench --only core_select   # workloads whose name contains it

let arguments = CommandLine.arguments.dropFirst()
let json = arguments.contains("--json")
let only: String? = arguments.firstIndex(of: "--only").flatMap { i in
    arguments.index(after: i) < arguments.endIndex ? arguments[arguments.index(after: i)] : nil
}
let report = Report(json: json, only: only)

do {
    try CoreBench(report: report).runSQLite()
    try CoreSQLBench(report: report).runSQLite()
    try ORMBench(report: report).runSQLite()
    try RelationshipBench(report: report).runSQLite()
    try InheritanceBench(report: report).runSQLite()
    try AsyncBench(report: report).runSQLite()
    try ThreadBench(report: report).runSQLite()
    let reflectionFile = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-reflect-\(getpid()).db").path
    try ReflectionBench(report: report).run(prefix: "", engine: createEngine("sqlite:///" + reflectionFile))
    try AutogenerateBench(report: report).run(prefix: "", engine: createEngine("sqlite:///" + reflectionFile))
    try AdoptBench(report: report).run(prefix: "", url: "sqlite:///" + reflectionFile)
    try? FileManager.default.removeItem(atPath: reflectionFile)
    try MigratorBench(report: report).run()
    try MigratorBench(report: report).runManifest()
    try MigratorBench(report: report).runSafety()
    try RebuildBench(report: report).run()
    try HistoryBench(report: report).run()
    if let pg = ProcessInfo.processInfo.environment["RETORT_BENCH_POSTGRES_URL"], !pg.isEmpty {
        try CoreBench(report: report).runPostgres(url: pg)
        try ORMBench(report: report).runPostgres(url: pg)
        try AsyncBench(report: report).runPostgres(url: pg)
        try ThreadBench(report: report).runPostgres(url: pg)
        try PGMigrateBench(report: report).run(url: pg)
        try ReflectionBench(report: report).run(prefix: "pg_", engine: createEngine(pg))
        try AutogenerateBench(report: report).run(prefix: "pg_", engine: createEngine(pg))
        try AdoptBench(report: report).run(prefix: "pg_", url: pg)
    } else if !json {
        print("(PostgreSQL skipped: set RETORT_BENCH_POSTGRES_URL to include it)")
    }
    if let my = ProcessInfo.processInfo.environment["RETORT_BENCH_MYSQL_URL"], !my.isEmpty {
        try CoreBench(report: report).runMySQL(url: my)
        try ORMBench(report: report).runMySQL(url: my)
        try ReflectionBench(report: report).run(prefix: "my_", engine: createEngine(my))
        try AutogenerateBench(report: report).run(prefix: "my_", engine: createEngine(my))
    } else if !json {
        print("(MySQL skipped: set RETORT_BENCH_MYSQL_URL to include it)")
    }
} catch {
    FileHandle.standardError.write(Data("retort-bench: \(error)\n".utf8))
    exit(1)
}
