/// Arithmetic on numeric expressions, and `+` as string concatenation (`||`) on
/// textual ones.
///
/// ```swift
/// let price = books.column("price", as: Double.self)
/// price * 1.2                         // books.price * ?
/// books.c.pages + books.c.extra       // books.pages + books.extra
/// authors.c.first + " " + authors.c.last   // authors.first || ? || authors.last (text columns)
/// -price                              // -books.price
/// ```
extension SQLExpression where Value: SQLNumericValue {
    /// Addition: `a + b`.
    public static func + (lhs: SQLExpression, rhs: Value) -> SQLExpression { arithmetic(.add, lhs.node, rhs) }
    /// Subtraction: `a - b`.
    public static func - (lhs: SQLExpression, rhs: Value) -> SQLExpression { arithmetic(.subtract, lhs.node, rhs) }
    /// Multiplication: `a * b`.
    public static func * (lhs: SQLExpression, rhs: Value) -> SQLExpression { arithmetic(.multiply, lhs.node, rhs) }
    /// Division: `a / b`.
    public static func / (lhs: SQLExpression, rhs: Value) -> SQLExpression { arithmetic(.divide, lhs.node, rhs) }
    /// Remainder: `a % b`.
    public static func % (lhs: SQLExpression, rhs: Value) -> SQLExpression { arithmetic(.modulo, lhs.node, rhs) }
    /// Addition: `a + b`.
    public static func + (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression { SQLExpression(.binary(.add, lhs.node, rhs.node)) }
    /// Subtraction: `a - b`.
    public static func - (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression { SQLExpression(.binary(.subtract, lhs.node, rhs.node)) }
    /// Multiplication: `a * b`.
    public static func * (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression { SQLExpression(.binary(.multiply, lhs.node, rhs.node)) }
    /// Division: `a / b`.
    public static func / (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression { SQLExpression(.binary(.divide, lhs.node, rhs.node)) }
    /// Remainder: `a % b`.
    public static func % (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression { SQLExpression(.binary(.modulo, lhs.node, rhs.node)) }
    /// `-x`.
    public static prefix func - (operand: SQLExpression) -> SQLExpression { SQLExpression(.unary(.negative, operand.node)) }
}

extension SQLExpression where Value == String {
    /// Concatenation: `a || b`.
    public static func + (lhs: SQLExpression, rhs: String) -> SQLExpression {
        SQLExpression(.binary(.concat, lhs.node, .bind(BoundValue(.text(rhs), type: lhs.node.sqlType))))
    }
    /// Concatenation: `a || b`.
    public static func + (lhs: SQLExpression, rhs: SQLExpression) -> SQLExpression { SQLExpression(.binary(.concat, lhs.node, rhs.node)) }
}

extension SQLExpression where Value == Untyped {
    /// `+`, or `||` when the left side is a textual column.
    public static func + <T: SQLValueConvertible>(lhs: SQLExpression, rhs: T) -> SQLExpression {
        SQLExpression(.binary(lhs.node.additionOperator(with: rhs.sqlValue), lhs.node, .bind(BoundValue(rhs.sqlValue, type: lhs.node.sqlType))))
    }
    /// Subtraction: `a - b`.
    public static func - <T: SQLValueConvertible>(lhs: SQLExpression, rhs: T) -> SQLExpression { arithmeticUntyped(.subtract, lhs.node, rhs) }
    /// Multiplication: `a * b`.
    public static func * <T: SQLValueConvertible>(lhs: SQLExpression, rhs: T) -> SQLExpression { arithmeticUntyped(.multiply, lhs.node, rhs) }
    /// Division: `a / b`.
    public static func / <T: SQLValueConvertible>(lhs: SQLExpression, rhs: T) -> SQLExpression { arithmeticUntyped(.divide, lhs.node, rhs) }
    /// Remainder: `a % b`.
    public static func % <T: SQLValueConvertible>(lhs: SQLExpression, rhs: T) -> SQLExpression { arithmeticUntyped(.modulo, lhs.node, rhs) }
    /// `+`, or `||` when the left side is a textual column.
    public static func + <V>(lhs: SQLExpression, rhs: SQLExpression<V>) -> SQLExpression {
        let op: BinaryOperator = (lhs.node.sqlType?.isTextual ?? false) || (rhs.node.sqlType?.isTextual ?? false) ? .concat : .add
        return SQLExpression(.binary(op, lhs.node, rhs.node))
    }
    /// Subtraction: `a - b`.
    public static func - <V>(lhs: SQLExpression, rhs: SQLExpression<V>) -> SQLExpression { SQLExpression(.binary(.subtract, lhs.node, rhs.node)) }
    /// Multiplication: `a * b`.
    public static func * <V>(lhs: SQLExpression, rhs: SQLExpression<V>) -> SQLExpression { SQLExpression(.binary(.multiply, lhs.node, rhs.node)) }
    /// Division: `a / b`.
    public static func / <V>(lhs: SQLExpression, rhs: SQLExpression<V>) -> SQLExpression { SQLExpression(.binary(.divide, lhs.node, rhs.node)) }
    /// Remainder: `a % b`.
    public static func % <V>(lhs: SQLExpression, rhs: SQLExpression<V>) -> SQLExpression { SQLExpression(.binary(.modulo, lhs.node, rhs.node)) }
    /// `-x`.
    public static prefix func - (operand: SQLExpression) -> SQLExpression { SQLExpression(.unary(.negative, operand.node)) }
}

extension SQLExpression {
    /// String concatenation, `self || other`, whatever the types.
    public func concat(_ other: some SQLExpressible) -> SQLExpression<String> {
        SQLExpression<String>(.binary(.concat, node, other.sqlExpression(as: .text).node))
    }
}

private func arithmetic<V: SQLValueConvertible>(_ op: BinaryOperator, _ lhs: ExpressionNode, _ rhs: V) -> SQLExpression<V> {
    SQLExpression(.binary(op, lhs, .bind(BoundValue(rhs.sqlValue, type: lhs.sqlType))))
}

private func arithmeticUntyped<T: SQLValueConvertible>(_ op: BinaryOperator, _ lhs: ExpressionNode, _ rhs: T) -> SQLExpression<Untyped> {
    SQLExpression(.binary(op, lhs, .bind(BoundValue(rhs.sqlValue, type: lhs.sqlType))))
}

extension ExpressionNode {
    /// `||` for text (by the column's type, or a string value with an untyped side), else `+`.
    package func additionOperator(with value: SQLValue) -> BinaryOperator {
        if let t = sqlType { return t.isTextual ? .concat : .add }
        if case .text = value { return .concat }
        return .add
    }
}
