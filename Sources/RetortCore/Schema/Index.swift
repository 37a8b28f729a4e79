/// An index over columns and/or expressions, optionally unique and partial.
///
/// ```swift
/// Table("authors", metadata,
///     Column("id", .integer, primaryKey: true),
///     Column("name", .string(100)), Column("email", .string(255)), Column("active", .boolean),
///     Index("name"),                                             // CREATE INDEX ix_authors_name ON authors (name)
///     Index("email", unique: true, where: column("active") == true),
///     // CREATE UNIQUE INDEX ix_authors_email ON authors (email) WHERE active = true
///     Index(expressions: [fn.lower(column("name"))], name: "ix_authors_lower_name"))
///     // CREATE INDEX ix_authors_lower_name ON authors (lower(name))
/// ```
public struct Index: TableElement, Sendable, Hashable {
    /// The name; the naming convention names an index declared without one.
    public package(set) var name: String?
    /// Column references (`.column` without a table) and expressions, in order.
    package var elements: [ExpressionNode]
    /// `CREATE UNIQUE INDEX`.
    public var unique: Bool
    /// The partial-index predicate.
    package var predicate: ExpressionNode?
    /// The table, set when the index is attached to one.
    public package(set) var tableName: String?
    package var tableSchema: String?
    package var naming: ConstraintNaming
    /// PostgreSQL's index method (`USING gin`); ignored elsewhere.
    public var postgresqlUsing: String?
    /// MySQL's prefix lengths by column name (SQLAlchemy's `mysql_length`): a TEXT or
    /// BLOB column is indexed by its first N characters, `(body(255))`; ignored elsewhere.
    public var mysqlLength: [String: Int] = [:]

    /// An index over columns by name.
    public init(_ columns: String..., name: String? = nil, unique: Bool = false, postgresqlUsing: String? = nil) {
        self.init(columns: columns, name: name, unique: unique, postgresqlUsing: postgresqlUsing)
    }

    /// An index over columns by name.
    public init(columns: [String], name: String? = nil, unique: Bool = false, postgresqlUsing: String? = nil) {
        self.elements = columns.map { .column(ColumnReference(from: nil, name: $0, type: nil)) }
        self.name = name
        self.unique = unique
        self.predicate = nil
        self.naming = .explicit
        self.postgresqlUsing = postgresqlUsing
    }

    /// A partial index over columns: only rows matching `where` are indexed.
    public init<P>(_ columns: String..., name: String? = nil, unique: Bool = false, where predicate: SQLExpression<P>) {
        self.init(columns: columns, name: name, unique: unique)
        self.predicate = predicate.node
    }

    /// An index over expressions (columns and expressions may mix: `column("a")`).
    public init(expressions: [any SQLExpressible], name: String? = nil, unique: Bool = false) {
        self.elements = expressions.map { $0.sqlExpression(as: nil).node }
        self.name = name
        self.unique = unique
        self.predicate = nil
        self.naming = .explicit
    }

    /// Returns a copy with a partial-index predicate (SQL text or an expression).
    public func `where`<P>(_ predicate: SQLExpression<P>) -> Index {
        var copy = self
        copy.predicate = predicate.node
        return copy
    }

    /// Returns a copy with a partial-index predicate given as SQL text.
    public func `where`(_ sql: String) -> Index {
        var copy = self
        copy.predicate = .raw(sql, type: .boolean)
        return copy
    }

    /// The column names, when every element is a plain column; nil for an expression index.
    public var columnNames: [String]? {
        var names: [String] = []
        for e in elements {
            guard case .column(let ref) = e, ref.from == nil else { return nil }
            names.append(ref.name)
        }
        return names
    }

    /// Every column the index's elements mention, in order (for naming).
    package var mentionedColumns: [String] {
        var seen = Set<String>()
        var out: [String] = []
        for e in elements {
            for n in e.referencedColumnNames where seen.insert(n).inserted { out.append(n) }
        }
        return out
    }

    /// The predicate's SQL text for `dialect`, if any.
    public func whereSQL(for dialect: Dialect) throws -> String? {
        guard let predicate else { return nil }
        return try dialect.makeDDLCompiler().literalSQL(predicate)
    }

    /// The column an index element written as SQL text stands for, when the text is
    /// nothing but a column name (`tenant_id`, `"Tenant"`, `(tenant_id)`); nil for an
    /// expression. Both databases index such an element as the column itself, and
    /// reflection reports it so: an index's `expressions` may mix columns and
    /// expressions in order (`["tenant_id", "lower(email)"]`).
    package static func columnName(ofElement sql: String) -> String? {
        let s = strippingEnclosingParentheses(sql)
        if s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") {
            let inner = s.dropFirst().dropLast()
            // One quoted identifier: every inner quote is doubled.
            guard !inner.isEmpty, !inner.replacingOccurrences(of: "\"\"", with: "").contains("\"") else { return nil }
            return inner.replacingOccurrences(of: "\"\"", with: "\"")
        }
        guard let first = s.unicodeScalars.first, first == "_" || first.properties.isAlphabetic,
              s.unicodeScalars.allSatisfy({ $0 == "_" || $0 == "$" || $0.properties.isAlphabetic || ("0"..."9").contains($0) })
        else { return nil }
        return s
    }

    /// The SQL of each element for `dialect` (`name`, `lower(name)`).
    public func elementSQL(for dialect: Dialect) throws -> [String] {
        let ddl = dialect.makeDDLCompiler()
        return try elements.map { try ddl.literalSQL($0) }
    }
}

extension Index {
    /// Index elements from their SQL, as metadata JSON and revision files give them
    /// (`expressions: [tenant_id, lower(email)]`): a column for an element that is only
    /// a column name, SQL text for the rest.
    package static func elements(sql expressions: [String]) -> [any SQLExpressible] {
        expressions.map { sql -> any SQLExpressible in
            if let name = Index.columnName(ofElement: sql) { return column(name) }
            return text(sql)
        }
    }
}
