import Foundation

/// Stops the statement an async connection is running, from another thread: when its
/// task is cancelled, or when its statement timeout passes.
///
/// Each statement gets a ticket. A cancel request names the ticket it was made for and
/// is carried out (``DriverConnection/cancel()``) only while that very statement is
/// still running, under the lock the connection's thread takes to end it: a request
/// that comes late never stops the next statement, and the driver connection is never
/// closed while a request is being sent.
final class StatementCanceller: @unchecked Sendable {
    // @unchecked Sendable: every stored property is read and written with `lock` held,
    // except `timer`, which is made once under the lock and then only rescheduled
    // (DispatchSource scheduling is thread-safe).

    /// Why a statement was stopped.
    enum Reason { case cancelled, timedOut }

    /// Where cancel requests are sent from: `PQcancel` opens a connection and waits,
    /// which must not hold a thread of the cooperative pool (where task cancellation
    /// handlers run) nor the connection's own thread (busy running the statement).
    private static let queue = DispatchQueue(label: "retort.statement-cancel", attributes: .concurrent)

    private let lock = NSLock()
    private var counter: UInt64 = 0
    /// The running statement's ticket, 0 between statements.
    private var running: UInt64 = 0
    /// The ticket the timer is set for.
    private var timed: UInt64 = 0
    private var reason: Reason?
    private var driver: (any DriverConnection)?
    private var timer: (any DispatchSourceTimer)?

    deinit { timer?.cancel() }

    /// Marks a statement on `driver` as running; its timeout (if any) starts now.
    func begin(_ driver: (any DriverConnection)?, timeout: Duration?) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        counter &+= 1
        running = counter
        reason = nil
        self.driver = driver
        if let timeout {
            timed = counter
            let timer = self.timer ?? makeTimer()
            timer.schedule(deadline: .now() + timeout.timeInterval)
        }
        return counter
    }

    /// Marks the statement ended and says whether (and why) it was stopped.
    func end(_ ticket: UInt64) -> Reason? {
        lock.lock()
        defer { lock.unlock() }
        if timed == ticket {
            timed = 0
            timer?.schedule(deadline: .distantFuture)
        }
        running = 0
        driver = nil
        let why = reason
        reason = nil
        return why
    }

    /// Asks for the statement with `ticket` to be stopped (from any thread; returns at once).
    func cancel(_ ticket: UInt64, _ why: Reason) {
        StatementCanceller.queue.async { self.fire(ticket, why) }
    }

    private func fire(_ ticket: UInt64, _ why: Reason) {
        lock.lock()
        defer { lock.unlock() }
        guard ticket != 0, running == ticket, reason == nil, let driver else { return }
        reason = why
        driver.cancel()
    }

    private func makeTimer() -> any DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: StatementCanceller.queue)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock()
            let ticket = self.timed
            self.lock.unlock()
            self.fire(ticket, .timedOut)
        }
        timer.schedule(deadline: .distantFuture)
        timer.activate()
        self.timer = timer
        return timer
    }
}

extension Duration {
    /// The duration in seconds, as Foundation and Dispatch count time.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
