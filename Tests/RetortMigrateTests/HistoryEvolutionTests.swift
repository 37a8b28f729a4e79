import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// `diff` and `squash` over seeded random histories (the autogenerate evolution's
/// mutations: tables, columns, types, defaults, keys, indexes, enums, renames): a diff
/// between two random points, applied to the first, reflects as the second; a squash
/// of a random run leaves the replayed head schema identical.
class HistoryEvolutionTests: XCTestCase {
    func database() throws -> AutogenerateProject { try .sqlite() }

    func freshURL(_ db: AutogenerateProject, _ name: String) throws -> String {
        "sqlite:///" + (db.directory as NSString).appendingPathComponent("\(name).db")
    }

    func testDiffAndSquashOverSeededHistories() throws {
        for seed: UInt64 in [11, 12, 13] {
            try history(seed: seed, steps: 10)
            if testRun?.failureCount ?? 0 > 0 { return }
        }
    }

    func history(seed: UInt64, steps: Int) throws {
        let db = try database()
        var rng = SeededGenerator(seed: seed)
        var model = EvolutionModel.start()
        model.widensIntegers = try db.engine().dialect.reflector.comparableType(.bigint) != .integer
        let rows = RowBook()
        try db.migrate(to: model.metadata(), message: "start")
        for step in 1...steps {
            for _ in 0..<20 where model.mutate(&rng, rows: rows) != nil { break }
            try db.migrate(to: model.metadata(), message: "step \(step)", renames: model.renames)
        }
        let project = try db.project()
        let ids = project.graph.order
        XCTAssertGreaterThan(ids.count, steps, "seed \(seed)")
        var schemas: [String: Snapshot] = [:]
        func schema(_ id: String) throws -> Snapshot {
            if let s = schemas[id] { return s }
            let s = Snapshot(try project.replayedSchema(at: [id]).schema)
            schemas[id] = s
            return s
        }

        for pair in 0..<4 {
            let from = ids[Int.random(in: 0..<ids.count, using: &rng)]
            var to = ids[Int.random(in: 0..<ids.count, using: &rng)]
            if to == from { to = ids[(ids.firstIndex(of: from)! + 1) % ids.count] }
            let context = "seed \(seed): diff revision:\(from) revision:\(to)"
            let found = try project.diff(from: .revision(from), to: .revision(to), models: { MetaData() })
            XCTAssertEqual(found.diff.notes, [], context)
            let path = (db.directory as NSString).appendingPathComponent("pair\(pair).yaml")
            try "database: '\(try freshURL(db, "pair\(pair)"))'\nscript_location: migrations\n".write(toFile: path, atomically: true, encoding: .utf8)
            let target = try Project(configPath: path, environment: [:])
            defer { try? target.engine().dispose() }
            try target.runner().upgrade(to: from)
            let applier = CoreOperationApplier(enums: project.enums)
            do {
                try target.engine().begin { conn in
                    let executor = LiveExecutor(conn, immediate: false)
                    for op in found.diff.upgrade { try applier.apply(op, on: executor) }
                }
            } catch {
                XCTFail("\(context): applying it failed: \(error)\n\(found.yaml)")
                continue
            }
            XCTAssertEqual(Snapshot(try target.reflect(target.engine())).differences(from: try schema(to)), [],
                           "\(context), applied to \(from), gives \(to)\n\(found.yaml)")
        }

        // A random run of two or more, the last revision's schema compared before and after.
        let a = Int.random(in: 0..<(ids.count - 1), using: &rng)
        let b = Int.random(in: (a + 1)..<ids.count, using: &rng)
        let head = try schema(ids.last!)
        let result = try project.squash(from: ids[a], to: ids[b], message: "squashed")
        XCTAssertEqual(result.run.count, b - a + 1)
        let squashed = try db.project()
        XCTAssertEqual(squashed.graph.revisions.count, ids.count - (b - a), "seed \(seed)")
        XCTAssertEqual(Snapshot(try squashed.replayedSchema(at: [ids.last!]).schema).differences(from: head), [],
                       "seed \(seed): squash \(ids[a])..\(ids[b]) changes the head schema")
        // The configured database, at head all along, upgrades to head with nothing to do.
        XCTAssertEqual(try squashed.runner().upgrade(to: ids.last!).count, 0)
    }
}

final class HistoryEvolutionPostgresTests: HistoryEvolutionTests {
    override func database() throws -> AutogenerateProject { try .postgres() }
    override func freshURL(_ db: AutogenerateProject, _ name: String) throws -> String { try PostgreSQLTestServer.freshDatabaseURL() }
    // Listed again: test discovery on Linux does not find inherited test methods.
    override func testDiffAndSquashOverSeededHistories() throws { try super.testDiffAndSquashOverSeededHistories() }
}
