import RetortCore

/// Maps a `final class` to a table: every stored `var` is a column unless it is
/// `@Transient`, and `@Column(...)` adjusts one.
///
/// ```swift
/// @Model(table: "books")
/// final class Book {
///     var id: Int?                                        // INTEGER primary key, numbered by the database
///     @Column(.string(200)) var title: String             // VARCHAR(200) NOT NULL
///     @Column(foreignKey: "authors.id", onDelete: .cascade)
///     var authorId: Int?                                  // author_id INTEGER, with its foreign key
///     var format: BookFormat?                             // enum(book_format), from a String enum
///     @Transient var isSelected = false                   // not a column
///
///     init(title: String) { self.title = title }
/// }
///
/// select(Book.columns.title).where(Book.columns.id == 3)
/// // SELECT books.title FROM books WHERE books.id = ?
/// ```
///
/// What is inferred from a property:
/// - the column name: the snake_case of the property's (`authorId` → `author_id`);
/// - the type: `String` → `string`, `Int`/`Int32` → `integer`, `Int64` → `bigint`,
///   `Int16` → `smallint`, `Double` → `double`, `Float` → `float`, `Bool` → `boolean`,
///   `Date` → `datetime`, `Decimal` → `numeric`, `UUID` → `uuid`, `Data` → `binary`; an
///   enum with `String` raw values and `CaseIterable` → `enum(<snake_case type name>)`
///   with the raw values; an enum with integer raw values → its raw type's column; a type
///   conforming to ``ModelColumnValue`` → its ``ModelColumnValue/columnType``;
/// - nullability: `T?` is nullable, `T` is `NOT NULL`;
/// - the primary key: a property named `id`, unless `@Column(primaryKey: true)` or a
///   `PrimaryKeyConstraint` names another. A lone integer key is numbered by the database.
///
/// The macro writes, in the class: the ``Model`` conformance; `static let mapping` (the
/// ``Table``, registered in `metadata` — ``ModelRegistry/metadata`` unless given — the
/// first time it is read); `struct Columns` and `static let columns` (typed column
/// expressions named as the properties); `init(_decoding:)`, `_value(at:)` and
/// `_setValue(_:at:)` (one `switch` per model, no `Mirror`, no `Codable`); and
/// `var _state` (the ORM's bookkeeping, stored in the instance) with a `deinit` that takes
/// a dying instance out of its session's identity map. A model may declare its own
/// `deinit` if its first statement is `_state.objectWillDeinit(self)` (the compiler
/// offers to insert it); the macro then writes none. Each mapped property becomes accessors over private storage that tell
/// the ORM about reads and writes; an `init` accessor keeps `self.title = title`
/// working in your initialisers. Declare the initialisers your code needs: the class gets
/// no implicit `init()`.
///
/// - Parameters:
///   - table: The table's name.
///   - elements: Table-level constraints and indexes, exactly as ``Table`` takes them:
///     `PrimaryKeyConstraint("book_id", "tag_id")`, `UniqueConstraint("title", "author_id")`,
///     `CheckConstraint("pages > 0")`, `Index("title")`. Name columns by column name.
///   - schema: The table's schema, when not the database's default.
///   - comment: The table's comment.
///   - metadata: The ``MetaData`` the table joins; ``ModelRegistry/metadata`` when nil.
///   - versionId: The name of an integer property that counts the row's versions
///     (SQLAlchemy's `version_id_col`), for optimistic concurrency: the flush writes 1
///     at INSERT, and every UPDATE and DELETE of an instance says `WHERE version = ?`
///     with the value it loaded (an UPDATE also adds 1). When the row was changed or
///     deleted by another transaction in between, nothing matches and the flush throws
///     ``StaleDataError`` naming the model and key; the transaction is rolled back.
///
///     ```swift
///     @Model(table: "documents", versionId: "version")
///     final class Document {
///         var id: Int?
///         var body: String
///         var version = 0
///         init(body: String) { self.body = body }
///     }
///     // UPDATE documents SET body = ?, version = ? WHERE documents.id = ? AND documents.version = ?
///     ```
///
/// Misuse is a compile-time error at the declaration at fault: a struct, enum or
/// non-final class; a model without a primary key; a mapped `let`; a property whose type
/// cannot be a column (collections, tuples, closures, existentials, unsigned integers);
/// a `@Transient` property without an initial value; `@Column` on a computed property; a
/// `deinit` that does not call `_state.objectWillDeinit(self)`.
@attached(
    member,
    names: named(_state), named(deinit), named(mapping), named(Columns), named(columns), named(init(_decoding:)),
    named(_value(at:)), named(_setValue(_:at:)),
    // With @Relationship properties (Relationships/ModelRelationships.swift):
    named(relationshipDeclarations), named(_relationship(_:)), named(_existingRelationship(_:)),
    named(_relationshipName(for:))
)
@attached(memberAttribute)
@attached(extension, conformances: Model, ModelRelationships)
public macro Model(
    table: String, _ elements: any TableElement..., schema: String? = nil, comment: String? = nil,
    metadata: MetaData? = nil, versionId: String? = nil
) = #externalMacro(module: "RetortMacros", type: "ModelMacro")

/// Maps the root class of an inheritance hierarchy (SQLAlchemy's `polymorphic_on`):
/// a non-final class whose table has a discriminator column (`polymorphicOn:` names
/// its property) telling which class each row is. `identity:` is this class's value
/// (nil: an abstract base, no rows of its own); `subclasses:` names the direct
/// subclasses (Swift has no load-time hook to find them; names rather than metatypes,
/// which the compiler could only check by expanding the subclasses' `@Model` first).
///
/// The root declares its conformance itself, `: Model` (`: ModelRelationships` when
/// it or any of its subclasses has relationships): a conformance added by a macro to a
/// class with subclasses crashes Swift 6.3's type checker, so this form of `@Model`
/// adds none. `versionId:` names the root's version counter, which every UPDATE and
/// DELETE of any class of the hierarchy checks and bumps in the root's table.
///
/// ```swift
/// @Model(table: "employees", polymorphicOn: "type", identity: "employee",
///        subclasses: ["Manager", "Engineer"])
/// class Employee: Model {
///     var id: Int?
///     var name: String
///     var type: String?            // the flush writes each class's identity
///     init(name: String) { self.name = name }
/// }
/// ```
@attached(member, names: arbitrary)
@attached(memberAttribute)
public macro Model(
    table: String, _ elements: any TableElement..., schema: String? = nil, comment: String? = nil,
    metadata: MetaData? = nil, versionId: String? = nil, polymorphicOn: String, identity: String?, subclasses: [String]
) = #externalMacro(module: "RetortMacros", type: "ModelMacro")

/// Maps a subclass in an inheritance hierarchy: the class it inherits (its
/// superclass, which is `@Model` too) and its discriminator value. Without `table:`
/// (single-table inheritance) its properties are nullable columns of its parent's
/// table; with `table:` (joined-table inheritance) they are columns of a table of its
/// own, whose primary key is the parent's, a foreign key to the parent's table. Its
/// own typed columns are `Manager.managerColumns` (the inherited ones are the root's
/// `columns`). A subclass with subclasses of its own names them and is not final.
///
/// ```swift
/// @Model(identity: "manager", table: "managers")
/// final class Manager: Employee {
///     var budget: Int
///     init(name: String, budget: Int) { self.budget = budget; super.init(name: name) }
/// }
/// ```
///
/// (No extension role: the subclass inherits its root's conformance.)
@attached(member, names: arbitrary)
@attached(memberAttribute)
public macro Model(
    identity: String, table: String? = nil, _ elements: any TableElement..., subclasses: [String] = [],
    schema: String? = nil, comment: String? = nil, metadata: MetaData? = nil
) = #externalMacro(module: "RetortMacros", type: "ModelMacro")

/// Options for one mapped property of a ``Model(table:_:schema:comment:metadata:)``
/// class; each one you leave out is inferred or takes Core's default. The arguments are
/// those of Core's ``Column``, in the same order.
///
/// ```swift
/// @Column(primaryKey: true) var isbn: String
/// @Column(.string(255), unique: true) var email: String
/// @Column(.numeric(10, 2)) var price: Decimal
/// @Column(name: "created", serverDefault: .expression(fn.now())) var createdAt: Date?
/// @Column(default: .generate { UUID() }) var token: UUID
/// @Column(index: true, foreignKey: "authors.id", onDelete: .cascade) var authorId: Int
/// @Column(.text, comment: "Markdown") var body: String
/// ```
///
/// - Parameters:
///   - type: The SQL type, instead of the one inferred from the Swift type.
///   - name: The column name (a string literal), instead of the property's in snake_case.
///   - primaryKey: Part of the primary key (a literal).
///   - autoincrement: Whether the database numbers the column; by default, a lone
///     integer primary key that is not a foreign key.
///   - default: A client-side value, or `.generate { ... }`, used when an INSERT gives none.
///   - serverDefault: The column's DEFAULT clause.
///   - unique: A single-column UNIQUE constraint.
///   - index: A single-column index (unique when `unique` is also set).
///   - foreignKey: `"table.column"` the column refers to.
///   - onDelete: The foreign key's ON DELETE action.
///   - onUpdate: The foreign key's ON UPDATE action.
///   - comment: The column's comment.
///   - identity: An identity column (``RetortCore/Identity``): `identity: Identity(always: true)`.
///   - computed: A computed column (``RetortCore/Computed``): `computed: "price * quantity"`. The
///     flush never writes it and reads it back after INSERT and UPDATE.
@attached(peer)
public macro Column(
    _ type: SQLType? = nil, name: String? = nil, primaryKey: Bool = false, autoincrement: Bool? = nil,
    default: ColumnDefault? = nil, serverDefault: ServerDefault? = nil, unique: Bool = false, index: Bool = false,
    foreignKey: String? = nil, onDelete: ReferentialAction? = nil, onUpdate: ReferentialAction? = nil,
    comment: String? = nil, identity: Identity? = nil, computed: Computed? = nil
) = #externalMacro(module: "RetortMacros", type: "ColumnMacro")

/// Keeps a stored property of a ``Model(table:_:schema:comment:metadata:)`` class out
/// of the table. It needs an initial value (an optional `var` may start as nil): an
/// object loaded from the database starts with it.
///
/// ```swift
/// @Transient var isSelected = false
/// @Transient var thumbnail: Data?
/// ```
@attached(peer)
public macro Transient() = #externalMacro(module: "RetortMacros", type: "TransientMacro")

/// Written by `@Model` on each mapped property (`index` is its mapped index): accessors
/// over private storage that call ``ModelState/willRead(_:_:)`` and
/// ``ModelState/willWrite(_:_:)``. Not for use by hand.
@attached(accessor, names: named(init), named(get), named(set))
@attached(peer, names: prefixed(_$))
public macro _ModelProperty(_ index: Int) = #externalMacro(module: "RetortMacros", type: "ModelPropertyMacro")
