import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// Random columns holding random values (long decimals, text that looks like numbers,
/// blobs, NULL), altered to random types on SQLite: after every alter either the step
/// failed and nothing changed, or every value is the same value in the new type (a
/// number equal to the number it was, text spelling the number it became). Never a
/// silently changed value.
final class SQLiteTypeChangeFuzzTests: XCTestCase {
    static let types = ["integer", "bigint", "smallint", "text", "string(20)", "string(40)", "numeric(30,10)", "numeric(32,10)",
                        "numeric(10,2)", "double", "float", "boolean", "binary", "datetime", "date", "uuid", "json"]

    static let longDecimal = "12345678901234567890.0123456789"

    static func randomValue(_ rng: inout SeededGenerator) -> SQLValue {
        let pool: [SQLValue] = [
            .null, .integer(0), .integer(1), .integer(-7), .integer(Int64.max), .integer(9_007_199_254_740_993), .real(1.5),
            .real(2.0), .real(-0.25), .real(1e300), .real(0.1), .text("C1"), .text("1"), .text(" 1"), .text("1.0"), .text("0012"),
            .text("1e5"), .text(longDecimal), .text(""), .text("abc"), .text("2024-01-02 03:04:05"), .text("-3"),
            .blob(Data([0, 255])), .blob(Data(longDecimal.utf8)), .blob(Data("7".utf8)),
        ]
        return pool[Int(rng.next() % UInt64(pool.count))]
    }

    /// True when `new` is `old` in another storage class without changing what it means.
    static func sameValue(_ old: SQLValue, _ new: SQLValue) -> Bool {
        func exact(_ i: Int64, _ d: Double) -> Bool { d.isFinite && Double(i) == d && abs(d) < 9.2e18 && Int64(d) == i }
        func number(_ s: String) -> Double? { Double(s.trimmingCharacters(in: .whitespaces)) }
        switch (old, new) {
        case (.null, .null): return true
        case (.integer(let a), .integer(let b)): return a == b
        case (.real(let a), .real(let b)): return a == b
        case (.text(let a), .text(let b)): return a == b
        case (.blob(let a), .blob(let b)): return a == b
        case (.integer(let i), .real(let d)), (.real(let d), .integer(let i)): return exact(i, d)
        case (.text(let s), .integer(let i)), (.integer(let i), .text(let s)):
            if let whole = Int64(s.trimmingCharacters(in: .whitespaces)) { return whole == i }
            return number(s).map { exact(i, $0) } ?? false
        case (.text(let s), .real(let d)):
            // The text's decimal is exactly the number (0.1 is; a 30-digit decimal is not).
            guard let a = Decimal(string: s.trimmingCharacters(in: .whitespaces)), let b = Decimal(string: "\(d)") else { return false }
            return a == b
        case (.real(let d), .text(let s)): return number(s) == d
        default: return false
        }
    }

    func testRandomTypeChangesNeverChangeAValueSilently() throws {
        // RETORT_FUZZ_SEED=N replays one seed; RETORT_FUZZ_RUNS=N runs seeds 1...N (12 by default).
        let environment = ProcessInfo.processInfo.environment
        let seeds: [UInt64] = environment["RETORT_FUZZ_SEED"].flatMap(UInt64.init).map { [$0] }
            ?? Array(1...max(1, environment["RETORT_FUZZ_RUNS"].flatMap(UInt64.init) ?? 12))
        var applied = 0, refused = 0
        for seed in seeds {
            var rng = SeededGenerator(seed: seed)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(seed)-\(UUID().uuidString.prefix(6)).db").path
            let engine = try createEngine("sqlite:///" + path)
            var types = (0..<4).map { _ in Self.types[Int(rng.next() % UInt64(Self.types.count))] }
            let applier = CoreOperationApplier()
            try engine.connect { conn in
                let columns = try types.enumerated().map { i, t in
                    "c\(i) " + (try conn.dialect.typeCompiler.typeName(try SQLType(name: t, enums: [:])))
                }
                try conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, \(columns.joined(separator: ", ")))"))
                for _ in 0..<12 {
                    let values = (0..<types.count).map { _ in Self.randomValue(&rng) }
                    try conn.execute(text("INSERT INTO t (c0, c1, c2, c3) VALUES (:a, :b, :c, :d)"),
                                     ["a": values[0], "b": values[1], "c": values[2], "d": values[3]])
                }
                if conn.inTransaction { try conn.commit() }
                try conn.executeOutsideTransaction(conn.dialect.migration.foreignKeyHandling.before)
            }
            for step in 0..<10 {
                let column = Int(rng.next() % UInt64(types.count))
                let newType = Self.types[Int(rng.next() % UInt64(Self.types.count))]
                let context = "seed \(seed) step \(step): c\(column) \(types[column]) -> \(newType)"
                try engine.connect { conn in
                    let read = "SELECT id, c0, c1, c2, c3 FROM t ORDER BY id"
                    let before = try conn.execute(text(read)).all().map(\.values)
                    let schemaBefore = try conn.execute(text("SELECT sql FROM sqlite_master ORDER BY name")).all().map(\.values)
                    var spec = AlterColumnSpec(table: "t", column: "c\(column)")
                    spec.type = newType
                    let executor = LiveExecutor(conn, immediate: true)
                    try executor.begin()
                    do {
                        try applier.apply(.alterColumn(spec), on: executor)
                        try executor.commit()
                    } catch let error as MigrateError {
                        try executor.rollback()
                        XCTAssertTrue(error.message.contains("would change its values"), "\(context): \(error)")
                        XCTAssertEqual(try conn.execute(text(read)).all().map(\.values), before, "\(context): rolled back")
                        XCTAssertEqual(try conn.execute(text("SELECT sql FROM sqlite_master ORDER BY name")).all().map(\.values),
                                       schemaBefore, context)
                        refused += 1
                        return
                    }
                    applied += 1
                    let after = try conn.execute(text(read)).all().map(\.values)
                    XCTAssertEqual(after.count, before.count, context)
                    for (old, new) in zip(before, after) {
                        for i in old.indices where !Self.sameValue(old[i], new[i]) {
                            XCTFail("\(context): row \(old[0]) column \(i) changed from \(old[i]) to \(new[i])")
                        }
                    }
                    types[column] = newType
                }
            }
        }
        XCTAssertGreaterThan(applied, 10, "the test exercises conversions that succeed")
        XCTAssertGreaterThan(refused, 10, "and conversions that must be refused")
    }
}
