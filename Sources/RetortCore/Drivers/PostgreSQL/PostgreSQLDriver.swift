import CLibPQ
import Foundation
import Logging

/// The PostgreSQL driver, over libpq.
///
/// ```swift
/// let driver = try PostgreSQLDriver(url: DatabaseURL("postgresql://app:secret@db.internal:5432/shop?sslmode=require"))
/// let connection = try driver.connect()
/// let cursor = try connection.execute("SELECT id, name FROM authors WHERE id = $1", [42])
/// ```
///
/// The URL's user, password, host, port and database become libpq's `user`,
/// `password`, `host`, `port` and `dbname`. Query options are libpq keywords, passed
/// through after validation:
///
/// | option | meaning |
/// |---|---|
/// | `host` | a host name, or a unix-socket directory such as `/var/run/postgresql`; overrides the URL's host |
/// | `port` | overrides the URL's port |
/// | `sslmode` | `disable`, `allow`, `prefer`, `require`, `verify-ca` or `verify-full` |
/// | `sslrootcert`, `sslcert`, `sslkey`, `sslcrl`, `sslpassword` | TLS files and key password |
/// | `connect_timeout` | seconds to wait for a connection (0 waits forever) |
/// | `application_name` | shown in `pg_stat_activity` (default `retort`) |
/// | `options` | server options at startup, e.g. `-c statement_timeout=5000` |
/// | `target_session_attrs` | `any`, `read-write`, `read-only`, `primary`, `standby`, `prefer-standby` |
/// | `keepalives`, `keepalives_idle`, `keepalives_interval`, `keepalives_count`, `tcp_user_timeout` | TCP liveness |
/// | `channel_binding`, `gssencmode`, `passfile`, `hostaddr`, `sslsni` | as in libpq |
///
/// One option is Retort's own: `statement_cache_size=N`, the prepared statements kept
/// per connection (default 128).
///
/// Connections always use `client_encoding` UTF8. Server notices and warnings
/// (`RAISE NOTICE`, "there is no transaction in progress") go to `logger` at level
/// `.notice` or `.warning`; without a logger they are dropped.
public struct PostgreSQLDriver: Driver {
    /// Always ``Dialect/postgresql``.
    public var dialect: Dialect { .postgresql }

    /// The URL connections are opened for.
    public let url: DatabaseURL
    /// Receives server notices and warnings.
    public let logger: Logger?
    /// Prepared statements kept per connection (least recently used are deallocated).
    public let statementCacheSize: Int

    /// libpq keywords accepted as URL query options.
    static let libpqOptions = [
        "host", "hostaddr", "port", "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "sslpassword",
        "sslsni", "connect_timeout", "application_name", "options", "target_session_attrs", "keepalives",
        "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "channel_binding",
        "gssencmode", "passfile",
    ]
    /// Options Retort handles itself rather than passing to libpq.
    static let retortOptions = ["statement_cache_size"]
    static var knownOptions: [String] { libpqOptions + retortOptions }

    /// Allowed values of the options that take one of a few words.
    static let enumeratedOptions: [String: [String]] = [
        "sslmode": ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"],
        "target_session_attrs": ["any", "read-write", "read-only", "primary", "standby", "prefer-standby"],
        "channel_binding": ["disable", "prefer", "require"],
        "gssencmode": ["disable", "prefer", "require"],
        "keepalives": ["0", "1"],
        "sslsni": ["0", "1"],
    ]
    /// Options whose value is a whole number of seconds (or milliseconds, or a count).
    static let integerOptions = [
        "port", "connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
        "tcp_user_timeout",
    ]

    /// The keyword/value pairs handed to libpq, password included.
    let parameters: [(String, String)]

    /// Validates `url` and prepares the libpq connection parameters; nothing is
    /// contacted until ``connect()``.
    ///
    /// Throws ``ArgumentError`` for a URL that is not PostgreSQL, an unknown query
    /// option (the message lists the known ones) or an invalid option value.
    public init(url: DatabaseURL, logger: Logger? = nil) throws {
        guard url.backend == "postgresql" else {
            throw ArgumentError("PostgreSQLDriver needs a postgresql:// URL, not '\(url)'")
        }
        self.url = url
        self.logger = logger
        var options: [String: String] = [:]
        for (name, value) in url.query {
            guard PostgreSQLDriver.knownOptions.contains(name) else {
                throw ArgumentError(
                    "unknown PostgreSQL URL option '\(name)'; known options: "
                        + PostgreSQLDriver.knownOptions.joined(separator: ", "))
            }
            if let allowed = PostgreSQLDriver.enumeratedOptions[name], !allowed.contains(value) {
                throw ArgumentError(
                    "PostgreSQL URL option \(name)='\(value)' is not valid; use one of: "
                        + allowed.joined(separator: ", "))
            }
            if PostgreSQLDriver.integerOptions.contains(name), Int(value).map({ $0 >= 0 }) != true {
                throw ArgumentError("PostgreSQL URL option \(name)='\(value)' is not a whole number")
            }
            options[name] = value
        }
        if let s = options.removeValue(forKey: "statement_cache_size") {
            guard let n = Int(s), n >= 0 else {
                throw ArgumentError("PostgreSQL URL option statement_cache_size='\(s)' is not a whole number")
            }
            statementCacheSize = n
        } else {
            statementCacheSize = 128
        }

        var pairs: [(String, String)] = []
        if let user = url.username { pairs.append(("user", user)) }
        if let password = url.password { pairs.append(("password", password)) }
        if let host = options.removeValue(forKey: "host") ?? url.host { pairs.append(("host", host)) }
        if let port = options.removeValue(forKey: "port") ?? url.port.map(String.init) { pairs.append(("port", port)) }
        if let database = url.database { pairs.append(("dbname", database)) }
        // The remaining options, in the order the URL wrote them.
        for (name, _) in url.query {
            if let value = options.removeValue(forKey: name) { pairs.append((name, value)) }
        }
        for (name, value) in pairs where value.utf8.contains(0) {
            throw ArgumentError("the PostgreSQL URL's \(name) contains a NUL (%00) character, which libpq cannot take")
        }
        pairs.append(("client_encoding", "UTF8"))
        pairs.append(("fallback_application_name", "retort"))
        parameters = pairs
    }

    /// Opens a new connection with `PQconnectdb`.
    ///
    /// Throws ``OperationalError`` with kind `.authenticationFailed` (wrong user or
    /// password, no `pg_hba.conf` entry), `.cannotConnect` (server not running or not
    /// reachable, database missing, too many connections) and a one-line message.
    public func connect() throws -> any DriverConnection {
        try PostgreSQLConnection(driver: self)
    }

    /// The libpq connection string, `keyword='value'` pairs separated by spaces.
    /// With `maskPassword` the password is shown as `***` (for messages and logs).
    func conninfo(maskPassword: Bool = false) -> String {
        parameters.map { name, value in
            name + "=" + PostgreSQLDriver.quoteConninfoValue(maskPassword && name == "password" ? "***" : value)
        }.joined(separator: " ")
    }

    /// Quotes a conninfo value: single quotes around it, backslash before `'` and `\`.
    static func quoteConninfoValue(_ value: String) -> String {
        var out = "'"
        out.reserveCapacity(value.utf8.count + 2)
        for ch in value.unicodeScalars {
            if ch == "'" || ch == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(ch)
        }
        out += "'"
        return out
    }

    /// Where connections go, for messages: `host:port` or the unix socket path.
    var targetDescription: String {
        let host = parameters.last(where: { $0.0 == "host" })?.1
        let port = parameters.last(where: { $0.0 == "port" })?.1 ?? "5432"
        return PostgreSQLDriver.describeTarget(host: host, port: port)
    }

    static func describeTarget(host: String?, port: String) -> String {
        guard let host, !host.isEmpty else { return "the default unix socket (port \(port))" }
        if host.hasPrefix("/") || host.hasPrefix("@") {
            return "unix socket \(host)/.s.PGSQL.\(port)"
        }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
