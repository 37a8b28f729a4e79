import Foundation

/// What reflection reads back about one column.
public struct ReflectedColumn: Sendable, Hashable {
    public var name: String
    /// A Retort type, or `.sql(spelling)` for a type Retort has no name for.
    public var type: SQLType
    public var nullable: Bool
    /// The default as SQL text in one canonical spelling (`0`, `'text'`, `CURRENT_TIMESTAMP`,
    /// `now()`, `true`); nil when there is none. Sequence defaults of serial columns are
    /// not defaults: they show as ``autoincrement``.
    public var serverDefault: String?
    /// A serial, identity or rowid column.
    public var autoincrement: Bool
    public var comment: String?

    public init(name: String, type: SQLType, nullable: Bool = true, serverDefault: String? = nil,
                autoincrement: Bool = false, comment: String? = nil) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.serverDefault = serverDefault
        self.autoincrement = autoincrement
        self.comment = comment
    }
}

public struct ReflectedPrimaryKey: Sendable, Hashable {
    public var name: String?
    public var columns: [String]
    public init(name: String?, columns: [String]) {
        self.name = name
        self.columns = columns
    }
}

public struct ReflectedForeignKey: Sendable, Hashable {
    public var name: String?
    public var columns: [String]
    public var referredSchema: String?
    public var referredTable: String
    public var referredColumns: [String]
    public var onDelete: ReferentialAction?
    public var onUpdate: ReferentialAction?
    public var deferrable: Bool
    public var initiallyDeferred: Bool

    public init(name: String?, columns: [String], referredSchema: String? = nil, referredTable: String,
                referredColumns: [String], onDelete: ReferentialAction? = nil, onUpdate: ReferentialAction? = nil,
                deferrable: Bool = false, initiallyDeferred: Bool = false) {
        self.name = name
        self.columns = columns
        self.referredSchema = referredSchema
        self.referredTable = referredTable
        self.referredColumns = referredColumns
        self.onDelete = onDelete
        self.onUpdate = onUpdate
        self.deferrable = deferrable
        self.initiallyDeferred = initiallyDeferred
    }
}

/// One element of an index: a column, or an expression as SQL text.
public enum ReflectedIndexElement: Sendable, Hashable {
    case column(String)
    case expression(String)
}

public struct ReflectedIndex: Sendable, Hashable {
    public var name: String
    public var elements: [ReflectedIndexElement]
    public var unique: Bool
    /// A partial index's predicate, as SQL text.
    public var predicate: String?

    public init(name: String, elements: [ReflectedIndexElement], unique: Bool = false, predicate: String? = nil) {
        self.name = name
        self.elements = elements
        self.unique = unique
        self.predicate = predicate
    }

    /// The column names when every element is a plain column.
    public var columnNames: [String]? {
        var names: [String] = []
        for e in elements {
            guard case .column(let n) = e else { return nil }
            names.append(n)
        }
        return names
    }
}

public struct ReflectedUniqueConstraint: Sendable, Hashable {
    public var name: String?
    public var columns: [String]
    public init(name: String?, columns: [String]) {
        self.name = name
        self.columns = columns
    }
}

public struct ReflectedCheckConstraint: Sendable, Hashable {
    public var name: String?
    /// The condition as SQL text, without the surrounding `CHECK (...)`.
    public var condition: String
    public init(name: String?, condition: String) {
        self.name = name
        self.condition = condition
    }
}

/// Everything reflection reads back about one table.
public struct ReflectedTable: Sendable, Hashable {
    public var name: String
    public var schema: String?
    public var columns: [ReflectedColumn]
    public var primaryKey: ReflectedPrimaryKey?
    public var foreignKeys: [ReflectedForeignKey]
    public var indexes: [ReflectedIndex]
    public var uniqueConstraints: [ReflectedUniqueConstraint]
    public var checkConstraints: [ReflectedCheckConstraint]
    public var comment: String?
    /// Pieces reflection could not read (a CHECK it could not parse, a table that
    /// vanished mid-way), described; everything else is still there.
    public var problems: [String]

    public init(name: String, schema: String? = nil, columns: [ReflectedColumn] = [], primaryKey: ReflectedPrimaryKey? = nil,
                foreignKeys: [ReflectedForeignKey] = [], indexes: [ReflectedIndex] = [],
                uniqueConstraints: [ReflectedUniqueConstraint] = [], checkConstraints: [ReflectedCheckConstraint] = [],
                comment: String? = nil, problems: [String] = []) {
        self.name = name
        self.schema = schema
        self.columns = columns
        self.primaryKey = primaryKey
        self.foreignKeys = foreignKeys
        self.indexes = indexes
        self.uniqueConstraints = uniqueConstraints
        self.checkConstraints = checkConstraints
        self.comment = comment
        self.problems = problems
    }

    public func column(named name: String) -> ReflectedColumn? { columns.first { $0.name == name } }
}

/// A PostgreSQL enum type.
public struct ReflectedEnum: Sendable, Hashable {
    public var name: String
    public var schema: String?
    public var values: [String]
    public init(name: String, schema: String? = nil, values: [String]) {
        self.name = name
        self.schema = schema
        self.values = values
    }
}

/// A PostgreSQL sequence.
public struct ReflectedSequence: Sendable, Hashable {
    public var name: String
    public var schema: String?
    /// `table.column` when the sequence belongs to a serial or identity column.
    public var ownedBy: String?
    public init(name: String, schema: String? = nil, ownedBy: String? = nil) {
        self.name = name
        self.schema = schema
        self.ownedBy = ownedBy
    }
}

/// A whole schema read in one go: what the Inspector caches and autogenerate compares.
public struct ReflectedSchema: Sendable, Hashable {
    public var schema: String?
    public var tables: [ReflectedTable]
    public var views: [String]
    public var enums: [ReflectedEnum]
    public var sequences: [ReflectedSequence]

    public init(schema: String? = nil, tables: [ReflectedTable] = [], views: [String] = [], enums: [ReflectedEnum] = [],
                sequences: [ReflectedSequence] = []) {
        self.schema = schema
        self.tables = tables
        self.views = views
        self.enums = enums
        self.sequences = sequences
    }

    public func table(_ name: String) -> ReflectedTable? { tables.first { $0.name == name } }
}

/// How a dialect reads its catalog. Implementations live in `Dialects/SQLite` and
/// `Dialects/PostgreSQL`.
public protocol SchemaReflector: Sendable {
    /// Reads tables (all, or `only` those), views, enums and sequences of `schema`
    /// (nil: the connection's default schema) with a fixed number of queries.
    /// `exclude` names tables to leave out (the migrator's own). A table that cannot
    /// be read completely still comes back, with ``ReflectedTable/problems``.
    func reflect(_ conn: Connection, schema: String?, only: Set<String>?, exclude: Set<String>) throws -> ReflectedSchema
    /// The schemas on the database besides the system ones (empty where there are none).
    func schemaNames(_ conn: Connection) throws -> [String]
    /// A server default in the spelling ``reflect(_:schema:only:exclude:)`` reports, given
    /// the SQL our DDL wrote after DEFAULT.
    func canonicalDefault(_ sql: String) -> String
    /// An index expression element in the spelling reflection reports, given the SQL
    /// our DDL wrote.
    func canonicalIndexElement(_ sql: String) -> String
    /// A partial-index predicate or CHECK condition in the spelling reflection reports.
    func canonicalCondition(_ sql: String) -> String
    /// `type` as a comparison of declared and reflected columns should see it: types
    /// this database stores alike are one (SQLite keeps every integer type as the same
    /// 64-bit INTEGER, so `smallint`, `integer` and `bigint` are `integer` there). The
    /// default is the type itself.
    func comparableType(_ type: SQLType) -> SQLType
}

extension SchemaReflector {
    /// The type itself: most databases keep each type apart.
    public func comparableType(_ type: SQLType) -> SQLType { type }
}

/// `sql` without the parentheses that wrap the whole of it, if any (`((a + b))` → `a + b`),
/// at most `layers` pairs of them.
func strippingEnclosingParentheses(_ sql: String, layers: Int = .max) -> String {
    var s = sql.trimmingCharacters(in: .whitespaces)
    var stripped = 0
    while stripped < layers, s.hasPrefix("("), s.hasSuffix(")") {
        let parser = SQLiteSchemaParser(s)  // a general SQL tokenizer, despite its home
        guard parser.matching(0) == parser.tokens.count - 1 else { break }
        s = String(s.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        stripped += 1
    }
    return s
}
