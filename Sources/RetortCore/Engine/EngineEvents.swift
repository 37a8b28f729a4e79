import Foundation
#if os(Linux)
import Synchronization
#endif

/// One statement as the engine's execute listeners see it.
public struct ExecuteEvent: Sendable {
    /// The SQL text sent to the database, in the driver's paramstyle.
    public let sql: String
    /// The positional values of the first (or only) parameter set.
    public let parameters: [SQLValue]
    /// How many parameter sets were sent: 1 for a plain execute, more for executemany.
    public let parameterSetCount: Int
}

/// Listeners for statements an engine's connections execute: the place for statement
/// counting, timing, auditing and logging beyond `echo`.
///
/// ```swift
/// var count = 0   // (use a lock or an atomic when other threads execute too)
/// let token = engine.events.beforeExecute { event in print(event.sql) }
/// engine.events.remove(token)
/// ```
///
/// Listeners run on the executing thread, in the order they were added. Transaction
/// control (`BEGIN`, `COMMIT`, `ROLLBACK`, savepoints) is not reported. With no
/// listeners, executing costs one atomic load (on Linux; an uncontended lock elsewhere).
public final class EngineEvents: @unchecked Sendable {
    // @unchecked Sendable: `lists`, `nextID` and `any` are read and written only with
    // `lock` held; the lock-free has-listeners flag is an `Atomic`.
    /// Identifies a listener for ``remove(_:)``.
    public struct Token: Hashable, Sendable { let id: Int }

    typealias Listener = @Sendable (ExecuteEvent) -> Void
    typealias FailureListener = @Sendable (ExecuteEvent, any Error) -> Void
    typealias CheckoutListener = @Sendable (Duration) -> Void
    struct Lists {
        var before: [(Int, Listener)] = []
        var after: [(Int, Listener)] = []
        var failed: [(Int, FailureListener)] = []
        var checkout: [(Int, CheckoutListener)] = []
        var isEmpty: Bool { before.isEmpty && after.isEmpty && failed.isEmpty && checkout.isEmpty }
    }

    private let lock = NSLock()
    private var lists = Lists()
    private var nextID = 0
    /// True while any listener is registered (written under the lock).
    private var any = false
    #if os(Linux)
    /// ``any``, readable without the lock: statements check it before taking a snapshot.
    private let anyListeners = Atomic<Bool>(false)
    #endif

    init() {}

    /// Calls `listener` before each statement is sent to the database.
    @discardableResult
    public func beforeExecute(_ listener: @escaping @Sendable (ExecuteEvent) -> Void) -> Token {
        add { $0.before.append(($1, listener)) }
    }

    /// Calls `listener` after each statement has run without error.
    @discardableResult
    public func afterExecute(_ listener: @escaping @Sendable (ExecuteEvent) -> Void) -> Token {
        add { $0.after.append(($1, listener)) }
    }

    /// Calls `listener` after each statement that failed, with its error (the statement's
    /// ``beforeExecute(_:)`` listeners were called; its ``afterExecute(_:)`` ones are not).
    @discardableResult
    public func executeFailed(_ listener: @escaping @Sendable (ExecuteEvent, any Error) -> Void) -> Token {
        add { $0.failed.append(($1, listener)) }
    }

    /// Calls `listener` each time the async API (``AsyncEngine``) obtains a connection
    /// from the pool, with how long the task waited for it (zero when one was free).
    @discardableResult
    public func connectionCheckedOut(_ listener: @escaping @Sendable (Duration) -> Void) -> Token {
        add { $0.checkout.append(($1, listener)) }
    }

    /// Removes a listener; removing one twice does nothing.
    public func remove(_ token: Token) {
        lock.lock()
        defer { lock.unlock() }
        lists.before.removeAll { $0.0 == token.id }
        lists.after.removeAll { $0.0 == token.id }
        lists.failed.removeAll { $0.0 == token.id }
        lists.checkout.removeAll { $0.0 == token.id }
        any = !lists.isEmpty
        #if os(Linux)
        anyListeners.store(any, ordering: .releasing)
        #endif
    }

    private func add(_ body: (inout Lists, Int) -> Void) -> Token {
        lock.lock()
        defer { lock.unlock() }
        nextID += 1
        body(&lists, nextID)
        any = true
        #if os(Linux)
        anyListeners.store(true, ordering: .releasing)
        #endif
        return Token(id: nextID)
    }

    /// The listeners, or nil when there are none (the common, cheap case).
    func snapshot() -> Lists? {
        #if os(Linux)
        if !anyListeners.load(ordering: .acquiring) { return nil }
        #endif
        lock.lock()
        defer { lock.unlock() }
        return any ? lists : nil
    }
}

extension EngineEvents.Lists {
    func before(_ sql: String, _ values: [SQLValue], _ sets: Int) {
        guard !before.isEmpty else { return }
        let e = ExecuteEvent(sql: sql, parameters: values, parameterSetCount: sets)
        for (_, l) in before { l(e) }
    }

    func after(_ sql: String, _ values: [SQLValue], _ sets: Int) {
        guard !after.isEmpty else { return }
        let e = ExecuteEvent(sql: sql, parameters: values, parameterSetCount: sets)
        for (_, l) in after { l(e) }
    }

    func failed(_ sql: String, _ values: [SQLValue], _ sets: Int, _ error: any Error) {
        guard !failed.isEmpty else { return }
        let e = ExecuteEvent(sql: sql, parameters: values, parameterSetCount: sets)
        for (_, l) in failed { l(e, error) }
    }

    func checkedOut(waited: Duration) {
        for (_, l) in checkout { l(waited) }
    }
}
