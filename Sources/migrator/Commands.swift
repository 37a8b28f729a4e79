import ArgumentParser
import Foundation
import RetortCore
import RetortMigrate

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Init: MigratorCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Write a migrator.yaml and an empty versions folder.")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The folder for revision files (it gets a versions/ subfolder).") var directory: String

    func run() throws {
        for path in try Project.initialize(directory: directory, configPath: options.config) { say("created \(path)") }
    }
}

struct RevisionCommand: MigratorCommand {
    static let configuration = CommandConfiguration(commandName: "revision", abstract: "Write a new revision file.")
    @OptionGroup var options: ConfigOption
    @Option(name: [.short, .long], help: "What the revision does.") var message: String
    @Option(help: "The head (or, with --splice, any revision) to build on; 'base' starts a new root.") var head: String?
    @Flag(help: "Allow --head to name a revision that is not a head (starting a branch).") var splice = false
    @Option(name: .customLong("branch-label"), help: "A label for the new branch.") var branchLabels: [String] = []
    @Option(name: .customLong("depends-on"), parsing: .upToNextOption, help: "Revisions this one depends on.") var dependsOn: [String] = []
    @Option(name: .customLong("rev-id"), help: "Use this id instead of a random one.") var revID: String?
    @Flag(help: "Fill the revision with the differences between the models and the database.") var autogenerate = false
    @Flag(help: "Adopt an existing database: a first revision that creates its schema as it is; the database is stamped at it.")
    var baseline = false
    @Option(help: "With --autogenerate: read the models from this metadata JSON file.") var metadata: String?
    @Option(name: .customLong("rename"), help: "With --autogenerate: table.old=new (a column) or old=new (a table) is a rename.")
    var renames: [String] = []

    /// A baseline that fails could not run (exit 2).
    var failureStatus: ExitStatus { baseline ? .couldNotRun : .no }

    /// The options that do not go together (a usage error, before anything runs).
    func validate() throws {
        if baseline {
            guard !autogenerate, head == nil, !splice, branchLabels.isEmpty, dependsOn.isEmpty, metadata == nil, renames.isEmpty else {
                throw ValidationError("--baseline writes the first revision from the database alone; it does not take --autogenerate, "
                                      + "--head, --splice, --branch-label, --depends-on, --metadata or --rename")
            }
        } else if autogenerate {
            guard head == nil, !splice, branchLabels.isEmpty, dependsOn.isEmpty else {
                throw ValidationError("--autogenerate builds on the current head; it does not take --head, --splice, --branch-label or --depends-on")
            }
        } else if metadata != nil || !renames.isEmpty {
            throw ValidationError("--metadata and --rename go with --autogenerate")
        }
    }

    func run() throws {
        if baseline { return try runBaseline() }
        if autogenerate { return try runAutogenerate() }
        let project = try Project(configPath: options.config)
        let (_, path) = try project.newRevision(message: message, head: head, splice: splice, branchLabels: branchLabels,
                                                dependsOn: dependsOn, revisionID: revID)
        say("created \(path)")
    }
}

struct Upgrade: MigratorCommand {
    static let configuration = CommandConfiguration(commandName: "upgrade", abstract: "Apply revisions up to TARGET (head, heads, +N, REV, LABEL@head, ...).")
    @OptionGroup var options: ConfigOption
    @Argument(parsing: .allUnrecognized, help: "head, heads, +N, REV, REV+N, LABEL@head, LABEL@+N; with --sql also START:END.")
    var targets: [String]
    @Flag(help: "Print the SQL instead of running it; nothing connects.") var sql = false
    @Option(help: "With --sql: write the SQL for this database (\(dialectNames)) instead of the configured one's.")
    var dialect: String?
    @Flag(name: .customLong("allow-edited"), help: "Run even if an applied revision's file has changed.") var allowEdited = false

    func validate() throws { try checkDialectOption(dialect, sql: sql) }

    func run() throws {
        try walk(targets, config: options.config, sql: sql, dialect: dialect,
                 offline: { try $0.upgrade($1) },
                 online: { try $0.upgrade(to: $1, allowEdited: allowEdited) })
    }
}

struct Downgrade: MigratorCommand {
    static let configuration = CommandConfiguration(commandName: "downgrade", abstract: "Unapply revisions down to TARGET (-N, REV, base, ...).")
    @OptionGroup var options: ConfigOption
    // .allUnrecognized, so that `-1` is a target rather than an unknown option.
    @Argument(parsing: .allUnrecognized, help: "-N, REV, REV-N, LABEL@-N, base; with --sql a range START:END.")
    var targets: [String]
    @Flag(help: "Print the SQL instead of running it; nothing connects.") var sql = false
    @Option(help: "With --sql: write the SQL for this database (\(dialectNames)) instead of the configured one's.")
    var dialect: String?
    @Flag(name: .customLong("allow-edited"), help: "Run even if an applied revision's file has changed.") var allowEdited = false

    func validate() throws { try checkDialectOption(dialect, sql: sql) }

    func run() throws {
        try walk(targets, config: options.config, sql: sql, dialect: dialect,
                 offline: { try $0.downgrade($1) },
                 online: { try $0.downgrade(to: $1, allowEdited: allowEdited) })
    }
}

/// What upgrade and downgrade share: one target, then the offline script or the run.
func walk(_ targets: [String], config: String, sql: Bool, dialect: String?,
          offline: (OfflineScript, String) throws -> String,
          online: (MigrationRunner, String) throws -> [StepReport]) throws {
    let target = try single(targets)
    if sql {
        emit(try offline(try Project(configPath: config).offlineScript(dialect: dialect.flatMap(Dialect.named)), target),
             newline: false)
    } else {
        let runner = try Project(configPath: config).runner()
        try migrate(runner) { try online(runner, target) }
    }
}

/// `--dialect` names a registered database, and goes with `--sql` (upgrade and downgrade's `validate()`).
func checkDialectOption(_ dialect: String?, sql: Bool) throws {
    guard let dialect else { return }
    guard sql else { throw ValidationError("--dialect goes with --sql (a run uses the configured database)") }
    guard Dialect.named(dialect) != nil else { throw ValidationError("unknown --dialect '\(dialect)'; one of: \(dialectNames)") }
}

/// The databases `--dialect` names, for help and messages.
let dialectNames = Dialect.registered.map(\.name).joined(separator: ", ")

/// The one target an upgrade or downgrade takes. The arguments are parsed as
/// `.allUnrecognized` (so that `-1` is a target), so an unknown option lands here too.
func single(_ targets: [String]) throws -> String {
    if let option = targets.first(where: { $0.hasPrefix("--") || ($0.hasPrefix("-") && Int($0) == nil) }) {
        throw MigrateError("unknown option '\(option)'", hint: "see --help")
    }
    guard targets.count == 1, let t = targets.first else {
        throw MigrateError(targets.isEmpty ? "missing the target revision (e.g. head, +1, -1, base)"
                                           : "one target revision, not \(targets.count): \(targets.joined(separator: " "))")
    }
    return t
}

/// Runs an upgrade or downgrade, printing a line per step as each commits, a counter
/// when many run, and a summary. SIGINT or SIGTERM stops it after the revision in
/// progress; the database's position is printed and the exit status is 128 + signal.
func migrate(_ runner: MigrationRunner, _ body: () throws -> [StepReport]) throws {
    runner.onStep = { report in
        say((report.total > 3 ? "[\(report.index)/\(report.total)] " : "") + report.line)
    }
    let stop = StopSignals()
    runner.stopRequested = { stop.caught != nil }
    let started = Date()
    let steps: [StepReport]
    do {
        steps = try body()
    } catch let interrupted as MigrationInterrupted {
        let signal = stop.caught ?? SIGTERM
        var line = "stopped by \(StopSignals.name(signal))"
        if let last = (interrupted.committed + interrupted.rolledBack).last {
            let verb = last.step.isUpgrade ? "applied" : "unapplied"
            line += ": \(interrupted.committed.count) revision\(interrupted.committed.count == 1 ? "" : "s") \(verb) and committed"
            if !interrupted.rolledBack.isEmpty {
                line += ", \(interrupted.rolledBack.count) rolled back (transaction: all)"
            }
        }
        say(line + "; the database is at \(describe(try runner.current()))")
        Foundation.exit(128 + signal)
    }
    let ms = Int(Date().timeIntervalSince(started) * 1000)
    if steps.isEmpty {
        say("nothing to do: the database is at \(try describe(runner.current()))")
    } else {
        say("\(steps.count) revision\(steps.count == 1 ? "" : "s") \(steps[0].step.isUpgrade ? "applied" : "unapplied") in \(ms) ms; "
            + "now at \(try describe(runner.current()))")
    }
}

/// Catches SIGINT and SIGTERM for the length of a run: the first asks the run to stop
/// after the revision in progress; a second ends the process at once (the database
/// rolls the open transaction back; a revision outside a transaction keeps its
/// recorded steps and resumes after them).
final class StopSignals: @unchecked Sendable {
    // @unchecked Sendable: `received` is read and written only with `lock` held; `sources`
    // is filled in `init` and only read afterwards.
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            let index = sources.count
            sources.append(source)
            // Signals that arrive together come as one event; `data` counts them.
            source.setEventHandler { [weak self] in
                guard let self else { return }
                for _ in 0..<max(1, self.sources[index].data) { self.receive(sig) }
            }
            source.resume()
        }
    }

    /// The first signal received, if any.
    var caught: Int32? { lock.withLock { received } }

    private func receive(_ sig: Int32) {
        let first = lock.withLock { () -> Bool in
            guard received == nil else { return false }
            received = sig
            return true
        }
        if first {
            note("migrator: \(StopSignals.name(sig)) received: stopping after the revision in progress "
                 + "(send it again to stop at once: a revision in a transaction is rolled back, one outside a "
                 + "transaction keeps its finished steps and resumes after them)")
        } else {
            signal(sig, SIG_DFL)
            kill(getpid(), sig)
        }
    }

    static func name(_ sig: Int32) -> String { sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal \(sig)" }
}

func describe(_ heads: Set<String>) -> String {
    heads.isEmpty ? "base" : heads.sorted().joined(separator: ", ")
}

struct Current: MigratorCommand {
    static let configuration = CommandConfiguration(commandName: "current", abstract: "Show the revision(s) the database is at.")
    @OptionGroup var options: ConfigOption
    @Flag(name: .shortAndLong, help: "Show details.") var verbose = false
    @Option(help: "text or json") var format: OutputFormat = .text

    var printsJSON: Bool { format == .json }
    var failureStatus: ExitStatus { .couldNotRun }

    func run() throws {
        let project = try Project(configPath: options.config, operations: false)
        let runner = try project.runner()
        let current = try runner.current()
        let report = HistoryReport(graph: project.graph)
        let revisions = current.sorted().compactMap { project.graph.revision($0) }
        let partly = try runner.partlyRun()
        if format == .json {
            let entries: [[String: Any]] = partly.map {
                ["revision": $0.revision, "direction": $0.isUpgrade ? "upgrade" : "downgrade", "steps_done": $0.stepsDone,
                 "message": StepProgress.describe($0, in: project.graph)]
            }
            say(report.json(revisions, current: current, extra: ["partly_run": entries]))
            return
        }
        if current.isEmpty {
            say("base (no revision applied)")
        } else {
            for id in current.sorted() {
                guard let r = project.graph.revision(id) else {
                    say("\(id) " + (project.graph.replacedBy[id].map {
                        "(part-way through the run squashed into \($0); `migrator upgrade` finishes it)"
                    } ?? "(not in the scripts)"))
                    continue
                }
                say(verbose ? report.verbose(r, current: current) : report.line(r, current: current))
            }
        }
        for entry in partly { say(StepProgress.describe(entry, in: project.graph)) }
    }
}

struct History: MigratorCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List revisions, newest first.")
    @OptionGroup var options: ConfigOption
    @Option(name: [.customShort("r"), .long], help: "START:END, e.g. base:head, -3:, ae10:") var rev: String?
    @Flag(name: .shortAndLong, help: "Show details.") var verbose = false
    @Flag(name: .customLong("indicate-current"), help: "Mark the revision(s) the database is at.") var indicateCurrent = false
    @Option(help: "text or json") var format: OutputFormat = .text

    var printsJSON: Bool { format == .json }
    var failureStatus: ExitStatus { .couldNotRun }

    func run() throws {
        let project = try Project(configPath: options.config, operations: false)
        let current = indicateCurrent || rev?.contains("current") == true ? try project.currentHeads() : []
        let report = HistoryReport(graph: project.graph)
        let revisions = try report.revisions(in: rev, current: current)
        if format == .json {
            say(report.json(revisions, current: current))
        } else {
            for r in revisions { say(verbose ? report.verbose(r, current: current) : report.line(r, current: current)) }
        }
    }
}

struct Heads: MigratorCommand {
    static let configuration = CommandConfiguration(commandName: "heads", abstract: "Show the heads of the revision graph.")
    @OptionGroup var options: ConfigOption
    @Flag(name: .shortAndLong) var verbose = false
    @Option(help: "text or json") var format: OutputFormat = .text

    var printsJSON: Bool { format == .json }
    var failureStatus: ExitStatus { .couldNotRun }

    func run() throws {
        let project = try Project(configPath: options.config, operations: false)
        let report = HistoryReport(graph: project.graph)
        let revisions = project.graph.heads.compactMap { project.graph.revision($0) }
        if format == .json {
            say(report.json(revisions, current: []))
        } else {
            for r in revisions { say(verbose ? report.verbose(r) : report.line(r)) }
        }
    }
}

struct Branches: MigratorCommand {
    static let configuration = CommandConfiguration(commandName: "branches", abstract: "Show the revisions where history branches.")
    @OptionGroup var options: ConfigOption
    @Flag(name: .shortAndLong) var verbose = false

    func run() throws {
        let project = try Project(configPath: options.config, operations: false)
        let report = HistoryReport(graph: project.graph)
        for r in try report.revisions(in: nil, current: []) where project.graph.isBranchPoint(r.id) {
            say(verbose ? report.verbose(r) : report.line(r))
            for child in project.graph.children(of: r.id).compactMap(project.graph.revision) {
                say("    -> \(child.id), \(child.message)")
            }
        }
    }
}

struct Show: MigratorCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one revision and its file.")
    @OptionGroup var options: ConfigOption
    @Argument(help: "A revision id, prefix, label or 'head'.") var revision: String

    func run() throws {
        let project = try Project(configPath: options.config)
        let path = try project.revisionPath(revision)
        let r = project.graph.revision(try project.graph.resolve(revision))!
        say(HistoryReport(graph: project.graph).verbose(r))
        emit(try String(contentsOfFile: path, encoding: .utf8), newline: false)
    }
}

struct Stamp: MigratorCommand {
    static let configuration = CommandConfiguration(commandName: "stamp", abstract: "Set the version table to REV... without running migrations.")
    @OptionGroup var options: ConfigOption
    @Argument(help: "Revisions (or 'base', 'head', 'heads').") var revisions: [String]
    @Flag(help: "Delete every row of the version table first, even unknown revisions.") var purge = false

    func run() throws {
        let project = try Project(configPath: options.config)
        let runner = try project.runner()
        let names = revisions == ["heads"] ? project.graph.heads : revisions
        try runner.stamp(names, purge: purge)
        say("stamped: now at \(describe(try runner.current()))")
    }
}

struct Merge: MigratorCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Write a revision that merges REVS ('heads' for every head).")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The revisions to merge, or 'heads'.") var revisions: [String]
    @Option(name: [.short, .long]) var message: String
    @Option(name: .customLong("rev-id")) var revID: String?

    func run() throws {
        let project = try Project(configPath: options.config)
        let (_, path) = try project.merge(revisions, message: message, revisionID: revID)
        say("created \(path)")
    }
}

struct Edit: MigratorCommand {
    static let configuration = CommandConfiguration(commandName: "edit", abstract: "Open a revision file in $EDITOR.")
    @OptionGroup var options: ConfigOption
    @Argument var revision: String

    func run() throws {
        let project = try Project(configPath: options.config)
        let path = try project.revisionPath(revision)
        guard let editor = ProcessInfo.processInfo.environment["EDITOR"], !editor.isEmpty else {
            throw MigrateError("$EDITOR is not set", hint: "set it, or open \(path) yourself")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "\(editor) \"$0\"", path]
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw MigrateError("\(editor) exited with status \(p.terminationStatus)") }
    }
}
