// The order of a flush's rows when relationships make rows wait for others: a parent
// row inserted before its children (one table or several), children deleted before
// their parent. Rows of one table that are ready together share one statement.

/// Rows that can only be written in a circle: each needs another's key first (or must
/// be deleted after another). The message names the relationships and suggests
/// `postUpdate: true`, which breaks such a circle.
public struct CircularDependencyError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "CircularDependencyError: \(message)" }
}

enum FlushOrder {
    /// A dependency between two rows: `first` must be written before `then`.
    struct Edge {
        let first: Int
        let then: Int
        let label: String
    }

    /// Batches of rows (indices) in an order that satisfies `edges`. Each batch holds
    /// rows of one table position and one kind that are ready together; among ready rows
    /// the lowest table position goes first (the highest with `highestFirst`, for
    /// deletes), then the lowest kind. Within a batch, rows keep their index order.
    /// Returns the rows that could not be placed (a cycle) as `stuck`.
    static func batches(tables: [Int], kinds: [Int], edges: [Edge], highestFirst: Bool) -> (batches: [[Int]], stuck: [Int]) {
        let n = tables.count
        var indegree = [Int](repeating: 0, count: n)
        var successors = [[Int]](repeating: [], count: n)
        for e in edges {
            successors[e.first].append(e.then)
            indegree[e.then] += 1
        }
        let tableCount = (tables.max() ?? -1) + 1
        let kindCount = (kinds.max() ?? -1) + 1
        var ready = [[[Int]]](repeating: [[Int]](repeating: [], count: kindCount), count: tableCount)
        var readyCount = 0
        for i in 0..<n where indegree[i] == 0 {
            ready[tables[i]][kinds[i]].append(i)
            readyCount += 1
        }
        var out: [[Int]] = []
        var placed = 0
        let order = highestFirst ? Array((0..<tableCount).reversed()) : Array(0..<tableCount)
        while readyCount > 0 {
            guard let t = order.first(where: { t in ready[t].contains { !$0.isEmpty } }),
                let k = ready[t].firstIndex(where: { !$0.isEmpty })
            else { break }
            let batch = ready[t][k].sorted()
            ready[t][k].removeAll()
            readyCount -= batch.count
            placed += batch.count
            out.append(batch)
            for i in batch {
                for s in successors[i] {
                    indegree[s] -= 1
                    if indegree[s] == 0 {
                        ready[tables[s]][kinds[s]].append(s)
                        readyCount += 1
                    }
                }
            }
        }
        let stuck = placed == n ? [] : (0..<n).filter { indegree[$0] > 0 }
        return (out, stuck)
    }

    /// The error for rows that wait for each other: the relationships of the edges
    /// between them, and the tables of those rows.
    static func cycleError(stuck: [Int], edges: [Edge], tableName: (Int) -> String, deleting: Bool) -> CircularDependencyError {
        let members = Set(stuck)
        let labels = Set(edges.filter { members.contains($0.first) && members.contains($0.then) }.map(\.label)).sorted()
        let tables = Set(stuck.map(tableName)).sorted()
        let rows = tables.count == 1 ? "rows of \(tables[0])" : "rows of " + tables.dropLast().joined(separator: ", ") + " and \(tables.last!)"
        let through = labels.count == 1 ? labels[0] : labels.dropLast().joined(separator: ", ") + " and \(labels.last!)"
        let what = deleting
            ? "the flush cannot order the DELETEs of \(rows): each must be deleted after another"
            : "the flush cannot order the INSERTs of \(rows): each needs the key of another first"
        return CircularDependencyError(
            "\(what), a cycle through \(through). Declare one of these relationships with postUpdate: true, so that its "
                + "foreign key is written by an UPDATE after the rows are inserted (and set to NULL before they are deleted)")
    }
}
