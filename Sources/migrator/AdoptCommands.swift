import ArgumentParser
import Foundation
import RetortCore
import RetortMigrate

extension RevisionCommand {
    /// `revision --baseline`: the first revision of an existing database, which is
    /// stamped at it. Refusals exit 2.
    func runBaseline() throws {
        let project = try Project(configPath: options.config)
        let (baseline, revision, path) = try project.baseline(message: message, revisionID: revID)
        say("created \(path)")
        say("  \(baseline.tables.count) table\(baseline.tables.count == 1 ? "" : "s"), \(baseline.upgrade.count) operations")
        for w in baseline.warnings { say("warning: " + w) }
        say("stamped: the database is at \(revision.id) (nothing was run)")
    }
}

extension ModelStyle: ExpressibleByArgument {}

/// `migrator models --from-database`: Swift source for the database's tables.
struct Models: MigratorCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Write Swift models for the tables of the configured database.",
        discussion: """
            --style core writes Core Table declarations in `public let metadata` (a manifest module's \
            shape); --style orm writes @Model classes. Printed on stdout, or written to DIR/Models.swift \
            with -o DIR.
            """)
    @OptionGroup var options: ConfigOption
    @Flag(name: .customLong("from-database"), help: "Reflect the configured database (the only source for now).") var fromDatabase = false
    @Option(help: "orm (@Model classes) or core (Table declarations)") var style: ModelStyle = .orm
    @Option(help: "Only these tables, comma-separated.") var tables: String?
    @Option(name: [.short, .customLong("output")], help: "Write DIR/Models.swift instead of printing.") var output: String?

    var failureStatus: ExitStatus { .couldNotRun }

    func run() throws {
        guard fromDatabase else {
            throw MigrateError("say where the models come from: --from-database", hint: "migrator models --from-database --style core")
        }
        let only = tables.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let source = try Project(configPath: options.config, operations: false).modelsSource(style: style, only: only)
        guard let output else { return emit(source, newline: false) }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let path = (output as NSString).appendingPathComponent("Models.swift")
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        say("created \(path)")
    }
}
