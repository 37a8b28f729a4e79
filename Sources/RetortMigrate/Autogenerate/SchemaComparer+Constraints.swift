import Foundation
import RetortCore

/// Keys, unique and check constraints, indexes and enum types.
extension CompareState {
    /// Adding the declared foreign key `fk` (named `n`) to `table`; dropping it undoes it.
    func addForeignKeyChange(_ fk: ForeignKeyConstraint, named n: String, on table: String) -> SchemaChange {
        let s = spec(fk)
        return SchemaChange(
            .addForeignKey, table: table,
            summary: "added foreign key \(n) on \(table) (\(s.columns.joined(separator: ", "))) -> "
                + "\(s.refTable) (\(s.refColumns.joined(separator: ", ")))"
                + (s.onDelete.map { " on delete \($0)" } ?? "") + (s.onUpdate.map { " on update \($0)" } ?? ""),
            upgrade: [.createForeignKey(table: table, s)],
            downgrade: [.dropConstraint(name: n, table: table, type: .foreignKey)])
    }

    /// Dropping the live foreign key `fk` (named `n`) of `table`; creating it again undoes it.
    func dropForeignKeyChange(_ fk: ReflectedForeignKey, named n: String, on table: String) -> SchemaChange {
        SchemaChange(
            .removeForeignKey, table: table,
            summary: "removed foreign key \(n) on \(table) (\(fk.columns.joined(separator: ", "))) -> \(fk.referredTable)",
            upgrade: [.dropConstraint(name: n, table: table, type: .foreignKey)],
            downgrade: [.createForeignKey(table: table, spec(fk))])
    }

    mutating func compareConstraints(_ table: Table, exp: ReflectedTable, expC: ReflectedTable,
                                     cur: ReflectedTable, curC: ReflectedTable) throws {
        let name = table.name

        // Primary key: compared by columns (a name-only difference is left alone). Where
        // every key has the database's one name (MySQL's PRIMARY), a live key read
        // unnamed is dropped by that name.
        if expC.primaryKey?.columns != curC.primaryKey?.columns {
            var up: [MigrationOperation] = []
            var down: [MigrationOperation] = []
            var possible = true
            if let old = cur.primaryKey, !old.columns.isEmpty {
                if let n = old.name ?? c.dialect.fixedPrimaryKeyName {
                    up.append(.dropConstraint(name: n, table: name, type: .primaryKey))
                    down.append(.createPrimaryKey(name: n, table: name, columns: old.columns))
                } else {
                    possible = false
                }
            }
            if let new = table.primaryKey, let n = named(new.name, new.naming) {
                up.append(.createPrimaryKey(name: n, table: name, columns: new.columns))
                down.insert(.dropConstraint(name: n, table: name, type: .primaryKey), at: 0)
            }
            if possible {
                phases.dropConstraints.append(SchemaChange(
                    .primaryKey, table: name,
                    summary: "changed the primary key of \(name): (\((curC.primaryKey?.columns ?? []).joined(separator: ", "))) -> "
                        + "(\((expC.primaryKey?.columns ?? []).joined(separator: ", ")))",
                    upgrade: up, downgrade: down))
            } else {
                notes.append("the primary key of \(name) has no name, so autogenerate cannot drop it; change it by hand")
            }
        }

        // Foreign keys: by name; an unnamed live one matches a declared one with the same definition.
        func same(_ a: ReflectedForeignKey, _ b: ReflectedForeignKey) -> Bool {
            a.columns == b.columns && a.referredTable == b.referredTable && a.referredColumns == b.referredColumns
                && a.onDelete == b.onDelete && a.onUpdate == b.onUpdate
        }
        var liveFKs = curC.foreignKeys
        var newFKs: [ReflectedForeignKey] = []
        for fk in expC.foreignKeys {
            if let i = liveFKs.firstIndex(where: { ($0.name == fk.name || $0.name == nil) && same($0, fk) }) {
                liveFKs.remove(at: i)
            } else {
                newFKs.append(fk)
            }
        }
        for fk in liveFKs {
            guard let n = fk.name else {
                notes.append("\(name) has an unnamed foreign key (\(fk.columns.joined(separator: ", "))) -> \(fk.referredTable) "
                    + "that the models do not declare; drop it by hand")
                continue
            }
            phases.dropForeignKeys.append(dropForeignKeyChange(fk, named: n, on: name))
        }
        for fk in newFKs {
            guard let decl = table.foreignKeys.first(where: { named($0.name, $0.naming) == fk.name }),
                  let n = named(decl.name, decl.naming) else { continue }
            if liveFKs.contains(where: { $0.name == nil && $0.columns == fk.columns && $0.referredTable == fk.referredTable }) {
                // A second key over the same columns would not replace the unnamed one.
                notes.append("\(name) has an unnamed foreign key (\(fk.columns.joined(separator: ", "))) -> \(fk.referredTable) "
                    + "that differs from the models' \(n); replace it by hand")
                continue
            }
            phases.createForeignKeys.append(addForeignKeyChange(decl, named: n, on: name))
        }

        // Unique constraints: by name, or an unnamed live one with the same columns.
        var liveUQs = cur.uniqueConstraints
        for u in exp.uniqueConstraints {
            if let i = liveUQs.firstIndex(where: { ($0.name == u.name || $0.name == nil) && $0.columns == u.columns }) {
                liveUQs.remove(at: i)
                continue
            }
            guard let n = u.name else { continue }
            phases.createConstraints.append(SchemaChange(
                .addUnique, table: name, summary: "added unique constraint \(n) on \(name) (\(u.columns.joined(separator: ", ")))",
                upgrade: [.createUniqueConstraint(name: n, table: name, columns: u.columns)],
                downgrade: [.dropConstraint(name: n, table: name, type: .unique)]))
        }
        for u in liveUQs.sorted(by: { ($0.name ?? "") < ($1.name ?? "") }) {
            guard let n = u.name else {
                notes.append("\(name) has an unnamed unique constraint (\(u.columns.joined(separator: ", "))) "
                    + "that the models do not declare; drop it by hand")
                continue
            }
            phases.dropConstraints.append(SchemaChange(
                .removeUnique, table: name, summary: "removed unique constraint \(n) on \(name) (\(u.columns.joined(separator: ", ")))",
                upgrade: [.dropConstraint(name: n, table: name, type: .unique)],
                downgrade: [.createUniqueConstraint(name: n, table: name, columns: u.columns)]))
        }

        // Check constraints: by name (databases rewrite their text). Unnamed live ones are
        // left alone, and so are the CHECKs standing in for enum types where the dialect
        // has none: they belong to their column's type.
        let enumChecks = c.dialect.supportsNativeEnum ? [] : Set(table.enumCheckNames.values.map { c.dialect.constraintName($0, .convention) })
        let expChecks = Dictionary(exp.checkConstraints.compactMap { ck in ck.name.map { ($0, ck) } }
            .filter { !enumChecks.contains($0.0) }, uniquingKeysWith: { a, _ in a })
        // A live CHECK the models do not declare, named as the convention names an enum
        // column's CHECK but with another collision suffix, is that column's: tables made
        // before check names were made unique per table (not across the metadata) carry
        // such names, and dropping it would unconstrain the column.
        let enumCheckBases = c.dialect.supportsNativeEnum ? [] : table.enumCheckNames.keys.compactMap { column in
            metadata.namingConvention.check.map { NamingConvention.render($0, table: name, columns: [column]) }
        }
        func standsInForEnum(_ n: String) -> Bool {
            enumChecks.contains(n)
                || (expChecks[n] == nil && enumCheckBases.contains { NamingConvention.isConventional(n, base: $0) })
        }
        let liveChecks = Dictionary(cur.checkConstraints.compactMap { ck in ck.name.map { ($0, ck) } }
            .filter { !standsInForEnum($0.0) }, uniquingKeysWith: { a, _ in a })
        // An unnamed live CHECK with the declared condition is that constraint, as for
        // foreign keys and unique constraints (models read from metadata JSON name what
        // the database left unnamed by the naming convention).
        var unnamedLive = cur.checkConstraints.filter { $0.name == nil }.map(\.condition)
        for (n, ck) in expChecks.sorted(by: { $0.key < $1.key }) where liveChecks[n] == nil {
            if let i = unnamedLive.firstIndex(of: ck.condition) {
                unnamedLive.remove(at: i)
                continue
            }
            phases.createConstraints.append(SchemaChange(
                .addCheck, table: name, summary: "added check constraint \(n) on \(name) (\(ck.condition))",
                upgrade: [.createCheckConstraint(name: n, table: name, condition: ck.condition)],
                downgrade: [.dropConstraint(name: n, table: name, type: .check)]))
        }
        // An enum's CHECK missing from a column that is an enum on both sides (an
        // alter_column to the enum type brings its CHECK itself; so does add_column).
        /// The live CHECK of an enum column: named as the convention names it (shortened
        /// where the dialect needs it), or with an older collision suffix.
        func liveEnumCheck(_ base: String) -> ReflectedCheckConstraint? {
            let n = c.dialect.constraintName(base, .convention)
            return cur.checkConstraints.first { $0.name == n || $0.name == base }
                ?? cur.checkConstraints.first { ck in
                    ck.name.map { expChecks[$0] == nil && NamingConvention.isConventional($0, base: base) } ?? false
                }
        }
        for (column, n) in table.enumCheckNames.sorted(by: { $0.key < $1.key })
        where !c.dialect.supportsNativeEnum && liveEnumCheck(n) == nil {
            guard let e = expC.column(named: column), let l = curC.column(named: column),
                  !c.compareTypes || c.normalized(e.type) == c.normalized(l.type),
                  let condition = exp.checkConstraints.first(where: { $0.name == n })?.condition else { continue }
            phases.createConstraints.append(SchemaChange(
                .addCheck, table: name, summary: "added check constraint \(n) on \(name) (\(condition)), which enum column \(column) lacks",
                upgrade: [.createCheckConstraint(name: n, table: name, condition: condition)],
                downgrade: [.dropConstraint(name: n, table: name, type: .check)]))
        }
        // New or dropped values of an enum that is a CHECK: the CHECK is replaced (its
        // explicit condition, old and new, travels in the revision).
        for (column, base) in table.enumCheckNames.sorted(by: { $0.key < $1.key }) where !c.dialect.supportsNativeEnum {
            guard let live = liveEnumCheck(base), let n = live.name,
                  let want = exp.checkConstraints.first(where: { $0.name == c.dialect.constraintName(base, .convention) })
            else { continue }
            let old = SchemaComparer.quotedLiterals(live.condition), new = SchemaComparer.quotedLiterals(want.condition)
            guard !old.isEmpty, !new.isEmpty, old != new else { continue }
            let dropped = old.filter { !new.contains($0) }
            // The VARCHAR follows the longest value: where its length changes, the column
            // is altered to the plain string (which takes the CHECK with it), else the
            // CHECK alone is dropped; then the CHECK with the new values is added.
            func replace(_ from: ReflectedColumn?, _ to: ReflectedColumn?) -> [MigrationOperation] {
                guard let from, let to, from.type != to.type else { return [.dropConstraint(name: n, table: name, type: .check)] }
                var alter = AlterColumnSpec(table: name, column: column)
                alter.type = to.type.name
                alter.existingType = from.type.name
                return [.alterColumn(alter)]
            }
            let liveColumn = cur.column(named: column), wantColumn = exp.column(named: column)
            phases.createConstraints.append(SchemaChange(
                .alterColumn, table: name,
                summary: "changed the values of enum column \(name).\(column): (\(old.joined(separator: ", "))) -> (\(new.joined(separator: ", ")))",
                upgrade: replace(liveColumn, wantColumn) + [.createCheckConstraint(name: n, table: name, condition: want.condition)],
                downgrade: replace(wantColumn, liveColumn) + [.createCheckConstraint(name: n, table: name, condition: live.condition)],
                dataLoss: dropped.isEmpty ? nil
                    : "enum column \(name).\(column) no longer allows \(dropped.joined(separator: ", ")): rows holding them make the upgrade fail"))
        }
        for (n, ck) in liveChecks.sorted(by: { $0.key < $1.key }) where expChecks[n] == nil {
            phases.dropConstraints.append(SchemaChange(
                .removeCheck, table: name, summary: "removed check constraint \(n) on \(name) (\(ck.condition))",
                upgrade: [.dropConstraint(name: n, table: name, type: .check)],
                downgrade: [.createCheckConstraint(name: n, table: name, condition: ck.condition)]))
        }

        // Indexes: by name; a changed definition is a drop and a create.
        let liveIx = Dictionary(curC.indexes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let expIx = Dictionary(expC.indexes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let rawLive = Dictionary(cur.indexes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func describe(_ ix: ReflectedIndex) -> String {
            (ix.unique ? "unique " : "") + "index \(ix.name) on \(name) ("
                + ix.elements.map { e -> String in
                    switch e {
                    case .column(let n): return n + (ix.prefixLengths[n].map { "(\($0))" } ?? "")
                    case .expression(let s): return s
                    }
                }.joined(separator: ", ") + ")" + (ix.predicate.map { " where \($0)" } ?? "")
        }
        for ix in curC.indexes where expIx[ix.name] != ix {
            guard let raw = rawLive[ix.name] else { continue }
            phases.dropConstraints.append(SchemaChange(
                .removeIndex, table: name, summary: (expIx[ix.name] == nil ? "removed " : "changed (dropped) ") + describe(ix),
                upgrade: [.dropIndex(name: ix.name, table: name)], downgrade: [.createIndex(spec(raw, table: name))]))
        }
        for ix in expC.indexes where liveIx[ix.name] != ix {
            guard let decl = table.indexes.first(where: { named($0.name, $0.naming) == ix.name }) else { continue }
            phases.createConstraints.append(SchemaChange(
                .addIndex, table: name, summary: (liveIx[ix.name] == nil ? "added " : "changed (created) ") + describe(ix),
                upgrade: [.createIndex(try spec(decl, table: name))], downgrade: [.dropIndex(name: ix.name, table: name)]))
        }
    }

    // MARK: Enums

    /// New enum types and values (first), dropped types (last). Where the dialect has no
    /// enum types, a `create_enum` still records the values for the new tables and
    /// columns that use it (the CHECK that stands in for the type needs them).
    mutating func compareEnums(newTables: Set<String>) throws {
        let declaredEnums = metadata.enums
        if !c.dialect.supportsNativeEnum {
            var used = Set<String>()
            for t in declared {
                for col in t.columns {
                    guard let e = col.type.enumDefinition else { continue }
                    if newTables.contains(t.name) || live[t.name]?.column(named: col.name) == nil { used.insert(e.name) }
                }
            }
            for e in declaredEnums where used.contains(e.name) {
                phases.enums.append(SchemaChange(
                    .addEnum, table: nil, summary: "added enum \(e.name) (\(e.values.joined(separator: ", ")))",
                    upgrade: [.createEnum(name: e.name, values: e.values)], downgrade: [.dropEnum(name: e.name)]))
            }
            return
        }
        let liveEnums = Dictionary(schema.enums.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
        let declaredNames = Set(declaredEnums.map(\.name))
        for e in declaredEnums {
            guard let current = liveEnums[e.name] else {
                phases.enums.append(SchemaChange(
                    .addEnum, table: nil, summary: "added enum \(e.name) (\(e.values.joined(separator: ", ")))",
                    upgrade: [.createEnum(name: e.name, values: e.values)], downgrade: [.dropEnum(name: e.name)]))
                continue
            }
            let missing = e.values.filter { !current.contains($0) }
            let extra = current.filter { !e.values.contains($0) }
            if !extra.isEmpty {
                notes.append("enum \(e.name) has values the models no longer declare (\(extra.joined(separator: ", "))); "
                    + "PostgreSQL cannot drop enum values: recreate the type by hand")
            }
            guard !missing.isEmpty else { continue }
            var up: [MigrationOperation] = []
            var values = current
            for v in missing {
                // Place it after the declared value before it that exists, else before the next one.
                let i = e.values.firstIndex(of: v) ?? 0
                let after = e.values[..<i].last { values.contains($0) }
                let before = after == nil ? e.values[(i + 1)...].first { values.contains($0) } : nil
                up.append(.addEnumValue(name: e.name, value: v, before: before, after: after))
                if let a = after, let j = values.firstIndex(of: a) { values.insert(v, at: j + 1) }
                else if let b = before, let j = values.firstIndex(of: b) { values.insert(v, at: j) }
                else { values.append(v) }
            }
            phases.enums.append(SchemaChange(
                .addEnumValue, table: nil, summary: "added value\(missing.count == 1 ? "" : "s") "
                    + missing.map { "'\($0)'" }.joined(separator: ", ") + " to enum \(e.name)",
                upgrade: up, downgrade: recreateEnum(e.name, values: current)))
        }
        for e in schema.enums.sorted(by: { $0.name < $1.name }) where !declaredNames.contains(e.name) {
            phases.dropEnums.append(SchemaChange(
                .removeEnum, table: nil, summary: "removed enum \(e.name) (\(e.values.joined(separator: ", ")))",
                upgrade: [.dropEnum(name: e.name)], downgrade: [.createEnum(name: e.name, values: e.values)]))
        }
    }

    /// Undoing added enum values: PostgreSQL cannot drop a value, so the type is
    /// recreated with the old list and each column using it converted through text.
    func recreateEnum(_ name: String, values: [String]) -> [MigrationOperation] {
        let d = c.dialect
        let q = d.quoteIdentifier
        let old = name + "_old"
        func literal(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
        var sql = ["ALTER TYPE \(q(name)) RENAME TO \(q(old))",
                   "CREATE TYPE \(q(name)) AS ENUM (" + values.map(literal).joined(separator: ", ") + ")"]
        for t in liveOrder {
            guard let table = live[t] else { continue }
            for col in table.columns {
                guard case .enum(let n, _) = col.type, n == name else { continue }
                if col.serverDefault != nil { sql.append("ALTER TABLE \(q(t)) ALTER COLUMN \(q(col.name)) DROP DEFAULT") }
                sql.append("ALTER TABLE \(q(t)) ALTER COLUMN \(q(col.name)) TYPE \(q(name)) USING \(q(col.name))::text::\(q(name))")
                if let def = col.serverDefault {
                    sql.append("ALTER TABLE \(q(t)) ALTER COLUMN \(q(col.name)) SET DEFAULT \(def)")
                }
            }
        }
        sql.append("DROP TYPE \(q(old))")
        return sql.map { .execute(sql: nil, perDialect: [d.name: $0]) }
    }
}

extension SchemaComparer {
    /// The single-quoted literals of a condition, in order (`'it''s'` reads as `it's`):
    /// the values of an enum's `col IN ('a', 'b')` CHECK.
    static func quotedLiterals(_ sql: String) -> [String] {
        var out: [String] = []
        var current: String?
        var chars = Array(sql)[...]
        while let ch = chars.popFirst() {
            if var text = current {
                if ch == "'" {
                    if chars.first == "'" {
                        chars.removeFirst()
                        text.append("'")
                        current = text
                    } else {
                        out.append(text)
                        current = nil
                    }
                } else {
                    text.append(ch)
                    current = text
                }
            } else if ch == "'" {
                current = ""
            }
        }
        return out
    }
}
