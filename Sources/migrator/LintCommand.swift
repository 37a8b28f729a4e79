import ArgumentParser
import Foundation
import RetortMigrate

struct Lint: MigratorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check revision files for data loss, deploy breakage and long locks (exit 0 clean, 1 errors, 2 could not run).")
    @OptionGroup var options: ConfigOption
    @Argument(help: "A revision, or a range A..B (default: the revisions the database has not applied).") var range: String?
    @Flag(help: "Every revision.") var all = false
    @Flag(help: "Do not connect: no table sizes (the default range needs the database, so name one).") var offline = false
    @Option(help: "text, json or github (workflow annotations).") var format: LintFormat = .text

    enum LintFormat: String, ExpressibleByArgument { case text, json, github }

    var printsJSON: Bool { format == .json }
    var failureStatus: ExitStatus { .couldNotRun }

    func run() throws {
        let project = try Project(configPath: options.config)
        let report = LintReport(try project.lint(range: range, all: all, offline: offline))
        switch format {
        case .text:
            for f in report.findings { say(f.text) }
            say(report.summary)
        case .github:
            for f in report.findings { say(f.github) }
        case .json:
            say(report.json)
        }
        if report.errors > 0 { throw ExitCode(ExitStatus.no.rawValue) }
    }
}
