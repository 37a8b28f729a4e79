import Foundation
import RetortCore
import RetortORM
import XCTest
import RetortTestSupport

/// Bulk INSERT/UPDATE/DELETE through the session, and the session and engine events.
final class BulkAndEventTests: XCTestCase {
    func testBulkInsertByPropertyNameIsOneExecutemany() throws {
        try forEachBackend { engine in
            let session = Session(engine)
            let log = StatementLog(engine)
            let n = try session.execute(insert(Author.self), [["name": "Ursula", "email": "u@example.org"],
                                                               ["name": "Octavia", "email": nil]])
            XCTAssertEqual(n, 2)
            XCTAssertEqual(log.calls.map(\.0), ["INSERT INTO authors (name, email) VALUES (?, ?)"])
            XCTAssertEqual(log.calls.map(\.1), [2])
            let bad = assertThrows(ArgumentError.self) { try session.execute(insert(Author.self), [["nom": "x"]]) }
            XCTAssertTrue(bad?.message.contains("'nom', which is not a mapped property") == true, bad?.message ?? "")
            try session.commit()
            XCTAssertEqual(try rowCount(engine, "authors"), 2)
        }
    }

    func testBulkUpdateAndDeleteSynchronizeLoadedInstances() throws {
        try forEachBackend { engine in
            let session = Session(engine, expireOnCommit: false)
            try session.execute(insert(Author.self), [["name": "Ursula"], ["name": "Octavia"], ["name": "Nnedi"]])
            let all = try session.scalars(select(Author.self).orderBy { $0.id }).all()

            let changed = try session.execute(update(Author.self).where { $0.name != "Nnedi" }.values(["name": "Renamed"]))
            XCTAssertEqual(changed, 2)
            XCTAssertEqual(all.map(\.name), ["Renamed", "Renamed", "Nnedi"])

            let unsynced = try session.execute(update(Author.self).values(["name": "Unsynced"]), synchronizeSession: .none)
            XCTAssertEqual(unsynced, 3)
            XCTAssertEqual(all[2].name, "Nnedi", "not synchronised")
            session.expire(all[2])
            XCTAssertEqual(all[2].name, "Unsynced")

            let deleted = try session.execute(delete(Author.self).where { $0.id == all[1].id! })
            XCTAssertEqual(deleted, 1)
            XCTAssertEqual(Session.state(of: all[1]), .deleted)
            XCTAssertNil(try session.get(Author.self, all[1].id!))
            try session.commit()
            XCTAssertEqual(Session.state(of: all[1]), .detached)
            XCTAssertEqual(try rowCount(engine, "authors"), 2)

            let bad = assertThrows(ArgumentError.self) { try session.execute(update(Author.self).values(["nom": "x"])) }
            XCTAssertTrue(bad?.message.contains("no mapped property 'nom'") == true, bad?.message ?? "")
        }
    }

    func testAuditColumnSetByABeforeUpdateListener() throws {
        try forEachBackend { engine in
            let stamp = Date(timeIntervalSince1970: 1_800_000_000)
            var events = SessionEvents()
            events.beforeInsert(Post.self) { post, _ in post.updatedAt = stamp }
            events.beforeUpdate(Post.self) { post, _ in post.updatedAt = stamp.addingTimeInterval(60) }
            let session = Session(engine, expireOnCommit: false, events: events)
            let post = Post(title: "Hello")
            try session.add(post)
            try session.commit()
            XCTAssertEqual(post.updatedAt, stamp)
            let log = StatementLog(engine)
            post.title = "Hello again"
            try session.commit()
            XCTAssertEqual(log.sql, ["UPDATE posts SET title = ?, updated_at = ? WHERE posts.id = ?"])
            XCTAssertEqual(post.updatedAt, stamp.addingTimeInterval(60))
            log.reset()
            post.title = "Hello again"  // no net change: no update, no audit stamp
            try session.commit()
            XCTAssertEqual(log.sql, [])
            let stored = try engine.connect {
                try $0.scalar(select(Post.columns.updatedAt).where(Post.columns.id == post.id!), as: Date?.self)
            }
            XCTAssertEqual(stored, stamp.addingTimeInterval(60))
        }
    }

    func testSoftDeleteInABeforeFlushListener() throws {
        try forEachBackend { engine in
            let stamp = Date(timeIntervalSince1970: 1_800_000_000)
            var events = SessionEvents()
            events.beforeFlush { session in
                for case let post as Post in session.deleted {
                    session.cancelDelete(post)
                    post.deletedAt = stamp
                }
            }
            var flushes = 0
            events.afterFlush { _ in flushes += 1 }
            let session = Session(engine, expireOnCommit: false, events: events)
            let post = Post(title: "Keep me")
            try session.add(post)
            try session.commit()
            let log = StatementLog(engine)
            try session.delete(post)
            try session.commit()
            XCTAssertEqual(log.sql, ["UPDATE posts SET deleted_at = ? WHERE posts.id = ?"])
            XCTAssertEqual(Session.state(of: post), .persistent)
            XCTAssertEqual(try rowCount(engine, "posts"), 1)
            XCTAssertEqual(flushes, 2)
        }
    }

    func testEngineEventsSeeEveryStatementAndCanBeRemoved() throws {
        try forEachBackend { engine in
            final class Counter: @unchecked Sendable {
                let lock = NSLock()
                var before = 0, after = 0, sets = 0
            }
            let c = Counter()
            let t1 = engine.events.beforeExecute { e in c.lock.lock(); c.before += 1; c.sets += e.parameterSetCount; c.lock.unlock() }
            let t2 = engine.events.afterExecute { _ in c.lock.lock(); c.after += 1; c.lock.unlock() }
            try Session(engine).run { s in
                try s.addAll([Author(name: "A"), Author(name: "B")])
                _ = try s.scalars(select(Author.self)).all()
            }
            XCTAssertEqual(c.before, 2)
            XCTAssertEqual(c.after, 2)
            XCTAssertEqual(c.sets, 3)
            _ = try? engine.connect { try $0.execute(text("SELECT nonsense FROM nowhere")) }
            XCTAssertEqual(c.before, 3)
            XCTAssertEqual(c.after, 2, "a failed statement has no after event")
            engine.events.remove(t1)
            engine.events.remove(t2)
            try engine.connect { _ = try $0.execute(text("SELECT 1")) }
            XCTAssertEqual(c.before, 3)
        }
    }
}
