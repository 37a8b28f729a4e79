import Foundation

/// The folder of revision files (`<script_location>/versions/*.yaml`) and the graph
/// they form.
public struct ScriptDirectory: Sendable {
    public let versionsPath: String
    public let graph: RevisionGraph

    /// Reads every `.yaml` file in `versionsPath`. `checkType` validates type names;
    /// `identifierLimit` (the database's, when known) refuses names it would cut off.
    /// With `operations: false` only each file's header is read (the revisions'
    /// `upgrade` and `downgrade` are empty): enough for commands that only walk the
    /// graph, such as `current`, `heads` and `history`.
    public init(versionsPath: String, checkType: @escaping (String) throws -> Void = { _ in },
                identifierLimit: IdentifierLimit? = nil, operations: Bool = true) throws {
        self.versionsPath = versionsPath
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: versionsPath, isDirectory: &isDir), isDir.boolValue else {
            throw MigrateError("the versions folder \(versionsPath) does not exist",
                               hint: "create it with `migrator init`, or fix script_location in the config")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: versionsPath)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
        // Files are read and parsed on every core (YAML composition is most of what a
        // command like `migrator current` costs). Type names repeat across columns and
        // files: each spelling is checked once.
        let checked = Memo<String, Void>(checkType)
        let paths = names.map { (versionsPath as NSString).appendingPathComponent($0) }
        let results = ParallelMap.map(paths) { path in
            Result {
                try Revision.read(path: path, checkType: { try checked($0) }, identifierLimit: identifierLimit, operations: operations)
            }
        }
        let revisions = try results.map { try $0.get() }  // the first failing file, in name order
        // The files a squash replaced, kept for databases part-way through its run.
        let replacedFolder = (versionsPath as NSString).appendingPathComponent(ScriptDirectory.replacedFolder)
        let replaced = try ((try? FileManager.default.contentsOfDirectory(atPath: replacedFolder)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { try Revision.read(path: (replacedFolder as NSString).appendingPathComponent($0), checkType: { try checked($0) },
                                     identifierLimit: identifierLimit, operations: operations) }
        graph = try RevisionGraph(revisions, replaced: replaced)
    }

    /// The same folder with another graph (a squash checked in memory before it is written).
    init(versionsPath: String, graph: RevisionGraph) {
        self.versionsPath = versionsPath
        self.graph = graph
    }

    /// The subfolder of the versions folder where `migrator squash` keeps the files it
    /// replaced (databases part-way through the squashed run upgrade with them).
    public static let replacedFolder = "replaced"

    /// A new revision id: 12 lowercase hex characters.
    public static func newRevisionID() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<12).map { _ in String(Int.random(in: 0..<16, using: &g), radix: 16) }.joined()
    }

    /// `<YYYYMMDD>_<revision>_<slug of message>.yaml`.
    public static func fileName(for revision: Revision, date: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day], from: date)
        let day = String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
        let slug = slugify(revision.message)
        return "\(day)_\(revision.id)" + (slug.isEmpty ? "" : "_\(slug)") + ".yaml"
    }

    static func slugify(_ message: String) -> String {
        var out = ""
        var lastUnderscore = false
        for ch in message.lowercased().unicodeScalars {
            if (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") {
                out.unicodeScalars.append(ch)
                lastUnderscore = false
            } else if !lastUnderscore, !out.isEmpty {
                out += "_"
                lastUnderscore = true
            }
        }
        while out.hasSuffix("_") { out.removeLast() }
        return String(out.prefix(40))
    }

    /// Writes `revision` as a new file; refuses an id already in the graph.
    @discardableResult
    public func write(_ revision: Revision, date: Date = Date(), headerComments: [String] = []) throws -> String {
        if graph.revision(revision.id) != nil {
            throw MigrateError("revision id \(revision.id) already exists", hint: "choose another --rev-id")
        }
        let (text, path) = try rendered(revision, date: date, headerComments: headerComments)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The file text of `revision` and the path it belongs at, checked to read back as
    /// the same revision before anything is written.
    func rendered(_ revision: Revision, date: Date, headerComments: [String]) throws -> (text: String, path: String) {
        let path = (versionsPath as NSString).appendingPathComponent(ScriptDirectory.fileName(for: revision, date: date))
        let text = RevisionWriter.render(revision, headerComments: headerComments)
        var reread = try Revision.parse(text, file: path)
        reread.path = revision.path
        reread.checksum = revision.checksum
        guard reread == revision else {
            throw MigrateError("internal error: the rendered revision \(revision.id) does not read back as written; nothing was written",
                               hint: "please report this with the revision's operations")
        }
        return (text, path)
    }

    /// An ISO-8601 UTC timestamp for `created:`.
    public static func timestamp(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}

/// `map` over every core, results in input order.
enum ParallelMap {
    static func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard items.count > 8, cores > 1 else { return items.map(transform) }
        let slots = Slots<R>(count: items.count)
        let chunks = min(cores, items.count)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            var i = c
            while i < items.count {
                slots.set(i, transform(items[i]))
                i += chunks
            }
        }
        return slots.values()
    }

    /// One slot per item; each index is written by exactly one thread, and read only
    /// after every thread is done.
    private final class Slots<R>: @unchecked Sendable {
        private let storage: UnsafeMutableBufferPointer<R?>
        init(count: Int) {
            storage = .allocate(capacity: count)
            storage.initialize(repeating: nil)
        }
        func set(_ i: Int, _ value: R) { storage[i] = value }
        func values() -> [R] { storage.map { $0! } }
        deinit {
            _ = storage.deinitialize()
            storage.deallocate()
        }
    }
}
