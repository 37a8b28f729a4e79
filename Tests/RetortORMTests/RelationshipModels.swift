import Foundation
import Retort

// Models with relationships, compiled by the real macros, in a MetaData of their own.

let catalogueTables = MetaData()

/// The catalogue's MetaData with every table registered: Swift globals are initialised
/// on first use, so the association table and the models' tables are touched here.
var catalogue: MetaData {
    _ = bookTags
    return catalogueTables.including(
        CatAuthor.self, CatBook.self, CatTag.self, CatUser.self, CatProfile.self, Category.self, Person.self, Message.self)
}

/// The association table of Book.tags / Tag.books: a plain Core table.
let bookTags = Table(
    "cat_book_tags", catalogueTables,
    Column("book_id", .integer, primaryKey: true, foreignKey: "cat_books.id", onDelete: .cascade),
    Column("tag_id", .integer, primaryKey: true, foreignKey: "cat_tags.id", onDelete: .cascade))

@Model(table: "cat_authors", metadata: catalogueTables)
final class CatAuthor {
    var id: Int?
    @Column(.string(100)) var name: String
    @Relationship(backPopulates: "author", orderBy: ["title"], cascade: .all) var books: [CatBook]

    init(name: String) { self.name = name }
}

@Model(table: "cat_books", metadata: catalogueTables)
final class CatBook {
    var id: Int?
    @Column(.string(200)) var title: String
    @Column(foreignKey: "cat_authors.id", onDelete: .cascade) var authorId: Int?
    @Relationship(backPopulates: "books") var author: CatAuthor?
    @Relationship(secondary: "cat_book_tags", backPopulates: "books", lazy: .selectin) var tags: [CatTag]

    init(title: String) { self.title = title }
}

@Model(table: "cat_tags", metadata: catalogueTables)
final class CatTag {
    var id: Int?
    @Column(.string(50), unique: true) var name: String
    @Relationship(secondary: "cat_book_tags", backPopulates: "tags", lazy: .raise) var books: [CatBook]

    init(name: String) { self.name = name }
}

/// One-to-one: a user has at most one profile.
@Model(table: "cat_users", metadata: catalogueTables)
final class CatUser {
    var id: Int?
    var login: String
    @Relationship(backPopulates: "user", uselist: false, cascade: [.saveUpdate, .delete]) var profile: CatProfile?

    init(login: String) { self.login = login }
}

@Model(table: "cat_profiles", metadata: catalogueTables)
final class CatProfile {
    var id: Int?
    @Column(unique: true, foreignKey: "cat_users.id") var userId: Int?
    var bio: String
    @Relationship(backPopulates: "profile") var user: CatUser?

    init(bio: String) { self.bio = bio }
}

/// Self-referential: a tree of categories.
@Model(table: "cat_categories", metadata: catalogueTables)
final class Category {
    var id: Int?
    var name: String
    @Column(foreignKey: "cat_categories.id") var parentId: Int?
    @Relationship(backPopulates: "children") var parent: Category?
    @Relationship(backPopulates: "parent", orderBy: ["name"], passiveDeletes: true) var children: [Category]

    init(name: String) { self.name = name }
}

/// Two foreign keys to the same table, told apart with foreignKeys:.
@Model(table: "cat_people", metadata: catalogueTables)
final class Person {
    var id: Int?
    var name: String
    @Relationship(backPopulates: "sender", foreignKeys: ["sender_id"]) var sent: [Message]
    @Relationship(backPopulates: "recipient", foreignKeys: ["recipient_id"]) var received: [Message]

    init(name: String) { self.name = name }
}

@Model(table: "cat_messages", metadata: catalogueTables)
final class Message {
    var id: Int?
    var body: String
    @Column(foreignKey: "cat_people.id") var senderId: Int?
    @Column(foreignKey: "cat_people.id") var recipientId: Int?
    @Relationship(backPopulates: "sent", foreignKeys: ["sender_id"]) var sender: Person?
    @Relationship(backPopulates: "received", foreignKeys: ["cat_messages.recipient_id"]) var recipient: Person?

    init(body: String) { self.body = body }
}

// Relationships that cannot be resolved, each alone in a MetaData of its own so that
// the catalogue above stays valid.

let brokenMetadata = MetaData()

@Model(table: "broken_people", metadata: brokenMetadata)
final class BrokenPerson {
    var id: Int?
    /// Two foreign keys in broken_letters refer to broken_people, and no foreignKeys:.
    @Relationship var letters: [BrokenLetter]
    /// No foreign key between broken_people and broken_loners.
    @Relationship var loner: BrokenLoner?
    /// backPopulates names a property BrokenLetter does not have.
    @Relationship(backPopulates: "nobody", foreignKeys: ["writer_id"]) var written: [BrokenLetter]
    /// backPopulates names a property that refers to another model.
    @Relationship(backPopulates: "person", foreignKeys: ["reader_id"]) var read: [BrokenLetter]
    /// A secondary table that does not exist.
    @Relationship(secondary: "no_such_table") var friends: [BrokenLoner]

    init() {}
}

@Model(table: "broken_letters", metadata: brokenMetadata)
final class BrokenLetter {
    var id: Int?
    @Column(foreignKey: "broken_people.id") var writerId: Int?
    @Column(foreignKey: "broken_people.id") var readerId: Int?
    @Relationship var person: BrokenLoner?

    init() {}
}

@Model(table: "broken_loners", metadata: brokenMetadata)
final class BrokenLoner {
    var id: Int?
    @Column(foreignKey: "broken_letters.id") var letterId: Int?
    /// The foreign key is in this model's table: a collection cannot be on this side.
    @Relationship var letters: [BrokenLetter]

    init() {}
}
