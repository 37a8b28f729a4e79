/// String aggregation, portable between databases.
extension SQLFunctions {
    /// The values of a group joined into one string with `separator` (NULLs left out;
    /// NULL for a group of none): SQLite's `group_concat`, PostgreSQL's `string_agg`
    /// (its argument cast to text, so numbers join too). `orderBy` sorts the values
    /// inside the aggregate; SQLite supports that from 3.44, and an older SQLite raises
    /// ``ProgrammingError`` (`.notSupported`) rather than join them in an order it does
    /// not promise.
    ///
    /// ```swift
    /// select(books.c.author_id, fn.groupConcat(books.c.title, ", ", orderBy: [books.c.title])).groupBy(books.c.author_id)
    /// // SQLite:     group_concat(books.title, ? ORDER BY books.title)
    /// // PostgreSQL: string_agg(CAST(books.title AS TEXT), $1 ORDER BY books.title)
    /// ```
    public func groupConcat<V>(_ e: SQLExpression<V>, _ separator: String = ",", orderBy: [any OrderByItem] = [])
        -> SQLExpression<String?>
    {
        SQLExpression(.function(FunctionCall(
            name: "group_concat", arguments: [e.node, .bind(BoundValue(.text(separator), type: .text))],
            orderBy: orderBy.map(\.orderingTerm), type: .text, known: .groupConcat)))
    }

    /// PostgreSQL's name for ``groupConcat(_:_:orderBy:)``: the same aggregate, spelled
    /// for each database.
    public func stringAgg<V>(_ e: SQLExpression<V>, _ separator: String, orderBy: [any OrderByItem] = []) -> SQLExpression<String?> {
        groupConcat(e, separator, orderBy: orderBy)
    }
}
