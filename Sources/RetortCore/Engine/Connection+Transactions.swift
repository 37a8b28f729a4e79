// Transactions and savepoints on a Connection: begin / commit / rollback, nested
// savepoints, the isolation level, and the handles `begin()` and `beginNested()` return.

extension Connection {
    /// Begins a transaction explicitly (statements also begin one on their own) and
    /// returns a handle to commit or roll it back. Throws when one is already open.
    ///
    /// `immediate: true` takes the write lock at once on SQLite (`BEGIN IMMEDIATE`).
    @discardableResult
    public func begin(immediate: Bool = false) throws -> Transaction {
        let conn = try driver(nil)
        if conn.inTransaction {
            throw InterfaceError(
                kind: .misuse,
                message: "a transaction is already open on this connection (statements begin one automatically); "
                    + "commit() or rollback() it first")
        }
        let statements = try dialect.beginStatements(isolation: isolationLevel == .autocommit ? nil : isolationLevel,
                                                     immediate: immediate)
        // A write transaction waits its turn among the engine's writers first (see WriterGate).
        let gate = immediate ? engine.writerGate : nil
        try gate?.enter()
        do {
            for sql in statements { try command(sql, on: conn) }
        } catch {
            gate?.leave()
            throw error
        }
        holdsWriterGate = gate != nil
        return Transaction(connection: self, epoch: transactionEpoch)
    }

    /// Runs `body` in a transaction of its own: commits when it returns, rolls back when
    /// it throws.
    ///
    /// On SQLite the transaction takes the write lock as it begins (`BEGIN IMMEDIATE`,
    /// as GRDB's `write` does): a block that reads and then writes would otherwise hold
    /// a read lock that it cannot turn into a write lock while another connection
    /// writes, and SQLite would refuse its write at once ("database is locked", whatever
    /// the busy timeout). Taken at the start, the lock makes a second writer wait its
    /// turn (up to the URL's `timeout=`) instead. Readers are not held up by it.
    @discardableResult
    public func transaction<T>(_ body: (Connection) throws -> T) throws -> T {
        let tx = try begin(immediate: true)
        do {
            let value = try body(self)
            try tx.commit()
            return value
        } catch {
            try? tx.rollback()
            throw error
        }
    }

    /// Commits the open transaction; does nothing when none is open.
    public func commit() throws {
        guard let conn = pooled?.driverConnection, !closed else {
            if closed { throw InterfaceError(kind: .closed, message: "this connection is closed") }
            return
        }
        if conn.inTransaction { try command("COMMIT", on: conn) }
        endTransaction()
    }

    /// Rolls back the open transaction; does nothing when none is open. After a lost
    /// connection, this also makes the connection usable again.
    public func rollback() throws {
        if closed { throw InterfaceError(kind: .closed, message: "this connection is closed") }
        if invalidated {
            invalidated = false
            endTransaction()
            return
        }
        if let conn = pooled?.driverConnection, conn.inTransaction { try command("ROLLBACK", on: conn) }
        endTransaction()
    }

    private func endTransaction() {
        savepoints.removeAll()
        transactionEpoch &+= 1
        leaveWriterGate()
    }

    /// Lets the engine's next writer go, when this connection's transaction was one.
    func leaveWriterGate() {
        guard holdsWriterGate else { return }
        holdsWriterGate = false
        engine.writerGate?.leave()
    }

    /// Opens a savepoint (beginning the outer transaction first when needed) and
    /// returns its handle. Savepoints nest.
    public func beginNested() throws -> NestedTransaction {
        let conn = try driver(nil)
        try autobegin(conn)
        if !conn.inTransaction { _ = try begin() }
        savepointCounter += 1
        let name = "sp_\(savepointCounter)"
        try command(dialect.savepointSQL(name), on: conn)
        savepoints.append(name)
        return NestedTransaction(connection: self, name: name, epoch: transactionEpoch)
    }

    /// Runs `body` inside a savepoint: released when it returns, rolled back to when it
    /// throws (the outer transaction goes on either way).
    @discardableResult
    public func beginNested<T>(_ body: (Connection) throws -> T) throws -> T {
        let sp = try beginNested()
        do {
            let value = try body(self)
            try sp.commit()
            return value
        } catch {
            try? sp.rollback()
            throw error
        }
    }

    func releaseSavepoint(_ name: String, epoch: Int) throws {
        try endSavepoint(name, epoch: epoch, rollback: false)
    }

    func rollbackSavepoint(_ name: String, epoch: Int) throws {
        try endSavepoint(name, epoch: epoch, rollback: true)
    }

    private func endSavepoint(_ name: String, epoch: Int, rollback: Bool) throws {
        guard epoch == transactionEpoch, let index = savepoints.lastIndex(of: name) else {
            throw InterfaceError(kind: .noTransaction,
                                 message: "savepoint \(name) is no longer open (its transaction ended)")
        }
        let conn = try driver(nil)
        if rollback { try command(dialect.rollbackToSavepointSQL(name), on: conn) }
        try command(dialect.releaseSavepointSQL(name), on: conn)
        savepoints.removeSubrange(index...)
    }

    /// Sets the isolation level for transactions begun from now on (nil: the
    /// database's default). `.autocommit` stops automatic BEGIN; each statement then
    /// commits on its own.
    public func setIsolationLevel(_ level: IsolationLevel?) throws {
        if let level { _ = try dialect.beginStatements(isolation: level) }  // validates
        if inTransaction {
            throw InterfaceError(kind: .misuse,
                                 message: "cannot change the isolation level inside a transaction; commit or roll back first")
        }
        isolationLevel = level
    }
}

/// A handle on a root transaction from ``Connection/begin()``.
public struct Transaction {
    let connection: Connection
    let epoch: Int

    /// True while this transaction is still the open one.
    public var isActive: Bool { connection.transactionEpoch == epoch && connection.inTransaction }

    public func commit() throws {
        guard connection.transactionEpoch == epoch else {
            throw InterfaceError(kind: .noTransaction, message: "this transaction already ended")
        }
        try connection.commit()
    }

    public func rollback() throws {
        guard connection.transactionEpoch == epoch else {
            throw InterfaceError(kind: .noTransaction, message: "this transaction already ended")
        }
        try connection.rollback()
    }
}

/// A handle on a savepoint from ``Connection/beginNested()``.
public struct NestedTransaction {
    let connection: Connection
    /// The savepoint's name, e.g. `sp_1`.
    public let name: String
    let epoch: Int

    /// Releases the savepoint, keeping its work in the outer transaction.
    public func commit() throws { try connection.releaseSavepoint(name, epoch: epoch) }
    /// Undoes the work since the savepoint; the outer transaction goes on.
    public func rollback() throws { try connection.rollbackSavepoint(name, epoch: epoch) }
}
