/// A table: columns, constraints and indexes, declared as a value and registered in a
/// ``MetaData``. It is also a FROM element of queries, and its columns are expressions.
///
/// ```swift
/// let metadata = MetaData()
/// let authors = Table("authors", metadata,
///     Column("id", .integer, primaryKey: true),
///     Column("name", .string(100), nullable: false),
///     Column("email", .string(255), unique: true),
///     comment: "People who write books")
///
/// select(authors.c.name).where(authors.c.id == 5)
/// // SELECT authors.name FROM authors WHERE authors.id = ?
/// ```
///
/// Tables are immutable and compared by identity. Mistakes in a declaration (a
/// constraint naming a missing column, a duplicate column) do not crash: they are
/// listed in ``problems`` and raised as an ``ArgumentError`` when the table's DDL is
/// compiled.
public final class Table: FromClause, Sendable, Hashable, CustomStringConvertible {
    /// The table's name, used exactly as given.
    public let name: String
    /// The schema, when not the database's default.
    public let schema: String?
    /// The columns, in declaration order (primary-key columns are non-nullable and
    /// have ``Column/autoincrement`` resolved).
    public let columns: [Column]
    /// The primary key, named.
    public let primaryKey: PrimaryKeyConstraint?
    /// The foreign keys (the column shortcuts included), named.
    public let foreignKeys: [ForeignKeyConstraint]
    /// The unique constraints (single-column `unique: true` included), named.
    public let uniqueConstraints: [UniqueConstraint]
    /// The check constraints, named.
    public let checkConstraints: [CheckConstraint]
    /// The indexes (single-column `index: true` included), named.
    public let indexes: [Index]
    /// The table's comment (`COMMENT ON TABLE` on PostgreSQL).
    public let comment: String?
    /// What is wrong with the declaration, if anything; compiling its DDL throws these.
    public let problems: [String]
    /// Names of the CHECK constraints that stand in for enum types where the dialect
    /// has none (SQLite), by column.
    public let enumCheckNames: [String: String]
    private let columnPositions: [String: Int]

    /// Declares a table and registers it in `metadata` (replacing a table of the same name).
    /// The result may be ignored: the table stays reachable as `metadata["name"]`.
    @discardableResult
    public convenience init(
        _ name: String, _ metadata: MetaData, _ elements: any TableElement..., schema: String? = nil, comment: String? = nil
    ) {
        self.init(name, metadata, elements: elements, schema: schema, comment: comment)
    }

    /// Declares a table from an array of elements (for code that builds tables, like the migrator).
    @discardableResult
    public init(
        _ name: String, _ metadata: MetaData, elements: [any TableElement], schema: String? = nil, comment: String? = nil
    ) {
        let schema = schema ?? metadata.schema
        let fullName = schema.map { $0 + "." + name } ?? name
        metadata.prepareForTable(fullName)
        var problems: [String] = []
        var columns: [Column] = []
        var pks: [PrimaryKeyConstraint] = []
        var fks: [ForeignKeyConstraint] = []
        var uniques: [UniqueConstraint] = []
        var checks: [CheckConstraint] = []
        var indexes: [Index] = []
        for element in elements {
            switch element {
            case let c as Column: columns.append(c)
            case let c as PrimaryKeyConstraint: pks.append(c)
            case let c as ForeignKeyConstraint: fks.append(c)
            case let c as UniqueConstraint: uniques.append(c)
            case let c as CheckConstraint: checks.append(c)
            case let c as Index: indexes.append(c)
            default: problems.append("table '\(fullName)' was given \(type(of: element)), which is not a table element")
            }
        }

        var positions: [String: Int] = [:]
        for (i, c) in columns.enumerated() {
            if positions[c.name] != nil {
                problems.append("table '\(fullName)' declares column '\(c.name)' twice")
            } else {
                positions[c.name] = i
            }
        }
        func check(_ names: [String], _ what: String) {
            for n in names where positions[n] == nil {
                problems.append(
                    "\(what) of table '\(fullName)' names column '\(n)', which the table does not have; "
                        + "its columns are: \(columns.map(\.name).joined(separator: ", "))")
            }
        }

        // Primary key: an explicit constraint, else the columns flagged primaryKey.
        var primaryKey: PrimaryKeyConstraint?
        if pks.count > 1 { problems.append("table '\(fullName)' declares \(pks.count) primary keys; it may have one") }
        if let explicit = pks.first {
            primaryKey = explicit
            check(explicit.columns, "the primary key")
        } else {
            let flagged = columns.filter(\.primaryKey).map(\.name)
            if !flagged.isEmpty { primaryKey = PrimaryKeyConstraint(columns: flagged) }
        }
        let pkColumns = Set(primaryKey?.columns ?? [])
        for i in columns.indices where pkColumns.contains(columns[i].name) {
            columns[i].primaryKey = true
            columns[i].nullable = false
        }

        // Column shortcuts become table-level constraints and indexes.
        for c in columns {
            if let target = c.foreignKey {
                let t = ForeignKeyConstraint.parseTarget(target)
                if t.table.isEmpty {
                    problems.append(
                        "column '\(c.name)' of table '\(fullName)' has foreignKey '\(target)'; write it as \"table.column\"")
                } else {
                    fks.append(ForeignKeyConstraint(
                        [c.name], references: t.table, [t.column], referredSchema: t.schema,
                        onDelete: c.onDelete, onUpdate: c.onUpdate))
                }
            }
            if c.index {
                indexes.append(Index(columns: [c.name], unique: c.unique))
            } else if c.unique {
                uniques.append(UniqueConstraint(columns: [c.name]))
            }
        }
        for fk in fks {
            check(fk.columns, "a foreign key")
            if fk.columns.count != fk.referredColumns.count {
                problems.append(
                    "a foreign key of table '\(fullName)' has \(fk.columns.count) columns but refers to \(fk.referredColumns.count)")
            }
        }
        for u in uniques { check(u.columns, "a unique constraint") }
        for ix in indexes { check(ix.columnNames ?? [], "an index") }

        // Autoincrement: explicit, or a lone integer primary key that is not a foreign key.
        let fkColumns = Set(fks.flatMap(\.columns))
        for i in columns.indices {
            let c = columns[i]
            let isLoneIntegerKey = pkColumns.count == 1 && c.primaryKey && c.type.isInteger
            columns[i].autoincrement = c.identity != nil
                || (c.computed == nil && (c.autoincrementSetting ?? (isLoneIntegerKey && !fkColumns.contains(c.name))))
        }

        // Names: explicit ones are used as given, the convention fills the rest. A
        // conventional name that collides gets a hash suffix. Primary keys, foreign keys,
        // unique constraints and indexes are made unique across the metadata (PostgreSQL
        // keeps indexes, and the keys backed by them, in one namespace per schema); check
        // constraints only within their table, which is all either database asks: so a
        // table declared on its own, as a revision's create_table is, names its checks
        // (and the CHECKs standing in for enum types) exactly as its metadata does.
        let convention = metadata.namingConvention
        var checkNames = Set<String>()
        func assignName(_ explicit: String?, _ template: String?, _ cols: [String], referred: String? = nil,
                  kind: String) -> (String?, ConstraintNaming)
        {
            let base = template.map { NamingConvention.render($0, table: name, columns: cols, referredTable: referred) }
            let perTable = kind.hasPrefix("ck")
            if let explicit {
                // The name the convention would make, written out (metadata JSON does), is still the convention's.
                let naming: ConstraintNaming =
                    base.map { NamingConvention.isConventional(explicit, base: $0) } == true ? .convention : .explicit
                if perTable {
                    checkNames.insert(explicit)
                    return (explicit, naming)
                }
                return (metadata.claimName(explicit, owner: fullName, discriminator: "", conventional: false), naming)
            }
            guard let base else { return (nil, .convention) }
            let discriminator = kind + ":" + fullName + ":" + cols.joined(separator: ",") + ":" + (referred ?? "")
            if perTable {
                let unique = NamingConvention.unique(base, discriminator: discriminator) { checkNames.contains($0) }
                checkNames.insert(unique)
                return (unique, .convention)
            }
            return (metadata.claimName(base, owner: fullName, discriminator: discriminator, conventional: true), .convention)
        }
        if var pk = primaryKey {
            (pk.name, pk.naming) = assignName(pk.name, convention.primaryKey, pk.columns, kind: "pk")
            primaryKey = pk
        }
        for i in fks.indices {
            (fks[i].name, fks[i].naming) = assignName(
                fks[i].name, convention.foreignKey, fks[i].columns, referred: fks[i].referredTable, kind: "fk")
        }
        for i in uniques.indices {
            (uniques[i].name, uniques[i].naming) = assignName(uniques[i].name, convention.unique, uniques[i].columns, kind: "uq")
        }
        for i in checks.indices {
            let mentioned = Table.columnsMentioned(by: checks[i].condition, among: columns.map(\.name))
            (checks[i].name, checks[i].naming) = assignName(checks[i].name, convention.check, mentioned, kind: "ck")
        }
        for i in indexes.indices {
            indexes[i].tableName = name
            indexes[i].tableSchema = schema
            (indexes[i].name, indexes[i].naming) = assignName(indexes[i].name, convention.index, indexes[i].mentionedColumns, kind: "ix")
        }
        var enumChecks: [String: String] = [:]
        for c in columns where c.type.enumDefinition != nil {
            if let n = assignName(nil, convention.check, [c.name], kind: "ck-enum").0 { enumChecks[c.name] = n }
        }

        self.name = name
        self.schema = schema
        self.columns = columns
        self.primaryKey = primaryKey
        self.foreignKeys = fks
        self.uniqueConstraints = uniques
        self.checkConstraints = checks
        self.indexes = indexes
        self.comment = comment
        self.problems = problems
        self.enumCheckNames = enumChecks
        self.columnPositions = positions
        metadata.register(self)
    }

    /// The constraint and index names given explicitly rather than made by the naming
    /// convention: used exactly as given on every database, so the migrator checks them
    /// against a database's identifier limit.
    package var explicitlyNamed: (constraints: [String], indexes: [String]) {
        var constraints: [String] = []
        func add(_ name: String?, _ naming: ConstraintNaming) {
            if let name, naming == .explicit { constraints.append(name) }
        }
        if let pk = primaryKey { add(pk.name, pk.naming) }
        for fk in foreignKeys { add(fk.name, fk.naming) }
        for u in uniqueConstraints { add(u.name, u.naming) }
        for ck in checkConstraints { add(ck.name, ck.naming) }
        return (constraints, indexes.compactMap { $0.naming == .explicit ? $0.name : nil })
    }

    /// `schema.name`, or `name`.
    public var fullName: String { schema.map { $0 + "." + name } ?? name }

    public var description: String { "Table(\(fullName))" }

    /// The column named `name`.
    public func column(named name: String) -> Column? {
        columnPositions[name].map { columns[$0] }
    }

    /// The position of the column named `name` (a short scan for small tables: faster
    /// than hashing the name).
    package func position(of name: String) -> Int? {
        if columns.count <= 12 {
            for i in columns.indices where columns[i].name == name { return i }
            return nil
        }
        return columnPositions[name]
    }

    /// The expression node of the column at `position`.
    package func columnNode(at position: Int) -> ExpressionNode {
        .column(ColumnReference(from: .table(self), name: columns[position].name, type: columns[position].type, position: position))
    }

    /// The column the database numbers automatically, if any.
    public var autoincrementColumn: Column? { columns.first { $0.autoincrement } }

    /// The tables this one refers to through foreign keys, by name (self-references included).
    public var referredTableNames: [String] { foreignKeys.map(\.referredTable) }

    public static func == (a: Table, b: Table) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    public var fromReference: FromReference { FromReference(.table(self)) }

    /// Typed access to a column: `authors.column("id", as: Int.self) == 5` type-checks,
    /// `== "x"` does not. A name the table lacks compiles to an error naming it.
    public func column<V>(_ name: String, as type: V.Type) -> SQLExpression<V> {
        SQLExpression(FromNode.table(self).columnNode(name))
    }

    /// The columns a CHECK condition mentions, in order: column references in an
    /// expression, or words of SQL text that are column names.
    package static func columnsMentioned(by condition: ExpressionNode, among names: [String]) -> [String] {
        let known = Set(names)
        var seen = Set<String>()
        var out: [String] = []
        let candidates: [String]
        if case .raw(let sql, _) = condition {
            candidates = SQLWords.identifiers(in: sql)
        } else {
            candidates = condition.referencedColumnNames
        }
        for n in candidates where known.contains(n) && seen.insert(n).inserted { out.append(n) }
        return out
    }
}

/// Splits SQL text into identifier-like words, skipping string literals.
enum SQLWords {
    static func identifiers(in sql: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character? = nil
        var quoted = ""
        for ch in sql {
            if let q = quote {
                if ch == q {
                    if q == "\"" { out.append(quoted) }
                    quote = nil
                    quoted = ""
                } else {
                    quoted.append(ch)
                }
                continue
            }
            if ch == "'" || ch == "\"" {
                if !current.isEmpty { out.append(current); current = "" }
                quote = ch
            } else if ch.isLetter || ch.isNumber || ch == "_" {
                current.append(ch)
            } else if !current.isEmpty {
                out.append(current)
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out.filter { !($0.first?.isNumber ?? true) }
    }
}
