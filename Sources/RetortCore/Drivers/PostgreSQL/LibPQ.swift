import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libpq, opened when the first PostgreSQL connection is made instead of linked.
///
/// Linking libpq makes every process that uses Retort load it and the libraries it
/// needs (Kerberos, LDAP, GnuTLS, p11-kit: some twenty on Debian) and run their
/// initialisers: about 10 ms at every start on the machine the benchmarks run on, paid
/// by SQLite-only programs and by every `migrator` command. Opening it on first use
/// costs a PostgreSQL program the same 10 ms once, and a program that never connects to
/// PostgreSQL nothing; a machine without libpq gets a clear error on connecting rather
/// than a program that does not start.
///
/// `CLibPQ` still provides libpq's declarations (types and constants); the functions the
/// driver calls are the same-named ones at the end of this file, which forward to the
/// addresses resolved here. Set `RETORT_LIBPQ` to a library path to use another libpq.
final class LibPQ: @unchecked Sendable {  // immutable after init
    typealias Conn = OpaquePointer
    typealias Res = OpaquePointer

    let PQcancel: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int32) -> Int32
    let PQclear: @convention(c) (Res?) -> Void
    let PQcmdStatus: @convention(c) (Res?) -> UnsafeMutablePointer<CChar>?
    let PQcmdTuples: @convention(c) (Res?) -> UnsafeMutablePointer<CChar>?
    let PQconnectdb: @convention(c) (UnsafePointer<CChar>?) -> Conn?
    let PQdescribePrepared: @convention(c) (Conn?, UnsafePointer<CChar>?) -> Res?
    let PQenterPipelineMode: @convention(c) (Conn?) -> Int32
    let PQerrorMessage: @convention(c) (Conn?) -> UnsafeMutablePointer<CChar>?
    let PQexec: @convention(c) (Conn?, UnsafePointer<CChar>?) -> Res?
    let PQexecPrepared: @convention(c) (Conn?, UnsafePointer<CChar>?, Int32, UnsafePointer<UnsafePointer<CChar>?>?,
                                        UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32) -> Res?
    let PQexitPipelineMode: @convention(c) (Conn?) -> Int32
    let PQfinish: @convention(c) (Conn?) -> Void
    let PQfname: @convention(c) (Res?, Int32) -> UnsafeMutablePointer<CChar>?
    let PQfreeCancel: @convention(c) (OpaquePointer?) -> Void
    let PQfreemem: @convention(c) (UnsafeMutableRawPointer?) -> Void
    let PQftype: @convention(c) (Res?, Int32) -> Oid
    let PQgetCopyData: @convention(c) (Conn?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, Int32) -> Int32
    let PQgetResult: @convention(c) (Conn?) -> Res?
    let PQgetCancel: @convention(c) (Conn?) -> OpaquePointer?
    let PQgetisnull: @convention(c) (Res?, Int32, Int32) -> Int32
    let PQgetlength: @convention(c) (Res?, Int32, Int32) -> Int32
    let PQgetvalue: @convention(c) (Res?, Int32, Int32) -> UnsafeMutablePointer<CChar>?
    let PQhost: @convention(c) (Conn?) -> UnsafeMutablePointer<CChar>?
    let PQnfields: @convention(c) (Res?) -> Int32
    let PQnparams: @convention(c) (Res?) -> Int32
    let PQntuples: @convention(c) (Res?) -> Int32
    let PQpipelineSync: @convention(c) (Conn?) -> Int32
    let PQport: @convention(c) (Conn?) -> UnsafeMutablePointer<CChar>?
    let PQprepare: @convention(c) (Conn?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?) -> Res?
    let PQputCopyEnd: @convention(c) (Conn?, UnsafePointer<CChar>?) -> Int32
    let PQresultErrorField: @convention(c) (Res?, Int32) -> UnsafeMutablePointer<CChar>?
    let PQresultErrorMessage: @convention(c) (Res?) -> UnsafeMutablePointer<CChar>?
    let PQresultStatus: @convention(c) (Res?) -> ExecStatusType
    let PQsendQueryPrepared: @convention(c) (Conn?, UnsafePointer<CChar>?, Int32, UnsafePointer<UnsafePointer<CChar>?>?,
                                             UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32) -> Int32
    let PQserverVersion: @convention(c) (Conn?) -> Int32
    let PQsetSingleRowMode: @convention(c) (Conn?) -> Int32
    let PQsetNoticeReceiver: @convention(c) (Conn?, PQnoticeReceiver?, UnsafeMutableRawPointer?) -> PQnoticeReceiver?
    let PQstatus: @convention(c) (Conn?) -> ConnStatusType
    let PQtransactionStatus: @convention(c) (Conn?) -> PGTransactionStatusType
    let PQunescapeBytea: @convention(c) (UnsafePointer<UInt8>?, UnsafeMutablePointer<Int>?) -> UnsafeMutablePointer<UInt8>?

    /// Where libpq is looked for, in order: only `RETORT_LIBPQ` when it is set.
    static var candidates: [String] {
        if let path = getenv("RETORT_LIBPQ"), path.pointee != 0 { return [String(cString: path)] }
        #if canImport(Darwin)
        return ["libpq.5.dylib", "/opt/homebrew/opt/libpq/lib/libpq.5.dylib", "/usr/local/opt/libpq/lib/libpq.5.dylib"]
        #else
        return ["libpq.so.5", "libpq.so"]
        #endif
    }

    private init() throws {
        let (handle, opened, reasons) = ClientLibrary.open(Self.candidates)
        guard let handle else {
            throw OperationalError(kind: .cannotConnect,
                                   message: "cannot connect to PostgreSQL: libpq could not be loaded (\(reasons.joined(separator: "; "))); "
                                       + "install it (Debian: apt-get install libpq5) or set RETORT_LIBPQ to its path")
        }
        func resolve<F>(_ name: String) throws -> F {
            guard let address = dlsym(handle, name) else {
                throw OperationalError(kind: .cannotConnect,
                                       message: "cannot connect to PostgreSQL: \(opened) has no function \(name); libpq 14 or newer is needed")
            }
            return unsafeBitCast(address, to: F.self)
        }
        PQclear = try resolve("PQclear")  // first: a library that is not libpq is named by it
        PQcancel = try resolve("PQcancel")
        PQcmdStatus = try resolve("PQcmdStatus")
        PQcmdTuples = try resolve("PQcmdTuples")
        PQconnectdb = try resolve("PQconnectdb")
        PQdescribePrepared = try resolve("PQdescribePrepared")
        PQenterPipelineMode = try resolve("PQenterPipelineMode")
        PQerrorMessage = try resolve("PQerrorMessage")
        PQexec = try resolve("PQexec")
        PQexecPrepared = try resolve("PQexecPrepared")
        PQexitPipelineMode = try resolve("PQexitPipelineMode")
        PQfinish = try resolve("PQfinish")
        PQfname = try resolve("PQfname")
        PQfreeCancel = try resolve("PQfreeCancel")
        PQfreemem = try resolve("PQfreemem")
        PQftype = try resolve("PQftype")
        PQgetCopyData = try resolve("PQgetCopyData")
        PQgetResult = try resolve("PQgetResult")
        PQgetCancel = try resolve("PQgetCancel")
        PQgetisnull = try resolve("PQgetisnull")
        PQgetlength = try resolve("PQgetlength")
        PQgetvalue = try resolve("PQgetvalue")
        PQhost = try resolve("PQhost")
        PQnfields = try resolve("PQnfields")
        PQnparams = try resolve("PQnparams")
        PQntuples = try resolve("PQntuples")
        PQpipelineSync = try resolve("PQpipelineSync")
        PQport = try resolve("PQport")
        PQprepare = try resolve("PQprepare")
        PQputCopyEnd = try resolve("PQputCopyEnd")
        PQresultErrorField = try resolve("PQresultErrorField")
        PQresultErrorMessage = try resolve("PQresultErrorMessage")
        PQresultStatus = try resolve("PQresultStatus")
        PQsendQueryPrepared = try resolve("PQsendQueryPrepared")
        PQserverVersion = try resolve("PQserverVersion")
        PQsetSingleRowMode = try resolve("PQsetSingleRowMode")
        PQsetNoticeReceiver = try resolve("PQsetNoticeReceiver")
        PQstatus = try resolve("PQstatus")
        PQtransactionStatus = try resolve("PQtransactionStatus")
        PQunescapeBytea = try resolve("PQunescapeBytea")
    }

    private static let opened: Result<LibPQ, OperationalError> = {
        do { return .success(try LibPQ()) } catch let error as OperationalError { return .failure(error) } catch {
            return .failure(OperationalError(kind: .cannotConnect, message: "cannot connect to PostgreSQL: \(error)"))
        }
    }()

    /// Opens libpq (once per process) or throws why it cannot be; a connection calls
    /// this before any other libpq function.
    static func load() throws { _ = try opened.get() }

    /// The opened library. Only reached from a connection, which exists only once
    /// ``load()`` has succeeded.
    @inline(__always) static var api: LibPQ {
        guard case .success(let lib) = opened else { preconditionFailure("libpq used before LibPQ.load() succeeded") }
        return lib
    }
}

// The libpq functions the driver calls, by their C names: declared in this module, they
// shadow CLibPQ's declarations, so no libpq symbol is linked.

@inline(__always) func PQcancel(_ cancel: OpaquePointer!, _ errbuf: UnsafeMutablePointer<CChar>!, _ size: Int32) -> Int32 {
    LibPQ.api.PQcancel(cancel, errbuf, size)
}
@inline(__always) func PQclear(_ res: OpaquePointer!) { LibPQ.api.PQclear(res) }
@inline(__always) func PQcmdStatus(_ res: OpaquePointer!) -> UnsafeMutablePointer<CChar>! { LibPQ.api.PQcmdStatus(res) }
@inline(__always) func PQcmdTuples(_ res: OpaquePointer!) -> UnsafeMutablePointer<CChar>! { LibPQ.api.PQcmdTuples(res) }
@inline(__always) func PQconnectdb(_ conninfo: UnsafePointer<CChar>!) -> OpaquePointer! { LibPQ.api.PQconnectdb(conninfo) }
@inline(__always) func PQdescribePrepared(_ conn: OpaquePointer!, _ stmt: UnsafePointer<CChar>!) -> OpaquePointer! {
    LibPQ.api.PQdescribePrepared(conn, stmt)
}
@inline(__always) func PQenterPipelineMode(_ conn: OpaquePointer!) -> Int32 { LibPQ.api.PQenterPipelineMode(conn) }
@inline(__always) func PQerrorMessage(_ conn: OpaquePointer!) -> UnsafeMutablePointer<CChar>! { LibPQ.api.PQerrorMessage(conn) }
@inline(__always) func PQexec(_ conn: OpaquePointer!, _ query: UnsafePointer<CChar>!) -> OpaquePointer! { LibPQ.api.PQexec(conn, query) }
@inline(__always) func PQexecPrepared(_ conn: OpaquePointer!, _ name: UnsafePointer<CChar>!, _ n: Int32,
                                      _ values: UnsafePointer<UnsafePointer<CChar>?>!, _ lengths: UnsafePointer<Int32>!,
                                      _ formats: UnsafePointer<Int32>!, _ resultFormat: Int32) -> OpaquePointer! {
    LibPQ.api.PQexecPrepared(conn, name, n, values, lengths, formats, resultFormat)
}
@inline(__always) func PQexitPipelineMode(_ conn: OpaquePointer!) -> Int32 { LibPQ.api.PQexitPipelineMode(conn) }
@inline(__always) func PQfinish(_ conn: OpaquePointer!) { LibPQ.api.PQfinish(conn) }
@inline(__always) func PQfname(_ res: OpaquePointer!, _ field: Int32) -> UnsafeMutablePointer<CChar>! { LibPQ.api.PQfname(res, field) }
@inline(__always) func PQfreeCancel(_ cancel: OpaquePointer!) { LibPQ.api.PQfreeCancel(cancel) }
@inline(__always) func PQfreemem(_ p: UnsafeMutableRawPointer!) { LibPQ.api.PQfreemem(p) }
@inline(__always) func PQftype(_ res: OpaquePointer!, _ field: Int32) -> Oid { LibPQ.api.PQftype(res, field) }
@inline(__always) func PQgetCopyData(_ conn: OpaquePointer!, _ buffer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!,
                                     _ async: Int32) -> Int32 {
    LibPQ.api.PQgetCopyData(conn, buffer, async)
}
@inline(__always) func PQgetResult(_ conn: OpaquePointer!) -> OpaquePointer! { LibPQ.api.PQgetResult(conn) }
@inline(__always) func PQgetCancel(_ conn: OpaquePointer!) -> OpaquePointer! { LibPQ.api.PQgetCancel(conn) }
@inline(__always) func PQgetisnull(_ res: OpaquePointer!, _ row: Int32, _ field: Int32) -> Int32 { LibPQ.api.PQgetisnull(res, row, field) }
@inline(__always) func PQgetlength(_ res: OpaquePointer!, _ row: Int32, _ field: Int32) -> Int32 { LibPQ.api.PQgetlength(res, row, field) }
@inline(__always) func PQgetvalue(_ res: OpaquePointer!, _ row: Int32, _ field: Int32) -> UnsafeMutablePointer<CChar>! {
    LibPQ.api.PQgetvalue(res, row, field)
}
@inline(__always) func PQhost(_ conn: OpaquePointer!) -> UnsafeMutablePointer<CChar>! { LibPQ.api.PQhost(conn) }
@inline(__always) func PQnfields(_ res: OpaquePointer!) -> Int32 { LibPQ.api.PQnfields(res) }
@inline(__always) func PQnparams(_ res: OpaquePointer!) -> Int32 { LibPQ.api.PQnparams(res) }
@inline(__always) func PQntuples(_ res: OpaquePointer!) -> Int32 { LibPQ.api.PQntuples(res) }
@inline(__always) func PQpipelineSync(_ conn: OpaquePointer!) -> Int32 { LibPQ.api.PQpipelineSync(conn) }
@inline(__always) func PQport(_ conn: OpaquePointer!) -> UnsafeMutablePointer<CChar>! { LibPQ.api.PQport(conn) }
@inline(__always) func PQprepare(_ conn: OpaquePointer!, _ name: UnsafePointer<CChar>!, _ query: UnsafePointer<CChar>!,
                                 _ n: Int32, _ types: UnsafePointer<Oid>!) -> OpaquePointer! {
    LibPQ.api.PQprepare(conn, name, query, n, types)
}
@inline(__always) func PQputCopyEnd(_ conn: OpaquePointer!, _ message: UnsafePointer<CChar>!) -> Int32 { LibPQ.api.PQputCopyEnd(conn, message) }
@inline(__always) func PQresultErrorField(_ res: OpaquePointer!, _ code: Int32) -> UnsafeMutablePointer<CChar>! {
    LibPQ.api.PQresultErrorField(res, code)
}
@inline(__always) func PQresultErrorMessage(_ res: OpaquePointer!) -> UnsafeMutablePointer<CChar>! { LibPQ.api.PQresultErrorMessage(res) }
@inline(__always) func PQresultStatus(_ res: OpaquePointer!) -> ExecStatusType { LibPQ.api.PQresultStatus(res) }
@inline(__always) func PQsendQueryPrepared(_ conn: OpaquePointer!, _ name: UnsafePointer<CChar>!, _ n: Int32,
                                           _ values: UnsafePointer<UnsafePointer<CChar>?>!, _ lengths: UnsafePointer<Int32>!,
                                           _ formats: UnsafePointer<Int32>!, _ resultFormat: Int32) -> Int32 {
    LibPQ.api.PQsendQueryPrepared(conn, name, n, values, lengths, formats, resultFormat)
}
@inline(__always) func PQserverVersion(_ conn: OpaquePointer!) -> Int32 { LibPQ.api.PQserverVersion(conn) }
@inline(__always) func PQsetSingleRowMode(_ conn: OpaquePointer!) -> Int32 { LibPQ.api.PQsetSingleRowMode(conn) }
@inline(__always) func PQsetNoticeReceiver(_ conn: OpaquePointer!, _ proc: PQnoticeReceiver!,
                                           _ arg: UnsafeMutableRawPointer!) -> PQnoticeReceiver! {
    LibPQ.api.PQsetNoticeReceiver(conn, proc, arg)
}
@inline(__always) func PQstatus(_ conn: OpaquePointer!) -> ConnStatusType { LibPQ.api.PQstatus(conn) }
@inline(__always) func PQtransactionStatus(_ conn: OpaquePointer!) -> PGTransactionStatusType { LibPQ.api.PQtransactionStatus(conn) }
@inline(__always) func PQunescapeBytea(_ text: UnsafePointer<UInt8>!, _ length: UnsafeMutablePointer<Int>!) -> UnsafeMutablePointer<UInt8>! {
    LibPQ.api.PQunescapeBytea(text, length)
}
