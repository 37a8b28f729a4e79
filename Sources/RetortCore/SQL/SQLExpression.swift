import Foundation

/// A SQL expression whose Swift value type is `Value`: a column, a function call, a
/// comparison. Operators build bigger expressions; ``select(_:)`` and friends compile
/// them.
///
/// ```swift
/// let id = authors.column("id", as: Int.self)     // SQLExpression<Int>
/// id == 5                                          // SQLExpression<Bool>: authors.id = ?
/// // id == "x"                                     // does not compile: a String is not an Int
/// authors.c.name                                   // SQLExpression<Untyped>: any value compares
/// ```
///
/// `Value` is a phantom type: it only decides which operators type-check. Columns
/// looked up by name (`table.c.name`) are ``Untyped`` and compare with anything; the
/// ORM's generated accessors are typed.
public struct SQLExpression<Value>: SQLExpressible, SelectItem, OrderByItem, Sendable {
    package let node: ExpressionNode

    package init(_ node: ExpressionNode) { self.node = node }

    public func sqlExpression(as type: SQLType?) -> SQLExpression<Untyped> { SQLExpression<Untyped>(node) }
    public var selectedExpressions: [SQLExpression<Untyped>] { [SQLExpression<Untyped>(node)] }
    public func appendColumns(to list: inout SelectList) { list.nodes.append(node) }
    public var orderingTerm: OrderingTerm { OrderingTerm(node, direction: nil, nulls: nil) }

    /// The same expression with a different phantom type (no SQL change): use it to
    /// type a column looked up by name, `authors.c.id.typed(Int.self)`.
    public func typed<T>(_ type: T.Type) -> SQLExpression<T> { SQLExpression<T>(node) }

    /// The same expression, untyped.
    public var untyped: SQLExpression<Untyped> { SQLExpression<Untyped>(node) }

    /// The SQL type of the expression when it is known (a column's declared type).
    public var sqlType: SQLType? { node.sqlType }

    /// `expr AS name` in a select list.
    ///
    /// ```swift
    /// select(fn.count().label("n")).selectFrom(books)   // SELECT count(*) AS n FROM books
    /// ```
    public func label(_ name: String) -> SQLExpression<Value> { SQLExpression(.label(node, name)) }

    /// Explicit parentheses: `(a + b)`.
    public func grouped() -> SQLExpression<Value> { SQLExpression(.grouping(node)) }

    /// `expr COLLATE name`.
    public func collate(_ collation: String) -> SQLExpression<Value> { SQLExpression(.collate(node, collation)) }

    /// `DISTINCT expr`, for aggregates: `fn.count(authors.c.name.distinct())` is
    /// `count(DISTINCT authors.name)`.
    public func distinct() -> SQLExpression<Value> { SQLExpression(.unary(.distinct, node)) }
}

/// The phantom value type of an expression whose Swift type is not known, such as a
/// column looked up by name. It compares with any value.
public enum Untyped {}

/// A typed column expression; the ORM's generated accessors return these.
public typealias ColumnExpression<Value> = SQLExpression<Value>

/// Anything usable where SQL expects a value: expressions, and plain Swift values
/// (which become bound parameters).
///
/// ```swift
/// fn.coalesce(authors.c.nickname, "anonymous")   // coalesce(authors.nickname, ?)
/// ```
public protocol SQLExpressible {
    /// The expression this stands for. A plain value becomes a bound parameter
    /// processed as `type` (the type of the column it meets), when given.
    func sqlExpression(as type: SQLType?) -> SQLExpression<Untyped>
}

extension SQLValueConvertible {
    public func sqlExpression(as type: SQLType?) -> SQLExpression<Untyped> {
        SQLExpression(.bind(BoundValue(sqlValue, type: type)))
    }
}

extension Optional: SQLExpressible where Wrapped: SQLValueConvertible {}

extension TextClause: SQLExpressible {
    /// `text("...")` inside an expression: its `:name` parameters are bound by name.
    public func sqlExpression(as type: SQLType?) -> SQLExpression<Untyped> { SQLExpression(.text(self)) }
}

/// Something that contributes columns to a select list: an expression, or a table,
/// alias or subquery (all of its columns).
public protocol SelectItem {
    var selectedExpressions: [SQLExpression<Untyped>] { get }
    /// Appends the item's columns to `list` (what `select(...)` calls; an expression
    /// appends itself without building an array).
    func appendColumns(to list: inout SelectList)
}

extension SelectItem {
    public func appendColumns(to list: inout SelectList) {
        for e in selectedExpressions { list.nodes.append(e.node) }
    }
}

/// The columns of a select list being gathered by ``select(_:)``.
public struct SelectList {
    package var nodes: [ExpressionNode] = []
    package init() {}
}

/// A term of ORDER BY: an expression, optionally with a direction and NULLS placement.
public protocol OrderByItem {
    var orderingTerm: OrderingTerm { get }
}

/// Marks the value types that work as SQL conditions (`&&`, `||`, `!`, `where`).
public protocol SQLLogicalValue {}
extension Bool: SQLLogicalValue {}
extension Optional: SQLLogicalValue where Wrapped == Bool {}
extension Untyped: SQLLogicalValue {}

/// Marks the value types that support arithmetic in SQL.
public protocol SQLNumericValue: SQLValueConvertible {}
extension Int: SQLNumericValue {}
extension Int64: SQLNumericValue {}
extension Int32: SQLNumericValue {}
extension Int16: SQLNumericValue {}
extension Double: SQLNumericValue {}
extension Float: SQLNumericValue {}
extension Decimal: SQLNumericValue {}
extension Optional: SQLNumericValue where Wrapped: SQLNumericValue {}

/// A bare column name, not tied to a table: for CHECK constraints, index expressions
/// and other DDL, or text-like queries.
///
/// ```swift
/// CheckConstraint(column("pages") > 0)   // CHECK (pages > 0)
/// ```
public func column(_ name: String, type: SQLType? = nil) -> SQLExpression<Untyped> {
    SQLExpression(.column(ColumnReference(from: nil, name: name, type: type)))
}

/// A value as a bound parameter, typed: `literal(5)` is `?` bound to 5.
///
/// ```swift
/// select(literal("x").label("tag"))   // SELECT ? AS tag
/// ```
public func literal<V: SQLValueConvertible>(_ value: V, type: SQLType? = nil) -> SQLExpression<V> {
    SQLExpression(.bind(BoundValue(value.sqlValue, type: type)))
}

/// SQL text used verbatim as a column or value (no parameters, not quoted).
///
/// ```swift
/// select(literalColumn("1")).selectFrom(authors)   // SELECT 1 FROM authors
/// ```
public func literalColumn(_ sql: String, type: SQLType? = nil) -> SQLExpression<Untyped> {
    SQLExpression(.raw(sql, type: type))
}

/// A parameter whose value is given by name at execution.
///
/// ```swift
/// let byID = select(authors.c.name).where(authors.c.id == bindParameter("id"))
/// try conn.execute(byID, ["id": 5])   // ... WHERE authors.id = ?   with 5
/// ```
public func bindParameter(_ name: String, type: SQLType? = nil) -> SQLExpression<Untyped> {
    SQLExpression(.parameter(name: name, type: type))
}

/// A named parameter for the right-hand side of ``SQLExpression/in(_:)-(ListParameter)``.
/// With `expanding: true` it takes a whole list at execution, as an ``SQLValueList``;
/// the compiled SQL does not depend on the list's length.
///
/// ```swift
/// let byIDs = select(authors.c.name).where(authors.c.id.in(bindParameter("ids", expanding: true)))
/// try conn.execute(byIDs, ["ids": SQLValueList([1, 2, 3])])
/// // SQLite:     ... WHERE authors.id IN (?, ?, ?)   PostgreSQL: ... WHERE authors.id = ANY($1)
/// ```
public func bindParameter(_ name: String, expanding: Bool, type: SQLType? = nil) -> ListParameter {
    ListParameter(name: name, expanding: expanding, type: type)
}

/// A parameter on the right of IN: see ``bindParameter(_:expanding:type:)``.
public struct ListParameter: Sendable, Hashable {
    /// The name its value is given by at execution.
    public let name: String
    /// True: the value is a list (``SQLValueList``) that expands at execution.
    public let expanding: Bool
    /// The type each value is processed as; nil takes the left-hand side's type.
    public let type: SQLType?
}

/// A typed named parameter: `bindParameter("id", as: Int.self)`.
public func bindParameter<V>(_ name: String, as: V.Type, type: SQLType? = nil) -> SQLExpression<V> {
    SQLExpression(.parameter(name: name, type: type))
}

/// `NULL`.
public func null() -> SQLExpression<Untyped> { SQLExpression(.keyword(.null)) }

/// `*` for `select(star)`, e.g. `select(star).selectFrom(authors)` is `SELECT * FROM authors`.
public let star = SQLExpression<Untyped>(.star(nil))
