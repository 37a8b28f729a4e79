import Foundation
import RetortCore

extension Project {
    /// The revisions the database is at, when it can be reached: `current` is empty and
    /// `unreachable` says why when it cannot (no server, bad URL, no such database
    /// file). A database file that does not exist yet is not created. A current
    /// revision the graph does not hold (part-way through a squashed run, or gone) is
    /// named in `unreachable` too.
    ///
    /// ```swift
    /// let (current, why) = project.currentIfReachable()
    /// if let why { print("note: \(why)") }
    /// ```
    public func currentIfReachable() -> (current: Set<String>, unreachable: String?) {
        if let url = try? DatabaseURL(config.database), url.namesAFile, let path = url.database,
           !FileManager.default.fileExists(atPath: path) {
            return ([], "the database file \(path) does not exist yet")
        }
        do {
            let current = try currentHeads()
            if let id = current.sorted().first(where: { graph.revision($0) == nil }) {
                let why = graph.replacedBy[id].map { "it is part-way through the run squashed into \($0)" } ?? "it is not in the scripts"
                return (current, "the database is at revision \(id), which the graph does not show: \(why)")
            }
            return (current, nil)
        } catch {
            return ([], "cannot read the database's current revision: \(MachineOutput.describe(error))")
        }
    }

    /// `migrator graph`: the revision graph drawn in `format`, with the database's
    /// current revisions highlighted when it can be reached (`unreachable` says why
    /// they are not).
    public func drawGraph(_ format: GraphDrawing.Format) -> (picture: String, unreachable: String?) {
        let (current, unreachable) = currentIfReachable()
        return (GraphDrawing(graph: graph, current: current).render(format), unreachable)
    }
}
