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

    override func tableExistsQuery(_ table: TableReference) -> CompiledStatement {
        let master = table.schema.map { quote($0) + ".sqlite_master" } ?? "sqlite_master"
        return CompiledStatement(
            sql: "SELECT 1 FROM \(master) WHERE type = 'table' AND name = ?", bindings: [.value(.text(table.name))])
    }
}
