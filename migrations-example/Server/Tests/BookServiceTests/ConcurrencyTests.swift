import BookService
import Foundation
import Hummingbird
import HummingbirdTesting
import Retort
import XCTest

/// The service under concurrency: slow queries never hold up a trivial request (no
/// database call blocks a thread of Swift's cooperative pool), and replicas starting at
/// once migrate the database once.
final class ConcurrencyTests: XCTestCase {
    /// Four slow queries run on the service's pool — more than the machine has cores,
    /// so more than the cooperative pool has threads: were they blocking those threads,
    /// no request could be answered until they ended. While they run, trivial requests
    /// over HTTP (a live server, AsyncHTTPClient) are answered at once.
    func testSlowQueriesDoNotDelayATrivialRequest() async throws {
        for backend in try Backend.all() {
            let slowCount = max(4, ProcessInfo.processInfo.activeProcessorCount + 2)
            let service = try await BookService.start(backend.configuration(poolSize: slowCount + 2))
            let engine = service.engine
            try await engine.begin { conn in
                _ = try await conn.executeDriverSQL("INSERT INTO authors (name, created_at) VALUES ('A', CURRENT_TIMESTAMP)")
                _ = try await conn.executeDriverSQL("INSERT INTO books (title, author_id, in_print) VALUES ('B', 1, true)")
            }
            try await service.application().test(.ahc(.http)) { client in
                // Warm up: the first request pays for connections and lazy set-up.
                let warm = try await client.send(.get, "/books/1")
                XCTAssertEqual(warm.status, .ok, backend.name)

                let slow = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for _ in 0..<slowCount {
                            group.addTask { try await engine.connect { conn in _ = try await conn.executeDriverSQL(backend.slowSQL).all() } }
                        }
                        try await group.waitForAll()
                    }
                }
                // Give the slow queries time to start and hold their threads, were they to.
                try await waitFor { engine.poolStatus.checkedOut >= slowCount }
                try await Task.sleep(for: .milliseconds(300))

                let clock = ContinuousClock()
                var latencies: [Duration] = []
                for _ in 0..<10 {
                    let start = clock.now
                    let answer = try await client.send(.get, "/books/1")
                    latencies.append(clock.now - start)
                    XCTAssertEqual(answer.status, .ok, "\(backend.name): \(answer.text)")
                }
                XCTAssertGreaterThanOrEqual(engine.poolStatus.checkedOut, slowCount,
                                            "\(backend.name): the slow queries ended before the trivial requests did; the test proved nothing")
                slow.cancel()
                _ = await slow.result
                let worst = latencies.max()!
                // Generous: a loaded 2-core machine; a blocked pool would take the slow
                // queries' whole time (a minute).
                XCTAssertLessThan(worst, .seconds(2), "\(backend.name): a trivial request waited \(worst) behind slow queries")
                print("\(backend.name): trivial GET /books/1 while \(slowCount) slow queries ran: worst \(worst), all \(latencies)")
            }
            try await waitFor { engine.poolStatus.checkedOut == 0 }
            engine.dispose()
        }
    }

    /// Three instances of the service starting at once against one empty database: the
    /// migrator's lock lets one apply each revision, the others find it at head; all
    /// three then serve.
    func testThreeInstancesStartingAtOnceApplyEachRevisionOnce() async throws {
        for backend in try Backend.all() {
            let configuration = backend.configuration()
            let services = try await withThrowingTaskGroup(of: BookService.self) { group in
                for _ in 0..<3 { group.addTask { try await BookService.start(configuration) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let applied = services.flatMap(\.appliedRevisions)
            XCTAssertEqual(applied.sorted(), exampleRevisions, "\(backend.name): applied \(services.map(\.appliedRevisions))")
            XCTAssertEqual(try backend.count("migrator_version"), 1, backend.name)
            for service in services {
                try await service.application().test(.router) { client in
                    let list = try await client.send(.get, "/books")
                    XCTAssertEqual(list.status, .ok, backend.name)
                }
                service.engine.dispose()
            }
        }
    }
}

/// Waits (up to 30 s, then fails the test) until `condition` holds.
func waitFor(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while !condition() {
        guard ContinuousClock.now < deadline else { return XCTFail("timed out waiting") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
