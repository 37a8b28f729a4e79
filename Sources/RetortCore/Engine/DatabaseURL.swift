import Foundation

/// A parsed database URL, SQLAlchemy style.
///
/// ```
/// sqlite:///relative/app.db          a file relative to the working directory
/// sqlite:////var/lib/app.db          an absolute path (four slashes)
/// sqlite://   sqlite:///:memory:     an in-memory database
/// sqlite:///app.db?mode=ro&timeout=10&journal_mode=wal
/// postgresql://user:pass@host:5432/db?sslmode=require&connect_timeout=5
/// postgresql://user@/db?host=/var/run/postgresql     a unix-socket directory
/// postgresql+libpq://...                              the same driver, named
/// mysql://user:pass@host:3306/db?ssl_mode=REQUIRED    MySQL or MariaDB (mariadb://, mysql+libmariadb:// too)
/// mysql://user@/db?unix_socket=/run/mysqld/mysqld.sock
/// ```
///
/// Its `description` masks the password: `postgresql://app:***@db/prod`.
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    /// The backend: a registered dialect's name (`sqlite`, `postgresql`, `mysql`).
    public var backend: String
    /// The driver named after `+`, if any (`libpq`).
    public var driverName: String?
    public var username: String?
    public var password: String?
    public var host: String?
    public var port: Int?
    /// The database: a file path for SQLite (`:memory:` for memory), a name for PostgreSQL.
    public var database: String?
    /// Query options, in the order written.
    public var query: [(String, String)]

    /// The schemes Retort understands: each registered dialect's name, its driver
    /// names after `+`, and its aliases.
    public static let knownSchemes: [String] = Dialect.registered.flatMap { d in
        [d.name] + d.implementation.driverNames.map { d.name + "+" + $0 } + d.implementation.urlAliases
    }

    public static func == (a: DatabaseURL, b: DatabaseURL) -> Bool {
        a.description == b.description && a.password == b.password
    }
    public func hash(into h: inout Hasher) { h.combine(description) }

    /// Parses `string`; throws ``ArgumentError`` naming the part that is wrong.
    public init(_ string: String) throws {
        guard let sep = string.range(of: "://") else {
            throw ArgumentError(
                "malformed database URL '\(DatabaseURL.maskPasswordIn(string))': expected scheme://..., "
                    + "for example sqlite:///app.db or postgresql://user:pass@host/db")
        }
        let scheme = String(string[..<sep.lowerBound]).lowercased()
        let parts = scheme.split(separator: "+", maxSplits: 1).map(String.init)
        let driver = parts.count > 1 ? parts[1] : nil
        guard let dialect = Dialect.named(parts.first ?? ""),
              driver.map(dialect.implementation.driverNames.contains) ?? true else {
            throw ArgumentError(
                "unknown database URL scheme '\(scheme)' in '\(DatabaseURL.maskPasswordIn(string))'; "
                    + "Retort knows: \(DatabaseURL.knownSchemes.joined(separator: ", "))")
        }
        self.backend = dialect.name
        self.driverName = driver
        self.query = []

        var rest = String(string[sep.upperBound...])
        if let q = rest.firstIndex(of: "?") {
            let queryString = String(rest[rest.index(after: q)...])
            rest = String(rest[..<q])
            for pair in queryString.split(separator: "&", omittingEmptySubsequences: true) {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard kv.count == 2, !kv[0].isEmpty else {
                    throw ArgumentError("malformed query option '\(pair)' in database URL: expected name=value")
                }
                query.append((try DatabaseURL.decode(String(kv[0]), "query option"),
                              try DatabaseURL.decode(String(kv[1]), "query option")))
            }
        }

        if dialect.implementation.urlNamesAFile {
            // sqlite://            -> memory
            // sqlite:///x.db       -> rest = "/x.db"  -> "x.db"
            // sqlite:////abs/x.db  -> rest = "//abs/x.db" -> "/abs/x.db"
            if rest.isEmpty {
                database = ":memory:"
            } else {
                guard rest.hasPrefix("/") else {
                    throw ArgumentError(
                        "malformed SQLite URL '\(string)': the path must follow three slashes "
                            + "(sqlite:///relative.db) or four (sqlite:////absolute/path.db)")
                }
                let path = try DatabaseURL.decode(String(rest.dropFirst()), "path")
                database = path.isEmpty ? ":memory:" : path
            }
            return
        }

        // scheme://[user[:password]@][host][:port][/database]
        var authority = rest
        if let slash = rest.firstIndex(of: "/") {
            authority = String(rest[..<slash])
            let db = String(rest[rest.index(after: slash)...])
            database = db.isEmpty ? nil : try DatabaseURL.decode(db, "database name")
        }
        if let at = authority.lastIndex(of: "@") {
            let userinfo = String(authority[..<at])
            authority = String(authority[authority.index(after: at)...])
            if let colon = userinfo.firstIndex(of: ":") {
                username = try DatabaseURL.decode(String(userinfo[..<colon]), "user name")
                password = try DatabaseURL.decode(String(userinfo[userinfo.index(after: colon)...]), "password")
            } else if !userinfo.isEmpty {
                username = try DatabaseURL.decode(userinfo, "user name")
            }
        }
        if authority.hasPrefix("[") {  // [::1]:5432
            guard let close = authority.firstIndex(of: "]") else {
                throw ArgumentError("malformed host '\(authority)' in database URL: missing ']'")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            authority = String(authority[authority.index(after: close)...])
            if authority.hasPrefix(":") { try parsePort(String(authority.dropFirst())) }
        } else if let colon = authority.lastIndex(of: ":") {
            host = try DatabaseURL.decode(String(authority[..<colon]), "host")
            try parsePort(String(authority[authority.index(after: colon)...]))
        } else if !authority.isEmpty {
            host = try DatabaseURL.decode(authority, "host")
        }
        if host?.isEmpty == true { host = nil }
    }

    private mutating func parsePort(_ text: String) throws {
        guard let p = Int(text), (1...65535).contains(p) else {
            throw ArgumentError("malformed port '\(text)' in database URL: expected a number from 1 to 65535")
        }
        port = p
    }

    private static func decode(_ s: String, _ what: String) throws -> String {
        guard s.contains("%") else { return s }
        guard let d = s.removingPercentEncoding else {
            throw ArgumentError("malformed percent-encoding in the \(what) of a database URL")
        }
        return d
    }

    /// The value of query option `name` (the last one when repeated).
    public func option(_ name: String) -> String? {
        query.last(where: { $0.0 == name })?.1
    }

    /// True for an in-memory database (SQLite's `:memory:`).
    public var isMemory: Bool { namesAFile && database == ":memory:" }

    /// True when the URL names a database file (SQLite) rather than a database on a
    /// server: a scratch copy is then another file, not a `CREATE DATABASE`.
    public var namesAFile: Bool { Dialect.named(backend)?.implementation.urlNamesAFile ?? false }

    public var description: String { render(maskPassword: true) }

    /// The URL with its password, for handing to a driver.
    public func render(maskPassword: Bool) -> String {
        var s = backend + (driverName.map { "+" + $0 } ?? "") + "://"
        if namesAFile {
            if database != ":memory:", let db = database { s += "/" + db }
        } else {
            if let u = username {
                s += DatabaseURL.encode(u)
                if let p = password { s += ":" + (maskPassword ? "***" : DatabaseURL.encode(p)) }
                s += "@"
            }
            if let h = host { s += h.contains(":") ? "[\(h)]" : DatabaseURL.encode(h) }
            if let p = port { s += ":\(p)" }
            if let db = database { s += "/" + DatabaseURL.encode(db) }
        }
        if !query.isEmpty {
            s += "?" + query.map { DatabaseURL.encode($0.0) + "=" + DatabaseURL.encode($0.1) }.joined(separator: "&")
        }
        return s
    }

    private static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// Masks `:password@` in a URL string that may not even parse, for messages.
    static func maskPasswordIn(_ s: String) -> String {
        guard let sep = s.range(of: "://"), let at = s[sep.upperBound...].lastIndex(of: "@") else { return s }
        let userinfo = s[sep.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return s }
        return String(s[..<s.index(after: colon)]) + "***" + String(s[at...])
    }
}
