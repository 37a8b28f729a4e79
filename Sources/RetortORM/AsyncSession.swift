import RetortCore

/// A ``Session`` for async code (SQLAlchemy's `AsyncSession`): the same unit of work,
/// identity map and loading strategies — it wraps a `Session` — with every database
/// call awaited and run on the thread of a connection of an ``AsyncEngine``, never on
/// Swift's cooperative pool.
///
/// ```swift
/// let session = AsyncSession(engine)
/// try await session.run { session in                       // COMMIT, or ROLLBACK on throw
///     let ursula = try await session.scalar(select(Author.self).where { $0.name == "Ursula" })
///     try session.add(Book(title: "The Dispossessed", author: ursula))
/// }
/// let books = try await session.scalars(select(Book.self).options(.selectinLoad(\.tags)))
/// ```
///
/// The session takes a connection (suspending while the pool has none free) for its
/// first database call and gives it back when the transaction ends (``commit()``,
/// ``rollback()``, ``close()``). Cancelling the task cancels the running statement and
/// rolls the session back, as ``rollback()`` does.
///
/// Relationships and expired attributes that a plain `Session` loads when first read
/// would be read on the caller's thread here: load relationships eagerly
/// (`.selectinLoad`, `.joinedLoad`, or `lazy: .selectin` in the model), and read
/// anything else inside ``perform(_:)``. For the same reason `expireOnCommit` is off by
/// default (as SQLAlchemy advises for its `AsyncSession`).
@available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
public final class AsyncSession {
    /// The synchronous session: its state (``Session/new``, ``Session/dirty``, …) may be
    /// read anywhere; its database methods only inside ``perform(_:)``.
    public let sync: Session
    /// The engine connections come from.
    public let engine: AsyncEngine
    /// The connection (and its thread) while the session holds one.
    private var lease: AsyncConnection?

    /// A session on `engine`; see ``Session/init(_:autoflush:expireOnCommit:events:)``.
    public init(_ engine: AsyncEngine, autoflush: Bool = true, expireOnCommit: Bool = false,
                events: SessionEvents = SessionEvents()) {
        self.engine = engine
        self.sync = Session(engine.sync, autoflush: autoflush, expireOnCommit: expireOnCommit, events: events)
    }

    deinit {
        // Dropped while holding a connection (without commit, rollback or close): the
        // session rolls it back as it goes; the thread returns to the pool.
        lease?.releaseNow()
    }

    // MARK: Running on the connection's thread

    /// Runs `body` with the synchronous session on the connection's thread, taking a
    /// connection first if the session holds none: for anything without an async form
    /// here (lazy relationships, bulk statements, ``Session/beginNested(_:)``, …).
    ///
    /// ```swift
    /// let titles = try await session.perform { s in try s.get(Author.self, 1)?.books.map(\.title) ?? [] }
    /// ```
    public func perform<T>(_ body: (Session) throws -> T) async throws -> T {
        let conn: AsyncConnection
        if let lease {
            conn = lease
        } else {
            conn = try await engine.lease()
            lease = conn
            if sync.connection == nil { sync.connection = conn.sync }
        }
        do {
            let value = try await conn.perform { try body(sync) }
            await settle(conn)
            return value
        } catch {
            await settle(conn)
            throw error
        }
    }

    /// After each call: a stopped statement (cancellation, timeout) ended the
    /// transaction under the session, which then rolls back its own bookkeeping; a
    /// session whose transaction ended gives the connection (and its thread) back.
    private func settle(_ conn: AsyncConnection) async {
        if sync.inTransaction, sync.connection === conn.sync, !conn.sync.inTransaction {
            _ = try? await conn.perform(cancellable: false) { try sync.rollback() }
        }
        guard sync.connection !== conn.sync || !sync.inTransaction else { return }
        if sync.connection === conn.sync { sync.connection = nil }
        lease = nil
        await engine.release(conn)
    }

    /// Runs `body` and commits; rolls back and rethrows when it throws (or its task is
    /// cancelled), as ``Session/run(_:)`` does.
    @discardableResult
    public func run<T>(_ body: (AsyncSession) async throws -> T) async throws -> T {
        do {
            let value = try await body(self)
            try await commit()
            return value
        } catch {
            try? await rollback()
            throw error
        }
    }

    // MARK: The unit of work

    /// Adds an instance (and what its relationships reach) to the session, pending
    /// INSERT; no database call.
    public func add<M: Model>(_ object: M) throws { try sync.add(object) }

    /// Adds several instances.
    public func addAll<M: Model>(_ objects: [M]) throws { try sync.addAll(objects) }

    /// Marks an instance for deletion at the next flush.
    public func delete<M: Model>(_ object: M) async throws { try await perform { try $0.delete(object) } }

    /// Writes pending changes in one transaction's statements (without committing).
    public func flush() async throws { try await perform { try $0.flush() } }

    /// Flushes and commits; the connection goes back to the pool.
    public func commit() async throws { try await perform { try $0.commit() } }

    /// Rolls back (see ``Session/rollback()``); the connection goes back to the pool.
    /// It runs even in a cancelled task.
    public func rollback() async throws {
        guard let lease else { return try sync.rollback() }  // no connection: bookkeeping only
        do {
            try await lease.perform(cancellable: false) { try sync.rollback() }
            await settle(lease)
        } catch {
            await settle(lease)
            throw error
        }
    }

    /// Expunges every instance and ends any transaction, rolling back what was not
    /// committed; the connection goes back to the pool.
    public func close() async {
        guard let lease else { return sync.close() }
        _ = try? await lease.perform(cancellable: false) { sync.close() }
        await settle(lease)
    }

    /// Reloads an instance's values now, discarding unflushed changes.
    public func refresh<M: Model>(_ object: M) async throws { try await perform { try $0.refresh(object) } }

    // MARK: Queries

    /// The instance with this primary key: from the identity map when it is there (no
    /// query), else loaded; see ``Session/get(_:_:)``.
    public func get<M: Model>(_ model: M.Type, _ key: any SQLValueConvertible...) async throws -> M? {
        let values = key.map { $0.sqlValue }
        return try await perform { try $0.get(model, key: values) }
    }

    /// Every instance a model query returns, its eager loads done (see ``Session/scalars(_:)-(ModelSelect<M>)``).
    public func scalars<M: Model>(_ query: ModelSelect<M>) async throws -> [M] {
        try await perform { try $0.scalars(query).all() }
    }

    /// The first instance a model query returns, or nil.
    public func scalar<M: Model>(_ query: ModelSelect<M>) async throws -> M? {
        try await perform { try $0.scalar(query) }
    }

    /// Every row of a Core statement run in the session's transaction.
    public func all(_ statement: some Executable, _ parameters: Parameters = [:]) async throws -> [Row] {
        try await perform { try $0.execute(statement, parameters).all() }
    }

    /// Runs a Core statement (DML) in the session's transaction; returns the rows affected.
    @discardableResult
    public func execute(_ statement: some Executable, _ parameters: Parameters = [:]) async throws -> Int {
        try await perform { s in
            let result = try s.execute(statement, parameters)
            defer { result.close() }
            return result.rowCount
        }
    }

    /// The first column of the first row of a Core query.
    public func scalar<T: SQLValueConvertible>(_ statement: some Executable, _ parameters: Parameters = [:],
                                               as type: T.Type = T.self) async throws -> T {
        try await perform { try $0.scalar(statement, parameters, as: T.self) }
    }
}
