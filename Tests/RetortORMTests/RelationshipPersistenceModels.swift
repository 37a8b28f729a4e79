import Foundation
import Retort
import RetortTestSupport
import XCTest

// Models whose relationships the flush writes: a book catalogue (cascade .all and a
// many-to-many), shelves whose items are unlinked rather than deleted, a one-to-one, two
// trees (one deleted by the ORM, one by ON DELETE CASCADE), two rows that refer to each
// other (post-update), and the same cycle without post-update.

enum CsModels {
    static let metadata = MetaData()

    /// Every table, registered (Swift globals and static lets are initialised on first use).
    static var all: MetaData {
        _ = csBookTags
        return metadata.including(
            CsAuthor.self, CsBook.self, CsTag.self, CsShelf.self, CsItem.self, CsAccount.self, CsProfile.self,
            CsNode.self, CsFolder.self, CsUser.self, CsPost.self, CsEmployee.self, CsDesk.self)
    }
}

/// The association table of CsBook.tags / CsTag.books. No ON DELETE CASCADE: the flush
/// must delete a book's rows here before the book.
let csBookTags = Table(
    "cs_book_tags", CsModels.metadata,
    Column("book_id", .integer, primaryKey: true, foreignKey: "cs_books.id"),
    Column("tag_id", .integer, primaryKey: true, foreignKey: "cs_tags.id"))

@Model(table: "cs_authors", metadata: CsModels.metadata)
final class CsAuthor {
    var id: Int?
    @Column(.string(100)) var name: String
    @Relationship(backPopulates: "author", orderBy: ["title"], cascade: .all) var books: [CsBook]

    init(name: String) { self.name = name }
}

@Model(table: "cs_books", metadata: CsModels.metadata)
final class CsBook {
    var id: Int?
    @Column(.string(200), unique: true) var title: String
    @Column(foreignKey: "cs_authors.id") var authorId: Int?
    @Relationship(backPopulates: "books") var author: CsAuthor?
    @Relationship(secondary: "cs_book_tags", backPopulates: "books", orderBy: ["name"]) var tags: [CsTag]

    init(title: String) { self.title = title }
}

@Model(table: "cs_tags", metadata: CsModels.metadata)
final class CsTag {
    var id: Int?
    @Column(.string(50), unique: true) var name: String
    @Relationship(secondary: "cs_book_tags", backPopulates: "tags", orderBy: ["title"]) var books: [CsBook]

    init(name: String) { self.name = name }
}

/// The default cascade (save-update only): items taken off a shelf, or on a deleted
/// shelf, are unlinked, not deleted.
@Model(table: "cs_shelves", metadata: CsModels.metadata)
final class CsShelf {
    var id: Int?
    var label: String
    @Relationship(backPopulates: "shelf", orderBy: ["name"]) var items: [CsItem]

    init(label: String) { self.label = label }
}

@Model(table: "cs_items", metadata: CsModels.metadata)
final class CsItem {
    var id: Int?
    var name: String
    @Column(foreignKey: "cs_shelves.id") var shelfId: Int?
    @Relationship(backPopulates: "items") var shelf: CsShelf?

    init(name: String) { self.name = name }
}

/// One-to-one with a unique foreign key; replacing the profile unlinks the old one.
@Model(table: "cs_accounts", metadata: CsModels.metadata)
final class CsAccount {
    var id: Int?
    var login: String
    @Relationship(backPopulates: "account", uselist: false, cascade: [.saveUpdate, .delete]) var profile: CsProfile?

    init(login: String) { self.login = login }
}

@Model(table: "cs_profiles", metadata: CsModels.metadata)
final class CsProfile {
    var id: Int?
    @Column(unique: true, foreignKey: "cs_accounts.id") var accountId: Int?
    var bio: String
    @Relationship(backPopulates: "profile") var account: CsAccount?

    init(bio: String) { self.bio = bio }
}

/// A tree the ORM deletes, children first.
@Model(table: "cs_nodes", metadata: CsModels.metadata)
final class CsNode {
    var id: Int?
    var name: String
    @Column(foreignKey: "cs_nodes.id") var parentId: Int?
    @Relationship(backPopulates: "children") var parent: CsNode?
    @Relationship(backPopulates: "parent", orderBy: ["name"], cascade: .all) var children: [CsNode]

    init(name: String) { self.name = name }
}

/// A tree the database deletes: ON DELETE CASCADE, and passiveDeletes.
@Model(table: "cs_folders", metadata: CsModels.metadata)
final class CsFolder {
    var id: Int?
    var name: String
    @Column(foreignKey: "cs_folders.id", onDelete: .cascade) var parentId: Int?
    @Relationship(backPopulates: "children") var parent: CsFolder?
    @Relationship(backPopulates: "parent", orderBy: ["name"], cascade: [.saveUpdate, .delete], passiveDeletes: true)
    var children: [CsFolder]

    init(name: String) { self.name = name }
}

/// Two rows that refer to each other: a user's favourite post, written by that user.
@Model(table: "cs_users", metadata: CsModels.metadata)
final class CsUser {
    var id: Int?
    var name: String
    @Column(foreignKey: "cs_posts.id") var favoritePostId: Int?
    @Relationship(foreignKeys: ["favorite_post_id"], postUpdate: true) var favoritePost: CsPost?
    @Relationship(backPopulates: "author", foreignKeys: ["author_id"], cascade: .all) var posts: [CsPost]

    init(name: String) { self.name = name }
}

@Model(table: "cs_posts", metadata: CsModels.metadata)
final class CsPost {
    var id: Int?
    var title: String
    @Column(foreignKey: "cs_users.id") var authorId: Int?
    @Relationship(backPopulates: "posts", foreignKeys: ["author_id"]) var author: CsUser?

    init(title: String) { self.title = title }
}

/// The same kind of cycle without postUpdate: the flush cannot order it.
@Model(table: "cs_employees", metadata: CsModels.metadata)
final class CsEmployee {
    var id: Int?
    var name: String
    @Column(foreignKey: "cs_desks.id") var deskId: Int?
    @Relationship(foreignKeys: ["desk_id"]) var desk: CsDesk?

    init(name: String) { self.name = name }
}

@Model(table: "cs_desks", metadata: CsModels.metadata)
final class CsDesk {
    var id: Int?
    var room: String
    @Column(foreignKey: "cs_employees.id") var ownerId: Int?
    @Relationship(foreignKeys: ["owner_id"]) var owner: CsEmployee?

    init(room: String) { self.room = room }
}

/// Runs `body` against a fresh SQLite file and a fresh PostgreSQL database with the
/// tables above created.
func forEachCsBackend(_ body: (Engine) throws -> Void) throws {
    let metadata = CsModels.all
    let sqlite = try createEngine(temporarySQLiteURL("persist"))
    defer { sqlite.dispose() }
    // SQLite's createAll refuses a foreign-key cycle (it cannot add a constraint later),
    // but SQLite accepts a REFERENCES to a table created afterwards: the two cycles'
    // tables are created one by one.
    let cyclic: Set<String> = ["cs_users", "cs_posts", "cs_employees", "cs_desks"]
    try metadata.createAll(sqlite, tables: metadata.tables.filter { !cyclic.contains($0.name) })
    try sqlite.begin { conn in
        for t in metadata.tables where cyclic.contains(t.name) { try conn.execute(CreateTable(t)) }
    }
    try body(sqlite)
    let pg = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
    defer { pg.dispose() }
    try metadata.createAll(pg)
    try body(pg)
}

/// The rows of a query, each as strings (NULL as "nil"), read through a separate connection.
func rows(_ engine: Engine, _ sql: String) throws -> [[String]] {
    try engine.connect { conn in
        try conn.execute(text(sql)).all().map { row in
            (0..<row.count).map { i -> String in
                switch row[i] {
                case .null: return "nil"
                case .text(let t): return t
                case let other: return other.description
                }
            }
        }
    }
}
