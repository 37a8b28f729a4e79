import Foundation
import RetortCore

/// Primary keys, foreign keys' indexes and new NOT NULL columns: where MySQL does
/// something other databases do not, and a revision must still do what it says.
extension MySQLMigrationDialect {
    /// `ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (…)` (``MySQLReplacePrimaryKey``):
    /// MySQL refuses to drop a key holding an `AUTO_INCREMENT` column by itself, and two
    /// statements would commit a keyless table in between.
    func replacePrimaryKey(table: String, columns: [String]) -> (any DDLStatement)? {
        MySQLReplacePrimaryKey(TableReference(table), columns: columns)
    }

    /// The key and, in the same statement, the index of the key's name, which MySQL made
    /// for it when no other index covered its columns (``MySQLDropForeignKey``): live, when
    /// `information_schema` shows that index; offline on MariaDB, `DROP INDEX IF EXISTS`;
    /// offline on MySQL, which has no such clause, the key alone.
    func dropForeignKey(_ name: String, table: String, dialect: Dialect, connection: Connection?) throws -> (any DDLStatement)? {
        let ref = TableReference(table)
        guard let connection else {
            let mariadb = (dialect.implementation as? MySQLDialect)?.server.flavour == .mariadb
            return MySQLDropForeignKey(name, on: ref, index: mariadb ? .ifExists : .none)
        }
        func utf8mb4(_ column: String) -> String { "CONVERT(\(column) USING utf8mb4) COLLATE utf8mb4_bin" }
        let count = try connection.scalar(text("""
            SELECT COUNT(*) FROM information_schema.STATISTICS
            WHERE TABLE_SCHEMA = DATABASE() AND \(utf8mb4("TABLE_NAME")) = :table AND \(utf8mb4("INDEX_NAME")) = :name
              AND NON_UNIQUE = 1
            """), ["table": table, "name": name], as: Int.self)
        return MySQLDropForeignKey(name, on: ref, index: count > 0 ? .named : .none)
    }

    /// Refuses a NOT NULL column without a default on a table with rows: MySQL would
    /// write the type's zero value into each of them (strict mode or not) where every
    /// other database refuses, and a value nobody chose would pass for data.
    func checkAddingColumn(_ column: Column, to table: String, connection: Connection) throws {
        guard !column.nullable, column.serverDefault == nil, column.computed == nil, column.identity == nil,
              !column.autoincrement else { return }
        let quoted = connection.dialect.quoteIdentifier(table)
        guard try connection.execute(text("SELECT 1 FROM \(quoted) LIMIT 1")).first() != nil else { return }
        throw MigrateError(
            "column \(table).\(column.name) is NOT NULL without a server_default and \(table) has rows: MySQL would write "
                + "\(Self.zeroValue(of: column.type)) into every one of them instead of refusing, so the column was not added",
            hint: "give the column a server_default (the value the existing rows should get), or add it nullable, fill it "
                + "with an UPDATE, and make it NOT NULL with alter_column")
    }

    /// The value MySQL gives existing rows for a new NOT NULL column of `type` without a
    /// default (its "implicit default"), as a message spells it.
    static func zeroValue(of type: SQLType) -> String {
        if let e = type.enumDefinition, let first = e.values.first {
            return "the enum's first value '\(first)'"
        }
        switch type {
        case .boolean: return "0 (false)"
        case .date: return "the zero date '0000-00-00'"
        case .datetime: return "the zero timestamp '0000-00-00 00:00:00'"
        case .time: return "'00:00:00'"
        case .json: return "an empty document"
        case .uuid: return "an empty or all-zero UUID"
        case .string, .text, .binary: return "'' (an empty string)"
        default: return type.isNumeric ? "0" : "the type's zero value"
        }
    }
}
