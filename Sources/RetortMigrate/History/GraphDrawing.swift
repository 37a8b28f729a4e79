import Foundation

/// The revision graph as a picture: SVG drawn by Retort itself (no Graphviz), Graphviz
/// DOT, or a Mermaid flowchart for GitHub markdown. `migrator graph` prints it.
///
/// One node per revision (short id and message), an edge from each parent to each
/// child (dashed for `depends_on`), branch labels, merge points (square nodes),
/// heads (`(head)`, bold) and the database's current revisions (highlighted, `(current)`).
///
/// ```swift
/// let drawing = GraphDrawing(graph: project.graph, current: try project.runner().current())
/// try drawing.svg().write(toFile: "graph.svg", atomically: true, encoding: .utf8)
/// print(drawing.mermaid())
/// // graph BT
/// //   r_3f2a9c1b7d4e["3f2a9c1b · create authors"]
/// //   r_3f2a9c1b7d4e --> r_9c1b2e7f00aa
/// ```
public struct GraphDrawing: Sendable {
    /// The picture formats.
    public enum Format: String, Sendable, CaseIterable {
        /// A standalone SVG document (see ``svg()``).
        case svg
        /// Graphviz DOT (see ``dot()``).
        case dot
        /// A Mermaid flowchart (see ``mermaid()``).
        case mermaid
    }

    /// The revisions to draw.
    public let graph: RevisionGraph
    /// The revisions the database is at (empty when unknown or at base).
    public let current: Set<String>

    /// A drawing of `graph`, with `current` highlighted.
    public init(graph: RevisionGraph, current: Set<String> = []) {
        self.graph = graph
        self.current = current
    }

    /// The picture in `format`.
    public func render(_ format: Format) -> String {
        switch format {
        case .svg: return svg()
        case .dot: return dot()
        case .mermaid: return mermaid()
        }
    }

    /// The first 8 characters of an id, as the picture shows it.
    static func short(_ id: String) -> String { String(id.prefix(8)) }

    /// `(label) (head) (mergepoint) (current)` for `id`, the markers `history` prints.
    func markers(_ id: String) -> [String] {
        let r = graph.revisions[id]!
        var m = r.branchLabels.map { "[\($0)]" }
        if graph.heads.contains(id) { m.append("(head)") }
        if (graph.children[id]?.count ?? 0) > 1 { m.append("(branchpoint)") }
        if r.isMergePoint { m.append("(mergepoint)") }
        if current.contains(id) { m.append("(current)") }
        return m
    }

    /// The edges as (parent, child, is a depends_on edge), in graph order.
    var edges: [(parent: String, child: String, dependency: Bool)] {
        graph.order.flatMap { id -> [(String, String, Bool)] in
            let r = graph.revisions[id]!
            return r.downRevisions.map { ($0, id, false) } + r.dependsOn.map { ($0, id, true) }
        }
    }

    // MARK: DOT

    /// Graphviz DOT: `dot -Tpng` draws it. Parents below children.
    public func dot() -> String {
        func q(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        var out = "digraph revisions {\n  rankdir=BT;\n  node [shape=box, style=rounded, fontname=\"monospace\"];\n"
        for id in graph.order {
            let r = graph.revisions[id]!
            let label = ([GraphDrawing.short(id) + "  " + r.message] + markers(id)).joined(separator: " ")
            var attributes = ["label=\(q(label))", "tooltip=\(q(id))"]
            if r.isMergePoint { attributes.append("shape=box3d") }
            if graph.heads.contains(id) { attributes.append("penwidth=2") }
            if current.contains(id) { attributes.append("style=\"rounded,filled\", fillcolor=\"#ffd54f\"") }
            out += "  \(q(id)) [\(attributes.joined(separator: ", "))];\n"
        }
        for e in edges {
            out += "  \(q(e.parent)) -> \(q(e.child))" + (e.dependency ? " [style=dashed]" : "") + ";\n"
        }
        return out + "}\n"
    }

    // MARK: Mermaid

    /// A Mermaid flowchart (`graph BT`, parents at the bottom) that GitHub renders in
    /// a ```` ```mermaid ```` block.
    public func mermaid() -> String {
        // Mermaid reads entity codes (#quot;) inside quoted labels.
        func escape(_ s: String) -> String {
            var out = ""
            for ch in s {
                switch ch {
                case "#": out += "#35;"
                case "\"": out += "#quot;"
                case "<": out += "#lt;"
                case ">": out += "#gt;"
                case "\n", "\r": out += " "
                default: out.append(ch)
                }
            }
            return out
        }
        var out = "graph BT\n"
        for id in graph.order {
            let r = graph.revisions[id]!
            let label = ([GraphDrawing.short(id) + " · " + r.message] + markers(id)).joined(separator: " ")
            let shape = r.isMergePoint ? ("{{\"", "\"}}") : ("[\"", "\"]")
            out += "  r_\(id)\(shape.0)\(escape(label))\(shape.1)\n"
        }
        for e in edges {
            out += "  r_\(e.parent) \(e.dependency ? "-.->" : "-->") r_\(e.child)\n"
        }
        let heads = graph.order.filter(graph.heads.contains)
        let now = graph.order.filter(current.contains)
        out += "  classDef head stroke-width:3px\n  classDef current fill:#ffd54f,stroke:#e65100,stroke-width:3px\n"
        if !heads.isEmpty { out += "  class \(heads.map { "r_" + $0 }.joined(separator: ",")) head\n" }
        if !now.isEmpty { out += "  class \(now.map { "r_" + $0 }.joined(separator: ",")) current\n" }
        return out
    }
}
