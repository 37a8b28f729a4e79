import RetortCore

/// A column as revision files and metadata JSON spell it:
/// `{name: title, type: string(200), nullable: false}`.
///
/// Every field, with its default: `{name: id, type: integer, nullable: true,
/// primary_key: false, autoincrement: null, server_default: null, comment: null,
/// collation: null}` (`create_table`'s `columns`, `add_column`'s `column`).
public struct ColumnSpec: Sendable, Equatable, Hashable {
    public var name: String
    /// A compact type name (`integer`, `string(200)`, `numeric(10,2)`, `enum(book_format)`, …).
    public var type: String
    public var nullable: Bool
    public var primaryKey: Bool
    /// nil: the default (true for a lone integer primary key).
    public var autoincrement: Bool?
    /// SQL text as it would follow DEFAULT.
    public var serverDefault: String?
    public var comment: String?
    /// The collation (`NOCASE`, `de-x-icu`); nil for the database's default.
    public var collation: String?
    /// `identity: {always: false, start: 1, increment: 1, min_value: …, max_value: …,
    /// cycle: false, cache: …}`: an identity column (options left out are the database's).
    public var identity: Identity?
    /// `computed: {sql: price * quantity, stored: true}`: a computed column.
    public var computed: ComputedSpec?

    public init(name: String, type: String, nullable: Bool = true, primaryKey: Bool = false,
                autoincrement: Bool? = nil, serverDefault: String? = nil, comment: String? = nil, collation: String? = nil,
                identity: Identity? = nil, computed: ComputedSpec? = nil) {
        self.collation = collation
        self.identity = identity
        self.computed = computed
        self.name = name
        self.type = type
        self.nullable = nullable
        self.primaryKey = primaryKey
        self.autoincrement = autoincrement
        self.serverDefault = serverDefault
        self.comment = comment
    }
}

extension IndexSpec {
    /// `expressions` as Core index elements: a column for an element that is only a
    /// column name, SQL text for the rest.
    static func elements(_ expressions: [String]) -> [any SQLExpressible] { Index.elements(sql: expressions) }
}

/// A named list of columns: a primary key or a unique constraint. In a revision file,
/// `primary_key: {name: pk_books, columns: [id]}` or a `unique_constraints` entry
/// `{name: uq_books_isbn, columns: [isbn]}` (the name may be left out: the naming
/// convention gives one).
public struct ConstraintSpec: Sendable, Equatable, Hashable {
    public var name: String?
    public var columns: [String]
    public init(name: String?, columns: [String]) {
        self.name = name
        self.columns = columns
    }
}

/// A foreign key, a `foreign_keys` entry of `create_table` (or `create_foreign_key`'s
/// fields): `{name: fk_books_author_id_authors, columns: [author_id], ref_table: authors,
/// ref_columns: [id], on_delete: CASCADE, on_update: null, not_valid: false}`.
public struct ForeignKeySpec: Sendable, Equatable, Hashable {
    public var name: String?
    public var columns: [String]
    public var refTable: String
    public var refColumns: [String]
    public var onDelete: String?
    public var onUpdate: String?
    /// `not_valid: true` (PostgreSQL): added `NOT VALID`, existing rows checked later by
    /// `validate_constraint`. Elsewhere the key is added and checked as usual.
    public var notValid: Bool
    public init(name: String?, columns: [String], refTable: String, refColumns: [String],
                onDelete: String? = nil, onUpdate: String? = nil, notValid: Bool = false) {
        self.name = name
        self.columns = columns
        self.refTable = refTable
        self.refColumns = refColumns
        self.onDelete = onDelete
        self.onUpdate = onUpdate
        self.notValid = notValid
    }
}

/// A check constraint, a `check_constraints` entry: `{name: ck_books_pages_positive,
/// condition: pages > 0}` (the condition is SQL text).
public struct CheckSpec: Sendable, Equatable, Hashable {
    public var name: String?
    public var condition: String
    public init(name: String?, condition: String) {
        self.name = name
        self.condition = condition
    }
}

/// An index as revision files and metadata JSON spell it: `columns`, or `expressions`
/// — the index's elements in order, each a column name or an SQL expression
/// (`expressions: [tenant_id, lower(email)]` indexes the column `tenant_id`, then the
/// expression).
public struct IndexSpec: Sendable, Equatable, Hashable {
    public var name: String
    public var table: String
    public var columns: [String]
    /// The elements, for an index over expressions (instead of `columns`): an element
    /// that is only a column name (`tenant_id`, `"Tenant"`) is that column.
    public var expressions: [String]
    public var unique: Bool
    /// A partial index's predicate.
    public var whereClause: String?
    /// `concurrently: true` (PostgreSQL): built without blocking writes, which needs a
    /// revision with `transactional: false`. Elsewhere the index is built as usual.
    public var concurrently: Bool = false
    /// `mysql_length: {body: 100}`: MySQL indexes the first N characters of these
    /// columns (``RetortCore/Index/mysqlLength``); ignored elsewhere.
    public var mysqlLength: [String: Int]
    public init(name: String, table: String, columns: [String] = [], expressions: [String] = [],
                unique: Bool = false, whereClause: String? = nil, concurrently: Bool = false, mysqlLength: [String: Int] = [:]) {
        self.concurrently = concurrently
        self.mysqlLength = mysqlLength
        self.name = name
        self.table = table
        self.columns = columns
        self.expressions = expressions
        self.unique = unique
        self.whereClause = whereClause
    }
}

/// `create_table`:
///
/// ```yaml
/// - create_table:
///     name: books
///     columns:
///       - {name: id, type: integer, nullable: false, primary_key: true}
///       - {name: author_id, type: integer, nullable: false}
///     primary_key: {name: pk_books, columns: [id]}
///     foreign_keys: [{name: fk_books_author_id_authors, columns: [author_id], ref_table: authors, ref_columns: [id]}]
///     unique_constraints: []
///     check_constraints: []
///     comment: null
/// ```
public struct CreateTableSpec: Sendable, Equatable, Hashable {
    public var name: String
    public var columns: [ColumnSpec]
    public var primaryKey: ConstraintSpec?
    public var foreignKeys: [ForeignKeySpec]
    public var uniqueConstraints: [ConstraintSpec]
    public var checkConstraints: [CheckSpec]
    public var comment: String?
    public init(name: String, columns: [ColumnSpec], primaryKey: ConstraintSpec? = nil, foreignKeys: [ForeignKeySpec] = [],
                uniqueConstraints: [ConstraintSpec] = [], checkConstraints: [CheckSpec] = [], comment: String? = nil) {
        self.name = name
        self.columns = columns
        self.primaryKey = primaryKey
        self.foreignKeys = foreignKeys
        self.uniqueConstraints = uniqueConstraints
        self.checkConstraints = checkConstraints
        self.comment = comment
    }
}

/// `alter_column`: each optional field that is set is a change; `existing_*` carry what
/// the column was, which reversing (and SQLite's table rebuild) needs.
///
/// ```yaml
/// - alter_column: {table: books, column: pages, type: bigint, nullable: false, new_name: page_count,
///                  server_default: "0", comment: null, existing_type: integer, existing_nullable: true,
///                  existing_server_default: null, using: "pages::bigint"}
/// ```
public struct AlterColumnSpec: Sendable, Equatable, Hashable {
    public var table: String
    public var column: String
    public var nullable: Bool?
    public var type: String?
    /// `.some(nil)` drops the default.
    public var serverDefault: String??
    public var newName: String?
    public var comment: String??
    /// What the column is before the change, for the parts the operation leaves alone:
    /// MySQL's `MODIFY` restates the whole column and needs them; lint reads the type.
    /// Autogenerate writes them; a hand-written operation may leave them out elsewhere.
    public var existingType: String?
    public var existingNullable: Bool?
    /// `.some(nil)`: the column has no default (`existing_server_default: null`); nil: not said.
    public var existingServerDefault: String??
    /// `.some(nil)`: the column has no comment (`existing_comment: null`); nil: not said.
    public var existingComment: String??
    /// How the old values become the new type: an SQL expression over the row (PostgreSQL's
    /// `USING`; on SQLite the table rebuild copies the column with it).
    public var using: String?
    /// A new collation; `.some(nil)` goes back to the default one.
    public var collation: String??
    public init(table: String, column: String) {
        self.table = table
        self.column = column
    }
}

/// One step of a revision's `upgrade` or `downgrade` list.
public enum MigrationOperation: Sendable, Equatable, Hashable {
    case createTable(CreateTableSpec)
    case dropTable(name: String)
    case renameTable(name: String, newName: String)
    case addColumn(table: String, column: ColumnSpec)
    case dropColumn(table: String, column: String)
    case alterColumn(AlterColumnSpec)
    case createIndex(IndexSpec)
    case dropIndex(name: String, table: String?, concurrently: Bool = false)
    case createUniqueConstraint(name: String, table: String, columns: [String])
    case createForeignKey(table: String, ForeignKeySpec)
    case createCheckConstraint(name: String, table: String, condition: String, notValid: Bool = false)
    /// Checks the existing rows of a key or check added with `not_valid: true`
    /// (PostgreSQL; nothing to do elsewhere).
    case validateConstraint(name: String, table: String)
    case createPrimaryKey(name: String, table: String, columns: [String])
    case dropConstraint(name: String, table: String, type: ConstraintType)
    case createEnum(name: String, values: [String])
    case dropEnum(name: String)
    case addEnumValue(name: String, value: String, before: String?, after: String?)
    /// SQL for every dialect, or per dialect (`sqlite:` / `postgresql:`); a dialect with
    /// no entry skips the step.
    case execute(sql: String?, perDialect: [String: String])
    case bulkInsert(table: String, rows: [[String: BulkValue]])
    /// `create_sequence: {name, start, increment, min_value, max_value, cycle, cache}`.
    case createSequence(SequenceSpec)
    /// `drop_sequence: {name}`.
    case dropSequence(name: String)

    public enum ConstraintType: String, Sendable, CaseIterable {
        case primaryKey = "primary_key", foreignKey = "foreign_key", unique, check
    }

    /// The operation's key in a revision file.
    public var key: String {
        switch self {
        case .createTable: return "create_table"
        case .dropTable: return "drop_table"
        case .renameTable: return "rename_table"
        case .addColumn: return "add_column"
        case .dropColumn: return "drop_column"
        case .alterColumn: return "alter_column"
        case .createIndex: return "create_index"
        case .dropIndex: return "drop_index"
        case .createUniqueConstraint: return "create_unique_constraint"
        case .createForeignKey: return "create_foreign_key"
        case .createCheckConstraint: return "create_check_constraint"
        case .validateConstraint: return "validate_constraint"
        case .createPrimaryKey: return "create_primary_key"
        case .dropConstraint: return "drop_constraint"
        case .createEnum: return "create_enum"
        case .dropEnum: return "drop_enum"
        case .addEnumValue: return "add_enum_value"
        case .execute: return "execute"
        case .bulkInsert: return "bulk_insert"
        case .createSequence: return "create_sequence"
        case .dropSequence: return "drop_sequence"
        }
    }

    /// Every operation key a revision file may use.
    public static let keys = [
        "create_table", "drop_table", "rename_table", "add_column", "drop_column", "alter_column", "create_index",
        "drop_index", "create_unique_constraint", "create_foreign_key", "create_check_constraint",
        "create_primary_key", "drop_constraint", "create_enum", "drop_enum", "add_enum_value", "execute", "bulk_insert",
        "validate_constraint", "create_sequence", "drop_sequence",
    ]

    /// True for an index built or dropped `CONCURRENTLY`, which cannot run in a transaction.
    public var isConcurrent: Bool {
        switch self {
        case .createIndex(let spec): return spec.concurrently
        case .dropIndex(_, _, let concurrently): return concurrently
        default: return false
        }
    }
}

/// A value in a `bulk_insert` row, as YAML gives it.
public enum BulkValue: Sendable, Equatable, Hashable {
    case null, bool(Bool), int(Int64), double(Double), string(String)
}

extension MigrationOperation {
    /// Whether, run with foreign keys off (SQLite's migrations), this operation can
    /// leave rows whose foreign keys point at nothing. Only revisions holding one are
    /// checked with `PRAGMA foreign_key_check` before commit: the check reads every
    /// table, and most revisions only create tables and indexes. A new table is empty,
    /// a new index or a new column without a default changes no reference, a rename
    /// carries the references along; everything that moves or drops rows, drops an
    /// index (it may be a parent key's) or adds a constraint is checked.
    var canLeaveForeignKeyViolations: Bool {
        switch self {
        case .createTable, .createIndex, .renameTable, .createEnum, .dropEnum, .addEnumValue, .validateConstraint,
             .createSequence, .dropSequence:
            return false
        case .addColumn(_, let column):
            return column.serverDefault != nil
        default:
            return true
        }
    }

    /// Whether the operation only changes rows (`bulk_insert`, or an `execute` whose SQL
    /// is an INSERT, UPDATE, DELETE, REPLACE or MERGE), so that it can run in a
    /// transaction even where DDL cannot (MySQL) or in a revision that runs outside one.
    var isDataStatement: Bool {
        switch self {
        case .bulkInsert:
            return true
        case .execute(let sql, let perDialect):
            let texts = [sql].compactMap { $0 } + perDialect.values
            return !texts.isEmpty && texts.allSatisfy { text in
                let word = text.drop { $0.isWhitespace || $0 == "(" }.prefix { $0.isLetter }.uppercased()
                return ["INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE"].contains(word)
            }
        default:
            return false
        }
    }
}
