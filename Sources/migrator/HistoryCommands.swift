import ArgumentParser
import Foundation
import RetortMigrate

extension GraphDrawing.Format: ExpressibleByArgument {}

struct Graph: MigratorCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw the revision graph as SVG, Graphviz DOT or a Mermaid flowchart.",
        discussion: """
            One node per revision (short id and message), edges from parents to children, branch labels, \
            merge points and heads marked; the database's current revision is highlighted when the database \
            can be reached (when it cannot, a note on stderr says why and the picture is drawn anyway). The SVG \
            is drawn by migrator itself, branches side by side; Mermaid output goes in a ```mermaid block \
            of GitHub markdown.
            """)
    @OptionGroup var options: ConfigOption
    @Option(help: "svg, dot or mermaid.") var format: GraphDrawing.Format = .svg
    @Option(name: [.short, .customLong("output")], help: "Write to this file instead of stdout.") var output: String?

    var failureStatus: ExitStatus { .couldNotRun }

    func run() throws {
        let project = try Project(configPath: options.config, operations: false)
        let (picture, unreachable) = project.drawGraph(format)
        if let unreachable { note("note: \(unreachable); no revision is highlighted as current") }
        if let output {
            do {
                try picture.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw MigrateError("cannot write \(output): \(error.localizedDescription)", hint: "check that its folder exists and is writable")
            }
            note("wrote \(output) (\(project.graph.revisions.count) revisions)")
        } else {
            emit(picture, newline: false)
        }
    }
}

struct Diff: MigratorCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Print the operations that turn FROM into TO (exit 0 no differences, 1 differences, 2 could not run).",
        discussion: """
            Each side is a database URL, 'models' (the manifest module, or --metadata FILE.json), or \
            revision:REV (the schema the revision files produce at REV: revision:head, revision:base, \
            revision:3f2a, built on a scratch database; the configured database is not touched). The output \
            is the upgrade and downgrade lists as a revision file spells them (yaml), the upgrade as SQL for \
            TO's database (sql), or one JSON object (json). Across databases (SQLite against PostgreSQL) the \
            comparison is in Retort's type names.
            """)
    @OptionGroup var options: ConfigOption
    @Argument(help: "The schema to start from: a database URL, models, or revision:REV.") var from: String
    @Argument(help: "The schema to reach: a database URL, models, or revision:REV.") var to: String
    @Option(help: "yaml, sql or json.") var format: DiffFormat = .yaml
    @Option(help: "For 'models': read them from this metadata JSON file instead of building the manifest module.")
    var metadata: String?

    enum DiffFormat: String, ExpressibleByArgument { case yaml, sql, json }

    var printsJSON: Bool { format == .json }
    var failureStatus: ExitStatus { .couldNotRun }

    func run() throws {
        let project = try Project(configPath: options.config)
        let (fromSide, toSide) = (try SchemaSide(from), try SchemaSide(to))
        let found = try project.diff(from: fromSide, to: toSide) { try project.models(metadataFile: metadata, progress: note) }
        let diff = found.diff
        switch format {
        case .json:
            say(found.json)
        case .yaml, .sql:
            let comment = format == .yaml ? "#" : "--"
            var header = ["\(comment) migrator diff \(fromSide) \(toSide): "
                          + (diff.isEmpty ? "no differences" : "\(diff.changes.count) difference\(diff.changes.count == 1 ? "" : "s")")]
            header += diff.summaryLines.map { "\(comment)   \($0)" }
            header += diff.headerComments.map { "\(comment) \($0)" }
            let body = format == .yaml ? found.yaml : try found.sql(enums: project.enums)
            say(header.joined(separator: "\n"))
            emit(body, newline: false)
        }
        if !diff.isEmpty { throw ExitCode(ExitStatus.no.rawValue) }
    }
}

struct Squash: MigratorCommand {
    static let configuration = CommandConfiguration(
        commandName: "squash",
        abstract: "Replace the linear run of revisions A..B by one revision with their net effect, keeping B's id.",
        discussion: """
            The new revision's operations are the difference between the schema at A's parent and at B, both \
            built by replaying the revision files on scratch databases; it is replayed once more before \
            anything is written. It lists the other ids of the run in `replaces:`, and their files move to \
            versions/replaced/, from which a database part-way through the run finishes it on its next upgrade \
            (delete that folder once no database is part-way through). Refused (exit 2, with the reason) across \
            branch points and merge points, and when the run holds execute or bulk_insert unless --drop-data-ops.
            """)
    @OptionGroup var options: ConfigOption
    @Argument(help: "The first revision of the run.") var first: String
    @Argument(help: "The last revision of the run (its id is kept).") var last: String
    @Option(name: [.short, .long], help: "What the squashed revision does.") var message: String
    @Flag(name: .customLong("drop-data-ops"), help: "Leave out the run's execute and bulk_insert operations.")
    var dropDataOps = false

    var failureStatus: ExitStatus { .couldNotRun }

    func run() throws {
        let project = try Project(configPath: options.config)
        let result = try project.squash(from: first, to: last, message: message, dropDataOperations: dropDataOps)
        say("squashed \(result.run.count) revisions (\(result.run.first!)..\(result.run.last!)) into \(result.revision.id)")
        for line in result.diff.summaryLines { say("  " + line) }
        for d in result.droppedDataOperations { say("  left out: \(d)") }
        say("created \(result.path)")
        say("kept \(result.keptFiles.count) replaced files in "
            + ((project.scripts.versionsPath as NSString).appendingPathComponent(ScriptDirectory.replacedFolder))
            + " for databases part-way through the run")
    }
}
