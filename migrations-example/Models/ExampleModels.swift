// The manifest module of migrations-example: the book catalogue's models.
//
// `migrator.yaml` names this module (`manifest: ExampleModels`); `migrator` builds a
// small program that links it and prints `metadata` as metadata JSON, then diffs that
// against the database (`migrator revision --autogenerate`, `migrator check`).
// Edit a model here (add a property, say), run `migrator revision --autogenerate -m "..."`,
// review the file it writes under migrations-example/versions, then `migrator upgrade head`.
import Foundation
import RetortCore
import RetortORM

/// The models' tables, on a `MetaData` of their own with the default naming convention
/// (`pk_books`, `fk_books_author_id_authors`, `ck_books_pages`, ...).
public let catalogue = MetaData()

/// The association table of books and tags: a plain Core table, the `secondary` of
/// ``Book/tags`` and ``Tag/books``.
public let bookTags = Table(
    "book_tags", catalogue,
    Column("book_id", .integer, primaryKey: true, autoincrement: false, foreignKey: "books.id", onDelete: .cascade),
    Column("tag_id", .integer, primaryKey: true, autoincrement: false, foreignKey: "tags.id", onDelete: .cascade))

/// An author: `authors`.
@Model(table: "authors", metadata: catalogue)
public final class Author {
    public var id: Int?
    @Column(.string(100), index: true) public var name: String
    @Column(.string(255), unique: true) public var email: String?
    @Column(.text) public var bio: String?
    @Column(serverDefault: .sql("CURRENT_TIMESTAMP")) public var createdAt: Date
    @Relationship(backPopulates: "author") public var books: [Book]

    public init(name: String, email: String? = nil, bio: String? = nil, createdAt: Date = Date()) {
        self.name = name
        self.email = email
        self.bio = bio
        self.createdAt = createdAt
    }
}

/// A book: `books`, one author's, tagged through `book_tags`.
@Model(table: "books", UniqueConstraint("title", "author_id"), CheckConstraint("pages > 0"), metadata: catalogue)
public final class Book {
    public var id: Int?
    @Column(.string(200), index: true) public var title: String
    @Column(foreignKey: "authors.id", onDelete: .cascade) public var authorId: Int
    @Column(.date) public var publishedOn: Date?
    public var pages: Int?
    @Column(.numeric(10, 2)) public var price: Decimal?
    @Column(serverDefault: .sql("true")) public var inPrint: Bool
    @Relationship(backPopulates: "books") public var author: Author?
    @Relationship(secondary: "book_tags", backPopulates: "books") public var tags: [Tag]

    public init(title: String, authorId: Int, publishedOn: Date? = nil, pages: Int? = nil, price: Decimal? = nil,
                inPrint: Bool = true) {
        self.title = title
        self.authorId = authorId
        self.publishedOn = publishedOn
        self.pages = pages
        self.price = price
        self.inPrint = inPrint
    }
}

/// A tag: `tags`.
@Model(table: "tags", metadata: catalogue)
public final class Tag {
    public var id: Int?
    @Column(.string(50), unique: true) public var name: String
    @Relationship(secondary: "book_tags", backPopulates: "tags") public var books: [Book]

    public init(name: String) { self.name = name }
}

/// The models the migrator reads: every table of the example. Reading a model's
/// `mapping` is what registers its table, so the models are named here; the
/// association table registers itself when `bookTags` is first read.
public let metadata: MetaData = {
    catalogue.including(Author.self, Book.self, Tag.self)
    _ = bookTags
    return catalogue
}()
