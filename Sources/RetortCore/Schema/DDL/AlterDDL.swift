/// `ALTER TABLE t ADD CONSTRAINT ...` (PostgreSQL; SQLite needs a table rebuild).
///
/// ```swift
/// AddConstraint("books", .foreignKey(ForeignKeyConstraint(["author_id"], references: "authors", ["id"], name: "fk_books_author_id_authors")))
/// // ALTER TABLE books ADD CONSTRAINT fk_books_author_id_authors FOREIGN KEY (author_id) REFERENCES authors (id)
/// ```
public struct AddConstraint: DDLStatement {
    public var table: TableReference
    public var constraint: TableConstraint

    public init(_ table: TableReference, _ constraint: TableConstraint) {
        self.table = table
        self.constraint = constraint
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitAddConstraint(self) }
}

/// `ALTER TABLE t DROP CONSTRAINT name` (PostgreSQL; SQLite needs a table rebuild).
public struct DropConstraint: DDLStatement {
    public var table: TableReference
    public var name: String
    public var kind: ConstraintKind?
    public var ifExists: Bool
    public var cascade: Bool

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
    public var table: TableReference
    public var column: Column

    public init(_ table: TableReference, _ column: Column) {
        self.table = table
        self.column = column
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitAddColumn(self) }
}

/// `ALTER TABLE t DROP COLUMN c`.
public struct DropColumn: DDLStatement {
    public var table: TableReference
    public var column: String

    public init(_ table: TableReference, _ column: String) {
        self.table = table
        self.column = column
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitDropColumn(self) }
}

/// `ALTER TABLE t RENAME COLUMN a TO b`.
public struct RenameColumn: DDLStatement {
    public var table: TableReference
    public var column: String
    public var newName: String

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
    public var table: TableReference
    public var column: String
    public var nullable: Bool?
    public var type: SQLType?
    /// The `USING` expression for a type change (default: `column::TYPE`).
    public var using: String?
    public var serverDefault: Change<ServerDefault>?
    public var comment: Change<String>?
    /// What the column is now, for messages and for dialects that need it.
    public var existingType: SQLType?

    /// Set a new value, or remove the old one.
    public enum Change<Value: Sendable & Hashable>: Sendable, Hashable {
        case set(Value)
        case drop
    }

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
    public var altersColumn: Bool { nullable != nil || type != nil || serverDefault != nil }

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
    public var name: String
    public var values: [String]
    public var schema: String?

    public init(_ name: String, _ values: [String], schema: String? = nil) {
        self.name = name
        self.values = values
        self.schema = schema
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitCreateEnum(self) }
}

/// `DROP TYPE [IF EXISTS] name` (PostgreSQL).
public struct DropEnum: DDLStatement {
    public var name: String
    public var schema: String?
    public var ifExists: Bool

    public init(_ name: String, schema: String? = nil, ifExists: Bool = false) {
        self.name = name
        self.schema = schema
        self.ifExists = ifExists
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitDropEnum(self) }
}

/// `ALTER TYPE name ADD VALUE 'v' [BEFORE 'x' | AFTER 'y']` (PostgreSQL).
public struct AddEnumValue: DDLStatement {
    public var name: String
    public var value: String
    public var before: String?
    public var after: String?
    public var schema: String?

    public init(_ name: String, _ value: String, before: String? = nil, after: String? = nil, schema: String? = nil) {
        self.name = name
        self.value = value
        self.before = before
        self.after = after
        self.schema = schema
    }

    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitAddEnumValue(self) }
}
