import RetortCore

/// A model's table under an alias, so that one query can use the model twice: a book's
/// author and its co-author, a category and its parent.
///
/// ```swift
/// let coAuthor = aliased(Author.self, name: "co_author")
/// select(Book.self, coAuthor)
///     .join(\.author)
///     .join(\.coAuthor, as: coAuthor)
///     .where(Author.columns.name == "Ursula" && coAuthor.columns.name == "Octavia")
/// // SELECT books.id, ..., co_author.id, co_author.name FROM books
/// //   JOIN authors ON authors.id = books.author_id
/// //   JOIN authors AS co_author ON co_author.id = books.co_author_id
/// //   WHERE authors.name = ? AND co_author.name = ?
/// ```
///
/// An alias is a value: each one you make is a distinct FROM element, and using the
/// same value twice in a statement refers to the same one. Without a name it compiles
/// as `<table>_1`, `<table>_2`, ... in the order the statement meets them.
public struct AliasedModel<M: Model>: ModelEntity {
    /// The aliased model.
    public typealias Mapped = M
    /// The model's instances: a row of an aliased model is an `M`, identity-mapped as
    /// any other.
    public typealias Element = M

    /// The alias as a Core FROM element (`authors AS co_author`), for Core statements:
    /// `select(coAuthor.table.c.name)`.
    public let table: TableAlias

    /// The model's typed columns, read through the alias: `coAuthor.columns.name` is
    /// `co_author.name`.
    public let columns: M.Columns

    init(name: String?) {
        table = M.mapping.table.alias(name)
        columns = M.Columns(table)
    }

    /// The alias, selected and joined in place of the model's table.
    public var source: any FromClause { table }

    public func _reader(_ session: Session, at offset: Int) throws -> ModelEntityReader<M> {
        try ModelEntityReader<M>.instances(M.self, session, at: offset)
    }
}

/// The model `model` under an alias, to use it a second time in one query (see
/// ``AliasedModel``). `name` is the alias SQL sees; without one it is `<table>_1`, ...
///
/// ```swift
/// let parent = aliased(Category.self, name: "parent")
/// select(Category.self).join(\.parent, as: parent).where(parent.columns.name == "Fiction")
/// // SELECT categories.id, categories.name, categories.parent_id FROM categories
/// //   JOIN categories AS parent ON parent.id = categories.parent_id WHERE parent.name = ?
/// ```
public func aliased<M: Model>(_ model: M.Type, name: String? = nil) -> AliasedModel<M> {
    AliasedModel(name: name)
}
