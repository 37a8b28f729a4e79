/// A DDL statement as a value: `CreateTable`, `DropIndex`, `AlterColumn`, ... Each
/// compiles through its dialect's ``DDLCompiler`` into one SQL statement with no
/// parameters (DDL cannot take them, so values are written as literals).
///
/// ```swift
/// try conn.execute(CreateTable(authors))
/// try CreateIndex(Index("name", name: "ix_authors_name"), on: "authors").compile(for: .sqlite).sql
/// // CREATE INDEX ix_authors_name ON authors (name)
/// ```
///
/// A construct a dialect lacks (`AlterColumn` on SQLite, `CreateEnum` there) raises
/// ``ProgrammingError`` with kind `.notSupported`, naming the construct and dialect.
public protocol DDLStatement: Executable, Sendable {
    /// Calls `compiler`'s visit method for this construct.
    func accept(_ compiler: DDLCompiler) throws -> String
}

extension DDLStatement {
    public func compile(for dialect: Dialect) throws -> CompiledStatement {
        CompiledStatement(sql: try accept(dialect.makeDDLCompiler()))
    }
}

/// A table named in an ALTER statement: its name and optional schema.
public struct TableReference: Sendable, Hashable, ExpressibleByStringLiteral {
    /// The table's name.
    public var name: String
    /// The schema, when not the default one.
    public var schema: String?

    /// A table by name, optionally in a schema.
    public init(_ name: String, schema: String? = nil) {
        self.name = name
        self.schema = schema
    }

    public init(stringLiteral value: String) { self.init(value) }

    /// The table's name and schema.
    public init(_ table: Table) { self.init(table.name, schema: table.schema) }
}

/// A constraint added to or described within a table.
public enum TableConstraint: Sendable, Hashable {
    case primaryKey(PrimaryKeyConstraint)
    case foreignKey(ForeignKeyConstraint)
    case unique(UniqueConstraint)
    case check(CheckConstraint)

    /// The constraint's name, if it has one.
    public var name: String? {
        switch self {
        case .primaryKey(let c): return c.name
        case .foreignKey(let c): return c.name
        case .unique(let c): return c.name
        case .check(let c): return c.name
        }
    }

    package var naming: ConstraintNaming {
        switch self {
        case .primaryKey(let c): return c.naming
        case .foreignKey(let c): return c.naming
        case .unique(let c): return c.naming
        case .check(let c): return c.naming
        }
    }
}

/// The kinds of constraint, for `DropConstraint`.
public enum ConstraintKind: String, Sendable, Hashable {
    case primaryKey = "primary_key"
    case foreignKey = "foreign_key"
    case unique
    case check
}
