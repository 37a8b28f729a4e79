import Foundation
import InMemoryTracing
import Logging
import MetricsTestKit
import RetortCore
import RetortServer
import RetortTestSupport
import ServiceLifecycle
import Tracing
import XCTest

/// Retort in a server, against a real SQLite file and the real PostgreSQL and MariaDB servers: the
/// engine as a Service that drains its pool, metrics and traces recorded by the
/// in-memory test backends.
final class RetortServerTests: XCTestCase {
    func engines(pool: PoolOptions = PoolOptions()) throws -> [(name: String, engine: AsyncEngine)] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retort-server-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("\(UUID().uuidString.prefix(8)).db").path
        return [("sqlite", try createAsyncEngine("sqlite:///" + file, pool: pool)),
                ("postgresql", try createAsyncEngine(PostgreSQLTestServer.freshDatabaseURL(), pool: pool)),
                ("mysql", try createAsyncEngine(MariaDBTestServer.freshDatabaseURL(), pool: pool))]
    }

    func testAStatementIsASpanInsideTheRequestSpanWithTheDatabaseAttributes() async throws {
        for (name, engine) in try engines() {
            let tracer = InMemoryTracer()
            let tracing = EngineTracing(engine.sync, tracer: tracer)
            defer { tracing.stop() }
            try await engine.begin { try await $0.execute(text("CREATE TABLE books (id INTEGER PRIMARY KEY, title VARCHAR(100) NOT NULL)")) }
            tracer.clearAll()

            try await tracer.withSpan("GET /books", context: .topLevel, ofKind: .server) { _ in
                try await engine.connect { conn in
                    try await conn.execute(text("INSERT INTO books (id, title) VALUES (:id, :title)"), ["id": 4242, "title": "Kindred"])
                    _ = try await conn.execute(text("SELECT title FROM books WHERE id = :id"), ["id": 4242]).all()
                    _ = try? await conn.execute(text("INSERT INTO books (id, title) VALUES (:id, :title)"), ["id": 4242, "title": "again"])
                }
                // Hand-written SQL with its values in the text: they stay out of the trace.
                try await engine.connect { conn in
                    _ = try await conn.execute(text("SELECT title FROM books WHERE id = 4242 AND title <> 'Kindred'")).all()
                }
            }
            let spans = tracer.finishedSpans
            let request = try XCTUnwrap(spans.first { $0.operationName == "GET /books" }, name)
            let statements = spans.filter { $0.operationName != "GET /books" }
            XCTAssertEqual(statements.map(\.operationName), ["INSERT books", "SELECT books", "INSERT books", "SELECT books"], name)
            for span in statements {
                XCTAssertEqual(span.parentSpanID, request.spanID, "\(name): \(span.operationName) is not inside the request")
                XCTAssertEqual(span.traceID, request.traceID, name)
                XCTAssertEqual(span.kind, .client, name)
                XCTAssertEqual(span.attributes["db.system"]?.toSpanAttribute(), .string(engine.dialect.name), name)
                XCTAssertEqual(span.attributes["db.collection.name"]?.toSpanAttribute(), .string("books"), name)
            }
            let select = statements[1]
            XCTAssertEqual(select.attributes["db.operation.name"]?.toSpanAttribute(), .string("SELECT"), name)
            guard case .string(let query)? = select.attributes["db.query.text"]?.toSpanAttribute() else {
                return XCTFail("\(name): no db.query.text")
            }
            XCTAssertTrue(query.hasPrefix("SELECT title FROM books WHERE id = "), query)
            XCTAssertFalse(query.contains("4242"), "\(name): the value is in the statement text: \(query)")
            for span in statements {
                guard case .string(let text)? = span.attributes["db.query.text"]?.toSpanAttribute() else { continue }
                XCTAssertFalse(text.contains("4242") || text.contains("Kindred"), "\(name): a value is in the statement text: \(text)")
            }
            // The duplicate key: an error recorded, status error.
            XCTAssertEqual(statements[2].status?.code, .error, name)
            XCTAssertEqual(statements[2].errors.count, 1, name)
            XCTAssertTrue(statements[2].errors[0].error is IntegrityError, name)
            XCTAssertNil(statements[0].status, name)
            XCTAssertEqual(statements[3].attributes["db.query.text"]?.toSpanAttribute(),
                           .string("SELECT title FROM books WHERE id = ? AND title <> ?"), name)
            engine.dispose()
        }
    }

    func testMetricsRecordQueryDurationsErrorsByFamilyAndThePool() async throws {
        for (name, engine) in try engines(pool: PoolOptions(size: 3, maxOverflow: 0)) {
            let metrics = TestMetrics()
            let recorder = EngineMetrics(engine.sync, dimensions: [("db", "test")], factory: metrics)
            defer { recorder.stop() }
            try await engine.begin { try await $0.execute(text("CREATE TABLE tags (name VARCHAR(100) PRIMARY KEY)")) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<12 {
                    group.addTask {
                        try await engine.connect { conn in
                            try await conn.begin(immediate: true)  // SQLite's deferred writers can deadlock
                            try await conn.execute(text("INSERT INTO tags (name) VALUES (:n)"), ["n": "tag \(i)"])
                            _ = try await conn.scalar(text("SELECT count(*) FROM tags"), as: Int.self)
                            try await conn.commit()
                        }
                    }
                }
                try await group.waitForAll()
            }
            for _ in 0..<2 {
                _ = try? await engine.begin { try await $0.execute(text("INSERT INTO tags (name) VALUES ('tag 0')")) }
            }
            let inserts = try metrics.expectTimer("retort_query_duration", [("db", "test"), ("operation", "INSERT")])
            XCTAssertEqual(inserts.values.count, 12, name)
            XCTAssertTrue(inserts.values.allSatisfy { $0 > 0 }, name)
            let selects = try metrics.expectTimer("retort_query_duration", [("db", "test"), ("operation", "SELECT")])
            XCTAssertEqual(selects.values.count, 12, name)
            let errors = try metrics.expectCounter("retort_query_errors",
                                                   [("db", "test"), ("operation", "INSERT"), ("family", "IntegrityError")])
            XCTAssertEqual(errors.totalValue, 2, name)
            let waits = try metrics.expectTimer("retort_pool_wait_duration", [("db", "test")])
            XCTAssertEqual(waits.values.count, 15, "\(name): one wait per connect")
            XCTAssertEqual(try metrics.expectGauge("retort_pool_size", [("db", "test")]).lastValue, 3, name)
            let inUse = try metrics.expectGauge("retort_pool_in_use", [("db", "test")]).values
            XCTAssertTrue(inUse.allSatisfy { $0 >= 0 && $0 <= 3 }, "\(name): \(inUse)")
            XCTAssertGreaterThan(inUse.max() ?? 0, 0, name)
            engine.dispose()
        }
    }

    func testGracefulShutdownWaitsForConnectionsInUseThenClosesThePool() async throws {
        for (name, engine) in try engines(pool: PoolOptions(size: 2)) {
            _ = try await engine.connect { try await $0.scalar(text("SELECT 1"), as: Int.self) }
            XCTAssertEqual(engine.poolStatus.idle, 1, name)
            let group = ServiceGroup(services: [EngineService(engine)], logger: Logger(label: "test"))
            let running = Task { try await group.run() }

            let returned = Box()
            let holder = Task {
                try await engine.connect { conn in
                    _ = try await conn.scalar(text("SELECT 2"), as: Int.self)
                    try await Task.sleep(for: .milliseconds(400))
                    returned.set()
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            await group.triggerGracefulShutdown()
            try await running.value
            XCTAssertTrue(returned.isSet, "\(name): the pool closed before the connection in use came back")
            try await holder.value
            XCTAssertEqual(engine.poolStatus.idle, 0, "\(name): idle connections were left open")
            XCTAssertEqual(engine.poolStatus.checkedOut, 0, name)
        }
    }
}

/// A flag set in one task and read in another.
final class Box: @unchecked Sendable {  // `flag` only under `lock`
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var isSet: Bool { lock.withLock { flag } }
}
