/// MySQL's DDL.
///
/// - an autoincrementing key is `AUTO_INCREMENT`; tables are
///   `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`, with their comment inline
///   (`COMMENT='…'`), and so are column comments and `ON UPDATE` values;
/// - a `string` with no length or a `numeric` with no precision is an error naming
///   the column;
/// - `DROP INDEX ix ON t`; constraints drop by kind: `DROP FOREIGN KEY`,
///   `DROP PRIMARY KEY`, a unique constraint by its index, a CHECK with `DROP CHECK`
///   (MySQL) or `DROP CONSTRAINT` (MariaDB); a primary key is added without its name
///   (`ADD PRIMARY KEY (…)`) and replaced in one statement by ``MySQLReplacePrimaryKey``;
///   ``MySQLDropForeignKey`` drops a foreign key with the index MySQL made for it;
/// - an index element over a TEXT or BLOB column takes a prefix length from
///   ``Index/mysqlLength`` (`(body(255))`);
/// - enums are inline `ENUM('a', 'b')` column types (no type, no CHECK);
/// - `RENAME COLUMN` from MariaDB 10.5 (MySQL 8 always); CASCADE, `CONCURRENTLY` and
///   `NOT VALID` are refused.
///
/// Changing a column (`ALTER COLUMN`) is MySQL's `MODIFY`, which restates the whole
/// column: the migrator renders it (``visitAlterColumn(_:)``).
final class MySQLDDLCompiler: DDLCompiler {
    var server: MySQLServer { (dialect.implementation as? MySQLDialect)?.server ?? MySQLServer(.mysql, [8, 0, 36]) }

    override func autoincrementClause(_ column: Column) -> String? { " AUTO_INCREMENT" }

    /// MariaDB 10.3 and later; MySQL has none.
    override var supportsSequences: Bool { server.features.contains(.sequences) }

    /// `AUTO_INCREMENT`, which takes none of an identity's options.
    override func identityClause(_ column: Column, _ identity: Identity) throws -> String {
        guard identity.options.isDefault else {
            throw notSupported("identity options (column '\(column.name)'): AUTO_INCREMENT has none",
                               "leave the options out, or use a sequence (MariaDB) with them")
        }
        return " AUTO_INCREMENT"
    }

    override func visitCreateTable(_ c: CreateTable) throws -> String {
        for column in c.table.columns { try checkType(column, table: c.table.name) }
        return try super.visitCreateTable(c)
    }

    override func visitAddColumn(_ a: AddColumn) throws -> String {
        try checkType(a.column, table: a.table.name)
        return try super.visitAddColumn(a)
    }

    /// The type's error, naming the column.
    private func checkType(_ column: Column, table: String) throws {
        do {
            _ = try dialect.typeCompiler.typeName(column.type)
        } catch let error as ArgumentError {
            throw ArgumentError("column '\(table).\(column.name)' (\(column.type.name)): \(error.message)")
        }
    }

    /// ` ON UPDATE value` and ` COMMENT '…'`.
    override func columnOptions(_ column: Column) throws -> String {
        var sql = ""
        if let onUpdate = column.serverOnUpdate { sql += " ON UPDATE " + (try serverDefaultSQL(onUpdate)) }
        if let comment = column.comment { sql += " COMMENT " + (try literalString(comment)) }
        return sql
    }

    override func tableOptions(_ table: Table) throws -> String {
        var sql = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
        if let comment = table.comment { sql += " COMMENT=" + (try literalString(comment)) }
        return sql
    }

    /// `CURRENT_TIMESTAMP` (and `now()`) written as SQL text get the microseconds of
    /// `DATETIME(6)`, which MySQL requires of a default for such a column.
    override func serverDefaultText(_ sql: String) -> String {
        let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        switch trimmed.uppercased() {
        case "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP()", "NOW()", "LOCALTIMESTAMP": return "CURRENT_TIMESTAMP(6)"
        default: return trimmed
        }
    }

    override func visitDropTable(_ d: DropTable) throws -> String {
        if d.cascade { throw notSupported("DROP TABLE ... CASCADE", "MySQL ignores CASCADE; drop the dependent tables first") }
        return try super.visitDropTable(d)
    }

    /// `ALTER TABLE t COMMENT = '…'` (an empty comment removes it).
    override func visitSetTableComment(_ c: SetTableComment) throws -> String {
        "ALTER TABLE " + qualifiedName(c.table) + " COMMENT = " + (try literalString(c.comment ?? ""))
    }

    override func visitSetColumnComment(_ c: SetColumnComment) throws -> String {
        throw notSupported("changing only a column's comment",
                           "MySQL restates the whole column (MODIFY): alter the column with its existing type, nullability and default")
    }

    override func visitCreateIndex(_ c: CreateIndex) throws -> String {
        if c.index.predicate != nil, !dialect.supportsPartialIndexes {
            throw notSupported("a partial index (CREATE INDEX ... WHERE)", "index all rows, or a generated column")
        }
        return try super.visitCreateIndex(c)
    }

    /// `DROP INDEX name ON table`.
    override func visitDropIndex(_ d: DropIndex) throws -> String {
        if d.concurrently { throw notSupported("DROP INDEX CONCURRENTLY") }
        guard let table = d.table else {
            throw ArgumentError("dropping index '\(d.name)' on MySQL needs its table (DROP INDEX name ON table)")
        }
        return "DROP INDEX " + (d.ifExists ? "IF EXISTS " : "") + quote(d.name) + " ON " + qualifiedName(table)
    }

    /// `ADD PRIMARY KEY (…)` without the key's name: MySQL ignores it (every primary key
    /// is `PRIMARY`) and refuses `PRIMARY` itself as one.
    override func visitAddConstraint(_ a: AddConstraint) throws -> String {
        guard case .primaryKey(let pk) = a.constraint, pk.name != nil else { return try super.visitAddConstraint(a) }
        return try super.visitAddConstraint(AddConstraint(a.table, .primaryKey(PrimaryKeyConstraint(columns: pk.columns, name: nil)),
                                                          notValid: a.notValid))
    }

    override func visitDropConstraint(_ d: DropConstraint) throws -> String {
        if d.cascade { throw notSupported("DROP CONSTRAINT ... CASCADE") }
        let ifExists = d.ifExists ? "IF EXISTS " : ""
        let head = "ALTER TABLE " + qualifiedName(d.table) + " "
        switch d.kind {
        case .foreignKey: return head + "DROP FOREIGN KEY " + ifExists + quote(d.name)
        case .primaryKey: return head + "DROP PRIMARY KEY"
        case .unique: return head + "DROP INDEX " + ifExists + quote(d.name)
        case .check:
            return head + (server.isMariaDB ? "DROP CONSTRAINT " : "DROP CHECK ") + ifExists + quote(d.name)
        case nil:
            guard server.isMariaDB || server.atLeast(8, 0, 19) else {
                throw ArgumentError("dropping constraint '\(d.name)' on MySQL before 8.0.19 needs its kind (foreign_key, unique, check, primary_key)")
            }
            return head + "DROP CONSTRAINT " + ifExists + quote(d.name)
        }
    }

    override func visitRenameColumn(_ r: RenameColumn) throws -> String {
        guard server.features.contains(.renameColumn) else {
            throw notSupported("RENAME COLUMN (before MariaDB 10.5)", "upgrade the server, or restate the column with CHANGE")
        }
        return try super.visitRenameColumn(r)
    }

    /// MySQL changes a column with `MODIFY`, restating all of it; the migrator writes
    /// that statement from the operation's existing type, nullability and default.
    override func visitAlterColumn(_ a: AlterColumn) throws -> String { try alterColumnSQL(a) }

    override func concurrentlyKeyword() throws -> String { throw notSupported("CREATE/DROP INDEX CONCURRENTLY") }

    /// An index element over a column with a prefix length: `` body(255) ``.
    override func indexElement(_ node: ExpressionNode, of index: Index) throws -> String {
        if case .column(let ref) = node, let length = index.mysqlLength[ref.name] {
            return quote(ref.name) + "(\(length))"
        }
        let sql = try super.indexElement(node, of: index)
        // MySQL 8 indexes expressions in double parentheses: `((lower(name)))`.
        if case .column = node { return sql }
        guard server.features.contains(.expressionIndexes) else {
            throw notSupported("an index over expressions (\(sql)) on \(server)",
                               "add a generated column computing it and index that column")
        }
        return sql.hasPrefix("(") ? sql : "(" + sql + ")"
    }
}
