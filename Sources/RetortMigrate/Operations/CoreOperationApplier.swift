import Foundation
import RetortCore

/// Applies migration operations by compiling them with RetortCore's DDL compiler. On
/// a dialect that cannot alter columns or constraints in place (SQLite), those
/// operations rebuild the table (see ``TableRebuild``).
public struct CoreOperationApplier: OperationApplier {
    /// Enum types by name with their values where no revision is being applied (and
    /// before the first one of a run).
    public let enums: [String: [String]]
    /// The values at each revision; with it, `enum(name)` means the values the type has
    /// at the revision being applied (see ``EnumHistory``).
    let history: EnumHistory?
    let enumState: EnumState
    /// Type names without an enum parsed, each once: a run applies many columns of a few types.
    private let parsedTypes: Memo<String, SQLType>

    public init(enums: [String: [String]] = [:], history: EnumHistory? = nil) {
        self.enums = enums
        self.history = history
        enumState = EnumState(enums)
        parsedTypes = Memo { try SQLType(name: $0) }
    }

    public func prepare(for step: MigrationStep, resumingAfter done: Int) {
        guard let history else { return }
        let id = step.revision.id
        enumState.set(step.isUpgrade ? history.before(id) : history.after(id))
        let ops = step.isUpgrade ? step.revision.upgrade : step.revision.downgrade
        for op in ops.prefix(done) { enumState.apply(op) }
    }

    func type(_ name: String) throws -> SQLType {
        do {
            // An enum's values are those of the revision being applied, so not memoised.
            if name.hasPrefix("enum(") { return try SQLType(name: name, enums: enumState.current) }
            return try parsedTypes(name)
        } catch let e as ArgumentError {
            throw MigrateError(e.message)
        }
    }

    func column(_ c: ColumnSpec) throws -> Column {
        var column = Column(c.name, try type(c.type), nullable: c.nullable, primaryKey: c.primaryKey, autoincrement: c.autoincrement,
                            serverDefault: c.serverDefault.map { .sql($0) }, comment: c.comment)
        column.collation = c.collation
        column.identity = c.identity
        column.computed = c.computed.map { Computed($0.sql, stored: $0.stored) }
        return column
    }

    /// A Core table for a create_table operation, in a metadata of its own (names the
    /// revision leaves out follow the default naming convention).
    func table(_ spec: CreateTableSpec) throws -> Table {
        var elements: [any TableElement] = try spec.columns.map(column)
        if let pk = spec.primaryKey {
            elements.append(PrimaryKeyConstraint(columns: pk.columns, name: pk.name))
        }
        for fk in spec.foreignKeys { elements.append(foreignKey(fk)) }
        for u in spec.uniqueConstraints { elements.append(UniqueConstraint(columns: u.columns, name: u.name)) }
        for ck in spec.checkConstraints { elements.append(CheckConstraint(ck.condition, name: ck.name)) }
        return Table(spec.name, MetaData(), elements: elements, comment: spec.comment)
    }

    func foreignKey(_ fk: ForeignKeySpec) -> ForeignKeyConstraint {
        ForeignKeyConstraint(fk.columns, references: fk.refTable, fk.refColumns, name: fk.name,
                             onDelete: fk.onDelete.flatMap(ReferentialAction.init(sql:)),
                             onUpdate: fk.onUpdate.flatMap(ReferentialAction.init(sql:)))
    }

    func index(_ spec: IndexSpec) -> Index {
        var ix = spec.columns.isEmpty
            ? Index(expressions: IndexSpec.elements(spec.expressions), name: spec.name, unique: spec.unique)
            : Index(columns: spec.columns, name: spec.name, unique: spec.unique)
        if let w = spec.whereClause { ix = ix.where(w) }
        ix.mysqlLength = spec.mysqlLength
        return ix
    }

    /// Operation `index` of `operations`. Where the dialect replaces a primary key in
    /// one statement (``MigrationDialect/replacePrimaryKey(table:columns:)``), a
    /// `drop_constraint` of a table's primary key directly followed by that table's
    /// `create_primary_key` runs as that statement, and the `create_primary_key` then
    /// does nothing (also when a run resumes at it: the pair is told from the list alone).
    public func apply(_ operations: [MigrationOperation], at index: Int, on executor: any SQLExecutor) throws {
        let migration = executor.dialect.migration
        func replacement(dropping i: Int) -> (any DDLStatement)? {
            guard operations.indices.contains(i), operations.indices.contains(i + 1),
                  case .dropConstraint(_, let table, .primaryKey) = operations[i],
                  case .createPrimaryKey(_, let newTable, let columns) = operations[i + 1], newTable == table
            else { return nil }
            return migration.replacePrimaryKey(table: table, columns: columns)
        }
        if let statement = replacement(dropping: index) {
            for op in operations[index...(index + 1)] { try IdentifierLimit(dialect: executor.dialect).check(op) }
            try executor.execute(statement, [:])
            return
        }
        if replacement(dropping: index - 1) != nil { return }  // done with the drop before it
        try apply(operations[index], on: executor)
    }

    public func apply(_ operation: MigrationOperation, on executor: any SQLExecutor) throws {
        let dialect = executor.dialect
        defer { enumState.apply(operation) }  // create_enum, add_enum_value and drop_enum move the values on
        // A name the database would cut off is refused before any SQL is sent (revision
        // files read for the configured database were refused when read).
        try IdentifierLimit(dialect: dialect).check(operation)
        let rebuilds = dialect.migration.rebuildsTablesToAlter
        func run(_ statement: some Executable) throws { try executor.execute(statement, [:]) }
        // What the dialect's DDL can do in place (CONCURRENTLY, NOT VALID), asked only by the operations that care.
        var ddl: DDLCompiler { dialect.makeDDLCompiler() }

        switch operation {
        case .createTable(let spec):
            let t = try table(spec)
            try run(CreateTable(t))
            if dialect.supportsComments, !dialect.commentsInCreateTable {
                if let c = spec.comment { try run(SetTableComment(TableReference(spec.name), c)) }
                for c in spec.columns where c.comment != nil {
                    try run(SetColumnComment(TableReference(spec.name), column: c.name, c.comment))
                }
            }
        case .dropTable(let name):
            try run(DropTable(TableReference(name)))
        case .renameTable(let name, let newName):
            try run(RenameTable(TableReference(name), to: newName))
            try renameEnumChecks(table: newName, oldTable: name, renamedColumns: [:], executor)
        case .addColumn(let table, let spec):
            // SQLite's ADD COLUMN refuses a non-constant default (CURRENT_TIMESTAMP) and a
            // stored computed column: rebuild.
            if rebuilds, spec.computed?.stored == true || spec.serverDefault.map({ !CoreOperationApplier.isConstant($0) }) == true {
                let newType = try type(spec.type)
                try TableRebuild(table: table, applier: self).run(executor) {
                    var column = ReflectedColumn(name: spec.name, type: newType, nullable: spec.nullable,
                                                 serverDefault: spec.serverDefault, autoincrement: false, collation: spec.collation)
                    column.computed = spec.computed.map { Computed($0.sql, stored: $0.stored) }
                    $0.columns.append(column)
                }
                return
            }
            let newColumn = try column(spec)
            if let connection = executor.connection { try dialect.migration.checkAddingColumn(newColumn, to: table, connection: connection) }
            try run(AddColumn(TableReference(table), newColumn))
            if dialect.supportsComments, !dialect.commentsInCreateTable, let c = spec.comment {
                try run(SetColumnComment(TableReference(table), column: spec.name, c))
            }
        case .dropColumn(let table, let name):
            if rebuilds, try TableRebuild.columnIsConstrained(name, in: table, executor: executor) {
                try TableRebuild(table: table, applier: self).run(executor) { $0.dropColumn(name) }
            } else {
                try run(DropColumn(TableReference(table), name))
            }
        case .alterColumn(let spec):
            try alterColumn(spec, executor: executor)
        case .createIndex(let spec):
            try run(CreateIndex(index(spec), on: TableReference(spec.table), concurrently: spec.concurrently && ddl.supportsConcurrentIndexes))
        case .dropIndex(let name, let table, let concurrently):
            try run(DropIndex(name, table: table.map { TableReference($0) }, concurrently: concurrently && ddl.supportsConcurrentIndexes))
        case .createUniqueConstraint(let name, let table, let columns):
            if rebuilds {
                try TableRebuild(table: table, applier: self).run(executor) {
                    $0.uniqueConstraints.append(ReflectedUniqueConstraint(name: name, columns: columns))
                }
            } else {
                try run(AddConstraint(TableReference(table), .unique(UniqueConstraint(columns: columns, name: name))))
            }
        case .createForeignKey(let table, let fk):
            if rebuilds {
                try TableRebuild(table: table, applier: self).run(executor) {
                    $0.foreignKeys.append(ReflectedForeignKey(
                        name: fk.name, columns: fk.columns, referredTable: fk.refTable, referredColumns: fk.refColumns,
                        onDelete: fk.onDelete.flatMap(ReferentialAction.init(sql:)),
                        onUpdate: fk.onUpdate.flatMap(ReferentialAction.init(sql:))))
                }
            } else {
                try run(AddConstraint(TableReference(table), .foreignKey(foreignKey(fk)),
                                      notValid: fk.notValid && ddl.supportsNotValidConstraints))
            }
        case .validateConstraint(let name, let table):
            // Where keys and checks cannot be added NOT VALID they were checked when added.
            if ddl.supportsNotValidConstraints { try run(ValidateConstraint(name, on: TableReference(table))) }
        case .createCheckConstraint(let name, let table, let condition, let notValid):
            if rebuilds {
                try TableRebuild(table: table, applier: self).run(executor) {
                    $0.checkConstraints.append(ReflectedCheckConstraint(name: name, condition: condition))
                }
            } else {
                try run(AddConstraint(TableReference(table), .check(CheckConstraint(condition, name: name)),
                                      notValid: notValid && ddl.supportsNotValidConstraints))
            }
        case .createPrimaryKey(let name, let table, let columns):
            if rebuilds {
                try TableRebuild(table: table, applier: self).run(executor) {
                    $0.primaryKey = ReflectedPrimaryKey(name: name, columns: columns)
                }
            } else {
                try run(AddConstraint(TableReference(table), .primaryKey(PrimaryKeyConstraint(columns: columns, name: name))))
            }
        case .dropConstraint(let name, let table, let type):
            if rebuilds {
                try TableRebuild(table: table, applier: self).run(executor) { t in
                    try t.dropConstraint(name, type: type, table: table)
                }
            } else if type == .foreignKey,
                      let drop = try dialect.migration.dropForeignKey(name, table: table, dialect: dialect, connection: executor.connection) {
                try run(drop)
            } else {
                try run(DropConstraint(name, on: TableReference(table), kind: type.coreKind))
            }
        case .createEnum(let name, let values):
            if dialect.supportsNativeEnum { try run(CreateEnum(name, values)) }
        case .dropEnum(let name):
            if dialect.supportsNativeEnum { try run(DropEnum(name)) }
        case .addEnumValue(let name, let value, let before, let after):
            guard dialect.supportsNativeEnum else {
                throw MigrateError("add_enum_value on \(dialect.name) means widening each column's CHECK constraint",
                                   hint: "drop and recreate the check constraint of the enum's columns with the new list of values")
            }
            try run(AddEnumValue(name, value, before: before, after: after))
        case .execute(let sql, let perDialect):
            guard let statement = perDialect[dialect.name] ?? sql else { return }  // nothing for this dialect
            try run(RawSQL(statement))
        case .createSequence(let spec):
            try run(CreateSequence(DatabaseSequence(spec.name, options: spec.options)))
        case .dropSequence(let name):
            try run(DropSequence(name))
        case .bulkInsert(let table, let rows):
            try bulkInsert(into: table, rows, executor)
        }
    }

    /// `bulk_insert`: one executemany of `INSERT INTO table (...)` per run of rows that
    /// name the same columns. The values are bound exactly as the revision file gives
    /// them, so the columns are declared untyped (`sql("")` converts nothing).
    private func bulkInsert(into table: String, _ rows: [[String: BulkValue]], _ executor: any SQLExecutor) throws {
        let names = Set(rows.flatMap(\.keys)).sorted()
        let target = Table(table, MetaData(namingConvention: .none), elements: names.map { Column($0, .sql("")) })
        let insert = target.insert()
        var run: [Parameters] = [], runKeys: Set<String> = []
        for row in rows {
            if Set(row.keys) != runKeys {
                try executor.executeMany(insert, run)
                run = []
                runKeys = Set(row.keys)
            }
            var parameters = Parameters()
            for name in row.keys.sorted() { parameters[name] = row[name]!.sqlValue }
            run.append(parameters)
        }
        try executor.executeMany(insert, run)
    }

    /// Where enum types are CHECKs named after their table and column, renames those
    /// CHECKs after `table` was renamed from `oldTable` or its columns were renamed
    /// (`renamedColumns`: new name -> old name), so they keep the names the models give
    /// them. Nothing to do offline (the names stay as they were) or without such CHECKs.
    private func renameEnumChecks(table: String, oldTable: String, renamedColumns: [String: String],
                                  _ executor: any SQLExecutor) throws {
        let dialect = executor.dialect
        guard dialect.migration.rebuildsTablesToAlter, !dialect.supportsNativeEnum, executor.connection != nil else { return }
        let ddl = dialect.makeDDLCompiler()
        let current = try TableRebuild.reflect(table, executor: executor)
        var renames: [String: String] = [:]
        for column in current.columns {
            let old = renamedColumns[column.name] ?? column.name
            guard let from = ddl.enumCheckName(table: oldTable, column: old), let to = ddl.enumCheckName(table: table, column: column.name),
                  from != to, current.checkConstraints.contains(where: { $0.name == from && TableRebuild.mentions($0.condition, column.name) })
            else { continue }
            renames[from] = to
        }
        guard !renames.isEmpty else { return }
        try TableRebuild(table: table, applier: self).run(executor) { t in
            for i in t.checkConstraints.indices {
                if let name = t.checkConstraints[i].name, let to = renames[name] { t.checkConstraints[i].name = to }
            }
        }
    }

    /// A literal default: a number, a quoted string, NULL, TRUE or FALSE.
    static func isConstant(_ sql: String) -> Bool {
        let t = sql.trimmingCharacters(in: .whitespaces)
        if Double(t) != nil || ["NULL", "TRUE", "FALSE"].contains(t.uppercased()) { return true }
        guard t.count >= 2, t.hasPrefix("'"), t.hasSuffix("'") else { return false }
        return !t.dropFirst().dropLast().replacingOccurrences(of: "''", with: "").contains("'")
    }

    private func alterColumn(_ spec: AlterColumnSpec, executor: any SQLExecutor) throws {
        let dialect = executor.dialect
        let changesDefinition = spec.nullable != nil || spec.type != nil || spec.serverDefault != nil || spec.using != nil
            || spec.collation != nil
        if dialect.migration.rebuildsTablesToAlter {
            // Rename in place first: SQLite then renames the column in the table's
            // constraints and in every index, trigger and view that uses it.
            if let newName = spec.newName {
                try executor.execute(RenameColumn(TableReference(spec.table), spec.column, to: newName), [:])
                try renameEnumChecks(table: spec.table, oldTable: spec.table, renamedColumns: [newName: spec.column], executor)
            }
            if changesDefinition {
                let newType = try spec.type.map(type)
                let column = spec.newName ?? spec.column
                let using = spec.using.map { [column: $0] } ?? [:]
                let ddl = dialect.makeDDLCompiler()
                let checkName = ddl.enumCheckName(table: spec.table, column: column)
                let enumCheck = try newType.flatMap { try ddl.enumCheckCondition(column: column, type: $0) }
                try TableRebuild(table: spec.table, applier: self).run(executor, using: using) { t in
                    try t.alterColumn(column, type: newType, nullable: spec.nullable, serverDefault: spec.serverDefault,
                                      newName: nil, table: spec.table)
                    if let collation = spec.collation, let i = t.columns.firstIndex(where: { $0.name == column }) {
                        t.columns[i].collation = collation
                    }
                    guard newType != nil, let checkName else { return }
                    // The CHECK standing in for an enum type goes with the type: named as
                    // the convention names it, dropped when the column stops being an enum.
                    t.checkConstraints.removeAll { $0.name == checkName }
                    if let enumCheck, let values = newType?.enumDefinition?.values, let i = t.columns.firstIndex(where: { $0.name == column }) {
                        t.columns[i].type = .string(values.map(\.count).max() ?? 0)
                        t.checkConstraints.append(ReflectedCheckConstraint(name: checkName, condition: enumCheck))
                    }
                }
            }
            return  // SQLite keeps no comments
        }
        var alter = AlterColumn(
            TableReference(spec.table), spec.column, nullable: spec.nullable, type: try spec.type.map(type), using: spec.using,
            serverDefault: spec.serverDefault.map { $0.map { .set(.sql($0)) } ?? .drop },
            comment: spec.comment.map { $0.map { .set($0) } ?? .drop }, existingType: try spec.existingType.map(type))
        alter.collation = spec.collation.map { $0.map { .set($0) } ?? .drop }
        alter.existingNullable = spec.existingNullable
        alter.existingServerDefault = spec.existingServerDefault.map { $0.map { .sql($0) } }
        alter.existingComment = spec.existingComment
        // Where ALTER restates the whole column, the comment is part of it: one statement.
        // A rename alone is only the RENAME below (MySQL would restate an unchanged column).
        if changesDefinition || spec.comment != nil {
            let statements: [any DDLStatement] = dialect.migration.restatesColumnToAlter ? [alter] : alter.statements
            for statement in statements { try executor.execute(statement, [:]) }
        }
        if let newName = spec.newName {
            try executor.execute(RenameColumn(TableReference(spec.table), spec.column, to: newName), [:])
        }
    }
}

extension MigrationOperation.ConstraintType {
    var coreKind: ConstraintKind {
        switch self {
        case .primaryKey: return .primaryKey
        case .foreignKey: return .foreignKey
        case .unique: return .unique
        case .check: return .check
        }
    }
}

/// SQL executed exactly as written, with no parameters (an `execute` operation's text,
/// which may contain colons that are not parameters).
struct RawSQL: Executable {
    let sql: String
    init(_ sql: String) { self.sql = sql }
    func compile(for dialect: Dialect) -> CompiledStatement { CompiledStatement(sql: sql) }
}

extension BulkValue {
    var sqlValue: SQLValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .integer(i)
        case .double(let d): return .real(d)
        case .string(let s): return .text(s)
        }
    }
}
