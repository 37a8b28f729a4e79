import Foundation

/// How a database without `ON CONFLICT` spells Core's upsert as a `MERGE` statement
/// (Oracle, SQL Server): where the proposed rows come from, and the few places the two
/// grammars differ. The proposed rows are named `excluded`, so that `excluded.name` in
/// ``Insert/onConflictDoUpdate(_:set:)`` means in MERGE what it means in ON CONFLICT.
struct MergeSpelling {
    /// How the proposed rows are written after `USING`.
    enum Source {
        /// `(SELECT :1 AS a, :2 AS b FROM DUAL UNION ALL SELECT :3, :4 FROM DUAL) excluded` (Oracle).
        case selectFromDual
        /// `(VALUES (?, ?), (?, ?)) AS excluded (a, b)` (SQL Server).
        case values
    }

    var source: Source
    /// `MERGE INTO t` (Oracle) or `MERGE t` (SQL Server).
    var into: Bool
    /// Written after the target table: ` WITH (HOLDLOCK)` on SQL Server, which makes the
    /// match and the insert one atomic step, as ON CONFLICT is.
    var targetHint: String
    /// The ON condition is parenthesised (Oracle's grammar requires it).
    var parenthesizedOn: Bool
    /// A DO UPDATE's WHERE goes into the WHEN clause (`WHEN MATCHED AND cond THEN
    /// UPDATE`, SQL Server) rather than after the SET list (`UPDATE SET … WHERE cond`, Oracle).
    var conditionInWhen: Bool
    /// The database refuses to SET a column its ON condition reads (Oracle's ORA-38104).
    var refusesUpdatingMatchColumns: Bool
    /// RETURNING is written as SQL Server's `OUTPUT inserted.…` after the WHEN clauses;
    /// false: RETURNING is refused.
    var output: Bool
    /// The statement's end: MERGE must end with `;` on SQL Server.
    var terminator: String
}

extension SQLCompiler {
    /// `MERGE INTO t USING (proposed rows) excluded ON (t.k = excluded.k …) [WHEN MATCHED
    /// THEN UPDATE SET …] WHEN NOT MATCHED THEN INSERT (…) VALUES (excluded.…)`: the
    /// upsert `insert(...).onConflict…` as a MERGE. The conflict target's columns are the
    /// ON condition (a partial index's predicate joins it); DO NOTHING writes no WHEN
    /// MATCHED branch.
    func visitMerge(_ i: Insert, _ oc: OnConflict, _ spelling: MergeSpelling) throws {
        if let problem = i.problem { throw ArgumentError(problem) }
        let construct = "an upsert (INSERT ... ON CONFLICT, written as MERGE)"
        if i.query != nil {
            throw notSupported("an upsert of a SELECT's rows (INSERT ... SELECT ... ON CONFLICT)",
                               "insert the rows as values(...), or write the MERGE with text()")
        }
        if i.columnNames.isEmpty {
            throw notSupported("an upsert of DEFAULT VALUES", "give the conflict target's columns values")
        }
        let (matchColumns, predicate) = try mergeMatchColumns(i, oc)
        if let missing = matchColumns.first(where: { !i.columnNames.contains($0) }) {
            throw ArgumentError(
                "the upsert into '\(i.table.fullName)' matches rows on column '\(missing)', which it inserts no value for; "
                    + "MERGE compares the conflict target's columns with the proposed row's: give '\(missing)' a value")
        }
        if !i.returning.isEmpty, !spelling.output {
            throw notSupported("RETURNING from \(construct)", "select the rows by their conflict columns after the MERGE")
        }
        if case .update(let columns, _, _) = oc.action {
            if columns.isEmpty { throw ArgumentError("ON CONFLICT DO UPDATE needs at least one column to set") }
            if spelling.refusesUpdatingMatchColumns, let c = columns.first(where: { matchColumns.contains($0) }) {
                throw notSupported("\(construct) that sets its conflict column '\(c)'",
                                   "MERGE cannot update a column its ON condition reads; leave '\(c)' out of set:")
            }
        }

        let target = FromNode.table(i.table)
        dmlTarget = target.identity
        enclosingFroms.append([target.identity])
        defer { enclosingFroms.removeLast() }
        let table = tableName(i.table)
        let columns = i.columnNames.map { dialect.quoteIdentifier($0) }

        out.append(spelling.into ? "MERGE INTO " : "MERGE ")
        out.append(table)
        out.append(spelling.targetHint)
        out.append(" USING (")
        switch spelling.source {
        case .selectFromDual:
            for (r, row) in i.rows.enumerated() {
                if r > 0 { out.append(" UNION ALL ") }
                out.append("SELECT ")
                for (k, value) in row.enumerated() {
                    if k > 0 { out.append(", ") }
                    try visit(value)
                    if r == 0 { out.append(" AS " + columns[k]) }
                }
                out.append(" FROM DUAL")
            }
            out.append(") excluded")
        case .values:
            out.append("VALUES ")
            for (r, row) in i.rows.enumerated() {
                if r > 0 { out.append(", ") }
                out.append("(")
                try visitList(row)
                out.append(")")
            }
            out.append(") AS excluded (" + columns.joined(separator: ", ") + ")")
        }

        out.append(spelling.parenthesizedOn ? " ON (" : " ON ")
        for (k, c) in matchColumns.enumerated() {
            if k > 0 { out.append(" AND ") }
            let name = dialect.quoteIdentifier(c)
            out.append(table + "." + name + " = excluded." + name)
        }
        if let predicate {
            out.append(" AND ")
            try visitCondition(predicate, .and)
        }
        if spelling.parenthesizedOn { out.append(")") }

        if case .update(let setColumns, let values, let condition) = oc.action {
            out.append(" WHEN MATCHED")
            if let condition, spelling.conditionInWhen {
                out.append(" AND ")
                try visitCondition(condition, .and)
            }
            out.append(" THEN UPDATE SET ")
            try visitAssignments(setColumns, values)
            if let condition, !spelling.conditionInWhen {
                out.append(" WHERE ")
                try visitCondition(condition)
            }
        }
        out.append(" WHEN NOT MATCHED THEN INSERT (" + columns.joined(separator: ", ") + ") VALUES (")
        out.append(columns.map { "excluded." + $0 }.joined(separator: ", "))
        out.append(")")
        if spelling.output { try visitOutputClause(i.returning, pseudoTable: "inserted") }
        out.append(spelling.terminator)
    }

    /// The columns MERGE matches rows on: the conflict target's, or those of the
    /// table's primary key, unique constraint or unique index that ON CONFLICT ON
    /// CONSTRAINT names; and a partial index's predicate, if the target has one.
    private func mergeMatchColumns(_ i: Insert, _ oc: OnConflict) throws -> ([String], ExpressionNode?) {
        guard let target = oc.target else {
            throw ArgumentError(
                "an upsert on \(dialect.name) is a MERGE, which matches rows on named columns: give the conflict target, "
                    + "e.g. onConflictDoNothing(.columns(\"email\"))")
        }
        guard let name = target.constraint else { return (target.columns, target.predicate) }
        let t = i.table
        if let pk = t.primaryKey, pk.name == name { return (pk.columns, nil) }
        if let u = t.uniqueConstraints.first(where: { $0.name == name }) { return (u.columns, nil) }
        if let ix = t.indexes.first(where: { $0.name == name && $0.unique }), let columns = ix.columnNames {
            return (columns, ix.predicate)
        }
        throw ArgumentError(
            "the upsert's conflict target names constraint '\(name)', which table '\(t.fullName)' does not declare "
                + "as its primary key, a unique constraint or a unique index; name the columns: .columns(...)")
    }
}
