/// Rows of values used as a table: `(VALUES (?, ?), (?, ?)) AS name (id, label)`.
///
/// ```swift
/// let wanted = values(("id", .integer), ("label", .string(20)), name: "wanted",
///                     rows: [[1, "one"], [2, "two"]])
/// select(books.c.title, wanted.c.label).selectFrom(books.join(wanted, on: books.c.id == wanted.c.id))
/// // PostgreSQL: ... JOIN (VALUES (CAST($1 AS INTEGER), CAST($2 AS VARCHAR(20))), ($3, $4)) AS wanted (id, label) ...
/// // SQLite:     ... JOIN (SELECT column1 AS id, column2 AS label FROM (VALUES (?, ?), (?, ?))) AS wanted ...
/// ```
///
/// Every value is a bound parameter of its column's type. On PostgreSQL the first row's
/// values are cast to the column types (the server types a VALUES list by its first
/// row); SQLite names VALUES columns `column1`, `column2`, …, so there the list is
/// selected under the given names.
public struct Values: FromClause, Sendable {
    package let node: ValuesNode
    public var fromReference: FromReference { FromReference(.values(node)) }

    /// The same rows under another name, to use them twice in one query.
    public func alias(_ name: String? = nil) -> Values {
        var n = node
        n.name = name.map(AliasName.named) ?? .anonymous(node.name.display)
        return Values(node: n)
    }
}

/// A ``Values`` FROM element: `columns` are (name, type) pairs, `rows` hold one value
/// per column (a row of another length is an error when the query is compiled).
public func values(_ columns: (String, SQLType)..., name: String, rows: [[any SQLExpressible]]) -> Values {
    values(columns, name: name, rows: rows)
}

/// ``values(_:name:rows:)`` with the columns as an array (a number of columns known
/// only at run time).
public func values(_ columns: [(String, SQLType)], name: String, rows: [[any SQLExpressible]]) -> Values {
    Values(node: ValuesNode(
        name: .named(name), columns: columns.map(\.0), types: columns.map(\.1),
        rows: rows.map { row in
            row.enumerated().map { i, v in v.sqlExpression(as: i < columns.count ? columns[i].1 : nil).node }
        }))
}

extension CTE {
    /// The CTE under another name, so that one query can use it twice (a self-join):
    /// `FROM tree JOIN tree AS parent ON ...`.
    public func alias(_ name: String? = nil) -> TableAlias {
        TableAlias(node: .alias(.cte(node), name.map(AliasName.named) ?? .anonymous(node.name)))
    }
}

extension Subquery {
    /// The same subquery under another name: `(SELECT ...) AS other`.
    public func alias(_ name: String? = nil) -> Subquery {
        guard case .subquery(let q, let old, let lateral) = node else { return self }
        return Subquery(node: .subquery(q, name.map(AliasName.named) ?? .anonymous(old.display), lateral: lateral))
    }
}
