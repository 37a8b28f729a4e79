/// One column of a ``Table``: its name, type and the options that shape its DDL.
///
/// ```swift
/// let books = Table("books", metadata,
///     Column("id", .integer, primaryKey: true),
///     Column("title", .string(200), nullable: false, index: true),
///     Column("author_id", .integer, foreignKey: "authors.id", onDelete: .cascade),
///     Column("format", .enum("book_format", ["hardcover", "paperback"]), serverDefault: "'paperback'"),
///     Column("token", .uuid, default: .generate { UUID() }))
/// // CREATE TABLE books (
/// //     id INTEGER NOT NULL,
/// //     title VARCHAR(200) NOT NULL,
/// //     author_id INTEGER,
/// //     ...
/// //     CONSTRAINT pk_books PRIMARY KEY (id),
/// //     CONSTRAINT fk_books_author_id_authors FOREIGN KEY (author_id) REFERENCES authors (id) ON DELETE CASCADE
/// // )
/// ```
public struct Column: TableElement, Sendable {
    /// The column's name, used exactly as given (quoted in SQL when it needs to be).
    public var name: String
    /// The column's type.
    public var type: SQLType
    /// NULL allowed. Defaults to true, false for primary-key columns.
    public var nullable: Bool
    /// Part of the table's primary key (several columns make a composite key).
    public var primaryKey: Bool
    /// Nil means "decide": true for a lone integer primary key. An autoincrementing
    /// column gets its value from the database (SQLite's rowid, PostgreSQL's identity).
    public var autoincrementSetting: Bool?
    /// Whether the database numbers this column itself, as resolved by its ``Table``
    /// (before the column joins a table: the explicit setting, else false).
    public package(set) var autoincrement: Bool
    /// A value Retort supplies on INSERT when none is given (client side).
    public var defaultValue: ColumnDefault?
    /// The database's DEFAULT clause.
    public var serverDefault: ServerDefault?
    /// The value the database itself sets whenever the row is updated, where it can
    /// (SQLAlchemy's `server_onupdate`; MySQL's `ON UPDATE CURRENT_TIMESTAMP(6)`);
    /// a dialect without it refuses the column's DDL. Set it on the value:
    /// `var c = Column("updated_at", .datetime, serverDefault: .currentTimestamp); c.serverOnUpdate = .currentTimestamp`.
    public var serverOnUpdate: ServerDefault?
    /// Adds a single-column UNIQUE constraint (a unique index when `index` is also set).
    public var unique: Bool
    /// Adds a single-column index named by the naming convention.
    public var index: Bool
    /// The shortcut foreign key: `"authors.id"` (or `"schema.authors.id"`).
    public var foreignKey: String?
    /// ON DELETE action of the shortcut foreign key.
    public var onDelete: ReferentialAction?
    /// ON UPDATE action of the shortcut foreign key.
    public var onUpdate: ReferentialAction?
    /// The column's comment (`COMMENT ON COLUMN` on PostgreSQL).
    public var comment: String?
    /// The collation its values compare and sort by (`COLLATE NOCASE`); nil for the
    /// database's default. Set it on the value: `var c = Column("name", .text); c.collation = "NOCASE"`.
    public var collation: String?
    /// For an autoincrementing key: never hand out a number twice, not even one freed
    /// by deleting the highest row (SQLite's `AUTOINCREMENT` keyword; PostgreSQL's
    /// sequences behave so always).
    public var strictAutoincrement: Bool
    /// The database numbers this column itself as an identity column (``Identity``);
    /// such a column is autoincrementing.
    public var identity: Identity?
    /// The column is computed by the database from the row's other columns
    /// (``Computed``); it has no default and Retort never writes it.
    public var computed: Computed?

    /// Declares a column; see the type's documentation for each option.
    public init(
        _ name: String, _ type: SQLType, nullable: Bool? = nil, primaryKey: Bool = false,
        autoincrement: Bool? = nil, default defaultValue: ColumnDefault? = nil,
        serverDefault: ServerDefault? = nil, unique: Bool = false, index: Bool = false,
        foreignKey: String? = nil, onDelete: ReferentialAction? = nil, onUpdate: ReferentialAction? = nil,
        comment: String? = nil, identity: Identity? = nil, computed: Computed? = nil
    ) {
        self.name = name
        self.type = type
        self.nullable = nullable ?? !primaryKey
        self.primaryKey = primaryKey
        self.autoincrementSetting = autoincrement
        self.autoincrement = autoincrement ?? false
        self.defaultValue = defaultValue
        self.serverDefault = serverDefault
        self.unique = unique
        self.index = index
        self.foreignKey = foreignKey
        self.onDelete = onDelete
        self.onUpdate = onUpdate
        self.comment = comment
        self.collation = nil
        self.strictAutoincrement = false
        self.serverOnUpdate = nil
        self.identity = identity
        self.computed = computed
    }
}

/// A value supplied by Retort when an INSERT does not give the column one: a fixed
/// value, or a closure called once per inserted row.
///
/// ```swift
/// Column("status", .string(20), default: "draft")
/// Column("token", .uuid, default: .generate { UUID() })
/// ```
public enum ColumnDefault: Sendable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
    case value(SQLValue)
    case generator(@Sendable () -> SQLValue)

    /// A closure producing the value, called for each row inserted.
    public static func generate(_ make: @escaping @Sendable () -> any SQLValueConvertible) -> ColumnDefault {
        .generator { make().sqlValue }
    }

    /// A fixed value.
    public static func value(_ v: some SQLValueConvertible) -> ColumnDefault { .value(v.sqlValue) }

    /// The value to insert now.
    public func make() -> SQLValue {
        switch self {
        case .value(let v): return v
        case .generator(let f): return f()
        }
    }

    public init(integerLiteral value: Int64) { self = .value(.integer(value)) }
    public init(floatLiteral value: Double) { self = .value(.real(value)) }
    public init(stringLiteral value: String) { self = .value(.text(value)) }
    public init(booleanLiteral value: Bool) { self = .value(.bool(value)) }
}

/// A column's server-side DEFAULT: SQL text (as it appears after `DEFAULT`), an
/// expression, or a value rendered as a literal.
///
/// ```swift
/// Column("format", .string(20), serverDefault: "'paperback'")     // DEFAULT 'paperback'
/// Column("created", .datetime, serverDefault: .expression(fn.now()))
/// // SQLite: DEFAULT (CURRENT_TIMESTAMP)   PostgreSQL: DEFAULT now()
/// Column("pages", .integer, serverDefault: .value(0))             // DEFAULT 0
/// ```
public struct ServerDefault: Sendable, Hashable, ExpressibleByStringLiteral {
    package enum Storage: Sendable, Hashable {
        case sql(String)
        case expression(ExpressionNode)
        case value(SQLValue)
    }
    package let storage: Storage

    /// SQL text used verbatim after `DEFAULT`.
    public static func sql(_ text: String) -> ServerDefault { ServerDefault(storage: .sql(text)) }
    /// An expression compiled with literal values, e.g. `.expression(fn.now())`.
    public static func expression<V>(_ e: SQLExpression<V>) -> ServerDefault { ServerDefault(storage: .expression(e.node)) }
    /// A value rendered as a SQL literal: `.value("paperback")` is `DEFAULT 'paperback'`.
    public static func value(_ v: some SQLValueConvertible) -> ServerDefault { ServerDefault(storage: .value(v.sqlValue)) }

    package init(storage: Storage) { self.storage = storage }
    public init(stringLiteral value: String) { storage = .sql(value) }

    /// The SQL after `DEFAULT` for `dialect` (what metadata JSON records as `server_default`).
    public func sql(for dialect: Dialect) throws -> String {
        try dialect.makeDDLCompiler().serverDefaultSQL(self)
    }
}

/// ON DELETE / ON UPDATE actions of a foreign key.
public enum ReferentialAction: String, Sendable, Hashable, CaseIterable {
    case cascade = "CASCADE"
    case restrict = "RESTRICT"
    case setNull = "SET NULL"
    case setDefault = "SET DEFAULT"
    case noAction = "NO ACTION"

    /// Parses `CASCADE`, `set null`, ... (case-insensitive).
    public init?(sql: String) {
        let upper = sql.uppercased().split(separator: " ").joined(separator: " ")
        guard let a = ReferentialAction(rawValue: upper) else { return nil }
        self = a
    }
}
