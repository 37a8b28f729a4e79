import Foundation

extension GraphDrawing {
    /// Sizes of the SVG picture, in pixels.
    private enum Metric {
        static let row = 26.0
        static let lane = 18.0
        static let margin = 14.0
        static let radius = 5.5
        static let character = 7.2  // the width of one character of 12 px monospace text
    }

    /// Lane colours, one per lane in turn.
    private static let palette = ["#1565c0", "#2e7d32", "#c62828", "#6a1b9a", "#ef6c00", "#00838f", "#4e342e", "#ad1457"]

    /// The graph as a standalone SVG document, newest revision at the top: a row per
    /// revision, branches in lanes side by side (``GraphLayout``), and beside the lanes
    /// the short id, message and markers of each revision. Each revision is a
    /// `<g class="revision …" data-revision="ID">` with a `<title>` holding its full id
    /// and message (a tooltip in a browser).
    public func svg() -> String {
        let layout = GraphLayout(graph)
        let n = layout.order.count
        let textX = Metric.margin + Double(max(layout.laneCount, 1)) * Metric.lane + 10
        var longest = 40
        for id in layout.order {
            let text = GraphDrawing.short(id) + "  " + graph.revisions[id]!.message
            longest = max(longest, text.count + markers(id).joined(separator: " ").count + 1)
        }
        let width = (textX + Double(longest) * Metric.character + Metric.margin).rounded(.up)
        let height = Metric.margin * 2 + Double(max(n, 1)) * Metric.row
        func x(_ id: String) -> Double { Metric.margin + Double(layout.lane[id]!) * Metric.lane + Metric.lane / 2 }
        func y(row: Int) -> Double { Metric.margin + Double(n - 1 - row) * Metric.row + Metric.row / 2 }
        func colour(_ id: String) -> String { GraphDrawing.palette[layout.lane[id]! % GraphDrawing.palette.count] }
        func f(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v) }

        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" \
            viewBox="0 0 \(f(width)) \(f(height))" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="12">

            """
        out.reserveCapacity(n * 400)
        out += "<title>\(GraphDrawing.xml("Revision graph: \(n) revision\(n == 1 ? "" : "s"), heads \(graph.heads.joined(separator: ", "))"))</title>\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        // The current revisions' rows, behind everything.
        for id in layout.order where current.contains(id) {
            out += "<rect class=\"current-row\" x=\"0\" y=\"\(f(y(row: layout.row[id]!) - Metric.row / 2))\" width=\"\(f(width))\" "
                + "height=\"\(f(Metric.row))\" fill=\"#fff3c4\"/>\n"
        }
        // Edges: a first parent's edge leaves the parent diagonally into the child's
        // lane and runs up it; another parent's edge (a merge, a dependency) runs up
        // the parent's lane and turns into the child at the last row.
        out += "<g class=\"edges\" fill=\"none\" stroke-width=\"2\">\n"
        for e in edges {
            let (pr, cr) = (layout.row[e.parent]!, layout.row[e.child]!)
            let (px, py, cx, cy) = (x(e.parent), y(row: pr), x(e.child), y(row: cr))
            let first = graph.revisions[e.child]!.downRevisions.first == e.parent && !e.dependency
            var d = "M\(f(px)) \(f(py))"
            if px == cx {
                d += " L\(f(cx)) \(f(cy))"
            } else if first {
                d += (cr > pr + 1 ? " L\(f(cx)) \(f(y(row: pr + 1)))" : "") + " L\(f(cx)) \(f(cy))"
            } else {
                d += (cr > pr + 1 ? " L\(f(px)) \(f(y(row: cr - 1)))" : "") + " L\(f(cx)) \(f(cy))"
            }
            let stroke = first ? colour(e.child) : colour(e.parent)
            out += "<path d=\"\(d)\" stroke=\"\(stroke)\"" + (e.dependency ? " stroke-dasharray=\"4 3\"" : "") + "/>\n"
        }
        out += "</g>\n"
        for id in layout.order {
            let r = graph.revisions[id]!
            let (cx, cy) = (x(id), y(row: layout.row[id]!))
            let isHead = graph.heads.contains(id)
            let isCurrent = current.contains(id)
            var classes = ["revision"]
            if isHead { classes.append("head") }
            if r.isMergePoint { classes.append("merge") }
            if (graph.children[id]?.count ?? 0) > 1 { classes.append("branchpoint") }
            if isCurrent { classes.append("current") }
            out += "<g class=\"\(classes.joined(separator: " "))\" data-revision=\"\(GraphDrawing.xml(id))\">"
            out += "<title>\(GraphDrawing.xml(id + ": " + r.message))</title>"
            let fill = isHead || isCurrent ? colour(id) : "#ffffff"
            let stroke = isCurrent ? "#e65100" : colour(id)
            let strokeWidth = isCurrent ? "3" : "2"
            if r.isMergePoint {
                let s = Metric.radius * 1.8
                out += "<rect x=\"\(f(cx - s / 2))\" y=\"\(f(cy - s / 2))\" width=\"\(f(s))\" height=\"\(f(s))\" "
                    + "fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(strokeWidth)\"/>"
            } else {
                out += "<circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"\(f(Metric.radius))\" fill=\"\(fill)\" "
                    + "stroke=\"\(stroke)\" stroke-width=\"\(strokeWidth)\"/>"
            }
            out += "<text x=\"\(f(textX))\" y=\"\(f(cy + 4))\"" + (isHead || isCurrent ? " font-weight=\"bold\"" : "") + ">"
            out += "<tspan fill=\"\(colour(id))\">\(GraphDrawing.xml(GraphDrawing.short(id)))</tspan>"
            out += "<tspan fill=\"#212121\">  \(GraphDrawing.xml(r.message))</tspan>"
            let marks = markers(id)
            if !marks.isEmpty {
                out += "<tspan fill=\"\(isCurrent ? "#e65100" : "#616161")\"> \(GraphDrawing.xml(marks.joined(separator: " ")))</tspan>"
            }
            out += "</text></g>\n"
        }
        return out + "</svg>\n"
    }

    /// `s` with XML's five special characters escaped, and characters XML 1.0 does not
    /// allow (control characters other than tab and newline) left out.
    static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n": out.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || (0xFFFE...0xFFFF).contains(u.value) { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
