import Foundation
import RetortCore

/// Issue-3 workloads: one SELECT shape executed many times with new values (the
/// compiled-statement cache's hot path) against the same lookups through a raw
/// prepared statement, and the compile time of an uncached three-table join.
struct CoreSQLBench {
    let report: Report
    let rows = 10_000
    let lookups = 10_000

    func runSQLite() throws {
        let metadata = MetaData()
        let authors = Table("bench_authors", metadata,
                            Column("id", .integer, primaryKey: true),
                            Column("name", .string(100), nullable: false),
                            Column("email", .string(255), nullable: false))
        let names = (0..<rows).map { "author \($0)" }
        let emails = (0..<rows).map { "author\($0)@example.org" }
        let ids = (0..<lookups).map { $0 % rows + 1 }

        let raw = try RawSQLite()
        try raw.exec(CoreBench.createSQLite)
        try raw.insertAuthors(names: names, emails: emails)
        let engine = try createEngine("sqlite://")
        try metadata.createAll(engine)
        try engine.begin { conn in
            try conn.execute(authors.insert(), (0..<rows).map { ["name": names[$0], "email": emails[$0]] })
        }

        if report.wants("core_select_cached_shape") {
            let rawSeconds = try report.time { _ = try raw.lookupByID(ids) }
            var checksum = 0
            let seconds = try report.time {
                try engine.connect { conn in
                    for id in ids {
                        let statement = select(authors.c.id, authors.c.name, authors.c.email).where(authors.c.id == id)
                        if let row = try conn.execute(statement).first() {
                            let name: String = try row.get(1)
                            let email: String = try row.get(2)
                            checksum &+= name.utf8.count &+ email.utf8.count
                        }
                    }
                }
            }
            let overhead = (seconds - rawSeconds) / Double(lookups) * 1e6
            // RETORT_BENCH_DETAIL=1 splits the overhead: building the statement, compiling it
            // through the cache, and the engine's own share (the same SELECT as text()).
            if ProcessInfo.processInfo.environment["RETORT_BENCH_DETAIL"] != nil {
                let build = try report.time(repeats: 9) {
                    for id in ids { checksum &+= select(authors.c.id, authors.c.name, authors.c.email).where(authors.c.id == id).columns.count }
                }
                let compile = try report.time(repeats: 9) {
                    for id in ids {
                        checksum &+= try select(authors.c.id, authors.c.name, authors.c.email).where(authors.c.id == id).compile(for: .sqlite).bindings.count
                    }
                }
                let stmt = text("SELECT bench_authors.id, bench_authors.name, bench_authors.email FROM bench_authors WHERE bench_authors.id = :id")
                let textSeconds = try report.time {
                    try engine.connect { conn in
                        for id in ids {
                            if let row = try conn.execute(stmt, ["id": id]).first() {
                                let name: String = try row.get(1)
                                checksum &+= name.utf8.count
                            }
                        }
                    }
                }
                report.line("core_select_cached_shape_parts", seconds: seconds, rows: lookups, raw: rawSeconds, extra: [
                    "build_us": String(format: "%.2f", build / Double(lookups) * 1e6),
                    "compile_us": String(format: "%.2f", (compile - build) / Double(lookups) * 1e6),
                    "text_exec_overhead_us": String(format: "%.2f", (textSeconds - rawSeconds) / Double(lookups) * 1e6),
                ])
            }
            report.line("raw_lookup_loop", seconds: rawSeconds, rows: lookups, raw: rawSeconds)
            report.line("core_select_cached_shape", seconds: seconds, rows: lookups, raw: rawSeconds,
                        extra: ["overhead_us": String(format: "%.2f", overhead)])
        }

        if report.wants("core_compile_uncached_join") {
            let books = Table("bench_books", metadata,
                              Column("id", .integer, primaryKey: true),
                              Column("author_id", .integer, foreignKey: "bench_authors.id"),
                              Column("title", .string(200)))
            let reviews = Table("bench_reviews", metadata,
                                Column("id", .integer, primaryKey: true),
                                Column("book_id", .integer, foreignKey: "bench_books.id"),
                                Column("stars", .integer))
            let n = 10_000
            var length = 0
            let seconds = try report.time {
                for i in 0..<n {
                    let q = select(authors.c.name, books.c.title, reviews.c.stars)
                        .selectFrom(authors.join(books).join(reviews))
                        .where(authors.c.id == i && reviews.c.stars >= 4)
                        .orderBy(books.c.title)
                    length &+= try q.compileUncached(for: engine.dialect).sql.utf8.count
                }
            }
            report.line("core_compile_uncached_join", seconds: seconds, rows: n, raw: nil,
                        extra: ["us_per_compile": String(format: "%.2f", seconds / Double(n) * 1e6)])
        }
    }
}
