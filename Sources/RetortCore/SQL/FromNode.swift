import Foundation

/// What a FROM clause is built of: tables, aliases, subqueries, CTE references and
/// joins. Like ``ExpressionNode`` its equality is structural and ignores bound values.
package enum FromNode: Sendable, Hashable {
    case table(Table)
    /// `authors AS a`.
    indirect case alias(FromNode, AliasName)
    /// `(SELECT ...) AS name`, optionally LATERAL.
    indirect case subquery(QueryNode, AliasName, lateral: Bool)
    /// A reference to a common table expression, rendered by name; its definition is
    /// hoisted into the statement's WITH clause.
    indirect case cte(CommonTableExpression)
    indirect case join(JoinNode)
    /// `(VALUES (...), (...)) AS name (columns)`: rows of values used as a table.
    indirect case values(ValuesNode)

    /// What identifies this element within one statement: a table by identity, the
    /// others by the name they are rendered with.
    package var identity: FromIdentity {
        switch self {
        case .table(let t): return .table(ObjectIdentifier(t))
        case .alias(_, let name), .subquery(_, let name, _): return name.identity
        case .values(let v): return v.name.identity
        case .cte(let c): return .named(c.name)
        case .join(let j): return .join(j.left.identity, j.right.identity)
        }
    }

    /// The table beneath aliases (for foreign-key inference).
    package var underlyingTable: Table? {
        switch self {
        case .table(let t): return t
        case .alias(let inner, _): return inner.underlyingTable
        default: return nil
        }
    }

    /// The elements a join covers (itself for anything else), left to right.
    package var flattened: [FromNode] {
        if case .join(let j) = self { return j.left.flattened + j.right.flattened }
        return [self]
    }

    /// Column names this element exports and their types, in order; nil when unknown.
    package var exportedColumns: [(name: String, type: SQLType?)]? {
        switch self {
        case .table(let t): return t.columns.map { ($0.name, $0.type) }
        case .alias(let inner, _): return inner.exportedColumns
        case .subquery(let q, _, _): return q.exportedColumns
        case .values(let v): return zip(v.columns, v.types).map { ($0, $1) }
        case .cte(let c):
            if let names = c.columnNames {
                let types = c.query.exportedColumns ?? []
                return names.enumerated().map { i, n in (n, i < types.count ? types[i].type : nil) }
            }
            return c.query.exportedColumns
        case .join(let j):
            guard let l = j.left.exportedColumns, let r = j.right.exportedColumns else { return nil }
            return l + r
        }
    }

    /// A name for messages.
    package var displayName: String {
        switch self {
        case .table(let t): return t.fullName
        case .alias(_, let n), .subquery(_, let n, _): return n.display
        case .values(let v): return v.name.display
        case .cte(let c): return c.name
        case .join(let j): return j.left.displayName + " JOIN " + j.right.displayName
        }
    }
}

/// The rows of a ``values(_:name:rows:)`` FROM element, with its column names and types.
package struct ValuesNode: Sendable, Hashable {
    package var name: AliasName
    package var columns: [String]
    package var types: [SQLType?]
    package var rows: [[ExpressionNode]]
}

/// How a FROM element is identified inside one statement.
package indirect enum FromIdentity: Hashable, Sendable {
    case table(ObjectIdentifier)
    case named(String)
    case anonymous(UInt64)
    case join(FromIdentity, FromIdentity)
}

/// The name of an alias or subquery: given, or anonymous (numbered `anon_1`, or
/// `authors_1` for a table alias, when compiled).
package enum AliasName: Sendable, Hashable {
    case named(String)
    case anonymous(id: UInt64, base: String)

    package var identity: FromIdentity {
        switch self {
        case .named(let n): return .named(n)
        case .anonymous(let id, _): return .anonymous(id)
        }
    }

    package var display: String {
        switch self {
        case .named(let n): return n
        case .anonymous(_, let base): return base + "_<anonymous>"
        }
    }

    /// A fresh anonymous name. Each call is distinct, so two anonymous subqueries never
    /// merge; reusing one value reuses its name.
    package static func anonymous(_ base: String) -> AliasName {
        .anonymous(id: AnonymousCounter.next(), base: base)
    }
}

/// Process-wide counter for anonymous aliases.
enum AnonymousCounter {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var value: UInt64 = 0
    static func next() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        value &+= 1
        return value
    }
}

/// The kinds of join.
public enum JoinKind: Sendable, Hashable {
    /// `JOIN`
    case inner
    /// `LEFT OUTER JOIN`
    case left
    /// `RIGHT OUTER JOIN`
    case right
    /// `FULL OUTER JOIN`
    case full
    /// `CROSS JOIN` (no ON clause)
    case cross
}

package struct JoinNode: Sendable, Hashable {
    package var left: FromNode
    package var right: FromNode
    /// Nil: inferred from the foreign keys between the two sides when compiled.
    package var on: ExpressionNode?
    package var kind: JoinKind
}

/// A SELECT or a compound select: anything that returns rows and can be a subquery.
package indirect enum QueryNode: Sendable, Hashable {
    case select(Select)
    case compound(CompoundSelect)

    /// The result column names and types, in order (nil entries are unnamed
    /// expressions); nil when a `*` makes them unknown.
    package var exportedColumns: [(name: String, type: SQLType?)]? {
        switch self {
        case .select(let s):
            var out: [(String, SQLType?)] = []
            for c in s.columns {
                switch c {
                case .star(let from):
                    guard let from, let cols = from.exportedColumns else { return nil }
                    out += cols
                default:
                    if let name = c.resultName { out.append((name, c.sqlType)) }
                }
            }
            return out
        case .compound(let c):
            return c.selects.first?.exportedColumns
        }
    }

    package var hasOrderOrLimit: Bool {
        switch self {
        case .select(let s): return !s.orderBy.isEmpty || s.limit != nil || s.offset != nil
        case .compound(let c): return !c.orderBy.isEmpty || c.limit != nil || c.offset != nil
        }
    }
}

/// `WITH name [(columns)] AS (query)`.
package struct CommonTableExpression: Sendable, Hashable {
    package var name: String
    package var query: QueryNode
    package var recursive: Bool
    package var columnNames: [String]?
    /// `AS MATERIALIZED` / `AS NOT MATERIALIZED` (PostgreSQL).
    package var materialized: Bool?
}
