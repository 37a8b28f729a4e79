import Foundation
import RetortCore

/// A value as SQL computes it, in the evaluator.
enum EvalValue: Equatable, CustomStringConvertible {
    case null, int(Int64), real(Double), dec(Decimal), text(String), bool(Bool)

    var description: String {
        switch self {
        case .null: return "NULL"
        case .int(let i): return "\(i)"
        case .real(let d): return "\(d)r"
        case .dec(let d): return "\(d)d"
        case .text(let s): return "'\(s)'"
        case .bool(let b): return b ? "TRUE" : "FALSE"
        }
    }

    var double: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .real(let d): return d
        case .dec(let d): return Double(d.description)
        default: return nil
        }
    }
}

/// The expression cannot be compared: it divides by zero or leaves the range where
/// both databases compute exactly the same (PostgreSQL raises, SQLite returns NULL
/// or switches to floating point).
struct Undefined: Error {}

/// Where SQLite and PostgreSQL legitimately compute differently, the evaluator follows
/// the database under test.
struct EvaluationRules {
    /// LIKE ignores ASCII case (SQLite) or not (PostgreSQL).
    var likeIgnoresCase: Bool
    /// NUMERIC is exact decimal arithmetic (PostgreSQL); on SQLite a decimal is an
    /// INTEGER when whole and a REAL otherwise, and computes as one.
    var exactDecimals: Bool
    /// CAST of a fraction to an integer rounds (PostgreSQL: a float to nearest-even, a
    /// numeric half away from zero) or truncates (SQLite).
    var castRounds: Bool
    /// Booleans come back as integers 0 and 1 (SQLite).
    var booleansAreIntegers: Bool

    static let sqlite = EvaluationRules(likeIgnoresCase: true, exactDecimals: false, castRounds: false, booleansAreIntegers: true)
    static let postgresql = EvaluationRules(likeIgnoresCase: false, exactDecimals: true, castRounds: true, booleansAreIntegers: false)
}

/// Evaluates a ``GenExpr`` over one row with SQL's three-valued logic and type rules.
struct ExpressionEvaluator {
    let rules: EvaluationRules

    func value(_ v: SQLValue) -> EvalValue {
        switch v {
        case .null: return .null
        case .integer(let i): return .int(i)
        case .real(let d): return .real(d)
        case .decimal(let d): return decimal(d)
        case .text(let s): return .text(s)
        case .bool(let b): return .bool(b)
        default: fatalError("no \(v) in generated expressions")
        }
    }

    func decimal(_ d: Decimal) -> EvalValue {
        if rules.exactDecimals { return .dec(d) }
        if let i = Int64(d.description) { return .int(i) }
        return .real(Double(d.description)!)
    }

    /// Evaluates every subexpression (CASE branches not taken included, which a
    /// database may fold early), throwing ``Undefined`` when any of them is.
    func evaluate(_ e: GenExpr, _ row: [String: SQLValue]) throws -> EvalValue {
        switch e {
        case .column(let name, _): return value(row[name]!)
        case .value(let v, _): return value(v)
        case .arith(let op, let l, let r, _): return try arith(op, evaluate(l, row), evaluate(r, row))
        case .neg(let x, _):
            switch try evaluate(x, row) {
            case .int(let i): return .int(-i)
            case .real(let d): return .real(-d)
            case .dec(let d): return .dec(-d)
            default: return .null
            }
        case .compare(let op, let l, let r): return try compare(op, evaluate(l, row), evaluate(r, row))
        case .compareValue(let op, let l, let v): return try compare(op, evaluate(l, row), value(v))
        case .and(let l, let r):
            let a = try evaluate(l, row), b = try evaluate(r, row)
            if a == .bool(false) || b == .bool(false) { return .bool(false) }
            if a == .null || b == .null { return .null }
            return .bool(true)
        case .or(let l, let r):
            let a = try evaluate(l, row), b = try evaluate(r, row)
            if a == .bool(true) || b == .bool(true) { return .bool(true) }
            if a == .null || b == .null { return .null }
            return .bool(false)
        case .not(let x): return negate(try evaluate(x, row))
        case .like(let x, let p, let negated):
            guard case .text(let s) = try evaluate(x, row) else { return .null }
            let m = Self.like(Array(s.utf8), Array(p.utf8)[...], ignoringCase: rules.likeIgnoresCase)
            return .bool(m != negated)
        case .inValues(let x, let vs, let negated):
            let v = try evaluate(x, row)
            if v == .null { return .null }
            var sawNull = false
            for item in vs.map(value) {
                let eq = try compare(.eq, v, item)
                if eq == .bool(true) { return .bool(!negated) }
                if eq == .null { sawNull = true }
            }
            return sawNull ? .null : .bool(negated)
        case .between(let x, let lo, let hi), .notBetween(let x, let lo, let hi):
            let v = try evaluate(x, row)
            let a = try compare(.ge, v, evaluate(lo, row)), b = try compare(.le, v, evaluate(hi, row))
            let both: EvalValue
            if a == .bool(false) || b == .bool(false) { both = .bool(false) } else if a == .null || b == .null { both = .null } else { both = .bool(true) }
            if case .notBetween = e { return negate(both) }
            return both
        case .isNull(let x, let negated): return .bool((try evaluate(x, row) == .null) != negated)
        case .caseWhen(let whens, let otherwise, _):
            let conditions = try whens.map { try evaluate($0.0, row) }
            let results = try whens.map { try evaluate($0.1, row) }
            let fallback = try otherwise.map { try evaluate($0, row) } ?? .null
            for (c, r) in zip(conditions, results) where c == .bool(true) { return r }
            return fallback
        case .coalesce(let a, let b, _):
            let x = try evaluate(a, row), y = try evaluate(b, row)
            return x == .null ? y : x
        case .cast(let x, let k): return try cast(evaluate(x, row), k)
        case .concat(let a, let b):
            let l = try evaluate(a, row), r = try evaluate(b, row)  // both, so an undefined side is seen
            guard case .text(let x) = l, case .text(let y) = r else { return .null }
            return .text(x + y)
        }
    }

    func negate(_ v: EvalValue) -> EvalValue {
        if case .bool(let b) = v { return .bool(!b) }
        return .null
    }

    /// Integers stay within 32 bits: PostgreSQL computes `$1 * $2` over two `integer`
    /// parameters in 32 bits, as over two literals, where SQLite would go on in 64.
    func checked(_ i: Int64) throws -> EvalValue {
        guard abs(i) <= Int64(Int32.max) else { throw Undefined() }
        return .int(i)
    }

    func checked(_ d: Double) throws -> EvalValue {
        guard d.isFinite, abs(d) < 1e15 else { throw Undefined() }
        return .real(d)
    }

    func arith(_ op: ArithOp, _ a: EvalValue, _ b: EvalValue) throws -> EvalValue {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case (.int(let x), .int(let y)):
            switch op {
            case .add: return try checked(x + y)
            case .sub: return try checked(x - y)
            case .mul:
                let (p, o) = x.multipliedReportingOverflow(by: y)
                if o { throw Undefined() }
                return try checked(p)
            case .div:
                if y == 0 { throw Undefined() }
                return .int(x / y)
            case .mod:
                if y == 0 { throw Undefined() }
                return .int(x % y)
            }
        case (.real, _), (_, .real):
            let x = a.double!, y = b.double!
            switch op {
            case .add: return try checked(x + y)
            case .sub: return try checked(x - y)
            case .mul: return try checked(x * y)
            case .div:
                if y == 0 { throw Undefined() }
                return try checked(x / y)
            case .mod: throw Undefined()
            }
        default:
            let x = exact(a), y = exact(b)
            let r: Decimal
            switch op {
            case .add: r = x + y
            case .sub: r = x - y
            case .mul: r = x * y
            case .div, .mod: throw Undefined()
            }
            guard abs(Double(r.description)!) < 1e15 else { throw Undefined() }
            return .dec(r)
        }
    }

    func exact(_ v: EvalValue) -> Decimal {
        switch v {
        case .int(let i): return Decimal(i)
        case .dec(let d): return d
        default: fatalError("not exact: \(v)")
        }
    }

    func compare(_ op: CmpOp, _ a: EvalValue, _ b: EvalValue) throws -> EvalValue {
        let order: Int
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case (.text(let x), .text(let y)): order = x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : (x == y ? 0 : 1)
        case (.bool(let x), .bool(let y)): order = x == y ? 0 : (!x ? -1 : 1)
        case (.int(let x), .int(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
        case (.real, _), (_, .real):
            let x = a.double!, y = b.double!
            order = x < y ? -1 : (x == y ? 0 : 1)
        default:
            let x = exact(a), y = exact(b)
            order = x < y ? -1 : (x == y ? 0 : 1)
        }
        switch op {
        case .eq: return .bool(order == 0)
        case .ne: return .bool(order != 0)
        case .lt: return .bool(order < 0)
        case .le: return .bool(order <= 0)
        case .gt: return .bool(order > 0)
        case .ge: return .bool(order >= 0)
        }
    }

    func cast(_ v: EvalValue, _ k: ExprKind) throws -> EvalValue {
        if v == .null { return .null }
        switch (k, v) {
        case (.int, .int): return v
        case (.int, .real(let d)):
            return try checked(Int64(rules.castRounds ? d.rounded(.toNearestOrEven) : d.rounded(.towardZero)))
        case (.int, .dec(let d)):
            let x = Double(d.description)!
            return try checked(Int64(x.rounded(.toNearestOrAwayFromZero)))
        case (.real, _): return try checked(v.double!)
        case (.dec, .int(let i)): return decimal(Decimal(i))
        case (.text, .int(let i)): return .text(String(i))
        default: fatalError("no CAST(\(v) AS \(k)) in generated expressions")
        }
    }

    /// SQL LIKE: `%` any run, `_` one character (ASCII case folded when asked).
    static func like(_ s: [UInt8], _ p: ArraySlice<UInt8>, ignoringCase: Bool) -> Bool {
        func fold(_ c: UInt8) -> UInt8 { ignoringCase && c >= 0x41 && c <= 0x5A ? c + 32 : c }
        guard let first = p.first else { return s.isEmpty }
        let rest = p.dropFirst()
        if first == UInt8(ascii: "%") {
            for i in 0...s.count where like(Array(s[i...]), rest, ignoringCase: ignoringCase) { return true }
            return false
        }
        guard let c = s.first else { return false }
        if first == UInt8(ascii: "_") || fold(first) == fold(c) {
            return like(Array(s.dropFirst()), rest, ignoringCase: ignoringCase)
        }
        return false
    }

    /// True when the database's answer is the evaluator's: numbers by value (reals
    /// to 1e-9 relative), booleans as 0/1 where the database spells them so.
    func agrees(_ database: SQLValue, _ expected: EvalValue, kind: ExprKind) -> Bool {
        let got: EvalValue
        switch database {
        case .integer(let i) where kind == .bool && rules.booleansAreIntegers && (i == 0 || i == 1): got = .bool(i == 1)
        case .decimal(let d): got = .dec(d)
        default: got = value(database)
        }
        switch (got, expected) {
        case (.null, .null): return true
        case (.text(let a), .text(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        default:
            guard let a = got.double, let b = expected.double else { return false }
            return a == b || abs(a - b) <= 1e-9 * max(abs(a), abs(b))
        }
    }
}
