import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// `migrator graph`: the revision graph as SVG (drawn by migrator, branches side by
/// side), DOT and Mermaid, with the database's current revision highlighted.
class GraphTests: XCTestCase {
    func database() throws -> AutogenerateProject { try .sqlite() }

    /// A trunk, a labelled branch that is merged back, and two heads after the merge:
    ///
    ///     a1 - b2 - c3 ------- m9 - h5 (head)
    ///            \            /  \
    ///             f1 ------ f2    z7 (head)
    static let fixture: [(id: String, parents: [String], labels: [String], message: String)] = [
        ("a1a1a1a1a1a1", [], [], "create authors"),
        ("b2b2b2b2b2b2", ["a1a1a1a1a1a1"], [], "add books"),
        ("c3c3c3c3c3c3", ["b2b2b2b2b2b2"], [], "index books"),
        ("f1f1f1f1f1f1", ["b2b2b2b2b2b2"], ["feature"], "tags <b> & \"quotes\" 'too' #1"),
        ("f2f2f2f2f2f2", ["f1f1f1f1f1f1"], [], "tag index"),
        ("m9m9m9m9m9m9", ["c3c3c3c3c3c3", "f2f2f2f2f2f2"], [], "merge feature"),
        ("h5h5h5h5h5h5", ["m9m9m9m9m9m9"], [], "after merge"),
        ("z7z7z7z7z7z7", ["m9m9m9m9m9m9"], [], "second head"),
    ]

    func writeFixture(_ db: AutogenerateProject) throws {
        for r in GraphTests.fixture {
            let down = r.parents.isEmpty ? "null" : r.parents.count == 1 ? r.parents[0] : "[\(r.parents.joined(separator: ", "))]"
            try writeRevision(db.directory, r.id, """
                revision: \(r.id)
                down_revision: \(down)
                branch_labels: [\(r.labels.joined(separator: ", "))]
                message: \(RevisionWriter.scalar(r.message))
                upgrade:
                  - create_table: {name: t_\(r.id), columns: [{name: id, type: integer, nullable: false, primary_key: true}]}
                downgrade:
                  - drop_table: {name: t_\(r.id)}

                """)
        }
    }

    // MARK: Layout

    func testBranchesSitSideBySideAndATrunkStaysInOneLane() throws {
        let graph = try RevisionGraph(GraphTests.fixture.map { Revision(id: $0.id, downRevisions: $0.parents, branchLabels: $0.labels, message: $0.message) })
        let layout = GraphLayout(graph)
        let lane = layout.lane
        XCTAssertEqual(lane["a1a1a1a1a1a1"], lane["b2b2b2b2b2b2"], "a linear run stays in one lane")
        XCTAssertNotEqual(lane["c3c3c3c3c3c3"], lane["f1f1f1f1f1f1"], "the two sides of a branch point sit side by side")
        XCTAssertEqual(lane["f1f1f1f1f1f1"], lane["f2f2f2f2f2f2"])
        XCTAssertNotEqual(lane["h5h5h5h5h5h5"], lane["z7z7z7z7z7z7"], "the two heads sit side by side")
        XCTAssertEqual(layout.laneCount, 2)
        XCTAssertEqual(Set(layout.row.values).count, graph.revisions.count, "one row per revision")

        let linear = try RevisionGraph((0..<300).map { i in
            Revision(id: String(format: "r%04d", i), downRevisions: i == 0 ? [] : [String(format: "r%04d", i - 1)])
        })
        XCTAssertEqual(GraphLayout(linear).laneCount, 1, "300 revisions in a line are one lane")
    }

    /// Random graphs (branches, merges, dependencies, several bases), seeded: in the
    /// SVG, no edge passes through a revision that is not one of its ends, each
    /// revision has its own point, and the picture stays narrow.
    func testRandomGraphsDrawNoEdgeThroughAnotherRevision() throws {
        for seed in UInt64(1)...40 {
            var rng = SeededGenerator(seed: seed)
            let graph = try RevisionGraph(GraphTests.randomRevisions(count: Int.random(in: 5...120, using: &rng), using: &rng))
            let picture = try SVGPicture(GraphDrawing(graph: graph).svg())
            XCTAssertEqual(Set(picture.nodes.keys), Set(graph.revisions.keys), "seed \(seed)")
            let points = Dictionary(grouping: picture.nodes, by: { "\($0.value.x),\($0.value.y)" })
            XCTAssertTrue(points.values.allSatisfy { $0.count == 1 }, "seed \(seed): two revisions share a point")
            XCTAssertEqual(picture.paths.count, graph.revisions.values.reduce(0) { $0 + $1.downRevisions.count + $1.dependsOn.count },
                           "seed \(seed): one path per edge")
            for path in picture.paths {
                for (p, q) in zip(path, path.dropFirst()) {
                    for (id, n) in picture.nodes where n != path.first! && n != path.last! {
                        XCTAssertFalse(SVGPicture.segment(p, q, passesThrough: n),
                                       "seed \(seed): an edge \(path) passes through revision \(id) at \(n)")
                    }
                }
            }
            let layout = GraphLayout(graph)
            // No wider than the edges crossing a row need (an edge holds at most its two ends' lanes there).
            let spans = graph.revisions.values.flatMap { r in (r.downRevisions + r.dependsOn).map { (layout.row[$0]!, layout.row[r.id]!) } }
            let widest = (0..<layout.order.count).map { row in spans.filter { $0.0 < row && row <= $0.1 }.count }.max() ?? 0
            XCTAssertLessThanOrEqual(layout.laneCount, 2 * widest + 1, "seed \(seed): wider than the graph needs")
        }
    }

    static func randomRevisions(count: Int, using rng: inout SeededGenerator) -> [Revision] {
        var out: [Revision] = []
        for i in 0..<count {
            let id = String(format: "rev%05d", i)
            var parents: [String] = []
            if i > 0, Int.random(in: 0..<30, using: &rng) != 0 {
                // Mostly the latest revision or a recent one (a branch); sometimes two (a merge).
                let back = Int.random(in: 0..<10, using: &rng) < 7 ? 1 : Int.random(in: 1...min(i, 12), using: &rng)
                parents.append(out[i - back].id)
                if i > 2, Int.random(in: 0..<6, using: &rng) == 0 {
                    let other = out[Int.random(in: max(0, i - 15)..<i, using: &rng)].id
                    if !parents.contains(other) { parents.append(other) }
                }
            }
            var depends: [String] = []
            if i > 3, Int.random(in: 0..<15, using: &rng) == 0 {
                let d = out[Int.random(in: 0..<(i - 1), using: &rng)].id
                if !parents.contains(d) { depends.append(d) }
            }
            out.append(Revision(id: id, downRevisions: parents, dependsOn: depends, message: "step \(i)"))
        }
        return out
    }

    // MARK: SVG

    func testSVGIsWellFormedAndListsEveryRevisionWithItsMarkers() throws {
        let graph = try RevisionGraph(GraphTests.fixture.map { Revision(id: $0.id, downRevisions: $0.parents, branchLabels: $0.labels, message: $0.message) })
        let svg = GraphDrawing(graph: graph, current: ["f2f2f2f2f2f2"]).svg()
        let picture = try SVGPicture(svg)
        XCTAssertEqual(Set(picture.nodes.keys), Set(GraphTests.fixture.map(\.id)))
        XCTAssertEqual(picture.classes["m9m9m9m9m9m9"]?.contains("merge"), true)
        XCTAssertEqual(picture.classes["b2b2b2b2b2b2"]?.contains("branchpoint"), true)
        XCTAssertEqual(Set(picture.classes.filter { $0.value.contains("head") }.keys), ["h5h5h5h5h5h5", "z7z7z7z7z7z7"])
        XCTAssertEqual(Set(picture.classes.filter { $0.value.contains("current") }.keys), ["f2f2f2f2f2f2"])
        // Text as a person reads it: short id, message (escapes undone by the parser), markers.
        XCTAssertTrue(picture.text["f1f1f1f1f1f1"]?.contains("f1f1f1f1  tags <b> & \"quotes\" 'too' #1 [feature]") ?? false,
                      picture.text["f1f1f1f1f1f1"] ?? "no text")
        XCTAssertTrue(picture.text["h5h5h5h5h5h5"]?.hasSuffix("(head)") ?? false)
        XCTAssertTrue(picture.text["f2f2f2f2f2f2"]?.hasSuffix("(current)") ?? false)
        XCTAssertTrue(picture.titles.contains("m9m9m9m9m9m9: merge feature"))
        // Newest at the top: a child is drawn above each of its parents.
        for r in GraphTests.fixture {
            for p in r.parents { XCTAssertLessThan(picture.nodes[r.id]!.y, picture.nodes[p]!.y, "\(r.id) above \(p)") }
        }
    }

    func testSVGOfAFewHundredRevisionsIsReadable() throws {
        var rng = SeededGenerator(seed: 7)
        let graph = try RevisionGraph(GraphTests.randomRevisions(count: 400, using: &rng))
        let picture = try SVGPicture(GraphDrawing(graph: graph).svg())
        XCTAssertEqual(picture.nodes.count, 400)
        let ys = picture.nodes.values.map(\.y).sorted()
        XCTAssertGreaterThanOrEqual(zip(ys, ys.dropFirst()).map { $1 - $0 }.min() ?? 0, 20, "rows at least 20 px apart")
    }

    // MARK: DOT and Mermaid

    func testDOTAndMermaidHaveEveryRevisionAndEdge() throws {
        let graph = try RevisionGraph(GraphTests.fixture.map { Revision(id: $0.id, downRevisions: $0.parents, branchLabels: $0.labels, message: $0.message) })
        let drawing = GraphDrawing(graph: graph, current: ["c3c3c3c3c3c3"])
        let dot = drawing.dot()
        let mermaid = drawing.mermaid()
        XCTAssertTrue(dot.hasPrefix("digraph revisions {"))
        XCTAssertTrue(mermaid.hasPrefix("graph BT\n"))
        for r in GraphTests.fixture {
            for p in r.parents {
                XCTAssertTrue(dot.contains("  \"\(p)\" -> \"\(r.id)\";\n"), "\(p) -> \(r.id)")
                XCTAssertTrue(mermaid.contains("  r_\(p) --> r_\(r.id)\n"), "\(p) --> \(r.id)")
            }
        }
        XCTAssertEqual(dot.components(separatedBy: " -> ").count - 1, 8)
        XCTAssertEqual(mermaid.components(separatedBy: " --> ").count - 1, 8)
        // A label holding quotes and # is escaped as Mermaid reads it; the merge point is a hexagon.
        XCTAssertTrue(mermaid.contains("r_f1f1f1f1f1f1[\"f1f1f1f1 · tags #lt;b#gt; & #quot;quotes#quot; 'too' #35;1 [feature]\"]"), mermaid)
        XCTAssertTrue(mermaid.contains("r_m9m9m9m9m9m9{{\""), mermaid)
        XCTAssertTrue(mermaid.contains("class r_h5h5h5h5h5h5,r_z7z7z7z7z7z7 head\n"), mermaid)
        XCTAssertTrue(mermaid.contains("class r_c3c3c3c3c3c3 current\n"), mermaid)
        XCTAssertTrue(dot.contains("label=\"f1f1f1f1  tags <b> & \\\"quotes\\\" 'too' #1 [feature]\""), dot)
    }

    // MARK: The command

    func testCommandHighlightsTheDatabasesCurrentRevision() throws {
        let db = try database()
        try writeFixture(db)
        var r = try runMigrator(["upgrade", "f2f2f2f2f2f2"], in: db.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        r = try runMigrator(["graph", "-o", "graph.svg"], in: db.directory)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout, "")
        let svg = try String(contentsOfFile: (db.directory as NSString).appendingPathComponent("graph.svg"), encoding: .utf8)
        let picture = try SVGPicture(svg)
        XCTAssertEqual(Set(picture.nodes.keys), Set(GraphTests.fixture.map(\.id)))
        XCTAssertEqual(Set(picture.classes.filter { $0.value.contains("current") }.keys), ["f2f2f2f2f2f2"])

        r = try runMigrator(["graph", "--format", "mermaid"], in: db.directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("graph BT\n"))
        XCTAssertTrue(r.stdout.contains("class r_f2f2f2f2f2f2 current"), r.stdout)
        r = try runMigrator(["graph", "--format", "dot"], in: db.directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"m9m9m9m9m9m9\" -> \"h5h5h5h5h5h5\";"), r.stdout)

        r = try runMigrator(["graph", "--format", "png"], in: db.directory)
        XCTAssertEqual(r.status, 64, "an unknown format is a usage error")
        r = try runMigrator(["graph", "-o", "/nonexistent-dir/x.svg"], in: db.directory)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("cannot write /nonexistent-dir/x.svg"), r.stderr)
    }

    func testCommandDrawsWhenTheDatabaseCannotBeReached() throws {
        let db = try database()
        try writeFixture(db)
        // A server that is not there, or a database file that does not exist yet.
        for url in ["postgresql://nobody@127.0.0.1:1/none", "sqlite:///" + (db.directory as NSString).appendingPathComponent("absent.db")] {
            try """
                database: '\(url)'
                script_location: migrations
                """.write(toFile: db.configPath, atomically: true, encoding: .utf8)
            let drawn = try runMigrator(["graph"], in: db.directory)
            XCTAssertEqual(drawn.status, 0, drawn.stderr)
            XCTAssertTrue(drawn.stderr.contains("no revision is highlighted as current"), drawn.stderr)
            let picture = try SVGPicture(drawn.stdout)
            XCTAssertEqual(picture.nodes.count, GraphTests.fixture.count)
            XCTAssertTrue(picture.classes.values.allSatisfy { !$0.contains("current") })
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: (db.directory as NSString).appendingPathComponent("absent.db")),
                       "graph does not create a database file")
    }
}

final class GraphPostgresTests: GraphTests {
    override func database() throws -> AutogenerateProject { try .postgres() }
    // Listed again: test discovery on Linux does not find inherited test methods.
    override func testCommandHighlightsTheDatabasesCurrentRevision() throws { try super.testCommandHighlightsTheDatabasesCurrentRevision() }
}

/// An SVG read back with Foundation's XML parser (which fails on a document that is not
/// well-formed): each revision's point, classes, text and the edges' points.
struct SVGPicture {
    struct Point: Equatable, CustomStringConvertible {
        var x: Double, y: Double
        var description: String { "(\(x), \(y))" }
    }
    var nodes: [String: Point] = [:]
    var classes: [String: [String]] = [:]
    var text: [String: String] = [:]
    var titles: [String] = []
    var paths: [[Point]] = []

    init(_ svg: String) throws {
        let delegate = Reader()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw NSError(domain: "SVGPicture", code: 1, userInfo: [NSLocalizedDescriptionKey:
                "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)"])
        }
        guard delegate.root == "svg" else { throw NSError(domain: "SVGPicture", code: 2) }
        self = delegate.picture
    }

    /// True when `n` lies on the segment from `p` to `q`, its ends included (callers
    /// leave out the edge's own two revisions).
    static func segment(_ p: Point, _ q: Point, passesThrough n: Point) -> Bool {
        let cross = (q.x - p.x) * (n.y - p.y) - (q.y - p.y) * (n.x - p.x)
        guard abs(cross) < 0.01 else { return false }
        let t = ((n.x - p.x) * (q.x - p.x) + (n.y - p.y) * (q.y - p.y)) / ((q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y))
        return t > -0.001 && t < 1.001
    }

    private final class Reader: NSObject, XMLParserDelegate {
        var picture = SVGPicture(empty: ())
        var root: String?
        var revision: String?
        var inText = false
        var inTitle = false
        var title = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if root == nil { root = name }
            switch name {
            case "g" where attributes["data-revision"] != nil:
                revision = attributes["data-revision"]
                picture.classes[revision!] = (attributes["class"] ?? "").split(separator: " ").map(String.init)
                picture.text[revision!] = ""
            case "circle" where revision != nil:
                picture.nodes[revision!] = Point(x: Double(attributes["cx"]!)!, y: Double(attributes["cy"]!)!)
            case "rect" where revision != nil:
                let (x, y, w, h) = (Double(attributes["x"]!)!, Double(attributes["y"]!)!, Double(attributes["width"]!)!, Double(attributes["height"]!)!)
                picture.nodes[revision!] = Point(x: x + w / 2, y: y + h / 2)
            case "text" where revision != nil: inText = true
            case "title": inTitle = true; title = ""
            case "path":
                let numbers = (attributes["d"] ?? "").split(whereSeparator: { $0 == " " || $0 == "M" || $0 == "L" }).compactMap { Double($0) }
                picture.paths.append(stride(from: 0, to: numbers.count - 1, by: 2).map { Point(x: numbers[$0], y: numbers[$0 + 1]) })
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inText, let revision { picture.text[revision, default: ""] += string }
            if inTitle { title += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            switch name {
            case "g": revision = nil
            case "text": inText = false
            case "title": inTitle = false; picture.titles.append(title)
            default: break
            }
        }
    }

    private init(empty: Void) {}
}
