import Foundation
import RetortCore
import RetortORM
import RetortTestSupport
import XCTest

/// Optimistic concurrency with `@Model(versionId:)`: the SQL a flush writes, and what
/// two sessions changing one row see.
///
/// A session that reads and then waits ends its read transaction (commit without
/// expiring, as a request that loads a form does) before another writes: on SQLite an
/// open read transaction would otherwise keep the other session from committing.
final class VersionCounterTests: XCTestCase {
    func testInsertWritesOneAndEachUpdateChecksAndBumpsTheVersion() throws {
        try forEachBackend { engine in
            let session = Session(engine, expireOnCommit: false)
            let doc = Document(body: "draft")
            try session.add(doc)
            try session.commit()
            XCTAssertEqual(doc.version, 1)
            XCTAssertEqual(try version(engine, doc.id!), 1)

            let log = StatementLog(engine)
            doc.body = "second"
            try session.commit()
            doc.body = "third"
            try session.commit()
            XCTAssertEqual(doc.version, 3)
            XCTAssertEqual(try version(engine, doc.id!), 3)
            let update = "UPDATE documents SET body = ?, version = ? WHERE documents.id = ? AND documents.version = ?"
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("UPDATE") }, [update, update])

            log.reset()
            try session.delete(doc)
            try session.commit()
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("DELETE") }, [
                "DELETE FROM documents WHERE documents.id = ? AND documents.version = ?",
            ])
            XCTAssertEqual(try rowCount(engine, "documents"), 0)
        }
    }

    func testTheSecondOfTwoSessionsUpdatingARowGetsStaleDataErrorAndRollsBackCleanly() throws {
        try forEachBackend { engine in
            let id = try insertDocuments(engine, ["original"])[0]
            let first = Session(engine)
            let second = Session(engine, expireOnCommit: false)
            let theirs = try XCTUnwrap(try second.get(Document.self, id))
            try second.commit()  // loaded at version 1; the read transaction ends
            let mine = try XCTUnwrap(try first.get(Document.self, id))
            mine.body = "first wins"
            try first.commit()

            theirs.body = "second loses"
            let error = try XCTUnwrap(assertThrows(StaleDataError.self) { try second.flush() })
            XCTAssertEqual(error.model, "Document")
            XCTAssertEqual(error.key, [.integer(Int64(id))])
            XCTAssertTrue(error.message.contains("UPDATE of Document with primary key \(id) expected version 1"), error.message)
            // The failed flush put the instance back: its change is still recorded, its version is the loaded one.
            XCTAssertEqual(theirs.version, 1)
            XCTAssertEqual(Session.changedProperties(of: theirs), ["body"])
            XCTAssertFalse(second.inTransaction)
            try second.rollback()
            XCTAssertEqual(theirs.body, "first wins")  // expired: reloaded
            XCTAssertEqual(theirs.version, 2)
            XCTAssertEqual(try bodies(engine), ["first wins"])
            XCTAssertEqual(try version(engine, id), 2)

            // Loaded again, the change goes through.
            theirs.body = "second, after reloading"
            try second.commit()
            XCTAssertEqual(try bodies(engine), ["second, after reloading"])
            XCTAssertEqual(try version(engine, id), 3)
        }
    }

    func testDeletingARowAnotherSessionChangedGetsStaleDataError() throws {
        try forEachBackend { engine in
            let id = try insertDocuments(engine, ["original"])[0]
            let first = Session(engine)
            let second = Session(engine, expireOnCommit: false)
            let theirs = try XCTUnwrap(try second.get(Document.self, id))
            try second.commit()
            let mine = try XCTUnwrap(try first.get(Document.self, id))
            mine.body = "changed"
            try first.commit()

            try second.delete(theirs)
            let error = try XCTUnwrap(assertThrows(StaleDataError.self) { try second.commit() })
            XCTAssertTrue(error.message.contains("DELETE of Document with primary key \(id) expected version 1"), error.message)
            XCTAssertEqual(error.key, [.integer(Int64(id))])
            try second.rollback()
            XCTAssertEqual(try bodies(engine), ["changed"])
            XCTAssertEqual(Session.state(of: theirs), .persistent)

            // A row deleted by another session: the UPDATE of a stale copy matches nothing either.
            let third = Session(engine, expireOnCommit: false)
            let stale = try XCTUnwrap(try third.get(Document.self, id))
            try third.commit()
            try engine.begin { try $0.execute(text("DELETE FROM documents")) }
            stale.body = "too late"
            XCTAssertNotNil(assertThrows(StaleDataError.self) { try third.commit() })
        }
    }

    /// Several versioned rows in one executemany: the error names exactly the row that
    /// another transaction changed, and none of the batch's changes stay.
    func testOneStaleRowInABatchIsTheOneNamedAndTheBatchRollsBack() throws {
        try forEachBackend { engine in
            var generator = SeededGenerator(seed: 25)
            let ids = try insertDocuments(engine, (0..<12).map { "doc \($0)" })
            // Without a stale row, the batch is one UPDATE executed once per instance.
            let log = StatementLog(engine)
            let all = Session(engine)
            for d in try all.scalars(select(Document.self)).all() { d.body = "renamed" }
            try all.commit()
            XCTAssertEqual(log.calls.filter { $0.0.hasPrefix("UPDATE") }.map(\.1), [12])
            XCTAssertEqual(try engine.connect { try $0.scalar(text("SELECT min(version) FROM documents"), as: Int.self) }, 2)
            for _ in 0..<4 {
                let staleIndex = Int.random(in: 0..<ids.count, using: &generator)
                let session = Session(engine, expireOnCommit: false)
                let docs = try session.scalars(select(Document.self).orderBy { $0.id }).all()
                try session.commit()
                let loadedVersions = docs.map(\.version)
                try engine.begin { conn in
                    try conn.execute(text("UPDATE documents SET version = version + 1, body = 'elsewhere' WHERE id = :id"),
                                     ["id": ids[staleIndex]])
                }
                for d in docs { d.body = "batch" }
                let error = try XCTUnwrap(assertThrows(StaleDataError.self) { try session.flush() })
                XCTAssertEqual(error.key, [.integer(Int64(ids[staleIndex]))], error.message)
                XCTAssertEqual(docs.map(\.version), loadedVersions)
                try session.rollback()
                XCTAssertFalse(try bodies(engine).contains("batch"))
                XCTAssertEqual(try bodies(engine)[staleIndex], "elsewhere")
            }
        }
    }

    /// Two sessions updating and deleting four rows in a seeded random order, checked
    /// against a model of the versions: a commit goes through exactly when the row is
    /// still at the version the session loaded, and a stale one names that row.
    func testRandomInterleavingsOfTwoSessionsAgreeWithAModelOfTheVersions() throws {
        try forEachBackend { engine in
            var generator = SeededGenerator(seed: 7)
            let ids = try insertDocuments(engine, (0..<4).map { "doc \($0)" })
            var current: [Int: Int] = Dictionary(uniqueKeysWithValues: ids.map { ($0, 1) })  // absent: deleted
            let sessions = [Session(engine, expireOnCommit: false), Session(engine, expireOnCommit: false)]
            var held: [[Int: Document]] = [[:], [:]]
            for s in 0..<2 {
                for id in ids { held[s][id] = try XCTUnwrap(try sessions[s].get(Document.self, id)) }
                try sessions[s].commit()
            }
            var stale = 0
            for step in 0..<80 {
                let s = Int.random(in: 0..<2, using: &generator)
                let id = ids[Int.random(in: 0..<ids.count, using: &generator)]
                guard let doc = held[s][id] else { continue }
                if Session.isExpired(doc) {
                    // Expired by a rollback: reloaded, unless the other session deleted it since.
                    do {
                        try sessions[s].refresh(doc)
                    } catch is ObjectDeletedError {
                        sessions[s].expunge(doc)
                        held[s][id] = nil
                        try sessions[s].commit()  // ends the read transaction
                        continue
                    }
                }
                let deleting = Int.random(in: 0..<10, using: &generator) == 0
                let loadedVersion = doc.version
                let expectStale = current[id] != loadedVersion
                if deleting { try sessions[s].delete(doc) } else { doc.body = "step \(step)" }
                do {
                    try sessions[s].commit()
                    XCTAssertFalse(expectStale, "step \(step): session \(s) wrote row \(id) at version \(loadedVersion)")
                    if deleting {
                        current[id] = nil
                        held[s][id] = nil
                    } else {
                        XCTAssertEqual(doc.version, loadedVersion + 1)
                        current[id] = doc.version
                    }
                } catch let error as StaleDataError {
                    stale += 1
                    XCTAssertTrue(expectStale, "step \(step): \(error)")
                    XCTAssertEqual(error.key, [.integer(Int64(id))])
                    try sessions[s].rollback()
                    // What the other session deleted leaves this one; the rest reload on their next read.
                    for (heldID, object) in held[s] where current[heldID] == nil {
                        sessions[s].expunge(object)
                        held[s][heldID] = nil
                    }
                }
            }
            XCTAssertGreaterThan(stale, 5, "the interleaving should make some writes stale")
            let stored = try engine.connect { conn in
                try conn.execute(text("SELECT id, version FROM documents ORDER BY id")).all().map { row -> [Int] in
                    [try row.get(0), try row.get(1)]
                }
            }
            XCTAssertEqual(stored, current.sorted { $0.key < $1.key }.map { [$0.key, $0.value] })
        }
    }

    // MARK: Helpers

    private func insertDocuments(_ engine: Engine, _ bodies: [String]) throws -> [Int] {
        let session = Session(engine, expireOnCommit: false)
        let docs = bodies.map { Document(body: $0) }
        try session.addAll(docs)
        try session.commit()
        return docs.map { $0.id! }
    }

    private func version(_ engine: Engine, _ id: Int) throws -> Int {
        try engine.connect { try $0.scalar(text("SELECT version FROM documents WHERE id = \(id)"), as: Int.self) }
    }

    private func bodies(_ engine: Engine) throws -> [String] {
        try engine.connect { try $0.scalars(text("SELECT body FROM documents ORDER BY id"), as: String.self).all() }
    }
}
