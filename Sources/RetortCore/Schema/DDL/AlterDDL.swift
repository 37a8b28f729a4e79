/// `ALTER TABLE t ADD CONSTRAINT ...` (PostgreSQL; SQLite needs a table rebuild).
///
/// ```swift
/// AddConstraint("books", .foreignKey(ForeignKeyConstraint(["author_id"], references: "authors", ["id"], name: "fk_books_author_id_authors")))
/// // ALTER TABLE books ADD CONSTRAINT fk_books_author_id_authors FOREIGN KEY (author_id) REFERENCES authors (id)
/// ```
public struct AddConstraint: DDLStatement {
    /// The table the statement changes.
    public var table: TableReference
    /// The constraint to add; it needs a name to be dropped later.
    public var constraint: TableConstraint
    /// `NOT VALID` (PostgreSQL, foreign keys and checks): existing rows are not checked
    /// now, so the table is not scanned under the lock; ``ValidateConstraint`` checks
    /// them later under a lock that lets reads and writes go on.
    public var notValid: Bool

    /// `ALTER TABLE table ADD CONSTRAINT ... [NOT VALID]`.
    public init(_ table: TableReference, _ constraint: TableConstraint, notValid: Bool = false) {
        self.table = table
        self.constraint = constraint
        self.notValid = notValid
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitAddConstraint(self) }
}

/// `ALTER TABLE t VALIDATE CONSTRAINT name` (PostgreSQL): checks the existing rows of a
/// constraint added `NOT VALID`, under a SHARE UPDATE EXCLUSIVE lock (reads and writes
/// go on).
public struct ValidateConstraint: DDLStatement {
    public var table: TableReference
    public var name: String

    public init(_ name: String, on table: TableReference) {
        self.table = table
        self.name = name
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitValidateConstraint(self) }
}

/// `ALTER TABLE t DROP CONSTRAINT name` (PostgreSQL; SQLite needs a table rebuild).
public struct DropConstraint: DDLStatement {
    /// The table the statement changes.
    public var table: TableReference
    /// The name of the object.
    public var name: String
    /// The kind of constraint, when known (informational; the SQL does not need it).
    public var kind: ConstraintKind?
    /// Adds `IF EXISTS`: no error when the object is missing.
    public var ifExists: Bool
    /// Adds `CASCADE`: dependent objects go too (PostgreSQL).
    public var cascade: Bool

    /// `ALTER TABLE table DROP CONSTRAINT name`.
    public init(_ name: String, on table: TableReference, kind: ConstraintKind? = nil, ifExists: Bool = false, cascade: Bool = false) {
        self.table = table
        self.name = name
        self.kind = kind
        self.ifExists = ifExists
        self.cascade = cascade
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitDropConstraint(self) }
}

/// `ALTER TABLE t ADD COLUMN ...`.
///
/// ```swift
/// AddColumn("books", Column("pages", .integer, serverDefault: "0"))
/// // ALTER TABLE books ADD COLUMN pages INTEGER DEFAULT 0
/// ```
public struct AddColumn: DDLStatement {
    /// The table the statement changes.
    public var table: TableReference
    /// The column to add, as it would be declared in a table.
    public var column: Column

    /// `ALTER TABLE table ADD COLUMN ...`.
    public init(_ table: TableReference, _ column: Column) {
        self.table = table
        self.column = column
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitAddColumn(self) }
}

/// `ALTER TABLE t DROP COLUMN c`.
public struct DropColumn: DDLStatement {
    /// The table the statement changes.
    public var table: TableReference
    /// The column, by name.
    public var column: String

    /// `ALTER TABLE table DROP COLUMN column`.
    public init(_ table: TableReference, _ column: String) {
        self.table = table
        self.column = column
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitDropColumn(self) }
}

/// `ALTER TABLE t RENAME COLUMN a TO b`.
public struct RenameColumn: DDLStatement {
    /// The table the statement changes.
    public var table: TableReference
    /// The column, by name.
    public var column: String
    /// The new name.
    public var newName: String

    /// `ALTER TABLE table RENAME COLUMN column TO newName`.
    public init(_ table: TableReference, _ column: String, to newName: String) {
        self.table = table
        self.column = column
        self.newName = newName
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitRenameColumn(self) }
}

/// Changes to one column: nullability, type (with `USING` on PostgreSQL), server
/// default, comment. PostgreSQL only (SQLite needs a table rebuild).
///
/// ```swift
/// AlterColumn("books", "pages", nullable: false, type: .bigint)
/// // ALTER TABLE books ALTER COLUMN pages TYPE BIGINT USING pages::BIGINT, ALTER COLUMN pages SET NOT NULL
/// ```
///
/// A comment change is its own statement (`COMMENT ON COLUMN`): alone it compiles to
/// that; with other changes use ``statements`` to get both.
public struct AlterColumn: DDLStatement {
    /// The table the statement changes.
    public var table: TableReference
    /// The column, by name.
    public var column: String
    /// New nullability: `SET NOT NULL` (false) or `DROP NOT NULL` (true); nil leaves it.
    public var nullable: Bool?
    /// New type (`ALTER COLUMN ... TYPE`); nil leaves it.
    public var type: SQLType?
    /// The `USING` expression for a type change (default: `column::TYPE`).
    public var using: String?
    /// New server default (`SET DEFAULT` / `DROP DEFAULT`); nil leaves it.
    public var serverDefault: Change<ServerDefault>?
    /// New comment (`COMMENT ON COLUMN`); nil leaves it.
    public var comment: Change<String>?
    /// What the column is now, for messages and for dialects that need it.
    public var existingType: SQLType?
    /// The column's nullability now. With ``existingType``, ``existingServerDefault`` and
    /// ``existingComment`` it lets a dialect whose ALTER restates the whole column
    /// (MySQL's `MODIFY`) keep what the statement leaves alone.
    public var existingNullable: Bool?
    /// The column's default now: `.some(nil)` when it has none, nil when not known.
    public var existingServerDefault: ServerDefault??
    /// The column's comment now: `.some(nil)` when it has none, nil when not known.
    public var existingComment: String??
    /// New collation (`ALTER COLUMN ... TYPE t COLLATE c`, with the new type or
    /// ``existingType``); `.drop` goes back to the type's default collation.
    public var collation: Change<String>?

    /// Set a new value, or remove the old one.
    public enum Change<Value: Sendable & Hashable>: Sendable, Hashable {
        case set(Value)
        case drop
    }

    /// Changes to `column` of `table`; only the non-nil ones are made.
    public init(
        _ table: TableReference, _ column: String, nullable: Bool? = nil, type: SQLType? = nil, using: String? = nil,
        serverDefault: Change<ServerDefault>? = nil, comment: Change<String>? = nil, existingType: SQLType? = nil
    ) {
        self.table = table
        self.column = column
        self.nullable = nullable
        self.type = type
        self.using = using
        self.serverDefault = serverDefault
        self.comment = comment
        self.existingType = existingType
    }

    /// True when it changes anything besides the comment.
    public var altersColumn: Bool { nullable != nil || type != nil || serverDefault != nil || collation != nil }

    /// One statement per SQL statement needed: the ALTER TABLE and/or the COMMENT ON.
    public var statements: [any DDLStatement] {
        var out: [any DDLStatement] = []
        if altersColumn {
            var a = self
            a.comment = nil
            out.append(a)
        }
        if let comment {
            switch comment {
            case .set(let text): out.append(SetColumnComment(table, column: column, text))
            case .drop: out.append(SetColumnComment(table, column: column, nil))
            }
        }
        return out
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitAlterColumn(self) }
}

/// `CREATE TYPE name AS ENUM (...)` (PostgreSQL; SQLite has no enum types).
public struct CreateEnum: DDLStatement {
    /// The name of the object.
    public var name: String
    /// The enum's values, in order.
    public var values: [String]
    /// The schema, when not the default one.
    public var schema: String?

    /// `CREATE TYPE name AS ENUM (values...)`.
    public init(_ name: String, _ values: [String], schema: String? = nil) {
        self.name = name
        self.values = values
        self.schema = schema
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitCreateEnum(self) }
}

/// `DROP TYPE [IF EXISTS] name` (PostgreSQL).
public struct DropEnum: DDLStatement {
    /// The name of the object.
    public var name: String
    /// The schema, when not the default one.
    public var schema: String?
    /// Adds `IF EXISTS`: no error when the object is missing.
    public var ifExists: Bool

    /// `DROP TYPE name`.
    public init(_ name: String, schema: String? = nil, ifExists: Bool = false) {
        self.name = name
        self.schema = schema
        self.ifExists = ifExists
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitDropEnum(self) }
}

/// `ALTER TYPE name ADD VALUE 'v' [BEFORE 'x' | AFTER 'y']` (PostgreSQL).
public struct AddEnumValue: DDLStatement {
    /// The name of the object.
    public var name: String
    /// The value to add.
    public var value: String
    /// Adds the value before this one (`BEFORE`).
    public var before: String?
    /// Adds the value after this one (`AFTER`).
    public var after: String?
    /// The schema, when not the default one.
    public var schema: String?

    /// `ALTER TYPE name ADD VALUE value`.
    public init(_ name: String, _ value: String, before: String? = nil, after: String? = nil, schema: String? = nil) {
        self.name = name
        self.value = value
        self.before = before
        self.after = after
        self.schema = schema
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitAddEnumValue(self) }
}
