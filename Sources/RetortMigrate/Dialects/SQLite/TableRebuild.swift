import Foundation
import RetortCore

/// SQLite's way to change what ALTER TABLE cannot: read the table as it is, change the
/// definition, create it under a temporary name, copy every row (converting where a
/// type changed), drop the old table, rename the new one, and recreate its indexes,
/// its triggers, and the views and other tables' triggers that refer to it — inside
/// the revision's transaction. Foreign keys are checked before the commit
/// (`PRAGMA foreign_key_check`, by the runner).
///
/// Nothing is lost silently: a converted value that does not compare equal to the value
/// it came from, or a view or trigger that no longer fits the new table, fails the step
/// (the revision rolls back) with a message naming it.
struct TableRebuild {
    let table: String
    let applier: CoreOperationApplier

    /// The temporary name the new table is built under.
    var temporaryName: String { "_retort_rebuild_" + table }

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
                               hint: "run this revision without --sql, or give the step as `execute:` SQL of its own")
        }
        let snapshot = try Inspector(conn, excluding: []).reflect(only: [table])
        guard let t = snapshot.table(table) else { throw MigrateError("table \(table) does not exist") }
        if !t.problems.isEmpty {
            throw MigrateError("cannot rebuild table \(table): \(t.problems.joined(separator: "; "))")
        }
        return t
    }

    /// Reflects the table, lets `change` edit its definition, and rebuilds it. `using`
    /// gives, by new column name, an SQL expression over the old row that computes the
    /// column's value (`alter_column`'s `using:`); those values are taken as given.
    func run(_ executor: any SQLExecutor, using: [String: String] = [:], change: (inout ReflectedTable) throws -> Void) throws {
        let old = try TableRebuild.reflect(table, executor: executor)
        var new = old
        try change(&new)
        do {
            try atomically(executor.connection!) { try rebuild(old, into: new, using: using, executor) }
        } catch let error as any DatabaseError {
            // The statements name the temporary table; the user knows only theirs.
            throw MigrateError("rebuilding table \(table) failed: " + error.message.replacingOccurrences(of: temporaryName, with: table))
        }
    }

    /// Runs `body` so that it happens whole or not at all: in a savepoint inside the
    /// revision's transaction, or in a transaction of its own in a `transactional: false`
    /// revision (where a rebuild stopped half-way would have dropped the old table).
    private func atomically(_ conn: Connection, _ body: () throws -> Void) throws {
        if conn.inTransaction {
            try conn.beginNested { _ in try body() }
            return
        }
        _ = try conn.begin()
        do {
            try body()
            try conn.commit()
        } catch {
            try? conn.rollback()
            throw error
        }
    }

    private func rebuild(_ old: ReflectedTable, into new: ReflectedTable, using: [String: String], _ executor: any SQLExecutor) throws {
        let conn = executor.connection!  // reflect(_:executor:) made sure there is one
        let dialect = executor.dialect
        let q = dialect.quoteIdentifier
        let temp = temporaryName
        guard let rowid = try rowidAlias(of: old, conn) else {
            throw MigrateError("table \(table) is a WITHOUT ROWID table, which a rebuild would not keep",
                               hint: "rebuild it by hand in the revision (execute: CREATE TABLE ... WITHOUT ROWID, copy, drop, rename)")
        }
        let dependents = try SchemaDependents(of: table, objects: Inspector(conn, excluding: []).viewsAndTriggers())
        var problems = dependents.columnProblems(columns: Set(new.columns.map { $0.name.lowercased() }), table: table)
        let highWaterMark = new.columns.contains(where: \.strictAutoincrement) ? try sequenceValue(conn) : nil

        // Newest first; IF EXISTS, as dropping a view drops its INSTEAD OF triggers.
        for object in dependents.objects.reversed() {
            try executor.execute(RawSQL("DROP \(object.kind == .view ? "VIEW" : "TRIGGER") IF EXISTS \(q(object.name))"), [:])
        }
        var temporary = new
        temporary.name = temp
        temporary.indexes = []
        try executor.execute(CreateTable(Table(reflected: temporary, metadata: MetaData(namingConvention: .none))), [:])

        // Copy each new column from the old column it came from, keeping the rowids:
        // INSERT INTO temp (rowid, a, b) SELECT t.rowid, t.a, CAST(t.b AS ...) FROM t.
        let copyMetadata = MetaData(namingConvention: .none)
        let source = Table(table, copyMetadata, elements: [Column(rowid, .integer)] + old.columns.map { Column($0.name, $0.type) })
        var targets = [rowid], values: [any SelectItem] = [source.c[rowid]]
        var checked: [(from: String, to: String)] = []
        for column in new.columns where column.computed == nil {  // computed ones compute themselves
            if let expression = using[column.name] {
                values.append(literalColumn(expression))
            } else {
                guard let oldColumn = old.column(named: column.name) else { continue }
                values.append(try copyExpression(source.c[column.name], from: oldColumn.type, to: column.type, dialect))
                if oldColumn.type != column.type { checked.append((column.name, column.name)) }
            }
            targets.append(column.name)
        }
        let target = Table(temp, copyMetadata, elements: targets.map { Column($0, .integer) })
        try executor.execute(target.insert().fromSelect(targets, select(values)), [:])
        for (from, to) in checked { try checkUnchanged(from: from, to: to, rowid: rowid, new: new, conn) }

        try executor.execute(DropTable(TableReference(table)), [:])
        try executor.execute(RenameTable(TableReference(temp), to: table), [:])
        if let highWaterMark { try restoreSequence(highWaterMark, conn) }
        for ix in new.indexes {
            try executor.execute(CreateIndex(Index(reflected: ix), on: TableReference(table)), [:])
        }
        for object in dependents.objects.sorted(by: { ($0.kind == .view ? 0 : 1) < ($1.kind == .view ? 0 : 1) }) {
            do {
                try executor.execute(RawSQL(object.sql), [:])
            } catch let error as any DatabaseError {
                problems.append("\(object.kind.rawValue) \(object.name) (\(error.message))")
            }
        }
        if !dependents.objects.isEmpty { problems += try SchemaDependents.unresolved(conn) }
        if !problems.isEmpty {
            throw MigrateError(
                "rebuilding table \(table) would break what refers to it: " + problems.joined(separator: "; "),
                hint: "in this revision, drop each of them before this step and create it again after it, "
                    + "written for the table's new shape (execute: DROP TRIGGER / DROP VIEW ..., then CREATE ...)")
        }
    }

    /// `rowid` (or `_rowid_`, `oid` when a column takes that name): what keeps each row's
    /// identity through the copy. Nil for a WITHOUT ROWID table.
    private func rowidAlias(of t: ReflectedTable, _ conn: Connection) throws -> String? {
        guard let alias = ["rowid", "_rowid_", "oid"].first(where: { a in !t.columns.contains { $0.name.lowercased() == a } }) else {
            return nil
        }
        do {
            _ = try conn.execute(text("SELECT \(alias) FROM \(conn.dialect.quoteIdentifier(table)) LIMIT 0")).all()
            return alias
        } catch is any DatabaseError {
            return nil
        }
    }

    /// The expression that carries a value of `column` over to its new type. Where both types
    /// store values alike (the same SQLite affinity: integer to bigint, numeric(30,10) to
    /// numeric(32,10), string(20) to string(40)) the value goes as it is: a CAST there
    /// could only change it (a long decimal, stored as text, would become a REAL).
    private func copyExpression(_ column: SQLExpression<Untyped>, from: SQLType, to: SQLType, _ dialect: Dialect) throws
        -> SQLExpression<Untyped>
    {
        if from == to { return column }
        let types = dialect.typeCompiler
        if TableRebuild.affinity(try types.typeName(from)) == TableRebuild.affinity(try types.typeName(to)) { return column }
        return cast(column, to)
    }

    /// SQLite's type affinity of a declared type (its "Determination of Column Affinity"
    /// rules); INTEGER and NUMERIC store values alike, so they count as one.
    static func affinity(_ declared: String) -> String {
        let t = declared.uppercased()
        if t.contains("INT") { return "NUMERIC" }
        if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") { return "TEXT" }
        if t.contains("BLOB") || t.isEmpty { return "BLOB" }
        if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") { return "REAL" }
        return "NUMERIC"
    }

    /// Fails when a converted value of `to` does not compare equal to the value of `from`
    /// it came from (SQLite's own comparison, which sees `'1'` and `1` as equal but not
    /// `'C1'` and `0`, nor `1.5` and `1`), or is text that became a REAL with fewer
    /// digits than it had (SQLite compares such text as the REAL it reads, so that is
    /// checked here: the REAL's shortest spelling must be the same decimal).
    private func checkUnchanged(from: String, to: String, rowid: String, new: ReflectedTable, _ conn: Connection) throws {
        let q = conn.dialect.quoteIdentifier
        let query = "SELECT o.\(q(from)), n.\(q(to)), o.\(q(from)) IS n.\(q(to)) COLLATE BINARY FROM \(q(table)) o "
            + "JOIN \(q(temporaryName)) n ON n.\(rowid) = o.\(rowid) "
            + "WHERE NOT (o.\(q(from)) IS n.\(q(to)) COLLATE BINARY) OR (typeof(o.\(q(from))) = 'text' AND typeof(n.\(q(to))) = 'real')"
        let rows = try conn.execute(text(query))
        while let row = try rows.next() {
            let (old, converted) = (row.values[0], row.values[1])
            if try row.get(2, as: Int.self) == 1, case .text(let t) = old, case .real(let d) = converted,
               TableRebuild.sameDecimal(t, d) { continue }
            let type = new.column(named: to)?.type.name ?? "?"
            throw MigrateError(
                "changing column \(table).\(to) to \(type) would change its values: \(TableRebuild.literal(old)) "
                    + "would become \(TableRebuild.literal(converted)); nothing was changed",
                hint: "give alter_column a `using:` SQL expression that converts the old values as you mean, or fix the values first")
        }
    }

    /// True when `text` spells exactly the number `real` holds (`'0.1'` and 0.1, not
    /// `'12345678901234567890.0123456789'` and 1.2345678901234567e+19).
    static func sameDecimal(_ text: String, _ real: Double) -> Bool {
        guard real.isFinite, let a = Decimal(string: text.trimmingCharacters(in: .whitespaces)),
              let b = Decimal(string: "\(real)") else { return false }
        return a == b
    }

    /// `value` as SQLite would write it, for messages.
    static func literal(_ value: SQLValue) -> String {
        (try? Dialect.sqlite.literal(value)) ?? "\(value)"
    }

    /// The table's AUTOINCREMENT high-water mark (its `sqlite_sequence` row), if it has one.
    private func sequenceValue(_ conn: Connection) throws -> Int64? {
        guard try !conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).all().isEmpty else { return nil }
        return try conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = :t"), ["t": table]).all().first
            .map { try $0.get(0, as: Int64.self) }
    }

    /// Puts the high-water mark back: the copy wrote only the highest surviving id.
    private func restoreSequence(_ value: Int64, _ conn: Connection) throws {
        try conn.execute(text("UPDATE sqlite_sequence SET seq = :v WHERE name = :t AND seq < :v"), ["v": value, "t": table])
        try conn.execute(text("INSERT INTO sqlite_sequence (name, seq) SELECT :t, :v "
                              + "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = :t)"), ["v": value, "t": table])
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
