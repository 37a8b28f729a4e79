import Foundation
import Logging

/// The starting point: a database URL, a dialect and a pool of connections. Create
/// one per database and share it across threads; it connects lazily, on first use.
///
/// ```swift
/// let engine = try createEngine("sqlite:///app.db", echo: true)
/// try engine.begin { conn in                       // BEGIN … COMMIT (ROLLBACK on throw)
///     try conn.execute(text("INSERT INTO authors (name) VALUES (:n)"), ["n": "Ursula"])
/// }
/// let names = try engine.connect { conn in
///     try conn.scalars(text("SELECT name FROM authors ORDER BY name"), as: String.self).all()
/// }
/// ```
public final class Engine: Sendable, CustomStringConvertible {
    /// The URL the engine connects to (its description masks the password).
    public let url: DatabaseURL
    /// The SQL dialect of the database.
    ///
    /// Until the first connection it is the driver's dialect for the URL (for
    /// `mysql://`, MySQL 8: ``Dialect/mysql``). The first connection the engine opens
    /// settles it, once, from the server itself
    /// (``DatabaseDialect/initialize(_:connection:)``, SQLAlchemy's
    /// `dialect.initialize`): a MariaDB server makes it the MariaDB flavour of its
    /// version. Statements compile after their connection is open, so they see the
    /// settled dialect; code that wants it before running anything connects first:
    /// `try engine.connect { _ in }`.
    public var dialect: Dialect { settled.dialect }
    private let settled: SettledDialect
    /// The isolation level connections start with (nil: the database's default).
    public let isolationLevel: IsolationLevel?
    let driver: any Driver
    let pool: ConnectionPool
    /// The queue write transactions wait in (a SQLite file database), or nil.
    let writerGate: WriterGate?
    let echo: EchoLog?
    /// Listeners for the statements this engine's connections execute.
    public let events = EngineEvents()

    /// Creates an engine; see ``createEngine(_:echo:pool:isolationLevel:logger:)``.
    public init(url: DatabaseURL, echo: Bool = false, pool options: PoolOptions = PoolOptions(),
                isolationLevel: IsolationLevel? = nil, logger: Logger? = nil) throws {
        self.url = url
        let log = logger ?? Logger(label: "retort.engine")
        guard let dialect = Dialect.named(url.backend) else {
            throw ArgumentError("unknown database backend '\(url.backend)'; Retort knows: "
                                + DatabaseURL.knownSchemes.joined(separator: ", "))
        }
        let driver = try dialect.implementation.makeDriver(url: url, logger: log)
        self.driver = driver
        self.settled = SettledDialect(driver.dialect)
        if let isolationLevel { _ = try driver.dialect.beginStatements(isolation: isolationLevel) }
        self.isolationLevel = isolationLevel
        self.pool = ConnectionPool(driver: driver, options: options, singleConnection: url.isMemory)
        self.writerGate = url.isMemory ? nil : driver.writerQueueTimeout.map(WriterGate.init(timeout:))
        self.echo = echo ? EchoLog(logger: log) : nil
    }

    public var description: String { "Engine(\(url))" }

    /// Pool counters: connections checked out and idle.
    public var poolStatus: PoolStatus { pool.status }

    /// The pool's settings (an in-memory SQLite engine has one shared connection).
    public var poolOptions: PoolOptions { pool.options }

    /// A connection from the pool; ``Connection/close()`` returns it.
    public func connect() throws -> Connection {
        let pooled = try pool.checkout()
        do {
            try settled.settle { try $0.implementation.initialize($0, connection: pooled.driverConnection) }
        } catch {
            pool.checkin(pooled, broken: true)
            throw error
        }
        return Connection(engine: self, pooled: pooled)
    }

    /// Runs `body` with a connection and closes it afterwards (rolling back anything
    /// not committed).
    @discardableResult
    public func connect<T>(_ body: (Connection) throws -> T) throws -> T {
        let conn = try connect()
        defer { conn.close() }
        return try body(conn)
    }

    /// Runs `body` inside a transaction: commits when it returns, rolls back when it throws.
    /// On SQLite it takes the write lock as it begins (see ``Connection/transaction(_:)``).
    @discardableResult
    public func begin<T>(_ body: (Connection) throws -> T) throws -> T {
        try connect { conn in try conn.transaction(body) }
    }

    /// Closes every idle connection; connections in use close when returned. The
    /// engine stays usable and opens new connections on demand.
    public func dispose() {
        pool.dispose()
    }
}

/// Creates an ``Engine`` for a database URL.
///
/// - Parameters:
///   - url: `sqlite:///app.db`, `sqlite://` (memory), `postgresql://user:pass@host/db`, …
///     (see ``DatabaseURL``).
///   - echo: log every statement and its parameters through swift-log (label
///     `retort.engine`), masking parameters named like secrets.
///   - pool: pool size, overflow, timeout, pre-ping and recycle settings.
///   - isolationLevel: the isolation level connections start with.
public func createEngine(_ url: String, echo: Bool = false, pool: PoolOptions = PoolOptions(),
                         isolationLevel: IsolationLevel? = nil, logger: Logger? = nil) throws -> Engine {
    try Engine(url: DatabaseURL(url), echo: echo, pool: pool, isolationLevel: isolationLevel, logger: logger)
}

/// The engine's dialect, settled once by its first connection.
private final class SettledDialect: @unchecked Sendable {
    // @unchecked Sendable: `value` and `isSettled` are read and written only with `lock` held.
    private let lock = NSLock()
    private var value: Dialect
    private var isSettled = false

    init(_ dialect: Dialect) { value = dialect }

    var dialect: Dialect {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    /// Runs `initialize` the first time only; a failure leaves it to the next connection.
    func settle(_ initialize: (Dialect) throws -> Dialect) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !isSettled else { return }
        value = try initialize(value)
        isSettled = true
    }
}
