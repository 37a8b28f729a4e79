import Foundation
import RetortCore

/// What observability says about a statement without its values: the operation (the
/// SQL's first keyword) and the table it names first. Retort's SQL carries values as
/// bound parameters, so its text holds none.
struct StatementSummary: Sendable, Equatable {
    /// `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `CREATE`, … (uppercased).
    var operation: String
    /// The table after `FROM`, `INTO`, `UPDATE`, `TABLE` or `JOIN`, unquoted; nil when none.
    var table: String?

    init(sql: String) {
        let words = StatementSummary.words(sql)
        operation = words.first?.uppercased() ?? ""
        table = nil
        for (i, word) in words.enumerated() where ["FROM", "INTO", "UPDATE", "TABLE", "JOIN"].contains(word.uppercased()) {
            var j = i + 1
            while j < words.count, ["IF", "NOT", "EXISTS", "ONLY"].contains(words[j].uppercased()) { j += 1 }
            if j < words.count, words[j] != "(" {
                table = StatementSummary.unquoted(words[j])
                return
            }
        }
    }

    /// The span name OpenTelemetry asks for: `SELECT books`, or the operation alone.
    var spanName: String { table.map { "\(operation) \($0)" } ?? operation }

    /// Words of SQL: identifiers (quoted ones whole), keywords, and single punctuation.
    static func words(_ sql: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character?
        for c in sql {
            if let q = quote {
                current.append(c)
                if c == q { quote = nil }
                continue
            }
            if c == "\"" || c == "`" {
                current.append(c)
                quote = c
            } else if c.isLetter || c.isNumber || c == "_" || c == "." || c == "$" {
                current.append(c)
            } else {
                if !current.isEmpty { out.append(current) }
                current = ""
                if c == "(" { out.append("(") }
            }
            if out.count > 64 { break }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    private static func unquoted(_ name: String) -> String {
        name.split(separator: ".").map { part in
            var p = String(part)
            if p.count >= 2, let f = p.first, f == "\"" || f == "`", p.last == f { p = String(p.dropFirst().dropLast()) }
            return p
        }.joined(separator: ".")
    }
}

/// Per-thread scratch for a statement's listeners: a statement's before, after and
/// failed listeners run on one thread, one statement after another, so what `before`
/// starts (a clock reading, a span) is found by `after` in a thread-local slot.
final class ThreadScratch<Value>: @unchecked Sendable {
    // @unchecked Sendable: the key is created once in init; each thread reads and
    // writes only its own slot.
    private var key = pthread_key_t()

    init() {
        pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<AnyObject>.fromOpaque(pointer).release()
        }
    }

    /// The calling thread's value, cleared as it is taken.
    func take() -> Value? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        pthread_setspecific(key, nil)
        return (Unmanaged<AnyObject>.fromOpaque(pointer).takeRetainedValue() as? Holder)?.value
    }

    /// Sets the calling thread's value (replacing one left by a statement whose after
    /// listeners never ran).
    func put(_ value: Value) {
        _ = take()
        pthread_setspecific(key, Unmanaged.passRetained(Holder(value) as AnyObject).toOpaque())
    }

    private final class Holder {
        let value: Value
        init(_ value: Value) { self.value = value }
    }
}
