/// Something a ``Table`` is declared with: a ``Column``, a constraint or an ``Index``.
public protocol TableElement: Sendable {}

/// How a constraint or index got its name.
package enum ConstraintNaming: Sendable, Hashable {
    /// Given explicitly: used exactly as written.
    case explicit
    /// Made by the naming convention: shortened with a hash suffix when it exceeds a
    /// dialect's identifier limit.
    case convention
}

/// The table's primary key, over one or more columns.
///
/// ```swift
/// Table("book_tags", metadata,
///     Column("book_id", .integer), Column("tag_id", .integer),
///     PrimaryKeyConstraint("book_id", "tag_id"))
/// // CONSTRAINT pk_book_tags PRIMARY KEY (book_id, tag_id)
/// ```
public struct PrimaryKeyConstraint: TableElement, Sendable, Hashable {
    /// The name; set by the naming convention when the table is built if none was given.
    public package(set) var name: String?
    /// The columns, by name, in order.
    public var columns: [String]
    package var naming: ConstraintNaming

    /// Over the named columns.
    public init(_ columns: String..., name: String? = nil) { self.init(columns: columns, name: name) }
    /// Over the columns of an array.
    public init(columns: [String], name: String? = nil) {
        self.columns = columns
        self.name = name
        self.naming = .explicit
    }
}

/// A foreign key over one or more columns.
///
/// ```swift
/// ForeignKeyConstraint(["author_id"], references: "authors", ["id"], onDelete: .cascade)
/// ForeignKeyConstraint(["a", "b"], references: ["parent.x", "parent.y"], deferrable: true, initially: .deferred)
/// // CONSTRAINT fk_child_a_parent FOREIGN KEY (a, b) REFERENCES parent (x, y) DEFERRABLE INITIALLY DEFERRED
/// ```
public struct ForeignKeyConstraint: TableElement, Sendable, Hashable {
    /// The name; set by the naming convention when the table is built if none was given.
    public package(set) var name: String?
    /// The columns, by name, in order.
    public var columns: [String]
    /// The table referred to, by name.
    public var referredTable: String
    /// The referred table's schema, when not the default.
    public var referredSchema: String?
    /// The referred columns, in the order of ``columns``.
    public var referredColumns: [String]
    /// `ON DELETE` action.
    public var onDelete: ReferentialAction?
    /// `ON UPDATE` action.
    public var onUpdate: ReferentialAction?
    /// `DEFERRABLE` (true) / `NOT DEFERRABLE` (false) / not stated (nil).
    public var deferrable: Bool?
    /// `INITIALLY DEFERRED` / `INITIALLY IMMEDIATE`.
    public var initially: Initially?
    package var naming: ConstraintNaming

    /// `INITIALLY DEFERRED` / `INITIALLY IMMEDIATE`.
    public enum Initially: String, Sendable, Hashable {
        case deferred = "DEFERRED"
        case immediate = "IMMEDIATE"
    }

    /// A foreign key from `columns` to `referredColumns` of `referredTable`.
    public init(
        _ columns: [String], references referredTable: String, _ referredColumns: [String],
        referredSchema: String? = nil, name: String? = nil, onDelete: ReferentialAction? = nil,
        onUpdate: ReferentialAction? = nil, deferrable: Bool? = nil, initially: Initially? = nil
    ) {
        self.columns = columns
        self.referredTable = referredTable
        self.referredSchema = referredSchema
        self.referredColumns = referredColumns
        self.name = name
        self.onDelete = onDelete
        self.onUpdate = onUpdate
        self.deferrable = deferrable
        self.initially = initially
        self.naming = .explicit
    }

    /// SQLAlchemy's spelling: the referred columns as `"table.column"` (or
    /// `"schema.table.column"`), all in one table.
    public init(
        _ columns: [String], references targets: [String], name: String? = nil,
        onDelete: ReferentialAction? = nil, onUpdate: ReferentialAction? = nil,
        deferrable: Bool? = nil, initially: Initially? = nil
    ) {
        let parsed = targets.map(ForeignKeyConstraint.parseTarget)
        self.init(
            columns, references: parsed.first?.table ?? "", parsed.map(\.column),
            referredSchema: parsed.first?.schema, name: name, onDelete: onDelete, onUpdate: onUpdate,
            deferrable: deferrable, initially: initially)
    }

    /// Splits `"schema.table.column"` / `"table.column"`.
    package static func parseTarget(_ target: String) -> (schema: String?, table: String, column: String) {
        let parts = target.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 0, 1: return (nil, "", target)
        case 2: return (nil, parts[0], parts[1])
        default: return (parts.dropLast(2).joined(separator: "."), parts[parts.count - 2], parts[parts.count - 1])
        }
    }
}

/// A UNIQUE constraint over one or more columns.
///
/// ```swift
/// UniqueConstraint("title", "author_id")   // CONSTRAINT uq_books_title_author_id UNIQUE (title, author_id)
/// ```
public struct UniqueConstraint: TableElement, Sendable, Hashable {
    /// The name; set by the naming convention when the table is built if none was given.
    public package(set) var name: String?
    /// The columns, by name, in order.
    public var columns: [String]
    package var naming: ConstraintNaming

    /// Over the named columns.
    public init(_ columns: String..., name: String? = nil) { self.init(columns: columns, name: name) }
    /// Over the columns of an array.
    public init(columns: [String], name: String? = nil) {
        self.columns = columns
        self.name = name
        self.naming = .explicit
    }
}

/// A CHECK constraint: SQL text, or an expression over `column("...")` references
/// (values in it are rendered as literals, as DDL requires).
///
/// ```swift
/// CheckConstraint("pages > 0")                       // CONSTRAINT ck_books_pages CHECK (pages > 0)
/// CheckConstraint(column("pages") > 0, name: "ck_books_pages_positive")
/// ```
public struct CheckConstraint: TableElement, Sendable, Hashable {
    /// The name; set by the naming convention when the table is built if none was given.
    public package(set) var name: String?
    package var condition: ExpressionNode
    package var naming: ConstraintNaming

    /// SQL text, used verbatim.
    public init(_ sql: String, name: String? = nil) {
        self.condition = .raw(sql, type: .boolean)
        self.name = name
        self.naming = .explicit
    }

    /// An expression, e.g. `column("pages") > 0`.
    public init<V>(_ condition: SQLExpression<V>, name: String? = nil) {
        self.condition = condition.node
        self.name = name
        self.naming = .explicit
    }

    /// The condition as written, when it was given as SQL text.
    public var sqlText: String? {
        if case .raw(let s, _) = condition { return s }
        return nil
    }

    /// The condition's SQL for `dialect` (literal values inline).
    public func conditionSQL(for dialect: Dialect) throws -> String {
        try dialect.makeDDLCompiler().literalSQL(condition)
    }
}
