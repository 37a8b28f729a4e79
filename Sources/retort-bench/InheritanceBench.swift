import CSQLite
import Foundation
import RetortCore
import RetortORM

/// Issue-25 workloads: loading an inheritance hierarchy polymorphically (every row as
/// the instance of its class) against a raw libsqlite3 loop reading the same query.
///
/// - `orm_polymorphic_select_all`: joined-table, a base with two subclass tables, N rows
///   (half of each subclass), read with the LEFT OUTER JOIN of both tables;
/// - `orm_polymorphic_single_select_all`: the same classes mapped to one table.
struct InheritanceBench {
    let report: Report
    let n = 100_000

    func runSQLite() throws {
        guard ["orm_polymorphic_select_all", "orm_polymorphic_single_select_all"].contains(where: report.wants) else { return }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("retort-bench-inherit-\(getpid()).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let engine = try createEngine("sqlite:///" + path)
        benchInheritance.including(BenchPerson.self, BenchPManager.self, BenchPEngineer.self, BenchItem.self, BenchBook.self, BenchDisc.self)
        try benchInheritance.createAll(engine)
        let session = Session(engine)
        for i in 0..<n {
            if i % 2 == 0 {
                try session.add(BenchPManager(name: "person \(i)", budget: i))
                try session.add(BenchBook(title: "item \(i)", pages: i))
            } else {
                try session.add(BenchPEngineer(name: "person \(i)", language: "lang \(i % 17)"))
                try session.add(BenchDisc(title: "item \(i)", minutes: "\(i % 90) min"))
            }
        }
        try session.commit()
        session.close()
        let raw = try RawSQLite(path: path)

        if report.wants("orm_polymorphic_select_all") {
            let rawSeconds = try report.time {
                _ = try raw.checksum(
                    "SELECT bench_people.id, bench_people.name, bench_people.kind, bench_pmanagers.budget, bench_pengineers.language "
                        + "FROM bench_people LEFT OUTER JOIN bench_pmanagers ON bench_people.id = bench_pmanagers.id "
                        + "LEFT OUTER JOIN bench_pengineers ON bench_people.id = bench_pengineers.id")
            }
            var count = 0
            var kept: (Session, [BenchPerson])?
            let seconds = try report.time(reset: { kept = nil }) {
                let session = Session(engine)
                let all = try session.scalars(select(BenchPerson.self)).all()
                count = all.count
                kept = (session, all)
            }
            if count != n { throw BenchError("orm_polymorphic_select_all loaded \(count) of \(n) rows") }
            withExtendedLifetime(kept) {}
            kept = nil
            report.line("raw_polymorphic_select_all", seconds: rawSeconds, rows: n, raw: rawSeconds)
            report.line("orm_polymorphic_select_all", seconds: seconds, rows: n, raw: rawSeconds)
        }
        if report.wants("orm_polymorphic_single_select_all") {
            let rawSeconds = try report.time {
                _ = try raw.checksum("SELECT id, title, kind, pages, minutes FROM bench_items")
            }
            var count = 0
            var kept: (Session, [BenchItem])?
            let seconds = try report.time(reset: { kept = nil }) {
                let session = Session(engine)
                let all = try session.scalars(select(BenchItem.self)).all()
                count = all.count
                kept = (session, all)
            }
            if count != n { throw BenchError("orm_polymorphic_single_select_all loaded \(count) of \(n) rows") }
            withExtendedLifetime(kept) {}
            kept = nil
            report.line("raw_polymorphic_single_select_all", seconds: rawSeconds, rows: n, raw: rawSeconds)
            report.line("orm_polymorphic_single_select_all", seconds: seconds, rows: n, raw: rawSeconds)
        }
    }
}

extension RawSQLite {
    /// Steps `sql`, reading an integer key, then text or integer columns by their type
    /// into Swift values (NULLs skipped): what building an object from each row needs.
    func checksum(_ sql: String) throws -> Int {
        let stmt = try prepare(sql)
        defer { sqlite3_finalize(stmt) }
        var checksum = 0
        let columns = sqlite3_column_count(stmt)
        while sqlite3_step(stmt) == SQLITE_ROW {
            checksum &+= Int(sqlite3_column_int64(stmt, 0))
            for c in 1..<columns {
                switch sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: checksum &+= Int(sqlite3_column_int64(stmt, c))
                case SQLITE_TEXT: checksum &+= String(cString: sqlite3_column_text(stmt, c)).utf8.count
                default: break
                }
            }
        }
        return checksum
    }
}

let benchInheritance = MetaData()

@Model(table: "bench_people", metadata: benchInheritance, polymorphicOn: "kind", identity: nil,
       subclasses: ["BenchPManager", "BenchPEngineer"])
class BenchPerson: Model {
    var id: Int?
    @Column(.string(100)) var name: String
    @Column(.string(20)) var kind: String?
    init(name: String) { self.name = name }
}

@Model(identity: "manager", table: "bench_pmanagers", metadata: benchInheritance)
final class BenchPManager: BenchPerson {
    var budget: Int
    init(name: String, budget: Int) {
        self.budget = budget
        super.init(name: name)
    }
}

@Model(identity: "engineer", table: "bench_pengineers", metadata: benchInheritance)
final class BenchPEngineer: BenchPerson {
    @Column(.string(50)) var language: String
    init(name: String, language: String) {
        self.language = language
        super.init(name: name)
    }
}

@Model(table: "bench_items", metadata: benchInheritance, polymorphicOn: "kind", identity: nil,
       subclasses: ["BenchBook", "BenchDisc"])
class BenchItem: Model {
    var id: Int?
    @Column(.string(100)) var title: String
    @Column(.string(20)) var kind: String?
    init(title: String) { self.title = title }
}

@Model(identity: "book")
final class BenchBook: BenchItem {
    var pages: Int
    init(title: String, pages: Int) {
        self.pages = pages
        super.init(title: title)
    }
}

@Model(identity: "disc")
final class BenchDisc: BenchItem {
    @Column(.string(20)) var minutes: String
    init(title: String, minutes: String) {
        self.minutes = minutes
        super.init(title: title)
    }
}
