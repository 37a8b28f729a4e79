import Foundation
import RetortCore

/// SQLite's way to change what ALTER TABLE cannot: read the table as it is, change the
/// definition, create it under a temporary name, copy every row (with CAST where a
/// type changed), drop the old table, rename the new one, and recreate its indexes —
/// inside the revision's transaction. Foreign keys are checked before the commit
/// (`PRAGMA foreign_key_check`, by the runner).
struct TableRebuild {
    let table: String
    let applier: CoreOperationApplier

    /// True when dropping `column` needs a rebuild: an index, key or constraint uses it.
    static func columnIsConstrained(_ column: String, in table: String, executor: any SQLExecutor) throws -> Bool {
        let t = try reflect(table, executor: executor)
        if t.primaryKey?.columns.contains(column) == true { return true }
        if t.foreignKeys.contains(where: { $0.columns.contains(column) }) { return true }
        if t.uniqueConstraints.contains(where: { $0.columns.contains(column) }) { return true }
        if t.indexes.contains(where: { $0.mentions(column) }) { return true }
        return t.checkConstraints.contains { mentions($0.condition, column) }
    }

    static func reflect(_ table: String, executor: any SQLExecutor) throws -> ReflectedTable {
        guard let conn = executor.connection else {
            throw MigrateError("rebuilding table \(table) needs the live database, so it cannot be written as offline SQL",
                               hint: "run this revision without --sql")
        }
        let snapshot = try Inspector(conn, excluding: []).reflect(only: [table])
        guard let t = snapshot.table(table) else { throw MigrateError("table \(table) does not exist") }
        if !t.problems.isEmpty {
            throw MigrateError("cannot rebuild table \(table): \(t.problems.joined(separator: "; "))")
        }
        return t
    }

    /// Reflects the table, lets `change` edit its definition, and rebuilds it.
    /// `renamed` maps new column names to the old ones their values come from.
    func run(_ executor: any SQLExecutor, renamed: [String: String] = [:],
             change: (inout ReflectedTable) throws -> Void) throws {
        let old = try TableRebuild.reflect(table, executor: executor)
        var new = old
        try change(&new)
        let dialect = executor.dialect
        let temp = "_retort_rebuild_" + table
        var temporary = new
        temporary.name = temp
        temporary.indexes = []
        let metadata = MetaData(namingConvention: .none)
        try executor.execute(CreateTable(Table(reflected: temporary, metadata: metadata)), [:])

        // Copy: each new column from the old column it came from.
        var targets: [String] = []
        var sources: [String] = []
        for column in new.columns {
            let from = renamed[column.name] ?? column.name
            guard let oldColumn = old.column(named: from) else { continue }
            targets.append(dialect.quoteIdentifier(column.name))
            let source = dialect.quoteIdentifier(from)
            sources.append(oldColumn.type == column.type
                           ? source
                           : "CAST(\(source) AS \(try dialect.typeCompiler.castTypeName(column.type)))")
        }
        if !targets.isEmpty {
            try executor.execute(RawSQL("INSERT INTO \(dialect.quoteIdentifier(temp)) (\(targets.joined(separator: ", "))) "
                                        + "SELECT \(sources.joined(separator: ", ")) FROM \(dialect.quoteIdentifier(table))"), [:])
        }
        try executor.execute(DropTable(TableReference(table)), [:])
        try executor.execute(RenameTable(TableReference(temp), to: table), [:])
        for ix in new.indexes {
            try executor.execute(CreateIndex(Index(reflected: ix), on: TableReference(table)), [:])
        }
    }

    static func mentions(_ sql: String, _ column: String) -> Bool {
        let pattern = "(^|[^A-Za-z0-9_])\"?" + NSRegularExpression.escapedPattern(for: column) + "\"?([^A-Za-z0-9_]|$)"
        return sql.range(of: pattern, options: .regularExpression) != nil
    }
}

extension ReflectedIndex {
    func mentions(_ column: String) -> Bool {
        elements.contains {
            switch $0 {
            case .column(let c): return c == column
            case .expression(let sql): return TableRebuild.mentions(sql, column)
            }
        } || (predicate.map { TableRebuild.mentions($0, column) } ?? false)
    }
}

extension ReflectedTable {
    /// Drops a column and every index and constraint that uses it.
    mutating func dropColumn(_ column: String) {
        columns.removeAll { $0.name == column }
        indexes.removeAll { $0.mentions(column) }
        uniqueConstraints.removeAll { $0.columns.contains(column) }
        foreignKeys.removeAll { $0.columns.contains(column) }
        checkConstraints.removeAll { TableRebuild.mentions($0.condition, column) }
        if primaryKey?.columns.contains(column) == true { primaryKey = nil }
    }

    mutating func alterColumn(_ column: String, type: SQLType?, nullable: Bool?, serverDefault: String??, newName: String?,
                              table: String) throws {
        guard let i = columns.firstIndex(where: { $0.name == column }) else {
            throw MigrateError("table \(table) has no column \(column)")
        }
        if let type { columns[i].type = type }
        if let nullable { columns[i].nullable = nullable }
        if let serverDefault { columns[i].serverDefault = serverDefault }
        if let newName {
            columns[i].name = newName
            func rename(_ names: [String]) -> [String] { names.map { $0 == column ? newName : $0 } }
            if let pk = primaryKey { primaryKey?.columns = rename(pk.columns) }
            for j in foreignKeys.indices { foreignKeys[j].columns = rename(foreignKeys[j].columns) }
            for j in uniqueConstraints.indices { uniqueConstraints[j].columns = rename(uniqueConstraints[j].columns) }
            for j in indexes.indices {
                indexes[j].elements = indexes[j].elements.map {
                    if case .column(let c) = $0, c == column { return .column(newName) }
                    return $0
                }
            }
        }
    }

    mutating func dropConstraint(_ name: String, type: MigrationOperation.ConstraintType, table: String) throws {
        let before = (primaryKey == nil ? 0 : 1) + foreignKeys.count + uniqueConstraints.count + checkConstraints.count
        switch type {
        case .primaryKey: if primaryKey?.name == name || primaryKey?.name == nil { primaryKey = nil }
        case .foreignKey: foreignKeys.removeAll { $0.name == name }
        case .unique: uniqueConstraints.removeAll { $0.name == name }
        case .check: checkConstraints.removeAll { $0.name == name }
        }
        let after = (primaryKey == nil ? 0 : 1) + foreignKeys.count + uniqueConstraints.count + checkConstraints.count
        if before == after {
            throw MigrateError("table \(table) has no \(type.rawValue.replacingOccurrences(of: "_", with: " ")) constraint named \(name)")
        }
    }
}
