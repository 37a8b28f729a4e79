/// An UPDATE statement.
///
/// ```swift
/// authors.update().values(["name": "Ursula K. Le Guin"]).where(authors.c.id == 1)
/// // UPDATE authors SET name = ? WHERE authors.id = ?
/// books.update().values(["pages": books.c.pages + 1]).returning(books.c.pages)
/// // UPDATE books SET pages = (books.pages + ?) RETURNING pages
/// ```
///
/// A WHERE clause that mentions other tables makes them `UPDATE ... FROM` (both dialects).
public struct Update: Sendable, Hashable {
    package var target: FromNode
    package var columnNames: [String] = []
    package var values: [ExpressionNode] = []
    package var whereClause: ExpressionNode? = nil
    package var returning: [ExpressionNode] = []
    package var problem: String? = nil

    package init(target: FromNode) { self.target = target }

    /// `SET column = value, ...` (values are bound; expressions are SQL).
    public func values(_ values: [String: (any SQLExpressible)?]) -> Update {
        var s = self
        guard let table = target.underlyingTable else { return s }
        for c in table.columns {
            guard let entry = values[c.name] else { continue }
            s.set(c.name, entry?.sqlExpression(as: c.type).node ?? .bind(BoundValue(.null, type: c.type)))
        }
        if let bad = values.keys.sorted().first(where: { table.column(named: $0) == nil }) {
            s.problem = "table '\(table.fullName)' has no column '\(bad)'; its columns are: "
                + table.columns.map(\.name).joined(separator: ", ")
        }
        return s
    }

    /// `SET column = value` for a typed column: the value must be the column's type.
    public consuming func set<V: SQLValueConvertible>(_ column: SQLExpression<V>, _ value: V) -> Update {
        var s = self
        guard case .column(let ref) = column.node else { return s }
        s.set(ref.name, .bind(BoundValue(value.sqlValue, type: ref.type)))
        return s
    }

    /// `SET column = expression`.
    public consuming func set<V>(_ column: SQLExpression<V>, _ value: SQLExpression<V>) -> Update {
        var s = self
        guard case .column(let ref) = column.node else { return s }
        s.set(ref.name, value.node)
        return s
    }

    private mutating func set(_ name: String, _ value: ExpressionNode) {
        if let i = columnNames.firstIndex(of: name) {
            values[i] = value
        } else {
            columnNames.append(name)
            values.append(value)
        }
    }

    /// Adds a condition, ANDed with any before it.
    public consuming func `where`<C: SQLLogicalValue>(_ condition: SQLExpression<C>) -> Update {
        var s = self
        s.whereClause = s.whereClause.map { .conjoin(.and, [$0, condition.node]) } ?? condition.node
        return s
    }

    /// `RETURNING ...`.
    public consuming func returning(_ items: any SelectItem...) -> Update {
        var s = self
        s.returning += items.flatMap { $0.selectedExpressions.map(\.node) }
        return s
    }
}

/// A DELETE statement.
///
/// ```swift
/// authors.delete().where(authors.c.id == 1)                 // DELETE FROM authors WHERE authors.id = ?
/// authors.delete().where(authors.c.id.in([1, 2])).returning(authors.c.name)
/// // DELETE FROM authors WHERE authors.id IN (?, ?) RETURNING name
/// ```
public struct Delete: Sendable, Hashable {
    package var target: FromNode
    package var whereClause: ExpressionNode? = nil
    package var returning: [ExpressionNode] = []

    package init(target: FromNode) { self.target = target }

    /// Adds a condition, ANDed with any before it.
    public consuming func `where`<C: SQLLogicalValue>(_ condition: SQLExpression<C>) -> Delete {
        var s = self
        s.whereClause = s.whereClause.map { .conjoin(.and, [$0, condition.node]) } ?? condition.node
        return s
    }

    /// `RETURNING ...`.
    public consuming func returning(_ items: any SelectItem...) -> Delete {
        var s = self
        s.returning += items.flatMap { $0.selectedExpressions.map(\.node) }
        return s
    }
}

extension Table {
    /// `UPDATE table ...`.
    public func update() -> Update { Update(target: .table(self)) }
    /// `DELETE FROM table ...`.
    public func delete() -> Delete { Delete(target: .table(self)) }
}

extension TableAlias {
    /// `UPDATE table AS alias ...`.
    public func update() -> Update { Update(target: node) }
    /// `DELETE FROM table AS alias ...`.
    public func delete() -> Delete { Delete(target: node) }
}

/// `UPDATE table ...`.
public func update(_ table: Table) -> Update { Update(target: .table(table)) }

/// `DELETE FROM table ...`.
public func delete(_ table: Table) -> Delete { Delete(target: .table(table)) }
