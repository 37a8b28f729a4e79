// The bind walk over whole statements (SELECT, compound SELECT, INSERT, UPDATE,
// DELETE), built on the expression walk. See BindWalk.swift.

extension Select {
    package func walked<V: BindVisitor>(_ v: inout V) -> Select? {
        var out: Select? = nil
        @inline(__always) func edit(_ change: (inout Select) -> Void) {
            if out == nil { out = self }
            change(&out!)
        }
        if let n = ctes.walked(&v) { edit { $0.ctes = n } }
        if let n = columns.walked(&v) { edit { $0.columns = n } }
        if let n = froms.walked(&v) { edit { $0.froms = n } }
        if let n = whereClause.walked(&v) { edit { $0.whereClause = n } }
        if let n = groupBy.walked(&v) { edit { $0.groupBy = n } }
        if let n = having.walked(&v) { edit { $0.having = n } }
        if let n = orderBy.walked(&v) { edit { $0.orderBy = n } }
        if let n = limit.walked(&v) { edit { $0.limit = n } }
        if let n = offset.walked(&v) { edit { $0.offset = n } }
        switch distinctMode {
        case .none: v.mix(0)
        case .all: v.mix(1)
        case .on(let exprs):
            v.mix(2)
            if let n = exprs.walked(&v) { edit { $0.distinctMode = .on(n) } }
        }
        if let lock {
            v.mix(ShapeTag.present)
            if V.spellsShape {
                v.mix(lock.strength.rawValue)
                v.mix(lock.nowait)
                v.mix(lock.skipLocked)
            }
            if let n = lock.of.walked(&v) { edit { $0.lock!.of = n } }
        } else {
            v.mix(ShapeTag.absent)
        }
        if V.spellsShape {
            switch correlation {
            case .auto: v.mix(0)
            case .none: v.mix(1)
            case .only(let ids):
                v.mix(2)
                v.mix(ids.count)
                for id in ids { id.spell(&v) }
            }
        }
        return V.rewrites ? out : nil
    }
}

extension CompoundSelect {
    package func walked<V: BindVisitor>(_ v: inout V) -> CompoundSelect? {
        var out: CompoundSelect? = nil
        @inline(__always) func edit(_ change: (inout CompoundSelect) -> Void) {
            if out == nil { out = self }
            change(&out!)
        }
        if V.spellsShape { v.mix(op.rawValue) }
        if let n = selects.walked(&v) { edit { $0.selects = n } }
        if let n = orderBy.walked(&v) { edit { $0.orderBy = n } }
        if let n = limit.walked(&v) { edit { $0.limit = n } }
        if let n = offset.walked(&v) { edit { $0.offset = n } }
        return V.rewrites ? out : nil
    }
}

extension Insert {
    package func walked<V: BindVisitor>(_ v: inout V) -> Insert? {
        var out: Insert? = nil
        @inline(__always) func edit(_ change: (inout Insert) -> Void) {
            if out == nil { out = self }
            change(&out!)
        }
        if V.spellsShape {
            v.mix(Int(bitPattern: ObjectIdentifier(table)))
            v.mix(strings: columnNames)
            v.mix(optional: problem)
        }
        if let n = rows.walked(&v) { edit { $0.rows = n } }
        if let q = query {
            v.mix(ShapeTag.present)
            if let n = q.walked(&v) { edit { $0.query = n } }
        } else {
            v.mix(ShapeTag.absent)
        }
        if let oc = onConflict {
            // The upsert clause (targets, constraint names, actions) is not spelled.
            v.mixUnspelled()
            if let n = oc.target?.predicate.walked(&v) { edit { $0.onConflict!.target!.predicate = n } }
            switch oc.action {
            case .nothing: break
            case .update(let cols, let values, let cond):
                let nv = values.walked(&v)
                let nc = cond.walked(&v)
                if V.rewrites, nv != nil || nc != nil {
                    edit { $0.onConflict!.action = .update(columns: cols, values: nv ?? values, where: nc ?? cond) }
                }
            }
        } else {
            v.mix(ShapeTag.absent)
        }
        if let n = returning.walked(&v) { edit { $0.returning = n } }
        return V.rewrites ? out : nil
    }
}

extension Update {
    package func walked<V: BindVisitor>(_ v: inout V) -> Update? {
        if V.spellsShape {
            v.mix(strings: columnNames)
            v.mix(optional: problem)
        }
        let nt = target.walked(&v)
        let nv = values.walked(&v)
        let nw = whereClause.walked(&v)
        let nr = returning.walked(&v)
        guard V.rewrites, nt != nil || nv != nil || nw != nil || nr != nil else { return nil }
        var out = self
        if let nt { out.target = nt }
        if let nv { out.values = nv }
        if let nw { out.whereClause = nw }
        if let nr { out.returning = nr }
        return out
    }
}

extension Delete {
    package func walked<V: BindVisitor>(_ v: inout V) -> Delete? {
        let nt = target.walked(&v)
        let nw = whereClause.walked(&v)
        let nr = returning.walked(&v)
        guard V.rewrites, nt != nil || nw != nil || nr != nil else { return nil }
        var out = self
        if let nt { out.target = nt }
        if let nw { out.whereClause = nw }
        if let nr { out.returning = nr }
        return out
    }
}
