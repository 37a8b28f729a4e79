/// A list of values for an expanding parameter, `bindParameter(name, expanding: true)`:
/// the right-hand side of an IN whose values are given at execution.
///
/// ```swift
/// let q = select(authors.c.name).where(authors.c.id.in(bindParameter("ids", expanding: true)))
/// try conn.execute(q, ["ids": SQLValueList([3, 5, 8])])   // SQLite: authors.id IN (?, ?, ?)
/// try conn.execute(q, ["ids": SQLValueList([Int]())])     // no rows: IN of nothing is false
/// ```
///
/// It is a list only where a list is expected: given for a single-valued parameter it
/// is an ``InterfaceError`` at execution, and it cannot be read out of a row.
public struct SQLValueList: SQLValueConvertible, Sendable, Hashable, ExpressibleByArrayLiteral {
    /// The values, in order.
    public let values: [SQLValue]

    /// The values of any sequence of convertible values (`Optional` elements bind NULL).
    public init<S: Sequence>(_ values: S) where S.Element: SQLValueConvertible {
        self.values = values.map(\.sqlValue)
    }

    /// `[.integer(1), .text("x")]`.
    public init(arrayLiteral elements: SQLValue...) { values = elements }

    public var sqlValueList: [SQLValue]? { values }

    /// A list has no single SQL value; executing it as one is refused before this is
    /// sent (see ``SQLValueList``). NULL is what it would mean to a comparison.
    public var sqlValue: SQLValue { .null }

    public init(sqlValue: SQLValue) throws {
        throw DataError(message: "cannot read \(sqlValue.kindName) value \(sqlValue) as a list of values")
    }
}
