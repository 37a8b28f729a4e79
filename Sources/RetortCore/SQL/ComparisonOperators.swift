/// Comparison operators on expressions. Each yields a `SQLExpression<Bool>`.
///
/// ```swift
/// let id = authors.column("id", as: Int.self)
/// id == 5                     // authors.id = ?      (5 bound)
/// id >= other.column("id", as: Int.self)   // authors.id >= other.id
/// authors.c.email == nil      // authors.email IS NULL
/// authors.c.name != "x"       // authors.name != ?   (untyped columns compare with any value)
/// // id == "five"             // does not compile: String is not Int
/// ```
///
/// A value compared with a column is bound with the column's type, so a `Date` meets
/// a `date` column as `2026-11-21`.
extension SQLExpression {
    /// `authors.id = ?`; against `nil`, `authors.id IS NULL`
    public static func == (lhs: SQLExpression, rhs: Value?) -> SQLExpression<Bool> where Value: SQLValueConvertible {
        compareValue(.equal, lhs.node, rhs?.sqlValue ?? .null)
    }
    /// Two expressions of the same type.
    public static func == (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.equal, lhs.node, rhs.node)
    }
    /// An optional-typed expression with a non-optional one.
    public static func == (lhs: SQLExpression<Value?>, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.equal, lhs.node, rhs.node)
    }
    /// A non-optional expression with an optional-typed one.
    public static func == (lhs: SQLExpression, rhs: SQLExpression<Value?>) -> SQLExpression<Bool> {
        compareNodes(.equal, lhs.node, rhs.node)
    }
    /// `authors.id != ?`; against `nil`, `authors.id IS NOT NULL`
    public static func != (lhs: SQLExpression, rhs: Value?) -> SQLExpression<Bool> where Value: SQLValueConvertible {
        compareValue(.notEqual, lhs.node, rhs?.sqlValue ?? .null)
    }
    /// Two expressions of the same type.
    public static func != (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.notEqual, lhs.node, rhs.node)
    }
    /// An optional-typed expression with a non-optional one.
    public static func != (lhs: SQLExpression<Value?>, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.notEqual, lhs.node, rhs.node)
    }
    /// A non-optional expression with an optional-typed one.
    public static func != (lhs: SQLExpression, rhs: SQLExpression<Value?>) -> SQLExpression<Bool> {
        compareNodes(.notEqual, lhs.node, rhs.node)
    }
    /// `authors.id < ?`
    public static func < (lhs: SQLExpression, rhs: Value?) -> SQLExpression<Bool> where Value: SQLValueConvertible {
        compareValue(.less, lhs.node, rhs?.sqlValue ?? .null)
    }
    /// Two expressions of the same type.
    public static func < (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.less, lhs.node, rhs.node)
    }
    /// An optional-typed expression with a non-optional one.
    public static func < (lhs: SQLExpression<Value?>, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.less, lhs.node, rhs.node)
    }
    /// A non-optional expression with an optional-typed one.
    public static func < (lhs: SQLExpression, rhs: SQLExpression<Value?>) -> SQLExpression<Bool> {
        compareNodes(.less, lhs.node, rhs.node)
    }
    /// `authors.id <= ?`
    public static func <= (lhs: SQLExpression, rhs: Value?) -> SQLExpression<Bool> where Value: SQLValueConvertible {
        compareValue(.lessOrEqual, lhs.node, rhs?.sqlValue ?? .null)
    }
    /// Two expressions of the same type.
    public static func <= (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.lessOrEqual, lhs.node, rhs.node)
    }
    /// An optional-typed expression with a non-optional one.
    public static func <= (lhs: SQLExpression<Value?>, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.lessOrEqual, lhs.node, rhs.node)
    }
    /// A non-optional expression with an optional-typed one.
    public static func <= (lhs: SQLExpression, rhs: SQLExpression<Value?>) -> SQLExpression<Bool> {
        compareNodes(.lessOrEqual, lhs.node, rhs.node)
    }
    /// `authors.id > ?`
    public static func > (lhs: SQLExpression, rhs: Value?) -> SQLExpression<Bool> where Value: SQLValueConvertible {
        compareValue(.greater, lhs.node, rhs?.sqlValue ?? .null)
    }
    /// Two expressions of the same type.
    public static func > (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.greater, lhs.node, rhs.node)
    }
    /// An optional-typed expression with a non-optional one.
    public static func > (lhs: SQLExpression<Value?>, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.greater, lhs.node, rhs.node)
    }
    /// A non-optional expression with an optional-typed one.
    public static func > (lhs: SQLExpression, rhs: SQLExpression<Value?>) -> SQLExpression<Bool> {
        compareNodes(.greater, lhs.node, rhs.node)
    }
    /// `authors.id >= ?`
    public static func >= (lhs: SQLExpression, rhs: Value?) -> SQLExpression<Bool> where Value: SQLValueConvertible {
        compareValue(.greaterOrEqual, lhs.node, rhs?.sqlValue ?? .null)
    }
    /// Two expressions of the same type.
    public static func >= (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.greaterOrEqual, lhs.node, rhs.node)
    }
    /// An optional-typed expression with a non-optional one.
    public static func >= (lhs: SQLExpression<Value?>, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.greaterOrEqual, lhs.node, rhs.node)
    }
    /// A non-optional expression with an optional-typed one.
    public static func >= (lhs: SQLExpression, rhs: SQLExpression<Value?>) -> SQLExpression<Bool> {
        compareNodes(.greaterOrEqual, lhs.node, rhs.node)
    }
}

extension SQLExpression where Value == Untyped {
    /// Two untyped expressions.
    public static func == (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.equal, lhs.node, rhs.node)
    }
    /// Two untyped expressions.
    public static func != (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.notEqual, lhs.node, rhs.node)
    }
    /// Two untyped expressions.
    public static func < (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.less, lhs.node, rhs.node)
    }
    /// Two untyped expressions.
    public static func <= (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.lessOrEqual, lhs.node, rhs.node)
    }
    /// Two untyped expressions.
    public static func > (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.greater, lhs.node, rhs.node)
    }
    /// Two untyped expressions.
    public static func >= (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.greaterOrEqual, lhs.node, rhs.node)
    }
    /// An untyped expression with any value.
    public static func == <T: SQLValueConvertible>(lhs: SQLExpression, rhs: T) -> SQLExpression<Bool> {
        compareValue(.equal, lhs.node, rhs.sqlValue)
    }
    /// An untyped expression with an expression of any type.
    public static func == <V>(lhs: SQLExpression, rhs: SQLExpression<V>) -> SQLExpression<Bool> {
        compareNodes(.equal, lhs.node, rhs.node)
    }
    /// An expression of any type with an untyped one.
    public static func == <V>(lhs: SQLExpression<V>, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.equal, lhs.node, rhs.node)
    }
    /// `IS NULL` / `IS NOT NULL` for `== nil` / `!= nil`.
    public static func == (lhs: SQLExpression, rhs: _OptionalNilComparisonType) -> SQLExpression<Bool> {
        SQLExpression<Bool>(.isNull(lhs.node, negated: false))
    }
    /// An untyped expression with any value.
    public static func != <T: SQLValueConvertible>(lhs: SQLExpression, rhs: T) -> SQLExpression<Bool> {
        compareValue(.notEqual, lhs.node, rhs.sqlValue)
    }
    /// An untyped expression with an expression of any type.
    public static func != <V>(lhs: SQLExpression, rhs: SQLExpression<V>) -> SQLExpression<Bool> {
        compareNodes(.notEqual, lhs.node, rhs.node)
    }
    /// An expression of any type with an untyped one.
    public static func != <V>(lhs: SQLExpression<V>, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.notEqual, lhs.node, rhs.node)
    }
    /// `IS NULL` / `IS NOT NULL` for `== nil` / `!= nil`.
    public static func != (lhs: SQLExpression, rhs: _OptionalNilComparisonType) -> SQLExpression<Bool> {
        SQLExpression<Bool>(.isNull(lhs.node, negated: true))
    }
    /// An untyped expression with any value.
    public static func < <T: SQLValueConvertible>(lhs: SQLExpression, rhs: T) -> SQLExpression<Bool> {
        compareValue(.less, lhs.node, rhs.sqlValue)
    }
    /// An untyped expression with an expression of any type.
    public static func < <V>(lhs: SQLExpression, rhs: SQLExpression<V>) -> SQLExpression<Bool> {
        compareNodes(.less, lhs.node, rhs.node)
    }
    /// An expression of any type with an untyped one.
    public static func < <V>(lhs: SQLExpression<V>, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.less, lhs.node, rhs.node)
    }
    /// An untyped expression with any value.
    public static func <= <T: SQLValueConvertible>(lhs: SQLExpression, rhs: T) -> SQLExpression<Bool> {
        compareValue(.lessOrEqual, lhs.node, rhs.sqlValue)
    }
    /// An untyped expression with an expression of any type.
    public static func <= <V>(lhs: SQLExpression, rhs: SQLExpression<V>) -> SQLExpression<Bool> {
        compareNodes(.lessOrEqual, lhs.node, rhs.node)
    }
    /// An expression of any type with an untyped one.
    public static func <= <V>(lhs: SQLExpression<V>, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.lessOrEqual, lhs.node, rhs.node)
    }
    /// An untyped expression with any value.
    public static func > <T: SQLValueConvertible>(lhs: SQLExpression, rhs: T) -> SQLExpression<Bool> {
        compareValue(.greater, lhs.node, rhs.sqlValue)
    }
    /// An untyped expression with an expression of any type.
    public static func > <V>(lhs: SQLExpression, rhs: SQLExpression<V>) -> SQLExpression<Bool> {
        compareNodes(.greater, lhs.node, rhs.node)
    }
    /// An expression of any type with an untyped one.
    public static func > <V>(lhs: SQLExpression<V>, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.greater, lhs.node, rhs.node)
    }
    /// An untyped expression with any value.
    public static func >= <T: SQLValueConvertible>(lhs: SQLExpression, rhs: T) -> SQLExpression<Bool> {
        compareValue(.greaterOrEqual, lhs.node, rhs.sqlValue)
    }
    /// An untyped expression with an expression of any type.
    public static func >= <V>(lhs: SQLExpression, rhs: SQLExpression<V>) -> SQLExpression<Bool> {
        compareNodes(.greaterOrEqual, lhs.node, rhs.node)
    }
    /// An expression of any type with an untyped one.
    public static func >= <V>(lhs: SQLExpression<V>, rhs: SQLExpression) -> SQLExpression<Bool> {
        compareNodes(.greaterOrEqual, lhs.node, rhs.node)
    }
}

/// `lhs op value`, with `= NULL` / `!= NULL` turned into `IS [NOT] NULL`; the value is
/// bound with the type of `lhs`.
func compareValue(_ op: BinaryOperator, _ lhs: ExpressionNode, _ value: SQLValue) -> SQLExpression<Bool> {
    if value.isNull, op == .equal || op == .notEqual {
        return SQLExpression(.isNull(lhs, negated: op == .notEqual))
    }
    return SQLExpression(.binary(op, lhs, .bind(BoundValue(value, type: lhs.sqlType))))
}

/// `lhs op rhs`, with a NULL keyword on either side turned into `IS [NOT] NULL`.
func compareNodes(_ op: BinaryOperator, _ lhs: ExpressionNode, _ rhs: ExpressionNode) -> SQLExpression<Bool> {
    if op == .equal || op == .notEqual {
        if case .keyword(.null) = rhs { return SQLExpression(.isNull(lhs, negated: op == .notEqual)) }
        if case .keyword(.null) = lhs { return SQLExpression(.isNull(rhs, negated: op == .notEqual)) }
    }
    return SQLExpression(.binary(op, lhs, rhs.coerced(to: lhs.sqlType)))
}

extension SQLExpression {
    /// `IS DISTINCT FROM` (NULL-safe inequality).
    public func isDistinctFrom(_ other: some SQLExpressible) -> SQLExpression<Bool> {
        SQLExpression<Bool>(.binary(.isDistinctFrom, node, other.sqlExpression(as: node.sqlType).node))
    }

    /// `IS NOT DISTINCT FROM` (NULL-safe equality).
    public func isNotDistinctFrom(_ other: some SQLExpressible) -> SQLExpression<Bool> {
        SQLExpression<Bool>(.binary(.isNotDistinctFrom, node, other.sqlExpression(as: node.sqlType).node))
    }

    /// Any infix operator, spelled verbatim: `data.op("->>", "name")` is `data ->> ?`.
    public func op(_ sqlOperator: String, _ other: some SQLExpressible) -> SQLExpression<Untyped> {
        SQLExpression<Untyped>(.binary(.custom(sqlOperator), node, other.sqlExpression(as: nil).node))
    }
}
