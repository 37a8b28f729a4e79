import Foundation
import RetortCore

/// A ``Model`` with `@Relationship` properties. `@Model` writes the conformance (and the
/// members below) when the class declares at least one relationship; a model
/// without relationships does not conform, so code that walks relationships asks
/// `M.self as? any ModelRelationships.Type`.
public protocol ModelRelationships: Model {
    /// The relationships as declared, in declaration order (generated).
    static var relationshipDeclarations: [RelationshipDeclaration] { get }

    /// The storage of relationship `name`, nil when there is no such relationship
    /// (generated). Storage is allocated at its first use: this allocates it.
    func _relationship(_ name: String) -> (any RelationshipSlot)?

    /// The storage of relationship `name` if it was allocated (generated). None means
    /// nothing was loaded into or assigned to the relationship.
    func _existingRelationship(_ name: String) -> (any RelationshipSlot)?

    /// The relationship a key path names (`\Book.author` → `"author"`), if any
    /// (generated).
    static func _relationshipName(for keyPath: AnyKeyPath) -> String?
}

/// One `@Relationship` property as declared: the macro's arguments, unresolved.
///
/// `@unchecked Sendable`: every field is immutable; the compiler cannot see that a
/// metatype of a `Model` (whose instances are not Sendable) is safe to share, but the
/// metatype is only used to read static, immutable members.
public struct RelationshipDeclaration: @unchecked Sendable {
    public let name: String
    /// The model on the other side.
    public let target: any Model.Type
    /// True for `[Target]`, false for `Target?`.
    public let isCollection: Bool
    /// The `MetaData` of the owning model, where `secondary` is looked up.
    public let metadata: MetaData
    public let backPopulates: String?
    public let secondary: String?
    public let foreignKeys: [String]
    public let uselist: Bool?
    public let orderBy: [String]
    public let lazy: LoadStrategy
    public let cascade: Cascade
    public let passiveDeletes: Bool
    /// The foreign key is written by a second UPDATE after both rows are inserted (and
    /// set to NULL before they are deleted), which breaks a cycle between two rows.
    public let postUpdate: Bool

    public init(
        _ name: String, _ target: any Model.Type, isCollection: Bool, metadata: MetaData,
        secondary: String? = nil, backPopulates: String? = nil, foreignKeys: [String] = [], uselist: Bool? = nil,
        orderBy: [String] = [], lazy: LoadStrategy = .select, cascade: Cascade = .saveUpdate, passiveDeletes: Bool = false,
        postUpdate: Bool = false
    ) {
        self.name = name
        self.target = target
        self.isCollection = isCollection
        self.metadata = metadata
        self.backPopulates = backPopulates
        self.secondary = secondary
        self.foreignKeys = foreignKeys
        self.uselist = uselist
        self.orderBy = orderBy
        self.lazy = lazy
        self.cascade = cascade
        self.passiveDeletes = passiveDeletes
        self.postUpdate = postUpdate
    }
}

/// Which side of the foreign key a relationship stands on.
public enum RelationshipDirection: String, Sendable, Hashable {
    /// The foreign key is in the owner's table (`Book.author`).
    case manyToOne
    /// The foreign key is in the target's table (`Author.books`, or a one-to-one's
    /// parent side).
    case oneToMany
    /// Both tables are referred to by an association table (`Book.tags`).
    case manyToMany
}

/// A column of one table that equals a column of another in the join.
public struct ColumnPair: Sendable, Hashable, CustomStringConvertible {
    /// The column on the near side (the owner's table, or for a secondary's target
    /// side, the target's table).
    public let local: String
    /// The column on the far side.
    public let remote: String

    public init(local: String, remote: String) {
        self.local = local
        self.remote = remote
    }

    public var description: String { "\(local) = \(remote)" }
}

/// A relationship with its join worked out from the tables' foreign keys.
///
/// For `Book.author` (`books.author_id → authors.id`): `.manyToOne`, pairs
/// `[author_id = id]` (books' column, authors' column). For `Author.books`: `.oneToMany`,
/// pairs `[id = author_id]` (authors' column, books' column). For `Book.tags` through
/// `book_tags`: `.manyToMany`, `pairs` `[id = book_id]` (books' column, book_tags'
/// column) and `secondaryPairs` `[id = tag_id]` (tags' column, book_tags' column).
///
/// `@unchecked Sendable` for the same reason as ``RelationshipDeclaration``.
public struct Relationship: @unchecked Sendable, CustomStringConvertible {
    public let declaration: RelationshipDeclaration
    /// The model that declares the property.
    public let owner: any ModelRelationships.Type
    public let direction: RelationshipDirection
    /// Owner's table column = target's table column; for a many-to-many, owner's table
    /// column = secondary's column.
    public let pairs: [ColumnPair]
    /// The association table of a many-to-many.
    public let secondary: Table?
    /// For a many-to-many: target's table column = secondary's column.
    public let secondaryPairs: [ColumnPair]
    /// The table of the owner that holds the near columns of `pairs`: the owner's table,
    /// or in an inheritance hierarchy the class's table that has them (a subclass table).
    public let ownerTable: Table
    /// The table of the target that holds its columns of the join (`pairs`' far columns,
    /// or a many-to-many's `secondaryPairs`' near ones).
    public let targetTable: Table
    /// The owner's property index of each `pairs` near column.
    let ownerProperties: [Int]
    /// The target's property index of each of its join columns (as ``targetTable``).
    let targetProperties: [Int]

    public var name: String { declaration.name }
    public var target: any Model.Type { declaration.target }
    public var isCollection: Bool { declaration.isCollection }
    public var backPopulates: String? { declaration.backPopulates }
    public var lazy: LoadStrategy { declaration.lazy }
    public var cascade: Cascade { declaration.cascade }
    /// Unloaded children of a deleted owner are left to the database's
    /// `ON DELETE CASCADE` (`@Relationship(passiveDeletes: true)`).
    public var passiveDeletes: Bool { declaration.passiveDeletes }
    /// The foreign key is written by a second UPDATE (declared on this side; the flush
    /// also honours it when only the `backPopulates` partner declares it).
    public var postUpdate: Bool { declaration.postUpdate }

    public var description: String {
        var s = "\(owner).\(name): \(direction.rawValue) to \(target) on \(pairs)"
        if let secondary { s += " via \(secondary.name), \(secondaryPairs)" }
        return s
    }
}

/// A relationship whose join cannot be worked out, or whose `backPopulates` does not
/// agree with the other side. The message names the model and the property.
public struct RelationshipConfigurationError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ModelRelationships {
    /// This model's relationships, resolved against the tables' foreign keys (and
    /// checked against their `backPopulates` partners). Worked out once per model and
    /// cached; the first call also registers the tables of the models involved.
    ///
    /// Throws ``RelationshipConfigurationError`` when a join cannot be inferred (no
    /// foreign key, or several and no `foreignKeys:`), when `secondary` names no table
    /// of the model's `MetaData`, or when `backPopulates` names a property the target
    /// lacks or one that does not point back.
    public static func relationships() throws -> [Relationship] {
        try RelationshipResolver.resolved(Self.self)
    }

    /// The relationship named `name`.
    /// Resolves (and checks) only that relationship, so one faulty relationship does not
    /// hide the others; throws as ``relationships()`` does.
    public static func relationship(named name: String) throws -> Relationship {
        try RelationshipResolver.resolved(Self.self, name)
    }
}
