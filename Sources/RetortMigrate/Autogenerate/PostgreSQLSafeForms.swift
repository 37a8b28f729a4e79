import RetortCore

extension SchemaDiff {
    /// `autogenerate: {postgresql_safe: true}`: the diff split into what runs now, in
    /// the revision's transaction, and what follows in a revision with
    /// `transactional: false` (each step its own transaction), so that no step holds a
    /// lock that stops reads or writes of an existing table for longer than a moment:
    ///
    /// - indexes on existing tables are created and dropped `concurrently` (later);
    /// - foreign keys and checks on existing tables are added `not_valid` (now) and
    ///   checked by `validate_constraint` (later);
    /// - `SET NOT NULL` on an existing column becomes a `not_valid` check `col IS NOT
    ///   NULL` (now), then validate it, set NOT NULL (PostgreSQL 12+ trusts the valid
    ///   check and skips the scan) and drop the check (later).
    ///
    /// Downgrades stay exact: each part's downgrade undoes that part.
    func postgresqlSafeSplit(dialect: Dialect) -> (now: SchemaDiff, later: SchemaDiff) {
        let created = Set(changes.filter { $0.kind == .addTable }.compactMap(\.table))
        var now: [SchemaChange] = []
        var later: [SchemaChange] = []
        for change in changes {
            guard let table = change.table, !created.contains(table) else {
                now.append(change)
                continue
            }
            switch change.kind {
            case .addIndex, .removeIndex:
                var c = change
                c.upgrade = c.upgrade.map(\.concurrent)
                c.downgrade = c.downgrade.map(\.concurrent)
                later.append(c)
            case .addForeignKey, .addCheck:
                var c = change
                var validations: [MigrationOperation] = []
                c.upgrade = c.upgrade.map { op in
                    switch op {
                    case .createForeignKey(let t, var fk):
                        fk.notValid = true
                        if let n = fk.name { validations.append(.validateConstraint(name: n, table: t)) }
                        return .createForeignKey(table: t, fk)
                    case .createCheckConstraint(let n, let t, let condition, _):
                        validations.append(.validateConstraint(name: n, table: t))
                        return .createCheckConstraint(name: n, table: t, condition: condition, notValid: true)
                    default:
                        return op
                    }
                }
                now.append(c)
                if !validations.isEmpty {
                    later.append(SchemaChange(change.kind, table: table, summary: "validated: " + change.summary,
                                              upgrade: validations, downgrade: []))
                }
            case .alterColumn:
                guard case .alterColumn(let up)? = change.upgrade.first, change.upgrade.count == 1, up.nullable == false,
                      case .alterColumn(let down)? = change.downgrade.first, change.downgrade.count == 1 else {
                    now.append(change)
                    continue
                }
                // Named as the convention would, shortened like its names where they run long.
                let check = dialect.constraintName("ck_\(table)_\(up.column)_not_null", .convention)
                let condition = dialect.quoteIdentifier(up.column) + " IS NOT NULL"
                var rest = up, restDown = down
                rest.nullable = nil
                restDown.nullable = nil
                let restChanges = rest.type != nil || rest.serverDefault != nil || rest.comment != nil || rest.newName != nil
                var first = change
                first.upgrade = (restChanges ? [.alterColumn(rest)] : [])
                    + [.createCheckConstraint(name: check, table: table, condition: condition, notValid: true)]
                first.downgrade = [.dropConstraint(name: check, table: table, type: .check)] + (restChanges ? [.alterColumn(restDown)] : [])
                now.append(first)
                var setNotNull = AlterColumnSpec(table: table, column: up.column)
                setNotNull.nullable = false
                setNotNull.existingType = up.type ?? up.existingType
                setNotNull.existingNullable = true
                var unset = AlterColumnSpec(table: table, column: up.column)
                unset.nullable = true
                unset.existingType = setNotNull.existingType
                unset.existingNullable = false
                later.append(SchemaChange(
                    .alterColumn, table: table, summary: "\(table).\(up.column) now not null, through a validated check",
                    upgrade: [.validateConstraint(name: check, table: table), .alterColumn(setNotNull),
                              .dropConstraint(name: check, table: table, type: .check)],
                    downgrade: [.createCheckConstraint(name: check, table: table, condition: condition, notValid: true),
                                .alterColumn(unset)]))
            default:
                now.append(change)
            }
        }
        return (SchemaDiff(changes: now, notes: notes), SchemaDiff(changes: later))
    }
}

extension MigrationOperation {
    /// The operation built or dropped `CONCURRENTLY` where it is an index operation.
    var concurrent: MigrationOperation {
        switch self {
        case .createIndex(var spec):
            spec.concurrently = true
            return .createIndex(spec)
        case .dropIndex(let name, let table, _):
            return .dropIndex(name: name, table: table, concurrently: true)
        default:
            return self
        }
    }
}
