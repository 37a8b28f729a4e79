import Foundation
import Retort

// Models compiled by the real @Model macro, shared by the tests of this target.

enum BookFormat: String, CaseIterable, SQLValueConvertible {
    case hardcover, paperback, ebook
}

enum Priority: Int {
    case low = 1, normal = 2, high = 3
}

/// A String enum that is only CaseIterable: decoded and encoded through the raw value.
enum Mood: String, CaseIterable {
    case calm, stormy
}

/// A value type with its own column type.
struct Email: ModelColumnValue, Equatable {
    var address: String
    static var columnType: SQLType { .string(320) }
    var sqlValue: SQLValue { .text(address) }
    init(_ address: String) { self.address = address }
    init(sqlValue: SQLValue) throws { address = try String(sqlValue: sqlValue) }
}

@Model(table: "authors", comment: "People who write books")
final class Author {
    var id: Int?
    @Column(.string(100)) var name: String
    @Column(.string(255), unique: true) var email: String?
    @Transient var scratch = 7

    init(name: String, email: String? = nil) {
        self.name = name
        self.email = email
    }
}

@Model(table: "books", UniqueConstraint("title", "author_id"), CheckConstraint("pages > 0"))
final class Book {
    var id: Int?
    @Column(.string(200), index: true) var title: String
    @Column(foreignKey: "authors.id", onDelete: .cascade, onUpdate: .restrict) var authorId: Int?
    var pages: Int32 = 1
    @Column(.numeric(10, 2)) var price: Decimal?
    @Column(serverDefault: "'paperback'") var format: BookFormat?
    var priority: Priority = .normal
    @Column(name: "created", serverDefault: .expression(fn.now())) var createdAt: Date?
    @Column(default: "draft", comment: "Workflow state") var status: String

    init(title: String, authorId: Int? = nil, status: String = "draft") {
        self.title = title
        self.authorId = authorId
        self.status = status
    }
}

/// Public, so that the generated members' access is checked too.
@Model(table: "book_tags", PrimaryKeyConstraint("book_id", "tag"), Index("tag", name: "ix_tag_lookup"))
public final class BookTag {
    @Column(foreignKey: "books.id", onDelete: .cascade) public var bookId: Int
    @Column(name: "tag") public var tagName: String

    public init(bookId: Int, tagName: String) {
        self.bookId = bookId
        self.tagName = tagName
    }
}

/// Its own MetaData, so that it can be created apart from the registry's models.
let sampleMetadata = MetaData()

/// One property of every supported kind.
@Model(table: "samples", metadata: sampleMetadata)
final class Sample {
    @Column(primaryKey: true) var key: UUID
    var text: String
    var optionalText: String?
    var int: Int
    var int64: Int64
    var int32: Int32
    var int16: Int16
    var double: Double
    var float: Float
    var flag: Bool
    var at: Date
    var amount: Decimal
    var blob: Data
    var token: UUID?
    var format: BookFormat
    var maybeFormat: BookFormat?
    var priority: Priority
    var maybePriority: Priority?
    var mood: Mood
    var email: Email
    @Column(autoincrement: false) var sequence: Int = 0
    @Column(default: .generate { "note-" + String(Int.random(in: 1000...9999)) }) var note: String?
    var created = Date(timeIntervalSince1970: 1_700_000_000)
    @Transient var loadedAt = "never"

    init(key: UUID) {
        self.key = key
        text = "Ursula"
        optionalText = nil
        int = 42_000
        int64 = Int64.max
        int32 = Int32.min
        int16 = Int16.max
        double = 2.718281828
        float = 1.5
        flag = true
        at = Date(timeIntervalSince1970: 1_763_700_000)
        amount = Decimal(string: "12345.67")!
        blob = Data([0, 1, 2, 254, 255])
        token = UUID(uuidString: "6F9619FF-8B86-D011-B42D-00CF4FC964FF")
        format = .ebook
        maybeFormat = nil
        priority = .high
        maybePriority = .low
        mood = .stormy
        email = Email("u@example.org")
    }
}

/// Properties named like the members the macro writes and the names its code uses.
@Model(table: "awkward_names", metadata: sampleMetadata)
final class AwkwardNames {
    var id: Int?
    var state: String = "new"
    var value: Int = 1
    var index: Int = 2
    var decoder: String = "d"
    var source: String = "s"
    var c: Int = 3
    var `default`: Bool = false

    init() {}
}
