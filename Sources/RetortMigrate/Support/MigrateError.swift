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
