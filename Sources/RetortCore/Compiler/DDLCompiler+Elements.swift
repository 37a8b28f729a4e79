/// The pieces DDL statements are made of: column specifications, constraint clauses,
/// literals, names.
extension DDLCompiler {
    /// `name TYPE [identity] [DEFAULT x] [NOT NULL]`.
    public func columnSpecification(_ c: Column, tableName: String) throws -> String {
        if let computed = c.computed { return try computedColumnSpecification(c, computed) }
        let types = dialect.typeCompiler
        var spec = quote(c.name) + " " + (c.autoincrement ? try types.autoincrementTypeName(c.type) : try types.typeName(c.type))
        if let collation = c.collation { spec += " COLLATE " + quote(collation) }
        let identity = try c.identity.map { try identityClause(c, $0) } ?? (c.autoincrement ? autoincrementClause(c) : nil)
        if let identity { spec += identity }
        if identity == nil, let d = c.serverDefault {
            spec += columnDefaultClause(try serverDefaultSQL(d), table: tableName, column: c.name)
        }
        if !c.nullable { spec += " NOT NULL" }
        return spec + (try columnOptions(c))
    }

    /// `[CONSTRAINT name] PRIMARY KEY (...)` and the other constraint clauses.
    public func constraintSpecification(_ constraint: TableConstraint) throws -> String {
        var sql = ""
        if let name = constraint.name { sql += "CONSTRAINT " + quote(constraintName(name, constraint.naming)) + " " }
        switch constraint {
        case .primaryKey(let pk):
            sql += "PRIMARY KEY " + columnList(pk.columns)
        case .unique(let u):
            sql += "UNIQUE " + columnList(u.columns)
        case .check(let ck):
            sql += "CHECK (" + (try literalSQL(ck.condition)) + ")"
        case .foreignKey(let fk):
            sql += "FOREIGN KEY " + columnList(fk.columns) + " REFERENCES " + qualifiedName(fk.referredTable, fk.referredSchema)
                + " " + columnList(fk.referredColumns)
            if let a = fk.onDelete { sql += " ON DELETE " + a.rawValue }
            if let a = fk.onUpdate { sql += " ON UPDATE " + a.rawValue }
            if let d = fk.deferrable { sql += d ? " DEFERRABLE" : " NOT DEFERRABLE" }
            if let i = fk.initially { sql += " INITIALLY " + i.rawValue }
        }
        return sql
    }

    /// The CHECK constraints standing in for enum types, where the dialect has none.
    public func enumCheckConstraints(_ table: Table) throws -> [String] {
        var out: [String] = []
        for c in table.columns {
            if let ck = try enumCheck(for: c, name: table.enumCheckNames[c.name]) { out.append(ck) }
        }
        return out
    }

    /// `CONSTRAINT name CHECK (col IN ('a', 'b'))` for an enum column without native enums.
    package func enumCheck(for column: Column, name: String?) throws -> String? {
        guard let condition = try enumCheckCondition(column: column.name, type: column.type) else { return nil }
        return (name.map { "CONSTRAINT " + quote(constraintName($0, .convention)) + " " } ?? "") + "CHECK (" + condition + ")"
    }

    /// `col IN ('a', 'b')`: the condition of the CHECK standing in for an enum type, for
    /// a column of `type` where the dialect has no enum types (nil otherwise).
    package func enumCheckCondition(column: String, type: SQLType) throws -> String? {
        guard !dialect.supportsNativeEnum, !dialect.enumValuesInColumnType, let e = type.enumDefinition, !e.values.isEmpty else { return nil }
        return quote(column) + " IN (" + (try e.values.map(literalString).joined(separator: ", ")) + ")"
    }

    /// The default convention's name for an enum CHECK added with a column.
    package func enumCheckName(table: String, column: String) -> String? {
        NamingConvention.default.check.map { NamingConvention.render($0, table: table, columns: [column]) }
    }

    /// `(a, b)`.
    public func columnList(_ names: [String]) -> String {
        "(" + names.map(quote).joined(separator: ", ") + ")"
    }

    /// The SQL after `DEFAULT`: text verbatim, a literal, or `(expression)`.
    public func serverDefaultSQL(_ d: ServerDefault) throws -> String {
        switch d.storage {
        case .sql(let text): return serverDefaultText(text)
        case .value(let v): return try expressionCompiler().renderLiteral(v)
        case .expression(let node):
            let sql = try literalSQL(node)
            if case .keyword = node { return sql }
            return "(" + sql + ")"
        }
    }

    /// An expression as DDL writes it: literals inline, columns unqualified.
    package func literalSQL(_ node: ExpressionNode) throws -> String {
        let compiler = expressionCompiler()
        try compiler.visit(node)
        let (sql, bindings, _) = compiler.out.finish(dialect.paramStyle)
        if !bindings.isEmpty {
            throw ArgumentError("DDL cannot take parameters, and this expression has \(bindings.count): \(sql)")
        }
        return sql
    }

    /// An index element: a column name, a function call, or `(expression)`.
    package func indexElementSQL(_ node: ExpressionNode) throws -> String {
        let sql = try literalSQL(node)
        switch node {
        case .column, .function: return sql
        default: return "(" + sql + ")"
        }
    }

    /// A SQL compiler writing values as literals, for expressions inside DDL.
    package func expressionCompiler() -> SQLCompiler {
        let c = dialect.makeSQLCompiler()
        c.literalValues = true
        c.qualifyColumns = false
        return c
    }

    /// `'text'` with quotes doubled.
    public func literalString(_ s: String) throws -> String { try expressionCompiler().quoteString(s) }

    /// `'comment'` or `NULL`.
    package func commentLiteral(_ s: String?) throws -> String {
        guard let s else { return "NULL" }
        return try literalString(s)
    }

    /// An identifier, quoted as needed.
    public func quote(_ name: String) -> String { dialect.quoteIdentifier(name) }

    /// `schema.name`, each part quoted as needed.
    public func qualifiedName(_ name: String, _ schema: String?) -> String {
        if let schema { return quote(schema) + "." + quote(name) }
        return quote(name)
    }

    /// `schema.name` of a table reference.
    public func qualifiedName(_ table: TableReference) -> String { qualifiedName(table.name, table.schema) }

    /// A constraint or index name as created: a conventional name longer than the
    /// dialect's identifier limit is shortened with a hash suffix; an explicit one is kept.
    package func constraintName(_ name: String, _ naming: ConstraintNaming) -> String {
        dialect.constraintName(name, naming)
    }
}
