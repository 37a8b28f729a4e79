import Foundation
import RetortCore
import RetortORM

// Test models written exactly as `@Model` generates them: computed properties over
// private storage that call `willRead` / `willWrite`, a nested `Columns`, the mapping,
// the positional decoder and the value accessors. When the macros land, each class
// here becomes a short `@Model` declaration.

/// The tables of the test models (created per test database).
enum TestModels {
    static let metadata = MetaData()
    /// Reading each mapping registers its table in `metadata`.
    static func register() {
        metadata.including(Author.self, Book.self, Review.self, Edition.self, Gadget.self, Ticket.self, Post.self)
    }
}

// @Model(table: "authors")
final class Author: Model {
    private var _id: Int?
    private var _name: String
    private var _email: String?
    let _state = ModelState()

    var id: Int? {
        get { _state.willRead(self, 0); return _id }
        set { _state.willWrite(self, 0); _id = newValue }
    }
    var name: String {
        get { _state.willRead(self, 1); return _name }
        set { _state.willWrite(self, 1); _name = newValue }
    }
    var email: String? {
        get { _state.willRead(self, 2); return _email }
        set { _state.willWrite(self, 2); _email = newValue }
    }

    init(id: Int? = nil, name: String, email: String? = nil) {
        _id = id
        _name = name
        _email = email
    }

    struct Columns: ModelColumns {
        let id: SQLExpression<Int>
        let name: SQLExpression<String>
        let email: SQLExpression<String?>
        init(_ source: any FromClause) {
            id = source.c.typed("id", Int.self)
            name = source.c.typed("name", String.self)
            email = source.c.typed("email", String?.self)
        }
    }
    static let mapping = ModelMapping(
        table: Table("authors", TestModels.metadata,
                     Column("id", .integer, primaryKey: true),
                     Column("name", .string(100), nullable: false),
                     Column("email", .string(255), unique: true)),
        propertyNames: ["id", "name", "email"])
    static var columns: Columns { Columns(mapping.table) }

    init(_decoding decoder: inout ModelDecoder) throws {
        _id = try decoder.decode()
        _name = try decoder.decode()
        _email = try decoder.decode()
    }
    func _value(at index: Int) -> SQLValue {
        switch index {
        case 0: return _id.sqlValue
        case 1: return _name.sqlValue
        default: return _email.sqlValue
        }
    }
    func _setValue(_ value: SQLValue, at index: Int) throws {
        switch index {
        case 0: _id = try Int?(sqlValue: value)
        case 1: _name = try String(sqlValue: value)
        default: _email = try String?(sqlValue: value)
        }
    }
}

// @Model(table: "books")
final class Book: Model {
    private var _id: Int?
    private var _title: String
    private var _authorId: Int?
    let _state = ModelState()

    var id: Int? {
        get { _state.willRead(self, 0); return _id }
        set { _state.willWrite(self, 0); _id = newValue }
    }
    var title: String {
        get { _state.willRead(self, 1); return _title }
        set { _state.willWrite(self, 1); _title = newValue }
    }
    var authorId: Int? {
        get { _state.willRead(self, 2); return _authorId }
        set { _state.willWrite(self, 2); _authorId = newValue }
    }

    init(id: Int? = nil, title: String, authorId: Int? = nil) {
        _id = id
        _title = title
        _authorId = authorId
    }

    struct Columns: ModelColumns {
        let id: SQLExpression<Int>
        let title: SQLExpression<String>
        let authorId: SQLExpression<Int?>
        init(_ source: any FromClause) {
            id = source.c.typed("id", Int.self)
            title = source.c.typed("title", String.self)
            authorId = source.c.typed("author_id", Int?.self)
        }
    }
    static let mapping = ModelMapping(
        table: Table("books", TestModels.metadata,
                     Column("id", .integer, primaryKey: true),
                     Column("title", .string(200), nullable: false),
                     Column("author_id", .integer, foreignKey: "authors.id")),
        propertyNames: ["id", "title", "authorId"])
    static var columns: Columns { Columns(mapping.table) }

    init(_decoding decoder: inout ModelDecoder) throws {
        _id = try decoder.decode()
        _title = try decoder.decode()
        _authorId = try decoder.decode()
    }
    func _value(at index: Int) -> SQLValue {
        switch index {
        case 0: return _id.sqlValue
        case 1: return _title.sqlValue
        default: return _authorId.sqlValue
        }
    }
    func _setValue(_ value: SQLValue, at index: Int) throws {
        switch index {
        case 0: _id = try Int?(sqlValue: value)
        case 1: _title = try String(sqlValue: value)
        default: _authorId = try Int?(sqlValue: value)
        }
    }
}

// @Model(table: "reviews")
final class Review: Model {
    private var _id: Int?
    private var _bookId: Int
    private var _stars: Int
    let _state = ModelState()

    var id: Int? {
        get { _state.willRead(self, 0); return _id }
        set { _state.willWrite(self, 0); _id = newValue }
    }
    var bookId: Int {
        get { _state.willRead(self, 1); return _bookId }
        set { _state.willWrite(self, 1); _bookId = newValue }
    }
    var stars: Int {
        get { _state.willRead(self, 2); return _stars }
        set { _state.willWrite(self, 2); _stars = newValue }
    }

    init(id: Int? = nil, bookId: Int, stars: Int) {
        _id = id
        _bookId = bookId
        _stars = stars
    }

    struct Columns: ModelColumns {
        let id: SQLExpression<Int>
        let bookId: SQLExpression<Int>
        let stars: SQLExpression<Int>
        init(_ source: any FromClause) {
            id = source.c.typed("id", Int.self)
            bookId = source.c.typed("book_id", Int.self)
            stars = source.c.typed("stars", Int.self)
        }
    }
    static let mapping = ModelMapping(
        table: Table("reviews", TestModels.metadata,
                     Column("id", .integer, primaryKey: true),
                     Column("book_id", .integer, nullable: false, foreignKey: "books.id"),
                     Column("stars", .integer, nullable: false)),
        propertyNames: ["id", "bookId", "stars"])
    static var columns: Columns { Columns(mapping.table) }

    init(_decoding decoder: inout ModelDecoder) throws {
        _id = try decoder.decode()
        _bookId = try decoder.decode()
        _stars = try decoder.decode()
    }
    func _value(at index: Int) -> SQLValue {
        switch index {
        case 0: return _id.sqlValue
        case 1: return _bookId.sqlValue
        default: return _stars.sqlValue
        }
    }
    func _setValue(_ value: SQLValue, at index: Int) throws {
        switch index {
        case 0: _id = try Int?(sqlValue: value)
        case 1: _bookId = try Int(sqlValue: value)
        default: _stars = try Int(sqlValue: value)
        }
    }
}

// @Model(table: "editions") — a composite primary key.
final class Edition: Model {
    private var _bookId: Int
    private var _language: String
    private var _title: String
    let _state = ModelState()

    var bookId: Int {
        get { _state.willRead(self, 0); return _bookId }
        set { _state.willWrite(self, 0); _bookId = newValue }
    }
    var language: String {
        get { _state.willRead(self, 1); return _language }
        set { _state.willWrite(self, 1); _language = newValue }
    }
    var title: String {
        get { _state.willRead(self, 2); return _title }
        set { _state.willWrite(self, 2); _title = newValue }
    }

    init(bookId: Int, language: String, title: String) {
        _bookId = bookId
        _language = language
        _title = title
    }

    struct Columns: ModelColumns {
        let bookId: SQLExpression<Int>
        let language: SQLExpression<String>
        let title: SQLExpression<String>
        init(_ source: any FromClause) {
            bookId = source.c.typed("book_id", Int.self)
            language = source.c.typed("language", String.self)
            title = source.c.typed("title", String.self)
        }
    }
    static let mapping = ModelMapping(
        table: Table("editions", TestModels.metadata,
                     Column("book_id", .integer, primaryKey: true),
                     Column("language", .string(8), primaryKey: true),
                     Column("title", .string(200), nullable: false)),
        propertyNames: ["bookId", "language", "title"])
    static var columns: Columns { Columns(mapping.table) }

    init(_decoding decoder: inout ModelDecoder) throws {
        _bookId = try decoder.decode()
        _language = try decoder.decode()
        _title = try decoder.decode()
    }
    func _value(at index: Int) -> SQLValue {
        switch index {
        case 0: return _bookId.sqlValue
        case 1: return _language.sqlValue
        default: return _title.sqlValue
        }
    }
    func _setValue(_ value: SQLValue, at index: Int) throws {
        switch index {
        case 0: _bookId = try Int(sqlValue: value)
        case 1: _language = try String(sqlValue: value)
        default: _title = try String(sqlValue: value)
        }
    }
}

// @Model(table: "gadgets") — one property of each column type, for dirty tracking.
final class Gadget: Model {
    private var _id: Int?
    private var _label: String
    private var _active: Bool
    private var _weight: Double
    private var _price: Decimal
    private var _madeAt: Date
    private var _serial: UUID
    private var _blob: Data
    private var _note: String?
    let _state = ModelState()

    var id: Int? {
        get { _state.willRead(self, 0); return _id }
        set { _state.willWrite(self, 0); _id = newValue }
    }
    var label: String {
        get { _state.willRead(self, 1); return _label }
        set { _state.willWrite(self, 1); _label = newValue }
    }
    var active: Bool {
        get { _state.willRead(self, 2); return _active }
        set { _state.willWrite(self, 2); _active = newValue }
    }
    var weight: Double {
        get { _state.willRead(self, 3); return _weight }
        set { _state.willWrite(self, 3); _weight = newValue }
    }
    var price: Decimal {
        get { _state.willRead(self, 4); return _price }
        set { _state.willWrite(self, 4); _price = newValue }
    }
    var madeAt: Date {
        get { _state.willRead(self, 5); return _madeAt }
        set { _state.willWrite(self, 5); _madeAt = newValue }
    }
    var serial: UUID {
        get { _state.willRead(self, 6); return _serial }
        set { _state.willWrite(self, 6); _serial = newValue }
    }
    var blob: Data {
        get { _state.willRead(self, 7); return _blob }
        set { _state.willWrite(self, 7); _blob = newValue }
    }
    var note: String? {
        get { _state.willRead(self, 8); return _note }
        set { _state.willWrite(self, 8); _note = newValue }
    }

    init(label: String, active: Bool, weight: Double, price: Decimal, madeAt: Date, serial: UUID, blob: Data, note: String?) {
        _label = label
        _active = active
        _weight = weight
        _price = price
        _madeAt = madeAt
        _serial = serial
        _blob = blob
        _note = note
    }

    struct Columns: ModelColumns {
        let id: SQLExpression<Int>
        let label: SQLExpression<String>
        init(_ source: any FromClause) {
            id = source.c.typed("id", Int.self)
            label = source.c.typed("label", String.self)
        }
    }
    static let mapping = ModelMapping(
        table: Table("gadgets", TestModels.metadata,
                     Column("id", .integer, primaryKey: true),
                     Column("label", .string(50), nullable: false),
                     Column("active", .boolean, nullable: false),
                     Column("weight", .double, nullable: false),
                     Column("price", .numeric(10, 2), nullable: false),
                     Column("made_at", .datetime(timezone: true), nullable: false),
                     Column("serial", .uuid, nullable: false),
                     Column("blob", .binary, nullable: false),
                     Column("note", .text)),
        propertyNames: ["id", "label", "active", "weight", "price", "madeAt", "serial", "blob", "note"])
    static var columns: Columns { Columns(mapping.table) }

    init(_decoding decoder: inout ModelDecoder) throws {
        _id = try decoder.decode()
        _label = try decoder.decode()
        _active = try decoder.decode()
        _weight = try decoder.decode()
        _price = try decoder.decode()
        _madeAt = try decoder.decode()
        _serial = try decoder.decode()
        _blob = try decoder.decode()
        _note = try decoder.decode()
    }
    func _value(at index: Int) -> SQLValue {
        switch index {
        case 0: return _id.sqlValue
        case 1: return _label.sqlValue
        case 2: return _active.sqlValue
        case 3: return _weight.sqlValue
        case 4: return _price.sqlValue
        case 5: return _madeAt.sqlValue
        case 6: return _serial.sqlValue
        case 7: return _blob.sqlValue
        default: return _note.sqlValue
        }
    }
    func _setValue(_ value: SQLValue, at index: Int) throws {
        switch index {
        case 0: _id = try Int?(sqlValue: value)
        case 1: _label = try String(sqlValue: value)
        case 2: _active = try Bool(sqlValue: value)
        case 3: _weight = try Double(sqlValue: value)
        case 4: _price = try Decimal(sqlValue: value)
        case 5: _madeAt = try Date(sqlValue: value)
        case 6: _serial = try UUID(sqlValue: value)
        case 7: _blob = try Data(sqlValue: value)
        default: _note = try String?(sqlValue: value)
        }
    }
}

// @Model(table: "tickets") — a server default fetched back on insert.
final class Ticket: Model {
    private var _id: Int?
    private var _subject: String
    private var _status: String?
    let _state = ModelState()

    var id: Int? {
        get { _state.willRead(self, 0); return _id }
        set { _state.willWrite(self, 0); _id = newValue }
    }
    var subject: String {
        get { _state.willRead(self, 1); return _subject }
        set { _state.willWrite(self, 1); _subject = newValue }
    }
    var status: String? {
        get { _state.willRead(self, 2); return _status }
        set { _state.willWrite(self, 2); _status = newValue }
    }

    init(subject: String, status: String? = nil) {
        _subject = subject
        _status = status
    }

    struct Columns: ModelColumns {
        let id: SQLExpression<Int>
        let subject: SQLExpression<String>
        let status: SQLExpression<String?>
        init(_ source: any FromClause) {
            id = source.c.typed("id", Int.self)
            subject = source.c.typed("subject", String.self)
            status = source.c.typed("status", String?.self)
        }
    }
    static let mapping = ModelMapping(
        table: Table("tickets", TestModels.metadata,
                     Column("id", .integer, primaryKey: true),
                     Column("subject", .string(100), nullable: false),
                     Column("status", .string(20), serverDefault: "'open'")),
        propertyNames: ["id", "subject", "status"])
    static var columns: Columns { Columns(mapping.table) }

    init(_decoding decoder: inout ModelDecoder) throws {
        _id = try decoder.decode()
        _subject = try decoder.decode()
        _status = try decoder.decode()
    }
    func _value(at index: Int) -> SQLValue {
        switch index {
        case 0: return _id.sqlValue
        case 1: return _subject.sqlValue
        default: return _status.sqlValue
        }
    }
    func _setValue(_ value: SQLValue, at index: Int) throws {
        switch index {
        case 0: _id = try Int?(sqlValue: value)
        case 1: _subject = try String(sqlValue: value)
        default: _status = try String?(sqlValue: value)
        }
    }
}

// @Model(table: "posts") — audit and soft-delete columns.
final class Post: Model {
    private var _id: Int?
    private var _title: String
    private var _updatedAt: Date?
    private var _deletedAt: Date?
    let _state = ModelState()

    var id: Int? {
        get { _state.willRead(self, 0); return _id }
        set { _state.willWrite(self, 0); _id = newValue }
    }
    var title: String {
        get { _state.willRead(self, 1); return _title }
        set { _state.willWrite(self, 1); _title = newValue }
    }
    var updatedAt: Date? {
        get { _state.willRead(self, 2); return _updatedAt }
        set { _state.willWrite(self, 2); _updatedAt = newValue }
    }
    var deletedAt: Date? {
        get { _state.willRead(self, 3); return _deletedAt }
        set { _state.willWrite(self, 3); _deletedAt = newValue }
    }

    init(title: String) { _title = title }

    struct Columns: ModelColumns {
        let id: SQLExpression<Int>
        let title: SQLExpression<String>
        let updatedAt: SQLExpression<Date?>
        let deletedAt: SQLExpression<Date?>
        init(_ source: any FromClause) {
            id = source.c.typed("id", Int.self)
            title = source.c.typed("title", String.self)
            updatedAt = source.c.typed("updated_at", Date?.self)
            deletedAt = source.c.typed("deleted_at", Date?.self)
        }
    }
    static let mapping = ModelMapping(
        table: Table("posts", TestModels.metadata,
                     Column("id", .integer, primaryKey: true),
                     Column("title", .string(100), nullable: false),
                     Column("updated_at", .datetime(timezone: true)),
                     Column("deleted_at", .datetime(timezone: true))),
        propertyNames: ["id", "title", "updatedAt", "deletedAt"])
    static var columns: Columns { Columns(mapping.table) }

    init(_decoding decoder: inout ModelDecoder) throws {
        _id = try decoder.decode()
        _title = try decoder.decode()
        _updatedAt = try decoder.decode()
        _deletedAt = try decoder.decode()
    }
    func _value(at index: Int) -> SQLValue {
        switch index {
        case 0: return _id.sqlValue
        case 1: return _title.sqlValue
        case 2: return _updatedAt.sqlValue
        default: return _deletedAt.sqlValue
        }
    }
    func _setValue(_ value: SQLValue, at index: Int) throws {
        switch index {
        case 0: _id = try Int?(sqlValue: value)
        case 1: _title = try String(sqlValue: value)
        case 2: _updatedAt = try Date?(sqlValue: value)
        default: _deletedAt = try Date?(sqlValue: value)
        }
    }
}
