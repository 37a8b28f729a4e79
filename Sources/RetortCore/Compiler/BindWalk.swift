/// The walk over every bound value of a statement, in one fixed order.
///
/// The compiled-statement cache relies on it twice: on a miss it *tags* a copy of the
/// statement (each ``BoundValue`` learns its slot number) and compiles that copy into
/// a template whose placeholders name slots; on a hit it *extracts* the values of the
/// new statement in the same order and fills the slots. Because both passes are this
/// one function, the order cannot drift from itself; and the compiler refuses to
/// template a value without a slot, so a construct this walk missed is compiled
/// afresh rather than cached wrongly. Every `switch` here is exhaustive on purpose.
package protocol BindVisitor {
    /// True when the walk writes the visited values back (tagging).
    static var rewrites: Bool { get }
    mutating func visit(_ value: inout BoundValue)
    /// The values of an expanding IN (one slot for the whole list).
    mutating func visit(_ list: inout ExpandingList)
    /// Takes in a piece of the statement's outline (a node's kind, a column's
    /// position, a table's identity) as the walk passes it, for ``BindExtractor/shapeHash``.
    mutating func mix(_ piece: Int)
}

extension BindVisitor {
    @inline(__always) package mutating func mix(_ piece: Int) {}
}

/// Collects the bound values of a statement, and hashes its outline on the way.
///
/// ``shapeHash`` mixes only what statement equality also compares (node kinds, list
/// lengths, column positions, table identities), so equal shapes hash alike; it is
/// what the compiled-statement cache looks a statement up by, computed in the walk it
/// needs for the values anyway instead of in a second pass through `Hasher`.
package struct BindExtractor: BindVisitor {
    package static var rewrites: Bool { false }
    package var values: [BoundValue] = []
    package var lists: [ExpandingList] = []
    package private(set) var shapeHash: UInt64 = 0xCBF2_9CE4_8422_2325
    package init() { values.reserveCapacity(8) }
    package mutating func visit(_ value: inout BoundValue) { values.append(value) }
    package mutating func visit(_ list: inout ExpandingList) { lists.append(list) }
    @inline(__always) package mutating func mix(_ piece: Int) {
        shapeHash = (shapeHash ^ UInt64(bitPattern: Int64(piece))) &* 0x0000_0100_0000_01B3
    }
}

/// Numbers the bound values of a statement (and collects them).
package struct BindTagger: BindVisitor {
    package static var rewrites: Bool { true }
    package var values: [BoundValue] = []
    package var lists: [ExpandingList] = []
    package init() {}
    package mutating func visit(_ value: inout BoundValue) {
        value.slot = values.count
        values.append(value)
    }
    package mutating func visit(_ list: inout ExpandingList) {
        list.slot = lists.count
        lists.append(list)
    }
}

extension ExpressionNode {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        switch self {
        case .bind(var b):
            v.mix(2)
            v.visit(&b)
            if V.rewrites { self = .bind(b) }
        case .column(let r):
            v.mix(1)
            v.mix(r.position)
            if case .table(let t)? = r.from { v.mix(Int(bitPattern: ObjectIdentifier(t))) }
            // A table's column (the common case) holds no values: nothing to copy.
            guard var from = r.from, from.mayHoldValues else { return }
            from.walkBinds(&v)
            if V.rewrites {
                var changed = r
                changed.from = from
                self = .column(changed)
            }
        case .parameter, .keyword, .raw, .text, .excluded, .invalid:
            v.mix(3)
            return
        case .unary(let op, var e):
            v.mix(4)
            e.walkBinds(&v)
            if V.rewrites { self = .unary(op, e) }
        case .binary(let op, var l, var r):
            v.mix(5)
            l.walkBinds(&v)
            r.walkBinds(&v)
            if V.rewrites { self = .binary(op, l, r) }
        case .like(var e, var p, let ci, let neg, let esc):
            v.mix(6)
            e.walkBinds(&v)
            p.walkBinds(&v)
            if V.rewrites { self = .like(e, pattern: p, caseInsensitive: ci, negated: neg, escape: esc) }
        case .conjunction(let k, var terms):
            v.mix(7)
            terms.walkBinds(&v)
            if V.rewrites { self = .conjunction(k, terms) }
        case .inList(var e, var items, let neg):
            v.mix(8)
            e.walkBinds(&v)
            items.walkBinds(&v)
            if V.rewrites { self = .inList(e, items, negated: neg) }
        case .inExpanding(var e, var list, let neg):
            v.mix(neg ? 10 : 9)
            e.walkBinds(&v)
            v.visit(&list)
            if V.rewrites { self = .inExpanding(e, list, negated: neg) }
        case .inQuery(var e, var q, let neg):
            v.mix(11)
            e.walkBinds(&v)
            q.walkBinds(&v)
            if V.rewrites { self = .inQuery(e, q, negated: neg) }
        case .between(var e, var lo, var hi, let neg):
            v.mix(12)
            e.walkBinds(&v)
            lo.walkBinds(&v)
            hi.walkBinds(&v)
            if V.rewrites { self = .between(e, lo, hi, negated: neg) }
        case .isNull(var e, let neg):
            v.mix(neg ? 14 : 13)
            e.walkBinds(&v)
            if V.rewrites { self = .isNull(e, negated: neg) }
        case .function(var f):
            v.mix(15)
            f.walkBinds(&v)
            if V.rewrites { self = .function(f) }
        case .window(var e, var spec):
            v.mix(16)
            e.walkBinds(&v)
            spec.partitionBy.walkBinds(&v)
            spec.orderBy.walkBinds(&v)
            if V.rewrites { self = .window(e, spec) }
        case .caseWhen(var c):
            v.mix(17)
            c.value?.walkBinds(&v)
            for i in c.whens.indices {
                c.whens[i].condition.walkBinds(&v)
                c.whens[i].result.walkBinds(&v)
            }
            c.otherwise?.walkBinds(&v)
            if V.rewrites { self = .caseWhen(c) }
        case .cast(var e, let t):
            v.mix(18)
            e.walkBinds(&v)
            if V.rewrites { self = .cast(e, t) }
        case .label(var e, let name):
            v.mix(19)
            e.walkBinds(&v)
            if V.rewrites { self = .label(e, name) }
        case .scalarSubquery(var q):
            v.mix(20)
            q.walkBinds(&v)
            if V.rewrites { self = .scalarSubquery(q) }
        case .exists(var q, let neg):
            v.mix(21)
            q.walkBinds(&v)
            if V.rewrites { self = .exists(q, negated: neg) }
        case .grouping(var e):
            v.mix(22)
            e.walkBinds(&v)
            if V.rewrites { self = .grouping(e) }
        case .tuple(var items):
            v.mix(23)
            items.walkBinds(&v)
            if V.rewrites { self = .tuple(items) }
        case .star(let star):
            v.mix(24)
            guard var from = star, from.mayHoldValues else { return }
            from.walkBinds(&v)
            if V.rewrites { self = .star(from) }
        case .collate(var e, let c):
            v.mix(25)
            e.walkBinds(&v)
            if V.rewrites { self = .collate(e, c) }
        }
    }
}

extension Array where Element == ExpressionNode {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        v.mix(count)
        if V.rewrites {
            for i in indices { self[i].walkBinds(&v) }
        } else {
            for var e in self { e.walkBinds(&v) }
        }
    }
}

extension Array where Element == OrderingTerm {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        v.mix(count)
        if V.rewrites {
            for i in indices { self[i].expression.walkBinds(&v) }
        } else {
            for var t in self { t.expression.walkBinds(&v) }
        }
    }
}

extension Optional where Wrapped == ExpressionNode {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        guard case .some(var e) = self else {
            v.mix(0)
            return
        }
        e.walkBinds(&v)
        if V.rewrites { self = .some(e) }
    }
}

extension FunctionCall {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        arguments.walkBinds(&v)
        orderBy.walkBinds(&v)
        filter.walkBinds(&v)
    }
}

extension FromNode {
    /// False for a plain table, which binds nothing.
    package var mayHoldValues: Bool {
        if case .table = self { return false }
        return true
    }

    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        switch self {
        case .table(let t):
            v.mix(Int(bitPattern: ObjectIdentifier(t)))
            return
        case .alias(var inner, let name):
            inner.walkBinds(&v)
            if V.rewrites { self = .alias(inner, name) }
        case .subquery(var q, let name, let lateral):
            q.walkBinds(&v)
            if V.rewrites { self = .subquery(q, name, lateral: lateral) }
        case .cte(var c):
            c.query.walkBinds(&v)
            if V.rewrites { self = .cte(c) }
        case .join(var j):
            j.left.walkBinds(&v)
            j.right.walkBinds(&v)
            j.on.walkBinds(&v)
            if V.rewrites { self = .join(j) }
        }
    }
}

extension Array where Element == FromNode {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        v.mix(count)
        if V.rewrites {
            for i in indices { self[i].walkBinds(&v) }
        } else {
            for var f in self { f.walkBinds(&v) }
        }
    }
}

extension QueryNode {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        switch self {
        case .select(var s):
            s.walkBinds(&v)
            if V.rewrites { self = .select(s) }
        case .compound(var c):
            c.walkBinds(&v)
            if V.rewrites { self = .compound(c) }
        }
    }
}

extension Select {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        for i in ctes.indices { ctes[i].query.walkBinds(&v) }
        columns.walkBinds(&v)
        froms.walkBinds(&v)
        whereClause.walkBinds(&v)
        groupBy.walkBinds(&v)
        having.walkBinds(&v)
        orderBy.walkBinds(&v)
        limit.walkBinds(&v)
        offset.walkBinds(&v)
        switch distinctMode {
        case .none, .all: break
        case .on(var exprs):
            exprs.walkBinds(&v)
            if V.rewrites { distinctMode = .on(exprs) }
        }
        if var lock {
            lock.of.walkBinds(&v)
            if V.rewrites { self.lock = lock }
        }
    }
}

extension CompoundSelect {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        for i in selects.indices { selects[i].walkBinds(&v) }
        orderBy.walkBinds(&v)
        limit.walkBinds(&v)
        offset.walkBinds(&v)
    }
}

extension Insert {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        for i in rows.indices { rows[i].walkBinds(&v) }
        if var q = query {
            q.walkBinds(&v)
            if V.rewrites { query = q }
        }
        if var oc = onConflict {
            oc.target?.predicate.walkBinds(&v)
            switch oc.action {
            case .nothing: break
            case .update(let cols, var values, var cond):
                values.walkBinds(&v)
                cond.walkBinds(&v)
                oc.action = .update(columns: cols, values: values, where: cond)
            }
            if V.rewrites { onConflict = oc }
        }
        returning.walkBinds(&v)
    }
}

extension Update {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        target.walkBinds(&v)
        values.walkBinds(&v)
        whereClause.walkBinds(&v)
        returning.walkBinds(&v)
    }
}

extension Delete {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        target.walkBinds(&v)
        whereClause.walkBinds(&v)
        returning.walkBinds(&v)
    }
}
