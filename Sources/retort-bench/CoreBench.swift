import Foundation
import RetortCore

/// Issue-2 workloads: executemany insert and select-all of `bench_authors`, N rows.
struct CoreBench {
    let report: Report
    let n = 100_000

    private var names: [String] { (0..<n).map { "author \($0)" } }
    private var emails: [String] { (0..<n).map { "author\($0)@example.org" } }

    static let createSQLite = "CREATE TABLE bench_authors (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(255) NOT NULL)"
    static let createPostgres = "CREATE TABLE bench_authors (id SERIAL PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(255) NOT NULL)"
    static let createMySQL = "CREATE TABLE bench_authors (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, "
        + "email VARCHAR(255) NOT NULL) ENGINE=InnoDB"

    func runSQLite() throws {
        let names = self.names, emails = self.emails
        let raw = try RawSQLite()
        try raw.exec(CoreBench.createSQLite)
        let engine = try createEngine("sqlite://")
        try engine.begin { try $0.execute(text(CoreBench.createSQLite)) }
        try run(prefix: "", engine: engine, names: names, emails: emails,
                rawInsert: { try raw.exec("DELETE FROM bench_authors"); try raw.insertAuthors(names: names, emails: emails) },
                rawSelect: { _ = try raw.selectAuthors() })
    }

    func runPostgres(url: String) throws {
        let names = self.names, emails = self.emails
        let engine = try createEngine(url)
        try engine.begin { conn in
            try conn.execute(text("DROP TABLE IF EXISTS bench_authors"))
            try conn.execute(text(CoreBench.createPostgres))
        }
        let libpqURL = try DatabaseURL(url).render(maskPassword: false).replacingOccurrences(of: "postgresql+libpq://", with: "postgresql://")
        let raw = try RawPostgres(url: libpqURL)
        try run(prefix: "pg_", engine: engine, names: names, emails: emails, clear: "TRUNCATE bench_authors",
                rawInsert: { try raw.exec("TRUNCATE bench_authors"); try raw.insertAuthors(names: names, emails: emails) },
                rawSelect: { _ = try raw.selectAuthors() })
        try engine.begin { try $0.execute(text("DROP TABLE bench_authors")) }
    }

    func runMySQL(url: String) throws {
        let names = self.names, emails = self.emails
        let engine = try createEngine(url)
        try engine.begin { conn in
            try conn.execute(text("DROP TABLE IF EXISTS bench_authors"))
            try conn.execute(text(CoreBench.createMySQL))
        }
        let raw = try RawMySQL(url: url)
        try run(prefix: "my_", engine: engine, names: names, emails: emails, clear: "TRUNCATE bench_authors",
                rawInsert: { try raw.exec("TRUNCATE bench_authors"); try raw.insertAuthors(names: names, emails: emails) },
                rawSelect: { _ = try raw.selectAuthors() })
        try engine.begin { try $0.execute(text("DROP TABLE bench_authors")) }
    }

    /// `clear` empties the table between rounds (TRUNCATE where the database has it).
    private func run(prefix: String, engine: Engine, names: [String], emails: [String], clear: String = "DELETE FROM bench_authors",
                     rawInsert: () throws -> Void, rawSelect: () throws -> Void) throws {
        let insert = text("INSERT INTO bench_authors (name, email) VALUES (:name, :email)")
        if report.wants(prefix + "core_insert_executemany") {
            let rawSeconds = try report.time(rawInsert)
            let seconds = try report.time(reset: { _ = try engine.begin { try $0.execute(text(clear)) } }) {
                try engine.begin { conn in
                    var sets: [Parameters] = []
                    sets.reserveCapacity(names.count)
                    for i in names.indices { sets.append(["name": names[i], "email": emails[i]]) }
                    try conn.execute(insert, sets)
                }
            }
            report.line(prefix + "raw_insert_loop", seconds: rawSeconds, rows: n, raw: rawSeconds)
            report.line(prefix + "core_insert_executemany", seconds: seconds, rows: n, raw: rawSeconds)
        }
        if report.wants(prefix + "core_select_all") {
            let count = try engine.connect { try $0.scalar(text("SELECT count(*) FROM bench_authors"), as: Int.self) }
            if count != n {
                try engine.begin { conn in
                    try conn.execute(text(clear))
                    try conn.execute(insert, names.indices.map { ["name": names[$0], "email": emails[$0]] })
                }
                try rawInsert()
            }
            let rawSeconds = try report.time(rawSelect)
            var checksum = 0
            let seconds = try report.time {
                try engine.connect { conn in
                    let result = try conn.execute(text("SELECT id, name, email FROM bench_authors"))
                    while let row = try result.next() {
                        let name: String = try row.get(1)
                        let email: String = try row.get(2)
                        checksum &+= name.utf8.count &+ email.utf8.count
                    }
                }
            }
            report.line(prefix + "raw_select_loop", seconds: rawSeconds, rows: n, raw: rawSeconds)
            report.line(prefix + "core_select_all", seconds: seconds, rows: n, raw: rawSeconds)
        }
    }
}
