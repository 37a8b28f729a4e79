import Foundation
import Logging

/// The MySQL and MariaDB driver, over libmariadb (MariaDB Connector/C), which speaks to
/// MariaDB 10.x/11.x and MySQL 8.
///
/// ```swift
/// let driver = try MySQLDriver(url: DatabaseURL("mysql://app:secret@db.internal:3306/shop?ssl_mode=REQUIRED"))
/// let connection = try driver.connect()
/// let cursor = try connection.execute("SELECT id, name FROM authors WHERE id = ?", [42])
/// ```
///
/// `mysql://`, `mariadb://` and `mysql+libmariadb://` name this driver. The URL's user,
/// password, host, port (default 3306) and database are used as given; with no host,
/// libmariadb uses the default unix socket. Query options:
///
/// | option | meaning |
/// |---|---|
/// | `unix_socket` | the server's unix-socket path, e.g. `/run/mysqld/mysqld.sock` (the host is then ignored) |
/// | `ssl_mode` | `DISABLED`, `PREFERRED` (the default: TLS when the server offers it), `REQUIRED` (refuse a server without TLS), `VERIFY_CA` or `VERIFY_IDENTITY` (both verify the certificate and the host name) |
/// | `ssl_ca`, `ssl_capath`, `ssl_cert`, `ssl_key`, `ssl_cipher` | TLS files and ciphers |
/// | `connect_timeout`, `read_timeout`, `write_timeout` | seconds (whole numbers) |
/// | `charset` | only `utf8mb4`, which connections always use |
/// | `statement_cache_size` | prepared statements kept per connection (default 128) |
///
/// Every connection uses `utf8mb4`, the session time zone UTC (so `TIMESTAMP` columns
/// read and write UTC instants, as `DATETIME` values are taken to be), the
/// client flag `CLIENT_FOUND_ROWS` (an UPDATE reports the rows it matched, as on
/// PostgreSQL and SQLite, not only those whose values changed), and a session
/// `sql_mode` that makes the server refuse a value rather than change it
/// (``sessionSQLModes``, added to whatever the server's own `sql_mode` has).
public struct MySQLDriver: Driver {
    /// The `sql_mode` flags every connection adds to the server's: each makes MySQL raise
    /// an error where it would otherwise store a value other than the one given.
    ///
    /// | flag | without it |
    /// |---|---|
    /// | `STRICT_ALL_TABLES` | a too-long string is cut, an out-of-range number clipped, an invalid date stored as zero, and an enum value not in the list stored as `''`, each with a mere warning (`STRICT_TRANS_TABLES`, the default since MySQL 5.7 and MariaDB 10.2.4, covers only transactional tables and only a statement's first row) |
    /// | `NO_ZERO_DATE`, `NO_ZERO_IN_DATE` | `'0000-00-00'` and `'2024-00-10'` are stored as dates |
    /// | `ERROR_FOR_DIVISION_BY_ZERO` | `x / 0` written by an INSERT or UPDATE stores NULL |
    /// | `NO_AUTO_VALUE_ON_ZERO` | an explicit `0` for an `AUTO_INCREMENT` key is replaced by the next number |
    /// | `NO_ENGINE_SUBSTITUTION` | `ENGINE=InnoDB` on a server without InnoDB makes a MyISAM table (no transactions, no foreign keys) |
    ///
    /// A SELECT's `x / 0` is still NULL (MySQL has no mode that raises there), and a
    /// DECIMAL rounds digits beyond its scale, as PostgreSQL's NUMERIC does.
    public static let sessionSQLModes = [
        "STRICT_ALL_TABLES", "NO_ZERO_IN_DATE", "NO_ZERO_DATE", "ERROR_FOR_DIVISION_BY_ZERO", "NO_AUTO_VALUE_ON_ZERO",
        "NO_ENGINE_SUBSTITUTION",
    ]

    /// The statement every connection runs first (libmariadb's `MYSQL_INIT_COMMAND`): UTC,
    /// and ``sessionSQLModes`` added to the session's `sql_mode` (which starts as the
    /// server's global one; an empty one means no flags).
    static let sessionSetup = "SET time_zone = '+00:00', SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), "
        + sessionSQLModes.map { "'\($0)'" }.joined(separator: ", ") + ")"

    /// The dialect spoken through the connections (``Dialect/mysql``).
    public var dialect: Dialect { .mysql }

    /// The URL connections are opened for.
    public let url: DatabaseURL
    /// Receives server warnings (not yet used: the server's warnings are not fetched).
    public let logger: Logger?
    /// Prepared statements kept per connection (least recently used are closed).
    public let statementCacheSize: Int

    /// How TLS is used, from `ssl_mode`.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disabled = "DISABLED", preferred = "PREFERRED", required = "REQUIRED"
        case verifyCA = "VERIFY_CA", verifyIdentity = "VERIFY_IDENTITY"
    }

    /// Options accepted in the URL's query.
    static let knownOptions = [
        "unix_socket", "ssl_mode", "ssl_ca", "ssl_capath", "ssl_cert", "ssl_key", "ssl_cipher", "connect_timeout",
        "read_timeout", "write_timeout", "charset", "statement_cache_size",
    ]
    /// Options whose value is a whole number.
    static let integerOptions = ["connect_timeout", "read_timeout", "write_timeout", "statement_cache_size"]

    let host: String?
    let port: Int
    let user: String?
    let password: String?
    let database: String?
    let unixSocket: String?
    let sslMode: SSLMode?
    /// `ssl_ca` … `ssl_cipher` as given.
    let sslFiles: [String: String]
    var connectTimeout: Int?
    var readTimeout: Int?
    var writeTimeout: Int?

    /// Validates `url`; nothing is contacted until ``connect()``.
    ///
    /// Throws ``ArgumentError`` for a URL that is not MySQL, an unknown query option
    /// (the message lists the known ones) or an invalid option value.
    public init(url: DatabaseURL, logger: Logger? = nil) throws {
        guard url.backend == "mysql" else {
            throw ArgumentError("MySQLDriver needs a mysql:// or mariadb:// URL, not '\(url)'")
        }
        self.url = url
        self.logger = logger
        var options: [String: String] = [:]
        for (name, value) in url.query {
            guard MySQLDriver.knownOptions.contains(name) else {
                throw ArgumentError(
                    "unknown MySQL URL option '\(name)'; known options: " + MySQLDriver.knownOptions.joined(separator: ", "))
            }
            if MySQLDriver.integerOptions.contains(name), Int(value).map({ $0 >= 0 }) != true {
                throw ArgumentError("MySQL URL option \(name)='\(value)' is not a whole number")
            }
            options[name] = value
        }
        for (name, value) in [("user name", url.username), ("password", url.password), ("database", url.database)]
            + options.map({ ($0.key, Optional($0.value)) }) where value?.utf8.contains(0) == true
        {
            throw ArgumentError("the MySQL URL's \(name) contains a NUL (%00) character, which libmariadb cannot take")
        }
        if let charset = options["charset"], charset.lowercased() != "utf8mb4" {
            throw ArgumentError(
                "MySQL URL option charset='\(charset)' is not supported: Retort's connections always use utf8mb4 "
                    + "(every Unicode character); leave the option out or write charset=utf8mb4")
        }
        if let mode = options["ssl_mode"] {
            guard let parsed = SSLMode(rawValue: mode.uppercased()) else {
                throw ArgumentError(
                    "MySQL URL option ssl_mode='\(mode)' is not valid; use one of: "
                        + SSLMode.allCases.map(\.rawValue).joined(separator: ", "))
            }
            sslMode = parsed
        } else {
            sslMode = nil
        }
        statementCacheSize = options["statement_cache_size"].flatMap { Int($0) } ?? 128
        host = url.host
        port = url.port ?? 3306
        user = url.username
        password = url.password
        database = url.database
        unixSocket = options["unix_socket"]
        sslFiles = options.filter { ["ssl_ca", "ssl_capath", "ssl_cert", "ssl_key", "ssl_cipher"].contains($0.key) }
        connectTimeout = options["connect_timeout"].flatMap { Int($0) }
        readTimeout = options["read_timeout"].flatMap { Int($0) }
        writeTimeout = options["write_timeout"].flatMap { Int($0) }
    }

    /// Opens a new connection with `mysql_real_connect`.
    ///
    /// Throws ``OperationalError`` with kind `.authenticationFailed` (wrong user or
    /// password) or `.cannotConnect` (server not running or not reachable, unknown
    /// database, TLS refused) and a one-line message.
    public func connect() throws -> any DriverConnection {
        try MySQLConnection(driver: self)
    }

    /// Where connections go, for messages: `host:port` or the unix socket path.
    var targetDescription: String {
        if let unixSocket { return "unix socket \(unixSocket)" }
        guard let host, host != "localhost" else { return "the default unix socket" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
