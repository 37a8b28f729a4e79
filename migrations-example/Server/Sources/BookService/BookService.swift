import Foundation
import Hummingbird
import Logging
import Retort
import RetortMigrate
import RetortServer

/// How the service runs: which database, how many connections, where it listens.
public struct ServiceConfiguration: Sendable {
    /// The database URL (`sqlite:///books.db`, `postgresql://user@host/db`).
    public var databaseURL: String
    /// The `migrator.yaml` whose revisions bring the database to head on start-up.
    public var migratorConfigPath: String
    /// Connections in the pool (and no overflow beyond it).
    public var poolSize: Int
    /// Where to listen.
    public var host: String
    public var port: Int

    public init(databaseURL: String, migratorConfigPath: String, poolSize: Int = 10,
                host: String = "127.0.0.1", port: Int = 8080) {
        self.databaseURL = databaseURL
        self.migratorConfigPath = migratorConfigPath
        self.poolSize = poolSize
        self.host = host
        self.port = port
    }

    /// From the environment: `DATABASE_URL` (default `sqlite:///books.db`, a file in
    /// the working directory), `MIGRATOR_CONFIG` (default `migrator.yaml`), `POOL_SIZE`
    /// (10), `HOST` (127.0.0.1), `PORT` (8080). A value that does not parse is an error
    /// naming the variable.
    public static func fromEnvironment(_ environment: [String: String]) throws -> ServiceConfiguration {
        func int(_ name: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            guard let text = environment[name], !text.isEmpty else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                throw ConfigurationError(description: "\(name)=\(text) is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        return ServiceConfiguration(
            databaseURL: environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "sqlite:///books.db",
            migratorConfigPath: environment["MIGRATOR_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "migrator.yaml",
            poolSize: try int("POOL_SIZE", 10, 1...1000),
            host: environment["HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1",
            port: try int("PORT", 8080, 0...65535))
    }
}

/// A configuration value that cannot be used.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
}

/// The book catalogue service: a migrated database, an engine, and the routes over it.
///
/// ```swift
/// let service = try await BookService.start(configuration)   // migrates to head first
/// try await service.application().runService()
/// ```
public struct BookService: Sendable {
    /// The engine every request's session uses.
    public let engine: AsyncEngine
    /// The revisions this instance applied on start-up, in order (empty when the
    /// database was already at head, e.g. because another replica migrated it).
    public let appliedRevisions: [String]
    public let configuration: ServiceConfiguration

    /// Brings the database to head with the migrator's lock (several replicas may start
    /// at once: each revision is applied by one of them), then opens the pool.
    public static func start(_ configuration: ServiceConfiguration, logger: Logger = Logger(label: "book-server")) async throws -> BookService {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = configuration.databaseURL
        let migrator = Migrator(configPath: configuration.migratorConfigPath, environment: environment)
        let steps = try await migrator.upgrade(to: .head)
        let applied = steps.map(\.step.revision.id)
        logger.info("database at head", metadata: ["applied": "\(applied)"])
        // Every table joins `catalogue` before the first relationship is resolved.
        _ = (bookTags, catalogue.including(Author.self, Book.self, Tag.self))
        let engine = try createAsyncEngine(configuration.databaseURL,
                                           pool: PoolOptions(size: configuration.poolSize, maxOverflow: 0))
        return BookService(engine: engine, appliedRevisions: applied, configuration: configuration)
    }

    /// The Hummingbird application: the routes, listening where the configuration says,
    /// with the engine as a service of its group: on graceful shutdown (SIGTERM, SIGINT)
    /// the server stops taking requests first, then the pool drains and closes.
    public func application(logger: Logger = Logger(label: "book-server")) -> some ApplicationProtocol {
        Application(router: router(),
                    configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
                    services: [EngineService(engine)],
                    logger: logger)
    }

    /// The routes (see ``BookRoutes``), with database errors mapped to answers.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(ErrorMappingMiddleware())
        BookRoutes(engine: engine).add(to: router)
        return router
    }
}
