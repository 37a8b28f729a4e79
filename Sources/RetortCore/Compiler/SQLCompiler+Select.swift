/// Where a query is being compiled, which decides whether it correlates.
package enum QueryContext: Sendable {
    /// The statement itself.
    case topLevel
    /// A scalar subquery, EXISTS or IN: leaves out FROM elements of the enclosing query.
    case correlated
    /// A derived table in FROM: stands alone.
    case derived
    /// A LATERAL derived table: may refer to the FROM elements before it.
    case lateral
    /// The body of a CTE: stands alone.
    case cteBody
    /// The SELECT of an INSERT ... SELECT.
    case insertSource

    var correlates: Bool { self == .correlated || self == .lateral }
}

/// SELECT and compound selects.
extension SQLCompiler {
    package func visitQuery(_ q: QueryNode, context: QueryContext) throws {
        switch q {
        case .select(let s): try visitSelect(s, context: context)
        case .compound(let c): try visitCompound(c, context: context)
        }
    }

    package func visitSelect(_ s: Select, context: QueryContext) throws {
        for cte in s.ctes { try registerCTE(cte) }
        if s.columns.isEmpty {
            throw ArgumentError("a SELECT needs at least one column; pass columns or tables to select(...)")
        }
        let froms = try resolveFroms(s, context: context)

        // Nested queries in this select correlate against its FROM elements.
        var identities = Set<FromIdentity>()
        for f in froms { for e in f.flattened { identities.insert(e.identity) } }
        enclosingFroms.append(identities)
        defer { enclosingFroms.removeLast() }

        out.append("SELECT ")
        switch s.distinctMode {
        case .none: break
        case .all: out.append("DISTINCT ")
        case .on(let exprs): try visitDistinctOn(exprs)
        }
        let limitWritten = try visitSelectLimitPrefix(limit: s.limit, offset: s.offset, ordered: !s.orderBy.isEmpty)
        for (i, c) in s.columns.enumerated() {
            if i > 0 { out.append(", ") }
            try visitSelectColumn(c)
        }
        if !froms.isEmpty {
            out.append(" FROM ")
            try visitFromList(froms)
        } else {
            out.append(fromlessSelectFrom)
        }
        if let w = s.whereClause {
            out.append(" WHERE ")
            try visitCondition(w)
        }
        if !s.groupBy.isEmpty {
            out.append(" GROUP BY ")
            try visitList(s.groupBy)
        }
        if let h = s.having {
            out.append(" HAVING ")
            try visitCondition(h)
        }
        if !s.orderBy.isEmpty {
            out.append(" ORDER BY ")
            try visitOrderingTerms(s.orderBy)
        }
        if !limitWritten, s.limit != nil || s.offset != nil { try visitLimitOffset(limit: s.limit, offset: s.offset) }
        if let lock = s.lock { try visitRowLock(lock) }
    }

    /// One select-list entry: `expr` or `expr AS label`.
    package func visitSelectColumn(_ c: ExpressionNode) throws {
        if case .label(let inner, let name) = c {
            try visit(inner)
            out.append(" AS ")
            appendIdentifier(name)
        } else {
            try visit(c)
        }
    }

    /// The FROM elements of a select: explicit ones, then those its columns and
    /// conditions use, minus what joins cover and what correlation removes.
    package func resolveFroms(_ s: Select, context: QueryContext) throws -> [FromNode] {
        var seen = Set<FromIdentity>()
        var froms: [FromNode] = []
        for f in s.froms where seen.insert(f.identity).inserted {
            froms.append(f)
            for e in f.flattened { seen.insert(e.identity) }
        }
        for c in s.columns { c.collectFroms(into: &froms, seen: &seen) }
        s.whereClause?.collectFroms(into: &froms, seen: &seen)
        s.having?.collectFroms(into: &froms, seen: &seen)

        guard context.correlates else { return froms }
        let removable: Set<FromIdentity>
        switch s.correlation {
        case .none: return froms
        case .only(let ids): removable = Set(ids)
        case .auto:
            var enclosing = Set<FromIdentity>()
            for level in enclosingFroms.reversed() {
                guard let level else { break }
                enclosing.formUnion(level)
            }
            // As in SQLAlchemy, a subquery over a single FROM element never auto-correlates.
            guard froms.count > 1 else { return froms }
            removable = enclosing
        }
        let kept = froms.filter { f in
            if case .join = f { return true }
            return !removable.contains(f.identity)
        }
        if kept.isEmpty, !froms.isEmpty, s.correlation == .auto {
            throw ArgumentError(
                "a subquery selecting from \(froms.map(\.displayName).joined(separator: ", ")) has no FROM elements "
                    + "left once correlated with the enclosing query; use correlate(...) or noCorrelation() to say which to keep")
        }
        return kept
    }

    package func visitCompound(_ c: CompoundSelect, context: QueryContext) throws {
        for (i, q) in c.selects.enumerated() {
            if i > 0 { out.append(" " + (try compoundKeyword(c.op)) + " ") }
            try visitCompoundMember(q, context: context)
        }
        if !c.orderBy.isEmpty {
            // A compound's ORDER BY names result columns, unqualified.
            let saved = qualifyColumns
            qualifyColumns = false
            defer { qualifyColumns = saved }
            out.append(" ORDER BY ")
            try visitOrderingTerms(c.orderBy)
        }
        if c.limit != nil || c.offset != nil { try visitLimitOffset(limit: c.limit, offset: c.offset) }
    }

    // MARK: FROM

    /// `a, b JOIN c ON ...`.
    package func visitFromList(_ froms: [FromNode]) throws {
        for (i, f) in froms.enumerated() {
            if i > 0 { out.append(", ") }
            try visitFrom(f)
        }
    }

    package func visitFrom(_ f: FromNode) throws {
        switch f {
        case .table(let t):
            out.append(tableName(t))
        case .alias(let inner, let name):
            switch inner {
            case .table(let t):
                out.append(tableName(t))
            case .cte(let c):
                try registerCTE(c)
                appendIdentifier(c.name)
            case .alias(let innermost, _):
                return try visitFrom(.alias(innermost, name))
            case .subquery(let q, _, let lateral):
                return try visitFrom(.subquery(q, name, lateral: lateral))
            case .values(var v):
                v.name = name
                return try visitValues(v)
            case .join:
                throw ArgumentError("a join cannot be aliased; alias the tables it joins, or select from it in a subquery")
            }
            out.append(aliasKeyword)
            appendIdentifier(aliasName(name))
        case .values(let v):
            try visitValues(v)
        case .subquery(let q, let name, let lateral):
            if lateral { try visitLateral() }
            out.append("(")
            if lateral {
                try visitQuery(q, context: .lateral)
            } else {
                enclosingFroms.append(nil)
                defer { enclosingFroms.removeLast() }
                try visitQuery(q, context: .derived)
            }
            out.append(")" + aliasKeyword)
            appendIdentifier(aliasName(name))
        case .cte(let c):
            try registerCTE(c)
            appendIdentifier(c.name)
        case .join(let j):
            try visitJoin(j)
        }
    }

    /// A VALUES list needs a row, and every row one value per column.
    package func checkValues(_ v: ValuesNode) throws {
        guard !v.rows.isEmpty else {
            throw ArgumentError("values(name: \"\(v.name.display)\") has no rows; a VALUES list needs at least one")
        }
        if let (i, row) = v.rows.enumerated().first(where: { $0.1.count != v.columns.count }) {
            throw ArgumentError("row \(i + 1) of values(name: \"\(v.name.display)\") has \(row.count) values for "
                + "\(v.columns.count) columns (\(v.columns.joined(separator: ", ")))")
        }
    }

    /// `(?, ?), (?, ?)`, the first row's values cast to their columns' types when asked.
    package func visitValuesRows(_ v: ValuesNode, castFirstRow: Bool) throws {
        for (r, row) in v.rows.enumerated() {
            if r > 0 { out.append(", ") }
            out.append("(")
            for (i, value) in row.enumerated() {
                if i > 0 { out.append(", ") }
                if castFirstRow, r == 0, let type = v.types[i] {
                    try visit(.cast(value, type))
                } else {
                    try visit(value)
                }
            }
            out.append(")")
        }
    }

    package func visitJoin(_ j: JoinNode) throws {
        try visitFrom(j.left)
        out.append(try joinKeyword(j.kind))
        if case .join = j.right {
            out.append("(")
            try visitFrom(j.right)
            out.append(")")
        } else {
            try visitFrom(j.right)
        }
        if j.kind == .cross { return }
        out.append(" ON ")
        if let on = j.on {
            try visitCondition(on)
        } else {
            try visit(try inferJoinCondition(j.left, j.right))
        }
    }

    /// The ON clause from foreign keys between `right` and the elements of `left`
    /// (nearest first): `parent.id = child.parent_id`.
    package func inferJoinCondition(_ left: FromNode, _ right: FromNode) throws -> ExpressionNode {
        guard let rightTable = right.underlyingTable else {
            throw ArgumentError(
                "cannot infer the ON clause of a join to \(right.displayName), which is not a table; pass on: explicitly")
        }
        for l in left.flattened.reversed() {
            guard let leftTable = l.underlyingTable else { continue }
            var conditions: [[ExpressionNode]] = []
            // right refers to left
            for fk in rightTable.foreignKeys where fk.refers(to: leftTable) {
                conditions.append(zip(fk.columns, fk.referredColumns).map { child, parent in
                    .binary(.equal, l.columnNode(parent), right.columnNode(child))
                })
            }
            // left refers to right; for a table joined to itself this is the other direction
            // of the same keys, which makes the join ambiguous.
            if leftTable === rightTable, !conditions.isEmpty {
                throw ArgumentError(
                    "joining '\(leftTable.fullName)' to itself can follow its foreign key either way; pass on: to say which")
            }
            do {
                for fk in leftTable.foreignKeys where fk.refers(to: rightTable) {
                    conditions.append(zip(fk.columns, fk.referredColumns).map { child, parent in
                        .binary(.equal, right.columnNode(parent), l.columnNode(child))
                    })
                }
            }
            if conditions.count > 1 {
                throw ArgumentError(
                    "there is more than one foreign key between '\(leftTable.fullName)' and '\(rightTable.fullName)'; "
                        + "pass on: to say which to join by")
            }
            if let c = conditions.first { return ExpressionNode.conjoin(.and, c) }
        }
        throw ArgumentError(
            "cannot find a foreign key between '\(rightTable.fullName)' and \(left.flattened.map { "'\($0.displayName)'" }.joined(separator: ", ")) "
                + "to join on; pass on: explicitly")
    }

    // MARK: WITH

    /// Records a CTE the statement uses and compiles its body (once, dependencies first).
    package func registerCTE(_ c: CommonTableExpression) throws {
        if cteDefinitions[c.name] != nil { return }
        cteDefinitions[c.name] = c
        enclosingFroms.append(nil)
        defer { enclosingFroms.removeLast() }
        let body = try capture { try visitQuery(c.query, context: .cteBody) }
        cteOrder.append((c.name, body))
    }

    /// `WITH [RECURSIVE] a AS (...), b(x, y) AS (...)`.
    package func visitWithClause() throws {
        let recursive = cteOrder.contains { cteDefinitions[$0.name]?.recursive ?? false }
        out.append(recursive ? "WITH RECURSIVE " : "WITH ")
        for (i, entry) in cteOrder.enumerated() {
            if i > 0 { out.append(", ") }
            appendIdentifier(entry.name)
            if let def = cteDefinitions[entry.name] {
                if let cols = def.columnNames, def.recursive || def.columnNames != nil {
                    out.append("(" + cols.map { dialect.quoteIdentifier($0) }.joined(separator: ", ") + ")")
                }
                out.append(" AS ")
                if let m = def.materialized { out.append(m ? "MATERIALIZED " : "NOT MATERIALIZED ") }
            } else {
                out.append(" AS ")
            }
            out.append("(")
            out.append(entry.body)
            out.append(")")
        }
    }
}

extension ForeignKeyConstraint {
    /// True when this key points at `table` (by name, and schema when both say).
    package func refers(to table: Table) -> Bool {
        referredTable == table.name && (referredSchema == nil || table.schema == nil || referredSchema == table.schema)
    }
}
