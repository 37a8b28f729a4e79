/// Turns DDL constructs into SQL, one visit method per construct; dialects override
/// the constructs they spell differently or lack (`SQLiteDDLCompiler`,
/// `PostgreSQLDDLCompiler`).
///
/// ```swift
/// try Dialect.postgresql.makeDDLCompiler().visitCreateEnum(CreateEnum("mood", ["ok", "sad"]))
/// // CREATE TYPE mood AS ENUM ('ok', 'sad')
/// ```
///
/// Expressions inside DDL (CHECK conditions, server defaults, index expressions) are
/// compiled by the dialect's ``SQLCompiler`` with values written as literals and
/// columns unqualified.
public class DDLCompiler {
    /// The dialect this compiler writes for.
    public let dialect: Dialect

    /// A compiler for `dialect` (use ``Dialect/makeDDLCompiler()``).
    public required init(dialect: Dialect) {
        self.dialect = dialect
    }

    // MARK: Constructs

    /// `CREATE TABLE name (columns, constraints)`.
    public func visitCreateTable(_ c: CreateTable) throws -> String {
        let t = c.table
        if !t.problems.isEmpty { throw ArgumentError(t.problems.joined(separator: "; ")) }
        if t.columns.isEmpty { throw ArgumentError("table '\(t.fullName)' has no columns") }
        var lines: [String] = []
        for col in t.columns { lines.append(try columnSpecification(col, tableName: t.name)) }
        if let pk = t.primaryKey { lines.append(try primaryKeySpecification(pk, of: t)) }
        for fk in t.foreignKeys where !(fk.name.map(c.omittingForeignKeys.contains) ?? false) {
            lines.append(try constraintSpecification(.foreignKey(fk)))
        }
        for u in t.uniqueConstraints { lines.append(try constraintSpecification(.unique(u))) }
        for ck in t.checkConstraints { lines.append(try constraintSpecification(.check(ck))) }
        lines += try enumCheckConstraints(t)
        return "CREATE TABLE " + (c.ifNotExists ? "IF NOT EXISTS " : "") + qualifiedName(t.name, t.schema)
            + " (\n    " + lines.joined(separator: ",\n    ") + "\n)" + (try tableOptions(t))
    }

    /// `DROP TABLE [IF EXISTS] name [CASCADE]`.
    public func visitDropTable(_ d: DropTable) throws -> String {
        "DROP TABLE " + (d.ifExists ? "IF EXISTS " : "") + qualifiedName(d.table) + (d.cascade ? " CASCADE" : "")
    }

    /// `ALTER TABLE name RENAME TO new`.
    public func visitRenameTable(_ r: RenameTable) throws -> String {
        "ALTER TABLE " + qualifiedName(r.table) + " RENAME TO " + quote(r.newName)
    }

    /// `COMMENT ON TABLE name IS '...'`.
    public func visitSetTableComment(_ c: SetTableComment) throws -> String {
        guard dialect.supportsComments else { throw notSupported("COMMENT ON TABLE", "SQLite does not store comments") }
        return "COMMENT ON TABLE " + qualifiedName(c.table) + " IS " + (try commentLiteral(c.comment))
    }

    /// `COMMENT ON COLUMN table.column IS '...'`.
    public func visitSetColumnComment(_ c: SetColumnComment) throws -> String {
        guard dialect.supportsComments else { throw notSupported("COMMENT ON COLUMN", "SQLite does not store comments") }
        return "COMMENT ON COLUMN " + qualifiedName(c.table) + "." + quote(c.column) + " IS " + (try commentLiteral(c.comment))
    }

    /// `CREATE [UNIQUE] INDEX name ON table (elements) [WHERE ...]`.
    public func visitCreateIndex(_ c: CreateIndex) throws -> String {
        let ix = c.index
        guard let tableName = ix.tableName else {
            throw ArgumentError("index \(ix.name ?? "(unnamed)") belongs to no table; declare it in a Table or pass on:")
        }
        guard let name = ix.name else {
            throw ArgumentError("an index on '\(tableName)' has no name and the naming convention gives none; name it")
        }
        if ix.elements.isEmpty { throw ArgumentError("index '\(name)' has no columns or expressions") }
        var sql = "CREATE " + (ix.unique ? "UNIQUE " : "") + "INDEX "
        if c.concurrently { sql += try concurrentlyKeyword() }
        if c.ifNotExists { sql += "IF NOT EXISTS " }
        sql += quote(constraintName(name, ix.naming)) + " ON " + qualifiedName(tableName, ix.tableSchema)
        if let using = ix.postgresqlUsing, let clause = indexMethodClause(using) { sql += clause }
        sql += " (" + (try ix.elements.map { try indexElement($0, of: ix) }.joined(separator: ", ")) + ")"
        if let p = ix.predicate { sql += " WHERE " + (try literalSQL(p)) }
        return sql
    }

    /// `DROP INDEX [IF EXISTS] name`.
    public func visitDropIndex(_ d: DropIndex) throws -> String {
        var sql = "DROP INDEX "
        if d.concurrently { sql += try concurrentlyKeyword() }
        if d.ifExists { sql += "IF EXISTS " }
        return sql + qualifiedName(d.name, d.table?.schema)
    }

    /// `ALTER TABLE table ADD CONSTRAINT name ... [NOT VALID]`.
    public func visitAddConstraint(_ a: AddConstraint) throws -> String {
        if a.notValid, !supportsNotValidConstraints { throw notSupported("ADD CONSTRAINT ... NOT VALID") }
        return "ALTER TABLE " + qualifiedName(a.table) + " ADD " + (try constraintSpecification(a.constraint))
            + (a.notValid ? " NOT VALID" : "")
    }

    /// `ALTER TABLE table VALIDATE CONSTRAINT name`.
    public func visitValidateConstraint(_ v: ValidateConstraint) throws -> String {
        guard supportsNotValidConstraints else { throw notSupported("VALIDATE CONSTRAINT") }
        return "ALTER TABLE " + qualifiedName(v.table) + " VALIDATE CONSTRAINT " + quote(v.name)
    }

    /// `ALTER TABLE table DROP CONSTRAINT name`.
    public func visitDropConstraint(_ d: DropConstraint) throws -> String {
        "ALTER TABLE " + qualifiedName(d.table) + " DROP CONSTRAINT " + (d.ifExists ? "IF EXISTS " : "") + quote(d.name)
            + (d.cascade ? " CASCADE" : "")
    }

    /// `ALTER TABLE table ADD COLUMN spec`.
    public func visitAddColumn(_ a: AddColumn) throws -> String {
        var spec = try columnSpecification(a.column, tableName: a.table.name)
        if let ck = try enumCheck(for: a.column, name: enumCheckName(table: a.table.name, column: a.column.name)) {
            spec += " " + ck
        }
        return "ALTER TABLE " + qualifiedName(a.table) + " ADD COLUMN " + spec
    }

    /// `ALTER TABLE table DROP COLUMN column`.
    public func visitDropColumn(_ d: DropColumn) throws -> String {
        "ALTER TABLE " + qualifiedName(d.table) + " DROP COLUMN " + quote(d.column)
    }

    /// `ALTER TABLE table RENAME COLUMN a TO b`.
    public func visitRenameColumn(_ r: RenameColumn) throws -> String {
        "ALTER TABLE " + qualifiedName(r.table) + " RENAME COLUMN " + quote(r.column) + " TO " + quote(r.newName)
    }

    /// `ALTER TABLE t ALTER COLUMN c TYPE ... USING ..., ALTER COLUMN c SET NOT NULL, ...`.
    public func visitAlterColumn(_ a: AlterColumn) throws -> String {
        guard dialect.supportsAlterColumn else {
            throw notSupported("ALTER COLUMN", "change the column by rebuilding the table (the migrator does this)")
        }
        if !a.altersColumn {
            guard let comment = a.comment else { throw ArgumentError("AlterColumn of '\(a.column)' changes nothing") }
            switch comment {
            case .set(let text): return try visitSetColumnComment(SetColumnComment(a.table, column: a.column, text))
            case .drop: return try visitSetColumnComment(SetColumnComment(a.table, column: a.column, nil))
            }
        }
        if a.comment != nil {
            throw ArgumentError(
                "AlterColumn of '\(a.column)' changes the comment and more, which takes two statements; execute its `statements`")
        }
        let col = "ALTER COLUMN " + quote(a.column)
        var actions: [String] = []
        if let type = a.type ?? (a.collation != nil ? a.existingType : nil) {
            let typeName = try dialect.typeCompiler.typeName(type)
            var action = col + " TYPE " + typeName
            switch a.collation {
            case .set(let name): action += " COLLATE " + quote(name)
            case .drop: action += " COLLATE \"default\""
            case nil: break
            }
            if a.type != nil { action += " USING " + (a.using ?? quote(a.column) + "::" + typeName) }
            actions.append(action)
        } else if a.collation != nil {
            throw ArgumentError("changing the collation of '\(a.column)' needs its type (existing_type)")
        }
        if let nullable = a.nullable { actions.append(col + (nullable ? " DROP NOT NULL" : " SET NOT NULL")) }
        if let d = a.serverDefault {
            switch d {
            case .set(let value): actions.append(col + " SET DEFAULT " + (try serverDefaultSQL(value)))
            case .drop: actions.append(col + " DROP DEFAULT")
            }
        }
        return "ALTER TABLE " + qualifiedName(a.table) + " " + actions.joined(separator: ", ")
    }

    /// `CREATE TYPE name AS ENUM ('a', 'b')`.
    public func visitCreateEnum(_ c: CreateEnum) throws -> String {
        guard dialect.supportsNativeEnum else {
            throw notSupported("CREATE TYPE ... AS ENUM", "enum columns are VARCHAR with a CHECK constraint here")
        }
        if c.values.isEmpty { throw ArgumentError("enum '\(c.name)' has no values") }
        return "CREATE TYPE " + qualifiedName(c.name, c.schema) + " AS ENUM ("
            + (try c.values.map(literalString).joined(separator: ", ")) + ")"
    }

    /// `DROP TYPE [IF EXISTS] name`.
    public func visitDropEnum(_ d: DropEnum) throws -> String {
        guard dialect.supportsNativeEnum else { throw notSupported("DROP TYPE", "enum columns are VARCHAR with a CHECK constraint here") }
        return "DROP TYPE " + (d.ifExists ? "IF EXISTS " : "") + qualifiedName(d.name, d.schema)
    }

    /// `ALTER TYPE name ADD VALUE 'v' [BEFORE|AFTER 'w']`.
    public func visitAddEnumValue(_ a: AddEnumValue) throws -> String {
        guard dialect.supportsNativeEnum else { throw notSupported("ALTER TYPE ... ADD VALUE", "rebuild the table's CHECK constraint") }
        var sql = "ALTER TYPE " + qualifiedName(a.name, a.schema) + " ADD VALUE " + (try literalString(a.value))
        if let before = a.before { sql += " BEFORE " + (try literalString(before)) } else if let after = a.after {
            sql += " AFTER " + (try literalString(after))
        }
        return sql
    }

    /// `CREATE SEQUENCE [IF NOT EXISTS] name [INCREMENT BY n] [START WITH n] [MINVALUE n]
    /// [MAXVALUE n] [CACHE n] [CYCLE]`; a dialect without sequences refuses.
    public func visitCreateSequence(_ c: CreateSequence) throws -> String {
        guard supportsSequences else { throw sequencesNotSupported(c.sequence.name) }
        return "CREATE SEQUENCE " + (c.ifNotExists ? "IF NOT EXISTS " : "")
            + qualifiedName(c.sequence.name, c.sequence.schema) + sequenceOptionsSQL(c.sequence.options, creating: true)
    }

    /// `DROP SEQUENCE [IF EXISTS] name`; a dialect without sequences refuses.
    public func visitDropSequence(_ d: DropSequence) throws -> String {
        guard supportsSequences else { throw sequencesNotSupported(d.name) }
        return "DROP SEQUENCE " + (d.ifExists ? "IF EXISTS " : "") + qualifiedName(d.name, d.schema)
    }

    // MARK: Dialect hooks

    /// Whether the database has sequences (`CREATE SEQUENCE`, ``DatabaseSequence/nextValue()``).
    public var supportsSequences: Bool { false }

    /// The error for a sequence where the dialect has none.
    func sequencesNotSupported(_ name: String) -> ProgrammingError {
        notSupported("sequences (CREATE/DROP SEQUENCE \(name))",
                     "number rows with an autoincrementing primary key or an identity column instead")
    }

    /// ` INCREMENT BY n START WITH n MINVALUE n MAXVALUE n CACHE n CYCLE`: the options
    /// that are set, in SQLAlchemy's order (`creating`: for CREATE SEQUENCE, not an identity).
    public func sequenceOptionsSQL(_ o: SequenceOptions, creating: Bool) -> String {
        var parts: [String] = []
        if let v = o.increment { parts.append("INCREMENT BY \(v)") }
        if let v = o.start { parts.append("START WITH \(v)") }
        if let v = o.minValue { parts.append("MINVALUE \(v)") }
        if let v = o.maxValue { parts.append("MAXVALUE \(v)") }
        if let v = o.cache { parts.append("CACHE \(v)") }
        if o.cycle { parts.append("CYCLE") }
        return parts.isEmpty ? "" : " " + parts.joined(separator: " ")
    }

    /// What follows an identity column's type: ` GENERATED {ALWAYS|BY DEFAULT} AS
    /// IDENTITY [(options)]` (PostgreSQL, Oracle). The default refuses; dialects that
    /// number a column otherwise (SQLite's rowid, MySQL's AUTO_INCREMENT, SQL Server's
    /// IDENTITY) override it.
    public func identityClause(_ column: Column, _ identity: Identity) throws -> String {
        throw notSupported("identity columns (column '\(column.name)')", "declare an autoincrementing integer primary key")
    }

    /// The standard identity clause, for the dialects that have it.
    func standardIdentityClause(_ identity: Identity) -> String {
        let options = sequenceOptionsSQL(identity.options, creating: false)
        return " GENERATED " + (identity.always ? "ALWAYS" : "BY DEFAULT") + " AS IDENTITY"
            + (options.isEmpty ? "" : " (" + options.dropFirst() + ")")
    }

    /// A computed column's specification: `name TYPE GENERATED ALWAYS AS (expr)
    /// [STORED|VIRTUAL] [NOT NULL]` (SQL Server: `name AS (expr) [PERSISTED]`).
    public func computedColumnSpecification(_ c: Column, _ computed: Computed) throws -> String {
        if c.serverDefault != nil || c.identity != nil {
            throw ArgumentError("column '\(c.name)' is computed and cannot also have a server default or an identity")
        }
        var spec = quote(c.name) + " " + (try dialect.typeCompiler.typeName(c.type))
        if let collation = c.collation { spec += " COLLATE " + quote(collation) }
        spec += " GENERATED ALWAYS AS (" + (try computedSQL(computed)) + ")" + (try computedKind(computed, column: c.name))
        if !c.nullable { spec += " NOT NULL" }
        return spec + (try columnOptions(c))
    }

    /// A computed column's expression for this dialect.
    public func computedSQL(_ computed: Computed) throws -> String {
        switch computed.storage {
        case .sql(let text): return text
        case .expression(let node): return try literalSQL(node)
        }
    }

    /// The statements that change a column's identity from `old` to `new` (adding,
    /// dropping or replacing it), for autogenerate. The default refuses: only a database
    /// whose reflection reads identities (PostgreSQL) is asked.
    public func alterIdentityStatements(table: TableReference, column: String, from old: Identity?, to new: Identity?) throws -> [String] {
        throw notSupported("changing a column's identity ('\(table.name).\(column)')", "recreate the table")
    }

    /// Whether an autoincrementing column is an identity column (`GENERATED BY DEFAULT
    /// AS IDENTITY`: PostgreSQL, Oracle), as reflection then reads it back.
    public var autoincrementIsIdentity: Bool { false }

    /// Whether a computed column declared without `stored` is stored (PostgreSQL) or
    /// virtual (the others).
    public var computedStoredByDefault: Bool { false }

    /// ` STORED`, ` VIRTUAL` or nothing (the database's default kind).
    public func computedKind(_ computed: Computed, column: String) throws -> String {
        switch computed.stored {
        case true?: return " STORED"
        case false?: return " VIRTUAL"
        case nil: return ""
        }
    }


    /// The SQL after DEFAULT for a default given as SQL text (SQLite wants an expression
    /// that is not a literal in parentheses: `DEFAULT (datetime('now'))`).
    public func serverDefaultText(_ sql: String) -> String { sql }

    /// A CREATE TABLE's primary-key clause (SQLite adds `AUTOINCREMENT` for a key
    /// column with ``Column/strictAutoincrement``).
    public func primaryKeySpecification(_ pk: PrimaryKeyConstraint, of table: Table) throws -> String {
        try constraintSpecification(.primaryKey(pk))
    }

    /// ` DEFAULT sql` in a column's specification (SQL Server names the default's
    /// constraint so that it can be dropped later).
    public func columnDefaultClause(_ sql: String, table: String, column: String) -> String { " DEFAULT " + sql }

    /// What follows an autoincrementing column's type (PostgreSQL: an identity clause).
    public func autoincrementClause(_ column: Column) -> String? { nil }

    /// What ends a column's specification (MySQL: ` ON UPDATE …`, ` COMMENT '…'`). The
    /// default refuses a ``Column/serverOnUpdate``, which no other database has.
    public func columnOptions(_ column: Column) throws -> String {
        if column.serverOnUpdate != nil {
            throw notSupported("a server-side ON UPDATE value (column '\(column.name)')",
                               "set the value from the application, or with a trigger")
        }
        return ""
    }

    /// What follows a CREATE TABLE's closing parenthesis (MySQL: engine, charset, comment).
    public func tableOptions(_ table: Table) throws -> String { "" }

    /// `CONCURRENTLY ` for index DDL (PostgreSQL only).
    public func concurrentlyKeyword() throws -> String {
        throw notSupported("CREATE/DROP INDEX CONCURRENTLY")
    }

    /// Whether indexes can be built and dropped `CONCURRENTLY` (without blocking writes).
    public var supportsConcurrentIndexes: Bool { false }

    /// Whether foreign keys and checks can be added `NOT VALID` and validated later.
    public var supportsNotValidConstraints: Bool { false }

    /// ` USING method` for an index (PostgreSQL only; ignored elsewhere).
    public func indexMethodClause(_ method: String) -> String? { nil }

    /// One element of `index`'s column list (MySQL adds prefix lengths).
    package func indexElement(_ node: ExpressionNode, of index: Index) throws -> String { try indexElementSQL(node) }

    /// The query that tells whether an enum type exists, where enums are types.
    public func enumExistsQuery(_ name: String, schema: String?) -> CompiledStatement? { nil }

    /// The error for a construct this dialect lacks.
    public func notSupported(_ construct: String, _ advice: String = "") -> ProgrammingError {
        ProgrammingError(
            kind: .notSupported,
            message: "\(construct) is not supported by the \(dialect.name) dialect" + (advice.isEmpty ? "" : "; " + advice))
    }
}
