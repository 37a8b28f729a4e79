import RetortCore

/// A relationship between two ``Model`` classes, read from the foreign keys of their
/// tables. The Swift type says how many objects are on the other side:
///
/// ```swift
/// @Model(table: "authors")
/// final class Author {
///     var id: Int?
///     var name: String
///     @Relationship(backPopulates: "author") var books: [Book]          // one-to-many
///     init(name: String) { self.name = name }
/// }
///
/// @Model(table: "books")
/// final class Book {
///     var id: Int?
///     var title: String
///     @Column(foreignKey: "authors.id") var authorId: Int?
///     @Relationship(backPopulates: "books") var author: Author?          // many-to-one
///     @Relationship(secondary: "book_tags", backPopulates: "books")
///     var tags: [Tag]                                                     // many-to-many
///     init(title: String) { self.title = title }
/// }
/// ```
///
/// A relationship property is not a column: it adds nothing to the model's table. It
/// must be a `var` of type `Target?` (one related object) or `[Target]` (a collection)
/// where `Target` is a `@Model` class, with no initial value: a new object starts with
/// nil or an empty array.
///
/// The join is inferred when the model is first configured (see
/// ``ModelRelationships/relationships()``): a foreign key in this model's table that
/// refers to the target's table makes a many-to-one; one in the target's table referring
/// back makes a one-to-many (a one-to-one when the property is `Target?`); `secondary`
/// names an association table in the same ``MetaData`` whose two foreign keys make a
/// many-to-many. A self-referential relationship (a tree) is told apart by the Swift
/// type: `parent: Category?` is the many-to-one, `children: [Category]` the one-to-many.
///
/// - Parameters:
///   - secondary: The name of the association table of a many-to-many.
///   - backPopulates: The property on the target that mirrors this one. Assigning
///     `book.author = a` adds `book` to `a.books` (and removes it from the previous
///     author's), `a.books.append(b)` sets `b.author`, and so on, in memory, before any
///     flush and without a session.
///   - foreignKeys: The foreign-key column names (in either table, or in `secondary`)
///     that make the join, when more than one foreign key could.
///   - uselist: `false` for a one-to-one; the property's type must then be `Target?`.
///     The type already says it, so this only makes the intent checkable: `uselist: false`
///     on an array, or with `secondary`, is a compile-time error.
///   - orderBy: Column names of the target's table that order a collection when it is
///     loaded (`"-published"` for descending).
///   - lazy: How the relationship loads when not loaded by the query; see ``LoadStrategy``.
///   - cascade: Which session operations follow the relationship; see ``Cascade``.
///   - passiveDeletes: When the owner is deleted, leave its children that are not
///     loaded to the database (`ON DELETE CASCADE` or `SET NULL` on the foreign key)
///     instead of loading them to delete or unlink them. Loaded children are still
///     deleted (with `.delete`) or unlinked by the flush.
///   - postUpdate: Write this relationship's foreign key with a second UPDATE after
///     both rows are inserted, and set it to NULL before they are deleted. Needed when
///     two rows refer to each other (a user's favourite post, written by that user):
///     no order of INSERTs could satisfy both foreign keys. The flush reports such a
///     cycle, naming the relationships, when no relationship in it has `postUpdate`.
///
/// **What the flush writes.** The Session turns relationship changes into rows: it
/// adds the related objects (``Cascade/saveUpdate``), copies keys into foreign keys
/// (`book.author = a` sets `book.authorId` from `a.id`, after inserting `a` if it is
/// new), sets the foreign key of an object taken out of a one-to-many to NULL (or
/// deletes it, with ``Cascade/deleteOrphan``), and inserts or deletes the rows of a
/// many-to-many's `secondary` table, once per pair however many sides record it.
/// Parents are inserted before their children and deleted after them, rows of one
/// table included (a tree). Changes made after an object was added are picked up at
/// the next flush.
@attached(accessor, names: named(get), named(set))
@attached(peer, names: prefixed(_$), prefixed(_$$))
public macro Relationship(
    secondary: String? = nil, backPopulates: String? = nil, foreignKeys: [String] = [], uselist: Bool? = nil,
    orderBy: [String] = [], lazy: LoadStrategy = .select, cascade: Cascade = .saveUpdate, passiveDeletes: Bool = false,
    postUpdate: Bool = false
) = #externalMacro(module: "RetortMacros", type: "RelationshipMacro")

/// How a relationship is loaded when a query did not load it. A query's loader options
/// (``ModelSelect/options(_:)``: `.selectinLoad(\.x)`, `.joinedLoad(\.x)`,
/// `.raiseLoad(\.x)`, `.lazyLoad(\.x)`, `.containsEager(\.x)`) override it for the
/// objects that query returns.
///
/// ```swift
/// @Relationship(backPopulates: "author", lazy: .selectin) var books: [Book]
/// let authors = try session.scalars(select(Author.self)).all()
/// // SELECT authors.id, authors.name FROM authors
/// // SELECT books.id, books.title, books.author_id FROM books WHERE books.author_id IN (?, ?, ...)
/// ```
public enum LoadStrategy: String, Sendable, Hashable {
    /// On first access, with one SELECT for that object (the default); none for a
    /// many-to-one whose target is already in the identity map.
    case select
    /// With the query that loads the owners (a model query, or `session.get` reading a
    /// row): one extra `... WHERE key IN (...)` query per relationship per level, for
    /// all the owners at once, 500 keys per query.
    case selectin
    /// In the owners' model query, through a LEFT OUTER JOIN of an alias of the target's
    /// table (owners de-duplicated in order). Owners the join cannot reach (`session.get`,
    /// a self-referential relationship joined again, objects found in the identity map)
    /// are loaded with one `IN` query instead.
    case joined
    /// Never implicitly: reading the property while it is not loaded is an error that
    /// names the relationship. Load it with a query option or ``ModelRelationships/load(_:)``.
    case raise
}

/// Which session operations cascade from an object to the objects of a relationship.
public struct Cascade: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Adding an object to a session adds the related objects too (the default), through
    /// every loaded relationship with this cascade, recursively. Objects related after
    /// the owner was added are added at the next flush.
    public static let saveUpdate = Cascade(rawValue: 1 << 0)
    /// Deleting an object deletes the related objects (loading the relationship first
    /// unless `passiveDeletes`), recursively. Without it, deleting a parent sets its
    /// children's foreign keys to NULL.
    public static let delete = Cascade(rawValue: 1 << 1)
    /// Removing an object from the collection (or setting the child's reference to the
    /// parent to nil) deletes it at the next flush: it cannot live without a parent. A
    /// pending object removed this way is expunged.
    public static let deleteOrphan = Cascade(rawValue: 1 << 2)
    /// `[.saveUpdate, .delete, .deleteOrphan]`: the children belong to the parent.
    public static let all: Cascade = [.saveUpdate, .delete, .deleteOrphan]
}
