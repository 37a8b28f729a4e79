import Foundation

/// Stopping a running MySQL statement: `KILL QUERY <thread id>`, sent over a second,
/// short-lived connection opened with the same URL (user, password, TLS settings) as
/// the connection running it.
///
/// `KILL QUERY` ends the statement only, not the session: the statement fails with
/// 1317 (`ER_QUERY_INTERRUPTED`, an ``OperationalError`` `.timeout`), an open
/// transaction stays open (the async API then rolls it back), and the connection, its
/// prepared statements and temporary tables go on. A user may kill their own
/// sessions' statements without any privilege.
extension MySQLConnection {
    /// The longest the second connection may take to connect or to answer: the
    /// canceller waits for this call while the statement's own thread waits to end,
    /// so it must not hang on a server that does not answer.
    static let cancelTimeoutSeconds = 5

    /// Sends `KILL QUERY` for this connection's session from a new connection (see the
    /// extension's comment). Called from another thread while a statement runs; it
    /// reads only what never changes after `init` (the driver, the session's id).
    ///
    /// When the second connection cannot be made or the server refuses the `KILL`, the
    /// statement runs to its end, as with a driver that cannot stop statements; the
    /// reason goes to the driver's logger.
    func cancel() {
        guard serverThreadID != 0 else { return }
        var target = driver
        target.connectTimeout = min(target.connectTimeout ?? Self.cancelTimeoutSeconds, Self.cancelTimeoutSeconds)
        target.readTimeout = Self.cancelTimeoutSeconds
        target.writeTimeout = Self.cancelTimeoutSeconds
        do {
            let killer = try MySQLConnection(driver: target)
            defer { killer.close() }
            try killer.executeCommand("KILL QUERY \(serverThreadID)")
        } catch {
            let message = "could not stop the MySQL statement of session \(serverThreadID) at "
                + "\(driver.targetDescription) (it runs to its end): \(error)"
            driver.logger?.warning("\(message)")
        }
    }
}
