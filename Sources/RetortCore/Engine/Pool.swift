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
    public var description: String { "pool size \(size): \(checkedOut) checked out, \(idle) idle" }
}

/// One open driver connection as the pool tracks it.
final class PooledConnection {
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
        return PoolStatus(checkedOut: open - idle.count, idle: idle.count, size: options.size)
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
                let gen = generation
                if singleConnection { holder = pthread_self() }
                condition.unlock()
                do {
                    return PooledConnection(try driver.connect(), generation: gen)
                } catch {
                    condition.lock()
                    open -= 1
                    holder = nil
                    condition.signal()
                    condition.unlock()
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
            if !condition.wait(until: deadline) {
                let checkedOut = open - idle.count
                condition.unlock()
                throw InterfaceError(
                    kind: .poolExhausted,
                    message: "the connection pool is exhausted: size \(options.size) and overflow \(options.maxOverflow) "
                        + "are all checked out (\(checkedOut)) and none came back within "
                        + "\(String(format: "%.2f", options.timeout)) s; close connections sooner or enlarge the pool")
            }
        }
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
        condition.signal()
        condition.unlock()
        if !keep { record.driverConnection.close() }
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
        condition.broadcast()
        condition.unlock()
        for r in doomed { r.driverConnection.close() }
    }
}
