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
    /// An autoincrementing column that never hands out a number twice, not even one
    /// freed by deleting the highest row: SQLite's `AUTOINCREMENT` keyword (which keeps
    /// the high-water mark in `sqlite_sequence`). False elsewhere, and for a plain rowid.
    public var strictAutoincrement: Bool
    /// The collation the column declares (`NOCASE`, `"de-x-icu"`), nil for the default.
    public var collation: String?
    public var comment: String?
    /// What the database sets on every update of the row (MySQL's `ON UPDATE
    /// CURRENT_TIMESTAMP(6)`), in the canonical spelling of ``serverDefault``; nil elsewhere.
    public var serverOnUpdate: String?
    /// An identity column, with its options where the database keeps them (PostgreSQL's
    /// `GENERATED … AS IDENTITY`; options equal to the database's defaults read back as
    /// nil). Nil elsewhere: MySQL's AUTO_INCREMENT and SQLite's rowid are ``autoincrement``.
    public var identity: Identity?
    /// A computed column: its expression as the database hands it back, and whether it
    /// is stored (`stored` is never nil here).
    public var computed: Computed?

    public init(name: String, type: SQLType, nullable: Bool = true, serverDefault: String? = nil,
                autoincrement: Bool = false, strictAutoincrement: Bool = false, collation: String? = nil,
                comment: String? = nil, serverOnUpdate: String? = nil, identity: Identity? = nil, computed: Computed? = nil) {
        self.identity = identity
        self.computed = computed
        self.name = name
        self.type = type
        self.nullable = nullable
        self.serverDefault = serverDefault
        self.autoincrement = autoincrement
        self.strictAutoincrement = strictAutoincrement
        self.collation = collation
        self.comment = comment
        self.serverOnUpdate = serverOnUpdate
    }
}

/// A view or a trigger as the database stores it, with the statement that creates it.
/// Reflection reads these where a table rebuild must carry them through (SQLite).
public struct ReflectedSchemaObject: Sendable, Hashable {
    /// What the object is.
    public enum Kind: String, Sendable, Hashable {
        case view, trigger
    }
    public var kind: Kind
    public var name: String
    /// The table (or view) a trigger fires on; a view's own name.
    public var table: String
    /// The CREATE VIEW / CREATE TRIGGER statement, as stored.
    public var sql: String

    public init(kind: Kind, name: String, table: String, sql: String) {
        self.kind = kind
        self.name = name
        self.table = table
        self.sql = sql
    }

    /// True when the statement names `identifier` (a table, view or column name) outside
    /// string literals and comments, quoted or not, in any letter case.
    public func mentions(_ identifier: String) -> Bool {
        SQLiteSchemaParser(sql).tokens.contains {
            ($0.kind == .word || $0.kind == .quotedName) && $0.text.caseInsensitiveCompare(identifier) == .orderedSame
        }
    }

    /// For a trigger: the columns of `table` its body writes by name, in `INSERT INTO
    /// table (a, b)` and `UPDATE table SET a = ...` (SQLite resolves those only when the
    /// trigger fires).
    public func columnsWritten(to table: String) -> [String] {
        let tokens = SQLiteSchemaParser(sql).tokens
        func isTable(_ i: Int) -> Bool { i < tokens.count && tokens[i].isName && tokens[i].text.caseInsensitiveCompare(table) == .orderedSame }
        /// The index of the table name after `INTO` / `UPDATE [OR action]`.
        func target(after i: Int) -> Int {
            var j = i + 1
            if j < tokens.count, tokens[j].isWord("OR") { j += 2 }
            return j
        }
        guard kind == .trigger, let begin = tokens.firstIndex(where: { $0.isWord("BEGIN") }) else { return [] }
        var names: [String] = []
        var i = begin
        while i < tokens.count {
            if tokens[i].isWord("INTO"), isTable(i + 1), i + 2 < tokens.count, tokens[i + 2].text == "(" {
                var j = i + 3
                while j < tokens.count, tokens[j].text != ")" {
                    if tokens[j].isName { names.append(tokens[j].text) }
                    j += 1
                }
                i = j
            } else if tokens[i].isWord("UPDATE"), isTable(target(after: i)), target(after: i) + 1 < tokens.count,
                      tokens[target(after: i) + 1].isWord("SET") {
                var j = target(after: i) + 2
                var depth = 0
                while j < tokens.count {
                    let t = tokens[j]
                    if t.text == "(" { depth += 1 } else if t.text == ")" { depth -= 1 }
                    if depth == 0, t.text == ";" || ["WHERE", "FROM", "RETURNING", "END"].contains(where: t.isWord) { break }
                    if t.isName, j + 1 < tokens.count, tokens[j + 1].text == "=", depth == 0 || (depth == 1 && tokens[j - 1].text == "(") {
                        names.append(t.text)
                    }
                    j += 1
                }
                i = j
            }
            i += 1
        }
        return names
    }

    /// For a trigger declared `UPDATE OF a, b ON ...`: those column names.
    public var updateOfColumns: [String] {
        let tokens = SQLiteSchemaParser(sql).tokens
        guard kind == .trigger,
              let of = tokens.indices.first(where: { tokens[$0].isWord("OF") && $0 > 0 && tokens[$0 - 1].isWord("UPDATE") })
        else { return [] }
        var names: [String] = []
        var i = of + 1
        while i < tokens.count, !tokens[i].isWord("ON") {
            if tokens[i].isName { names.append(tokens[i].text) }
            i += 1
        }
        return names
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
    /// MySQL's prefix lengths by column name (`body(100)` indexes the first 100
    /// characters of `body`); empty elsewhere (see ``Index/mysqlLength``).
    public var prefixLengths: [String: Int]

    public init(name: String, elements: [ReflectedIndexElement], unique: Bool = false, predicate: String? = nil,
                prefixLengths: [String: Int] = [:]) {
        self.name = name
        self.elements = elements
        self.unique = unique
        self.predicate = predicate
        self.prefixLengths = prefixLengths
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

/// A sequence (PostgreSQL, MariaDB).
public struct ReflectedSequence: Sendable, Hashable {
    public var name: String
    public var schema: String?
    /// `table.column` when the sequence belongs to a serial or identity column.
    public var ownedBy: String?
    /// Its options; those equal to the database's defaults read back as nil.
    public var options: SequenceOptions
    public init(name: String, schema: String? = nil, ownedBy: String? = nil, options: SequenceOptions = SequenceOptions()) {
        self.name = name
        self.schema = schema
        self.ownedBy = ownedBy
        self.options = options
    }
}

/// A whole schema read in one go: what the Inspector caches and autogenerate compares.
///
/// ```swift
/// let schema = try Inspector(conn).reflect()
/// schema.table("books")?.columns.map(\.name)   // ["id", "title", "author_id"]
/// schema.enums.map(\.name)                     // ["book_format"] (PostgreSQL)
/// ```
///
/// Its tables are the database's, in name order, less those the Inspector was told to
/// exclude (the migrator's own); a table that could not be read completely carries
/// ``ReflectedTable/problems`` rather than being left out.
public struct ReflectedSchema: Sendable, Hashable {
    /// The schema read; nil for the connection's default schema.
    public var schema: String?
    /// Its tables, with columns, keys, constraints and indexes.
    public var tables: [ReflectedTable]
    /// The names of its views.
    public var views: [String]
    /// Its enum types (PostgreSQL's `CREATE TYPE ... AS ENUM`); empty where the
    /// database has none.
    public var enums: [ReflectedEnum]
    /// Its sequences, each with the column that owns it, if any (PostgreSQL; empty elsewhere).
    public var sequences: [ReflectedSequence]

    /// A schema from its parts (tests and reflectors build these).
    public init(schema: String? = nil, tables: [ReflectedTable] = [], views: [String] = [], enums: [ReflectedEnum] = [],
                sequences: [ReflectedSequence] = []) {
        self.schema = schema
        self.tables = tables
        self.views = views
        self.enums = enums
        self.sequences = sequences
    }

    /// The table named `name`, if the schema has it.
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
    /// How big each of `tables` is (those that exist): rows (an estimate where the
    /// database keeps one) and bytes on disk where it can tell.
    func tableSizes(_ conn: Connection, tables: [String]) throws -> [String: TableSize]
    /// The views and triggers of `schema` with their stored CREATE statements, in the
    /// order they were created (empty where nothing needs them: a database that alters
    /// tables in place).
    func viewsAndTriggers(_ conn: Connection, schema: String?) throws -> [ReflectedSchemaObject]
    /// `type` as a comparison of declared and reflected columns should see it: types
    /// this database stores alike are one (SQLite keeps every integer type as the same
    /// 64-bit INTEGER, so `smallint`, `integer` and `bigint` are `integer` there). The
    /// default is the type itself.
    func comparableType(_ type: SQLType) -> SQLType
    /// A computed column's expression in the spelling reflection reports, given the SQL
    /// our DDL wrote (or the database handed back): what comparing two of them goes by.
    func canonicalGenerationExpression(_ sql: String) -> String
    /// Whether reflection reads identity columns as ``ReflectedColumn/identity`` with
    /// their options (PostgreSQL); elsewhere an identity is an autoincrementing column.
    var reflectsIdentity: Bool { get }
}

/// The size of a table, for `migrator lint`'s annotations.
public struct TableSize: Sendable, Equatable {
    /// Rows: exact on SQLite, the planner's estimate on PostgreSQL.
    public var rows: Int64
    /// Bytes on disk, with indexes, where the database says.
    public var bytes: Int64?
    public init(rows: Int64, bytes: Int64?) {
        self.rows = rows
        self.bytes = bytes
    }
}

extension SchemaReflector {
    /// None: only a database whose tables are rebuilt needs to carry them through.
    public func viewsAndTriggers(_ conn: Connection, schema: String?) throws -> [ReflectedSchemaObject] { [] }

    /// The type itself: most databases keep each type apart.
    public func comparableType(_ type: SQLType) -> SQLType { type }

    /// The condition's canonical spelling, in the one shape of ``ExpressionShape``
    /// (parentheses only where precedence needs them, names and keywords lower case).
    public func canonicalGenerationExpression(_ sql: String) -> String {
        ExpressionShape.canonical(canonicalCondition(sql))
    }

    /// False: identities are autoincrementing columns, with no options to read.
    public var reflectsIdentity: Bool { false }
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
