import RetortMacros
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosTestSupport
import XCTest

/// The macros as the compiler sees them, with `@Model`'s conformance.
let modelMacros: [String: MacroSpec] = [
    "Model": MacroSpec(type: ModelMacro.self, conformances: ["Model", "ModelRelationships"]),
    "Relationship": MacroSpec(type: RelationshipMacro.self),
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
                    @storageRestrictions(initializes: _$id)
                    init(initialValue) {
                        _$id = initialValue
                    }
                    get {
                        _state.willRead(self, 0)
                        return _$id
                    }
                    set {
                        _state.willWrite(self, 0)
                        _$id = newValue
                    }
                }

                private var _$id: Int?
                var title: String {
                    @storageRestrictions(initializes: _$title)
                    init(initialValue) {
                        _$title = initialValue
                    }
                    get {
                        _state.willRead(self, 1)
                        return _$title
                    }
                    set {
                        _state.willWrite(self, 1)
                        _$title = newValue
                    }
                }

                private var _$title: String
                var authorId: Int? {
                    @storageRestrictions(initializes: _$authorId)
                    init(initialValue) {
                        _$authorId = initialValue
                    }
                    get {
                        _state.willRead(self, 2)
                        return _$authorId
                    }
                    set {
                        _state.willWrite(self, 2)
                        _$authorId = newValue
                    }
                }

                private var _$authorId: Int?
                var format: BookFormat? {
                    @storageRestrictions(initializes: _$format)
                    init(initialValue) {
                        _$format = initialValue
                    }
                    get {
                        _state.willRead(self, 3)
                        return _$format
                    }
                    set {
                        _state.willWrite(self, 3)
                        _$format = newValue
                    }
                }

                private var _$format: BookFormat?
                var scratch = 0

                init(title: String) { self.title = title }

                @exclusivity(unchecked) var _state = RetortORM.ModelState()

                deinit {
                    _state.objectWillDeinit(self)
                }

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
                        self.id = source.c.typed("id", (Int?).self)
                        self.title = source.c.typed("title", String.self)
                        self.authorId = source.c.typed("author_id", (Int?).self)
                        self.format = source.c.typed("format", (BookFormat?).self)
                    }
                }

                static let columns: Columns = Columns(mapping.table)

                init(_decoding decoder: inout RetortORM.ModelDecoder) throws {
                    self._$id = try RetortORM.ModelColumnSupport.decode(&decoder, as: (Int?).self, property: "Book.id")
                    self._$title = try RetortORM.ModelColumnSupport.decode(&decoder, as: String.self, property: "Book.title")
                    self._$authorId = try RetortORM.ModelColumnSupport.decode(&decoder, as: (Int?).self, property: "Book.authorId")
                    self._$format = try RetortORM.ModelColumnSupport.decode(&decoder, as: (BookFormat?).self, property: "Book.format")
                }

                func _value(at index: Int) -> RetortCore.SQLValue {
                    switch index {
                    case 0:
                        return RetortORM.ModelColumnSupport.encode(self._$id)
                    case 1:
                        return RetortORM.ModelColumnSupport.encode(self._$title)
                    case 2:
                        return RetortORM.ModelColumnSupport.encode(self._$authorId)
                    case 3:
                        return RetortORM.ModelColumnSupport.encode(self._$format)
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: Book.self)
                    }
                }

                func _setValue(_ value: RetortCore.SQLValue, at index: Int) throws {
                    switch index {
                    case 0:
                        self._$id = try RetortORM.ModelColumnSupport.decode(value, as: (Int?).self, property: "Book.id")
                    case 1:
                        self._$title = try RetortORM.ModelColumnSupport.decode(value, as: String.self, property: "Book.title")
                    case 2:
                        self._$authorId = try RetortORM.ModelColumnSupport.decode(value, as: (Int?).self, property: "Book.authorId")
                    case 3:
                        self._$format = try RetortORM.ModelColumnSupport.decode(value, as: (BookFormat?).self, property: "Book.format")
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
                    @storageRestrictions(initializes: _$bookId)
                    init(initialValue) {
                        _$bookId = initialValue
                    }
                    get {
                        _state.willRead(self, 0)
                        return _$bookId
                    }
                    set {
                        _state.willWrite(self, 0)
                        _$bookId = newValue
                    }
                }

                private var _$bookId: Int
                public var tagId: Int64 {
                    @storageRestrictions(initializes: _$tagId)
                    init(initialValue) {
                        _$tagId = initialValue
                    }
                    get {
                        _state.willRead(self, 1)
                        return _$tagId
                    }
                    set {
                        _state.willWrite(self, 1)
                        _$tagId = newValue
                    }
                }

                private var _$tagId: Int64
                var token: UUID {
                    @storageRestrictions(initializes: _$token)
                    init(initialValue) {
                        _$token = initialValue
                    }
                    get {
                        _state.willRead(self, 2)
                        return _$token
                    }
                    set {
                        _state.willWrite(self, 2)
                        _$token = newValue
                    }
                }

                private var _$token: UUID
                var created {
                    @storageRestrictions(initializes: _$created)
                    init(initialValue) {
                        _$created = initialValue
                    }
                    get {
                        _state.willRead(self, 3)
                        return _$created
                    }
                    set {
                        _state.willWrite(self, 3)
                        _$created = newValue
                    }
                }

                private var _$created: Date
                var `default`: Optional<Bool> {
                    @storageRestrictions(initializes: _$default)
                    init(initialValue) {
                        _$default = initialValue
                    }
                    get {
                        _state.willRead(self, 4)
                        return _$default
                    }
                    set {
                        _state.willWrite(self, 4)
                        _$default = newValue
                    }
                }

                private var _$default: Optional<Bool>
                var rating: Swift.Double {
                    @storageRestrictions(initializes: _$rating)
                    init(initialValue) {
                        _$rating = initialValue
                    }
                    get {
                        _state.willRead(self, 5)
                        return _$rating
                    }
                    set {
                        _state.willWrite(self, 5)
                        _$rating = newValue
                    }
                }

                private var _$rating: Swift.Double
                static var count = 0
                var computed: Int { 1 }

                @exclusivity(unchecked) public var _state = RetortORM.ModelState()

                deinit {
                    _state.objectWillDeinit(self)
                }

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
                        self.bookId = source.c.typed("book_id", Int.self)
                        self.tagId = source.c.typed("tag", Int64.self)
                        self.token = source.c.typed("token", UUID.self)
                        self.created = source.c.typed("created", Date.self)
                        self.`default` = source.c.typed("default", (Bool?).self)
                        self.rating = source.c.typed("rating", Swift.Double.self)
                    }
                }

                public static let columns: Columns = Columns(mapping.table)

                public init(_decoding decoder: inout RetortORM.ModelDecoder) throws {
                    self._$bookId = try RetortORM.ModelColumnSupport.decode(&decoder, as: Int.self, property: "BookTag.bookId")
                    self._$tagId = try RetortORM.ModelColumnSupport.decode(&decoder, as: Int64.self, property: "BookTag.tagId")
                    self._$token = try RetortORM.ModelColumnSupport.decode(&decoder, as: UUID.self, property: "BookTag.token")
                    self._$created = try RetortORM.ModelColumnSupport.decode(&decoder, as: Date.self, property: "BookTag.created")
                    self._$default = try RetortORM.ModelColumnSupport.decode(&decoder, as: (Bool?).self, property: "BookTag.default")
                    self._$rating = try RetortORM.ModelColumnSupport.decode(&decoder, as: Swift.Double.self, property: "BookTag.rating")
                }

                public func _value(at index: Int) -> RetortCore.SQLValue {
                    switch index {
                    case 0:
                        return RetortORM.ModelColumnSupport.encode(self._$bookId)
                    case 1:
                        return RetortORM.ModelColumnSupport.encode(self._$tagId)
                    case 2:
                        return RetortORM.ModelColumnSupport.encode(self._$token)
                    case 3:
                        return RetortORM.ModelColumnSupport.encode(self._$created)
                    case 4:
                        return RetortORM.ModelColumnSupport.encode(self._$default)
                    case 5:
                        return RetortORM.ModelColumnSupport.encode(self._$rating)
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: BookTag.self)
                    }
                }

                public func _setValue(_ value: RetortCore.SQLValue, at index: Int) throws {
                    switch index {
                    case 0:
                        self._$bookId = try RetortORM.ModelColumnSupport.decode(value, as: Int.self, property: "BookTag.bookId")
                    case 1:
                        self._$tagId = try RetortORM.ModelColumnSupport.decode(value, as: Int64.self, property: "BookTag.tagId")
                    case 2:
                        self._$token = try RetortORM.ModelColumnSupport.decode(value, as: UUID.self, property: "BookTag.token")
                    case 3:
                        self._$created = try RetortORM.ModelColumnSupport.decode(value, as: Date.self, property: "BookTag.created")
                    case 4:
                        self._$default = try RetortORM.ModelColumnSupport.decode(value, as: (Bool?).self, property: "BookTag.default")
                    case 5:
                        self._$rating = try RetortORM.ModelColumnSupport.decode(value, as: Swift.Double.self, property: "BookTag.rating")
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
            @Model(table: "things", metadata: nil)
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
                    @storageRestrictions(initializes: _$code)
                    init(initialValue) {
                        _$code = initialValue
                    }
                    get {
                        _state.willRead(self, 0)
                        return _$code
                    }
                    set {
                        _state.willWrite(self, 0)
                        _$code = newValue
                    }
                }

                private var _$code: String
                var state: Thing.State {
                    @storageRestrictions(initializes: _$state)
                    init(initialValue) {
                        _$state = initialValue
                    }
                    get {
                        _state.willRead(self, 1)
                        return _$state
                    }
                    set {
                        _state.willWrite(self, 1)
                        _$state = newValue
                    }
                }

                private var _$state: Thing.State
                var email: Email? {
                    @storageRestrictions(initializes: _$email)
                    init(initialValue) {
                        _$email = initialValue
                    }
                    get {
                        _state.willRead(self, 2)
                        return _$email
                    }
                    set {
                        _state.willWrite(self, 2)
                        _$email = newValue
                    }
                }

                private var _$email: Email?
                var payload: Payload {
                    @storageRestrictions(initializes: _$payload)
                    init(initialValue) {
                        _$payload = initialValue
                    }
                    get {
                        _state.willRead(self, 3)
                        return _$payload
                    }
                    set {
                        _state.willWrite(self, 3)
                        _$payload = newValue
                    }
                }

                private var _$payload: Payload

                @exclusivity(unchecked) var _state = RetortORM.ModelState()

                deinit {
                    _state.objectWillDeinit(self)
                }

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
                        self.code = source.c.typed("code", String.self)
                        self.state = source.c.typed("state", Thing.State.self)
                        self.email = source.c.typed("email", (Email?).self)
                        self.payload = source.c.typed("payload", Payload.self)
                    }
                }

                static let columns: Columns = Columns(mapping.table)

                init(_decoding decoder: inout RetortORM.ModelDecoder) throws {
                    self._$code = try RetortORM.ModelColumnSupport.decode(&decoder, as: String.self, property: "Thing.code")
                    self._$state = try RetortORM.ModelColumnSupport.decode(&decoder, as: Thing.State.self, property: "Thing.state")
                    self._$email = try RetortORM.ModelColumnSupport.decode(&decoder, as: (Email?).self, property: "Thing.email")
                    self._$payload = try RetortORM.ModelColumnSupport.decode(&decoder, as: Payload.self, property: "Thing.payload")
                }

                func _value(at index: Int) -> RetortCore.SQLValue {
                    switch index {
                    case 0:
                        return RetortORM.ModelColumnSupport.encode(self._$code)
                    case 1:
                        return RetortORM.ModelColumnSupport.encode(self._$state)
                    case 2:
                        return RetortORM.ModelColumnSupport.encode(self._$email)
                    case 3:
                        return RetortORM.ModelColumnSupport.encode(self._$payload)
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: Thing.self)
                    }
                }

                func _setValue(_ value: RetortCore.SQLValue, at index: Int) throws {
                    switch index {
                    case 0:
                        self._$code = try RetortORM.ModelColumnSupport.decode(value, as: String.self, property: "Thing.code")
                    case 1:
                        self._$state = try RetortORM.ModelColumnSupport.decode(value, as: Thing.State.self, property: "Thing.state")
                    case 2:
                        self._$email = try RetortORM.ModelColumnSupport.decode(value, as: (Email?).self, property: "Thing.email")
                    case 3:
                        self._$payload = try RetortORM.ModelColumnSupport.decode(value, as: Payload.self, property: "Thing.payload")
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
