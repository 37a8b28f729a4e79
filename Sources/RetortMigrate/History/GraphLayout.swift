/// Where each revision sits in a picture of the graph: a row (its place in graph
/// order, parents below children) and a lane (a column), so that branches sit side by
/// side and a linear history stays in one lane.
///
/// The layout is layered: the row of a revision is its index in
/// ``RevisionGraph/order``. A revision continues its first parent's lane when it is
/// that parent's last child; every other revision starts a lane of its own, which it
/// holds from the row above its first parent (where the edge leaves the parent) to the
/// row of its last child. Lanes are given out greedily by start row (interval-graph
/// colouring), which uses as few lanes as the reservations allow, so a history of a
/// few hundred revisions with a handful of branches stays a handful of lanes wide.
///
/// ```swift
/// let layout = GraphLayout(graph)
/// layout.row["3f2a9c1b7d4e"]    // 0 for the first revision
/// layout.lane["3f2a9c1b7d4e"]   // 0 for the trunk
/// layout.laneCount              // how many columns the picture needs
/// ```
public struct GraphLayout: Sendable {
    /// The revisions, parents before children (graph order).
    public let order: [String]
    /// The row of each revision: its index in ``order``.
    public let row: [String: Int]
    /// The lane (column, from 0) of each revision.
    public let lane: [String: Int]
    /// The number of lanes used.
    public let laneCount: Int

    /// Lays out `graph`.
    public init(_ graph: RevisionGraph) {
        order = graph.order
        var row: [String: Int] = [:]
        row.reserveCapacity(order.count)
        for (i, id) in order.enumerated() { row[id] = i }
        self.row = row
        // The row of each revision's last child (through down_revision or depends_on):
        // how far up its lane stays reserved.
        var lastChildRow: [String: Int] = [:]
        for id in order {
            for p in graph.revisions[id]!.downRevisions + graph.revisions[id]!.dependsOn {
                lastChildRow[p] = max(lastChildRow[p] ?? -1, row[id]!)
            }
        }
        // Chains: a revision continues its first parent's lane when it is the parent's
        // last child. Each chain is one interval of rows in one lane.
        var chainOf: [String: Int] = [:]
        var chains: [(start: Int, end: Int)] = []
        for id in order {
            let r = row[id]!
            let end = max(r, lastChildRow[id] ?? r)
            if let p = graph.revisions[id]!.downRevisions.first, lastChildRow[p] == r, let c = chainOf[p] {
                chainOf[id] = c
                chains[c].end = max(chains[c].end, end)
            } else {
                let start = graph.revisions[id]!.downRevisions.first.map { row[$0]! + 1 } ?? r
                chainOf[id] = chains.count
                chains.append((start, end))
            }
        }
        // Greedy colouring by start row: the lowest lane whose last chain has ended.
        var chainLane = [Int](repeating: 0, count: chains.count)
        var laneEnd: [Int] = []
        let byStart = chains.indices.sorted { (chains[$0].start, $0) < (chains[$1].start, $1) }
        for c in byStart {
            if let free = laneEnd.firstIndex(where: { $0 < chains[c].start }) {
                chainLane[c] = free
                laneEnd[free] = chains[c].end
            } else {
                chainLane[c] = laneEnd.count
                laneEnd.append(chains[c].end)
            }
        }
        lane = chainOf.mapValues { chainLane[$0] }
        laneCount = max(laneEnd.count, order.isEmpty ? 0 : 1)
    }
}
