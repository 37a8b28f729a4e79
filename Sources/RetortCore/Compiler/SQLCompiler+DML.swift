/// INSERT, UPDATE and DELETE.
extension SQLCompiler {
    package func visitInsert(_ i: Insert) throws {
        if let problem = i.problem { throw ArgumentError(problem) }
        let target = FromNode.table(i.table)
        dmlTarget = target.identity
        enclosingFroms.append([target.identity])
        defer { enclosingFroms.removeLast() }

        out.append("INSERT INTO ")
        out.append(tableName(i.table))
        if let q = i.query {
            if !i.columnNames.isEmpty { appendColumnNameList(i.columnNames) }
            try visitOutputClause(i.returning, pseudoTable: "inserted")
            out.append(" ")
            enclosingFroms.append(nil)
            try visitInsertQuery(q, hasConflictClause: i.onConflict != nil)
            enclosingFroms.removeLast()
        } else if i.columnNames.isEmpty {
            try visitOutputClause(i.returning, pseudoTable: "inserted")
            out.append(" DEFAULT VALUES")
        } else {
            appendColumnNameList(i.columnNames)
            try visitOutputClause(i.returning, pseudoTable: "inserted")
            out.append(" VALUES ")
            for (r, row) in i.rows.enumerated() {
                if r > 0 { out.append(", ") }
                out.append("(")
                try visitList(row)
                out.append(")")
            }
        }
        if let oc = i.onConflict { try visitUpsert(oc) }
        try visitReturningClause(i.returning)
    }

    /// ` (a, b, c)`.
    package func appendColumnNameList(_ names: [String]) {
        out.append(" (")
        for (i, n) in names.enumerated() {
            if i > 0 { out.append(", ") }
            appendIdentifier(n)
        }
        out.append(")")
    }

    /// ` ON CONFLICT (cols) [WHERE ...] DO NOTHING | DO UPDATE SET ... [WHERE ...]`.
    package func visitOnConflict(_ oc: OnConflict) throws {
        if let target = oc.target {
            if let constraint = target.constraint {
                try visitConflictConstraint(constraint)
            } else {
                out.append(" ON CONFLICT")
                appendColumnNameList(target.columns)
                if let p = target.predicate {
                    out.append(" WHERE ")
                    let saved = qualifyColumns
                    qualifyColumns = false
                    defer { qualifyColumns = saved }
                    try visit(p)
                }
            }
        } else {
            out.append(" ON CONFLICT")
        }
        switch oc.action {
        case .nothing:
            out.append(" DO NOTHING")
        case .update(let columns, let values, let condition):
            guard oc.target != nil else {
                throw ArgumentError("ON CONFLICT DO UPDATE needs a conflict target: the columns of a unique constraint or index")
            }
            if columns.isEmpty { throw ArgumentError("ON CONFLICT DO UPDATE needs at least one column to set") }
            out.append(" DO UPDATE SET ")
            try visitAssignments(columns, values)
            if let condition {
                out.append(" WHERE ")
                try visitCondition(condition)
            }
        }
    }

    /// `a = x, b = y`.
    package func visitAssignments(_ columns: [String], _ values: [ExpressionNode]) throws {
        for (i, (c, v)) in zip(columns, values).enumerated() {
            if i > 0 { out.append(", ") }
            appendIdentifier(c)
            out.append(" = ")
            try visit(v)
        }
    }

    /// ` RETURNING a, b` (target columns unqualified).
    package func visitReturning(_ items: [ExpressionNode]) throws {
        guard !items.isEmpty else { return }
        guard dialect.supportsReturning else { throw notSupported("RETURNING") }
        out.append(" RETURNING ")
        let saved = unqualifiedFrom
        unqualifiedFrom = dmlTarget
        defer { unqualifiedFrom = saved }
        for (i, c) in items.enumerated() {
            if i > 0 { out.append(", ") }
            try visitSelectColumn(c)
        }
    }

    package func visitUpdate(_ u: Update) throws {
        if let problem = u.problem { throw ArgumentError(problem) }
        guard !u.columnNames.isEmpty else {
            throw ArgumentError("an UPDATE needs at least one column to set; call values([...]) or set(_:_:)")
        }
        let extra = dmlExtraFroms(u.target, u.values + [u.whereClause].compactMap { $0 } + u.returning)
        dmlTarget = u.target.identity
        var scope: Set<FromIdentity> = [u.target.identity]
        for f in extra { scope.insert(f.identity) }
        enclosingFroms.append(scope)
        defer { enclosingFroms.removeLast() }

        out.append("UPDATE ")
        try visitFrom(u.target)
        out.append(" SET ")
        try visitAssignments(u.columnNames, u.values)
        try visitOutputClause(u.returning, pseudoTable: "inserted")
        if !extra.isEmpty {
            out.append(" FROM ")
            try visitFromList(extra)
        }
        if let w = u.whereClause {
            out.append(" WHERE ")
            try visitCondition(w)
        }
        try visitReturningClause(u.returning)
    }

    package func visitDelete(_ d: Delete) throws {
        let extra = dmlExtraFroms(d.target, [d.whereClause].compactMap { $0 } + d.returning)
        dmlTarget = d.target.identity
        var scope: Set<FromIdentity> = [d.target.identity]
        for f in extra { scope.insert(f.identity) }
        enclosingFroms.append(scope)
        defer { enclosingFroms.removeLast() }

        out.append("DELETE FROM ")
        try visitFrom(d.target)
        try visitOutputClause(d.returning, pseudoTable: "deleted")
        if !extra.isEmpty { try visitDeleteUsing(extra) }
        if let w = d.whereClause {
            out.append(" WHERE ")
            try visitCondition(w)
        }
        try visitReturningClause(d.returning)
    }

    /// Tables an UPDATE or DELETE mentions besides its target (UPDATE ... FROM / DELETE ... USING).
    private func dmlExtraFroms(_ target: FromNode, _ exprs: [ExpressionNode]) -> [FromNode] {
        var seen: Set<FromIdentity> = [target.identity]
        var froms: [FromNode] = []
        for e in exprs { e.collectFroms(into: &froms, seen: &seen) }
        return froms
    }
}
