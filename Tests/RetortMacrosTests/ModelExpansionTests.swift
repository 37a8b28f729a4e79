import RetortMacros
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosTestSupport
import XCTest

/// The macros as the compiler sees them, with `@Model`'s conformance.
let modelMacros: [String: MacroSpec] = [
    "Model": MacroSpec(type: ModelMacro.self, conformances: ["Model"]),
    "_ModelProperty": MacroSpec(type: ModelPropertyMacro.self),
    "Column": MacroSpec(type: ColumnMacro.self),
    "Transient": MacroSpec(type: TransientMacro.self),
]

/// What `@Model` writes, character for character.
final class ModelExpansionTests: XCTestCase {
    func testModelWithInferredColumnsAndAnEnum() {
        assertMacroExpansion(
            """
            @Model(table: "books")
            final class Book {
                var id: Int?
                @Column(.string(200)) var title: String
                @Column(foreignKey: "authors.id", onDelete: .cascade) var authorId: Int?
                var format: BookFormat?
                @Transient var scratch = 0

                init(title: String) { self.title = title }
            }
            """,
            expandedSource: """
            final class Book {
                var id: Int? {
                    @storageRestrictions(initializes: _id)
                    init(initialValue) {
                        _id = initialValue
                    }
                    get {
                        _state.willRead(self, 0)
                        return _id
                    }
                    set {
                        _state.willWrite(self, 0)
                        _id = newValue
                    }
                }

                private var _id: Int?
                var title: String {
                    @storageRestrictions(initializes: _title)
                    init(initialValue) {
                        _title = initialValue
                    }
                    get {
                        _state.willRead(self, 1)
                        return _title
                    }
                    set {
                        _state.willWrite(self, 1)
                        _title = newValue
                    }
                }

                private var _title: String
                var authorId: Int? {
                    @storageRestrictions(initializes: _authorId)
                    init(initialValue) {
                        _authorId = initialValue
                    }
                    get {
                        _state.willRead(self, 2)
                        return _authorId
                    }
                    set {
                        _state.willWrite(self, 2)
                        _authorId = newValue
                    }
                }

                private var _authorId: Int?
                var format: BookFormat? {
                    @storageRestrictions(initializes: _format)
                    init(initialValue) {
                        _format = initialValue
                    }
                    get {
                        _state.willRead(self, 3)
                        return _format
                    }
                    set {
                        _state.willWrite(self, 3)
                        _format = newValue
                    }
                }

                private var _format: BookFormat?
                var scratch = 0

                init(title: String) { self.title = title }

                let _state = RetortORM.ModelState()

                static let mapping: RetortORM.ModelMapping = RetortORM.ModelMapping(
                    table: RetortCore.Table(
                        "books",
                        RetortORM.ModelRegistry.metadata,
                        RetortCore.Column("id", .integer, primaryKey: true),
                        RetortCore.Column("title", .string(200), nullable: false),
                        RetortCore.Column("author_id", .integer, nullable: true, foreignKey: "authors.id", onDelete: .cascade),
                        RetortCore.Column("format", RetortORM.ModelColumnSupport.columnType(BookFormat.self, enumName: "book_format"), nullable: true)
                    ),
                    propertyNames: ["id", "title", "authorId", "format"]
                )

                struct Columns: RetortORM.ModelColumns {
                    let id: RetortCore.SQLExpression<Int?>
                    let title: RetortCore.SQLExpression<String>
                    let authorId: RetortCore.SQLExpression<Int?>
                    let format: RetortCore.SQLExpression<BookFormat?>
                    init(_ source: any RetortCore.FromClause) {
                        let c = source.c
                        id = c.typed("id", (Int?).self)
                        title = c.typed("title", String.self)
                        authorId = c.typed("author_id", (Int?).self)
                        format = c.typed("format", (BookFormat?).self)
                    }
                }

                static let columns: Columns = Columns(mapping.table)

                init(_decoding decoder: inout RetortORM.ModelDecoder) throws {
                    self._id = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: (Int?).self, property: "Book.id")
                    self._title = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: String.self, property: "Book.title")
                    self._authorId = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: (Int?).self, property: "Book.authorId")
                    self._format = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: (BookFormat?).self, property: "Book.format")
                }

                func _value(at index: Int) -> RetortCore.SQLValue {
                    switch index {
                    case 0:
                        return RetortORM.ModelColumnSupport.encode(self._id)
                    case 1:
                        return RetortORM.ModelColumnSupport.encode(self._title)
                    case 2:
                        return RetortORM.ModelColumnSupport.encode(self._authorId)
                    case 3:
                        return RetortORM.ModelColumnSupport.encode(self._format)
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: Book.self)
                    }
                }

                func _setValue(_ value: RetortCore.SQLValue, at index: Int) throws {
                    switch index {
                    case 0:
                        self._id = try RetortORM.ModelColumnSupport.decode(value, as: (Int?).self, property: "Book.id")
                    case 1:
                        self._title = try RetortORM.ModelColumnSupport.decode(value, as: String.self, property: "Book.title")
                    case 2:
                        self._authorId = try RetortORM.ModelColumnSupport.decode(value, as: (Int?).self, property: "Book.authorId")
                    case 3:
                        self._format = try RetortORM.ModelColumnSupport.decode(value, as: (BookFormat?).self, property: "Book.format")
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: Book.self)
                    }
                }
            }

            extension Book: RetortORM.Model {
            }
            """,
            macroSpecs: modelMacros)
    }

    /// (SwiftSyntaxMacrosTestSupport drops the initial value of a property given
    /// accessors, `var created = Date()` below; the compiler keeps it and hands it to the
    /// `init` accessor, which the model tests check.)
    func testPublicModelPassesTableArgumentsAndColumnOptionsThrough() {
        assertMacroExpansion(
            """
            @Model(table: "book_tags", PrimaryKeyConstraint("book_id", "tag"), Index("tag"), schema: "library", comment: "Tags of books", metadata: catalog)
            public final class BookTag {
                @Column(foreignKey: "books.id") public var bookId: Int
                @Column(name: "tag", unique: true, index: true, comment: "The tag") public var tagId: Int64
                @Column(default: .generate { UUID() }, serverDefault: "gen_random_uuid()") var token: UUID
                var created = Date()
                var `default`: Optional<Bool>
                var rating: Swift.Double
                static var count = 0
                var computed: Int { 1 }
            }
            """,
            expandedSource: """
            public final class BookTag {
                public var bookId: Int {
                    @storageRestrictions(initializes: _bookId)
                    init(initialValue) {
                        _bookId = initialValue
                    }
                    get {
                        _state.willRead(self, 0)
                        return _bookId
                    }
                    set {
                        _state.willWrite(self, 0)
                        _bookId = newValue
                    }
                }

                private var _bookId: Int
                public var tagId: Int64 {
                    @storageRestrictions(initializes: _tagId)
                    init(initialValue) {
                        _tagId = initialValue
                    }
                    get {
                        _state.willRead(self, 1)
                        return _tagId
                    }
                    set {
                        _state.willWrite(self, 1)
                        _tagId = newValue
                    }
                }

                private var _tagId: Int64
                var token: UUID {
                    @storageRestrictions(initializes: _token)
                    init(initialValue) {
                        _token = initialValue
                    }
                    get {
                        _state.willRead(self, 2)
                        return _token
                    }
                    set {
                        _state.willWrite(self, 2)
                        _token = newValue
                    }
                }

                private var _token: UUID
                var created {
                    @storageRestrictions(initializes: _created)
                    init(initialValue) {
                        _created = initialValue
                    }
                    get {
                        _state.willRead(self, 3)
                        return _created
                    }
                    set {
                        _state.willWrite(self, 3)
                        _created = newValue
                    }
                }

                private var _created: Date
                var `default`: Optional<Bool> {
                    @storageRestrictions(initializes: _default)
                    init(initialValue) {
                        _default = initialValue
                    }
                    get {
                        _state.willRead(self, 4)
                        return _default
                    }
                    set {
                        _state.willWrite(self, 4)
                        _default = newValue
                    }
                }

                private var _default: Optional<Bool>
                var rating: Swift.Double {
                    @storageRestrictions(initializes: _rating)
                    init(initialValue) {
                        _rating = initialValue
                    }
                    get {
                        _state.willRead(self, 5)
                        return _rating
                    }
                    set {
                        _state.willWrite(self, 5)
                        _rating = newValue
                    }
                }

                private var _rating: Swift.Double
                static var count = 0
                var computed: Int { 1 }

                public let _state = RetortORM.ModelState()

                public static let mapping: RetortORM.ModelMapping = RetortORM.ModelMapping(
                    table: RetortCore.Table(
                        "book_tags",
                        catalog,
                        RetortCore.Column("book_id", .integer, nullable: false, foreignKey: "books.id"),
                        RetortCore.Column("tag", .bigint, nullable: false, unique: true, index: true, comment: "The tag"),
                        RetortCore.Column("token", .uuid, nullable: false, default: .generate {
                                UUID()
                            }, serverDefault: "gen_random_uuid()"),
                        RetortCore.Column("created", .datetime, nullable: false),
                        RetortCore.Column("default", .boolean, nullable: true),
                        RetortCore.Column("rating", .double, nullable: false),
                        PrimaryKeyConstraint("book_id", "tag"),
                        Index("tag"),
                        schema: "library",
                        comment: "Tags of books"
                    ),
                    propertyNames: ["bookId", "tagId", "token", "created", "default", "rating"]
                )

                public struct Columns: RetortORM.ModelColumns {
                    public let bookId: RetortCore.SQLExpression<Int>
                    public let tagId: RetortCore.SQLExpression<Int64>
                    public let token: RetortCore.SQLExpression<UUID>
                    public let created: RetortCore.SQLExpression<Date>
                    public let `default`: RetortCore.SQLExpression<Bool?>
                    public let rating: RetortCore.SQLExpression<Swift.Double>
                    public init(_ source: any RetortCore.FromClause) {
                        let c = source.c
                        bookId = c.typed("book_id", Int.self)
                        tagId = c.typed("tag", Int64.self)
                        token = c.typed("token", UUID.self)
                        created = c.typed("created", Date.self)
                        `default` = c.typed("default", (Bool?).self)
                        rating = c.typed("rating", Swift.Double.self)
                    }
                }

                public static let columns: Columns = Columns(mapping.table)

                public init(_decoding decoder: inout RetortORM.ModelDecoder) throws {
                    self._bookId = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: Int.self, property: "BookTag.bookId")
                    self._tagId = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: Int64.self, property: "BookTag.tagId")
                    self._token = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: UUID.self, property: "BookTag.token")
                    self._created = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: Date.self, property: "BookTag.created")
                    self._default = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: (Bool?).self, property: "BookTag.default")
                    self._rating = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: Swift.Double.self, property: "BookTag.rating")
                }

                public func _value(at index: Int) -> RetortCore.SQLValue {
                    switch index {
                    case 0:
                        return RetortORM.ModelColumnSupport.encode(self._bookId)
                    case 1:
                        return RetortORM.ModelColumnSupport.encode(self._tagId)
                    case 2:
                        return RetortORM.ModelColumnSupport.encode(self._token)
                    case 3:
                        return RetortORM.ModelColumnSupport.encode(self._created)
                    case 4:
                        return RetortORM.ModelColumnSupport.encode(self._default)
                    case 5:
                        return RetortORM.ModelColumnSupport.encode(self._rating)
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: BookTag.self)
                    }
                }

                public func _setValue(_ value: RetortCore.SQLValue, at index: Int) throws {
                    switch index {
                    case 0:
                        self._bookId = try RetortORM.ModelColumnSupport.decode(value, as: Int.self, property: "BookTag.bookId")
                    case 1:
                        self._tagId = try RetortORM.ModelColumnSupport.decode(value, as: Int64.self, property: "BookTag.tagId")
                    case 2:
                        self._token = try RetortORM.ModelColumnSupport.decode(value, as: UUID.self, property: "BookTag.token")
                    case 3:
                        self._created = try RetortORM.ModelColumnSupport.decode(value, as: Date.self, property: "BookTag.created")
                    case 4:
                        self._default = try RetortORM.ModelColumnSupport.decode(value, as: (Bool?).self, property: "BookTag.default")
                    case 5:
                        self._rating = try RetortORM.ModelColumnSupport.decode(value, as: Swift.Double.self, property: "BookTag.rating")
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: BookTag.self)
                    }
                }
            }

            extension BookTag: RetortORM.Model {
            }
            """,
            macroSpecs: modelMacros)
    }

    func testNamedTypesAreResolvedByTheCompilerNotTheMacro() {
        assertMacroExpansion(
            """
            @Model(table: "things")
            final class Thing {
                @Column(primaryKey: true) var code: String
                var state: Thing.State
                var email: Email?
                @Column(.json) var payload: Payload
            }
            """,
            expandedSource: """
            final class Thing {
                var code: String {
                    @storageRestrictions(initializes: _code)
                    init(initialValue) {
                        _code = initialValue
                    }
                    get {
                        _state.willRead(self, 0)
                        return _code
                    }
                    set {
                        _state.willWrite(self, 0)
                        _code = newValue
                    }
                }

                private var _code: String
                var state: Thing.State {
                    @storageRestrictions(initializes: _state)
                    init(initialValue) {
                        _state = initialValue
                    }
                    get {
                        _state.willRead(self, 1)
                        return _state
                    }
                    set {
                        _state.willWrite(self, 1)
                        _state = newValue
                    }
                }

                private var _state: Thing.State
                var email: Email? {
                    @storageRestrictions(initializes: _email)
                    init(initialValue) {
                        _email = initialValue
                    }
                    get {
                        _state.willRead(self, 2)
                        return _email
                    }
                    set {
                        _state.willWrite(self, 2)
                        _email = newValue
                    }
                }

                private var _email: Email?
                var payload: Payload {
                    @storageRestrictions(initializes: _payload)
                    init(initialValue) {
                        _payload = initialValue
                    }
                    get {
                        _state.willRead(self, 3)
                        return _payload
                    }
                    set {
                        _state.willWrite(self, 3)
                        _payload = newValue
                    }
                }

                private var _payload: Payload

                let _state = RetortORM.ModelState()

                static let mapping: RetortORM.ModelMapping = RetortORM.ModelMapping(
                    table: RetortCore.Table(
                        "things",
                        RetortORM.ModelRegistry.metadata,
                        RetortCore.Column("code", .string, primaryKey: true),
                        RetortCore.Column("state", RetortORM.ModelColumnSupport.columnType(Thing.State.self, enumName: "thing_state"), nullable: false),
                        RetortCore.Column("email", RetortORM.ModelColumnSupport.columnType(Email.self, enumName: "email"), nullable: true),
                        RetortCore.Column("payload", .json, nullable: false)
                    ),
                    propertyNames: ["code", "state", "email", "payload"]
                )

                struct Columns: RetortORM.ModelColumns {
                    let code: RetortCore.SQLExpression<String>
                    let state: RetortCore.SQLExpression<Thing.State>
                    let email: RetortCore.SQLExpression<Email?>
                    let payload: RetortCore.SQLExpression<Payload>
                    init(_ source: any RetortCore.FromClause) {
                        let c = source.c
                        code = c.typed("code", String.self)
                        state = c.typed("state", Thing.State.self)
                        email = c.typed("email", (Email?).self)
                        payload = c.typed("payload", Payload.self)
                    }
                }

                static let columns: Columns = Columns(mapping.table)

                init(_decoding decoder: inout RetortORM.ModelDecoder) throws {
                    self._code = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: String.self, property: "Thing.code")
                    self._state = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: Thing.State.self, property: "Thing.state")
                    self._email = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: (Email?).self, property: "Thing.email")
                    self._payload = try RetortORM.ModelColumnSupport.decode(decoder.next(), as: Payload.self, property: "Thing.payload")
                }

                func _value(at index: Int) -> RetortCore.SQLValue {
                    switch index {
                    case 0:
                        return RetortORM.ModelColumnSupport.encode(self._code)
                    case 1:
                        return RetortORM.ModelColumnSupport.encode(self._state)
                    case 2:
                        return RetortORM.ModelColumnSupport.encode(self._email)
                    case 3:
                        return RetortORM.ModelColumnSupport.encode(self._payload)
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: Thing.self)
                    }
                }

                func _setValue(_ value: RetortCore.SQLValue, at index: Int) throws {
                    switch index {
                    case 0:
                        self._code = try RetortORM.ModelColumnSupport.decode(value, as: String.self, property: "Thing.code")
                    case 1:
                        self._state = try RetortORM.ModelColumnSupport.decode(value, as: Thing.State.self, property: "Thing.state")
                    case 2:
                        self._email = try RetortORM.ModelColumnSupport.decode(value, as: (Email?).self, property: "Thing.email")
                    case 3:
                        self._payload = try RetortORM.ModelColumnSupport.decode(value, as: Payload.self, property: "Thing.payload")
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: Thing.self)
                    }
                }
            }

            extension Thing: RetortORM.Model {
            }
            """,
            macroSpecs: modelMacros)
    }
}
