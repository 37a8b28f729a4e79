import Foundation
import Retort

// The models of the loading-strategy tests, in a MetaData of their own.

let ldMetadata = MetaData()

/// Every loading-test table registered (the association table is a global, initialised
/// on first use).
var ldTables: MetaData {
    _ = ldBookTags
    return ldMetadata.including(
        LdAuthor.self, LdBook.self, LdTag.self, LdRoom.self, LdShelf.self, LdItem.self, LdEdition.self, LdPrinting.self, LdNode.self)
}

let ldBookTags = Table(
    "ld_book_tags", ldMetadata,
    Column("book_id", .integer, primaryKey: true, foreignKey: "ld_books.id"),
    Column("tag_id", .integer, primaryKey: true, foreignKey: "ld_tags.id"))

@Model(table: "ld_authors", metadata: ldMetadata)
final class LdAuthor {
    var id: Int?
    @Column(.string(100)) var name: String
    @Relationship(backPopulates: "author", orderBy: ["title"]) var books: [LdBook]

    init(id: Int? = nil, name: String) {
        self.id = id
        self.name = name
    }
}

@Model(table: "ld_books", metadata: ldMetadata)
final class LdBook {
    var id: Int?
    @Column(.string(200)) var title: String
    var inPrint: Bool
    var published: Int
    @Column(foreignKey: "ld_authors.id") var authorId: Int?
    @Relationship(backPopulates: "books") var author: LdAuthor?
    @Relationship(secondary: "ld_book_tags", backPopulates: "books", orderBy: ["name"]) var tags: [LdTag]

    init(id: Int? = nil, title: String, inPrint: Bool = true, published: Int = 2000) {
        self.id = id
        self.title = title
        self.inPrint = inPrint
        self.published = published
    }
}

@Model(table: "ld_tags", metadata: ldMetadata)
final class LdTag {
    var id: Int?
    @Column(.string(50)) var name: String
    @Relationship(secondary: "ld_book_tags", backPopulates: "tags") var books: [LdBook]

    init(id: Int? = nil, name: String) {
        self.id = id
        self.name = name
    }
}

/// Declared strategies: a shelf's room is joined, its items are selectin-loaded, and
/// the other directions raise.
@Model(table: "ld_rooms", metadata: ldMetadata)
final class LdRoom {
    var id: Int?
    var name: String
    @Relationship(backPopulates: "room", lazy: .raise) var shelves: [LdShelf]

    init(id: Int? = nil, name: String) {
        self.id = id
        self.name = name
    }
}

@Model(table: "ld_shelves", metadata: ldMetadata)
final class LdShelf {
    var id: Int?
    var name: String
    @Column(foreignKey: "ld_rooms.id") var roomId: Int?
    @Relationship(backPopulates: "shelves", lazy: .joined) var room: LdRoom?
    @Relationship(backPopulates: "shelf", orderBy: ["position"], lazy: .selectin) var items: [LdItem]

    init(id: Int? = nil, name: String) {
        self.id = id
        self.name = name
    }
}

@Model(table: "ld_items", metadata: ldMetadata)
final class LdItem {
    var id: Int?
    var position: Int
    @Column(foreignKey: "ld_shelves.id") var shelfId: Int?
    @Relationship(backPopulates: "items", lazy: .raise) var shelf: LdShelf?

    init(id: Int? = nil, position: Int) {
        self.id = id
        self.position = position
    }
}

/// A composite primary key, referred to by a composite foreign key.
@Model(table: "ld_editions", metadata: ldMetadata)
final class LdEdition {
    @Column(.string(20), primaryKey: true) var isbn: String
    @Column(.string(8), primaryKey: true) var lang: String
    var title: String
    @Relationship(backPopulates: "edition", orderBy: ["run"]) var printings: [LdPrinting]

    init(isbn: String, lang: String, title: String) {
        self.isbn = isbn
        self.lang = lang
        self.title = title
    }
}

@Model(table: "ld_printings", ForeignKeyConstraint(["isbn", "lang"], references: "ld_editions", ["isbn", "lang"]), metadata: ldMetadata)
final class LdPrinting {
    var id: Int?
    var run: Int
    @Column(.string(20)) var isbn: String?
    @Column(.string(8)) var lang: String?
    @Relationship(backPopulates: "printings") var edition: LdEdition?

    init(id: Int? = nil, run: Int) {
        self.id = id
        self.run = run
    }
}

/// Self-referential: a tree.
@Model(table: "ld_nodes", metadata: ldMetadata)
final class LdNode {
    var id: Int?
    var name: String
    @Column(foreignKey: "ld_nodes.id") var parentId: Int?
    @Relationship(backPopulates: "children") var parent: LdNode?
    @Relationship(backPopulates: "parent", orderBy: ["name"]) var children: [LdNode]

    init(id: Int? = nil, name: String) {
        self.id = id
        self.name = name
    }
}
