import Logging

/// Logs statements and their parameters when an engine is created with `echo: true`,
/// masking parameters whose names look like secrets.
///
/// ```
/// info retort.engine : SELECT name FROM users WHERE email = ? AND password = ?
/// info retort.engine : [parameters: email='u@example.org', password=***]
/// ```
struct EchoLog: Sendable {
    let logger: Logger

    /// Parameter names containing one of these (case-insensitively) are masked.
    static let secretMarkers = ["password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "credential"]

    static func isSecret(_ name: String) -> Bool {
        let lower = name.lowercased()
        return secretMarkers.contains { lower.contains($0) }
    }

    func statement(_ sql: String) {
        logger.info("\(sql)")
    }

    /// Logs the statement and its parameters, by name where the statement names them.
    func statement(_ sql: String, compiled: CompiledStatement?, values: [SQLValue]) {
        logger.info("\(sql)")
        guard !values.isEmpty else { return }
        logger.info("[parameters: \(EchoLog.render(compiled: compiled, values: values))]")
    }

    /// Logs an executemany: the statement, the number of sets and the first few.
    func executemany(_ sql: String, compiled: CompiledStatement?, sets: [[SQLValue]], total: Int) {
        logger.info("\(sql)")
        guard !sets.isEmpty else { return }
        let shown = sets.map { "(" + EchoLog.render(compiled: compiled, values: $0) + ")" }
        let more = total > sets.count ? " … \(total - sets.count) more" : ""
        logger.info("[\(total) parameter sets: \(shown.joined(separator: ", "))\(more)]")
    }

    static func render(compiled: CompiledStatement?, values: [SQLValue]) -> String {
        var parts: [String] = []
        parts.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            if let compiled, i < compiled.bindings.count, case .named(let name) = compiled.bindings[i] {
                parts.append(name + "=" + (isSecret(name) ? "***" : v.description))
            } else {
                parts.append(v.description)
            }
        }
        return parts.joined(separator: ", ")
    }
}
