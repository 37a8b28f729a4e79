/// Aggregates whose spelling differs between databases.
extension SQLFunctions {
    /// The values of `e` joined into one string with `separator`, in `orderBy` order
    /// (NULLs skipped; NULL when there are no values).
    ///
    /// ```swift
    /// select(books.c.author_id, fn.groupConcat(books.c.title, ", ", orderBy: [books.c.title])).groupBy(books.c.author_id)
    /// // SQLite:     group_concat(books.title, ? ORDER BY books.title)
    /// // PostgreSQL: string_agg(CAST(books.title AS TEXT), $1 ORDER BY books.title)
    /// ```
    ///
    /// An ORDER BY inside an aggregate needs SQLite 3.44 or later; an older SQLite
    /// refuses it with a ``ProgrammingError`` before anything is sent.
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
