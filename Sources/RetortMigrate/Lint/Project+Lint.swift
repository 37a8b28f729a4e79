import Foundation
import RetortCore

extension Project {
    /// The revisions `migrator lint` looks at: `all` of them; a `range` `A..B` (what B
    /// needs that A does not have; `base..B` for all up to B) or one revision; by
    /// default those the configured database has not applied.
    public func revisionsToLint(range: String? = nil, all: Bool = false) throws -> [Revision] {
        let ids: Set<String>
        if all {
            ids = Set(graph.order)
        } else if let range, let split = range.range(of: "..") {
            let from = String(range[..<split.lowerBound]), to = String(range[split.upperBound...])
            let end = graph.ancestors(of: [try graph.resolve(to)])
            ids = from.isEmpty || from == "base" ? end : end.subtracting(graph.ancestors(of: [try graph.resolve(from)]))
        } else if let range {
            ids = [try graph.resolve(range)]
        } else {
            ids = Set(graph.order).subtracting(graph.ancestors(of: try runner().current()))
        }
        return graph.order.filter(ids.contains).compactMap(graph.revision)
    }

    /// `migrator lint`: the findings for the revisions ``revisionsToLint(range:all:)``
    /// picks, for the configured database's dialect.
    public func lint(range: String? = nil, all: Bool = false) throws -> [LintFinding] {
        try Linter(config: config, dialect: try engine().dialect).lint(try revisionsToLint(range: range, all: all))
    }
}
