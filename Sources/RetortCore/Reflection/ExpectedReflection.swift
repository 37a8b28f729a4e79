extension ReflectedTable {
    /// What reflection will read back for `table` once its DDL has run on `dialect`:
    /// the declared table in the database's own terms. Comparing this with what the
    /// Inspector returns is how round trips (and autogenerate) find real differences
    /// and ignore what a database cannot say:
    ///
    /// - SQLite keeps no comments and no time zone flag (`datetime(timezone)` reads back
    ///   as `datetime`); an enum is a `VARCHAR` sized to its longest value plus a named
    ///   CHECK; any lone `INTEGER` primary key is the rowid, so it reads as autoincrement.
    /// - Server defaults are compared in the reflector's canonical spelling.
    /// - CHECK conditions are compared by name (databases rewrite their text).
    /// - Names the naming convention made are shortened to the dialect's identifier
    ///   limit, as the DDL compiler creates them.
    public init(expecting table: Table, dialect: Dialect) throws {
        let ddl = dialect.makeDDLCompiler()
        let reflector = dialect.reflector
        var columns: [ReflectedColumn] = []
        var checks: [ReflectedCheckConstraint] = []
        let pk = table.primaryKey?.columns ?? []
        // Names as the database has them (conventional ones shortened to its limit).
        func named(_ name: String?, _ naming: ConstraintNaming) -> String? { name.map { dialect.constraintName($0, naming) } }
        for c in table.columns {
            var type = c.type
            if dialect.enumValuesInColumnType, let e = c.type.enumDefinition {
                // The database keeps the values, not a name: reflection names the enum after its column.
                type = .enum(name: c.name, values: e.values)
            } else if !dialect.supportsNativeEnum, let e = c.type.enumDefinition {
                type = .string(e.values.map(\.count).max() ?? 0)
                if let check = try ddl.enumCheckCondition(column: c.name, type: c.type) {
                    let name = table.enumCheckNames[c.name].map { dialect.constraintName($0, .convention) }
                    checks.append(ReflectedCheckConstraint(name: name, condition: check))
                }
            }
            // An autoincrementing key is spelled INTEGER where that makes it the rowid.
            if c.autoincrement, dialect.integerPrimaryKeyIsRowID, type.isInteger { type = .integer }
            if !dialect.typesKeepTimeZone, case .datetime = type { type = .datetime(timezone: false) }
            let rowid = dialect.integerPrimaryKeyIsRowID && pk == [c.name] && type == .integer && c.computed == nil
            let autoincrement = c.autoincrement || rowid
            var column = ReflectedColumn(
                name: c.name, type: type, nullable: c.nullable,
                serverDefault: autoincrement || c.computed != nil
                    ? nil : try c.serverDefault.map { reflector.canonicalDefault(try ddl.serverDefaultSQL($0)) },
                autoincrement: autoincrement,
                strictAutoincrement: autoincrement && (c.strictAutoincrement || c.identity != nil) && dialect.integerPrimaryKeyIsRowID,
                collation: c.collation,
                comment: dialect.supportsComments ? c.comment : nil,
                serverOnUpdate: try c.serverOnUpdate.map { reflector.canonicalDefault(try ddl.serverDefaultSQL($0)) })
            if reflector.reflectsIdentity, let identity = c.identity ?? (c.autoincrement && ddl.autoincrementIsIdentity ? Identity() : nil) {
                column.identity = Identity(always: identity.always, options: identity.options.comparable)
            }
            if let computed = c.computed {
                column.computed = Computed(reflector.canonicalGenerationExpression(try ddl.computedSQL(computed)),
                                           stored: computed.stored ?? ddl.computedStoredByDefault)
            }
            columns.append(column)
        }
        for ck in table.checkConstraints {
            checks.append(ReflectedCheckConstraint(name: named(ck.name, ck.naming), condition: try ck.conditionSQL(for: dialect)))
        }
        // Where a unique index is a unique constraint, one over plain columns reads back as one.
        var indexes = table.indexes
        var uniques = table.uniqueConstraints.map { ReflectedUniqueConstraint(name: named($0.name, $0.naming), columns: $0.columns) }
        if dialect.uniqueIndexesAreConstraints {
            indexes.removeAll { ix in
                guard ix.unique, ix.predicate == nil else { return false }
                let names = ix.elements.compactMap { node -> String? in
                    if case .column(let ref) = node { return ref.name }
                    return nil
                }
                guard names.count == ix.elements.count else { return false }
                uniques.append(ReflectedUniqueConstraint(name: named(ix.name, ix.naming), columns: names))
                return true
            }
        }
        self.init(
            name: table.name, schema: table.schema, columns: columns,
            primaryKey: table.primaryKey.map { ReflectedPrimaryKey(name: named($0.name, $0.naming), columns: $0.columns) },
            foreignKeys: table.foreignKeys.map {
                ReflectedForeignKey(
                    name: named($0.name, $0.naming), columns: $0.columns, referredSchema: $0.referredSchema, referredTable: $0.referredTable,
                    referredColumns: $0.referredColumns, onDelete: $0.onDelete == .noAction ? nil : $0.onDelete,
                    onUpdate: $0.onUpdate == .noAction ? nil : $0.onUpdate, deferrable: $0.deferrable ?? false,
                    initiallyDeferred: $0.initially == .deferred)
            },
            indexes: try indexes.map { ix in
                let elements: [ReflectedIndexElement] = try ix.elements.map { node in
                    if case .column(let ref) = node { return .column(ref.name) }
                    return .expression(reflector.canonicalIndexElement(try ddl.indexElementSQL(node)))
                }
                return ReflectedIndex(name: named(ix.name, ix.naming) ?? "", elements: elements, unique: ix.unique,
                                      predicate: try ix.whereSQL(for: dialect).map(reflector.canonicalCondition),
                                      prefixLengths: dialect.indexPrefixLengths
                                          ? ix.mysqlLength.filter { ix.columnNames?.contains($0.key) ?? false } : [:])
            },
            uniqueConstraints: uniques,
            checkConstraints: checks,
            comment: dialect.supportsComments ? table.comment : nil)
    }

    /// This table with everything a comparison should ignore taken out: a plain
    /// identity of an autoincrementing column (BY DEFAULT, default options: a serial
    /// column is the same), CHECK
    /// conditions (compared by name), enclosing parentheses of index expressions, and
    /// double quotes around lower-case names in index expressions and predicates.
    /// Lists are put in a stable order.
    public var comparable: ReflectedTable {
        var t = self
        // An autoincrementing column numbered BY DEFAULT with the default options is one
        // thing whether it is an identity or a serial column (a sequence default).
        for i in t.columns.indices where t.columns[i].autoincrement && t.columns[i].identity == Identity() {
            t.columns[i].identity = nil
        }
        t.checkConstraints = checkConstraints.map { ReflectedCheckConstraint(name: $0.name, condition: "") }
            .sorted { ($0.name ?? "") < ($1.name ?? "") }
        t.foreignKeys.sort { ($0.name ?? "", $0.columns.joined(separator: ",")) < ($1.name ?? "", $1.columns.joined(separator: ",")) }
        t.uniqueConstraints.sort { ($0.name ?? "", $0.columns.joined(separator: ",")) < ($1.name ?? "", $1.columns.joined(separator: ",")) }
        // Whether an expression element keeps its parentheses differs by database and
        // by expression (`lower(x)` loses them on PostgreSQL, `(a + b)` keeps them). An
        // element that is only a column name is that column, element by element, as
        // reflection reports it. Quotes a name does not need are not a difference:
        // users write `lower("name")`, the database hands back `lower(name)`.
        t.indexes = indexes.map { ix in
            var ix = ix
            ix.elements = ix.elements.map {
                guard case .expression(let sql) = $0 else { return $0 }
                if let column = Index.columnName(ofElement: sql) { return .column(column) }
                return .expression(unquotingPlainIdentifiers(strippingEnclosingParentheses(sql)))
            }
            ix.predicate = ix.predicate.map(unquotingPlainIdentifiers)
            return ix
        }.sorted { $0.name < $1.name }
        t.problems = []
        return t
    }
}

/// `sql` with the double quotes taken off names that do not change without them: a
/// quoted name of lower-case letters, digits and underscores (`"country"` → `country`;
/// `"Country"` keeps its quotes). String literals are left alone. For comparing only: a
/// reserved word loses its quotes too, which is the same name but not valid SQL.
func unquotingPlainIdentifiers(_ sql: String) -> String {
    guard sql.contains("\"") else { return sql }
    var out = ""
    var i = sql.startIndex
    /// The index of the quote closing the quoted run opened at `start` (doubled quotes
    /// inside are part of it), or the end.
    func close(from start: String.Index, _ quote: Character) -> String.Index {
        var j = sql.index(after: start)
        while j < sql.endIndex {
            if sql[j] == quote {
                let next = sql.index(after: j)
                guard next < sql.endIndex, sql[next] == quote else { return j }
                j = sql.index(after: next)
            } else {
                j = sql.index(after: j)
            }
        }
        return j
    }
    while i < sql.endIndex {
        let ch = sql[i]
        guard ch == "'" || ch == "\"" else {
            out.append(ch)
            i = sql.index(after: i)
            continue
        }
        let j = close(from: i, ch)
        let end = j < sql.endIndex ? sql.index(after: j) : j
        let inner = sql[sql.index(after: i)..<j]
        let plain = ch == "\"" && j < sql.endIndex && !inner.isEmpty && !inner.first!.isNumber
            && inner.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        out += plain ? inner : sql[i..<end]
        i = end
    }
    return out
}
