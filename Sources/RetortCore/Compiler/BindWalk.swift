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
}

/// Collects the bound values of a statement.
package struct BindExtractor: BindVisitor {
    package static var rewrites: Bool { false }
    package var values: [BoundValue] = []
    package var lists: [ExpandingList] = []
    package init() { values.reserveCapacity(8) }
    package mutating func visit(_ value: inout BoundValue) { values.append(value) }
    package mutating func visit(_ list: inout ExpandingList) { lists.append(list) }
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
            v.visit(&b)
            if V.rewrites { self = .bind(b) }
        case .column(let r):
            // A table's column (the common case) holds no values: nothing to copy.
            guard var from = r.from, from.mayHoldValues else { return }
            from.walkBinds(&v)
            if V.rewrites {
                var changed = r
                changed.from = from
                self = .column(changed)
            }
        case .parameter, .keyword, .raw, .text, .excluded, .invalid:
            return
        case .unary(let op, var e):
            e.walkBinds(&v)
            if V.rewrites { self = .unary(op, e) }
        case .binary(let op, var l, var r):
            l.walkBinds(&v)
            r.walkBinds(&v)
            if V.rewrites { self = .binary(op, l, r) }
        case .like(var e, var p, let ci, let neg, let esc):
            e.walkBinds(&v)
            p.walkBinds(&v)
            if V.rewrites { self = .like(e, pattern: p, caseInsensitive: ci, negated: neg, escape: esc) }
        case .conjunction(let k, var terms):
            terms.walkBinds(&v)
            if V.rewrites { self = .conjunction(k, terms) }
        case .inList(var e, var items, let neg):
            e.walkBinds(&v)
            items.walkBinds(&v)
            if V.rewrites { self = .inList(e, items, negated: neg) }
        case .inExpanding(var e, var list, let neg):
            e.walkBinds(&v)
            v.visit(&list)
            if V.rewrites { self = .inExpanding(e, list, negated: neg) }
        case .inQuery(var e, var q, let neg):
            e.walkBinds(&v)
            q.walkBinds(&v)
            if V.rewrites { self = .inQuery(e, q, negated: neg) }
        case .between(var e, var lo, var hi, let neg):
            e.walkBinds(&v)
            lo.walkBinds(&v)
            hi.walkBinds(&v)
            if V.rewrites { self = .between(e, lo, hi, negated: neg) }
        case .isNull(var e, let neg):
            e.walkBinds(&v)
            if V.rewrites { self = .isNull(e, negated: neg) }
        case .function(var f):
            f.walkBinds(&v)
            if V.rewrites { self = .function(f) }
        case .window(var e, var spec):
            e.walkBinds(&v)
            spec.partitionBy.walkBinds(&v)
            spec.orderBy.walkBinds(&v)
            if V.rewrites { self = .window(e, spec) }
        case .caseWhen(var c):
            c.value?.walkBinds(&v)
            for i in c.whens.indices {
                c.whens[i].condition.walkBinds(&v)
                c.whens[i].result.walkBinds(&v)
            }
            c.otherwise?.walkBinds(&v)
            if V.rewrites { self = .caseWhen(c) }
        case .cast(var e, let t):
            e.walkBinds(&v)
            if V.rewrites { self = .cast(e, t) }
        case .label(var e, let name):
            e.walkBinds(&v)
            if V.rewrites { self = .label(e, name) }
        case .scalarSubquery(var q):
            q.walkBinds(&v)
            if V.rewrites { self = .scalarSubquery(q) }
        case .exists(var q, let neg):
            q.walkBinds(&v)
            if V.rewrites { self = .exists(q, negated: neg) }
        case .grouping(var e):
            e.walkBinds(&v)
            if V.rewrites { self = .grouping(e) }
        case .tuple(var items):
            items.walkBinds(&v)
            if V.rewrites { self = .tuple(items) }
        case .star(let star):
            guard var from = star, from.mayHoldValues else { return }
            from.walkBinds(&v)
            if V.rewrites { self = .star(from) }
        case .collate(var e, let c):
            e.walkBinds(&v)
            if V.rewrites { self = .collate(e, c) }
        }
    }
}

extension Array where Element == ExpressionNode {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        if V.rewrites {
            for i in indices { self[i].walkBinds(&v) }
        } else {
            for var e in self { e.walkBinds(&v) }
        }
    }
}

extension Array where Element == OrderingTerm {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        if V.rewrites {
            for i in indices { self[i].expression.walkBinds(&v) }
        } else {
            for var t in self { t.expression.walkBinds(&v) }
        }
    }
}

extension Optional where Wrapped == ExpressionNode {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        guard case .some(var e) = self else { return }
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
        case .table:
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
