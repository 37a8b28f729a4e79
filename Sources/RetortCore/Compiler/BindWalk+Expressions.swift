// The bind walk over expressions, FROM items, CTEs and queries: each node visits its
// bound values in one fixed order and spells its shape. See BindWalk.swift.

// MARK: The walk
//
// Each `walked(_:)` reads its node without copying it (a borrowed `self`, so the
// extractor's walk on every cache hit retains nothing it does not keep), and returns
// the node rebuilt with the visitor's changes, or nil when nothing changed (always
// nil for a visitor that does not rewrite). `walkBinds(_:)` applies the result in place.

extension ExpressionNode {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        if let changed = walked(&v) { self = changed }
    }

    package func walked<V: BindVisitor>(_ v: inout V) -> ExpressionNode? {
        switch self {
        case .bind(let b):
            v.mix(2)
            b.spell(&v)
            var b = b
            v.visit(&b)
            return V.rewrites ? .bind(b) : nil
        case .column(let r):
            v.mix(1)
            v.mix(r.position)
            // A table's column is its table and position; the others are also their name and type.
            if V.spellsShape, r.position < 0 {
                v.mix(r.name)
                v.mix(type: r.type)
            }
            guard let from = r.from else {
                v.mix(ShapeTag.absent)
                return nil
            }
            if case .table(let t) = from {
                // The common case, spelled here as FromNode's walk would: it binds nothing.
                v.mix(ShapeTag.table)
                v.mix(Int(bitPattern: ObjectIdentifier(t)))
                return nil
            }
            guard let f = from.walked(&v) else { return nil }
            return .column(r.with(from: f))
        case .parameter(let name, let type):
            v.mix(3)
            v.mix(name)
            v.mix(type: type)
            return nil
        case .keyword(let k):
            v.mix(26)
            v.mix(k.code)
            return nil
        case .raw(let sql, let type):
            v.mix(27)
            v.mix(sql)
            v.mix(type: type)
            return nil
        case .text:
            v.mix(28)
            v.mixUnspelled()
            return nil
        case .excluded(let name):
            v.mix(29)
            v.mix(name)
            return nil
        case .invalid(let message):
            v.mix(30)
            v.mix(message)
            return nil
        case .unary(let op, let e):
            v.mix(4)
            v.mix(op.code)
            guard let ne = e.walked(&v) else { return nil }
            return .unary(op, ne)
        case .binary(let op, let l, let r):
            v.mix(5)
            v.mix(op.code)
            if V.spellsShape, case .custom(let spelling) = op { v.mix(spelling) }
            let nl = l.walked(&v)
            let nr = r.walked(&v)
            guard V.rewrites, nl != nil || nr != nil else { return nil }
            return .binary(op, nl ?? l, nr ?? r)
        case .like(let e, let p, let ci, let neg, let esc):
            v.mix(6)
            v.mix(ci)
            v.mix(neg)
            if V.spellsShape { v.mix(optional: esc.map { String($0) }) }
            let ne = e.walked(&v)
            let np = p.walked(&v)
            guard V.rewrites, ne != nil || np != nil else { return nil }
            return .like(ne ?? e, pattern: np ?? p, caseInsensitive: ci, negated: neg, escape: esc)
        case .conjunction(let k, let terms):
            v.mix(7)
            v.mix(k == .and)
            guard let nt = terms.walked(&v) else { return nil }
            return .conjunction(k, nt)
        case .inList(let e, let items, let neg):
            v.mix(8)
            v.mix(neg)
            let ne = e.walked(&v)
            let ni = items.walked(&v)
            guard V.rewrites, ne != nil || ni != nil else { return nil }
            return .inList(ne ?? e, ni ?? items, negated: neg)
        case .inExpanding(let e, let list, let neg):
            v.mix(neg ? 10 : 9)
            if V.spellsShape {
                // The list's length is not shape: one placeholder stands for the whole list.
                v.mix(optional: list.name)
                v.mix(type: list.type)
                v.mix(list.inline)
                if list.inline { v.mixUnspelled() }
            }
            let ne = e.walked(&v)
            var list = list
            v.visit(&list)
            return V.rewrites ? .inExpanding(ne ?? e, list, negated: neg) : nil
        case .inQuery(let e, let q, let neg):
            v.mix(11)
            v.mix(neg)
            let ne = e.walked(&v)
            let nq = q.walked(&v)
            guard V.rewrites, ne != nil || nq != nil else { return nil }
            return .inQuery(ne ?? e, nq ?? q, negated: neg)
        case .between(let e, let lo, let hi, let neg):
            v.mix(12)
            v.mix(neg)
            let ne = e.walked(&v)
            let nlo = lo.walked(&v)
            let nhi = hi.walked(&v)
            guard V.rewrites, ne != nil || nlo != nil || nhi != nil else { return nil }
            return .between(ne ?? e, nlo ?? lo, nhi ?? hi, negated: neg)
        case .isNull(let e, let neg):
            v.mix(neg ? 14 : 13)
            guard let ne = e.walked(&v) else { return nil }
            return .isNull(ne, negated: neg)
        case .function(let f):
            v.mix(15)
            guard let nf = f.walked(&v) else { return nil }
            return .function(nf)
        case .window(let e, let spec):
            v.mix(16)
            let ne = e.walked(&v)
            let np = spec.partitionBy.walked(&v)
            let no = spec.orderBy.walked(&v)
            if V.spellsShape {
                if let frame = spec.frame {
                    v.mix(ShapeTag.present)
                    v.mix(frame.unit.rawValue)
                    frame.start.spell(&v)
                    if let end = frame.end {
                        v.mix(ShapeTag.present)
                        end.spell(&v)
                    } else {
                        v.mix(ShapeTag.absent)
                    }
                } else {
                    v.mix(ShapeTag.absent)
                }
            }
            guard V.rewrites, ne != nil || np != nil || no != nil else { return nil }
            var s = spec
            if let np { s.partitionBy = np }
            if let no { s.orderBy = no }
            return .window(ne ?? e, s)
        case .caseWhen(let c):
            v.mix(17)
            var out = c
            var changed = false
            if let n = c.value.walked(&v) {
                out.value = n
                changed = true
            }
            v.mix(c.whens.count)
            for i in c.whens.indices {
                if let n = c.whens[i].condition.walked(&v) {
                    out.whens[i].condition = n
                    changed = true
                }
                if let n = c.whens[i].result.walked(&v) {
                    out.whens[i].result = n
                    changed = true
                }
            }
            if let n = c.otherwise.walked(&v) {
                out.otherwise = n
                changed = true
            }
            return V.rewrites && changed ? .caseWhen(out) : nil
        case .cast(let e, let t):
            v.mix(18)
            v.mix(type: t)
            guard let ne = e.walked(&v) else { return nil }
            return .cast(ne, t)
        case .label(let e, let name):
            v.mix(19)
            v.mix(name)
            guard let ne = e.walked(&v) else { return nil }
            return .label(ne, name)
        case .scalarSubquery(let q):
            v.mix(20)
            guard let nq = q.walked(&v) else { return nil }
            return .scalarSubquery(nq)
        case .quantified(let x, let op, let q, let operand):
            v.mix(q == .any ? 40 : 41)
            v.mix(op.code)
            if case .custom(let spelling) = op, V.spellsShape { v.mix(spelling) }
            let nx = x.walked(&v)
            switch operand {
            case .query(let query):
                v.mix(1)
                let nq = query.walked(&v)
                guard V.rewrites, nx != nil || nq != nil else { return nil }
                return .quantified(nx ?? x, op, q, .query(nq ?? query))
            case .list(var list):
                v.mix(2)
                if V.spellsShape {
                    v.mix(optional: list.name)
                    v.mix(type: list.type)
                    v.mix(list.inline)
                    if list.inline { v.mixUnspelled() }
                }
                v.visit(&list)
                return V.rewrites ? .quantified(nx ?? x, op, q, .list(list)) : nil
            }
        case .exists(let q, let neg):
            v.mix(21)
            v.mix(neg)
            guard let nq = q.walked(&v) else { return nil }
            return .exists(nq, negated: neg)
        case .grouping(let e):
            v.mix(22)
            guard let ne = e.walked(&v) else { return nil }
            return .grouping(ne)
        case .tuple(let items):
            v.mix(23)
            guard let ni = items.walked(&v) else { return nil }
            return .tuple(ni)
        case .star(let star):
            v.mix(24)
            guard let from = star else {
                v.mix(ShapeTag.absent)
                return nil
            }
            guard let nf = from.walked(&v) else { return nil }
            return .star(nf)
        case .collate(let e, let c):
            v.mix(25)
            v.mix(c)
            guard let ne = e.walked(&v) else { return nil }
            return .collate(ne, c)
        }
    }
}

/// A part of a statement the walk goes through: `walked` returns the part rebuilt with
/// a rewriting visitor's changes, nil when nothing changed (always, for a visitor that
/// does not rewrite).
package protocol BindWalkable {
    func walked<V: BindVisitor>(_ v: inout V) -> Self?
}

extension ExpressionNode: BindWalkable {}
extension OrderingTerm: BindWalkable {}
extension FromNode: BindWalkable {}
extension CommonTableExpression: BindWalkable {}
extension QueryNode: BindWalkable {}

extension Array: BindWalkable where Element: BindWalkable {
    /// The count, then each element in order; copied at the first element that changes.
    package func walked<V: BindVisitor>(_ v: inout V) -> [Element]? {
        v.mix(count)
        var out: [Element]? = nil
        for i in indices {
            if let n = self[i].walked(&v) {
                if out == nil { out = self }
                out![i] = n
            }
        }
        return out
    }
}

extension OrderingTerm {
    package func walked<V: BindVisitor>(_ v: inout V) -> OrderingTerm? {
        if V.spellsShape {
            switch direction {
            case nil: v.mix(0)
            case .ascending?: v.mix(1)
            case .descending?: v.mix(2)
            }
            switch nulls {
            case nil: v.mix(0)
            case .first?: v.mix(1)
            case .last?: v.mix(2)
            }
        }
        guard let n = expression.walked(&v) else { return nil }
        var out = self
        out.expression = n
        return out
    }
}

extension Optional where Wrapped == ExpressionNode {
    /// The present expression rebuilt, or nil when absent or unchanged.
    package func walked<V: BindVisitor>(_ v: inout V) -> ExpressionNode? {
        guard let e = self else {
            v.mix(ShapeTag.absent)
            return nil
        }
        return e.walked(&v)
    }
}

extension FunctionCall {
    package func walked<V: BindVisitor>(_ v: inout V) -> FunctionCall? {
        if V.spellsShape {
            v.mix(name)
            v.mix(star)
            v.mix(distinct)
            v.mix(type: type)
            if let known {
                v.mix(ShapeTag.present)
                v.mix(known.code)
            } else {
                v.mix(ShapeTag.absent)
            }
        }
        let na = arguments.walked(&v)
        let no = orderBy.walked(&v)
        let nf = filter.walked(&v)
        guard V.rewrites, na != nil || no != nil || nf != nil else { return nil }
        var out = self
        if let na { out.arguments = na }
        if let no { out.orderBy = no }
        if let nf { out.filter = nf }
        return out
    }
}

extension CommonTableExpression {
    package func walked<V: BindVisitor>(_ v: inout V) -> CommonTableExpression? {
        if V.spellsShape {
            v.mix(name)
            v.mix(recursive)
            if let columnNames {
                v.mix(ShapeTag.present)
                v.mix(strings: columnNames)
            } else {
                v.mix(ShapeTag.absent)
            }
            switch materialized {
            case nil: v.mix(0)
            case false?: v.mix(1)
            case true?: v.mix(2)
            }
        }
        guard let nq = query.walked(&v) else { return nil }
        var out = self
        out.query = nq
        return out
    }
}

extension FromNode {
    /// False for a plain table, which binds nothing.
    package var mayHoldValues: Bool {
        if case .table = self { return false }
        return true
    }

    package func walked<V: BindVisitor>(_ v: inout V) -> FromNode? {
        switch self {
        case .table(let t):
            // Its identity: the cache key holds the statement, so the table outlives the entry.
            v.mix(ShapeTag.table)
            v.mix(Int(bitPattern: ObjectIdentifier(t)))
            return nil
        case .alias(let inner, let name):
            v.mix(ShapeTag.alias)
            if V.spellsShape { name.spell(&v) }
            guard let ni = inner.walked(&v) else { return nil }
            return .alias(ni, name)
        case .subquery(let q, let name, let lateral):
            v.mix(ShapeTag.subquery)
            if V.spellsShape { name.spell(&v) }
            v.mix(lateral)
            guard let nq = q.walked(&v) else { return nil }
            return .subquery(nq, name, lateral: lateral)
        case .cte(let c):
            v.mix(ShapeTag.cte)
            guard let nc = c.walked(&v) else { return nil }
            return .cte(nc)
        case .values(let node):
            v.mix(ShapeTag.values)
            if V.spellsShape {
                node.name.spell(&v)
                v.mix(strings: node.columns)
                for t in node.types { v.mix(type: t) }
            }
            guard let rows = node.rows.walked(&v) else { return nil }
            var out = node
            out.rows = rows
            return .values(out)
        case .join(let j):
            v.mix(ShapeTag.join)
            v.mix(j.kind.code)
            let nl = j.left.walked(&v)
            let nr = j.right.walked(&v)
            let no = j.on.walked(&v)
            guard V.rewrites, nl != nil || nr != nil || no != nil else { return nil }
            var out = j
            if let nl { out.left = nl }
            if let nr { out.right = nr }
            if let no { out.on = no }
            return .join(out)
        }
    }
}

extension QueryNode {
    package func walked<V: BindVisitor>(_ v: inout V) -> QueryNode? {
        switch self {
        case .select(let s):
            v.mix(1)
            return s.walked(&v).map { .select($0) }
        case .compound(let c):
            v.mix(2)
            return c.walked(&v).map { .compound($0) }
        }
    }
}
