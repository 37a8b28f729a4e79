import ArgumentParser
import Foundation
import RetortMigrate

extension GraphDrawing.Format: ExpressibleByArgument {}

struct Graph: ParsableCommand {
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

    func run() throws {
        try guarded(errorStatus: .couldNotRun) {
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
}
