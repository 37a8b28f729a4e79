import Foundation
import RetortTestSupport
import RetortCore

/// The static kind of a generated expression: what a SQL user means it to be.
enum ExprKind: String, CaseIterable {
    case int, real, dec, text, bool

    var isNumeric: Bool { self == .int || self == .real || self == .dec }
}

enum ArithOp: String { case add = "+", sub = "-", mul = "*", div = "/", mod = "%" }
enum CmpOp: String, CaseIterable { case eq = "=", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=" }

/// A generated expression tree, kept alongside the Retort expression it builds so that
/// the Swift evaluator (``ExpressionEvaluator``) can compute the expected answer.
indirect enum GenExpr: CustomStringConvertible {
    case column(String, ExprKind)
    case value(SQLValue, ExprKind)
    case arith(ArithOp, GenExpr, GenExpr, ExprKind)
    case neg(GenExpr, ExprKind)
    case compare(CmpOp, GenExpr, GenExpr)
    /// `column op value`: the API's overload that binds the value as the column's type.
    case compareValue(CmpOp, GenExpr, SQLValue)
    case and(GenExpr, GenExpr), or(GenExpr, GenExpr), not(GenExpr)
    case like(GenExpr, String, negated: Bool)
    case inValues(GenExpr, [SQLValue], negated: Bool)
    case between(GenExpr, GenExpr, GenExpr)
    case notBetween(GenExpr, GenExpr, GenExpr)
    case isNull(GenExpr, negated: Bool)
    case caseWhen([(GenExpr, GenExpr)], GenExpr?, ExprKind)
    case coalesce(GenExpr, GenExpr, ExprKind)
    case cast(GenExpr, ExprKind)
    case concat(GenExpr, GenExpr)

    var kind: ExprKind {
        switch self {
        case .column(_, let k), .value(_, let k), .arith(_, _, _, let k), .neg(_, let k),
             .caseWhen(_, _, let k), .coalesce(_, _, let k), .cast(_, let k):
            return k
        case .concat: return .text
        default: return .bool
        }
    }

    /// True for a bare NULL literal (PostgreSQL cannot type `NULL + NULL` or `-NULL`).
    var isNullLiteral: Bool {
        if case .value(.null, _) = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .column(let n, _): return n
        case .value(let v, let k): return "\(v):\(k)"
        case .arith(let op, let l, let r, _): return "(\(l) \(op.rawValue) \(r))"
        case .neg(let e, _): return "(-\(e))"
        case .compare(let op, let l, let r): return "(\(l) \(op.rawValue) \(r))"
        case .compareValue(let op, let l, let v): return "(\(l) \(op.rawValue) value \(v))"
        case .and(let l, let r): return "(\(l) AND \(r))"
        case .or(let l, let r): return "(\(l) OR \(r))"
        case .not(let e): return "(NOT \(e))"
        case .like(let e, let p, let n): return "(\(e) \(n ? "NOT LIKE" : "LIKE") '\(p)')"
        case .inValues(let e, let vs, let n): return "(\(e) \(n ? "NOT IN" : "IN") \(vs))"
        case .between(let x, let lo, let hi): return "(\(x) BETWEEN \(lo) AND \(hi))"
        case .notBetween(let x, let lo, let hi): return "(NOT (\(x) BETWEEN \(lo) AND \(hi)))"
        case .isNull(let e, let n): return "(\(e) \(n ? "IS NOT NULL" : "IS NULL"))"
        case .caseWhen(let ws, let e, _):
            return "(CASE" + ws.map { " WHEN \($0.0) THEN \($0.1)" }.joined() + (e.map { " ELSE \($0)" } ?? "") + " END)"
        case .coalesce(let a, let b, _): return "coalesce(\(a), \(b))"
        case .cast(let e, let k): return "CAST(\(e) AS \(k))"
        case .concat(let a, let b): return "(\(a) || \(b))"
        }
    }

    /// The Retort expression, built through the public API as a user would.
    var sql: SQLExpression<Untyped> {
        switch self {
        case .column(let name, _): return DifferentialTable.table.c[name]
        case .value(let v, _): return v.isNull ? null() : literal(v).untyped
        case .arith(let op, let l, let r, _):
            switch op {
            case .add: return l.sql + r.sql
            case .sub: return l.sql - r.sql
            case .mul: return l.sql * r.sql
            case .div: return l.sql / r.sql
            case .mod: return l.sql % r.sql
            }
        case .neg(let e, _): return -e.sql
        case .compare(let op, let l, let r):
            switch op {
            case .eq: return (l.sql == r.sql).untyped
            case .ne: return (l.sql != r.sql).untyped
            case .lt: return (l.sql < r.sql).untyped
            case .le: return (l.sql <= r.sql).untyped
            case .gt: return (l.sql > r.sql).untyped
            case .ge: return (l.sql >= r.sql).untyped
            }
        case .compareValue(let op, let l, let v):
            switch op {
            case .eq: return (l.sql == v).untyped
            case .ne: return (l.sql != v).untyped
            case .lt: return (l.sql < v).untyped
            case .le: return (l.sql <= v).untyped
            case .gt: return (l.sql > v).untyped
            case .ge: return (l.sql >= v).untyped
            }
        case .and(let l, let r): return (l.sql && r.sql).untyped
        case .or(let l, let r): return (l.sql || r.sql).untyped
        case .not(let e): return RetortCore.not(e.sql).untyped
        case .like(let e, let p, let n): return (n ? e.sql.notLike(p) : e.sql.like(p)).untyped
        case .inValues(let e, let vs, let n): return (n ? e.sql.notIn(vs) : e.sql.in(vs)).untyped
        case .between(let x, let lo, let hi): return x.sql.between(lo.sql, hi.sql).untyped
        case .notBetween(let x, let lo, let hi): return RetortCore.not(x.sql.between(lo.sql, hi.sql)).untyped
        case .isNull(let e, let n): return (n ? e.sql.isNotNull() : e.sql.isNull()).untyped
        case .caseWhen(let ws, let e, _):
            let branches = ws.map { CaseBranch.when($0.0.sql, then: $0.1.sql) }
            switch branches.count {
            case 1: return RetortCore.caseWhen(branches[0], else: e?.sql)
            default: return RetortCore.caseWhen(branches[0], branches[1], else: e?.sql)
            }
        case .coalesce(let a, let b, _): return fn.coalesce(a.sql, b.sql).untyped
        case .cast(let e, let k): return RetortCore.cast(e.sql, DifferentialTable.sqlType(k))
        case .concat(let a, let b): return a.sql.concat(b.sql).untyped
        }
    }
}

/// The small table the differential test evaluates expressions over: one column per
/// kind, every column nullable, rows chosen to hit zeros, negatives, fractions, case
/// differences and LIKE's wildcards.
enum DifferentialTable {
    static let metadata = MetaData()
    static let table = Table("diff_rows", metadata,
        Column("id", .integer, primaryKey: true),
        Column("i", .bigint),
        Column("r", .double),
        Column("d", .numeric(10, 2)),
        Column("s", .string(20)),
        Column("b", .boolean))

    static func sqlType(_ k: ExprKind) -> SQLType {
        switch k {
        case .int: return .bigint
        case .real: return .double
        case .dec: return .numeric
        case .text: return .text
        case .bool: return .boolean
        }
    }

    /// Each row as column name → value.
    static let rows: [[String: SQLValue]] = {
        let i: [SQLValue] = [0, 1, -3, 7, nil, 2, 5, -1]
        let r: [SQLValue] = [0.5, -2.25, nil, 3.0, 1.5, 0.1, 4.0, 10.75]
        let decimals: [String?] = ["2.50", "3", nil, "-1.25", "0.10", "100.00", "0", "7.75"]
        let d = decimals.map { $0.map { SQLValue.decimal(Decimal(string: $0)!) } ?? .null }
        let s: [SQLValue] = ["apple", "Banana", nil, "cat", "", "a_b", "AbC", "zeta"]
        let b: [SQLValue] = [true, false, nil, true, false, nil, true, false]
        return (0..<8).map { n in
            ["id": .integer(Int64(n + 1)), "i": i[n], "r": r[n], "d": d[n], "s": s[n], "b": b[n]]
        }
    }()
}

/// Builds random, well-typed expression trees of a given kind.
struct ExpressionGenerator {
    var rng: SeededGenerator
    let maxDepth: Int

    static let ints: [Int64] = [-3, -1, 0, 1, 2, 3, 7]
    static let reals: [Double] = [0.5, -1.5, 2.25, 0.1, 3.0, -0.75]
    static let decimals: [String] = ["2.5", "0.1", "-3", "1.25", "0.05", "10"]
    static let texts: [String] = ["apple", "b", "cat", "", "AbC", "a_b"]
    static let patterns: [String] = ["%a%", "A%", "_a%", "%c", "%", "a_b", "b%", "%B%"]

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }
    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }

    mutating func literal(_ k: ExprKind) -> SQLValue {
        switch k {
        case .int: return .integer(pick(Self.ints))
        case .real: return .real(pick(Self.reals))
        case .dec: return .decimal(Decimal(string: pick(Self.decimals))!)
        case .text: return .text(pick(Self.texts))
        case .bool: return .bool(chance(50))
        }
    }

    mutating func leaf(_ k: ExprKind) -> GenExpr {
        if chance(8) { return .value(.null, k) }
        if chance(55) {
            let name: String
            switch k {
            case .int: name = "i"
            case .real: name = "r"
            case .dec: name = "d"
            case .text: name = "s"
            case .bool: name = "b"
            }
            return .column(name, k)
        }
        return .value(literal(k), k)
    }

    /// A non-NULL-literal operand: PostgreSQL cannot type an operator over two NULLs.
    mutating func operand(_ k: ExprKind, _ depth: Int) -> GenExpr {
        var e = generate(k, depth)
        while e.isNullLiteral { e = generate(k, depth) }
        return e
    }

    mutating func generate(_ k: ExprKind, _ depth: Int) -> GenExpr {
        if depth >= maxDepth || chance(15 + depth * 10) { return leaf(k) }
        let d = depth + 1
        switch k {
        case .bool: return generateBool(d)
        case .text:
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return .concat(operand(.text, d), generate(.text, d))
            case 1: return .cast(operand(.int, d), .text)
            default: return generateCommon(.text, d)
            }
        case .int:
            switch Int.random(in: 0..<6, using: &rng) {
            case 0, 1: return .arith(pick([.add, .sub, .mul, .div, .mod]), operand(.int, d), generate(.int, d), .int)
            case 2: return .neg(operand(.int, d), .int)
            case 3: return .cast(operand(pick([.real, .dec]), d), .int)
            default: return generateCommon(.int, d)
            }
        case .real:
            switch Int.random(in: 0..<6, using: &rng) {
            case 0, 1:
                let (l, r) = chance(50) ? (ExprKind.real, pick([ExprKind.int, .real, .dec])) : (pick([ExprKind.int, .dec]), ExprKind.real)
                return .arith(pick([.add, .sub, .mul, .div]), operand(l, d), generate(r, d), .real)
            case 2: return .neg(operand(.real, d), .real)
            case 3: return .cast(operand(pick([.int, .dec]), d), .real)
            default: return generateCommon(.real, d)
            }
        case .dec:
            switch Int.random(in: 0..<6, using: &rng) {
            case 0, 1:
                let (l, r) = chance(50) ? (ExprKind.dec, pick([ExprKind.int, .dec])) : (ExprKind.int, ExprKind.dec)
                return .arith(pick([.add, .sub, .mul]), operand(l, d), generate(r, d), .dec)
            case 2: return .neg(operand(.dec, d), .dec)
            case 3: return .cast(operand(.int, d), .dec)
            default: return generateCommon(.dec, d)
            }
        }
    }

    /// CASE and COALESCE, for any kind.
    mutating func generateCommon(_ k: ExprKind, _ d: Int) -> GenExpr {
        if chance(50) {
            // Not coalesce(NULL, NULL): PostgreSQL types that text, as it would for SQLAlchemy.
            let first = generate(k, d)
            return .coalesce(first, first.isNullLiteral ? operand(k, d) : generate(k, d), k)
        }
        var whens = [(generateBool(d), generate(k, d))]
        if chance(40) { whens.append((generateBool(d), generate(k, d))) }
        // Some branch must carry a type on PostgreSQL: not every result a bare NULL.
        if whens.allSatisfy({ $0.1.isNullLiteral }) { whens[0].1 = operand(k, d) }
        return .caseWhen(whens, chance(70) ? generate(k, d) : nil, k)
    }

    mutating func generateBool(_ d: Int) -> GenExpr {
        if d > maxDepth { return leaf(.bool) }
        switch Int.random(in: 0..<13, using: &rng) {
        case 0, 1:
            let k = pick([ExprKind.int, .real, .dec, .text])
            let other = k == .text ? k : pick([ExprKind.int, .real, .dec])
            return .compare(pick(CmpOp.allCases), operand(k, d), operand(other, d))
        case 2:
            // A boolean compared with a boolean: where a predicate on the right needs
            // its parentheses (`b = (s LIKE ?)`).
            return .compare(pick([.eq, .ne]), operand(.bool, d), operand(.bool, d))
        case 3:
            let k = pick([ExprKind.int, .real, .dec, .text])
            let column = leaf(k)
            if case .column = column {
                let v = literal(chance(70) ? k : (k == .text ? .text : pick([.int, .real, .dec])))
                return .compareValue(pick(CmpOp.allCases), column, v)
            }
            return .compare(pick(CmpOp.allCases), operand(k, d), operand(k, d))
        case 4: return .and(generate(.bool, d), generate(.bool, d))
        case 5: return .or(generate(.bool, d), generate(.bool, d))
        case 6: return .not(operand(.bool, d))
        case 7: return .like(operand(.text, d), pick(Self.patterns), negated: chance(30))
        case 8:
            let k = pick([ExprKind.int, .real, .dec, .text])
            var values = (0..<Int.random(in: 1...3, using: &rng)).map { _ in literal(k) }
            if chance(20) { values.append(.null) }
            return .inValues(operand(k, d), values, negated: chance(30))
        case 9:
            let k = pick([ExprKind.int, .real, .dec])
            let x = operand(k, d), lo = operand(pick([ExprKind.int, .real, .dec]), d), hi = operand(k, d)
            return chance(70) ? .between(x, lo, hi) : .notBetween(x, lo, hi)
        case 10:
            // A bare text parameter has no type PostgreSQL can settle on in `$1 IS NULL`
            // (as with psycopg 3, which also sends strings untyped); any other operand does.
            var x = generate(pick(ExprKind.allCases), d)
            while case .value(.text, _) = x { x = generate(pick(ExprKind.allCases), d) }
            return .isNull(x, negated: chance(40))
        default: return generateCommon(.bool, d)
        }
    }
}
