import Foundation

/// SQL functions: `fn.count()`, `fn.lower(x)`, and any other by name,
/// `fn.json_extract(doc, "$.a")` or `fn.named("my_func")(x)`.
///
/// ```swift
/// select(fn.count()).selectFrom(books)                         // SELECT count(*) FROM books
/// select(fn.count(authors.c.name.distinct())).selectFrom(authors)
/// // SELECT count(DISTINCT authors.name) FROM authors
/// fn.coalesce(authors.c.nickname, authors.c.name, "?")         // coalesce(authors.nickname, authors.name, ?)
/// fn.now()                                                     // SQLite: CURRENT_TIMESTAMP   PostgreSQL: now()
/// ```
public let fn = SQLFunctions()

/// The function namespace behind ``fn``.
@dynamicMemberLookup
public struct SQLFunctions: Sendable {
    /// The namespace; use the shared ``fn``.
    public init() {}

    /// Any function by name: `fn.json_extract(...)`.
    public subscript(dynamicMember name: String) -> SQLFunctionName { SQLFunctionName(name: name) }

    /// Any function by name: `fn.named("my func")(x)` (the name is used as written).
    public func named(_ name: String) -> SQLFunctionName { SQLFunctionName(name: name) }

    /// `count(*)`.
    public func count() -> SQLExpression<Int> {
        SQLExpression(.function(FunctionCall(name: "count", arguments: [], star: true, type: .integer)))
    }
    /// `count(expr)`; `count(DISTINCT expr)` with `expr.distinct()`.
    public func count<V>(_ e: SQLExpression<V>) -> SQLExpression<Int> { call("count", [e.node], type: .integer) }
    /// `sum(expr)`.
    public func sum<V>(_ e: SQLExpression<V>) -> SQLExpression<V> { call("sum", [e.node], type: e.node.sqlType) }
    /// `avg(expr)`.
    public func avg<V: SQLNumericValue>(_ e: SQLExpression<V>) -> SQLExpression<Double?> { call("avg", [e.node], type: .double) }
    /// `avg(expr)` of an untyped expression.
    public func avg(_ e: SQLExpression<Untyped>) -> SQLExpression<Untyped> { call("avg", [e.node], type: nil) }
    /// `min(expr)`.
    public func min<V>(_ e: SQLExpression<V>) -> SQLExpression<V> { call("min", [e.node], type: e.node.sqlType) }
    /// `max(expr)`.
    public func max<V>(_ e: SQLExpression<V>) -> SQLExpression<V> { call("max", [e.node], type: e.node.sqlType) }
    /// `coalesce(expr, others...)`: values are bound with `expr`'s type.
    public func coalesce<V>(_ e: SQLExpression<V>, _ others: any SQLExpressible...) -> SQLExpression<V> {
        let t = e.node.sqlType
        return call("coalesce", [e.node] + others.map { $0.sqlExpression(as: t).node }, type: t)
    }
    /// `lower(expr)`.
    public func lower<V>(_ e: SQLExpression<V>) -> SQLExpression<V> { call("lower", [e.node], type: e.node.sqlType) }
    /// `upper(expr)`.
    public func upper<V>(_ e: SQLExpression<V>) -> SQLExpression<V> { call("upper", [e.node], type: e.node.sqlType) }
    /// `length(expr)` (characters on both dialects).
    public func length<V>(_ e: SQLExpression<V>) -> SQLExpression<Int> {
        SQLExpression(.function(FunctionCall(name: "length", arguments: [e.node], type: .integer, known: .length)))
    }
    /// The current timestamp: `now()` on PostgreSQL, `CURRENT_TIMESTAMP` on SQLite.
    public func now() -> SQLExpression<Date> {
        SQLExpression(.function(FunctionCall(name: "now", arguments: [], type: .datetime(timezone: true), known: .now)))
    }
    /// `random()`.
    public func random() -> SQLExpression<Double> {
        SQLExpression(.function(FunctionCall(name: "random", arguments: [], type: .double, known: .random)))
    }
    /// `abs(expr)`.
    public func abs<V>(_ e: SQLExpression<V>) -> SQLExpression<V> { call("abs", [e.node], type: e.node.sqlType) }
    /// `round(expr[, digits])`.
    public func round<V>(_ e: SQLExpression<V>, _ digits: Int? = nil) -> SQLExpression<V> {
        call("round", [e.node] + (digits.map { [.bind(BoundValue(.integer(Int64($0)), type: .integer))] } ?? []), type: e.node.sqlType)
    }

    // Window functions.

    /// `row_number()`, for use with ``SQLExpression/over(partitionBy:orderBy:frame:)``.
    public func rowNumber() -> SQLExpression<Int> { call("row_number", [], type: .integer) }
    /// `rank()`.
    public func rank() -> SQLExpression<Int> { call("rank", [], type: .integer) }
    /// `dense_rank()`.
    public func denseRank() -> SQLExpression<Int> { call("dense_rank", [], type: .integer) }
    /// `lag(expr[, offset])`.
    public func lag<V>(_ e: SQLExpression<V>, _ offset: Int = 1) -> SQLExpression<V> {
        call("lag", [e.node, .bind(BoundValue(.integer(Int64(offset)), type: .integer))], type: e.node.sqlType)
    }
    /// `lead(expr[, offset])`.
    public func lead<V>(_ e: SQLExpression<V>, _ offset: Int = 1) -> SQLExpression<V> {
        call("lead", [e.node, .bind(BoundValue(.integer(Int64(offset)), type: .integer))], type: e.node.sqlType)
    }

    private func call<V>(_ name: String, _ args: [ExpressionNode], type: SQLType?) -> SQLExpression<V> {
        SQLExpression(.function(FunctionCall(name: name, arguments: args, type: type)))
    }
}

/// A function name waiting for its arguments: `fn.json_extract(doc, "$.a")`.
public struct SQLFunctionName: Sendable {
    /// The function's name, as it is written in SQL.
    public let name: String

    /// Calls the function; values are bound parameters.
    public func callAsFunction(_ arguments: any SQLExpressible...) -> SQLExpression<Untyped> {
        SQLExpression(.function(FunctionCall(name: name, arguments: arguments.map { $0.sqlExpression(as: nil).node })))
    }

    /// Calls the function with a known result type.
    public func call<V>(_ arguments: [any SQLExpressible], returning: V.Type, type: SQLType? = nil) -> SQLExpression<V> {
        SQLExpression(.function(FunctionCall(name: name, arguments: arguments.map { $0.sqlExpression(as: nil).node }, type: type)))
    }
}

extension SQLExpression {
    /// An aggregate's `FILTER (WHERE condition)`.
    ///
    /// ```swift
    /// fn.count().filter(books.c.pages > 100)   // count(*) FILTER (WHERE books.pages > ?)
    /// ```
    public func filter<C: SQLLogicalValue>(_ condition: SQLExpression<C>) -> SQLExpression {
        guard case .function(var call) = node else { return self }
        call.filter = condition.node
        return SQLExpression(.function(call))
    }

    /// A window function: `expr OVER (PARTITION BY ... ORDER BY ... frame)`.
    ///
    /// ```swift
    /// fn.rowNumber().over(partitionBy: [books.c.author_id], orderBy: [books.c.title])
    /// // row_number() OVER (PARTITION BY books.author_id ORDER BY books.title)
    /// fn.sum(books.c.pages).over(orderBy: [books.c.id], frame: .rows(.unboundedPreceding, .currentRow))
    /// // sum(books.pages) OVER (ORDER BY books.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    /// ```
    public func over(
        partitionBy: [any SQLExpressible] = [], orderBy: [any OrderByItem] = [], frame: WindowFrame? = nil
    ) -> SQLExpression {
        SQLExpression(.window(node, WindowSpecification(
            partitionBy: partitionBy.map { $0.sqlExpression(as: nil).node },
            orderBy: orderBy.map(\.orderingTerm), frame: frame)))
    }
}

/// A window frame: `ROWS BETWEEN 2 PRECEDING AND CURRENT ROW`. Offsets are integers
/// written into the SQL.
public struct WindowFrame: Sendable, Hashable {
    /// `ROWS`, `RANGE` or `GROUPS`.
    public enum Unit: String, Sendable, Hashable {
        case rows = "ROWS", range = "RANGE", groups = "GROUPS"
    }

    /// One end of a frame: `UNBOUNDED PRECEDING`, `2 PRECEDING`, `CURRENT ROW`, ...
    public enum Bound: Sendable, Hashable {
        case unboundedPreceding
        case preceding(Int)
        case currentRow
        case following(Int)
        case unboundedFollowing

        var sql: String {
            switch self {
            case .unboundedPreceding: return "UNBOUNDED PRECEDING"
            case .preceding(let n): return "\(n) PRECEDING"
            case .currentRow: return "CURRENT ROW"
            case .following(let n): return "\(n) FOLLOWING"
            case .unboundedFollowing: return "UNBOUNDED FOLLOWING"
            }
        }
    }

    /// What the frame counts.
    public var unit: Unit
    /// Where the frame starts.
    public var start: Bound
    /// Where it ends (nil: the start alone, `ROWS start`).
    public var end: Bound?

    /// `ROWS BETWEEN start AND end` (or `ROWS start` without an end).
    public static func rows(_ start: Bound, _ end: Bound? = nil) -> WindowFrame { WindowFrame(unit: .rows, start: start, end: end) }
    /// `RANGE BETWEEN start AND end`.
    public static func range(_ start: Bound, _ end: Bound? = nil) -> WindowFrame { WindowFrame(unit: .range, start: start, end: end) }
    /// `GROUPS BETWEEN start AND end`.
    public static func groups(_ start: Bound, _ end: Bound? = nil) -> WindowFrame { WindowFrame(unit: .groups, start: start, end: end) }

    /// The frame clause's SQL.
    public var sql: String {
        if let end { return "\(unit.rawValue) BETWEEN \(start.sql) AND \(end.sql)" }
        return "\(unit.rawValue) \(start.sql)"
    }
}
