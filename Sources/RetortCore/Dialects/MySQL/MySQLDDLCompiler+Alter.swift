/// `alter_column` on MySQL and MariaDB, whose `ALTER TABLE … MODIFY` restates the whole
/// column: what the statement leaves unchanged comes from the ``AlterColumn``'s
/// `existing…` fields, and a missing one is an error naming it (MySQL would otherwise
/// drop the default, the comment or NOT NULL).
///
/// ```swift
/// var a = AlterColumn("books", "title", type: .string(300), existingType: .string(200))
/// a.existingNullable = false
/// a.existingServerDefault = .some(nil)
/// a.existingComment = .some("shown on the cover")
/// // ALTER TABLE books MODIFY title VARCHAR(300) NOT NULL COMMENT 'shown on the cover'
/// ```
///
/// A new default alone is `ALTER TABLE t ALTER COLUMN c SET DEFAULT x` (or `DROP
/// DEFAULT`), which needs no existing definition.
extension MySQLDDLCompiler {
    /// The statement for `a` (see the extension's note).
    func alterColumnSQL(_ a: AlterColumn) throws -> String {
        let table = "ALTER TABLE " + qualifiedName(a.table)
        if a.using != nil {
            throw notSupported("ALTER COLUMN ... USING", "MySQL converts values itself; to convert them otherwise, add a new "
                               + "column, fill it with UPDATE, and drop the old one")
        }
        if a.type == nil, a.nullable == nil, a.comment == nil, a.collation == nil {
            guard let d = a.serverDefault else { throw ArgumentError("AlterColumn of '\(a.column)' changes nothing") }
            switch d {
            case .set(let value): return table + " ALTER COLUMN " + quote(a.column) + " SET DEFAULT " + (try defaultClause(value))
            case .drop: return table + " ALTER COLUMN " + quote(a.column) + " DROP DEFAULT"
            }
        }
        func missing(_ field: String) -> ArgumentError {
            ArgumentError("changing column '\(a.column)' of \(a.table.name) restates its whole definition on MySQL "
                          + "(MODIFY), so it needs \(field): what the column is now")
        }
        guard let type = a.type ?? a.existingType else { throw missing("existing_type") }
        guard let nullable = a.nullable ?? a.existingNullable else { throw missing("existing_nullable") }
        let serverDefault: ServerDefault?
        switch a.serverDefault {
        case .set(let value): serverDefault = value
        case .drop: serverDefault = nil
        case nil:
            guard let existing = a.existingServerDefault else { throw missing("existing_server_default") }
            serverDefault = existing
        }
        let comment: String?
        switch a.comment {
        case .set(let text): comment = text
        case .drop: comment = nil
        case nil:
            guard let existing = a.existingComment else { throw missing("existing_comment") }
            comment = existing
        }
        var sql = table + " MODIFY " + quote(a.column) + " " + (try dialect.typeCompiler.typeName(type))
        if case .set(let collation) = a.collation { sql += " COLLATE " + quote(collation) }
        sql += nullable ? " NULL" : " NOT NULL"
        if let serverDefault { sql += " DEFAULT " + (try defaultClause(serverDefault)) }
        if let comment { sql += " COMMENT " + (try literalString(comment)) }
        return sql
    }

    private func defaultClause(_ d: ServerDefault) throws -> String { try serverDefaultSQL(d) }
}
