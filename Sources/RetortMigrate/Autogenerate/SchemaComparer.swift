import Foundation
import RetortCore

/// Compares the models (a Core ``MetaData``) with a reflected live schema and produces
/// the operations that bring the database to the models, and those that undo them.
///
/// ```swift
/// let comparer = SchemaComparer(dialect: engine.dialect, excludeTables: ["legacy_*"])
/// let diff = try comparer.compare(metadata, with: try Inspector(engine).reflect())
/// diff.upgrade     // [.createTable(...), .addColumn(...), ...]
/// diff.downgrade   // the same, undone in reverse
/// ```
///
/// Each declared table is turned into what reflection will report for it on this
/// dialect (``ReflectedTable/init(expecting:dialect:)``) and compared with what
/// reflection did report, both `.comparable`: a database created from the models shows
/// no difference. Operations come out in a stable order: new enum types and values,
/// renames, dropped foreign keys, dropped indexes and constraints, dropped tables
/// (reverse foreign-key order), new tables (foreign-key order), then per kept table (in
/// declaration order) added and altered columns,
/// dropped columns, created constraints and indexes, created foreign keys; dropped enum
/// types last.
public struct SchemaComparer: Sendable {
    /// The database's dialect: what reflection reports for a declared table depends on it.
    public var dialect: Dialect
    /// Compare column types (config `compare: {types: ...}`).
    public var compareTypes: Bool
    /// Compare server defaults (config `compare: {server_defaults: ...}`).
    public var compareServerDefaults: Bool
    /// Table names or glob patterns (`*`, `?`) left alone on both sides.
    public var excludeTables: [String]

    /// A comparer for `dialect`; the options mirror migrator.yaml's `compare:` and `exclude_tables:`.
    public init(dialect: Dialect, compareTypes: Bool = true, compareServerDefaults: Bool = true, excludeTables: [String] = []) {
        self.dialect = dialect
        self.compareTypes = compareTypes
        self.compareServerDefaults = compareServerDefaults
        self.excludeTables = excludeTables
    }

    /// True when `name` matches one of ``excludeTables``.
    public func isExcluded(_ name: String) -> Bool {
        excludeTables.contains { SchemaComparer.glob($0, matches: name) }
    }

    /// The differences between `metadata` and `schema`. `rename` is asked about each
    /// dropped-and-added pair with an identical definition; answering true turns the
    /// pair into a rename (the default answers false: drop and add).
    public func compare(_ metadata: MetaData, with schema: ReflectedSchema,
                        rename: (RenameCandidate) throws -> Bool = { _ in false }) throws -> SchemaDiff {
        var state = try CompareState(comparer: self, metadata: metadata, schema: schema)
        try state.run(rename: rename)
        return SchemaDiff(changes: state.changes, notes: state.notes)
    }

    /// Shell-style glob: `*` any run of characters, `?` one character.
    static func glob(_ pattern: String, matches name: String) -> Bool {
        let p = Array(pattern), s = Array(name)
        var pi = 0, si = 0, star = -1, mark = 0
        while si < s.count {
            if pi < p.count, p[pi] == "?" || p[pi] == s[si] {
                pi += 1; si += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = si; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; si = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// A type as compared: `numeric(P)` is `numeric(P,0)`, an enum is its name, and
    /// types the database stores alike are one (``RetortCore/SchemaReflector/comparableType(_:)``).
    func normalized(_ t: SQLType) -> SQLType {
        switch dialect.reflector.comparableType(t) {
        case .numeric(let p?, nil): return .numeric(precision: p, scale: 0)
        case .enum(let name, _): return .enum(name: name, values: [])
        case let other: return other
        }
    }

    /// Whether changing `old` to `new` can lose data (a shorter string, a smaller number).
    static func narrows(_ old: SQLType, to new: SQLType) -> Bool {
        func rank(_ t: SQLType) -> Int? {
            switch t {
            case .smallint: return 1
            case .integer: return 2
            case .bigint: return 3
            default: return nil
            }
        }
        if let a = rank(old), let b = rank(new) { return b < a }
        switch (old, new) {
        case (.string(let a), .string(let b)):
            guard let b else { return false }
            guard let a else { return true }
            return b < a
        case (.string, .text), (.float, .double), (.date, .datetime): return false
        case (.numeric(let p1, let s1), .numeric(let p2, let s2)):
            return (p2 ?? Int.max) < (p1 ?? Int.max) || (s2 ?? 0) < (s1 ?? 0)
        case (.smallint, .numeric), (.integer, .numeric), (.bigint, .numeric), (.integer, .double), (.smallint, .double):
            return false
        case (_, .text): return false
        default: return true
        }
    }
}

/// The working state of one comparison.
struct CompareState {
    let c: SchemaComparer
    let metadata: MetaData
    let schema: ReflectedSchema
    let ddl: DDLCompiler
    /// Declared tables (not excluded), in declaration order.
    var declared: [Table]
    /// What reflection should report for each declared table: raw and comparable.
    var expected: [String: ReflectedTable] = [:]
    var expectedComparable: [String: ReflectedTable] = [:]
    /// Live tables (not excluded): raw and comparable, by (current) name.
    var live: [String: ReflectedTable] = [:]
    var liveComparable: [String: ReflectedTable] = [:]
    var liveOrder: [String]

    var changes: [SchemaChange] = []
    var notes: [String] = []
    /// Changes by phase, concatenated at the end.
    var phases = Phases()

    struct Phases {
        var enums: [SchemaChange] = []
        var newTables: [SchemaChange] = []
        var renames: [SchemaChange] = []
        var dropForeignKeys: [SchemaChange] = []
        var dropConstraints: [SchemaChange] = []
        var columns: [SchemaChange] = []
        var dropColumns: [SchemaChange] = []
        var createConstraints: [SchemaChange] = []
        var createForeignKeys: [SchemaChange] = []
        var dropTables: [SchemaChange] = []
        var dropEnums: [SchemaChange] = []
        /// Sequences are created before the tables whose defaults use them, dropped after.
        var sequences: [SchemaChange] = []
        var dropSequences: [SchemaChange] = []
        var all: [SchemaChange] {
            // New tables after every drop (keys, constraints, indexes, whole tables): a new
            // table may reuse a name the dropped ones hold until then. Nothing new refers to
            // a dropped table, and what kept tables referred to it is dropped before.
            enums + sequences + renames + dropForeignKeys + dropConstraints + dropTables + newTables + columns + dropColumns
                + createConstraints + createForeignKeys + dropEnums + dropSequences
        }
    }

    init(comparer: SchemaComparer, metadata: MetaData, schema: ReflectedSchema) throws {
        c = comparer
        self.metadata = metadata
        self.schema = schema
        ddl = comparer.dialect.makeDDLCompiler()
        declared = metadata.tables.filter { !comparer.isExcluded($0.name) }
        for t in declared {
            if let problem = t.problems.first { throw MigrateError("the models are invalid: \(problem)") }
            if let (_, problem) = IdentifierLimit(dialect: comparer.dialect).problems(in: t).first {
                throw MigrateError("the models are invalid: \(problem)", hint: IdentifierLimit.hint)
            }
            let e = try ReflectedTable(expecting: t, dialect: comparer.dialect)
            expected[t.name] = e
            expectedComparable[t.name] = e.comparable
        }
        liveOrder = []
        for t in schema.tables where !comparer.isExcluded(t.name) {
            live[t.name] = t
            liveComparable[t.name] = t.comparable
            liveOrder.append(t.name)
        }
    }

    mutating func run(rename: (RenameCandidate) throws -> Bool) throws {
        var added = declared.map(\.name).filter { live[$0] == nil }
        var removed = liveOrder.filter { expected[$0] == nil }
        // Table renames: a dropped table and an added one with identical columns.
        var renamedTo: [String: String] = [:]  // new name -> old name
        for old in removed {
            guard let oldT = liveComparable[old] else { continue }
            for new in added where renamedTo[new] == nil {
                guard let newT = expectedComparable[new], columnsSignature(newT) == columnsSignature(oldT) else { continue }
                let candidate = RenameCandidate(kind: .table, table: new, from: old, to: new,
                                                definition: newT.columns.map { "\($0.name) \($0.type.name)" }.joined(separator: ", "))
                if try rename(candidate) {
                    renamedTo[new] = old
                    break
                }
            }
        }
        for (new, old) in renamedTo.sorted(by: { $0.key < $1.key }) {
            added.removeAll { $0 == new }
            removed.removeAll { $0 == old }
            phases.renames.append(SchemaChange(
                .renameTable, table: new, summary: "renamed table \(old) to \(new)",
                upgrade: [.renameTable(name: old, newName: new)], downgrade: [.renameTable(name: new, newName: old)]))
            // From here on the live table is known by its new name, and so is every
            // foreign key that refers to it: the database carries them through the rename
            // (and its enum CHECKs by theirs: rename_table renames them where they are
            // named after the table).
            if var t = live.removeValue(forKey: old) {
                t.name = new
                if !c.dialect.supportsNativeEnum {
                    t.checkConstraints = t.checkConstraints.map { ck in
                        var ck = ck
                        for col in t.columns where ck.name != nil && ck.name == ddl.enumCheckName(table: old, column: col.name)
                            && TableRebuild.mentions(ck.condition, col.name) {
                            ck.name = ddl.enumCheckName(table: new, column: col.name)
                        }
                        return ck
                    }
                }
                live[new] = t
            }
            liveComparable[old] = nil
            editLive { t in
                for i in t.foreignKeys.indices where t.foreignKeys[i].referredTable == old { t.foreignKeys[i].referredTable = new }
            }
        }

        try compareEnums(newTables: Set(added))
        try compareSequences()

        // New tables, parents first. Where the dialect can add a foreign key to an
        // existing table, the keys that close a cycle among new tables are added once
        // all of them exist (and dropped first on downgrade).
        let addedSet = Set(added)
        let order = metadata.dependencyOrder()
        let deferred = c.dialect.supportsAlterColumn
            ? order.cycleForeignKeys.mapValues { $0.filter { addedSet.contains($0.referredTable) } } : [:]
        for t in order.tables where addedSet.contains(t.name) {
            let later = deferred[t.fullName] ?? []
            phases.newTables.append(try createTableChange(t, omitting: Set(later.compactMap(\.name))))
            for fk in later { if let n = fk.name { phases.createForeignKeys.append(addForeignKeyChange(fk, named: n, on: t.name)) } }
        }
        // Kept tables, in declaration order: column renames first (other tables' keys
        // may refer to a renamed column), then everything else.
        let kept = declared.filter { !addedSet.contains($0.name) }
        for t in kept { try renameColumns(t, rename: rename) }
        for t in kept { try compareTable(t) }
        // Dropped tables, children first; keys in a cycle among them dropped before them.
        let dropped = dropOrder(removed)
        let cycleKeys = c.dialect.supportsAlterColumn ? liveCycleForeignKeys(dropped) : [:]
        for name in dropped {
            guard let t = live[name] else { continue }
            let keys = cycleKeys[name] ?? []
            for fk in keys { if let n = fk.name { phases.dropForeignKeys.append(dropForeignKeyChange(fk, named: n, on: name)) } }
            phases.dropTables.append(dropTableChange(t, omitting: Set(keys.compactMap(\.name))))
        }
        changes = phases.all
    }

    /// The named foreign keys that close cycles among the live tables `names`, by table.
    func liveCycleForeignKeys(_ names: [String]) -> [String: [ReflectedForeignKey]] {
        let scratch = MetaData(namingConvention: .none)
        let tables = names.compactMap { live[$0] }.map { Table(reflected: $0, metadata: scratch) }
        var out: [String: [ReflectedForeignKey]] = [:]
        for (table, keys) in DependencyOrder.compute(tables).cycleForeignKeys {
            let named = Set(keys.compactMap(\.name))
            out[table] = live[table]?.foreignKeys.filter { $0.name.map(named.contains) ?? false }
        }
        return out
    }

    /// The live tables of `names` ordered so that a table comes before those it refers to.
    func dropOrder(_ names: [String]) -> [String] {
        let set = Set(names)
        var visited = Set<String>()
        var order: [String] = []  // parents first
        func visit(_ n: String) {
            guard visited.insert(n).inserted else { return }
            for fk in live[n]?.foreignKeys ?? [] where set.contains(fk.referredTable) && fk.referredTable != n {
                visit(fk.referredTable)
            }
            order.append(n)
        }
        for n in names.sorted() { visit(n) }
        return order.reversed()
    }

    func columnsSignature(_ t: ReflectedTable) -> [String] {
        t.columns.map { col in
            "\(col.name)|" + definitionSignature(col)
        }
    }

    /// Everything about a column but its name, as compared.
    func definitionSignature(_ col: ReflectedColumn) -> String {
        "\(c.normalized(col.type))|\(col.nullable)|\(col.serverDefault ?? "")|\(col.comment ?? "")|\(col.collation?.lowercased() ?? "")"
            + "|\(comparableComputed(col.computed).map { "\($0.sql)|\($0.stored.map(String.init) ?? "")" } ?? "")"
            + "|\(col.identity.map { "\($0)" } ?? "")"
    }

    // MARK: Specs

    /// A declared constraint's or index's name as the database has it (a conventional
    /// name shortened to the dialect's limit): what revisions write and comparison uses.
    func named(_ name: String?, _ naming: ConstraintNaming) -> String? {
        name.map { c.dialect.constraintName($0, naming) }
    }

    func spec(_ col: Column) throws -> ColumnSpec {
        ColumnSpec(name: col.name, type: col.type.name, nullable: col.nullable, primaryKey: col.primaryKey,
                   autoincrement: col.identity == nil ? col.autoincrementSetting : nil,
                   serverDefault: try col.serverDefault.map(ddl.serverDefaultSQL),
                   comment: col.comment, collation: col.collation, identity: col.identity,
                   computed: try col.computed.map { ComputedSpec(sql: try ddl.computedSQL($0), stored: $0.stored) })
    }

    func spec(_ col: ReflectedColumn, in table: ReflectedTable) -> ColumnSpec {
        let pk = table.primaryKey?.columns ?? []
        let isLoneIntegerKey = pk == [col.name] && col.type.isInteger
        return ColumnSpec(name: col.name, type: col.type.name, nullable: col.nullable, primaryKey: pk.contains(col.name),
                          autoincrement: col.identity != nil || col.autoincrement == isLoneIntegerKey ? nil : col.autoincrement,
                          serverDefault: col.autoincrement ? nil : col.serverDefault, comment: col.comment, collation: col.collation,
                          identity: col.identity, computed: col.computed.map { ComputedSpec(sql: rawSQL($0), stored: $0.stored) })
    }

    func spec(_ fk: ForeignKeyConstraint) -> ForeignKeySpec {
        ForeignKeySpec(name: named(fk.name, fk.naming), columns: fk.columns, refTable: fk.referredTable, refColumns: fk.referredColumns,
                       onDelete: fk.onDelete.flatMap { $0 == .noAction ? nil : $0.rawValue },
                       onUpdate: fk.onUpdate.flatMap { $0 == .noAction ? nil : $0.rawValue })
    }

    func spec(_ fk: ReflectedForeignKey) -> ForeignKeySpec {
        ForeignKeySpec(name: fk.name, columns: fk.columns, refTable: fk.referredTable, refColumns: fk.referredColumns,
                       onDelete: fk.onDelete?.rawValue, onUpdate: fk.onUpdate?.rawValue)
    }

    func spec(_ ix: Index, table: String) throws -> IndexSpec {
        let name = named(ix.name, ix.naming) ?? ""
        if let cols = ix.columnNames {
            return IndexSpec(name: name, table: table, columns: cols, unique: ix.unique,
                             whereClause: try ix.whereSQL(for: c.dialect),
                             mysqlLength: c.dialect.indexPrefixLengths ? ix.mysqlLength.filter { cols.contains($0.key) } : [:])
        }
        return IndexSpec(name: name, table: table, expressions: try ix.elementSQL(for: c.dialect), unique: ix.unique,
                         whereClause: try ix.whereSQL(for: c.dialect))
    }

    func spec(_ ix: ReflectedIndex, table: String) -> IndexSpec {
        if let cols = ix.columnNames {
            return IndexSpec(name: ix.name, table: table, columns: cols, unique: ix.unique, whereClause: ix.predicate,
                             mysqlLength: ix.prefixLengths)
        }
        let exprs = ix.elements.map { e -> String in
            switch e {
            case .column(let n): return c.dialect.quoteIdentifier(n)
            case .expression(let sql): return sql
            }
        }
        return IndexSpec(name: ix.name, table: table, expressions: exprs, unique: ix.unique, whereClause: ix.predicate)
    }

    func createTableSpec(_ t: Table) throws -> CreateTableSpec {
        CreateTableSpec(
            name: t.name, columns: try t.columns.map(spec),
            primaryKey: t.primaryKey.map { ConstraintSpec(name: named($0.name, $0.naming), columns: $0.columns) },
            foreignKeys: t.foreignKeys.map(spec),
            uniqueConstraints: t.uniqueConstraints.map { ConstraintSpec(name: named($0.name, $0.naming), columns: $0.columns) },
            checkConstraints: try t.checkConstraints.map { CheckSpec(name: named($0.name, $0.naming), condition: try $0.sqlText ?? $0.conditionSQL(for: c.dialect)) },
            comment: t.comment)
    }

    func createTableSpec(_ t: ReflectedTable) -> CreateTableSpec {
        // Enum stand-in CHECKs (SQLite) come back with the enum column's own CHECK.
        CreateTableSpec(
            name: t.name, columns: t.columns.map { spec($0, in: t) },
            primaryKey: t.primaryKey.map { ConstraintSpec(name: $0.name, columns: $0.columns) },
            foreignKeys: t.foreignKeys.map(spec),
            uniqueConstraints: t.uniqueConstraints.map { ConstraintSpec(name: $0.name, columns: $0.columns) },
            checkConstraints: t.checkConstraints.map { CheckSpec(name: $0.name, condition: $0.condition) },
            comment: t.comment)
    }

    func describe(_ col: ReflectedColumn) -> String {
        col.type.name + (col.nullable ? "" : ", not null") + (col.serverDefault.map { ", default \($0)" } ?? "")
            + (col.collation.map { ", collation \($0)" } ?? "")
    }

    // MARK: Tables

    func createTableChange(_ t: Table, omitting laterKeys: Set<String> = []) throws -> SchemaChange {
        var create = try createTableSpec(t)
        create.foreignKeys.removeAll { $0.name.map(laterKeys.contains) ?? false }
        var up: [MigrationOperation] = [.createTable(create)]
        for ix in t.indexes { up.append(.createIndex(try spec(ix, table: t.name))) }
        return SchemaChange(.addTable, table: t.name, summary: "added table \(t.name)", upgrade: up,
                            downgrade: [.dropTable(name: t.name)])
    }

    func dropTableChange(_ t: ReflectedTable, omitting laterKeys: Set<String> = []) -> SchemaChange {
        var create = createTableSpec(t)
        create.foreignKeys.removeAll { $0.name.map(laterKeys.contains) ?? false }
        var down: [MigrationOperation] = [.createTable(create)]
        for ix in t.indexes.sorted(by: { $0.name < $1.name }) { down.append(.createIndex(spec(ix, table: t.name))) }
        return SchemaChange(.removeTable, table: t.name, summary: "removed table \(t.name)",
                            upgrade: [.dropTable(name: t.name)], downgrade: down,
                            dataLoss: "drop_table \(t.name): every row of \(t.name) is deleted")
    }

    /// Applies `edit` to every live table, keeping the comparable copies in step.
    mutating func editLive(_ edit: (inout ReflectedTable) -> Void) {
        for name in Array(live.keys) {
            edit(&live[name]!)
            liveComparable[name] = live[name]!.comparable
        }
    }

    /// Asks about each lost-and-gained pair of `table`'s columns with an identical
    /// definition; a confirmed rename is written, and the live schema is changed the
    /// way the database changes it: the key, constraints, indexes (their expressions and
    /// predicates too) and other tables' foreign keys follow the column.
    mutating func renameColumns(_ table: Table, rename: (RenameCandidate) throws -> Bool) throws {
        guard let exp = expected[table.name], let expC = expectedComparable[table.name],
              let cur = live[table.name], let curC = liveComparable[table.name] else { return }
        let name = table.name
        var gained = expC.columns.filter { cur.column(named: $0.name) == nil }
        for old in curC.columns where exp.column(named: old.name) == nil {
            guard let i = gained.firstIndex(where: { definitionSignature($0) == definitionSignature(old) }) else { continue }
            let new = gained[i]
            let candidate = RenameCandidate(kind: .column, table: name, from: old.name, to: new.name, definition: describe(new))
            guard try rename(candidate) else { continue }
            var up = AlterColumnSpec(table: name, column: old.name)
            up.newName = new.name
            var down = AlterColumnSpec(table: name, column: new.name)
            down.newName = old.name
            // Renames run before the drops, so that dropped indexes and constraints are
            // recreated on downgrade under the new names, before the rename is undone.
            phases.renames.append(SchemaChange(
                .renameColumn, table: name, summary: "renamed column \(name).\(old.name) to \(name).\(new.name)",
                upgrade: [.alterColumn(up)], downgrade: [.alterColumn(down)]))
            gained.remove(at: i)
            let dialect = c.dialect
            let ddl = self.ddl
            editLive { t in
                for i in t.foreignKeys.indices where t.foreignKeys[i].referredTable == name {
                    t.foreignKeys[i].referredColumns = t.foreignKeys[i].referredColumns.map { $0 == old.name ? new.name : $0 }
                }
                guard t.name == name else { return }
                t.renameColumn(old.name, to: new.name) { SQLIdentifierRename.rename(old.name, to: new.name, in: $0, dialect: dialect) }
                // Where enum types are CHECKs, the rename renames the column's (see CoreOperationApplier).
                if !dialect.supportsNativeEnum, let from = ddl.enumCheckName(table: name, column: old.name) {
                    t.checkConstraints = t.checkConstraints.map { ck in
                        var ck = ck
                        if ck.name == from, TableRebuild.mentions(ck.condition, new.name) || TableRebuild.mentions(ck.condition, old.name) {
                            ck.name = ddl.enumCheckName(table: name, column: new.name)
                        }
                        return ck
                    }
                }
            }
        }
    }

    mutating func compareTable(_ table: Table) throws {
        guard let exp = expected[table.name], let expC = expectedComparable[table.name],
              let cur = live[table.name], let curC = liveComparable[table.name] else { return }
        let name = table.name
        let lost = curC.columns.filter { exp.column(named: $0.name) == nil }
        let gained = expC.columns.filter { cur.column(named: $0.name) == nil }

        try compareConstraints(table, exp: exp, expC: expC, cur: cur, curC: curC)

        // Added columns, in declaration order.
        for col in table.columns where gained.contains(where: { $0.name == col.name }) {
            let s = try spec(col)
            phases.columns.append(SchemaChange(
                .addColumn, table: name, summary: "added column \(name).\(col.name) (\(describe(expC.column(named: col.name) ?? ReflectedColumn(name: col.name, type: col.type))))",
                upgrade: [.addColumn(table: name, column: s)], downgrade: [.dropColumn(table: name, column: col.name)]))
        }
        // Altered columns.
        for col in table.columns {
            guard let e = expC.column(named: col.name), let l = curC.column(named: col.name) else { continue }
            var up = AlterColumnSpec(table: name, column: col.name)
            var down = AlterColumnSpec(table: name, column: col.name)
            var what: [String] = []
            var loss: String?
            // Where an enum is a VARCHAR with a CHECK and the live column has that CHECK,
            // its values are the CHECK's (compared with the constraints); the VARCHAR's
            // length follows the longest value and is no difference of its own.
            let enumCheck = col.type.enumDefinition != nil && !c.dialect.supportsNativeEnum
                && table.enumCheckNames[col.name].map { n in
                    cur.checkConstraints.contains { $0.name == c.dialect.constraintName(n, .convention) }
                } == true
            if c.compareTypes, !enumCheck, c.normalized(e.type) != c.normalized(l.type) {
                up.type = col.type.name
                down.type = l.type.name
                what.append("type \(l.type.name) -> \(col.type.name)")
                if SchemaComparer.narrows(l.type, to: e.type) {
                    loss = "alter_column \(name).\(col.name): type \(l.type.name) -> \(col.type.name) may truncate or reject values"
                }
            }
            if e.nullable != l.nullable {
                up.nullable = e.nullable
                down.nullable = l.nullable
                what.append(e.nullable ? "now nullable" : "now not null")
            }
            if c.compareServerDefaults, e.serverDefault != l.serverDefault {
                up.serverDefault = .some(try col.serverDefault.map(ddl.serverDefaultSQL))
                down.serverDefault = .some(l.serverDefault)
                what.append("server default \(l.serverDefault ?? "none") -> \(e.serverDefault ?? "none")")
            }
            // Collation names: SQLite's are case-insensitive; PostgreSQL's differing only
            // in case would be a strange pair to keep.
            if e.collation?.lowercased() != l.collation?.lowercased() {
                up.collation = .some(e.collation)
                down.collation = .some(l.collation)
                what.append("collation \(l.collation ?? "default") -> \(e.collation ?? "default")")
            }
            if e.comment != l.comment {
                up.comment = .some(e.comment)
                down.comment = .some(l.comment)
                what.append("comment \(l.comment.map { "'\($0)'" } ?? "none") -> \(e.comment.map { "'\($0)'" } ?? "none")")
            }
            if try compareGenerated(col, table: table, expected: e, live: l, liveTable: cur) { continue }
            guard !what.isEmpty else { continue }
            up.existingType = l.type.name
            up.existingNullable = l.nullable
            up.existingServerDefault = .some(l.serverDefault)
            up.existingComment = .some(l.comment)
            down.existingType = up.type ?? l.type.name
            down.existingNullable = up.nullable ?? l.nullable
            down.existingServerDefault = .some(up.serverDefault ?? l.serverDefault)
            down.existingComment = .some(up.comment ?? l.comment)
            phases.columns.append(SchemaChange(
                .alterColumn, table: name, summary: "changed \(name).\(col.name): " + what.joined(separator: "; "),
                upgrade: [.alterColumn(up)], downgrade: [.alterColumn(down)], dataLoss: loss))
        }
        // Table comment (only where the dialect keeps comments: elsewhere both are nil).
        if expC.comment != curC.comment {
            let up = try SetTableComment(TableReference(name), expC.comment).accept(ddl)
            let down = try SetTableComment(TableReference(name), curC.comment).accept(ddl)
            phases.columns.append(SchemaChange(
                .tableComment, table: name,
                summary: "changed the comment of \(name): \(curC.comment.map { "'\($0)'" } ?? "none") -> \(expC.comment.map { "'\($0)'" } ?? "none")",
                upgrade: [.execute(sql: nil, perDialect: [c.dialect.name: up])],
                downgrade: [.execute(sql: nil, perDialect: [c.dialect.name: down])]))
        }
        // Dropped columns, in table order.
        for col in cur.columns where lost.contains(where: { $0.name == col.name }) {
            phases.dropColumns.append(SchemaChange(
                .removeColumn, table: name, summary: "removed column \(name).\(col.name) (\(describe(col)))",
                upgrade: [.dropColumn(table: name, column: col.name)],
                downgrade: [.addColumn(table: name, column: { var s = spec(col, in: cur); s.primaryKey = false; return s }())],
                dataLoss: "drop_column \(name).\(col.name): its values are deleted"))
        }
    }
}
