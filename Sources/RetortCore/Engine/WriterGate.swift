import Foundation

/// The queue in-process write transactions of one engine wait in, in arrival order,
/// before they ask the database for its write lock (a SQLite file database: one
/// writer at a time).
///
/// Without it, writers that find the lock taken are left to SQLite's busy handler,
/// which polls with sleeps of up to 100 ms: under load a writer can lose every race
/// to the others until its timeout runs out and fail with "database is locked" while
/// its turn never came (GRDB's `DatabasePool` avoids this with one writer queue).
/// Here a writer waits on a condition for the one before it, is woken as soon as the
/// gate opens, and writers take turns in the order they came. Other processes still
/// meet SQLite's own locking and busy timeout.
///
/// ``Connection/begin(immediate:)`` (used by ``Engine/begin(_:)`` and
/// ``Connection/transaction(_:)``) passes the gate; the transaction's end opens it.
/// A writer that waits longer than the URL's `timeout=` fails as SQLite's busy
/// timeout would, with an ``OperationalError`` of kind `locked`.
final class WriterGate: @unchecked Sendable {
    // @unchecked: every field is read and written under `condition`'s lock.
    private let condition = NSCondition()
    private var held = false
    private var nextTicket: UInt64 = 0
    private var waiting: [UInt64] = []
    /// How long a writer waits for its turn, in seconds.
    let timeout: Double

    init(timeout: Double) { self.timeout = timeout }

    /// Waits for this writer's turn (first come, first served) and takes the gate.
    func enter() throws {
        condition.lock()
        defer { condition.unlock() }
        if !held && waiting.isEmpty {
            held = true
            return
        }
        let ticket = nextTicket
        nextTicket &+= 1
        waiting.append(ticket)
        let deadline = Date(timeIntervalSinceNow: timeout)
        while held || waiting.first != ticket {
            if !condition.wait(until: deadline) {
                waiting.removeAll { $0 == ticket }
                condition.broadcast()  // the next in line may be free to go now
                throw OperationalError(
                    kind: .locked,
                    message: "the database is locked by another write transaction of this engine: this one waited "
                        + "\(timeout) s for its turn; retry, or raise the URL's timeout= option")
            }
        }
        waiting.removeFirst()
        held = true
    }

    /// The writers waiting for their turn now.
    var waitingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return waiting.count
    }

    /// Opens the gate for the next writer.
    func leave() {
        condition.lock()
        held = false
        condition.broadcast()
        condition.unlock()
    }
}
