import ArgumentParser
import Foundation
import RetortCore
import RetortMigrate

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Migrator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrator",
        abstract: "Database migrations for Retort: revision files, upgrade and downgrade in transactions.",
        subcommands: [Init.self, RevisionCommand.self, Upgrade.self, Downgrade.self, Current.self, History.self, Heads.self,
                      Branches.self, Show.self, Stamp.self, Merge.self, Edit.self, Check.self, MetadataCommand.self, Lint.self, Verify.self,
                      Models.self, Graph.self, Diff.self, Squash.self])

    /// Parses and runs the command; every failure is shown here, once. A command line
    /// that does not parse, given `--format json`, still prints one JSON object (status
    /// `error`) and exits 2. A command's own failure is one line on stderr
    /// (`migrator: error: ...`), or with `--format json` one JSON object on stdout and
    /// exit 2; its exit status is the command's ``MigratorCommand/failureStatus``. An
    /// `ExitCode` a command throws (a "no" answer it has already printed) passes through.
    static func main() {
        // A reader that goes away (`migrator upgrade | head -1`) must not kill a run
        // half-way: writes to it fail and are dropped instead.
        signal(SIGPIPE, SIG_IGN)
        let arguments = Array(CommandLine.arguments.dropFirst())
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            if wantsJSON(arguments), exitCode(for: error) != .success, !(error is ExitCode) {
                emit(MachineOutput.object(status: "error", ["message": fullMessage(for: error)]))
                Foundation.exit(ExitStatus.couldNotRun.rawValue)
            }
            exit(withError: error)
        }
        do {
            try command.run()
        } catch {
            guard let failing = command as? any MigratorCommand, !(error is ExitCode) else { exit(withError: error) }
            if failing.printsJSON {
                emit(MachineOutput.error(error))
                Foundation.exit(ExitStatus.couldNotRun.rawValue)
            }
            // A database that cannot be connected to, or a construct it cannot express: it could not run.
            let notSupported = (error as? ProgrammingError)?.kind == .notSupported
            fail(MachineOutput.describe(error), status: notSupported ? .couldNotRun : failing.failureStatus)
        }
    }

    private static func wantsJSON(_ arguments: [String]) -> Bool {
        arguments.contains("--format=json")
            || zip(arguments, arguments.dropFirst()).contains { $0 == "--format" && $1 == "json" }
    }
}

/// `-c/--config`, accepted by every subcommand.
struct ConfigOption: ParsableArguments {
    @Option(name: [.short, .long], help: "The config file.")
    var config: String = "migrator.yaml"
}

enum OutputFormat: String, ExpressibleByArgument { case text, json }

/// A subcommand: its `run()` throws, and ``Migrator/main()`` shows the failure as the
/// command says (swift-argument-parser's commands as small types; no command catches).
protocol MigratorCommand: ParsableCommand {
    /// The exit status of a failure: 1 by default ("no"), 2 for commands whose failure
    /// means they could not run (DESIGN.md's exit codes).
    var failureStatus: ExitStatus { get }
    /// True when a failure prints as one JSON object on stdout (`--format json`).
    var printsJSON: Bool { get }
}

extension MigratorCommand {
    var failureStatus: ExitStatus { .no }
    var printsJSON: Bool { false }
}

func fail(_ message: String, status: ExitStatus = .no) -> Never {
    try? FileHandle.standardError.write(contentsOf: Data("migrator: error: \(message)\n".utf8))
    Foundation.exit(status.rawValue)
}

/// One line of the command's output on stdout.
func say(_ line: String) {
    emit(line)
}

/// Writes `text` (and a newline unless it ends with one) to stdout at once, unbuffered:
/// a pipe or a file sees each line when it is said, and a process killed half-way has
/// written every line it said. A closed stdout drops the line.
func emit(_ text: String, newline: Bool = true) {
    let line = newline && !text.hasSuffix("\n") ? text + "\n" : text
    try? FileHandle.standardOutput.write(contentsOf: Data(line.utf8))
}
