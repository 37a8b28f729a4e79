/// A connection of an ``AsyncEngine``: a ``Connection`` whose statements are awaited
/// and run on the connection's own thread (one of Retort's, never the cooperative
/// pool's). It belongs to the task that ``AsyncEngine/connect(_:)`` gave it to.
///
/// ```swift
/// try await engine.connect { conn in
///     conn.statementTimeout = .seconds(2)                 // for every statement below
///     try await conn.execute(text("INSERT INTO authors (name) VALUES (:n)"), ["n": "Ursula"])
///     try await conn.commit()
///     for try await row in try await conn.execute(select(authors)) { print(row) }   // streamed
/// }
/// ```
///
/// **Cancellation.** Cancelling the task stops the running statement: PostgreSQL gets
/// a `PQcancel`, SQLite a `sqlite3_interrupt`, MySQL a `KILL QUERY` sent over a second,
/// short-lived connection (drivers that cannot stop a statement let it finish). The
/// call throws `CancellationError`, the connection's transaction is
/// rolled back, and the connection is usable again (the next call sees the task
/// cancelled and throws at once, before running anything).
///
/// **Statement timeouts.** ``statementTimeout``, or `timeout:` on one call, stops a
/// statement the same way when it runs longer; the call throws ``OperationalError``
/// `.timeout` and the transaction is rolled back. The timeout covers each call's
/// round trip: for a streamed result, the statement and then each batch of rows.
@available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
public final class AsyncConnection {
    /// The synchronous connection underneath. Use it only inside ``run(timeout:_:)``,
    /// which runs on the connection's thread.
    public let sync: Connection
    /// The thread this connection's blocking calls run on.
    package let thread: DatabaseThread
    private let canceller = StatementCanceller()
    private var released = false

    /// Stops any statement that runs longer than this (nil: no limit, the default).
    public var statementTimeout: Duration?

    init(_ connection: Connection, thread: DatabaseThread) {
        self.sync = connection
        self.thread = thread
    }

    /// The engine this connection came from.
    public var engine: Engine { sync.engine }
    /// The dialect of the engine.
    public var dialect: Dialect { sync.dialect }
    /// True while a transaction is open.
    public var inTransaction: Bool { sync.inTransaction }

    // MARK: Execution

    /// Executes a statement with named parameters; see ``Connection/execute(_:_:)-(some Executable,_)``.
    /// The result's rows are read with `for try await`, ``AsyncResult/all()``, etc.
    @discardableResult
    public func execute(_ statement: some Executable, _ parameters: Parameters = [:],
                        timeout: Duration? = nil) async throws -> AsyncResult {
        AsyncResult(try await perform(timeout: timeout) { try sync.execute(statement, parameters) }, connection: self)
    }

    /// Executes a query whose rows are read as the database sends them (see
    /// ``Connection/streamResults``): for a big result read with `for try await`, which
    /// then holds one batch in memory rather than every row.
    ///
    /// ```swift
    /// for try await row in try await conn.stream(select(books.c.id, books.c.title)) { … }
    /// ```
    public func stream(_ statement: some Executable, _ parameters: Parameters = [:],
                       timeout: Duration? = nil) async throws -> AsyncResult {
        AsyncResult(try await perform(timeout: timeout) {
            sync.streamResults = true
            defer { sync.streamResults = false }
            return try sync.execute(statement, parameters)
        }, connection: self)
    }

    /// Executes a statement once per parameter set (executemany); the result carries
    /// the total ``AsyncResult/rowCount``.
    @discardableResult
    public func execute(_ statement: some Executable, _ parameterSets: [Parameters],
                        timeout: Duration? = nil) async throws -> AsyncResult {
        AsyncResult(try await perform(timeout: timeout) { try sync.execute(statement, parameterSets) }, connection: self)
    }

    /// Executes SQL exactly as written, in the driver's paramstyle, with positional values.
    @discardableResult
    public func executeDriverSQL(_ sql: String, _ values: [SQLValue] = [], timeout: Duration? = nil) async throws -> AsyncResult {
        AsyncResult(try await perform(timeout: timeout) { try sync.executeDriverSQL(sql, values) }, connection: self)
    }

    /// The first column of the first row.
    public func scalar<T: SQLValueConvertible>(_ statement: some Executable, _ parameters: Parameters = [:],
                                               as type: T.Type = T.self, timeout: Duration? = nil) async throws -> T {
        try await perform(timeout: timeout) { try sync.scalar(statement, parameters, as: T.self) }
    }

    /// The first column of every row, read with `for try await` or ``AsyncScalarResult/all()``.
    public func scalars<T: SQLValueConvertible>(_ statement: some Executable, _ parameters: Parameters = [:],
                                                as type: T.Type = SQLValue.self,
                                                timeout: Duration? = nil) async throws -> AsyncScalarResult<T> {
        try await execute(statement, parameters, timeout: timeout).scalars(T.self)
    }

    /// Every row of a statement's result.
    public func all(_ statement: some Executable, _ parameters: Parameters = [:],
                    timeout: Duration? = nil) async throws -> [Row] {
        try await perform(timeout: timeout) { try sync.execute(statement, parameters).all() }
    }

    /// Runs synchronous code with ``sync`` on the connection's thread, cancellable and
    /// timed like a statement: for what has no async form (reflection, DDL of a whole
    /// ``MetaData``, a loop of many small statements in one hop).
    ///
    /// ```swift
    /// let tables = try await conn.run { try Inspector($0).tableNames() }
    /// ```
    public func run<T>(timeout: Duration? = nil, _ body: (Connection) throws -> T) async throws -> T {
        try await perform(timeout: timeout) { try body(sync) }
    }

    // MARK: Transactions

    /// Begins a transaction explicitly (statements also begin one on their own).
    public func begin(immediate: Bool = false) async throws {
        try await perform { _ = try sync.begin(immediate: immediate) }
    }

    /// Commits the open transaction; does nothing when none is open.
    public func commit() async throws {
        try await perform { try sync.commit() }
    }

    /// Rolls back the open transaction; does nothing when none is open. It runs even in
    /// a cancelled task (it is how a cancelled task leaves the connection clean).
    public func rollback() async throws {
        try await perform(cancellable: false) { try sync.rollback() }
    }

    /// Runs `body` in a transaction of its own: commits when it returns, rolls back when
    /// it throws (a cancellation included). On SQLite it takes the write lock as it
    /// begins (see ``Connection/transaction(_:)``).
    @discardableResult
    public func transaction<T>(_ body: (AsyncConnection) async throws -> T) async throws -> T {
        try await begin(immediate: true)
        do {
            let value = try await body(self)
            try await commit()
            return value
        } catch {
            try? await rollback()
            throw error
        }
    }

    /// Runs `body` inside a savepoint: released when it returns, rolled back to when it
    /// throws (the outer transaction goes on either way).
    @discardableResult
    public func beginNested<T>(_ body: (AsyncConnection) async throws -> T) async throws -> T {
        let savepoint = try await perform { try sync.beginNested() }
        do {
            let value = try await body(self)
            try await perform { try savepoint.commit() }
            return value
        } catch {
            try? await perform(cancellable: false) { try savepoint.rollback() }
            throw error
        }
    }

    // MARK: Running on the connection's thread

    /// Runs `work` (blocking driver calls) on the connection's thread: at once when the
    /// task is already there (the body of ``AsyncEngine/connect(_:)`` is), else after a
    /// hop. With `cancellable`, a cancelled task throws before anything runs, and
    /// cancellation or the timeout stops the statement while it runs; the transaction is
    /// then rolled back and `CancellationError` or ``OperationalError`` `.timeout` thrown.
    package func perform<T>(timeout: Duration? = nil, cancellable: Bool = true,
                            _ work: () throws -> T) async throws -> T {
        guard thread.isCurrent else {
            return try await thread.hosting {
                try await self.perform(timeout: timeout, cancellable: cancellable, work)
            }
        }
        guard cancellable else { return try work() }
        if Task.isCancelled {
            // A result of this task may still be streaming its statement's rows: that
            // statement is stopped as a running one would be, its transaction rolled back.
            stopStreamedStatement()
            throw CancellationError()
        }
        let limit = timeout ?? statementTimeout
        let ticket = canceller.begin(sync.currentDriverConnection, timeout: limit)
        do {
            let value = try await withTaskCancellationHandler {
                try work()
            } onCancel: { [canceller] in
                canceller.cancel(ticket, .cancelled)
            }
            // A stop request reached the statement though the call returned: MySQL, for
            // one, answers a killed SELECT's metadata (or first row) and sends the error
            // after it. What the call returned cannot be trusted: handle it as stopped.
            if let reason = canceller.end(ticket) { throw stopped(reason, limit: limit, cause: nil) }
            return value
        } catch {
            guard let reason = canceller.end(ticket) else { throw error }
            throw stopped(reason, limit: limit, cause: error as? any DatabaseError)
        }
    }

    /// Ends the transaction of a statement that was stopped (PostgreSQL has aborted it,
    /// SQLite may have rolled it back, MySQL leaves it open) so that the connection is
    /// ready at once, and returns the error the call throws.
    private func stopped(_ reason: StatementCanceller.Reason, limit: Duration?, cause: (any DatabaseError)?) -> any Error {
        try? sync.rollback()
        switch reason {
        case .cancelled:
            return CancellationError()
        case .timedOut:
            return OperationalError(
                kind: .timeout,
                message: "the statement ran longer than its timeout of \(limit?.timeInterval ?? 0) s and was cancelled; "
                    + "its transaction was rolled back",
                sql: cause?.sql, driverMessage: cause?.driverMessage, code: cause?.code)
        }
    }

    /// Stops a statement that a result still streams inside the transaction (which is
    /// then rolled back): see ``DriverConnection/stopStreamedStatement()``.
    func stopStreamedStatement() {
        if sync.currentDriverConnection?.stopStreamedStatement() == true { try? sync.rollback() }
    }

    /// ``release()`` where the caller is, blocking (a `deinit` cannot await).
    package func releaseNow() {
        guard !released else { return }
        released = true
        stopStreamedStatement()
        sync.close()
        engine.pool.returnThread(thread)
    }

    /// Closes the connection on its thread (rolling back what is open) and gives it and
    /// the thread back to the pool. Runs once.
    func release() async {
        guard !released else { return }
        released = true
        // Closing rolls an open transaction back: a statement still streaming rows to an
        // abandoned result inside it is stopped rather than read to its end.
        _ = try? await perform(cancellable: false) {
            stopStreamedStatement()
            sync.close()
        }
        engine.pool.returnThread(thread)
    }
}
