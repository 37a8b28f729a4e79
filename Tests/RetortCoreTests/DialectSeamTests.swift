import Foundation
import RetortCore
import RetortTestSupport
import XCTest

/// The dialect seam: one value per database, owned by its folder, and one spelling of
/// literals that stores exactly what binding the same value stores.
final class DialectSeamTests: XCTestCase {
    /// Offline scripts write values as literals (`migrator upgrade --sql`); executed
    /// statements bind them. A row inserted each way must read back the same, for every
    /// kind of value, on every database — random values, seeded (`RETORT_LITERAL_SEED`).
    func testLiteralsStoreWhatBindingStores() throws {
        let seed = ProcessInfo.processInfo.environment["RETORT_LITERAL_SEED"].flatMap(UInt64.init) ?? 20261207
        try forEachBackend { engine in
            var rng = SeededGenerator(seed: seed)
            let m = MetaData()
            let t = Table("kinds", m,
                          Column("id", .integer, primaryKey: true, autoincrement: false),
                          Column("i", .bigint), Column("r", .double), Column("n", .numeric(precision: 20, scale: 6)),
                          Column("s", .text), Column("b", .boolean), Column("ts", .datetime(timezone: true)),
                          Column("u", .uuid), Column("bl", .binary))
            try m.createAll(engine)
            let d = engine.dialect
            for round in 0..<40 {
                let values = Self.randomRow(&rng)
                var bound: [String: (any SQLExpressible)?] = ["id": 2 * round + 1]
                for (name, value) in values { bound[name] = value }
                try engine.begin { conn in
                    try conn.execute(t.insert().values(bound))
                    var literalRow = ["id": 2 * round + 2] as [String: (any SQLExpressible)?]
                    for (name, value) in values { literalRow[name] = value }
                    let sql = try d.literalSQL(t.insert().values(literalRow).compile(for: d))
                    try conn.execute(text(sql))
                }
                let rows = try engine.connect { conn in
                    try conn.execute(select(t).where(t.c.id.in([2 * round + 1, 2 * round + 2])).orderBy(t.c.id)).all()
                }
                XCTAssertEqual(rows.count, 2)
                for name in values.keys.sorted() {
                    let a = try rows[0].get(name, as: SQLValue.self), b = try rows[1].get(name, as: SQLValue.self)
                    XCTAssertEqual(a, b, "\(d.name), seed \(seed), round \(round): column \(name) bound \(values[name]!) "
                                   + "read back \(a), as a literal \(b)")
                }
            }
        }
    }

    static func randomRow(_ rng: inout SeededGenerator) -> [String: SQLValue] {
        func text() -> String {
            let alphabet = Array("ab'\"\\ %_\n\tü€😀?$1:x")
            return String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        }
        let reals: [Double] = [0, -0.5, 1e-300, 123.456, -9.75e15, Double.random(in: -1e6...1e6, using: &rng)]
        let micros = Int64.random(in: -2_000_000_000_000_000...4_000_000_000_000_000, using: &rng)
        var row: [String: SQLValue] = [
            "i": .integer(Int64.random(in: Int64.min...Int64.max, using: &rng)),
            "r": .real(reals.randomElement(using: &rng)!),
            "n": .decimal(Decimal(string: "\(Int.random(in: -99_999...99_999, using: &rng)).\(Int.random(in: 0...999_999, using: &rng))")!),
            "s": .text(text()),
            "b": .bool(Bool.random(using: &rng)),
            "ts": .timestamp(Date(timeIntervalSince1970: Double(micros) / 1_000_000)),
            "u": .uuid(UUID()),
            "bl": .blob(Data((0..<Int.random(in: 0...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })),
        ]
        // Some NULLs, in any column.
        for key in row.keys where Int.random(in: 0..<8, using: &rng) == 0 { row[key] = .null }
        return row
    }

    /// The one literal renderer: a compiled statement's literal values and
    /// `Dialect.literal` agree, including the values that used to differ.
    func testOneLiteralSpellingPerDialect() throws {
        let when = Date(timeIntervalSince1970: 1_700_000_000.25)
        XCTAssertEqual(try Dialect.postgresql.literal(.timestamp(when)), "'2023-11-14 22:13:20.250000+00'")
        XCTAssertEqual(try Dialect.sqlite.literal(.timestamp(when)), "'2023-11-14 22:13:20.250000'")
        XCTAssertEqual(try Dialect.sqlite.literal(.real(.infinity)), "9e999")
        XCTAssertEqual(try Dialect.postgresql.literal(.real(-.infinity)), "'-Infinity'::float8")
        XCTAssertThrowsError(try Dialect.sqlite.literal(.real(.nan)), "SQLite stores NaN as NULL: refused")
        XCTAssertEqual(try Dialect.sqlite.literal(.bool(true)), "1")
        XCTAssertEqual(try Dialect.postgresql.literal(.bool(false)), "false")
        XCTAssertEqual(try Dialect.postgresql.literal(.blob(Data([1, 255]))), "'\\x01ff'::bytea")
        let q = select(literal(when))
        for d in [Dialect.sqlite, .postgresql] {
            XCTAssertEqual(try d.literalSQL(q.compile(for: d)), "SELECT " + (try d.literal(.timestamp(when))))
        }
    }

    /// Each database is reached through the registry: its URL schemes, its driver, its
    /// folder's dialect value.
    func testRegisteredDialectsOwnTheirSchemes() throws {
        XCTAssertEqual(Dialect.registered.map(\.name), ["sqlite", "postgresql", "mysql", "oracle", "mssql"])
        XCTAssertEqual(Dialect.named("postgres")?.name, "postgresql")
        XCTAssertEqual(Dialect.named("mariadb")?.name, "mysql")
        XCTAssertEqual(try DatabaseURL("mariadb://u@h/db").backend, "mysql")
        XCTAssertEqual(try DatabaseURL("mysql+libmariadb://u@h/db").driverName, "libmariadb")
        XCTAssertNil(Dialect.named("db2"))
        XCTAssertEqual(try DatabaseURL("postgres://u@h/db").backend, "postgresql")
        XCTAssertEqual(try DatabaseURL("postgresql+libpq://u@h/db").driverName, "libpq")
        XCTAssertThrowsError(try DatabaseURL("sqlite+libpq:///x.db"))
        XCTAssertTrue(try DatabaseURL("sqlite:///x.db").namesAFile)
        XCTAssertFalse(try DatabaseURL("postgresql://h/db").namesAFile)
        XCTAssertEqual(try createEngine("sqlite://").dialect, .sqlite)
    }

    /// No database's name is compared outside its own folders: shared code asks a
    /// capability or calls the database's dialect. (A new database then adds files under
    /// its folders plus registrations.)
    func testNoDatabaseNameIsComparedOutsideItsFolders() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let pattern = try NSRegularExpression(
            pattern: #"(==|!=)\s*"(sqlite|postgres|postgresql|mysql|mariadb|oracle|mssql)"|case\s+"(sqlite|postgres|postgresql|mysql|mariadb|oracle|mssql)""#)
        let folders = ["/SQLite/", "/PostgreSQL/", "/MySQL/", "/Oracle/", "/SQLServer/"]
        var offenders: [String] = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        for case let file as URL in files where file.pathExtension == "swift" {
            let path = file.path
            if folders.contains(where: { path.contains("/Dialects" + $0) || path.contains("/Drivers" + $0) }) { continue }
            let body = try String(contentsOf: file, encoding: .utf8)
            for (n, line) in body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let s = String(line)
                if s.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }
                if pattern.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil {
                    offenders.append("\(path.replacingOccurrences(of: sources.path + "/", with: "")):\(n + 1): \(s)")
                }
            }
        }
        XCTAssertEqual(offenders, [], "database names compared outside their dialect folders")
    }
}
