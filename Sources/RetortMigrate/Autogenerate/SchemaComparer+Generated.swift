import RetortCore

/// Generated values in a comparison: sequences, computed columns and identities.
///
/// - A sequence declared on the metadata and missing from the database is created
///   (before the tables, whose defaults may use it); one the database has and the
///   models do not (and that no serial or identity column owns) is dropped after them.
/// - A computed column cannot be altered in place on every database: a changed
///   expression (or kind) drops the column and adds it again, which loses nothing as
///   its values are derived (said in the revision's header comment). A column that
///   becomes computed is dropped and added again too, and its own values give way to
///   the computed ones (a data-loss warning). A computed column that becomes a plain
///   one keeps its values: a new column is added, filled from it, the old one
///   dropped and the new one renamed.
/// - An identity added, dropped or changed (where reflection reads identities:
///   PostgreSQL) is an ALTER written by the dialect; an added identity starts after
///   the column's highest value.
extension CompareState {
    /// A computed column's expression in the reflector's canonical spelling.
    func comparableComputed(_ computed: Computed?) -> (sql: String, stored: Bool?)? {
        guard let computed else { return nil }
        return (c.dialect.reflector.canonicalGenerationExpression(rawSQL(computed)), computed.stored)
    }

    /// The SQL text of a computed column as it stands (reflected ones are text).
    func rawSQL(_ computed: Computed) -> String { (try? ddl.computedSQL(computed)) ?? "" }

    mutating func compareSequences() throws {
        let declared = metadata.sequences
        let live = schema.sequences.filter { $0.ownedBy == nil }
        if !declared.isEmpty, !ddl.supportsSequences {
            throw MigrateError("the models declare the sequence '\(declared[0].name)', but \(c.dialect) has no sequences",
                               hint: "number the rows with an autoincrementing primary key or an identity column instead")
        }
        let liveNames = Set(live.map(\.name))
        let declaredNames = Set(declared.map(\.name))
        for s in declared where !liveNames.contains(s.name) {
            phases.sequences.append(SchemaChange(
                .addSequence, table: nil, summary: "added sequence \(s.name)",
                upgrade: [.createSequence(SequenceSpec(name: s.name, options: s.options))],
                downgrade: [.dropSequence(name: s.name)]))
        }
        for s in live where !declaredNames.contains(s.name) {
            phases.dropSequences.append(SchemaChange(
                .removeSequence, table: nil, summary: "removed sequence \(s.name)",
                upgrade: [.dropSequence(name: s.name)],
                downgrade: [.createSequence(SequenceSpec(name: s.name, options: s.options))]))
        }
        for s in declared {
            guard let l = live.first(where: { $0.name == s.name }), s.options.comparable != l.options.comparable else { continue }
            notes.append("sequence \(s.name) has other options in the database (\(l.options)) than in the models "
                         + "(\(s.options)); change them with an execute step (ALTER SEQUENCE)")
        }
    }

    /// Adds the change for a column whose computed expression or identity differs;
    /// true when the column is dropped and added again (nothing else to alter then).
    mutating func compareGenerated(_ col: Column, table: Table, expected e: ReflectedColumn, live l: ReflectedColumn,
                                   liveTable: ReflectedTable) throws -> Bool {
        let name = table.name
        let newComputed = comparableComputed(e.computed), oldComputed = comparableComputed(l.computed)
        if newComputed?.sql != oldComputed?.sql || newComputed?.stored != oldComputed?.stored {
            var liveSpec = spec(l, in: liveTable)
            liveSpec.primaryKey = false
            let newSpec = try spec(col)
            let drop = MigrationOperation.dropColumn(table: name, column: col.name)
            if let old = oldComputed, let new = newComputed {
                var change = SchemaChange(
                    .computed, table: name,
                    summary: "changed the computed column \(name).\(col.name): (\(old.sql)) -> (\(new.sql))",
                    upgrade: [drop, .addColumn(table: name, column: newSpec)], downgrade: [drop, .addColumn(table: name, column: liveSpec)])
                change.comment = "\(name).\(col.name) is computed and its expression changed: it is dropped and added again, "
                    + "which loses nothing (its values are derived from the row)"
                phases.columns.append(change)
            } else if newComputed != nil {
                phases.columns.append(SchemaChange(
                    .computed, table: name, summary: "\(name).\(col.name) is now computed (\(newComputed!.sql))",
                    upgrade: [drop, .addColumn(table: name, column: newSpec)],
                    downgrade: keepingValues(of: col.name, in: name, as: liveSpec),
                    dataLoss: "\(name).\(col.name) becomes computed: its own values are replaced by the computed ones"))
            } else {
                phases.columns.append(SchemaChange(
                    .computed, table: name, summary: "\(name).\(col.name) is no longer computed (was \(oldComputed!.sql))",
                    upgrade: keepingValues(of: col.name, in: name, as: newSpec),
                    downgrade: [drop, .addColumn(table: name, column: liveSpec)]))
            }
            return true
        }
        // A serial column (no identity) stands for an autoincrementing key declared without one.
        let serialForImplicit = l.identity == nil && col.identity == nil && l.autoincrement
        if c.dialect.reflector.reflectsIdentity, e.identity != l.identity, !serialForImplicit {
            // Compared without plain identities (``ReflectedTable/comparable``); written with them.
            let old = liveTable.column(named: col.name)?.identity, new = expected[name]?.column(named: col.name)?.identity
            let upSQL = try ddl.alterIdentityStatements(table: TableReference(name), column: col.name, from: old, to: new)
            let downSQL = try ddl.alterIdentityStatements(table: TableReference(name), column: col.name, from: new, to: old)
            func describe(_ i: Identity?) -> String {
                guard let i else { return "none" }
                return (i.always ? "always" : "by default") + (i.options.isDefault ? "" : " \(i.options)")
            }
            phases.columns.append(SchemaChange(
                .identity, table: name, summary: "changed the identity of \(name).\(col.name): \(describe(old)) -> \(describe(new))",
                upgrade: upSQL.map { .execute(sql: nil, perDialect: [c.dialect.name: $0]) },
                downgrade: downSQL.map { .execute(sql: nil, perDialect: [c.dialect.name: $0]) }))
        }
        return false
    }

    /// Replaces the computed column `column` with the plain column `spec`, keeping its
    /// values: add a new column, copy, drop the old one, rename the new one.
    func keepingValues(of column: String, in table: String, as spec: ColumnSpec) -> [MigrationOperation] {
        let temporary = "_" + column + "_plain"
        var plain = spec
        plain.name = temporary
        plain.computed = nil
        plain.nullable = true
        let q = c.dialect.quoteIdentifier
        var rename = AlterColumnSpec(table: table, column: temporary)
        rename.newName = column
        var ops: [MigrationOperation] = [
            .addColumn(table: table, column: plain),
            .execute(sql: "UPDATE \(q(table)) SET \(q(temporary)) = \(q(column))", perDialect: [:]),
            .dropColumn(table: table, column: column),
            .alterColumn(rename),
        ]
        if !spec.nullable {
            var notNull = AlterColumnSpec(table: table, column: column)
            notNull.nullable = false
            notNull.existingType = spec.type
            notNull.existingNullable = true
            ops.append(.alterColumn(notNull))
        }
        return ops
    }
}
