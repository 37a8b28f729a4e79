import Foundation
import Metrics
import RetortCore

/// An engine's figures as swift-metrics: statement durations, errors by family, the
/// pool's size, use and waits.
///
/// ```swift
/// let metrics = EngineMetrics(engine)        // MetricsSystem's factory (Prometheus, StatsD, …)
/// ```
///
/// | metric | kind | dimensions |
/// |---|---|---|
/// | `retort_query_duration` | timer | `operation` (`SELECT`, `INSERT`, …) |
/// | `retort_query_errors` | counter | `operation`, `family` (`IntegrityError`, `OperationalError`, …) |
/// | `retort_pool_wait_duration` | timer | (async connections: how long a task waited for one) |
/// | `retort_pool_size`, `retort_pool_in_use`, `retort_pool_idle`, `retort_pool_waiting` | gauges | |
///
/// Every metric also carries the `dimensions` given (e.g. `[("db", "catalogue")]`). The
/// pool gauges are set after each statement and each async checkout.
public final class EngineMetrics: Sendable {
    private let engine: Engine
    private let tokens: [EngineEvents.Token]

    /// Starts recording `engine`'s figures under labels starting with `prefix` until ``stop()``.
    public init(_ engine: Engine, prefix: String = "retort", dimensions: [(String, String)] = [],
                factory: any MetricsFactory = MetricsSystem.factory) {
        self.engine = engine
        let gauges = PoolGauges(prefix: prefix, dimensions: dimensions, factory: factory)
        let timers = Instruments { operation in
            Metrics.Timer(label: "\(prefix)_query_duration", dimensions: dimensions + [("operation", operation)], factory: factory)
        }
        let errors = Instruments { key in
            let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
            return Counter(label: "\(prefix)_query_errors",
                           dimensions: dimensions + [("operation", parts[0]), ("family", parts.count > 1 ? parts[1] : "Error")],
                           factory: factory)
        }
        let wait = Metrics.Timer(label: "\(prefix)_pool_wait_duration", dimensions: dimensions, factory: factory)
        let started = ThreadScratch<ContinuousClock.Instant>()
        tokens = [
            engine.events.beforeExecute { _ in started.put(ContinuousClock.now) },
            engine.events.afterExecute { [weak engine] event in
                guard let start = started.take() else { return }
                let elapsed = ContinuousClock.now - start
                timers[StatementSummary(sql: event.sql).operation].recordNanoseconds(elapsed.nanoseconds)
                if let engine { gauges.set(engine.poolStatus) }
            },
            engine.events.executeFailed { [weak engine] event, error in
                _ = started.take()
                errors["\(StatementSummary(sql: event.sql).operation) \(type(of: error))"].increment()
                if let engine { gauges.set(engine.poolStatus) }
            },
            engine.events.connectionCheckedOut { [weak engine] waited in
                wait.recordNanoseconds(waited.nanoseconds)
                if let engine { gauges.set(engine.poolStatus) }
            },
        ]
        gauges.set(engine.poolStatus)
    }

    /// Stops recording.
    public func stop() {
        for token in tokens { engine.events.remove(token) }
    }
}

/// The pool gauges.
private struct PoolGauges: Sendable {
    let size, inUse, idle, waiting: Gauge

    init(prefix: String, dimensions: [(String, String)], factory: any MetricsFactory) {
        size = Gauge(label: "\(prefix)_pool_size", dimensions: dimensions, factory: factory)
        inUse = Gauge(label: "\(prefix)_pool_in_use", dimensions: dimensions, factory: factory)
        idle = Gauge(label: "\(prefix)_pool_idle", dimensions: dimensions, factory: factory)
        waiting = Gauge(label: "\(prefix)_pool_waiting", dimensions: dimensions, factory: factory)
    }

    func set(_ status: PoolStatus) {
        size.record(status.size)
        inUse.record(status.checkedOut)
        idle.record(status.idle)
        waiting.record(status.waiting)
    }
}

/// Metric objects made on first use per key (an operation, an error family).
private final class Instruments<Instrument: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: `made` is only touched with `lock` held; `make` is immutable.
    private let lock = NSLock()
    private var made: [String: Instrument] = [:]
    private let make: @Sendable (String) -> Instrument

    init(_ make: @escaping @Sendable (String) -> Instrument) { self.make = make }

    subscript(key: String) -> Instrument {
        lock.withLock {
            if let instrument = made[key] { return instrument }
            let instrument = make(key)
            made[key] = instrument
            return instrument
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
