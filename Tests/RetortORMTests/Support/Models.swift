import Foundation
import Retort

// The test models, declared with the real `@Model` macro: the Session's tests exercise
// exactly the code the macro generates.

/// The tables of the test models (created per test database).
enum TestModels {
    static let metadata = MetaData()
    /// Reading each mapping registers its table in `metadata`.
    static func register() {
        metadata.including(Author.self, Book.self, Review.self, Edition.self, Gadget.self, Ticket.self, Post.self, Document.self)
    }
}

@Model(table: "authors", metadata: TestModels.metadata)
final class Author {
    var id: Int?
    @Column(.string(100)) var name: String
    @Column(.string(255), unique: true) var email: String?

    init(id: Int? = nil, name: String, email: String? = nil) {
        self.id = id
        self.name = name
        self.email = email
    }
}

@Model(table: "books", metadata: TestModels.metadata)
final class Book {
    var id: Int?
    @Column(.string(200)) var title: String
    @Column(foreignKey: "authors.id") var authorId: Int?

    init(id: Int? = nil, title: String, authorId: Int? = nil) {
        self.id = id
        self.title = title
        self.authorId = authorId
    }
}

@Model(table: "reviews", metadata: TestModels.metadata)
final class Review {
    var id: Int?
    @Column(foreignKey: "books.id") var bookId: Int
    var stars: Int

    init(id: Int? = nil, bookId: Int, stars: Int) {
        self.id = id
        self.bookId = bookId
        self.stars = stars
    }
}

/// A composite primary key.
@Model(table: "editions", metadata: TestModels.metadata)
final class Edition {
    @Column(primaryKey: true) var bookId: Int
    @Column(.string(8), primaryKey: true) var language: String
    @Column(.string(200)) var title: String

    init(bookId: Int, language: String, title: String) {
        self.bookId = bookId
        self.language = language
        self.title = title
    }

    /// Instances deinitialised so far (a model's own deinit, beside the ORM's call).
    nonisolated(unsafe) static var deinitialised = 0

    deinit {
        _state.objectWillDeinit(self)
        Edition.deinitialised += 1
    }
}

/// One column of every kind of value.
@Model(table: "gadgets", metadata: TestModels.metadata)
final class Gadget {
    var id: Int?
    @Column(.string(50)) var label: String
    var active: Bool
    var weight: Double
    @Column(.numeric(10, 2)) var price: Decimal
    @Column(.datetime(timezone: true)) var madeAt: Date
    var serial: UUID
    var blob: Data
    @Column(.text) var note: String?

    init(label: String, active: Bool, weight: Double, price: Decimal, madeAt: Date, serial: UUID, blob: Data, note: String?) {
        self.label = label
        self.active = active
        self.weight = weight
        self.price = price
        self.madeAt = madeAt
        self.serial = serial
        self.blob = blob
        self.note = note
    }
}

/// A server default.
@Model(table: "tickets", metadata: TestModels.metadata)
final class Ticket {
    var id: Int?
    @Column(.string(100)) var subject: String
    @Column(.string(20), serverDefault: "'open'") var status: String?

    init(subject: String, status: String? = nil) {
        self.subject = subject
        self.status = status
    }
}

/// Audit and soft-delete columns, filled by events.
@Model(table: "posts", metadata: TestModels.metadata)
final class Post {
    var id: Int?
    @Column(.string(100)) var title: String
    @Column(.datetime(timezone: true)) var updatedAt: Date?
    @Column(.datetime(timezone: true)) var deletedAt: Date?

    init(title: String) { self.title = title }
}

/// A version counter (optimistic concurrency).
@Model(table: "documents", metadata: TestModels.metadata, versionId: "version")
final class Document {
    var id: Int?
    @Column(.string(100)) var body: String
    var version = 0

    init(body: String) { self.body = body }
}
