import Logging
// Temporary: replaced by the libpq driver being written on branch pg-driver.
public struct PostgresDriver: Driver {
    public var dialect: Dialect { .postgresql }
    public init(url: DatabaseURL, logger: Logger? = nil) throws {}
    public func connect() throws -> any DriverConnection {
        throw OperationalError(kind: .cannotConnect, message: "PostgreSQL driver not merged yet")
    }
}
