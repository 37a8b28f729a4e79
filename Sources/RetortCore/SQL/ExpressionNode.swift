/// The expression tree every SQL expression builds into and the compiler visits: one
/// small intermediate form, one case per construct.
///
/// Equality and hashing are *structural and ignore bound values* (see ``BoundValue``):
/// two trees that differ only in the values they bind compile to the same SQL, which
/// is what the compiled-statement cache keys on.
///
/// Every case but ``column(_:)`` is `indirect`; a column is a ``ColumnReference``
/// object. Each payload is then one reference, so a node is one word and copying it is
/// one retain, as for an all-indirect enum; but reading a column (the cache walks every
/// column of a statement on each execution) borrows the object's fields instead of
/// copying the whole reference, name and type, out of a box.
package enum ExpressionNode: Sendable, Hashable {
    /// A column of a FROM element, or an unbound `column("name")` (no `from`).
    case column(ColumnReference)
    /// A value fixed when the statement was built, always sent as a bound parameter.
    indirect case bind(BoundValue)
    /// A parameter supplied by name at execution: `bindParameter("id")`.
    indirect case parameter(name: String, type: SQLType?)
    /// NULL, TRUE, FALSE and friends.
    indirect case keyword(SQLKeyword)
    /// SQL text used verbatim, without parameters: `literalColumn("x")`.
    indirect case raw(String, type: SQLType?)
    /// `text("...")` with `:name` parameters, inside an expression.
    indirect case text(TextClause)
    indirect case unary(UnaryOperator, ExpressionNode)
    indirect case binary(BinaryOperator, ExpressionNode, ExpressionNode)
    /// LIKE / ILIKE with an optional ESCAPE character.
    indirect case like(ExpressionNode, pattern: ExpressionNode, caseInsensitive: Bool, negated: Bool, escape: Character?)
    /// AND / OR over any number of terms (none: TRUE for AND, FALSE for OR).
    indirect case conjunction(Conjunction, [ExpressionNode])
    /// `x IN (a, b)` over expressions; an empty list compiles to a condition that is
    /// always false (true when negated).
    indirect case inList(ExpressionNode, [ExpressionNode], negated: Bool)
    /// `x IN (values...)` over one *expanding* parameter: the list's length is not part
    /// of the shape; it becomes as many parameters (or one array) at execution.
    indirect case inExpanding(ExpressionNode, ExpandingList, negated: Bool)
    /// `x IN (SELECT ...)`.
    indirect case inQuery(ExpressionNode, QueryNode, negated: Bool)
    indirect case between(ExpressionNode, ExpressionNode, ExpressionNode, negated: Bool)
    indirect case isNull(ExpressionNode, negated: Bool)
    indirect case function(FunctionCall)
    /// `f(...) OVER (...)`.
    indirect case window(ExpressionNode, WindowSpecification)
    indirect case caseWhen(CaseExpression)
    indirect case cast(ExpressionNode, SQLType)
    indirect case label(ExpressionNode, String)
    /// `(SELECT ...)` used as a value.
    indirect case scalarSubquery(QueryNode)
    indirect case exists(QueryNode, negated: Bool)
    /// `x op ANY (...)` / `x op ALL (...)`: a comparison with every value of a list
    /// or a subquery.
    indirect case quantified(ExpressionNode, BinaryOperator, Quantifier, QuantifiedOperand)
    /// Parentheses the user asked for: `(x)`.
    indirect case grouping(ExpressionNode)
    /// `(a, b, c)`.
    indirect case tuple([ExpressionNode])
    /// `*` or `table.*`.
    indirect case star(FromNode?)
    /// `excluded.column` in an upsert's DO UPDATE.
    indirect case excluded(String)
    indirect case collate(ExpressionNode, String)
    /// A construct that cannot compile; the message is raised as an ``ArgumentError`` by
    /// the compiler (e.g. a column a table does not have).
    indirect case invalid(String)
}

/// A reference to a column through a FROM element.
///
/// A column of a table is identified by the table and its position, so comparing
/// and hashing (the statement cache does both on every execution) touch no strings.
///
/// A class, and immutable: an expression tree holds it by reference (see
/// ``ExpressionNode``), so the walks over a tree read its fields in place.
package final class ColumnReference: Sendable, Hashable {
    /// The table, alias, subquery or CTE the column belongs to; nil for `column("x")`.
    package let from: FromNode?
    package let name: String
    package let type: SQLType?
    /// The column's position in its table (-1 when not a table's column).
    package let position: Int

    package init(from: FromNode?, name: String, type: SQLType?, position: Int = -1) {
        self.from = from
        self.name = name
        self.type = type
        self.position = position
    }

    /// The same column reached through another FROM element.
    package func with(from: FromNode?) -> ColumnReference {
        ColumnReference(from: from, name: name, type: type, position: position)
    }

    package static func == (a: ColumnReference, b: ColumnReference) -> Bool {
        if a === b { return true }
        guard a.position == b.position, a.from == b.from else { return false }
        // A table's column is its position: the name and type follow from the table.
        return a.position >= 0 || (a.name == b.name && a.type == b.type)
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(from)
        hasher.combine(position)
        if position < 0 { hasher.combine(name) }
    }
}

/// A value bound as a parameter, with the type it is processed as.
///
/// `==` and `hash(into:)` deliberately ignore ``value`` (and ``slot``): they describe the
/// statement's *shape*. Compare values through ``value`` directly. An ``inline`` value
/// is written into the SQL as a literal (where SQL needs a constant, like the predicate
/// of an ON CONFLICT target), so it *is* part of the shape.
package struct BoundValue: Sendable, Hashable {
    package var value: SQLValue
    package var type: SQLType?
    /// Set on the copy of a statement compiled into a cache template: which extracted
    /// value this placeholder takes. -1 elsewhere.
    package var slot: Int = -1
    /// Written as a literal rather than bound.
    package var inline: Bool = false

    package init(_ value: SQLValue, type: SQLType?) {
        self.value = value
        self.type = type
    }

    /// The value as sent to the database: processed by its type, when it has one.
    package func processed(by types: TypeCompiler) -> SQLValue {
        type.map { types.processBind(value, $0) } ?? value
    }

    package static func == (lhs: BoundValue, rhs: BoundValue) -> Bool {
        lhs.type == rhs.type && lhs.inline == rhs.inline && (!lhs.inline || lhs.value == rhs.value)
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(inline)
        if inline { hasher.combine(value) }
    }
}

/// The values of an expanding IN: fixed when the statement was built (`in([1, 2])`),
/// or supplied by name at execution (`in(bindParameter("ids", expanding: true))`).
///
/// Like ``BoundValue``, `==` and `hash(into:)` ignore the values (unless inline), so
/// `id.in([1])` and `id.in([1, 2, 3])` are one shape and share one cached template.
package struct ExpandingList: Sendable, Hashable {
    package var values: [SQLValue]
    /// Set for `bindParameter(name, expanding: true)`: the values come from the parameters.
    package var name: String?
    /// The type each value is processed as (the type of the left-hand side).
    package var type: SQLType?
    /// As ``BoundValue/slot``: which extracted list a cache template reads. -1 elsewhere.
    package var slot: Int = -1
    /// Written as literals rather than bound.
    package var inline: Bool = false

    package init(values: [SQLValue], type: SQLType?) {
        self.values = values
        self.type = type
    }

    /// The values as sent to the database: processed by the list's type, when it has one.
    package func processed(by types: TypeCompiler) -> [SQLValue] {
        type.map { t in values.map { types.processBind($0, t) } } ?? values
    }

    package init(parameter name: String, type: SQLType?) {
        self.values = []
        self.name = name
        self.type = type
    }

    package static func == (lhs: ExpandingList, rhs: ExpandingList) -> Bool {
        lhs.name == rhs.name && lhs.type == rhs.type && lhs.inline == rhs.inline
            && (!lhs.inline || lhs.values == rhs.values)
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(type)
        hasher.combine(inline)
        if inline { hasher.combine(values) }
    }
}

/// Marks every bound value of a tree to be written inline, as a literal.
package struct InlineMarker: BindVisitor {
    package static var rewrites: Bool { true }
    package init() {}
    package mutating func visit(_ value: inout BoundValue) { value.inline = true }
    package mutating func visit(_ list: inout ExpandingList) { list.inline = true }
}

extension ExpressionNode {
    /// The same tree with its values written as literals.
    package var inlined: ExpressionNode {
        var copy = self
        var marker = InlineMarker()
        copy.walkBinds(&marker)
        return copy
    }
}

/// SQL keywords usable as values.
package enum SQLKeyword: Sendable, Hashable {
    case null, `true`, `false`, currentTimestamp, currentDate, currentTime, `default`
}

package enum UnaryOperator: Sendable, Hashable {
    case not, negative, distinct, bitwiseNot
}

package enum Conjunction: Sendable, Hashable {
    case and, or
}

/// Binary operators, with their SQL spelling and precedence.
package enum BinaryOperator: Sendable, Hashable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
    case isDistinctFrom, isNotDistinctFrom
    case add, subtract, multiply, divide, modulo, concat
    case bitwiseAnd, bitwiseOr
    /// Any other infix operator, spelled verbatim: `op("->>")`.
    case custom(String)

    /// The SQL spelling (`=`, `<>`... SQLAlchemy spells not-equal `!=`).
    package var sql: String {
        switch self {
        case .equal: return "="
        case .notEqual: return "!="
        case .less: return "<"
        case .lessOrEqual: return "<="
        case .greater: return ">"
        case .greaterOrEqual: return ">="
        case .isDistinctFrom: return "IS DISTINCT FROM"
        case .isNotDistinctFrom: return "IS NOT DISTINCT FROM"
        case .add: return "+"
        case .subtract: return "-"
        case .multiply: return "*"
        case .divide: return "/"
        case .modulo: return "%"
        case .concat: return "||"
        case .bitwiseAnd: return "&"
        case .bitwiseOr: return "|"
        case .custom(let s): return s
        }
    }

    /// The comparison that is this one's negation (`=` for `!=`), for `!` on a comparison.
    package var negated: BinaryOperator? {
        switch self {
        case .equal: return .notEqual
        case .notEqual: return .equal
        case .less: return .greaterOrEqual
        case .lessOrEqual: return .greater
        case .greater: return .lessOrEqual
        case .greaterOrEqual: return .less
        case .isDistinctFrom: return .isNotDistinctFrom
        case .isNotDistinctFrom: return .isDistinctFrom
        default: return nil
        }
    }

    /// True for the operators that yield a boolean.
    package var isComparison: Bool { negated != nil }

    /// True when `a op (b op c)` equals `(a op b) op c`, so a right operand with the
    /// same operator needs no parentheses... only on the left.
    package var isAssociative: Bool {
        switch self {
        case .add, .multiply, .concat, .bitwiseAnd, .bitwiseOr: return true
        default: return false
        }
    }

    package var precedence: Precedence {
        switch self {
        case .multiply, .divide, .modulo: return .multiplicative
        case .add, .subtract: return .additive
        case .concat: return .concat
        case .bitwiseAnd, .bitwiseOr: return .bitwise
        case .custom: return .custom
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .isDistinctFrom, .isNotDistinctFrom:
            return .comparison
        }
    }
}

/// Operator binding strength, tightest last: a child that binds less tightly than its
/// parent is parenthesised.
///
/// The levels follow SQLAlchemy's precedence table (`sql/operators.py`), folded where
/// SQLite and PostgreSQL disagree so that one rule is right on both: every comparison
/// (`=`, `<`, `IS [NOT] DISTINCT FROM`, LIKE, IN, BETWEEN, IS NULL) is one level, and
/// since the two databases order those differently among themselves (PostgreSQL puts
/// IS below `=` and LIKE above it; SQLite puts `<` above `=`), a comparison is never
/// an unparenthesised operand of another. `||` binds tighter than `*` on SQLite and
/// looser than `+` on PostgreSQL, so it never mixes unparenthesised with arithmetic;
/// custom operators (`->>`, `@>`) and prefix `~` are always grouped. See
/// ``SQLCompiler/needsGrouping(_:of:operator:right:)``.
package enum Precedence: Int, Comparable, Sendable {
    case lowest = 0
    case or, and, not
    case comparison  // = < > IS LIKE IN BETWEEN
    case bitwise
    case custom
    case concat
    case additive
    case multiplicative
    case unary
    case atom

    package static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }

    /// True for the levels whose operators do not chain (`a = b = c`) or whose
    /// members the databases order differently: an operand at the same level is grouped.
    package var groupsSameLevel: Bool { self == .comparison || self == .custom }
}

/// `name(args)` with the aggregate modifiers SQL allows.
package struct FunctionCall: Sendable, Hashable {
    package var name: String
    package var arguments: [ExpressionNode]
    /// `count(*)`: the argument list is a star.
    package var star: Bool = false
    /// `f(DISTINCT ...)`.
    package var distinct: Bool = false
    /// `FILTER (WHERE ...)`.
    package var filter: ExpressionNode? = nil
    /// `agg(x ORDER BY y)` / `WITHIN GROUP` is not modelled; ORDER BY inside the call.
    package var orderBy: [OrderingTerm] = []
    /// The SQL type of the result, when known.
    package var type: SQLType? = nil
    /// How the dialect should spell it (e.g. `now()` is `CURRENT_TIMESTAMP` on SQLite).
    package var known: KnownFunction? = nil
}

/// `ANY` (some value satisfies the comparison) or `ALL` (every value does).
package enum Quantifier: String, Sendable, Hashable {
    case any = "ANY", all = "ALL"
}

/// What ANY / ALL ranges over.
package enum QuantifiedOperand: Sendable, Hashable {
    /// Values bound as one list (one array parameter on PostgreSQL).
    case list(ExpandingList)
    case query(QueryNode)
}

/// Functions whose spelling differs between dialects.
package enum KnownFunction: Sendable, Hashable {
    case now, length, random, charLength, groupConcat
    /// A sequence's next value: the call's `name` is the sequence's, its one optional
    /// argument (`.raw`) the schema.
    case nextValue
}

/// `CASE [value] WHEN ... THEN ... [ELSE ...] END`.
package struct CaseExpression: Sendable, Hashable {
    package var value: ExpressionNode?
    package var whens: [When]
    package var otherwise: ExpressionNode?

    package struct When: Sendable, Hashable {
        package var condition: ExpressionNode
        package var result: ExpressionNode
    }
}

/// `OVER (PARTITION BY ... ORDER BY ... ROWS ...)`.
package struct WindowSpecification: Sendable, Hashable {
    package var partitionBy: [ExpressionNode] = []
    package var orderBy: [OrderingTerm] = []
    package var frame: WindowFrame? = nil
}

/// ASC / DESC.
public enum OrderDirection: Sendable, Hashable {
    case ascending, descending
}

/// NULLS FIRST / NULLS LAST.
public enum NullsOrder: Sendable, Hashable {
    case first, last
}
