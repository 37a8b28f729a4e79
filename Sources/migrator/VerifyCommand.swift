import ArgumentParser
import Foundation
import RetortMigrate

struct Verify: MigratorCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Upgrade, downgrade and upgrade again every revision on a scratch database, then compare head with the models "
            + "(exit 0 all round-trip, 1 one does not, 2 could not run).",
        discussion: """
            The scratch database is a temporary SQLite file, or a database created (and dropped) on the \
            configured PostgreSQL server; --scratch-url names one instead. The configured database is never \
            touched. The models come from --metadata FILE.json or the manifest module; with neither, head \
            is not compared.
            """)
    @OptionGroup var options: ConfigOption
    @Option(name: .customLong("scratch-url"), help: "An empty database to use instead of a temporary one.") var scratchURL: String?
    @Flag(help: "Put a generated row into every table before each step.") var data = false
    @Option(help: "Read the models from this metadata JSON file instead of building the manifest module.") var metadata: String?
    @Option(help: "text or json") var format: OutputFormat = .text

    var printsJSON: Bool { format == .json }
    var failureStatus: ExitStatus { .couldNotRun }

    func run() throws {
        let project = try Project(configPath: options.config)
        let models = try project.modelsIfDeclared(metadataFile: metadata, progress: note)
        let report = try project.verify(scratchURL: scratchURL, models: models, data: data) { step in
            if format == .text { say(step.line) }
        }
        if format == .json {
            say(report.json)
        } else if let differences = report.modelDifferences, !differences.isEmpty {
            say("head does not match the models:")
            for d in differences { say("  " + d) }
        } else if report.passed {
            say("\(report.steps.count) revision\(report.steps.count == 1 ? "" : "s") round-trip"
                + (report.modelDifferences == nil ? "" : "; head matches the models"))
        }
        if !report.passed { throw ExitCode(ExitStatus.no.rawValue) }
    }
}
