import CLibPQ
import Foundation
import RetortCore
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PostgreSQL server for tests: the one `RETORT_TEST_POSTGRES_URL` names, or a
/// throwaway cluster (`initdb` in a temporary directory, started with fsync off)
/// that lives as long as the test process.
///
/// ```swift
/// let url = try PostgreSQLTestServer.freshDatabaseURL()   // skips the test when no PostgreSQL is around
/// let connection = try PostgreSQLDriver(url: DatabaseURL(url)).connect()
/// ```
///
/// Without server binaries and without `RETORT_TEST_POSTGRES_URL` the tests that
/// ask for a server are skipped; with `RETORT_REQUIRE_POSTGRES=1` they fail instead.
/// This support code talks to the server through libpq directly, not through the
/// Engine, so that it does not depend on the code it helps to test.
public enum PostgreSQLTestServer {
    /// The role whose password ``passwordURL(password:)`` tests against.
    public static let passwordRole = "retort_pw"
    /// That role's password.
    public static let rolePassword = "s3cret"

    /// URL of a ready server (trust auth over a unix socket), started once per test process.
    /// Throws XCTSkip with a message saying why when no PostgreSQL is available,
    /// or a failing error when RETORT_REQUIRE_POSTGRES=1 and none is available.
    public static func url() throws -> String {
        try server().url
    }

    /// A URL using TCP on 127.0.0.1 with password auth (scram-sha-256) for role
    /// `retort_pw` whose password is `s3cret`, so tests can check wrong-password
    /// errors. Nil when using RETORT_TEST_POSTGRES_URL.
    public static func passwordURL(password: String) throws -> String? {
        let server = try server()
        guard !server.external, let port = server.tcpPort else { return nil }
        let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password
        return "postgresql://\(passwordRole):\(encoded)@127.0.0.1:\(port)/postgres"
    }

    /// Creates a fresh empty database with a unique name and returns its URL (for test isolation).
    public static func freshDatabaseURL() throws -> String {
        let server = try server()
        let name = "retort_test_\(getpid())_\(Registry.shared.nextNumber())"
        try runAdmin(server, "CREATE DATABASE \(name)")
        if server.external { Registry.shared.addDatabase(name) }
        var url = try DatabaseURL(server.url)
        url.database = name
        return url.render(maskPassword: false)
    }

    // MARK: The server

    struct Server: Sendable {
        let url: String
        /// libpq conninfo of a superuser connection to the maintenance database.
        let adminConninfo: String
        let tcpPort: Int?
        let external: Bool
    }

    /// How starting went; computed once (Swift initialises static lets exactly once,
    /// thread-safely).
    enum Outcome: Sendable {
        case ready(Server)
        /// Nothing to test against: skip (or fail under RETORT_REQUIRE_POSTGRES=1).
        case unavailable(String)
        /// A server should have been there but could not be used: always fail.
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
            if ProcessInfo.processInfo.environment["RETORT_REQUIRE_POSTGRES"] == "1" {
                throw StartError(description: "RETORT_REQUIRE_POSTGRES=1 but no PostgreSQL is available: \(reason)")
            }
            throw XCTSkip("PostgreSQL tests skipped: \(reason)")
        case .broken(let reason):
            throw StartError(description: "the PostgreSQL test server is not usable: \(reason)")
        }
    }

    private static func start() -> Outcome {
        let environment = ProcessInfo.processInfo.environment
        if let external = environment["RETORT_TEST_POSTGRES_URL"], !external.isEmpty {
            return useExternal(external)
        }
        guard let bin = findBinaries() else {
            return .unavailable(
                "no server binaries found (install postgresql) and RETORT_TEST_POSTGRES_URL is not set")
        }
        do {
            return .ready(try LocalCluster.start(bin: bin))
        } catch let error as LocalCluster.Unavailable {
            return .unavailable(error.reason)
        } catch {
            return .broken("\(error)")
        }
    }

    private static func useExternal(_ string: String) -> Outcome {
        do {
            let url = try DatabaseURL(string)
            var admin = url
            admin.database = url.database ?? "postgres"
            let server = Server(url: url.render(maskPassword: false), adminConninfo: conninfo(for: admin),
                                tcpPort: url.port, external: true)
            try runAdmin(server, "SELECT 1")
            atexit { PostgreSQLTestServer.dropExternalDatabases() }
            return .ready(server)
        } catch {
            let shown = (try? DatabaseURL(string).description) ?? "<unparseable URL>"
            return .broken("RETORT_TEST_POSTGRES_URL (\(shown)): \(error)")
        }
    }

    /// A conninfo string for `url`, built here rather than by the driver under test.
    static func conninfo(for url: DatabaseURL) -> String {
        var pairs: [(String, String)] = []
        if let u = url.username { pairs.append(("user", u)) }
        if let p = url.password { pairs.append(("password", p)) }
        if let h = url.host { pairs.append(("host", h)) }
        if let p = url.port { pairs.append(("port", String(p))) }
        if let d = url.database { pairs.append(("dbname", d)) }
        for (name, value) in url.query where name != "statement_cache_size" { pairs.append((name, value)) }
        return pairs.map { name, value in
            name + "='" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
                + "'"
        }.joined(separator: " ")
    }

    /// Runs one statement as the superuser on the maintenance database.
    static func runAdmin(_ server: Server, _ sql: String) throws {
        guard let conn = PQconnectdb(server.adminConninfo) else { throw StartError(description: "libpq out of memory") }
        defer { PQfinish(conn) }
        guard PQstatus(conn) == CONNECTION_OK else {
            throw StartError(description: "cannot connect: \(String(cString: PQerrorMessage(conn)))")
        }
        guard let result = PQexec(conn, sql) else {
            throw StartError(description: "\(sql): \(String(cString: PQerrorMessage(conn)))")
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw StartError(description: "\(sql): \(String(cString: PQresultErrorMessage(result)))")
        }
    }

    /// The directory holding `initdb` and `pg_ctl`: from PATH, else the highest
    /// version under /usr/lib/postgresql.
    static func findBinaries() -> String? {
        let fm = FileManager.default
        func hasBoth(_ dir: String) -> Bool {
            fm.isExecutableFile(atPath: dir + "/initdb") && fm.isExecutableFile(atPath: dir + "/pg_ctl")
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":").map(String.init) where hasBoth(dir) { return dir }
        let root = "/usr/lib/postgresql"
        let versions = ((try? fm.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { name in Double(name).map { (name, $0) } }
            .sorted { $0.1 > $1.1 }
        for (name, _) in versions where hasBoth("\(root)/\(name)/bin") { return "\(root)/\(name)/bin" }
        return nil
    }

    private static func dropExternalDatabases() {
        guard case .ready(let server) = outcome else { return }
        for name in Registry.shared.takeDatabases() {
            try? runAdmin(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    /// State shared with the exit hooks.
    final class Registry: @unchecked Sendable {
        static let shared = Registry()
        private let lock = NSLock()
        private var counter = 0
        private var databases: [String] = []
        private var cluster: (directory: String, postmasterPID: pid_t)?

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

        func setCluster(directory: String, postmasterPID: pid_t) {
            lock.lock()
            defer { lock.unlock() }
            cluster = (directory, postmasterPID)
        }

        func takeCluster() -> (directory: String, postmasterPID: pid_t)? {
            lock.lock()
            defer { lock.unlock() }
            defer { cluster = nil }
            return cluster
        }
    }
}

/// A throwaway cluster in a temporary directory, run as the `postgres` OS user when
/// the tests run as root (PostgreSQL refuses to run as root).
public enum LocalCluster {
    /// No server can be started here: the tests are skipped.
    struct Unavailable: Error {
        let reason: String
    }

    typealias StartError = PostgreSQLTestServer.StartError

    static func start(bin: String) throws -> PostgreSQLTestServer.Server {
        var owner: (uid: uid_t, gid: gid_t)?
        if getuid() == 0 {
            guard let pw = getpwnam("postgres") else {
                throw Unavailable(
                    reason: "running as root and there is no 'postgres' OS user to run the server as "
                        + "(PostgreSQL refuses to run as root)")
            }
            owner = (pw.pointee.pw_uid, pw.pointee.pw_gid)
        }
        let base = try makeTemporaryDirectory()
        do {
            if let owner {
                guard chown(base, owner.uid, owner.gid) == 0 else {
                    throw StartError(description: "cannot hand \(base) to the postgres user: errno \(errno)")
                }
                try checkTraversable(base)
            }
            let data = base + "/data"
            try run(bin + "/initdb",
                    ["-D", data, "--auth-local=trust", "--auth-host=scram-sha-256", "-U", "postgres", "--no-sync",
                     "-E", "UTF8", "--locale=C", "--no-instructions"],
                    asPostgres: owner != nil, in: base, log: base + "/initdb.log")
            var lastError: any Error = StartError(description: "pg_ctl did not start the server")
            for _ in 0..<3 {
                let port = try freePort()
                let options = "-k \(base) -h 127.0.0.1 -p \(port) -F -c fsync=off -c full_page_writes=off "
                    + "-c synchronous_commit=off"
                do {
                    try run(bin + "/pg_ctl", ["-D", data, "-o", options, "-w", "-t", "60", "-l", base + "/server.log",
                                              "start"],
                            asPostgres: owner != nil, in: base, log: base + "/pg_ctl.log")
                } catch {
                    lastError = error
                    continue  // most likely the port was taken meanwhile: try another
                }
                let pidText = (try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8)) ?? ""
                let pid = pid_t(pidText.split(separator: "\n").first.map(String.init) ?? "") ?? 0
                PostgreSQLTestServer.Registry.shared.setCluster(directory: base, postmasterPID: pid)
                atexit { LocalCluster.stop() }
                startWatchdog(base: base, postmasterPID: pid)
                let server = PostgreSQLTestServer.Server(
                    url: "postgresql://postgres@localhost:\(port)/postgres?host=\(base)",
                    adminConninfo: "host='\(base)' port='\(port)' user='postgres' dbname='postgres'",
                    tcpPort: port, external: false)
                try PostgreSQLTestServer.runAdmin(
                    server,
                    "CREATE ROLE \(PostgreSQLTestServer.passwordRole) LOGIN PASSWORD '\(PostgreSQLTestServer.rolePassword)'")
                return server
            }
            throw lastError
        } catch {
            stop()
            try? FileManager.default.removeItem(atPath: base)
            throw error
        }
    }

    /// Stops the cluster the way `pg_ctl stop -m immediate` does (SIGQUIT to the
    /// postmaster), waits for it to go, and removes its directory. Runs at exit.
    static func stop() {
        guard let cluster = PostgreSQLTestServer.Registry.shared.takeCluster() else { return }
        if cluster.postmasterPID > 0, kill(cluster.postmasterPID, SIGQUIT) == 0 {
            for _ in 0..<250 where isRunning(cluster.postmasterPID) { usleep(20_000) }
        }
        try? FileManager.default.removeItem(atPath: cluster.directory)
    }

    /// True while `pid` exists and has not exited (an unreaped zombie counts as gone).
    private static func isRunning(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// Should the test process die without running its exit hooks, a detached shell
    /// stops the server and removes its directory once the process is gone.
    private static func startWatchdog(base: String, postmasterPID: pid_t) {
        guard postmasterPID > 0 else { return }
        let script = "trap '' HUP INT TERM; while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; "
            + "kill -QUIT \(postmasterPID) 2>/dev/null; sleep 2; rm -rf '\(base)'"
        var argv = ["/bin/sh", "-c", script]
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid") { argv.insert("/usr/bin/setsid", at: 0) }
        _ = try? spawn(argv, log: "/dev/null")
    }

    /// Runs a server program (as the postgres OS user when `asPostgres`) in
    /// `directory`, its output to `log`; throws with the log's tail when it fails.
    private static func run(_ executable: String, _ arguments: [String], asPostgres: Bool, in directory: String,
                            log: String) throws {
        var command = [executable] + arguments
        if asPostgres {
            if let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
            {
                command = [runuser, "-u", "postgres", "--"] + command
            } else {
                let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
                command = ["/bin/su", "postgres", "-s", "/bin/sh", "-c", quoted.joined(separator: " ")]
            }
        }
        // The postgres user may not be able to enter the test's working directory.
        let argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory] + command
        let pid = try spawn(argv, log: log)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw StartError(description: "waitpid failed: errno \(errno)") }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        let exitCode = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard exitCode == 0 else {
            let name = (executable as NSString).lastPathComponent
            var text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let serverLog = (directory as NSString).appendingPathComponent("server.log")
            if name == "pg_ctl", let s = try? String(contentsOfFile: serverLog, encoding: .utf8) { text += s }
            let tail = text.split(separator: "\n").suffix(12).joined(separator: "\n")
            throw StartError(description: "\(name) failed (exit \(exitCode)):\n\(tail)")
        }
    }

    /// Starts `argv` with stdin from /dev/null and stdout and stderr appended to `log`.
    ///
    /// Not Foundation's `Process`: on Linux it learns that a child ended when a socket
    /// the child inherited closes, and `pg_ctl start` leaves the postmaster holding it,
    /// so waiting for `pg_ctl` would never return.
    static func spawn(_ argv: [String], log: String) throws -> pid_t {
        #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        #else
        var actions: posix_spawn_file_actions_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard rc == 0 else { throw StartError(description: "cannot start \(argv[0]): error \(rc)") }
        return pid
    }

    private static func makeTemporaryDirectory() throws -> String {
        // Under /tmp: short enough for a unix-socket path, and traversable by every user.
        let parent = FileManager.default.fileExists(atPath: "/tmp") ? "/tmp" : NSTemporaryDirectory()
        var template = Array((parent + "/retort-pg-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw StartError(description: "cannot create a temporary directory under \(parent): errno \(errno)")
        }
        return String(cString: made)
    }

    /// The postgres user must be able to reach `path`: every ancestor needs o+x.
    private static func checkTraversable(_ path: String) throws {
        var dir = (path as NSString).deletingLastPathComponent
        while !dir.isEmpty {
            var info = stat()
            if stat(dir, &info) == 0, info.st_mode & 0o001 == 0 {
                throw StartError(description: "the postgres user cannot enter \(dir) (no o+x permission)")
            }
            if dir == "/" { break }
            dir = (dir as NSString).deletingLastPathComponent
        }
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    public static func freePort() throws -> Int {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw StartError(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa -> Bool in
                bind(fd, sa, length) == 0 && getsockname(fd, sa, &length) == 0
            }
        }
        guard bound else { throw StartError(description: "cannot find a free TCP port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
