/// A migration-tool error: what failed, where (file:line:column when it comes from a
/// revision file or the config), and what to do. `description` is the one line the CLI
/// prints.
public struct MigrateError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where in a file the problem is.
    public struct Location: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var column: Int?
        public init(file: String, line: Int? = nil, column: Int? = nil) {
            self.file = file
            self.line = line
            self.column = column
        }
        public var description: String {
            var s = file
            if let line { s += ":\(line)" }
            if let column { s += ":\(column)" }
            return s
        }
    }

    public var message: String
    public var location: Location?
    /// What to do about it, when there is something to say.
    public var hint: String?

    public init(_ message: String, at location: Location? = nil, hint: String? = nil) {
        self.message = message
        self.location = location
        self.hint = hint
    }

    public var description: String {
        var s = ""
        if let location { s += "\(location): " }
        s += message
        if let hint { s += "; " + hint }
        return s
    }
}

/// The candidate closest to `word` by edit distance, when it is close enough to be a
/// plausible typo ("did you mean …?").
func nearest(_ word: String, in candidates: [String]) -> String? {
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(word.lowercased(), c.lowercased())
        if best == nil || d < best!.1 { best = (c, d) }
    }
    guard let (match, distance) = best, distance <= max(2, word.count / 3) else { return nil }
    return match
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
