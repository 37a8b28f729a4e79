import Foundation

/// How an ``Engine`` pools its connections (SQLAlchemy's `QueuePool` settings).
///
/// ```swift
/// let engine = try createEngine(url, pool: PoolOptions(size: 10, maxOverflow: 5, prePing: true))
/// ```
public struct PoolOptions: Sendable, Hashable {
    /// Connections kept open while idle.
    public var size: Int
    /// Connections opened beyond `size` under load, closed again when returned.
    public var maxOverflow: Int
    /// How long `connect()` waits for a free connection before ``InterfaceError`` `.poolExhausted`.
    public var timeout: TimeInterval
    /// Test each connection with a round trip when it is checked out, replacing it if it is dead.
    public var prePing: Bool
    /// Close and replace connections older than this many seconds (nil: never).
    public var recycle: TimeInterval?

    public init(size: Int = 5, maxOverflow: Int = 10, timeout: TimeInterval = 30, prePing: Bool = false,
                recycle: TimeInterval? = nil) {
        self.size = size
        self.maxOverflow = maxOverflow
        self.timeout = timeout
        self.prePing = prePing
        self.recycle = recycle
    }
}

/// A snapshot of a pool's counters.
public struct PoolStatus: Sendable, Hashable, CustomStringConvertible {
    /// Connections handed out and not yet returned.
    public var checkedOut: Int
    /// Open connections waiting in the pool.
    public var idle: Int
    /// The pool's `size`.
    public var size: Int
    /// The most connections that were open at once since the engine was made: never
    /// more than `size + maxOverflow`, however many tasks asked at once.
    public var highWaterMark: Int = 0
    /// Callers waiting for a connection now (tasks of the async API and blocked threads).
    public var waiting: Int = 0
    public var description: String { "pool size \(size): \(checkedOut) checked out, \(idle) idle" }
}

/// One open driver connection as the pool tracks it.
///
/// `@unchecked Sendable`: it passes from one owner to the next through the pool (under
/// its lock, or resuming a waiting task), and each owner uses it alone.
final class PooledConnection: @unchecked Sendable {
    let driverConnection: any DriverConnection
    let createdAt: Date
    let generation: Int
    init(_ c: any DriverConnection, generation: Int) {
        driverConnection = c
        createdAt = Date()
        self.generation = generation
    }
}

/// A thread-safe queue pool of driver connections, as SQLAlchemy's `QueuePool`:
/// up to `size` kept idle, up to `size + maxOverflow` open at once, callers beyond that
/// wait up to `timeout`. A connection that reports a disconnect invalidates every
/// connection opened before it (they are replaced on their next checkout).
final class ConnectionPool: @unchecked Sendable {
    // @unchecked Sendable: every `var` below is read and written only with `condition`'s
    // lock held; `options`, `driver` and `singleConnection` never change.
    let options: PoolOptions
    private let driver: any Driver
    /// One connection shared by turns (SQLite `:memory:`): never closed while the engine lives.
    private let singleConnection: Bool
    private let condition = NSCondition()
    private var idle: [PooledConnection] = []
    private var open = 0
    private var generation = 0
    /// For the single-connection pool: the thread holding it, to refuse a same-thread
    /// second checkout that would otherwise wait forever.
    private var holder: pthread_t?
    /// The most connections open at once (``PoolStatus/highWaterMark``).
    private var highWater = 0
    /// Threads blocked in ``checkout()``.
    private var blockedThreads = 0
    /// Tasks of the async API waiting for a connection, first come first served.
    private var waiters: [AsyncWaiter] = []
    /// Retort's threads for async connections, idle (see ``DatabaseThread``); at most
    /// one exists per connection in async use.
    private var idleThreads: [AnyObject] = []
    private var threadCount = 0

    init(driver: any Driver, options: PoolOptions, singleConnection: Bool) {
        self.driver = driver
        self.singleConnection = singleConnection
        self.options = singleConnection
            ? PoolOptions(size: 1, maxOverflow: 0, timeout: options.timeout, prePing: false, recycle: nil)
            : options
    }

    var status: PoolStatus {
        condition.lock()
        defer { condition.unlock() }
        return PoolStatus(checkedOut: open - idle.count, idle: idle.count, size: options.size,
                          highWaterMark: highWater, waiting: waiters.count + blockedThreads)
    }

    deinit {
        if #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *) {
            for thread in idleThreads { (thread as? DatabaseThread)?.stop() }
        }
    }

    /// A connection for exclusive use until ``checkin(_:broken:)``.
    func checkout() throws -> PooledConnection {
        let deadline = Date(timeIntervalSinceNow: options.timeout)
        condition.lock()
        while true {
            if let record = idle.first {
                idle.removeFirst()
                if singleConnection { holder = pthread_self() }
                let stale = record.generation != generation
                    || (options.recycle.map { Date().timeIntervalSince(record.createdAt) > $0 } ?? false)
                condition.unlock()
                if stale || (options.prePing && !record.driverConnection.ping()) {
                    record.driverConnection.close()
                    condition.lock()
                    open -= 1
                    continue
                }
                return record
            }
            if open < options.size + options.maxOverflow {
                open += 1
                highWater = max(highWater, open)
                let gen = generation
                if singleConnection { holder = pthread_self() }
                condition.unlock()
                do {
                    return PooledConnection(try driver.connect(), generation: gen)
                } catch {
                    condition.lock()
                    open -= 1
                    holder = nil
                    let handoffs = wakeWaitersLocked()
                    condition.signal()
                    condition.unlock()
                    resume(handoffs)
                    throw error
                }
            }
            if singleConnection, let h = holder, pthread_equal(h, pthread_self()) != 0 {
                condition.unlock()
                throw InterfaceError(
                    kind: .poolExhausted,
                    message: "an in-memory SQLite database has a single connection and this thread already holds it; "
                        + "use that Connection, or close it before connecting again")
            }
            blockedThreads += 1
            let signalled = condition.wait(until: deadline)
            blockedThreads -= 1
            if !signalled {
                let checkedOut = open - idle.count
                condition.unlock()
                throw exhausted(checkedOut: checkedOut)
            }
        }
    }

    private func exhausted(checkedOut: Int) -> InterfaceError {
        InterfaceError(
            kind: .poolExhausted,
            message: "the connection pool is exhausted: size \(options.size) and overflow \(options.maxOverflow) "
                + "are all checked out (\(checkedOut)) and none came back within "
                + "\(String(format: "%.2f", options.timeout)) s; close connections sooner or enlarge the pool")
    }

    /// Returns a connection. A broken one, a stale one, or one beyond `size` is closed.
    func checkin(_ record: PooledConnection, broken: Bool) {
        condition.lock()
        if singleConnection { holder = nil }
        let keep = !broken && record.generation == generation && idle.count < options.size
        if keep {
            idle.append(record)
        } else {
            open -= 1
        }
        let handoffs = wakeWaitersLocked()
        condition.signal()
        condition.unlock()
        if !keep { record.driverConnection.close() }
        resume(handoffs)
    }

    /// Marks every connection opened so far as stale (after a disconnect): idle ones are
    /// closed now, checked-out ones when they come back.
    func invalidateAll() {
        guard !singleConnection else { return }
        retireAll()
    }

    /// Closes every idle connection; checked-out ones close when returned.
    func dispose() { retireAll() }

    /// Starts a new generation: idle connections close now, older checked-out ones on return.
    private func retireAll() {
        condition.lock()
        generation += 1
        let doomed = idle
        idle.removeAll()
        open -= doomed.count
        let handoffs = wakeWaitersLocked()
        condition.broadcast()
        condition.unlock()
        for r in doomed { r.driverConnection.close() }
        resume(handoffs)
    }

    // MARK: Waiting without blocking (the async API)

    /// A free slot taken without waiting (an idle connection, or room to open one), or
    /// nil. Called with the lock held.
    private func takeSlotLocked() -> PoolSlot? {
        if !idle.isEmpty { return .idle(idle.removeFirst()) }
        guard open < options.size + options.maxOverflow else { return nil }
        open += 1
        highWater = max(highWater, open)
        return .open(generation: generation)
    }

    /// ``takeSlotLocked()`` taking the lock.
    private func takeSlot() -> PoolSlot? {
        condition.lock()
        defer { condition.unlock() }
        return takeSlotLocked()
    }

    /// Hands free slots to waiting tasks, first come first served (lock held); the
    /// caller resumes them with ``resume(_:)`` once it has unlocked.
    private func wakeWaitersLocked() -> [(CheckedContinuation<PoolSlot, any Error>, PoolSlot)] {
        guard !waiters.isEmpty else { return [] }
        var handoffs: [(CheckedContinuation<PoolSlot, any Error>, PoolSlot)] = []
        while !waiters.isEmpty, let slot = takeSlotLocked() {
            let waiter = waiters.removeFirst()
            if let continuation = waiter.continuation {
                waiter.continuation = nil
                handoffs.append((continuation, slot))
            }
        }
        return handoffs
    }

    private func resume(_ handoffs: [(CheckedContinuation<PoolSlot, any Error>, PoolSlot)]) {
        for (continuation, slot) in handoffs { continuation.resume(returning: slot) }
    }

    /// A slot for a task of the async API: at once when one is free, else the task
    /// suspends (no thread blocks) until a connection comes back, the pool's `timeout`
    /// passes (``InterfaceError`` `.poolExhausted`) or the task is cancelled
    /// (`CancellationError`). ``open(_:)`` turns the slot into a connection.
    func reserve() async throws -> PoolSlot {
        if let slot = takeSlot() { return slot }
        let waiter = AsyncWaiter()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PoolSlot, any Error>) in
                condition.lock()
                if let slot = takeSlotLocked() {
                    condition.unlock()
                    continuation.resume(returning: slot)
                    return
                }
                if Task.isCancelled {
                    condition.unlock()
                    continuation.resume(throwing: CancellationError())
                    return
                }
                waiter.continuation = continuation
                waiters.append(waiter)
                let checkedOut = open - idle.count
                condition.unlock()
                let error = exhausted(checkedOut: checkedOut)
                DispatchQueue.global().asyncAfter(deadline: .now() + options.timeout) { [weak self] in
                    self?.abandon(waiter, error)
                }
            }
        } onCancel: {
            abandon(waiter, CancellationError())
        }
    }

    /// Stops `waiter` waiting (its timeout passed, or its task was cancelled) with `error`.
    private func abandon(_ waiter: AsyncWaiter, _ error: any Error) {
        condition.lock()
        guard let index = waiters.firstIndex(where: { $0 === waiter }) else {
            condition.unlock()
            return
        }
        waiters.remove(at: index)
        let continuation = waiter.continuation
        waiter.continuation = nil
        condition.unlock()
        continuation?.resume(throwing: error)
    }

    /// The connection for a reserved slot: the idle one (replaced when stale or, with
    /// pre-ping, dead) or a new one. It may block (connecting, pinging), so the async
    /// API calls it on one of Retort's threads. On failure the slot is given back.
    func open(_ slot: PoolSlot) throws -> PooledConnection {
        do {
            switch slot {
            case .idle(let record):
                condition.lock()
                let current = generation
                condition.unlock()
                let stale = record.generation != current
                    || (options.recycle.map { Date().timeIntervalSince(record.createdAt) > $0 } ?? false)
                if stale || (options.prePing && !record.driverConnection.ping()) {
                    record.driverConnection.close()
                    return PooledConnection(try driver.connect(), generation: current)
                }
                return record
            case .open(let generation):
                return PooledConnection(try driver.connect(), generation: generation)
            }
        } catch {
            condition.lock()
            open -= 1
            let handoffs = wakeWaitersLocked()
            condition.signal()
            condition.unlock()
            resume(handoffs)
            throw error
        }
    }

    /// A thread of Retort's for an async connection: an idle one, or a new one.
    @available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
    func takeThread() -> DatabaseThread {
        condition.lock()
        if let thread = idleThreads.popLast() as? DatabaseThread {
            condition.unlock()
            return thread
        }
        threadCount += 1
        let number = threadCount
        condition.unlock()
        return DatabaseThread(name: "retort-db-\(number)")
    }

    /// Gives back a thread from ``takeThread()``.
    @available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
    func returnThread(_ thread: DatabaseThread) {
        condition.lock()
        idleThreads.append(thread)
        condition.unlock()
    }

    /// Retort threads made so far (at most the connections ever in async use at once).
    var threadsMade: Int {
        condition.lock()
        defer { condition.unlock() }
        return threadCount
    }
}

/// A place in the pool reserved for one async caller: an idle connection, or room to
/// open one (with the generation it belongs to).
enum PoolSlot: Sendable {
    case idle(PooledConnection)
    case open(generation: Int)
}

/// A task waiting for a connection. `@unchecked Sendable`: `continuation` is only read
/// and written with the pool's lock held.
final class AsyncWaiter: @unchecked Sendable {
    var continuation: CheckedContinuation<PoolSlot, any Error>?
}
