import Foundation

/// SQL Server's DDL.
///
/// - autoincrementing keys are `IDENTITY(1,1)`; columns are added with `ADD`;
/// - a column's default is a named constraint, `df_<table>_<column>` (shortened with a
///   hash past 128 characters, as the naming convention shortens names). Changing or
///   dropping the default, or dropping the column, first drops that constraint when it
///   exists (`IF OBJECT_ID(N'df_t_c', N'D') IS NOT NULL ALTER TABLE t DROP CONSTRAINT
///   df_t_c`); renaming the column renames it;
/// - `ALTER TABLE t ALTER COLUMN c type [NOT] NULL` restates the type, so changing
///   nullability needs the type (the operation's `existing_type`);
/// - tables and columns are renamed with `sp_rename`, comments are `MS_Description`
///   extended properties, `DROP INDEX name ON table`.
final class SQLServerDDLCompiler: DDLCompiler {
    override func autoincrementClause(_ column: Column) -> String? { " IDENTITY(1,1)" }

    override var supportsSequences: Bool { true }

    /// `IDENTITY(start, increment)`; SQL Server's identities take no other option.
    override func identityClause(_ column: Column, _ identity: Identity) throws -> String {
        let o = identity.options
        if o.minValue != nil || o.maxValue != nil || o.cycle || o.cache != nil {
            throw notSupported("identity options other than start and increment (column '\(column.name)')",
                               "declare a sequence with those options and default the column to its next value")
        }
        return " IDENTITY(\(o.start ?? 1),\(o.increment ?? 1))"
    }

    /// `name AS (expr) [PERSISTED] [NOT NULL]`: the type follows from the expression.
    override func computedColumnSpecification(_ c: Column, _ computed: Computed) throws -> String {
        if c.serverDefault != nil || c.identity != nil {
            throw ArgumentError("column '\(c.name)' is computed and cannot also have a server default or an identity")
        }
        return quote(c.name) + " AS (" + (try computedSQL(computed)) + ")" + (computed.stored == true ? " PERSISTED" : "")
            + (c.nullable ? "" : " NOT NULL")
    }

    /// The name of `column`'s default constraint.
    func defaultConstraintName(table: String, column: String) -> String {
        dialect.constraintName("df_\(table)_\(column)", .convention)
    }

    override func columnDefaultClause(_ sql: String, table: String, column: String) -> String {
        " CONSTRAINT " + quote(defaultConstraintName(table: table, column: column)) + " DEFAULT " + sql
    }

    /// `IF OBJECT_ID(N'name', type) IS NOT NULL ALTER TABLE t DROP CONSTRAINT name`.
    func dropIfExists(_ name: String, objectType: String, on table: TableReference) throws -> String {
        let qualified = table.schema.map { $0 + "." + name } ?? name
        return "IF OBJECT_ID(" + (try dialect.literal(.text(qualified))) + ", N'\(objectType)') IS NOT NULL ALTER TABLE "
            + qualifiedName(table) + " DROP CONSTRAINT " + quote(name)
    }

    /// A default written `true` / `false` (as revision files and other databases spell
    /// it) is `1` / `0` here: there are no boolean literals.
    override func serverDefaultText(_ sql: String) -> String {
        switch sql.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true": return "1"
        case "false": return "0"
        default: return sql
        }
    }

    override func visitCreateTable(_ c: CreateTable) throws -> String {
        if c.ifNotExists { throw notSupported("CREATE TABLE IF NOT EXISTS", "leave it out") }
        try CompileOnly.checkLengths(c.table, dialect)
        for fk in c.table.foreignKeys { try checkActions(fk) }
        return try super.visitCreateTable(c)
    }

    override func visitAddConstraint(_ a: AddConstraint) throws -> String {
        if case .foreignKey(let fk) = a.constraint { try checkActions(fk) }
        return try super.visitAddConstraint(a)
    }

    /// SQL Server has no RESTRICT action (NO ACTION, its default, refuses the same changes).
    func checkActions(_ fk: ForeignKeyConstraint) throws {
        for (verb, action) in [("DELETE", fk.onDelete), ("UPDATE", fk.onUpdate)] where action == .restrict {
            throw notSupported("ON \(verb) RESTRICT", "SQL Server's NO ACTION (its default) refuses the same changes; use it or leave the clause out")
        }
    }

    override func visitDropTable(_ d: DropTable) throws -> String {
        if d.cascade { throw notSupported("DROP TABLE ... CASCADE", "drop the foreign keys that refer to it first") }
        return try super.visitDropTable(d)
    }

    /// `EXEC sp_rename N'old', N'new'`.
    override func visitRenameTable(_ r: RenameTable) throws -> String {
        "EXEC sp_rename " + (try dialect.literal(.text(r.table.schema.map { $0 + "." + r.table.name } ?? r.table.name)))
            + ", " + (try dialect.literal(.text(r.newName)))
    }

    override func visitCreateIndex(_ c: CreateIndex) throws -> String {
        if c.ifNotExists { throw notSupported("CREATE INDEX IF NOT EXISTS") }
        return try super.visitCreateIndex(c)
    }

    /// `DROP INDEX [IF EXISTS] name ON table`.
    override func visitDropIndex(_ d: DropIndex) throws -> String {
        guard let table = d.table else {
            throw ArgumentError("dropping index '\(d.name)' on SQL Server needs its table (DROP INDEX name ON table); give table:")
        }
        return "DROP INDEX " + (d.ifExists ? "IF EXISTS " : "") + quote(d.name) + " ON " + qualifiedName(table)
    }

    /// `ALTER TABLE t ADD col type …` (no COLUMN keyword).
    override func visitAddColumn(_ a: AddColumn) throws -> String {
        try CompileOnly.checkLength(a.column.name, "column", dialect)
        var spec = try columnSpecification(a.column, tableName: a.table.name)
        if let ck = try enumCheck(for: a.column, name: enumCheckName(table: a.table.name, column: a.column.name)) {
            spec += " " + ck
        }
        return "ALTER TABLE " + qualifiedName(a.table) + " ADD " + spec
    }

    /// Drops the column's default constraint and the CHECK standing in for its enum
    /// type when they exist (SQL Server refuses to drop a column they refer to), then
    /// the column.
    override func visitDropColumn(_ d: DropColumn) throws -> String {
        var statements = [try dropIfExists(defaultConstraintName(table: d.table.name, column: d.column), objectType: "D", on: d.table)]
        if let check = enumCheckName(table: d.table.name, column: d.column) {
            statements.append(try dropIfExists(constraintName(check, .convention), objectType: "C", on: d.table))
        }
        statements.append("ALTER TABLE " + qualifiedName(d.table) + " DROP COLUMN " + quote(d.column))
        return statements.joined(separator: ";\n")
    }

    /// `EXEC sp_rename N't.old', N'new', 'COLUMN'`, and the default constraint renamed to match.
    override func visitRenameColumn(_ r: RenameColumn) throws -> String {
        let prefix = r.table.schema.map { $0 + "." } ?? ""
        let from = defaultConstraintName(table: r.table.name, column: r.column)
        let to = defaultConstraintName(table: r.table.name, column: r.newName)
        return "EXEC sp_rename " + (try dialect.literal(.text(prefix + r.table.name + "." + r.column))) + ", "
            + (try dialect.literal(.text(r.newName))) + ", 'COLUMN';\n"
            + "IF OBJECT_ID(" + (try dialect.literal(.text(prefix + from))) + ", N'D') IS NOT NULL EXEC sp_rename "
            + (try dialect.literal(.text(prefix + from))) + ", " + (try dialect.literal(.text(to))) + ", 'OBJECT'"
    }

    /// `ALTER TABLE t ALTER COLUMN c type [NULL | NOT NULL]`, then the default: its
    /// constraint dropped when it exists and, for a new default, added again under the
    /// same name.
    override func visitAlterColumn(_ a: AlterColumn) throws -> String {
        guard a.altersColumn else { return try super.visitAlterColumn(a) }
        if a.comment != nil {
            throw ArgumentError(
                "AlterColumn of '\(a.column)' changes the comment and more, which takes two statements; execute its `statements`")
        }
        if a.using != nil { throw notSupported("ALTER COLUMN ... USING", "convert the values with an UPDATE through a new column") }
        var statements: [String] = []
        if a.type != nil || a.nullable != nil || a.collation != nil {
            guard let type = a.type ?? a.existingType else {
                throw ArgumentError("changing the nullability or collation of '\(a.column)' on SQL Server restates its type: "
                                    + "give existing_type")
            }
            var sql = "ALTER TABLE " + qualifiedName(a.table) + " ALTER COLUMN " + quote(a.column) + " "
                + (try dialect.typeCompiler.typeName(type))
            switch a.collation {
            case .set(let name)?: sql += " COLLATE " + name
            case .drop?: sql += " COLLATE DATABASE_DEFAULT"
            case nil: break
            }
            if let nullable = a.nullable { sql += nullable ? " NULL" : " NOT NULL" }
            statements.append(sql)
        }
        if let change = a.serverDefault {
            let name = defaultConstraintName(table: a.table.name, column: a.column)
            statements.append(try dropIfExists(name, objectType: "D", on: a.table))
            if case .set(let value) = change {
                statements.append("ALTER TABLE " + qualifiedName(a.table) + " ADD CONSTRAINT " + quote(name) + " DEFAULT "
                                  + (try serverDefaultSQL(value)) + " FOR " + quote(a.column))
            }
        }
        return statements.joined(separator: ";\n")
    }

    /// `EXEC sp_addextendedproperty N'MS_Description', N'…', …` (`sp_dropextendedproperty`
    /// for no comment).
    override func visitSetTableComment(_ c: SetTableComment) throws -> String {
        try extendedProperty(c.comment, table: c.table, column: nil)
    }

    override func visitSetColumnComment(_ c: SetColumnComment) throws -> String {
        try extendedProperty(c.comment, table: c.table, column: c.column)
    }

    private func extendedProperty(_ comment: String?, table: TableReference, column: String?) throws -> String {
        var args = ["@name = N'MS_Description'"]
        if let comment { args.append("@value = " + (try dialect.literal(.text(comment)))) }
        args.append("@level0type = N'SCHEMA', @level0name = " + (try table.schema.map { try dialect.literal(.text($0)) } ?? "N'dbo'"))
        args.append("@level1type = N'TABLE', @level1name = " + (try dialect.literal(.text(table.name))))
        if let column { args.append("@level2type = N'COLUMN', @level2name = " + (try dialect.literal(.text(column)))) }
        return "EXEC " + (comment == nil ? "sp_dropextendedproperty " : "sp_addextendedproperty ") + args.joined(separator: ", ")
    }
}
