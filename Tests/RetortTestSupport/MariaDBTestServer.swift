import CMariaDB
import Foundation
import RetortCore
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A MySQL/MariaDB server for tests: the one `RETORT_TEST_MYSQL_URL` names, or a
/// throwaway MariaDB (`mariadb-install-db` into a temporary directory, `mariadbd` on a
/// unix socket there and a free TCP port on 127.0.0.1, run as the `mysql` OS user when
/// the tests run as root) that lives as long as the test process.
///
/// ```swift
/// let url = try MariaDBTestServer.freshDatabaseURL()   // skips the test when no MariaDB is around
/// let engine = try createEngine(url)
/// ```
///
/// Without server binaries and without `RETORT_TEST_MYSQL_URL` the tests that ask for a
/// server are skipped; with `RETORT_REQUIRE_MYSQL=1` they fail instead. This support
/// code talks to the server through libmariadb directly, not through the Engine, so
/// that it does not depend on the code it helps to test.
public enum MariaDBTestServer {
    /// The user whose password ``passwordURL(password:)`` tests against.
    public static let passwordUser = "retort_pw"
    /// That user's password.
    public static let userPassword = "s3cret"

    /// URL of a ready server, started once per test process (over its unix socket when
    /// it is the throwaway one). Throws XCTSkip when no server is available, or a
    /// failing error under RETORT_REQUIRE_MYSQL=1.
    public static func url() throws -> String { try server().url }

    /// The throwaway server over TCP on 127.0.0.1 (nil for `RETORT_TEST_MYSQL_URL`).
    public static func tcpURL(database: String? = nil) throws -> String? {
        let server = try server()
        guard !server.external, let port = server.tcpPort else { return nil }
        return "mysql://root@127.0.0.1:\(port)/\(database ?? "")"
    }

    /// The throwaway server's unix socket (nil for `RETORT_TEST_MYSQL_URL`).
    public static func socketPath() throws -> String? {
        let server = try server()
        return server.external ? nil : server.socket
    }

    /// A URL over TCP for user `retort_pw` (password `s3cret`) with `password`, so tests
    /// can check wrong-password errors. Nil for `RETORT_TEST_MYSQL_URL`.
    public static func passwordURL(password: String, database: String? = nil) throws -> String? {
        let server = try server()
        guard !server.external, let port = server.tcpPort else { return nil }
        let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password
        return "mysql://\(passwordUser):\(encoded)@127.0.0.1:\(port)/\(database ?? "")"
    }

    /// Creates a fresh empty database with a unique name and returns its URL.
    public static func freshDatabaseURL() throws -> String {
        let server = try server()
        let name = "retort_test_\(getpid())_\(Registry.shared.nextNumber())"
        try runAdmin(server, "CREATE DATABASE \(name) CHARACTER SET utf8mb4")
        if server.external { Registry.shared.addDatabase(name) }
        var url = try DatabaseURL(server.url)
        url.database = name
        return url.render(maskPassword: false)
    }

    /// Runs one statement as the administrator (for tests that need to act from outside,
    /// such as `KILL`).
    public static func runAdmin(_ sql: String) throws { try runAdmin(try server(), sql) }

    // MARK: The server

    struct Server: Sendable {
        let url: String
        /// Where the administrator connects: the URL, parsed.
        let admin: DatabaseURL
        let socket: String?
        let tcpPort: Int?
        let external: Bool
    }

    enum Outcome: Sendable {
        case ready(Server)
        case unavailable(String)
        case broken(String)
    }

    struct StartError: Error, CustomStringConvertible {
        let description: String
    }

    private static let outcome: Outcome = start()

    static func server() throws -> Server {
        switch outcome {
        case .ready(let server):
            return server
        case .unavailable(let reason):
            if ProcessInfo.processInfo.environment["RETORT_REQUIRE_MYSQL"] == "1" {
                throw StartError(description: "RETORT_REQUIRE_MYSQL=1 but no MySQL/MariaDB is available: \(reason)")
            }
            throw XCTSkip("MySQL tests skipped: \(reason)")
        case .broken(let reason):
            throw StartError(description: "the MariaDB test server is not usable: \(reason)")
        }
    }

    private static func start() -> Outcome {
        let environment = ProcessInfo.processInfo.environment
        if let external = environment["RETORT_TEST_MYSQL_URL"], !external.isEmpty {
            do {
                let url = try DatabaseURL(external)
                var admin = url
                admin.database = nil
                let server = Server(url: url.render(maskPassword: false), admin: admin, socket: nil, tcpPort: url.port,
                                    external: true)
                try runAdmin(server, "SELECT 1")
                atexit { MariaDBTestServer.dropExternalDatabases() }
                return .ready(server)
            } catch {
                let shown = (try? DatabaseURL(external).description) ?? "<unparseable URL>"
                return .broken("RETORT_TEST_MYSQL_URL (\(shown)): \(error)")
            }
        }
        guard let binaries = findBinaries() else {
            return .unavailable(
                "no server binaries found (install mariadb-server) and RETORT_TEST_MYSQL_URL is not set")
        }
        do {
            return .ready(try LocalMariaDB.start(server: binaries.server, installDB: binaries.installDB))
        } catch let error as LocalMariaDB.Unavailable {
            return .unavailable(error.reason)
        } catch {
            return .broken("\(error)")
        }
    }

    /// `mariadbd` and `mariadb-install-db`, from PATH or the places Debian puts them.
    static func findBinaries() -> (server: String, installDB: String)? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        func find(_ names: [String], _ extra: [String]) -> String? {
            for dir in path + extra {
                for name in names where FileManager.default.isExecutableFile(atPath: dir + "/" + name) {
                    return dir + "/" + name
                }
            }
            return nil
        }
        guard let server = find(["mariadbd", "mysqld"], ["/usr/sbin", "/usr/libexec", "/usr/local/sbin"]),
            let installDB = find(["mariadb-install-db", "mysql_install_db"], ["/usr/bin", "/usr/local/bin"])
        else { return nil }
        return (server, installDB)
    }

    /// Connects as the administrator with libmariadb, runs `sql`, and disconnects.
    static func runAdmin(_ server: Server, _ sql: String) throws {
        try withAdminConnection(server) { conn in try query(conn, sql) }
    }

    static func withAdminConnection<T>(_ server: Server, _ body: (UnsafeMutablePointer<MYSQL>) throws -> T) throws -> T {
        guard let conn = mysql_init(nil) else { throw StartError(description: "libmariadb out of memory") }
        defer { mysql_close(conn) }
        let url = server.admin
        let socket = url.option("unix_socket")
        guard mysql_real_connect(conn, socket == nil ? url.host : "localhost", url.username, url.password,
                                 url.database, UInt32(url.port ?? 3306), socket, 0) != nil
        else {
            throw StartError(description: "cannot connect to \(url): \(String(cString: mysql_error(conn)))")
        }
        return try body(conn)
    }

    static func query(_ conn: UnsafeMutablePointer<MYSQL>, _ sql: String) throws {
        guard mysql_query(conn, sql) == 0 else {
            throw StartError(description: "\(sql): \(String(cString: mysql_error(conn)))")
        }
        if let result = mysql_store_result(conn) { mysql_free_result(result) }
    }

    private static func dropExternalDatabases() {
        guard case .ready(let server) = outcome else { return }
        for name in Registry.shared.takeDatabases() { try? runAdmin(server, "DROP DATABASE IF EXISTS \(name)") }
    }

    /// State shared with the exit hooks.
    final class Registry: @unchecked Sendable {
        static let shared = Registry()
        private let lock = NSLock()
        private var counter = 0
        private var databases: [String] = []
        private var local: (directory: String, pid: pid_t)?

        func nextNumber() -> Int {
            lock.lock()
            defer { lock.unlock() }
            counter += 1
            return counter
        }

        func addDatabase(_ name: String) {
            lock.lock()
            defer { lock.unlock() }
            databases.append(name)
        }

        func takeDatabases() -> [String] {
            lock.lock()
            defer { lock.unlock() }
            defer { databases = [] }
            return databases
        }

        func setLocal(directory: String, pid: pid_t) {
            lock.lock()
            defer { lock.unlock() }
            local = (directory, pid)
        }

        func takeLocal() -> (directory: String, pid: pid_t)? {
            lock.lock()
            defer { lock.unlock() }
            defer { local = nil }
            return local
        }
    }
}

/// A throwaway MariaDB in a temporary directory, with durability switched off for
/// speed (no doublewrite, no flush at commit, no binary log).
enum LocalMariaDB {
    struct Unavailable: Error {
        let reason: String
    }

    typealias StartError = MariaDBTestServer.StartError

    static func start(server: String, installDB: String) throws -> MariaDBTestServer.Server {
        var runAs: [String] = []
        var owner: (uid: uid_t, gid: gid_t)?
        if getuid() == 0 {
            guard let pw = getpwnam("mysql") else {
                throw Unavailable(reason: "running as root and there is no 'mysql' OS user to run the server as")
            }
            owner = (pw.pointee.pw_uid, pw.pointee.pw_gid)
            runAs = ["--user=mysql"]
        }
        var template = Array("/tmp/retort-my-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw StartError(description: "cannot create a temporary directory under /tmp: errno \(errno)")
        }
        let base = String(cString: made)
        do {
            if let owner, chown(base, owner.uid, owner.gid) != 0 {
                throw StartError(description: "cannot hand \(base) to the mysql user: errno \(errno)")
            }
            let data = base + "/data"
            let speed = ["--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M",
                         "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", "--skip-log-bin"]
            try installDataDirectory(data, server: server, installDB: installDB, runAs: runAs, speed: speed, base: base)
            var lastError: any Error = StartError(description: "mariadbd did not start")
            for _ in 0..<3 {
                let port = try LocalCluster.freePort()
                let socket = base + "/mysqld.sock"
                let pid = try LocalCluster.spawn(
                    [server, "--no-defaults", "--datadir=" + data, "--socket=" + socket, "--port=\(port)",
                     "--bind-address=127.0.0.1", "--pid-file=" + base + "/mysqld.pid", "--log-error=" + base + "/server.log",
                     "--skip-name-resolve", "--max-connections=500", "--character-set-server=utf8mb4",
                     "--collation-server=utf8mb4_unicode_ci"] + runAs + speed,
                    log: base + "/mysqld.out")
                MariaDBTestServer.Registry.shared.setLocal(directory: base, pid: pid)
                let url = try DatabaseURL("mysql://root@localhost/?unix_socket=" + socket)
                let candidate = MariaDBTestServer.Server(url: url.render(maskPassword: false), admin: url, socket: socket,
                                                         tcpPort: port, external: false)
                if waitUntilReady(candidate, pid: pid) {
                    atexit { LocalMariaDB.stop() }
                    startWatchdog(base: base, pid: pid)
                    let user = "'\(MariaDBTestServer.passwordUser)'@'%'"
                    try MariaDBTestServer.runAdmin(
                        candidate, "CREATE USER \(user) IDENTIFIED BY '\(MariaDBTestServer.userPassword)'")
                    try MariaDBTestServer.runAdmin(candidate, "GRANT ALL ON *.* TO \(user)")
                    return candidate
                }
                stop(keepDirectory: true)
                let log = (try? String(contentsOfFile: base + "/server.log", encoding: .utf8)) ?? ""
                lastError = StartError(
                    description: "mariadbd did not answer on \(socket):\n"
                        + log.split(separator: "\n").suffix(12).joined(separator: "\n"))
            }
            throw lastError
        } catch {
            stop()
            try? FileManager.default.removeItem(atPath: base)
            throw error
        }
    }

    /// Fills `data` with a fresh data directory: a copy of the pristine one kept under
    /// /tmp for this `mariadbd` binary when there is one (a fraction of a second), else
    /// `mariadb-install-db` (about three seconds), whose result then becomes that copy.
    private static func installDataDirectory(_ data: String, server: String, installDB: String, runAs: [String],
                                             speed: [String], base: String) throws {
        let fm = FileManager.default
        let attributes = try? fm.attributesOfItem(atPath: server)
        let stamp = "\((attributes?[.size] as? Int) ?? 0)-\(Int((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0))"
        let template = "/tmp/retort-mariadb-template-\(getuid())-\(stamp)"
        if fm.fileExists(atPath: template + "/complete"),
            (try? run(["/bin/cp", "-a", template + "/data", data], log: base + "/install.log")) != nil
        {
            return
        }
        try? fm.removeItem(atPath: data)
        try run([installDB, "--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal",
                 "--skip-test-db", "--skip-name-resolve"] + runAs + speed,
                log: base + "/install.log")
        // Keep a pristine copy for the next test process; another process may be making
        // one at the same moment, so it is built aside and renamed into place.
        let aside = template + ".\(getpid())"
        try? fm.removeItem(atPath: aside)
        guard (try? fm.createDirectory(atPath: aside, withIntermediateDirectories: false)) != nil,
            (try? run(["/bin/cp", "-a", data, aside + "/data"], log: base + "/install.log")) != nil,
            fm.createFile(atPath: aside + "/complete", contents: Data())
        else {
            try? fm.removeItem(atPath: aside)
            return
        }
        if rename(aside, template) != 0 { try? fm.removeItem(atPath: aside) }
    }

    /// Polls the socket until the server answers (up to 60 s), or the server exits.
    private static func waitUntilReady(_ server: MariaDBTestServer.Server, pid: pid_t) -> Bool {
        for _ in 0..<1200 {
            if (try? MariaDBTestServer.runAdmin(server, "SELECT 1")) != nil { return true }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return false }
            usleep(50_000)
        }
        return false
    }

    /// Kills the server (its data is thrown away, so no clean shutdown is needed), waits
    /// for it, and removes its directory. Runs at exit.
    static func stop(keepDirectory: Bool = false) {
        guard let local = MariaDBTestServer.Registry.shared.takeLocal() else { return }
        if local.pid > 0, kill(local.pid, SIGKILL) == 0 {
            var status: Int32 = 0
            for _ in 0..<250 {
                if waitpid(local.pid, &status, WNOHANG) != 0 { break }
                usleep(20_000)
            }
        }
        if !keepDirectory { try? FileManager.default.removeItem(atPath: local.directory) }
    }

    /// Should the test process die without its exit hooks, a detached shell kills the
    /// server and removes its directory once the process is gone.
    private static func startWatchdog(base: String, pid: pid_t) {
        let script = "trap '' HUP INT TERM; while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; "
            + "kill -KILL \(pid) 2>/dev/null; sleep 1; rm -rf '\(base)'"
        var argv = ["/bin/sh", "-c", script]
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid") { argv.insert("/usr/bin/setsid", at: 0) }
        _ = try? LocalCluster.spawn(argv, log: "/dev/null")
    }

    /// Runs a program to completion, its output to `log`; throws with the log's tail when it fails.
    private static func run(_ argv: [String], log: String) throws {
        let pid = try LocalCluster.spawn(["/bin/sh", "-c", "cd / && exec \"$@\"", "sh"] + argv, log: log)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw StartError(description: "waitpid failed: errno \(errno)") }
        }
        let exitCode = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard exitCode == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let name = (argv[0] as NSString).lastPathComponent
            throw StartError(description: "\(name) failed (exit \(exitCode)):\n"
                                 + text.split(separator: "\n").suffix(12).joined(separator: "\n"))
        }
    }
}
