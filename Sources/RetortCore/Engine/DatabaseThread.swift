import Foundation

/// One of Retort's own threads, on which the async API runs blocking driver calls so
/// that they never hold a thread of Swift's cooperative pool.
///
/// It is a `TaskExecutor`: ``AsyncEngine/connect(_:)`` runs its body with a preference
/// for the thread leased with the connection, so the body's nonisolated code and every
/// statement it awaits run here, one job at a time, without a thread hop per statement.
/// The engine's pool keeps these threads: at most one per connection in async use.
@available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
package final class DatabaseThread: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `jobs`, `running` and `stopping` are only read or written
    // with `condition` locked; `threadID` is written once, before `init` returns
    // (the semaphore orders that write before every later read), and never again.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false
    private var threadID = pthread_t(bitPattern: 0)

    /// Starts the thread, named `name` (as `ps`/debuggers show it).
    package init(name: String) {
        let started = DispatchSemaphore(value: 0)
        // The thread holds `self` until `stop()` lets its loop end.
        let thread = Thread {
            self.threadID = pthread_self()
            started.signal()
            self.loop()
        }
        thread.name = name
        thread.start()
        started.wait()
    }

    /// Runs blocking `body` on a thread of its own, made for the call and ended after
    /// it: for long jobs outside any pool (a migration run on start-up), so that they
    /// hold no thread of the cooperative pool.
    package static func run<T>(name: String, _ body: () throws -> T) async throws -> T {
        let thread = DatabaseThread(name: name)
        defer { thread.stop() }
        return try await thread.hosting { try body() }
    }

    /// Runs `operation` with the task on this thread, and moves it back to the global
    /// pool afterwards.
    ///
    /// A task executor preference takes effect when the task is next enqueued: a task
    /// already on the cooperative pool calling nonisolated code would stay there (and
    /// hop to this thread for each blocking call). So the task yields once to move
    /// here, runs `operation` (its nonisolated awaits stay here), and yields once more
    /// after, so that the caller's code does not go on running on this thread.
    package func hosting<T>(_ operation: () async throws -> T) async throws -> T {
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await withTaskExecutorPreference(self) {
                if !isCurrent { await Task.yield() }
                return try await operation()
            })
        } catch {
            outcome = .failure(error)
        }
        if isCurrent { await Task.yield() }
        return try outcome.get()
    }

    /// True when called on this thread.
    package var isCurrent: Bool { pthread_equal(pthread_self(), threadID) != 0 }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once it has run the jobs already queued.
    package func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        // The jobs run outside the lock.
        var batch: [UnownedJob] = []
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while jobs.isEmpty, !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: executor) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
