import ArgumentParser
import Foundation
import RetortCore
import RetortMigrate

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Check: MigratorCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Exit 0 when the database is at head and matches the models; 1 when it differs or is behind head; "
            + "2 when it could not check.",
        discussion: """
            With --format json, one JSON object on stdout in every case: status ok, drift (with the \
            differences), behind (with current and head) or error (with message, file, line, hint).
            """)
    @OptionGroup var options: ConfigOption
    @Option(help: "Read the models from this metadata JSON file instead of building the manifest module.") var metadata: String?
    @Option(help: "text or json") var format: OutputFormat = .text

    var printsJSON: Bool { format == .json }
    var failureStatus: ExitStatus { .couldNotRun }

    func run() throws {
        let project = try Project(configPath: options.config)
        let models = try project.models(metadataFile: metadata, progress: note)
        let report = try project.check(models)
        if format == .json {
            say(report.json)
        } else {
            switch report {
            case .ok(let diff):
                say("The database matches the models (\(diff.notes.isEmpty ? "no differences" : "notes below")).")
                for n in diff.notes { say("note: " + n) }
            case .drift(let diff):
                say("The database does not match the models: \(diff.changes.count) difference\(diff.changes.count == 1 ? "" : "s")")
                for line in diff.summaryLines { say("  " + line) }
                say("Run `migrator revision --autogenerate -m MSG` to write a revision for them.")
            case .behind:
                say("The database is behind: \(report.behindMessage.dropFirst("the database is not at head: ".count)).")
                say("Run `migrator upgrade head` first; the models are compared once it is at head.")
            }
        }
        if report.exitStatus != .success { throw ExitCode(report.exitStatus.rawValue) }
    }
}

/// A progress line on stderr, so that stdout stays the command's own output.
func note(_ line: String) {
    try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
}

struct MetadataCommand: MigratorCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Print the models of the manifest module as metadata JSON (retort-metadata/1).",
        discussion: """
            Builds a small program that links the module named by `manifest:` in migrator.yaml and \
            prints its `metadata`; the result is cached under .build/migrator until the module's \
            sources or the package change. Save the output for `--metadata FILE.json`.
            """)
    @OptionGroup var options: ConfigOption

    func run() throws {
        let project = try Project(configPath: options.config)
        let (json, _) = try project.manifestModule().metadataJSON(progress: note)
        emit(json)
    }
}

/// Answers rename questions: from `--rename` values, else by asking on a terminal,
/// else no.
final class RenameAnswers {
    let given: [String]
    private(set) var used = Set<String>()
    init(_ given: [String]) throws {
        for g in given where !g.contains("=") {
            throw MigrateError("--rename \(g): write it as table.old=new for a column or old_table=new_table for a table")
        }
        self.given = given
    }

    func answer(_ candidate: RenameCandidate) -> Bool {
        if let g = given.first(where: candidate.matches) {
            used.insert(g)
            return true
        }
        guard isatty(0) != 0 else { return false }
        FileHandle.standardOutput.write(Data((candidate.question + " ").utf8))
        let reply = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return reply == "y" || reply == "yes"
    }

    var unused: [String] { given.filter { !used.contains($0) } }
}

extension RevisionCommand {
    /// `revision --autogenerate`.
    func runAutogenerate() throws {
        let project = try Project(configPath: options.config)
        let models = try project.models(metadataFile: metadata, progress: note)
        let answers = try RenameAnswers(renames)
        guard let (diff, _, _, written) = try project.autogenerate(message: message, metadata: models, revisionID: revID,
                                                             rename: answers.answer) else {
            say("No changes detected")
            return
        }
        for u in answers.unused { say("warning: --rename \(u) matched no dropped and added pair with the same definition") }
        for line in diff.summaryLines { say("  " + line) }
        if !diff.headerComments.isEmpty { say("WARNING: the revision may lose data; review it before upgrading") }
        for path in written { say("created \(path)") }
        // What lint says of the new revisions, so the reviewer sees it at once.
        let reread = try Project(configPath: options.config)
        let new = Set(written)
        let findings = try Linter(config: reread.config, dialect: try reread.engine().dialect)
            .lint(reread.graph.order.compactMap(reread.graph.revision).filter { new.contains($0.path) })
        for f in findings { say(f.text) }
    }
}
