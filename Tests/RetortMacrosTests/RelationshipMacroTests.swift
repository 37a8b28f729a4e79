import RetortMacros
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosTestSupport
import XCTest

/// What `@Relationship` and `@Model` write for relationship properties, and each misuse
/// they report.
final class RelationshipMacroTests: XCTestCase {
    func testRelationshipsExpandToStorageAndDeclarations() {
        assertMacroExpansion(
            """
            @Model(table: "books")
            final class Book {
                @Column(primaryKey: true) var isbn: String
                @Relationship(backPopulates: "books") var author: Author?
                @Relationship(secondary: "book_tags", backPopulates: "books", lazy: .selectin) var tags: [Tag]
            }
            """,
            expandedSource: """
            final class Book {
                var isbn: String {
                    @storageRestrictions(initializes: _$isbn)
                    init(initialValue) {
                        _$isbn = initialValue
                    }
                    get {
                        _state.willRead(self, 0)
                        return _$isbn
                    }
                    set {
                        _state.willWrite(self, 0)
                        _$isbn = newValue
                    }
                }

                private var _$isbn: String
                var author: Author? {
                    get {
                        _$author.get(self)
                    }
                    set {
                        _$author.set(newValue, on: self)
                    }
                }

                private var _$author: RetortORM.ToOneRelationship<Author> {
                    if let slot = _$$author {
                        return slot
                    }
                    let slot = RetortORM.ToOneRelationship<Author>("author", backPopulates: "books", loaded: !_state.relationshipsStartUnloaded)
                    _$$author = slot
                    return slot
                }

                @exclusivity(unchecked) private var _$$author: RetortORM.ToOneRelationship<Author>?
                var tags: [Tag] {
                    get {
                        _$tags.get(self)
                    }
                    set {
                        _$tags.set(newValue, on: self)
                    }
                }

                private var _$tags: RetortORM.ToManyRelationship<Tag> {
                    if let slot = _$$tags {
                        return slot
                    }
                    let slot = RetortORM.ToManyRelationship<Tag>("tags", backPopulates: "books", loaded: !_state.relationshipsStartUnloaded)
                    _$$tags = slot
                    return slot
                }

                @exclusivity(unchecked) private var _$$tags: RetortORM.ToManyRelationship<Tag>?

                @exclusivity(unchecked) var _state = RetortORM.ModelState()

                deinit {
                    _state.objectWillDeinit(self)
                }

                static let mapping: RetortORM.ModelMapping = RetortORM.ModelMapping(
                    table: RetortCore.Table(
                        "books",
                        RetortORM.ModelRegistry.metadata,
                        RetortCore.Column("isbn", .string, primaryKey: true)
                    ),
                    propertyNames: ["isbn"]
                )

                struct Columns: RetortORM.ModelColumns {
                    let isbn: RetortCore.SQLExpression<String>
                    init(_ source: any RetortCore.FromClause) {
                        self.isbn = source.c.typed("isbn", String.self)
                    }
                }

                static let columns: Columns = Columns(mapping.table)

                init(_decoding decoder: inout RetortORM.ModelDecoder) throws {
                    self._$isbn = try RetortORM.ModelColumnSupport.decode(&decoder, as: String.self, property: "Book.isbn")
                    _state.markRelationshipsUnloaded()
                }

                func _value(at index: Int) -> RetortCore.SQLValue {
                    switch index {
                    case 0:
                        return RetortORM.ModelColumnSupport.encode(self._$isbn)
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: Book.self)
                    }
                }

                func _setValue(_ value: RetortCore.SQLValue, at index: Int) throws {
                    switch index {
                    case 0:
                        self._$isbn = try RetortORM.ModelColumnSupport.decode(value, as: String.self, property: "Book.isbn")
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: Book.self)
                    }
                }

                static let relationshipDeclarations: [RetortORM.RelationshipDeclaration] = [
                    RetortORM.RelationshipDeclaration("author", Author.self, isCollection: false, metadata: RetortORM.ModelRegistry.metadata, backPopulates: "books"),
                    RetortORM.RelationshipDeclaration("tags", Tag.self, isCollection: true, metadata: RetortORM.ModelRegistry.metadata, secondary: "book_tags", backPopulates: "books", lazy: .selectin)
                ]

                func _relationship(_ name: String) -> (any RetortORM.RelationshipSlot)? {
                    switch name {
                    case "author":
                        return _$author
                    case "tags":
                        return _$tags
                    default:
                        return nil
                    }
                }

                func _existingRelationship(_ name: String) -> (any RetortORM.RelationshipSlot)? {
                    switch name {
                    case "author":
                        return _$$author
                    case "tags":
                        return _$$tags
                    default:
                        return nil
                    }
                }

                static func _relationshipName(for keyPath: AnyKeyPath) -> String? {
                    if keyPath == \\Book.author {
                        return "author"
                    }
                    if keyPath == \\Book.tags {
                        return "tags"
                    }
                    return nil
                }
            }

            extension Book: RetortORM.Model, RetortORM.ModelRelationships {
            }
            """,
            macroSpecs: modelMacros)
    }

    func testRelationshipOutsideAModelIsAnError() {
        assertMacroExpansion(
            """
            struct Shelf {
                @Relationship var books: [Book]
            }
            """,
            expandedSource: """
            struct Shelf {
                var books: [Book]
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@Relationship applies to properties of a @Model class: it relates rows of two mapped tables",
                    line: 2, column: 5)
            ],
            macroSpecs: modelMacros)
    }

    func testWrongPropertyTypesAreRefused() {
        assertMacroExpansion(
            """
            @Model(table: "books")
            final class Book {
                var id: Int?
                @Relationship var author: Author
                @Relationship var tags: Set<Tag>
                @Relationship var notes: String?
            }
            """,
            expandedSource: """
            final class Book {
                var id: Int?
                var author: Author
                var tags: Set<Tag>
                var notes: String?
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "to-one @Relationship 'author' must be optional, 'Author?': it is nil until it is set", line: 4, column: 31),
                DiagnosticSpec(
                    message: "@Relationship property 'tags' must be of type Target? (one object) or [Target] (a collection), where Target is a @Model class; 'Set<Tag>' is neither",
                    line: 5, column: 29),
                DiagnosticSpec(
                    message: "@Relationship property 'notes' must be of type Target? (one object) or [Target] (a collection), where Target is a @Model class; 'String?' is neither",
                    line: 6, column: 30),
            ],
            macroSpecs: modelMacros)
    }

    func testUselistAndSecondaryMisuseIsRefused() {
        assertMacroExpansion(
            """
            @Model(table: "books")
            final class Book {
                var id: Int?
                @Relationship(secondary: "book_tags", uselist: false) var tags: [Tag]
                @Relationship(uselist: false) var reviews: [Review]
                @Relationship(uselist: true) var author: Author?
                @Relationship(secondary: "book_shelves") var shelf: Shelf?
            }
            """,
            expandedSource: """
            final class Book {
                var id: Int?
                var tags: [Tag]
                var reviews: [Review]
                var author: Author?
                var shelf: Shelf?
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "uselist: false cannot go with secondary: a many-to-many through an association table relates collections",
                    line: 4, column: 43),
                DiagnosticSpec(message: "uselist: false makes a one-to-one; declare 'reviews' as Review?", line: 5, column: 19),
                DiagnosticSpec(message: "uselist: true needs a collection; declare 'author' as [Author]", line: 6, column: 19),
                DiagnosticSpec(
                    message: "a many-to-many through secondary: relates collections; declare 'shelf' as [Shelf]", line: 7, column: 30),
            ],
            macroSpecs: modelMacros)
    }

    func testPostUpdateIsPassedToTheDeclaration() {
        assertMacroExpansion(
            """
            @Model(table: "users")
            final class User {
                @Column(primaryKey: true) var login: String
                @Relationship(foreignKeys: ["favorite_post_id"], postUpdate: true) var favoritePost: Post?
            }
            """,
            expandedSource: """
            final class User {
                var login: String {
                    @storageRestrictions(initializes: _$login)
                    init(initialValue) {
                        _$login = initialValue
                    }
                    get {
                        _state.willRead(self, 0)
                        return _$login
                    }
                    set {
                        _state.willWrite(self, 0)
                        _$login = newValue
                    }
                }

                private var _$login: String
                var favoritePost: Post? {
                    get {
                        _$favoritePost.get(self)
                    }
                    set {
                        _$favoritePost.set(newValue, on: self)
                    }
                }

                private var _$favoritePost: RetortORM.ToOneRelationship<Post> {
                    if let slot = _$$favoritePost {
                        return slot
                    }
                    let slot = RetortORM.ToOneRelationship<Post>("favoritePost", loaded: !_state.relationshipsStartUnloaded)
                    _$$favoritePost = slot
                    return slot
                }

                @exclusivity(unchecked) private var _$$favoritePost: RetortORM.ToOneRelationship<Post>?

                @exclusivity(unchecked) var _state = RetortORM.ModelState()

                deinit {
                    _state.objectWillDeinit(self)
                }

                static let mapping: RetortORM.ModelMapping = RetortORM.ModelMapping(
                    table: RetortCore.Table(
                        "users",
                        RetortORM.ModelRegistry.metadata,
                        RetortCore.Column("login", .string, primaryKey: true)
                    ),
                    propertyNames: ["login"]
                )

                struct Columns: RetortORM.ModelColumns {
                    let login: RetortCore.SQLExpression<String>
                    init(_ source: any RetortCore.FromClause) {
                        self.login = source.c.typed("login", String.self)
                    }
                }

                static let columns: Columns = Columns(mapping.table)

                init(_decoding decoder: inout RetortORM.ModelDecoder) throws {
                    self._$login = try RetortORM.ModelColumnSupport.decode(&decoder, as: String.self, property: "User.login")
                    _state.markRelationshipsUnloaded()
                }

                func _value(at index: Int) -> RetortCore.SQLValue {
                    switch index {
                    case 0:
                        return RetortORM.ModelColumnSupport.encode(self._$login)
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: User.self)
                    }
                }

                func _setValue(_ value: RetortCore.SQLValue, at index: Int) throws {
                    switch index {
                    case 0:
                        self._$login = try RetortORM.ModelColumnSupport.decode(value, as: String.self, property: "User.login")
                    default:
                        RetortORM.ModelColumnSupport.noProperty(index, of: User.self)
                    }
                }

                static let relationshipDeclarations: [RetortORM.RelationshipDeclaration] = [
                    RetortORM.RelationshipDeclaration("favoritePost", Post.self, isCollection: false, metadata: RetortORM.ModelRegistry.metadata, foreignKeys: ["favorite_post_id"], postUpdate: true)
                ]

                func _relationship(_ name: String) -> (any RetortORM.RelationshipSlot)? {
                    switch name {
                    case "favoritePost":
                        return _$favoritePost
                    default:
                        return nil
                    }
                }

                func _existingRelationship(_ name: String) -> (any RetortORM.RelationshipSlot)? {
                    switch name {
                    case "favoritePost":
                        return _$$favoritePost
                    default:
                        return nil
                    }
                }

                static func _relationshipName(for keyPath: AnyKeyPath) -> String? {
                    if keyPath == \\User.favoritePost {
                        return "favoritePost"
                    }
                    return nil
                }
            }

            extension User: RetortORM.Model, RetortORM.ModelRelationships {
            }
            """,
            macroSpecs: modelMacros)
    }

    func testPostUpdateMisuseIsRefused() {
        assertMacroExpansion(
            """
            @Model(table: "books")
            final class Book {
                var id: Int?
                @Relationship(secondary: "book_tags", postUpdate: true) var tags: [Tag]
                @Relationship(postUpdate: later) var author: Author?
            }
            """,
            expandedSource: """
            final class Book {
                var id: Int?
                var tags: [Tag]
                var author: Author?
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "postUpdate: true cannot go with secondary: a many-to-many writes rows of its association table, which has no foreign key to write later",
                    line: 4, column: 43),
                DiagnosticSpec(message: "postUpdate: takes the literal true or false", line: 5, column: 31),
            ],
            macroSpecs: modelMacros)
    }

    func testLetInitialValueAndColumnAreRefused() {
        assertMacroExpansion(
            """
            @Model(table: "books")
            final class Book {
                var id: Int?
                @Relationship let author: Author?
                @Relationship var tags: [Tag] = []
                @Relationship @Column var shelf: Shelf?
            }
            """,
            expandedSource: """
            final class Book {
                var id: Int?
                let author: Author?
                var tags: [Tag] = []
                var shelf: Shelf?
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@Relationship property 'author' must be a 'var': assigning it is how objects are related", line: 4, column: 19),
                DiagnosticSpec(
                    message: "@Relationship property 'tags' cannot have an initial value: a new object starts with nil or an empty collection",
                    line: 5, column: 35),
                DiagnosticSpec(message: "a @Relationship property is not a column; remove @Column", line: 6, column: 19),
            ],
            macroSpecs: modelMacros)
    }
}
