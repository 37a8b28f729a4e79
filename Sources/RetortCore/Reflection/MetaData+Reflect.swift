extension MetaData {
    /// Reads tables from the database into this metadata as ``Table`` values
    /// (all tables of the default schema, or `only` those).
    ///
    /// ```swift
    /// let metadata = MetaData()
    /// try metadata.reflect(engine, only: ["authors", "books"])
    /// let books = metadata.table("books")!
    /// try engine.connect { try $0.execute(select(books.c.title)).all() }
    /// ```
    @discardableResult
    public func reflect(_ engine: Engine, schema: String? = nil, only: [String]? = nil) throws -> [Table] {
        let inspector = try Inspector(engine)
        return try reflect(inspector, schema: schema, only: only)
    }

    /// Like ``reflect(_:schema:only:)``, through an existing inspector.
    @discardableResult
    public func reflect(_ inspector: Inspector, schema: String? = nil, only: [String]? = nil) throws -> [Table] {
        let snapshot = try inspector.reflect(schema: schema, only: only.map(Set.init))
        if let only {
            let found = Set(snapshot.tables.map(\.name))
            if let missing = only.first(where: { !found.contains($0) }) {
                throw ProgrammingError(kind: .undefinedTable, message: "cannot reflect table '\(missing)': it does not exist")
            }
        }
        return snapshot.tables.map { Table(reflected: $0, metadata: self) }
    }
}

extension Table {
    /// A table declared from what reflection read: every column, key, constraint and
    /// index with its name as the database has it (unnamed ones stay unnamed).
    public convenience init(reflected t: ReflectedTable, metadata: MetaData) {
        var elements: [any TableElement] = []
        for c in t.columns {
            var column = Column(
                c.name, c.type, nullable: c.nullable, autoincrement: c.autoincrement,
                serverDefault: c.serverDefault.map { .sql($0) }, comment: c.comment)
            column.collation = c.collation
            column.strictAutoincrement = c.strictAutoincrement
            column.identity = c.identity
            column.computed = c.computed
            elements.append(column)
        }
        if let pk = t.primaryKey { elements.append(PrimaryKeyConstraint(columns: pk.columns, name: pk.name)) }
        for fk in t.foreignKeys {
            elements.append(ForeignKeyConstraint(
                fk.columns, references: fk.referredTable, fk.referredColumns, referredSchema: fk.referredSchema,
                name: fk.name, onDelete: fk.onDelete, onUpdate: fk.onUpdate,
                deferrable: fk.deferrable ? true : nil, initially: fk.initiallyDeferred ? .deferred : nil))
        }
        for u in t.uniqueConstraints { elements.append(UniqueConstraint(columns: u.columns, name: u.name)) }
        for ck in t.checkConstraints { elements.append(CheckConstraint(ck.condition, name: ck.name)) }
        for ix in t.indexes { elements.append(Index(reflected: ix)) }
        self.init(t.name, metadata, elements: elements, schema: t.schema, comment: t.comment)
    }
}

extension Index {
    /// An index declared from what reflection read.
    public init(reflected ix: ReflectedIndex) {
        if let columns = ix.columnNames {
            self.init(columns: columns, name: ix.name, unique: ix.unique)
        } else {
            let parts: [any SQLExpressible] = ix.elements.map {
                switch $0 {
                case .column(let name): return text(IdentifierQuoting.isSafe(name) ? name : IdentifierQuoting.quote(name))
                case .expression(let sql): return text(sql)
                }
            }
            self.init(expressions: parts, name: ix.name, unique: ix.unique)
        }
        if let predicate = ix.predicate { self = self.where(predicate) }
    }
}
