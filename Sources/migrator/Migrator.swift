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

    /// Parses and runs the command. A command line that does not parse, given
    /// `--format json`, still prints one JSON object (status `error`) and exits 2.
    static func main() {
        // A reader that goes away (`migrator upgrade | head -1`) must not kill a run
        // half-way: writes to it fail and are dropped instead.
        signal(SIGPIPE, SIG_IGN)
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            if wantsJSON(arguments), exitCode(for: error) != .success, !(error is ExitCode) {
                emit(MachineOutput.object(status: "error", ["message": fullMessage(for: error)]))
                Foundation.exit(ExitStatus.couldNotRun.rawValue)
            }
            exit(withError: error)
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

/// Runs a command body. A failure is one line on stderr, or with `json` one JSON object
/// (status `error`) on stdout, and exit status `errorStatus` (`json` always exits 2).
/// An `ExitCode` thrown by the body (a "no" answer) passes through.
func guarded(json: Bool = false, errorStatus: ExitStatus = .no, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        if json {
            emit(MachineOutput.error(error))
            Foundation.exit(ExitStatus.couldNotRun.rawValue)
        }
        // A database that cannot be connected to, or a construct it cannot express: it could not run.
        let notSupported = (error as? ProgrammingError)?.kind == .notSupported
        fail(MachineOutput.describe(error), status: notSupported ? .couldNotRun : errorStatus)
    }
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
