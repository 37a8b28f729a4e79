/// What Oracle before 23ai and SQL Server share: booleans are numbers (`NUMBER(1)`,
/// `BIT`), so a boolean *value* cannot stand where SQL wants a condition. `WHERE
/// active` is `WHERE active = 1` there, `WHERE NOT active` is `WHERE active = 0`, as
/// SQLAlchemy writes them; comparisons, LIKE, IN, EXISTS and the rest are conditions
/// already and are written as they are.
extension SQLCompiler {
    /// Writes `e` as a condition on a database whose booleans are numbers.
    func visitNumericBooleanCondition(_ e: ExpressionNode, _ context: Precedence) throws {
        if e.isBooleanValue {
            try visit(.binary(.equal, e, .raw("1", type: .integer)), context)
        } else if case .unary(.not, let operand) = e, operand.isBooleanValue {
            try visit(.binary(.equal, operand, .raw("0", type: .integer)), context)
        } else {
            try visit(e, context)
        }
    }
}

extension ExpressionNode {
    /// A value of boolean type that is not itself a condition: a boolean column, bound
    /// value, TRUE / FALSE, function result, CAST, CASE or subquery.
    var isBooleanValue: Bool {
        guard sqlType == .boolean else { return false }
        switch self {
        case .column, .bind, .parameter, .keyword, .function, .cast, .caseWhen, .scalarSubquery: return true
        case .label(let e, _), .grouping(let e), .collate(let e, _): return e.isBooleanValue
        default: return false
        }
    }
}
