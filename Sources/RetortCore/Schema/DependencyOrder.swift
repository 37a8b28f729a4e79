/// Tables in foreign-key dependency order, with the cycles that order cannot satisfy.
///
/// ```swift
/// let order = metadata.dependencyOrder()
/// order.tables.map(\.name)     // ["authors", "books", "reviews"]: referred tables first
/// order.cycles                 // [] — or the tables and foreign keys of each cycle
/// ```
///
/// A table's reference to itself is not a cycle (one CREATE TABLE holds it).
/// Foreign keys inside a cycle are listed in ``ForeignKeyCycle/foreignKeys``: creating
/// the tables without them and adding them afterwards (`AddConstraint`) breaks it.
public struct DependencyOrder: Sendable {
    /// Every table, each after the tables it refers to (cycles aside), otherwise in
    /// declaration order.
    public let tables: [Table]
    /// Each foreign-key cycle among the tables.
    public let cycles: [ForeignKeyCycle]

    /// Names of the foreign keys that close cycles, by table name.
    public var cycleForeignKeys: [String: [ForeignKeyConstraint]] {
        var out: [String: [ForeignKeyConstraint]] = [:]
        for c in cycles { for (t, fk) in c.foreignKeys { out[t.fullName, default: []].append(fk) } }
        return out
    }
}

/// Tables that refer to each other in a loop, and the foreign keys that form it.
public struct ForeignKeyCycle: Sendable, CustomStringConvertible {
    /// The tables in the cycle.
    public let tables: [Table]
    /// The foreign keys that form it, with their tables.
    public let foreignKeys: [(table: Table, foreignKey: ForeignKeyConstraint)]

    public var description: String {
        tables.map(\.fullName).joined(separator: " → ") + " → " + (tables.first?.fullName ?? "")
    }
}

extension MetaData {
    /// The tables ordered so that every table comes after those it refers to.
    public func dependencyOrder() -> DependencyOrder {
        DependencyOrder.compute(tables)
    }
}

extension DependencyOrder {
    /// Sorts `tables`: strongly connected components (Tarjan) find the cycles, then a
    /// stable topological sort orders the rest by declaration.
    package static func compute(_ tables: [Table]) -> DependencyOrder {
        let index = Dictionary(tables.enumerated().map { ($1.fullName, $0) }, uniquingKeysWith: { a, _ in a })
        let byName = Dictionary(tables.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        func target(_ fk: ForeignKeyConstraint, from t: Table) -> Int? {
            if let s = fk.referredSchema ?? t.schema, let i = index[s + "." + fk.referredTable] { return i }
            return index[fk.referredTable] ?? byName[fk.referredTable]
        }
        // deps[i]: tables i refers to (self-references excluded).
        var deps: [[Int]] = Array(repeating: [], count: tables.count)
        for (i, t) in tables.enumerated() {
            for fk in t.foreignKeys {
                if let j = target(fk, from: t), j != i, !deps[i].contains(j) { deps[i].append(j) }
            }
        }

        // Tarjan's strongly connected components.
        var indexOf = [Int?](repeating: nil, count: tables.count)
        var low = [Int](repeating: 0, count: tables.count)
        var onStack = [Bool](repeating: false, count: tables.count)
        var stack: [Int] = []
        var counter = 0
        var components: [[Int]] = []
        func strongConnect(_ v: Int) {
            indexOf[v] = counter
            low[v] = counter
            counter += 1
            stack.append(v)
            onStack[v] = true
            for w in deps[v] {
                if indexOf[w] == nil {
                    strongConnect(w)
                    low[v] = min(low[v], low[w])
                } else if onStack[w], let iw = indexOf[w] {
                    low[v] = min(low[v], iw)
                }
            }
            if low[v] == indexOf[v] {
                var component: [Int] = []
                while let w = stack.popLast() {
                    onStack[w] = false
                    component.append(w)
                    if w == v { break }
                }
                components.append(component.sorted())
            }
        }
        for v in tables.indices where indexOf[v] == nil { strongConnect(v) }

        var cycles: [ForeignKeyCycle] = []
        var broken = Set<[Int]>()  // (from, to) edges removed
        for comp in components where comp.count > 1 {
            let members = Set(comp)
            var fks: [(Table, ForeignKeyConstraint)] = []
            for i in comp {
                for fk in tables[i].foreignKeys {
                    if let j = target(fk, from: tables[i]), j != i, members.contains(j) {
                        fks.append((tables[i], fk))
                        broken.insert([i, j])
                    }
                }
            }
            cycles.append(ForeignKeyCycle(tables: comp.map { tables[$0] }, foreignKeys: fks))
        }

        // Stable topological sort without the broken edges.
        var remaining = deps.enumerated().map { i, ds in Set(ds.filter { !broken.contains([i, $0]) }) }
        var placed = [Bool](repeating: false, count: tables.count)
        var order: [Table] = []
        while order.count < tables.count {
            guard let next = tables.indices.first(where: { !placed[$0] && remaining[$0].isEmpty }) else { break }
            placed[next] = true
            order.append(tables[next])
            for i in remaining.indices { remaining[i].remove(next) }
        }
        return DependencyOrder(tables: order, cycles: cycles)
    }
}
