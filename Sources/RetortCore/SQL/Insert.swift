/// An INSERT statement: one row, many rows, or the rows of a query.
///
/// ```swift
/// authors.insert().values(["name": "Ursula", "email": "u@example.org"])
/// // INSERT INTO authors (name, email) VALUES (?, ?)
/// authors.insert().values([["name": "Ursula"], ["name": "Octavia"]]).returning(authors.c.id)
/// // INSERT INTO authors (name) VALUES (?), (?) RETURNING id
/// archive.insert().fromSelect(["id", "name"], select(authors.c.id, authors.c.name))
/// // INSERT INTO archive (id, name) SELECT authors.id, authors.name FROM authors
/// ```
///
/// Columns are written in the table's column order. A column with a client-side
/// ``Column/defaultValue`` that the statement leaves out gets that value (generators
/// run at each execution). Executed with no values, `conn.execute(authors.insert(),
/// [["name": "U"], ...])` inserts the parameters' keys.
public struct Insert: Sendable, Hashable {
    package var table: Table
    package var columnNames: [String] = []
    package var rows: [[ExpressionNode]] = []
    package var query: QueryNode? = nil
    package var returning: [ExpressionNode] = []
    package var onConflict: OnConflict? = nil
    /// A mistake found while building (unknown column, ragged rows), raised when compiling.
    package var problem: String? = nil

    package init(table: Table) { self.table = table }

    /// The values of one row, by column name (`nil` inserts NULL; an expression inserts its SQL).
    public func values(_ values: [String: (any SQLExpressible)?]) -> Insert { self.values([values]) }

    /// Several rows in one statement (`VALUES (...), (...)`). Every row must name the
    /// same columns (client defaults fill the ones they cover).
    public func values(_ rows: [[String: (any SQLExpressible)?]]) -> Insert {
        var s = self
        s.query = nil
        var keys = Set<String>()
        for r in rows { keys.formUnion(r.keys) }
        let unknown = keys.filter { table.column(named: $0) == nil }.sorted()
        if !unknown.isEmpty {
            s.problem = "table '\(table.fullName)' has no column\(unknown.count == 1 ? "" : "s") "
                + unknown.map { "'\($0)'" }.joined(separator: ", ")
                + "; its columns are: " + table.columns.map(\.name).joined(separator: ", ")
            return s
        }
        let columns = table.columns.filter { keys.contains($0.name) }
        s.columnNames = columns.map(\.name)
        s.rows = []
        for (i, r) in rows.enumerated() {
            var row: [ExpressionNode] = []
            for c in columns {
                if let entry = r[c.name] {
                    row.append(entry?.sqlExpression(as: c.type).node ?? .bind(BoundValue(.null, type: c.type)))
                } else if let d = c.defaultValue {
                    row.append(.bind(BoundValue(d.make(), type: c.type)))
                } else {
                    s.problem = "row \(i + 1) of the INSERT into '\(table.fullName)' has no value for column '\(c.name)', "
                        + "which another row gives; give every row the same columns"
                    return s
                }
            }
            s.rows.append(row)
        }
        return s
    }

    /// `INSERT INTO table (columns) SELECT ...`.
    public func fromSelect(_ columns: [String], _ query: some QueryStatement) -> Insert {
        var s = self
        s.columnNames = columns
        s.rows = []
        s.query = query.queryNode
        let unknown = columns.filter { table.column(named: $0) == nil }
        if !unknown.isEmpty {
            s.problem = "table '\(table.fullName)' has no column '\(unknown[0])'; its columns are: "
                + table.columns.map(\.name).joined(separator: ", ")
        }
        return s
    }

    /// `RETURNING ...`: the inserted rows' columns (e.g. generated ids).
    public consuming func returning(_ items: any SelectItem...) -> Insert {
        var s = self
        s.returning += items.flatMap { $0.selectedExpressions.map(\.node) }
        return s
    }

    /// `ON CONFLICT [target] DO NOTHING`.
    ///
    /// ```swift
    /// authors.insert().values(["email": "u@example.org"]).onConflictDoNothing(.columns("email"))
    /// // INSERT INTO authors (email) VALUES (?) ON CONFLICT (email) DO NOTHING
    /// ```
    public consuming func onConflictDoNothing(_ target: ConflictTarget? = nil) -> Insert {
        var s = self
        s.onConflict = OnConflict(target: target, action: .nothing)
        return s
    }

    /// `ON CONFLICT target DO UPDATE SET ... [WHERE ...]`; refer to the row that was
    /// proposed with ``excluded``.
    ///
    /// ```swift
    /// authors.insert().values(["email": "u@example.org", "name": "U"])
    ///     .onConflictDoUpdate(.columns("email"), set: ["name": excluded.name])
    /// // INSERT INTO authors (name, email) VALUES (?, ?) ON CONFLICT (email) DO UPDATE SET name = excluded.name
    /// ```
    public func onConflictDoUpdate<C: SQLLogicalValue>(
        _ target: ConflictTarget, set values: [String: (any SQLExpressible)?], where condition: SQLExpression<C>
    ) -> Insert {
        conflictUpdate(target, values, condition.node)
    }

    /// `ON CONFLICT target DO UPDATE SET ...`.
    public func onConflictDoUpdate(_ target: ConflictTarget, set values: [String: (any SQLExpressible)?]) -> Insert {
        conflictUpdate(target, values, nil)
    }

    private func conflictUpdate(_ target: ConflictTarget, _ values: [String: (any SQLExpressible)?], _ condition: ExpressionNode?) -> Insert {
        var s = self
        var names: [String] = []
        var nodes: [ExpressionNode] = []
        for c in table.columns {
            guard let entry = values[c.name] else { continue }
            names.append(c.name)
            nodes.append(entry?.sqlExpression(as: c.type).node ?? .bind(BoundValue(.null, type: c.type)))
        }
        if let bad = values.keys.first(where: { table.column(named: $0) == nil }) {
            s.problem = "ON CONFLICT DO UPDATE sets column '\(bad)', which table '\(table.fullName)' does not have"
        }
        s.onConflict = OnConflict(target: target, action: .update(columns: names, values: nodes, where: condition))
        return s
    }
}

extension Table {
    /// `INSERT INTO table ...`.
    public func insert() -> Insert { Insert(table: self) }
}

/// `INSERT INTO table ...`.
public func insert(_ table: Table) -> Insert { Insert(table: table) }

/// What an upsert's ON CONFLICT matches: columns (of a unique index, optionally
/// partial), or a named constraint (PostgreSQL).
public struct ConflictTarget: Sendable, Hashable {
    package var columns: [String]
    package var predicate: ExpressionNode?
    package var constraint: String?

    /// `ON CONFLICT (a, b)`.
    public static func columns(_ names: String...) -> ConflictTarget { ConflictTarget(columns: names, predicate: nil, constraint: nil) }

    /// `ON CONFLICT (a) WHERE predicate`, for a partial unique index. The predicate's
    /// values are written as literals: the database must match it against the index's
    /// own predicate when planning.
    public static func columns<P>(_ names: [String], where predicate: SQLExpression<P>) -> ConflictTarget {
        ConflictTarget(columns: names, predicate: predicate.node.inlined, constraint: nil)
    }

    /// `ON CONFLICT ON CONSTRAINT name` — PostgreSQL only.
    public static func constraint(_ name: String) -> ConflictTarget { ConflictTarget(columns: [], predicate: nil, constraint: name) }
}

package struct OnConflict: Sendable, Hashable {
    package var target: ConflictTarget?
    package var action: Action

    package enum Action: Sendable, Hashable {
        case nothing
        case update(columns: [String], values: [ExpressionNode], where: ExpressionNode?)
    }
}

/// The row an upsert proposed, in ON CONFLICT DO UPDATE: `excluded.name` is
/// `excluded.name` in SQL.
public let excluded = ExcludedColumns()

/// The columns of the proposed row in an upsert (see ``excluded``).
@dynamicMemberLookup
public struct ExcludedColumns: Sendable {
    public subscript(dynamicMember name: String) -> SQLExpression<Untyped> { self[name] }
    /// `excluded.name` for any column name.
    public subscript(_ name: String) -> SQLExpression<Untyped> { SQLExpression(.excluded(name)) }
}
