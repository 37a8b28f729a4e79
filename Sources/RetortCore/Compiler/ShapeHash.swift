/// A cheap hash of a statement's shape for the compiled-statement cache.
///
/// Hashing a whole tree on every execution costs as much as comparing it, so the
/// cache hashes only the outline — the kinds of the top nodes, column positions, list
/// lengths — and leaves exactness to `==`. Everything hashed here is also compared by
/// `==`, so equal shapes always hash alike.
extension StatementNode {
    package func shapeHash(into h: inout Hasher) {
        switch self {
        case .select(let s):
            h.combine(0)
            s.shapeHash(into: &h)
        case .compound(let c):
            h.combine(1)
            h.combine(c.op)
            h.combine(c.selects.count)
            if case .select(let first)? = c.selects.first { first.shapeHash(into: &h) }
        case .insert(let i):
            h.combine(2)
            h.combine(ObjectIdentifier(i.table))
            h.combine(i.columnNames.count)
            h.combine(i.rows.count)
            h.combine(i.returning.count)
            h.combine(i.onConflict != nil)
        case .update(let u):
            h.combine(3)
            h.combine(u.columnNames.count)
            u.whereClause?.outlineHash(into: &h, depth: 2)
        case .delete(let d):
            h.combine(4)
            d.whereClause?.outlineHash(into: &h, depth: 2)
        }
    }
}

extension Select {
    package func shapeHash(into h: inout Hasher) {
        h.combine(columns.count)
        for c in columns { c.outlineHash(into: &h, depth: 1) }
        h.combine(froms.count)
        whereClause?.outlineHash(into: &h, depth: 2)
        h.combine(groupBy.count)
        h.combine(orderBy.count)
        h.combine(limit != nil)
        h.combine(offset != nil)
    }
}

extension ExpressionNode {
    /// The node's kind and a little of what is beneath it, `depth` levels down.
    package func outlineHash(into h: inout Hasher, depth: Int) {
        switch self {
        case .column(let r):
            h.combine(1)
            h.combine(r.position)
            if case .table(let t)? = r.from { h.combine(ObjectIdentifier(t)) }
        case .bind:
            h.combine(2)
        case .binary(let op, let l, let r):
            h.combine(3)
            h.combine(op)
            if depth > 0 {
                l.outlineHash(into: &h, depth: depth - 1)
                r.outlineHash(into: &h, depth: depth - 1)
            }
        case .conjunction(let k, let terms):
            h.combine(4)
            h.combine(k)
            h.combine(terms.count)
            if depth > 0 { for t in terms { t.outlineHash(into: &h, depth: depth - 1) } }
        case .inList(let e, let items, let neg):
            h.combine(5)
            h.combine(items.count)
            h.combine(neg)
            if depth > 0 { e.outlineHash(into: &h, depth: depth - 1) }
        case .inExpanding(let e, _, let neg):
            h.combine(10)
            h.combine(neg)
            if depth > 0 { e.outlineHash(into: &h, depth: depth - 1) }
        case .isNull(let e, let neg):
            h.combine(6)
            h.combine(neg)
            if depth > 0 { e.outlineHash(into: &h, depth: depth - 1) }
        case .label(let e, let name):
            h.combine(7)
            h.combine(name)
            if depth > 0 { e.outlineHash(into: &h, depth: depth - 1) }
        case .function(let f):
            h.combine(8)
            h.combine(f.name)
            h.combine(f.arguments.count)
        default:
            // Other kinds hash by position in the outline only.
            h.combine(9)
        }
    }
}
