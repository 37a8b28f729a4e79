import CMariaDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libmariadb (MariaDB Connector/C), opened when the first MySQL connection is made
/// instead of linked, for the reason ``LibPQ`` gives: a linked client library is loaded
/// and initialised by every process that uses Retort, SQLite-only programs and every
/// `migrator` command included. A program that never connects to MySQL never loads
/// it; a machine without it gets a clear error on connecting.
///
/// `CMariaDB` provides the declarations (types and constants); the functions the driver
/// calls are the same-named ones at the end of this file, which forward to the
/// addresses resolved here. Set `RETORT_LIBMARIADB` to a library path to use another
/// libmariadb (Connector/C 3.1 or newer).
final class LibMariaDB: @unchecked Sendable {  // immutable after init
    let mysql_server_init: @convention(c) (Int32, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
    let mysql_init: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> UnsafeMutablePointer<MYSQL>?
    let mysql_options: @convention(c) (UnsafeMutablePointer<MYSQL>?, mysql_option, UnsafeRawPointer?) -> Int32
    let mysql_real_connect: @convention(c) (UnsafeMutablePointer<MYSQL>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UInt32, UnsafePointer<CChar>?, UInt) -> UnsafeMutablePointer<MYSQL>?
    let mysql_ssl_set: @convention(c) (UnsafeMutablePointer<MYSQL>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    let mysql_get_ssl_cipher: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> UnsafePointer<CChar>?
    let mysql_close: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> Void
    let mysql_errno: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> UInt32
    let mysql_error: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> UnsafePointer<CChar>?
    let mysql_sqlstate: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> UnsafePointer<CChar>?
    let mysql_ping: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> Int32
    let mysql_get_server_info: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> UnsafeMutablePointer<CChar>?
    let mysql_real_query: @convention(c) (UnsafeMutablePointer<MYSQL>?, UnsafePointer<CChar>?, UInt) -> Int32
    let mysql_store_result: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> UnsafeMutablePointer<MYSQL_RES>?
    let mysql_free_result: @convention(c) (UnsafeMutablePointer<MYSQL_RES>?) -> Void
    let mysql_next_result: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> Int32
    let mysql_field_count: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> UInt32
    let mysql_thread_id: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> UInt
    let mariadb_get_info: @convention(c) (UnsafeMutablePointer<MYSQL>?, mariadb_value, UnsafeMutableRawPointer?) -> CChar
    let mysql_num_fields: @convention(c) (UnsafeMutablePointer<MYSQL_RES>?) -> UInt32
    let mysql_fetch_fields: @convention(c) (UnsafeMutablePointer<MYSQL_RES>?) -> UnsafeMutablePointer<MYSQL_FIELD>?
    let mysql_stmt_init: @convention(c) (UnsafeMutablePointer<MYSQL>?) -> UnsafeMutablePointer<MYSQL_STMT>?
    let mysql_stmt_prepare: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?, UnsafePointer<CChar>?, UInt) -> Int32
    let mysql_stmt_execute: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> Int32
    let mysql_stmt_fetch: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> Int32
    let mysql_stmt_fetch_column: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?, UnsafeMutablePointer<MYSQL_BIND>?, UInt32, UInt) -> Int32
    let mysql_stmt_param_count: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> UInt
    let mysql_stmt_field_count: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> UInt32
    let mysql_stmt_attr_set: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?, enum_stmt_attr_type, UnsafeRawPointer?) -> CChar
    let mysql_stmt_bind_param: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?, UnsafeMutablePointer<MYSQL_BIND>?) -> CChar
    let mysql_stmt_bind_result: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?, UnsafeMutablePointer<MYSQL_BIND>?) -> CChar
    let mysql_stmt_close: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> CChar
    let mysql_stmt_reset: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> CChar
    let mysql_stmt_free_result: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> CChar
    let mysql_stmt_result_metadata: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> UnsafeMutablePointer<MYSQL_RES>?
    let mysql_stmt_errno: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> UInt32
    let mysql_stmt_error: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> UnsafePointer<CChar>?
    let mysql_stmt_sqlstate: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> UnsafePointer<CChar>?
    let mysql_stmt_affected_rows: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> UInt64
    let mysql_stmt_insert_id: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> UInt64
    let mysql_stmt_next_result: @convention(c) (UnsafeMutablePointer<MYSQL_STMT>?) -> Int32

    /// Where libmariadb is looked for, in order: only `RETORT_LIBMARIADB` when it is set.
    static var candidates: [String] {
        if let path = getenv("RETORT_LIBMARIADB"), path.pointee != 0 { return [String(cString: path)] }
        #if canImport(Darwin)
        return ["libmariadb.3.dylib", "/opt/homebrew/lib/mariadb/libmariadb.3.dylib",
                "/usr/local/lib/mariadb/libmariadb.3.dylib"]
        #else
        return ["libmariadb.so.3", "libmariadb.so"]
        #endif
    }

    private init() throws {
        let (handle, opened, reasons) = ClientLibrary.open(Self.candidates)
        guard let handle else {
            throw OperationalError(
                kind: .cannotConnect,
                message: "cannot connect to MySQL: libmariadb could not be loaded (\(reasons.joined(separator: "; "))); "
                    + "install it (Debian: apt-get install libmariadb3) or set RETORT_LIBMARIADB to its path")
        }
        func resolve<F>(_ name: String) throws -> F {
            guard let address = dlsym(handle, name) else {
                throw OperationalError(
                    kind: .cannotConnect,
                    message: "cannot connect to MySQL: \(opened) has no function \(name); MariaDB Connector/C 3.1 or newer is needed")
            }
            return unsafeBitCast(address, to: F.self)
        }
        mysql_server_init = try resolve("mysql_server_init")
        mysql_init = try resolve("mysql_init")
        mysql_options = try resolve("mysql_options")
        mysql_real_connect = try resolve("mysql_real_connect")
        mysql_ssl_set = try resolve("mysql_ssl_set")
        mysql_get_ssl_cipher = try resolve("mysql_get_ssl_cipher")
        mysql_close = try resolve("mysql_close")
        mysql_errno = try resolve("mysql_errno")
        mysql_error = try resolve("mysql_error")
        mysql_sqlstate = try resolve("mysql_sqlstate")
        mysql_ping = try resolve("mysql_ping")
        mysql_get_server_info = try resolve("mysql_get_server_info")
        mysql_real_query = try resolve("mysql_real_query")
        mysql_store_result = try resolve("mysql_store_result")
        mysql_free_result = try resolve("mysql_free_result")
        mysql_next_result = try resolve("mysql_next_result")
        mysql_field_count = try resolve("mysql_field_count")
        mysql_thread_id = try resolve("mysql_thread_id")
        mariadb_get_info = try resolve("mariadb_get_info")
        mysql_num_fields = try resolve("mysql_num_fields")
        mysql_fetch_fields = try resolve("mysql_fetch_fields")
        mysql_stmt_init = try resolve("mysql_stmt_init")
        mysql_stmt_prepare = try resolve("mysql_stmt_prepare")
        mysql_stmt_execute = try resolve("mysql_stmt_execute")
        mysql_stmt_fetch = try resolve("mysql_stmt_fetch")
        mysql_stmt_fetch_column = try resolve("mysql_stmt_fetch_column")
        mysql_stmt_param_count = try resolve("mysql_stmt_param_count")
        mysql_stmt_field_count = try resolve("mysql_stmt_field_count")
        mysql_stmt_attr_set = try resolve("mysql_stmt_attr_set")
        mysql_stmt_bind_param = try resolve("mysql_stmt_bind_param")
        mysql_stmt_bind_result = try resolve("mysql_stmt_bind_result")
        mysql_stmt_close = try resolve("mysql_stmt_close")
        mysql_stmt_reset = try resolve("mysql_stmt_reset")
        mysql_stmt_free_result = try resolve("mysql_stmt_free_result")
        mysql_stmt_result_metadata = try resolve("mysql_stmt_result_metadata")
        mysql_stmt_errno = try resolve("mysql_stmt_errno")
        mysql_stmt_error = try resolve("mysql_stmt_error")
        mysql_stmt_sqlstate = try resolve("mysql_stmt_sqlstate")
        mysql_stmt_affected_rows = try resolve("mysql_stmt_affected_rows")
        mysql_stmt_insert_id = try resolve("mysql_stmt_insert_id")
        mysql_stmt_next_result = try resolve("mysql_stmt_next_result")
        // Not thread-safe inside mysql_init on first use: done once here.
        guard self.mysql_server_init(0, nil, nil) == 0 else {
            throw OperationalError(kind: .cannotConnect, message: "cannot connect to MySQL: libmariadb failed to initialise")
        }
    }

    private static let opened: Result<LibMariaDB, OperationalError> = {
        do { return .success(try LibMariaDB()) } catch let error as OperationalError { return .failure(error) } catch {
            return .failure(OperationalError(kind: .cannotConnect, message: "cannot connect to MySQL: \(error)"))
        }
    }()

    /// Opens libmariadb (once per process) or throws why it cannot be; a connection calls
    /// this before any other libmariadb function.
    static func load() throws { _ = try opened.get() }

    /// The opened library. Only reached from a connection, which exists only once
    /// ``load()`` has succeeded.
    @inline(__always) static var api: LibMariaDB {
        guard case .success(let lib) = opened else { preconditionFailure("libmariadb used before LibMariaDB.load() succeeded") }
        return lib
    }
}

// The libmariadb functions the driver calls, by their C names: declared in this module,
// they shadow CMariaDB's declarations, so no libmariadb symbol is linked.

@inline(__always) func mysql_server_init(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ groups: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 { LibMariaDB.api.mysql_server_init(argc, argv, groups) }
@inline(__always) func mysql_init(_ mysql: UnsafeMutablePointer<MYSQL>?) -> UnsafeMutablePointer<MYSQL>? { LibMariaDB.api.mysql_init(mysql) }
@inline(__always) func mysql_options(_ mysql: UnsafeMutablePointer<MYSQL>?, _ option: mysql_option, _ arg: UnsafeRawPointer?) -> Int32 { LibMariaDB.api.mysql_options(mysql, option, arg) }
@inline(__always) func mysql_real_connect(_ mysql: UnsafeMutablePointer<MYSQL>?, _ host: UnsafePointer<CChar>?, _ user: UnsafePointer<CChar>?, _ passwd: UnsafePointer<CChar>?, _ db: UnsafePointer<CChar>?, _ port: UInt32, _ unixSocket: UnsafePointer<CChar>?, _ clientFlag: UInt) -> UnsafeMutablePointer<MYSQL>? { LibMariaDB.api.mysql_real_connect(mysql, host, user, passwd, db, port, unixSocket, clientFlag) }
@inline(__always) func mysql_ssl_set(_ mysql: UnsafeMutablePointer<MYSQL>?, _ key: UnsafePointer<CChar>?, _ cert: UnsafePointer<CChar>?, _ ca: UnsafePointer<CChar>?, _ capath: UnsafePointer<CChar>?, _ cipher: UnsafePointer<CChar>?) -> Int32 { LibMariaDB.api.mysql_ssl_set(mysql, key, cert, ca, capath, cipher) }
@inline(__always) func mysql_get_ssl_cipher(_ mysql: UnsafeMutablePointer<MYSQL>?) -> UnsafePointer<CChar>? { LibMariaDB.api.mysql_get_ssl_cipher(mysql) }
@inline(__always) func mysql_close(_ mysql: UnsafeMutablePointer<MYSQL>?) { LibMariaDB.api.mysql_close(mysql) }
@inline(__always) func mysql_errno(_ mysql: UnsafeMutablePointer<MYSQL>?) -> UInt32 { LibMariaDB.api.mysql_errno(mysql) }
@inline(__always) func mysql_error(_ mysql: UnsafeMutablePointer<MYSQL>?) -> UnsafePointer<CChar>? { LibMariaDB.api.mysql_error(mysql) }
@inline(__always) func mysql_sqlstate(_ mysql: UnsafeMutablePointer<MYSQL>?) -> UnsafePointer<CChar>? { LibMariaDB.api.mysql_sqlstate(mysql) }
@inline(__always) func mysql_ping(_ mysql: UnsafeMutablePointer<MYSQL>?) -> Int32 { LibMariaDB.api.mysql_ping(mysql) }
@inline(__always) func mysql_get_server_info(_ mysql: UnsafeMutablePointer<MYSQL>?) -> UnsafeMutablePointer<CChar>? { LibMariaDB.api.mysql_get_server_info(mysql) }
@inline(__always) func mysql_real_query(_ mysql: UnsafeMutablePointer<MYSQL>?, _ query: UnsafePointer<CChar>?, _ length: UInt) -> Int32 { LibMariaDB.api.mysql_real_query(mysql, query, length) }
@inline(__always) func mysql_store_result(_ mysql: UnsafeMutablePointer<MYSQL>?) -> UnsafeMutablePointer<MYSQL_RES>? { LibMariaDB.api.mysql_store_result(mysql) }
@inline(__always) func mysql_free_result(_ result: UnsafeMutablePointer<MYSQL_RES>?) { LibMariaDB.api.mysql_free_result(result) }
@inline(__always) func mysql_next_result(_ mysql: UnsafeMutablePointer<MYSQL>?) -> Int32 { LibMariaDB.api.mysql_next_result(mysql) }
@inline(__always) func mysql_field_count(_ mysql: UnsafeMutablePointer<MYSQL>?) -> UInt32 { LibMariaDB.api.mysql_field_count(mysql) }
@inline(__always) func mysql_thread_id(_ mysql: UnsafeMutablePointer<MYSQL>?) -> UInt { LibMariaDB.api.mysql_thread_id(mysql) }
@inline(__always) func mariadb_get_info(_ mysql: UnsafeMutablePointer<MYSQL>?, _ value: mariadb_value, _ arg: UnsafeMutableRawPointer?) -> CChar { LibMariaDB.api.mariadb_get_info(mysql, value, arg) }
@inline(__always) func mysql_num_fields(_ result: UnsafeMutablePointer<MYSQL_RES>?) -> UInt32 { LibMariaDB.api.mysql_num_fields(result) }
@inline(__always) func mysql_fetch_fields(_ result: UnsafeMutablePointer<MYSQL_RES>?) -> UnsafeMutablePointer<MYSQL_FIELD>? { LibMariaDB.api.mysql_fetch_fields(result) }
@inline(__always) func mysql_stmt_init(_ mysql: UnsafeMutablePointer<MYSQL>?) -> UnsafeMutablePointer<MYSQL_STMT>? { LibMariaDB.api.mysql_stmt_init(mysql) }
@inline(__always) func mysql_stmt_prepare(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?, _ query: UnsafePointer<CChar>?, _ length: UInt) -> Int32 { LibMariaDB.api.mysql_stmt_prepare(stmt, query, length) }
@inline(__always) func mysql_stmt_execute(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> Int32 { LibMariaDB.api.mysql_stmt_execute(stmt) }
@inline(__always) func mysql_stmt_fetch(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> Int32 { LibMariaDB.api.mysql_stmt_fetch(stmt) }
@inline(__always) func mysql_stmt_fetch_column(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?, _ bind: UnsafeMutablePointer<MYSQL_BIND>?, _ column: UInt32, _ offset: UInt) -> Int32 { LibMariaDB.api.mysql_stmt_fetch_column(stmt, bind, column, offset) }
@inline(__always) func mysql_stmt_param_count(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> UInt { LibMariaDB.api.mysql_stmt_param_count(stmt) }
@inline(__always) func mysql_stmt_field_count(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> UInt32 { LibMariaDB.api.mysql_stmt_field_count(stmt) }
@inline(__always) func mysql_stmt_attr_set(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?, _ attribute: enum_stmt_attr_type, _ value: UnsafeRawPointer?) -> CChar { LibMariaDB.api.mysql_stmt_attr_set(stmt, attribute, value) }
@inline(__always) func mysql_stmt_bind_param(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?, _ bind: UnsafeMutablePointer<MYSQL_BIND>?) -> CChar { LibMariaDB.api.mysql_stmt_bind_param(stmt, bind) }
@inline(__always) func mysql_stmt_bind_result(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?, _ bind: UnsafeMutablePointer<MYSQL_BIND>?) -> CChar { LibMariaDB.api.mysql_stmt_bind_result(stmt, bind) }
@inline(__always) func mysql_stmt_close(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> CChar { LibMariaDB.api.mysql_stmt_close(stmt) }
@inline(__always) func mysql_stmt_reset(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> CChar { LibMariaDB.api.mysql_stmt_reset(stmt) }
@inline(__always) func mysql_stmt_free_result(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> CChar { LibMariaDB.api.mysql_stmt_free_result(stmt) }
@inline(__always) func mysql_stmt_result_metadata(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> UnsafeMutablePointer<MYSQL_RES>? { LibMariaDB.api.mysql_stmt_result_metadata(stmt) }
@inline(__always) func mysql_stmt_errno(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> UInt32 { LibMariaDB.api.mysql_stmt_errno(stmt) }
@inline(__always) func mysql_stmt_error(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> UnsafePointer<CChar>? { LibMariaDB.api.mysql_stmt_error(stmt) }
@inline(__always) func mysql_stmt_sqlstate(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> UnsafePointer<CChar>? { LibMariaDB.api.mysql_stmt_sqlstate(stmt) }
@inline(__always) func mysql_stmt_affected_rows(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> UInt64 { LibMariaDB.api.mysql_stmt_affected_rows(stmt) }
@inline(__always) func mysql_stmt_insert_id(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> UInt64 { LibMariaDB.api.mysql_stmt_insert_id(stmt) }
@inline(__always) func mysql_stmt_next_result(_ stmt: UnsafeMutablePointer<MYSQL_STMT>?) -> Int32 { LibMariaDB.api.mysql_stmt_next_result(stmt) }
