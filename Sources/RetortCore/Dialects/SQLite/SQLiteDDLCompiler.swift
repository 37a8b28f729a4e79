/// SQLite's DDL: ALTER TABLE can add, drop and rename columns and rename tables, but
/// not add or drop constraints or alter a column — those raise
/// ``ProgrammingError`` (`.notSupported`) and the migrator rebuilds the table instead.
/// There are no enum types (a CHECK stands in) and no comments.
final class SQLiteDDLCompiler: DDLCompiler {
    override func visitAddConstraint(_ a: AddConstraint) throws -> String {
        throw notSupported("ALTER TABLE ... ADD CONSTRAINT", "rebuild the table with the constraint (the migrator does this)")
    }

    override func visitDropConstraint(_ d: DropConstraint) throws -> String {
        throw notSupported("ALTER TABLE ... DROP CONSTRAINT", "rebuild the table without the constraint (the migrator does this)")
    }

    override func visitDropTable(_ d: DropTable) throws -> String {
        if d.cascade { throw notSupported("DROP TABLE ... CASCADE", "drop dependent tables first") }
        return try super.visitDropTable(d)
    }

    /// SQLite takes a literal (number, string, blob, NULL, TRUE, FALSE, CURRENT_TIME,
    /// CURRENT_DATE, CURRENT_TIMESTAMP) or a parenthesised expression after DEFAULT, and
    /// reports `DEFAULT (expr)` back without its parentheses: put them back.
    override func serverDefaultText(_ sql: String) -> String {
        let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        return SQLiteDDLCompiler.isLiteralDefault(trimmed) ? trimmed : "(" + trimmed + ")"
    }

    static func isLiteralDefault(_ sql: String) -> Bool {
        if strippingEnclosingParentheses(sql, layers: 1) != sql { return true }  // already (expr)
        let tokens = SQLiteSchemaParser(sql).tokens
        var rest = tokens[...]
        if let sign = rest.first, sign.kind == .symbol, sign.text == "-" || sign.text == "+" { rest = rest.dropFirst() }
        // A number the tokenizer split at its point or exponent sign (1.5, 1e-3) still is one.
        if rest.first?.kind == .number || (rest.first?.text == "." && rest.dropFirst().first?.kind == .number) {
            return Double(sql.filter { !$0.isWhitespace }) != nil || Int64(sql.filter { !$0.isWhitespace }) != nil
                || sql.lowercased().hasPrefix("0x")
        }
        guard tokens.count == 1 || (tokens.count == 2 && tokens[0].isWord("X") && tokens[1].kind == .string) else { return false }
        let t = tokens[0]
        if t.kind == .string { return true }
        return ["NULL", "TRUE", "FALSE", "CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"].contains(t.text.uppercased())
            && t.kind == .word
    }

    /// An identity is the rowid: only a lone INTEGER primary key can be one, and it takes
    /// none of the options (the rowid counts from 1 by 1). `AUTOINCREMENT` keeps it from
    /// handing out a number twice, as a sequence would not.
    override func identityClause(_ column: Column, _ identity: Identity) throws -> String {
        guard identity.options.isDefault else {
            throw notSupported("identity options (column '\(column.name)'): the rowid counts from 1 by 1",
                               "leave the options out")
        }
        return ""
    }

    override func visitCreateTable(_ c: CreateTable) throws -> String {
        for column in c.table.columns where column.identity != nil {
            guard c.table.primaryKey?.columns == [column.name], column.type.isInteger else {
                throw notSupported("an identity column that is not the table's lone integer primary key ('\(c.table.name).\(column.name)')",
                                   "SQLite numbers only its rowid, an INTEGER PRIMARY KEY")
            }
        }
        return try super.visitCreateTable(c)
    }

    override func visitAddColumn(_ a: AddColumn) throws -> String {
        if a.column.identity != nil {
            throw notSupported("adding an identity column ('\(a.table.name).\(a.column.name)')",
                               "SQLite numbers only its rowid, the INTEGER PRIMARY KEY a table is created with")
        }
        if a.column.computed?.stored == true {
            throw notSupported("adding a stored computed column ('\(a.table.name).\(a.column.name)') with ALTER TABLE",
                               "add it as a virtual one (stored: false), or rebuild the table with it")
        }
        return try super.visitAddColumn(a)
    }

    /// `PRIMARY KEY (id AUTOINCREMENT)` for a strict autoincrement key or an identity.
    override func primaryKeySpecification(_ pk: PrimaryKeyConstraint, of table: Table) throws -> String {
        let sql = try super.primaryKeySpecification(pk, of: table)
        guard pk.columns.count == 1, let column = table.column(named: pk.columns[0]),
              column.autoincrement, column.strictAutoincrement || column.identity != nil, sql.hasSuffix(")") else { return sql }
        return String(sql.dropLast()) + " AUTOINCREMENT)"
    }
}
