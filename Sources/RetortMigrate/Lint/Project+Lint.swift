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
            ids = Set(graph.order).subtracting(graph.ancestors(of: try currentHeads()))
        }
        return graph.order.filter(ids.contains).compactMap(graph.revision)
    }

    /// `migrator lint`: the findings for the revisions ``revisionsToLint(range:all:)``
    /// picks, for the configured database's dialect. Unless `offline`, lint reads the
    /// sizes of the tables the revisions change from the database (when it can be
    /// reached; the default range needs it) and says them in the findings.
    public func lint(range: String? = nil, all: Bool = false, offline: Bool = false) throws -> [LintFinding] {
        let revisions = try revisionsToLint(range: range, all: all)
        var sizes: [String: TableSize] = [:]
        if !offline {
            let tables = Set(revisions.flatMap { $0.upgrade.compactMap(\.table) })
            do {
                sizes = try engine().connect { try Inspector.tableSizes($0, tables: Array(tables)) }
            } catch where range != nil || all {
                sizes = [:]  // a static lint of a named range does not need the database
            }
        }
        return try Linter(config: config, dialect: try engine().dialect, sizes: sizes).lint(revisions)
    }
}
