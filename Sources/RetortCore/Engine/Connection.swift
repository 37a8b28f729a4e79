/// One database connection checked out of an ``Engine``'s pool, used by one task at a
/// time. It works SQLAlchemy 2.0's "commit as you go" way: the first statement begins
/// a transaction, ``commit()`` or ``rollback()`` ends it, and the next statement begins
/// another.
///
/// ```swift
/// let conn = try engine.connect()
/// defer { conn.close() }
/// try conn.execute(text("INSERT INTO authors (name) VALUES (:name)"), ["name": "Ursula"])
/// try conn.commit()
///
/// let sp = try conn.beginNested()           // SAVEPOINT sp_1
/// try conn.execute(text("DELETE FROM authors"))
/// try sp.rollback()                          // ROLLBACK TO SAVEPOINT sp_1; the outer transaction goes on
/// ```
///
/// Closing returns it to the pool rolled back; a connection dropped without closing
/// is closed when it is deinitialised.
///
/// Transactions and savepoints are in Connection+Transactions.swift; the state they
/// share with execution below is internal for that reason, not for other callers.
public final class Connection {
    public let engine: Engine
    var pooled: PooledConnection?
    var closed = false
    /// Set after the server connection was lost; cleared by ``rollback()``.
    var invalidated = false
    /// Savepoint names, innermost last.
    var savepoints: [String] = []
    var savepointCounter = 0
    /// True while this connection's transaction holds the engine's ``WriterGate``.
    var holdsWriterGate = false
    // The state below is touched on every execution. A connection belongs to one task
    // at a time and none of these accesses overlaps another (each is a short read or
    // edit, calling out to nothing that comes back here while it lasts), so they are
    // marked to skip the run-time exclusivity check: it cost a call into the runtime
    // per access, a few hundred instructions per query.

    /// Results that still hold a cursor on this connection; closed with it. Not
    /// retained: a result leaves this list when it closes (at its end, on `close()`,
    /// or when it is deinitialised), which is before it can dangle.
    @exclusivity(unchecked) private var openResults: [Unmanaged<CursorResult>] = []
    /// The column index of the last result, reused while the columns are the same.
    @exclusivity(unchecked) private var lastColumns: ResultColumns?
    /// The statement cache's walk of the last SELECT and the values it gave, emptied
    /// and refilled by each execution: their storage is kept, so executing a cached
    /// shape allocates no buffers for them (see ``StatementCache/prepare(_:_:reusing:into:)``).
    @exclusivity(unchecked) private var extractor = BindExtractor()
    @exclusivity(unchecked) private var positionalValues: [SQLValue] = []
    /// Bumped whenever the root transaction ends, so stale ``Transaction`` handles know.
    var transactionEpoch = 0

    /// The isolation level new transactions on this connection begin with (nil: the
    /// engine's, else the database's default).
    @exclusivity(unchecked) public internal(set) var isolationLevel: IsolationLevel?

    init(engine: Engine, pooled: PooledConnection) {
        self.engine = engine
        self.pooled = pooled
        self.isolationLevel = engine.isolationLevel
        self.dialect = engine.dialect
    }

    deinit { close() }

    /// The dialect of the engine. Read from the engine once, when the connection is
    /// made (``Engine/connect()`` settles the engine's dialect before that, and it does
    /// not change afterwards): the engine's is behind a lock, and every statement
    /// compiles for it.
    public let dialect: Dialect

    /// Read each query's rows as the database sends them instead of whole before the
    /// first is handed out (SQLAlchemy's `stream_results`): memory stays bounded for a
    /// big result, the first row comes sooner, and an error part way through is raised
    /// by the read that reaches it. Off by default: reading whole costs less per row.
    /// PostgreSQL only (single-row mode); SQLite always steps row by row, and MySQL
    /// reads whole. ``AsyncConnection/stream(_:_:timeout:)`` turns it on for one query.
    public var streamResults = false {
        didSet { pooled?.driverConnection.setStreamsResults(streamResults) }
    }

    /// True once ``close()`` was called.
    public var isClosed: Bool { closed }

    /// The driver connection statements run on now (nil when closed or lost): the one
    /// the async API asks to cancel a running statement.
    var currentDriverConnection: (any DriverConnection)? { pooled?.driverConnection }

    /// True while a transaction is open.
    public var inTransaction: Bool { pooled?.driverConnection.inTransaction ?? false }

    /// True while a savepoint (``beginNested()``) is open.
    public var inNestedTransaction: Bool { !savepoints.isEmpty }

    /// The database server's version, e.g. `3.40.1` or `15.18`.
    public func serverVersion() throws -> String { try driver("serverVersion").serverVersion }

    /// Throws an ``OperationalError`` (kind `readOnly`) naming what is not writable when
    /// the database cannot be written (SQLite: a file opened read-only, or a directory
    /// where its journal cannot be made), so that a writer can refuse before starting.
    public func checkWritable() throws { try driver("checkWritable").checkWritable() }

    // MARK: Execution

    /// Executes a statement with named parameters and returns its result.
    ///
    /// ```swift
    /// let row = try conn.execute(text("SELECT * FROM authors WHERE id = :id"), ["id": 1]).one()
    /// ```
    @discardableResult
    public func execute(_ statement: some Executable, _ parameters: Parameters = [:]) throws -> CursorResult {
        if !parameters.isEmpty, let shaped = statement as? any ParameterizedExecutable {
            // INSERT/UPDATE without values: the parameters' names decide the SQL.
            let prepared = shaped.prepareParameters(parameters, for: dialect)
            let compiled = try shaped.compile(for: dialect, parameterNames: Set(prepared.names))
            if compiled.hasLists { return try runExpanding(compiled, prepared) }
            return try run(compiled.sql, try Connection.bind(compiled, prepared), compiled: compiled)
        }
        if parameters.isEmpty, engine.echo == nil, let select = statement as? Select {
            return try runCached(select)
        }
        return try run(try statement.compile(for: dialect), parameters)
    }

    /// `execute` for a ``Select``: the same as for any statement, chosen at compile
    /// time, so the common query skips asking at run time what kind of statement it is.
    @discardableResult
    public func execute(_ statement: Select, _ parameters: Parameters = [:]) throws -> CursorResult {
        if parameters.isEmpty, engine.echo == nil { return try runCached(statement) }
        return try run(try statement.compile(for: dialect), parameters)
    }

    /// The common query: its cached SQL and its values go straight to the driver.
    private func runCached(_ select: Select) throws -> CursorResult {
        switch try StatementCache.shared.prepare(select, dialect, reusing: &extractor, into: &positionalValues) {
        case .positional(let sql):
            defer {
                // Let go of the values (a large blob, say) but keep the storage.
                positionalValues.removeAll(keepingCapacity: true)
                extractor.removeAll()
            }
            return try run(sql, positionalValues, compiled: nil)
        case .compiled(let compiled):
            extractor.removeAll()
            return try run(compiled, [:])
        }
    }

    /// Runs a compiled statement with named parameters.
    private func run(_ compiled: CompiledStatement, _ parameters: Parameters) throws -> CursorResult {
        if compiled.hasLists { return try runExpanding(compiled, parameters) }
        let values = try Connection.bind(compiled, parameters)
        return try run(compiled.sql, values, compiled: compiled)
    }

    /// A statement with lists: its SQL depends on their lengths (see ``CompiledStatement/resolve(_:for:)``).
    private func runExpanding(_ compiled: CompiledStatement, _ parameters: Parameters) throws -> CursorResult {
        let (sql, values) = try compiled.resolve(parameters, for: dialect)
        return try run(sql, values, compiled: nil)
    }

    /// Executes a statement once per parameter set ("executemany"): one prepared
    /// statement stepped many times on SQLite, pipelined on PostgreSQL. The result
    /// carries the total ``CursorResult/rowCount`` and no rows.
    ///
    /// ```swift
    /// try conn.execute(text("INSERT INTO authors (name) VALUES (:name)"), [["name": "Ursula"], ["name": "Octavia"]])
    /// ```
    @discardableResult
    public func execute(_ statement: some Executable, _ parameterSets: [Parameters]) throws -> CursorResult {
        var parameterSets = parameterSets
        let compiled: CompiledStatement
        if let shaped = statement as? any ParameterizedExecutable, let first = parameterSets.first {
            // INSERT/UPDATE without values: the first set's names decide the SQL;
            // each set gets its client-side defaults and type conversions.
            parameterSets = parameterSets.map { shaped.prepareParameters($0, for: dialect) }
            compiled = try shaped.compile(for: dialect, parameterNames: Set((parameterSets.first ?? first).names))
        } else {
            compiled = try statement.compile(for: dialect)
        }
        if compiled.hasLists {
            // The SQL may differ per set (list lengths): one execution each.
            var total = 0
            for set in parameterSets { total += try runExpanding(compiled, set).rowCount }
            return CursorResult(rowCount: total)
        }
        let conn = try driver(compiled.sql)
        try autobegin(conn)
        if let echo = engine.echo {
            echo.executemany(compiled.sql, compiled: compiled,
                             sets: try parameterSets.prefix(3).map { try Connection.bind(compiled, $0) },
                             total: parameterSets.count)
        }
        let listeners = engine.events.snapshot()
        let firstValues = listeners == nil ? [] : try parameterSets.first.map { try Connection.bind(compiled, $0) } ?? []
        listeners?.before(compiled.sql, firstValues, parameterSets.count)
        do {
            let result = CursorResult(rowCount: try conn.executeMany(compiled.sql, count: parameterSets.count) { i, values in
                try Connection.bind(compiled, parameterSets[i], into: &values)
            })
            listeners?.after(compiled.sql, firstValues, parameterSets.count)
            return result
        } catch {
            listeners?.failed(compiled.sql, firstValues, parameterSets.count, error)
            throw handle(error)
        }
    }

    /// Runs a compiled statement with positional values (in the order of its
    /// bindings). The ORM's flush and loads use it to skip parameter dictionaries.
    package func execute(compiled: CompiledStatement, values: [SQLValue]) throws -> CursorResult {
        try run(compiled.sql, values, compiled: compiled)
    }

    /// executemany of a compiled statement: `fill(i, &values)` writes set `i`'s values
    /// in binding order. Returns the rows affected. (The ORM's flush uses it.)
    package func executeMany(compiled: CompiledStatement, count: Int,
                             fill: (Int, inout [SQLValue]) throws -> Void) throws -> Int {
        try runMany(compiled, count: count, fill: fill) { conn in
            try conn.executeMany(compiled.sql, count: count, fill: fill)
        }
    }

    /// executemany of a compiled statement that returns rows (`INSERT ... RETURNING`):
    /// each returned row goes to `row(i, values)` with the index of the set that
    /// produced it. Returns the rows affected.
    package func executeManyReturning(compiled: CompiledStatement, count: Int,
                                      fill: (Int, inout [SQLValue]) throws -> Void,
                                      row: (Int, [SQLValue]) throws -> Void) throws -> Int {
        try runMany(compiled, count: count, fill: fill) { conn in
            try conn.executeManyReturning(compiled.sql, count: count, fill: fill, row: row)
        }
    }

    /// executemany that hands each set's rows affected to `counted(i, n)` (the ORM's
    /// versioned UPDATE and DELETE, which must match one row per set). Returns the total.
    package func executeManyCounted(compiled: CompiledStatement, count: Int,
                                    fill: (Int, inout [SQLValue]) throws -> Void,
                                    counted: (Int, Int) -> Void) throws -> Int {
        try runMany(compiled, count: count, fill: fill) { conn in
            try conn.executeManyCounted(compiled.sql, count: count, fill: fill, counted: counted)
        }
    }

    /// executemany of an INSERT that hands back each set's inserted rowid (SQLite's
    /// `INTEGER PRIMARY KEY`, see ``Dialect/integerPrimaryKeyIsRowID``). Returns the rows affected.
    package func executeManyInsert(compiled: CompiledStatement, count: Int,
                                   fill: (Int, inout [SQLValue]) throws -> Void,
                                   rowID: (Int, Int64) throws -> Void) throws -> Int {
        try runMany(compiled, count: count, fill: fill) { conn in
            try conn.executeManyInsert(compiled.sql, count: count, fill: fill, rowID: rowID)
        }
    }

    private func runMany(_ compiled: CompiledStatement, count: Int, fill: (Int, inout [SQLValue]) throws -> Void,
                         _ body: (any DriverConnection) throws -> Int) throws -> Int {
        guard count > 0 else { return 0 }
        let conn = try driver(compiled.sql)
        try autobegin(conn)
        let listeners = engine.events.snapshot()
        var firstValues: [SQLValue] = []
        if engine.echo != nil || listeners != nil {
            try fill(0, &firstValues)
            engine.echo?.executemany(compiled.sql, compiled: compiled, sets: [firstValues], total: count)
        }
        listeners?.before(compiled.sql, firstValues, count)
        do {
            let total = try body(conn)
            listeners?.after(compiled.sql, firstValues, count)
            return total
        } catch {
            listeners?.failed(compiled.sql, firstValues, count, error)
            throw handle(error)
        }
    }

    /// Executes a statement once per row of positional values, in the order of the
    /// statement's parameters — executemany without building dictionaries.
    @discardableResult
    public func executeMany(_ statement: some Executable, positional rows: [[SQLValue]]) throws -> CursorResult {
        let compiled = try statement.compile(for: dialect)
        if compiled.hasLists {
            throw ArgumentError("executeMany(positional:) cannot fill an IN list; execute with named parameters instead")
        }
        for (i, row) in rows.enumerated() where row.count != compiled.bindings.count {
            throw InterfaceError(
                kind: row.count < compiled.bindings.count ? .missingParameter : .unexpectedParameter,
                message: "parameter set \(i) has \(row.count) values; the statement takes \(compiled.bindings.count)",
                sql: compiled.sql)
        }
        return try runMany(compiled.sql, rows, compiled: compiled)
    }

    /// Executes SQL exactly as written, in the driver's paramstyle (`?` or `$1`), with
    /// positional values. The escape hatch beneath ``text(_:)``.
    @discardableResult
    public func executeDriverSQL(_ sql: String, _ values: [SQLValue] = []) throws -> CursorResult {
        try run(sql, values, compiled: nil)
    }

    /// The first column of the first row.
    public func scalar<T: SQLValueConvertible>(_ statement: some Executable, _ parameters: Parameters = [:],
                                               as type: T.Type = T.self) throws -> T {
        try execute(statement, parameters).scalar(T.self)
    }

    /// The first column of every row.
    public func scalars<T: SQLValueConvertible>(_ statement: some Executable, _ parameters: Parameters = [:],
                                                as type: T.Type = SQLValue.self) throws -> ScalarResult<T> {
        try execute(statement, parameters).scalars(T.self)
    }

    /// Resolves a compiled statement's bindings against named parameters.
    static func bind(_ compiled: CompiledStatement, _ parameters: Parameters) throws -> [SQLValue] {
        var values: [SQLValue] = []
        try bind(compiled, parameters, into: &values)
        return values
    }

    /// Appends the values of `compiled`'s bindings to `values` (executemany calls this
    /// per row with a reused buffer).
    static func bind(_ compiled: CompiledStatement, _ parameters: Parameters, into values: inout [SQLValue]) throws {
        values.reserveCapacity(compiled.bindings.count)
        for binding in compiled.bindings {
            switch binding {
            case .value(let v):
                values.append(v)
            case .named(let name):
                values.append(try scalarParameter(compiled, parameters, name))
            case .valueList, .namedList:
                throw InterfaceError(kind: .misuse, message: "a list binding needs CompiledStatement.resolve", sql: compiled.sql)
            }
        }
        // Every expected name was found, so more entries are extra names or repeated ones.
        if parameters.count > compiled.parameterNames.count { throw unexpectedParameters(compiled, parameters) }
    }

    /// The value of a single-valued named parameter.
    @inline(__always)
    static func scalarParameter(_ compiled: CompiledStatement, _ parameters: Parameters, _ name: String) throws -> SQLValue {
        guard let i = parameters.position(of: name) else { throw missingParameter(compiled, name) }
        guard let value = parameters.entries[i].1 else { return .null }
        if value.sqlValueList != nil {
            throw InterfaceError(
                kind: .misuse,
                message: "parameter '\(name)' was given a list; only bindParameter(\"\(name)\", expanding: true) in IN takes one",
                sql: compiled.sql)
        }
        return value.sqlValue
    }

    static func missingParameter(_ compiled: CompiledStatement, _ name: String) -> InterfaceError {
        InterfaceError(
            kind: .missingParameter,
            message: "no value for parameter '\(name)'; the statement takes: " + compiled.parameterNames.joined(separator: ", "),
            sql: compiled.sql)
    }

    static func unexpectedParameters(_ compiled: CompiledStatement, _ parameters: Parameters) -> InterfaceError {
        let expected = compiled.parameterNames
        let extra = Array(Set(parameters.names.filter { !expected.contains($0) })).sorted()
        if extra.isEmpty {
            return InterfaceError(
                kind: .unexpectedParameter,
                message: "parameter \(parameters.duplicateNames.map { "'\($0)'" }.joined(separator: ", ")) given more than once",
                sql: compiled.sql)
        }
        return InterfaceError(
            kind: .unexpectedParameter,
            message: "unexpected parameter\(extra.count == 1 ? "" : "s") \(extra.map { "'\($0)'" }.joined(separator: ", ")); "
                + (expected.isEmpty ? "the statement takes none" : "the statement takes: \(expected.joined(separator: ", "))"),
            sql: compiled.sql)
    }

    private func run(_ sql: String, _ values: [SQLValue], compiled: CompiledStatement?) throws -> CursorResult {
        let conn = try driver(sql)
        try autobegin(conn)
        engine.echo?.statement(sql, compiled: compiled, values: values)
        let listeners = engine.events.snapshot()
        listeners?.before(sql, values, 1)
        do {
            let cursor = try conn.execute(sql, values)
            // Consecutive results of one statement share their column index.
            let columns: ResultColumns
            if let last = lastColumns, last.names == cursor.columnNames {
                columns = last
            } else {
                columns = ResultColumns(cursor.columnNames)
                lastColumns = columns
            }
            let result = CursorResult(cursor: cursor, columns: columns)
            if result.returnsRows { track(result) }
            listeners?.after(sql, values, 1)
            return result
        } catch {
            listeners?.failed(sql, values, 1, error)
            throw handle(error)
        }
    }

    private func runMany(_ sql: String, _ sets: [[SQLValue]], compiled: CompiledStatement?) throws -> CursorResult {
        let conn = try driver(sql)
        try autobegin(conn)
        engine.echo?.executemany(sql, compiled: compiled, sets: Array(sets.prefix(3)), total: sets.count)
        let listeners = engine.events.snapshot()
        listeners?.before(sql, sets.first ?? [], sets.count)
        do {
            let result = CursorResult(rowCount: try conn.executeMany(sql, sets))
            listeners?.after(sql, sets.first ?? [], sets.count)
            return result
        } catch {
            listeners?.failed(sql, sets.first ?? [], sets.count, error)
            throw handle(error)
        }
    }

    private func track(_ result: CursorResult) {
        result.owner = self
        openResults.append(Unmanaged.passUnretained(result))
    }

    /// Called by a result as it closes.
    func untrack(_ result: CursorResult) {
        // Usually the last one added (a loop of one-row queries keeps this list at one).
        let me = Unmanaged.passUnretained(result).toOpaque()
        if openResults.last?.toOpaque() == me {
            openResults.removeLast()
        } else if let i = openResults.lastIndex(where: { $0.toOpaque() == me }) {
            openResults.remove(at: i)
        }
    }

    /// The live driver connection, or the error that explains why there is none.
    func driver(_ sql: String?) throws -> any DriverConnection {
        if closed {
            throw InterfaceError(kind: .closed, message: "this connection is closed; get a new one with engine.connect()",
                                 sql: sql)
        }
        if invalidated {
            throw InterfaceError(
                kind: .closed,
                message: "the connection to the database was lost inside a transaction; call rollback() to start again",
                sql: sql)
        }
        if let pooled { return pooled.driverConnection }
        let fresh = try engine.pool.checkout()
        pooled = fresh
        return fresh.driverConnection
    }

    func autobegin(_ conn: any DriverConnection) throws {
        // A write transaction ended by SQL of the user's own (a COMMIT in text) lets the
        // next writer go here, at the latest.
        if holdsWriterGate, !conn.inTransaction { leaveWriterGate() }
        guard isolationLevel != .autocommit, !conn.inTransaction else { return }
        savepoints.removeAll()
        for sql in try dialect.beginStatements(isolation: isolationLevel) {
            try command(sql, on: conn)
        }
    }

    func command(_ sql: String, on conn: any DriverConnection) throws {
        engine.echo?.statement(sql)
        do {
            try conn.executeCommand(sql)
        } catch {
            throw handle(error)
        }
    }

    /// After a disconnect: drop the dead connection, tell the pool, and remember it
    /// (the user rolls back to carry on).
    private func handle(_ error: any Error) -> any Error {
        if let op = error as? OperationalError, op.kind == .connectionLost, let dead = pooled {
            pooled = nil
            invalidated = true
            engine.pool.checkin(dead, broken: true)
            engine.pool.invalidateAll()
        }
        return error
    }

    // MARK: Closing

    /// Rolls back anything uncommitted and returns the connection to the pool. Closing
    /// twice does nothing.
    public func close() {
        guard !closed else { return }
        closed = true
        defer { leaveWriterGate() }
        if streamResults { pooled?.driverConnection.setStreamsResults(false) }
        let open = openResults
        openResults.removeAll()
        for r in open { r.takeUnretainedValue().closeWithConnection() }
        guard let record = pooled else { return }
        pooled = nil
        var broken = false
        if record.driverConnection.inTransaction {
            engine.echo?.statement("ROLLBACK")
            do { try record.driverConnection.executeCommand("ROLLBACK") } catch { broken = true }
        }
        engine.pool.checkin(record, broken: broken)
    }
}
