import Foundation
import RetortCore
import RetortORM
import XCTest
import RetortTestSupport

/// The identity map with many instances: its integer-key table grows, and entries
/// leave it as their instances die, without losing the ones that stay.
final class PerfIdentityTableTests: XCTestCase {
    func testManyInstancesKeepOneInstancePerKeyAsOthersComeAndGo() throws {
        try forEachBackend { engine in
            let n = 700
            try Session(engine).run { s in try s.addAll((0..<n).map { Author(name: "author \($0)") }) }
            let session = Session(engine)
            var loaded: [Author?] = try session.scalars(select(Author.self).orderBy { $0.id }).all()
            XCTAssertEqual(loaded.count, n)
            XCTAssertEqual(session.identityCount, n)
            let ids = loaded.map { $0!.id! }

            // Every key answers from the identity map, with the loaded instance.
            let log = StatementLog(engine)
            for (i, id) in ids.enumerated() { XCTAssertTrue(try session.get(Author.self, id) === loaded[i]) }
            XCTAssertEqual(log.sql, [])

            // Two instances in three die; their entries go, the others' stay.
            for i in loaded.indices where i % 3 != 0 { loaded[i] = nil }
            let kept = (0..<n).filter { $0 % 3 == 0 }
            XCTAssertEqual(session.identityCount, kept.count)
            for i in kept { XCTAssertTrue(try session.get(Author.self, ids[i]) === loaded[i]) }
            XCTAssertEqual(log.sql, [], "the instances still alive are found without a query")

            // A dead instance's key is loaded again: one query, a new instance, entered.
            let again = try session.get(Author.self, ids[1])
            XCTAssertEqual(again?.name, "author 1")
            XCTAssertEqual(log.sql.count, 1)
            XCTAssertEqual(session.identityCount, kept.count + 1)
            XCTAssertTrue(try session.get(Author.self, ids[1]) === again)

            // A query over every row keeps the survivors and makes new instances for the rest.
            let all = try session.scalars(select(Author.self).orderBy { $0.id }).all()
            XCTAssertEqual(all.map(\.name), (0..<n).map { "author \($0)" })
            for i in kept { XCTAssertTrue(all[i] === loaded[i]) }
            XCTAssertTrue(all[1] === again)
            XCTAssertEqual(session.identityCount, n)
            XCTAssertNil(try session.get(Author.self, ids.max()! + 1_000), "a key with no row")
        }
    }

    func testChangedInstancesAmongManyAreFlushedAndStayIdentical() throws {
        try forEachBackend { engine in
            let n = 300
            try Session(engine).run { s in try s.addAll((0..<n).map { Author(name: "author \($0)") }) }
            let session = Session(engine, expireOnCommit: false)
            var loaded: [Author?] = try session.scalars(select(Author.self).orderBy { $0.id }).all()
            let ids = loaded.map { $0!.id! }
            // Change every fifth and drop every reference: changed ones are held until flushed.
            for i in stride(from: 0, to: n, by: 5) { loaded[i]!.name = "changed \(i)" }
            loaded = []
            XCTAssertEqual(session.identityCount, n / 5)
            try session.commit()
            let names = try engine.connect {
                try $0.scalars(text("SELECT name FROM authors ORDER BY id"), as: String.self).all()
            }
            XCTAssertEqual(names, (0..<n).map { $0 % 5 == 0 ? "changed \($0)" : "author \($0)" })
            // Flushed and no longer held: they leave the map as nothing refers to them.
            XCTAssertEqual(session.identityCount, 0)
            XCTAssertEqual(try session.get(Author.self, ids[5])?.name, "changed 5")
        }
    }

    /// Keys that are not consecutive: multiples of 16 (all at the same place in their
    /// run of slots), large strides, negative keys, keys near the top of a 32-bit
    /// column, and a consecutive block among them. Every one is found, and removals leave the rest findable.
    func testStridedAndSparseKeysAreAllFoundAsInstancesComeAndGo() throws {
        var ids = Set<Int>()
        for k in 1...200 { ids.insert(k * 16) }
        for k in 1...100 { ids.insert(k * 65_536) }
        for k in 1...50 { ids.insert(-k * 7) }
        for k in 0..<40 { ids.insert(Int(Int32.max) / 2 + k) }
        for k in 0..<30 { ids.insert(Int(Int32.max) - k * 1_024) }
        for k in 5_000..<5_100 { ids.insert(k) }
        let sorted = ids.sorted()
        try forEachBackend { engine in
            try Session(engine).run { s in
                try s.addAll(sorted.map { id -> Author in
                    let a = Author(name: "author \(id)")
                    a.id = id
                    return a
                })
            }
            let session = Session(engine)
            var loaded: [Author?] = try session.scalars(select(Author.self).orderBy { $0.id }).all()
            XCTAssertEqual(loaded.map { $0!.id! }, sorted)
            let log = StatementLog(engine)
            for (i, id) in sorted.enumerated() { XCTAssertTrue(try session.get(Author.self, id) === loaded[i], "id \(id)") }
            XCTAssertEqual(log.sql, [])
            for i in loaded.indices where i % 3 != 1 { loaded[i] = nil }
            XCTAssertEqual(session.identityCount, sorted.indices.filter { $0 % 3 == 1 }.count)
            for i in sorted.indices where i % 3 == 1 {
                XCTAssertTrue(try session.get(Author.self, sorted[i]) === loaded[i], "id \(sorted[i])")
            }
            XCTAssertEqual(log.sql, [], "the instances still alive are found without a query")
            let all = try session.scalars(select(Author.self).orderBy { $0.id }).all()
            XCTAssertEqual(all.map { $0.id! }, sorted)
            for i in sorted.indices where i % 3 == 1 { XCTAssertTrue(all[i] === loaded[i]) }
            XCTAssertEqual(session.identityCount, sorted.count)
        }
    }
}
