import Foundation
import Retort
import RetortTestSupport
import XCTest

/// `AsyncSession` against a real SQLite file and the real PostgreSQL server: the unit
/// of work, identity map and loading strategies of `Session`, awaited; cancellation
/// rolling the session back; many sessions sharing a small pool.
final class AsyncSessionTests: XCTestCase {
    struct Backend {
        let name: String
        let engine: AsyncEngine
        let slowSQL: String
    }

    func backends(pool: PoolOptions = PoolOptions()) throws -> [Backend] {
        let sqlite = try createEngine(temporarySQLiteURL("async-session"), pool: pool)
        try ldTables.createAll(sqlite)
        let pg = try createEngine(PostgreSQLTestServer.freshDatabaseURL(), pool: pool)
        try ldTables.createAll(pg)
        return [
            Backend(name: "sqlite", engine: AsyncEngine(sqlite),
                    slowSQL: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c"),
            Backend(name: "postgresql", engine: AsyncEngine(pg), slowSQL: "SELECT pg_sleep(10)"),
        ]
    }

    func testUnitOfWorkIdentityMapAndSelectinLoading() async throws {
        for backend in try backends() {
            let engine = backend.engine
            let session = AsyncSession(engine)
            try await session.run { session in
                let ursula = LdAuthor(name: "Ursula")
                ursula.books = [LdBook(title: "The Dispossessed"), LdBook(title: "The Lathe of Heaven")]
                try session.add(ursula)
                try session.add(LdAuthor(name: "Octavia"))
            }
            XCTAssertEqual(engine.poolStatus.checkedOut, 0, "\(backend.name): the session kept its connection after commit")
            XCTAssertEqual(try rowCount(engine.sync, "ld_books"), 2, backend.name)

            // Selectin loading: the authors, then one IN query for every author's books.
            let log = StatementLog(engine.sync)
            let authors = try await session.scalars(select(LdAuthor.self).options(.selectinLoad(\.books)).orderBy { $0.name })
            XCTAssertEqual(authors.map(\.name), ["Octavia", "Ursula"], backend.name)
            XCTAssertTrue(try authors[1].isLoaded(\.books), backend.name)
            XCTAssertEqual(authors[1].books.map(\.title), ["The Dispossessed", "The Lathe of Heaven"], backend.name)
            XCTAssertEqual(log.sql.count, 2, "\(backend.name): \(log.sql)")

            // The identity map: the same instance, and no query for it.
            log.reset()
            let again = try await session.get(LdAuthor.self, authors[1].id!)
            XCTAssertTrue(again === authors[1], backend.name)
            XCTAssertEqual(log.sql.count, 0, "\(backend.name): \(log.sql)")

            // Changes are tracked and flushed as one UPDATE of the changed column.
            authors[0].name = "Octavia E."
            try await session.commit()
            XCTAssertTrue(log.sql.contains { $0.hasPrefix("UPDATE ld_authors SET name") }, "\(backend.name): \(log.sql)")
            XCTAssertEqual(engine.poolStatus.checkedOut, 0, backend.name)
            await session.close()
            engine.dispose()
        }
    }

    func testAThrowRollsBackAndACancelledTaskRollsBackToo() async throws {
        struct Refused: Error {}
        for backend in try backends(pool: PoolOptions(size: 1, maxOverflow: 0)) {
            let engine = backend.engine
            let session = AsyncSession(engine)
            let author = LdAuthor(name: "Never")
            do {
                try await session.run { session in
                    try session.add(author)
                    try await session.flush()
                    throw Refused()
                }
            } catch is Refused {}
            XCTAssertEqual(Session.state(of: author), .transient, backend.name)
            XCTAssertEqual(try rowCount(engine.sync, "ld_authors"), 0, backend.name)

            // Cancelled in the middle of a slow statement, after a flush: the statement
            // is stopped, the session rolled back and its connection given back.
            let task = Task {
                let session = AsyncSession(engine)
                try await session.run { session in
                    try session.add(LdAuthor(name: "Cancelled"))
                    try await session.flush()
                    _ = try await session.all(text(backend.slowSQL))
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            let clock = ContinuousClock()
            let start = clock.now
            task.cancel()
            let outcome = await task.result
            let elapsed = clock.now - start
            XCTAssertThrowsError(try outcome.get(), backend.name) { XCTAssertTrue($0 is CancellationError, "\($0)") }
            XCTAssertLessThan(elapsed, .seconds(1), "\(backend.name): the statement was not stopped")
            XCTAssertEqual(engine.poolStatus.checkedOut, 0, backend.name)
            XCTAssertEqual(try rowCount(engine.sync, "ld_authors"), 0, "\(backend.name): the flushed row was kept")
            engine.dispose()
        }
    }

    func testManySessionsShareASmallPool() async throws {
        for backend in try backends(pool: PoolOptions(size: 5, maxOverflow: 0, timeout: 60)) {
            let engine = backend.engine
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<100 {
                    group.addTask {
                        // SQLite's deferred writers can deadlock; one of them is then told
                        // "locked" at once and tries again, as an application would.
                        for attempt in 1...50 {
                            do {
                                let session = AsyncSession(engine)
                                try await session.run { session in
                                    let author = LdAuthor(name: "author \(i)")
                                    author.books = [LdBook(title: "book \(i)")]
                                    try session.add(author)
                                }
                                return
                            } catch let error as OperationalError where error.kind == .locked && attempt < 50 {
                                try await Task.sleep(for: .milliseconds(5))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            XCTAssertEqual(try rowCount(engine.sync, "ld_books"), 100, backend.name)
            XCTAssertLessThanOrEqual(engine.poolStatus.highWaterMark, 5, backend.name)
            XCTAssertEqual(engine.poolStatus.checkedOut, 0, backend.name)
            engine.dispose()
        }
    }
}
