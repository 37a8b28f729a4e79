/// The DDL statements that create and drop a ``MetaData``'s schema, in order.
///
/// ```swift
/// for statement in try metadata.createStatements(for: .postgresql) {
///     print(try statement.compile(for: .postgresql).sql)
/// }
/// // CREATE TYPE book_format AS ENUM ('hardcover', 'paperback', 'ebook')
/// // CREATE TABLE authors (...)
/// // CREATE TABLE books (...)
/// // CREATE INDEX ix_books_title ON books (title)
/// ```
///
/// Order: enum types (PostgreSQL), sequences (when all tables are wanted), then each table after those it refers to, followed
/// by its comments (PostgreSQL) and indexes; foreign keys that close a cycle are
/// added last with `ALTER TABLE ... ADD CONSTRAINT`. SQLite cannot add a foreign key
/// after CREATE TABLE, so a cycle there is an error naming the tables.
extension MetaData {
    /// The statements that create every table (or those in `only`).
    public func createStatements(for dialect: Dialect, only: [Table]? = nil) throws -> [any DDLStatement] {
        let order = dependencyOrder()
        let wanted = only.map { Set($0.map(ObjectIdentifier.init)) }
        let tables = order.tables.filter { wanted?.contains(ObjectIdentifier($0)) ?? true }
        let deferred = try deferredForeignKeys(order, dialect: dialect, tables: tables)

        var out: [any DDLStatement] = []
        if dialect.supportsNativeEnum {
            for e in MetaData.enums(of: tables) { out.append(CreateEnum(e.name, e.values, schema: e.schema)) }
        }
        if only == nil { out += sequences.map { CreateSequence($0) } }
        for t in tables {
            let omitted = Set((deferred[t.fullName] ?? []).compactMap(\.name))
            out.append(CreateTable(t, omittingForeignKeys: omitted))
            if dialect.supportsComments, !dialect.commentsInCreateTable {
                if let c = t.comment { out.append(SetTableComment(TableReference(t), c)) }
                for col in t.columns { if let c = col.comment { out.append(SetColumnComment(TableReference(t), column: col.name, c)) } }
            }
            for ix in t.indexes { out.append(CreateIndex(ix)) }
        }
        for t in tables {
            for fk in deferred[t.fullName] ?? [] { out.append(AddConstraint(TableReference(t), .foreignKey(fk))) }
        }
        return out
    }

    /// The statements that drop every table (or those in `only`): cycle-closing foreign
    /// keys first (PostgreSQL), tables in reverse dependency order, then enum types.
    public func dropStatements(for dialect: Dialect, only: [Table]? = nil, ifExists: Bool = false) throws -> [any DDLStatement] {
        let order = dependencyOrder()
        let wanted = only.map { Set($0.map(ObjectIdentifier.init)) }
        let tables = order.tables.filter { wanted?.contains(ObjectIdentifier($0)) ?? true }
        var out: [any DDLStatement] = []
        if dialect.supportsAlterColumn {
            let deferred = order.cycleForeignKeys
            for t in tables {
                for fk in deferred[t.fullName] ?? [] {
                    if let name = fk.name { out.append(DropConstraint(name, on: TableReference(t), kind: .foreignKey, ifExists: ifExists)) }
                }
            }
        }
        for t in tables.reversed() { out.append(DropTable(t, ifExists: ifExists)) }
        if only == nil { out += sequences.map { DropSequence($0.name, schema: $0.schema, ifExists: ifExists) } }
        if dialect.supportsNativeEnum {
            for e in MetaData.enums(of: tables) { out.append(DropEnum(e.name, schema: e.schema, ifExists: ifExists)) }
        }
        return out
    }

    /// Foreign keys to add after the tables exist, by table; throws where the dialect
    /// cannot add them.
    private func deferredForeignKeys(_ order: DependencyOrder, dialect: Dialect, tables: [Table]) throws -> [String: [ForeignKeyConstraint]] {
        let names = Set(tables.map(\.fullName))
        let cycles = order.cycles.filter { $0.tables.contains { names.contains($0.fullName) } }
        guard !cycles.isEmpty else { return [:] }
        guard dialect.supportsAlterColumn else {
            throw ProgrammingError(
                kind: .notSupported,
                message: "the tables form a foreign-key cycle (\(cycles.map(\.description).joined(separator: "; "))) and the "
                    + "\(dialect.name) dialect cannot add a foreign key after CREATE TABLE (ALTER TABLE ... ADD CONSTRAINT), "
                    + "so createAll cannot order them; drop one foreign key of the cycle or create these tables with your own DDL")
        }
        return order.cycleForeignKeys
    }

    /// The enum types `tables` use, each once.
    static func enums(of tables: [Table]) -> [(name: String, values: [String], schema: String?)] {
        var seen = Set<String>()
        var out: [(String, [String], String?)] = []
        for t in tables {
            for c in t.columns {
                if let e = c.type.enumDefinition, seen.insert(e.name).inserted { out.append((e.name, e.values, t.schema)) }
            }
        }
        return out
    }
}
