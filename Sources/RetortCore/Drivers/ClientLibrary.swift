#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening a database's client library on first use (libpq, libmariadb), shared by the
/// drivers that load theirs with `dlopen` instead of linking it.
enum ClientLibrary {
    /// The first of `candidates` that opens, its name, and why each one before it did not.
    static func open(_ candidates: [String]) -> (handle: UnsafeMutableRawPointer?, opened: String, failures: [String]) {
        var failures: [String] = []
        for name in candidates {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) { return (handle, name, failures) }
            failures.append(dlerror().map { String(cString: $0) } ?? name)
        }
        return (nil, "", failures)
    }
}
