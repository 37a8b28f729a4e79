import Foundation
import Logging

/// An ``Engine`` for async code (SQLAlchemy's `AsyncEngine`): the same pool, dialect
/// and statements, with connections whose calls are `async` and never block a thread
/// of Swift's cooperative pool.
///
/// ```swift
/// let engine = try createAsyncEngine("postgresql://app@db/app", pool: PoolOptions(size: 10))
/// try await engine.begin { conn in                    // BEGIN … COMMIT (ROLLBACK on throw)
///     try await conn.execute(authors.insert(), ["name": "Ursula"])
/// }
/// let names = try await engine.connect { conn in
///     try await conn.scalars(select(authors.c.name), as: String.self).all()
/// }
/// ```
///
/// How it runs: waiting for a pooled connection suspends the task (no thread waits).
/// Each connection in async use is paired with one of Retort's own threads
/// (``DatabaseThread``; the pool keeps at most one per connection), and the body of
/// ``connect(_:)`` runs with a preference for that thread, so every blocking driver
/// call — and the body's own nonisolated code between them — runs there, without a
/// thread hop per statement. Cancelling the task cancels the running statement
/// (`PQcancel` on PostgreSQL, `sqlite3_interrupt` on SQLite, `KILL QUERY` on MySQL) and the connection goes
/// back to the pool rolled back; see ``AsyncConnection``.
///
/// The synchronous ``Engine`` (``sync``) stays the engine of scripts and CLIs; both can
/// share one pool.
@available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
public struct AsyncEngine: Sendable, CustomStringConvertible {
    /// The synchronous engine underneath: its pool, dialect and events.
    public let sync: Engine

    /// An async face on `engine`, sharing its pool.
    public init(_ engine: Engine) { sync = engine }

    /// The URL the engine connects to.
    public var url: DatabaseURL { sync.url }
    /// The SQL dialect of the database.
    public var dialect: Dialect { sync.dialect }
    /// Pool counters: connections checked out and idle, the high-water mark, waiters.
    public var poolStatus: PoolStatus { sync.poolStatus }
    public var description: String { "AsyncEngine(\(sync.url))" }

    /// Runs `body` with a connection from the pool and returns it afterwards, rolled
    /// back if a transaction is left open. Waiting for a free connection suspends the
    /// task for up to the pool's `timeout` (then ``InterfaceError`` `.poolExhausted`).
    @discardableResult
    public func connect<T>(_ body: (AsyncConnection) async throws -> T) async throws -> T {
        let slot = try await reserve()
        let thread = sync.pool.takeThread()
        return try await thread.hosting {
            try await AsyncEngine.use(slot, thread, sync, body)
        }
    }

    /// Runs `body` inside a transaction: commits when it returns, rolls back when it
    /// throws or its task is cancelled.
    @discardableResult
    public func begin<T>(_ body: (AsyncConnection) async throws -> T) async throws -> T {
        try await connect { conn in try await conn.transaction(body) }
    }

    /// Closes every idle connection (see ``Engine/dispose()``).
    public func dispose() { sync.dispose() }

    /// A connection held until ``release(_:)``, for ``AsyncSession``-like owners that
    /// keep one across several calls.
    package func lease() async throws -> AsyncConnection {
        let slot = try await reserve()
        let thread = sync.pool.takeThread()
        return try await thread.hosting {
            try await AsyncEngine.open(slot, thread, sync)
        }
    }

    /// Returns a connection from ``lease()``: rolled back, to the pool, with its thread.
    package func release(_ connection: AsyncConnection) async {
        await connection.release()
    }

    /// A place in the pool, telling the ``EngineEvents/connectionCheckedOut(_:)``
    /// listeners how long it took.
    private func reserve() async throws -> PoolSlot {
        guard let listeners = sync.events.snapshot(), !listeners.checkout.isEmpty else { return try await sync.pool.reserve() }
        let clock = ContinuousClock()
        let start = clock.now
        let slot = try await sync.pool.reserve()
        listeners.checkedOut(waited: clock.now - start)
        return slot
    }

    /// On `thread` (the task prefers it): open the slot's connection (this may block:
    /// connecting, pre-ping), run `body`, and give both back.
    private static func use<T>(_ slot: PoolSlot, _ thread: DatabaseThread, _ engine: Engine,
                               _ body: (AsyncConnection) async throws -> T) async throws -> T {
        let conn = try await open(slot, thread, engine)
        do {
            let value = try await body(conn)
            await conn.release()
            return value
        } catch {
            await conn.release()
            throw error
        }
    }

    private static func open(_ slot: PoolSlot, _ thread: DatabaseThread, _ engine: Engine) async throws -> AsyncConnection {
        do {
            return AsyncConnection(Connection(engine: engine, pooled: try engine.pool.open(slot)), thread: thread)
        } catch {
            engine.pool.returnThread(thread)
            throw error
        }
    }
}

/// Creates an ``AsyncEngine`` for a database URL; the parameters are those of
/// ``createEngine(_:echo:pool:isolationLevel:logger:)``.
@available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
public func createAsyncEngine(_ url: String, echo: Bool = false, pool: PoolOptions = PoolOptions(),
                              isolationLevel: IsolationLevel? = nil, logger: Logger? = nil) throws -> AsyncEngine {
    AsyncEngine(try createEngine(url, echo: echo, pool: pool, isolationLevel: isolationLevel, logger: logger))
}
