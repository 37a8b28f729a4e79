import ArgumentParser
import Foundation
import RetortCore
import RetortMigrate

@main
struct Migrator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrator",
        abstract: "Database migrations for Retort: revision files, upgrade and downgrade in transactions.",
        subcommands: [Init.self, RevisionCommand.self, Upgrade.self, Downgrade.self, Current.self, History.self, Heads.self,
                      Branches.self, Show.self, Stamp.self, Merge.self, Edit.self, Check.self, MetadataCommand.self, Lint.self, Verify.self])
}

/// `-c/--config`, accepted by every subcommand.
struct ConfigOption: ParsableArguments {
    @Option(name: [.short, .long], help: "The config file.")
    var config: String = "migrator.yaml"
}

enum OutputFormat: String, ExpressibleByArgument { case text, json }

/// Runs a command body, printing a failure as one line on stderr with exit code 1.
func guarded(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as MigrateError {
        fail(error.description)
    } catch let error as any DatabaseError {
        fail(error.message + (error.code.map { " [\($0)]" } ?? ""))
    } catch let error as ArgumentError {
        fail(error.message)
    } catch let error as ExitCode {
        throw error
    } catch {
        fail("\(error)")
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("migrator: error: \(message)\n".utf8))
    Foundation.exit(1)
}

func say(_ line: String) {
    print(line)
}
