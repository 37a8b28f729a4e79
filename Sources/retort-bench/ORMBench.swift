import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RetortCore
import RetortORM

/// Issue-7 workloads: the Session's unit of work, identity map and loading against the
/// same work as raw libsqlite3 / libpq / libmariadb loops, with `Author(id, name, email)` and N rows.
struct ORMBench {
    let report: Report
    let n = 100_000
    let lookups = 10_000

    func runSQLite() throws {
        guard ["orm_add_all_commit", "orm_select_all", "orm_get_by_pk_loop", "orm_update_dirty_commit", "orm_update_versioned_commit"].contains(where: report.wants) else { return }
        let raw = try RawSQLite()
        try raw.exec(CoreBench.createSQLite)
        let engine = try createEngine("sqlite://")
        try engine.begin { try $0.execute(text(CoreBench.createSQLite)) }
        try run(prefix: "", engine: engine, raw: RawLoops(
            reset: { try raw.exec("DELETE FROM bench_authors") },
            insert: { try raw.insertAuthors(names: $0, emails: $1) },
            selectAll: { _ = try raw.selectAuthors() },
            lookup: { _ = try raw.lookupByID($0) },
            update: { try raw.updateNames(ids: $0, names: $1) }))
    }

    func runPostgres(url: String) throws {
        guard ["pg_orm_add_all_commit", "pg_orm_select_all", "pg_orm_get_by_pk_loop", "pg_orm_update_dirty_commit", "pg_orm_update_versioned_commit"].contains(where: report.wants) else { return }
        let engine = try createEngine(url)
        try engine.begin { conn in
            try conn.execute(text("DROP TABLE IF EXISTS bench_authors"))
            try conn.execute(text(CoreBench.createPostgres))
        }
        let libpqURL = try DatabaseURL(url).render(maskPassword: false).replacingOccurrences(of: "postgresql+libpq://", with: "postgresql://")
        let raw = try RawPostgres(url: libpqURL)
        try run(prefix: "pg_", engine: engine, raw: RawLoops(
            reset: { try raw.exec("TRUNCATE bench_authors RESTART IDENTITY") },
            insert: { try raw.insertAuthors(names: $0, emails: $1) },
            selectAll: { _ = try raw.selectAuthors() },
            lookup: { _ = try raw.lookupByID($0) },
            update: { try raw.updateNames(ids: $0, names: $1) }))
        try engine.begin { try $0.execute(text("DROP TABLE bench_authors")) }
    }

    func runMySQL(url: String) throws {
        guard ["my_orm_add_all_commit", "my_orm_select_all", "my_orm_get_by_pk_loop", "my_orm_update_dirty_commit", "my_orm_update_versioned_commit"].contains(where: report.wants) else { return }
        let engine = try createEngine(url)
        try engine.begin { conn in
            try conn.execute(text("DROP TABLE IF EXISTS bench_authors"))
            try conn.execute(text(CoreBench.createMySQL))
        }
        let raw = try RawMySQL(url: url)
        try run(prefix: "my_", engine: engine, raw: RawLoops(
            reset: { try raw.exec("TRUNCATE bench_authors") },
            insert: { try raw.insertAuthors(names: $0, emails: $1) },
            selectAll: { _ = try raw.selectAuthors() },
            lookup: { _ = try raw.lookupByID($0) },
            update: { try raw.updateNames(ids: $0, names: $1) }))
        try engine.begin { try $0.execute(text("DROP TABLE bench_authors")) }
    }

    struct RawLoops {
        let reset: () throws -> Void
        let insert: ([String], [String]) throws -> Void
        let selectAll: () throws -> Void
        let lookup: ([Int]) throws -> Void
        let update: ([Int], [String]) throws -> Void
    }

    private func run(prefix: String, engine: Engine, raw: RawLoops) throws {
        let names = (0..<n).map { "author \($0)" }
        let emails = (0..<n).map { "author\($0)@example.org" }
        let reset: () throws -> Void = {
            try raw.reset()
            try engine.begin { try $0.execute(text("DELETE FROM bench_authors")) }
        }

        // orm_add_all_commit: N new instances, one commit (one INSERT ... RETURNING id, stepped N times).
        let rawInsert = try report.time(reset: reset) { try raw.insert(names, emails) }
        if report.wants(prefix + "orm_add_all_commit") {
            // Instances and sessions are released outside the timed part (as the raw
            // loop's statement is finalized outside its).
            var kept: (Session, [BenchAuthor])?
            let seconds = try report.time(reset: { kept = nil; try reset() }) {
                let session = Session(engine)
                var authors: [BenchAuthor] = []
                authors.reserveCapacity(n)
                for i in 0..<n { authors.append(BenchAuthor(name: names[i], email: emails[i])) }
                try session.addAll(authors)
                try session.commit()
                kept = (session, authors)
            }
            withExtendedLifetime(kept) {}  // released outside the timed part
            kept = nil
            report.line(prefix + "raw_insert_loop", seconds: rawInsert, rows: n, raw: rawInsert)
            report.line(prefix + "orm_add_all_commit", seconds: seconds, rows: n, raw: rawInsert)
        }
        // The remaining workloads read the rows the raw loop wrote (ids 1...N).
        try reset()
        try raw.insert(names, emails)
        try engine.begin { try $0.execute(text("DELETE FROM bench_authors")) }
        try engine.begin { conn in
            try conn.execute(text("INSERT INTO bench_authors (name, email) VALUES (:name, :email)"),
                             (0..<n).map { ["name": names[$0], "email": emails[$0]] })
        }
        // The keys as stored (on PostgreSQL the sequence does not restart).
        let storedIDs = try engine.connect { try $0.scalars(text("SELECT id FROM bench_authors ORDER BY id"), as: Int.self).all() }

        if report.wants(prefix + "orm_select_all") {
            let rawSeconds = try report.time { try raw.selectAll() }
            var count = 0
            var kept: (Session, [BenchAuthor])?
            let seconds = try report.time(reset: { kept = nil }) {
                let session = Session(engine)
                let all = try session.scalars(select(BenchAuthor.self)).all()
                count = session.identityCount
                kept = (session, all)
            }
            withExtendedLifetime(kept) {}  // released outside the timed part
            kept = nil
            if count != n { throw BenchError("orm_select_all loaded \(count) of \(n) rows") }
            // Heap in use while the instances (and the identity map) are alive, over the
            // heap in use before the query: what holding N loaded instances costs.
            let before = Memory.heapInUse()
            var payloadBytes = 0
            var held = 0
            do {
                let session = Session(engine)
                let all = try session.scalars(select(BenchAuthor.self)).all()
                held = Memory.heapInUse() - before
                for a in all { payloadBytes += 8 + a.name.utf8.count + a.email.utf8.count }
                withExtendedLifetime(all) { session.close() }
            }
            // The rows' own size: the same rows held as plain Swift values (an array of
            // structs, appended row by row as `all()` appends instances), measured the same way.
            let beforePlain = Memory.heapInUse()
            var plainHeld = 0
            do {
                var plain: [PlainAuthor] = []
                try engine.connect { conn in
                    let result = try conn.execute(text("SELECT id, name, email FROM bench_authors"))
                    while let row = try result.next() {
                        plain.append(PlainAuthor(id: try row.get(0), name: try row.get(1), email: try row.get(2)))
                    }
                }
                plainHeld = Memory.heapInUse() - beforePlain
                withExtendedLifetime(plain) {}
            }
            let extra: [String: String] = [
                "held_mb": report.fmt(Double(held) / 1_048_576, 1),
                "bytes_per_row": String(held / n),
                "plain_struct_bytes_per_row": String(plainHeld / n),
                "held_over_plain": report.fmt(Double(held) / Double(max(1, plainHeld)), 2),
                // 8 + the UTF-8 bytes of name and email: the data, not what it occupies in memory.
                "payload_bytes_per_row": String(payloadBytes / n),
            ]
            report.line(prefix + "raw_select_all", seconds: rawSeconds, rows: n, raw: rawSeconds)
            report.line(prefix + "orm_select_all", seconds: seconds, rows: n, raw: rawSeconds, extra: extra)
        }

        if report.wants(prefix + "orm_get_by_pk_loop") {
            let ids = (0..<lookups).map { storedIDs[($0 * 7919) % n] }
            let rawSeconds = try report.time { try raw.lookup(ids) }
            var found = 0
            let seconds = try report.time {
                let session = Session(engine)  // an empty identity map: every get queries
                found = 0
                for id in ids where try session.get(BenchAuthor.self, id) != nil { found += 1 }
                try session.commit()
            }
            if found != lookups { throw BenchError("orm_get_by_pk_loop found \(found) of \(lookups) rows") }
            report.line(prefix + "raw_lookup_loop", seconds: rawSeconds, rows: lookups, raw: rawSeconds)
            report.line(prefix + "orm_get_by_pk_loop", seconds: seconds, rows: lookups, raw: rawSeconds)
        }

        if report.wants(prefix + "orm_update_dirty_commit") || report.wants(prefix + "orm_update_versioned_commit") {
            let ids = storedIDs
            let renamed = (0..<n).map { "renamed \($0)" }
            let renamedAgain = (0..<n).map { "again \($0)" }
            var round = 0
            let rawSeconds = try report.time {
                round += 1
                try raw.update(ids, round % 2 == 0 ? renamed : renamedAgain)
            }
            /// Loads every row of `M` and commits without expiring, then times renaming
            /// all of them and committing (the timed writes change loaded instances).
            func timeRenames<M: Model>(_ model: M.Type, rename: @escaping (M, String) -> Void) throws -> Double {
                var session = Session(engine)
                var loaded: [M] = []
                return try report.time(reset: {
                    session = Session(engine, expireOnCommit: false)
                    loaded = try session.scalars(select(M.self)).all()
                    try session.commit()
                    round += 1
                }) {
                    let new = round % 2 == 0 ? renamed : renamedAgain
                    for (i, a) in loaded.enumerated() { rename(a, new[i]) }
                    try session.commit()
                }
            }
            let seconds = try timeRenames(BenchAuthor.self) { $0.name = $1 }
            if report.wants(prefix + "orm_update_dirty_commit") {
                report.line(prefix + "raw_update_loop", seconds: rawSeconds, rows: n, raw: rawSeconds)
                report.line(prefix + "orm_update_dirty_commit", seconds: seconds, rows: n, raw: rawSeconds)
            }
            if report.wants(prefix + "orm_update_versioned_commit") {
                // The same rows with a version counter; its ratio is to orm_update_dirty_commit.
                try engine.begin { conn in
                    try conn.execute(text("DROP TABLE IF EXISTS bench_versioned_authors"))
                    try conn.execute(text("CREATE TABLE bench_versioned_authors (id INTEGER PRIMARY KEY, "
                        + "name VARCHAR(100) NOT NULL, email VARCHAR(255) NOT NULL, version INTEGER NOT NULL)"))
                    try conn.execute(text("INSERT INTO bench_versioned_authors SELECT id, name, email, 1 FROM bench_authors"))
                }
                let versioned = try timeRenames(BenchVersionedAuthor.self) { $0.name = $1 }
                try engine.begin { try $0.execute(text("DROP TABLE bench_versioned_authors")) }
                report.line(prefix + "orm_update_versioned_commit", seconds: versioned, rows: n, raw: seconds,
                            extra: ["ratio_is_to": "\"\(prefix)orm_update_dirty_commit\""])
            }
        }
    }
}

/// Resident memory, after handing freed heap back to the system (glibc's
/// `malloc_trim`, looked up at run time), so that a difference of two readings is what
/// the objects created between them occupy. 0 where `/proc` is unavailable.
enum Memory {
    static func heapInUse() -> Int {
        if let trim = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
            _ = unsafeBitCast(trim, to: (@convention(c) (Int) -> Int32).self)(0)
        }
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// One `bench_authors` row as a plain Swift value: the baseline of the memory figure.
struct PlainAuthor {
    let id: Int
    let name: String
    let email: String
}

let benchORM = MetaData()

/// `Author(id, name, email)` over `bench_authors`: the model the ORM workloads load and write.
@Model(table: "bench_authors", metadata: benchORM)
final class BenchAuthor {
    var id: Int?
    @Column(.string(100)) var name: String
    @Column(.string(255)) var email: String

    init(name: String, email: String) {
        self.name = name
        self.email = email
    }
}

/// `BenchAuthor` with a version counter: every UPDATE says `WHERE version = ?` and bumps it.
@Model(table: "bench_versioned_authors", metadata: benchORM, versionId: "version")
final class BenchVersionedAuthor {
    var id: Int?
    @Column(.string(100)) var name: String
    @Column(.string(255)) var email: String
    var version = 0

    init(name: String, email: String) {
        self.name = name
        self.email = email
    }
}
