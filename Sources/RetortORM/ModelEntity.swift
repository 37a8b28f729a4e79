import RetortCore

/// One model in a multi-model SELECT (``ModelTupleSelect``): which FROM element its
/// columns come from, its typed columns there, and what one row of it reads as.
///
/// - `Book.self` in `select(Book.self, Author.self)` is a ``ModelTableEntity``: the
///   model's own table, read as a `Book`;
/// - an ``AliasedModel`` (`aliased(Author.self)`) is the table under an alias, read as
///   an `Author`;
/// - `optional(Author.self)` or `optional(coAuthor)` (an ``OptionalEntity``) reads as
///   `Author?`: nil where an outer join found no row.
///
/// Only Retort's types conform; the underscored requirement is the ORM's.
public protocol ModelEntity: Sendable {
    /// The model whose instances the rows hold.
    associatedtype Mapped: Model
    /// What one row of the entity reads as: `Mapped` or `Mapped?`.
    associatedtype Element

    /// The FROM element the entity's columns are selected from.
    var source: any FromClause { get }

    /// The model's typed columns over ``source``.
    var columns: Mapped.Columns { get }

    /// Reads the entity from its columns starting at `offset` of each row, through the
    /// session's identity map.
    func _reader(_ session: Session, at offset: Int) throws -> ModelEntityReader<Element>
}

/// Reads one entity of a multi-model row; made by the ORM.
public struct ModelEntityReader<Element> {
    /// How many columns the entity takes.
    let width: Int
    let read: (Row) throws -> Element

    /// A reader of `M` instances from the columns at `offset`. A row whose primary-key
    /// columns are all NULL (no match on the outer side of a join) is an error that
    /// says to select `optional(...)`.
    static func instances<M: Model>(_ model: M.Type, _ session: Session, at offset: Int) throws
        -> ModelEntityReader<M>
    {
        let plan = try session.loadPlan(M.self)
        let keys = plan.primaryKey.map { offset + $0 }
        return ModelEntityReader<M>(width: plan.propertyCount) { row in
            if keys.allSatisfy({ row[$0].isNull }) {
                throw InvalidRequestError(
                    "a row has no \(M.self) in columns \(offset + 1)...\(offset + plan.propertyCount) (its primary key is NULL, "
                        + "as on the missing side of an outer join); select optional(\(M.self).self) to read nil there")
            }
            return try session.instance(M.self, from: row, offset: offset, plan: plan)
        }
    }

    /// A reader of `M?`: nil when the primary-key columns at `offset` are all NULL.
    static func optionalInstances<M: Model>(_ model: M.Type, _ session: Session, at offset: Int) throws
        -> ModelEntityReader<M?>
    {
        let plan = try session.loadPlan(M.self)
        let keys = plan.primaryKey.map { offset + $0 }
        return ModelEntityReader<M?>(width: plan.propertyCount) { row in
            if keys.allSatisfy({ row[$0].isNull }) { return nil }
            return try session.instance(M.self, from: row, offset: offset, plan: plan)
        }
    }
}

/// A model's own table as an entity of a multi-model SELECT: what `Book.self` stands
/// for in `select(Book.self, Author.self)`.
public struct ModelTableEntity<M: Model>: ModelEntity {
    public typealias Mapped = M
    public typealias Element = M

    public init(_ model: M.Type = M.self) {}

    /// The model's table.
    public var source: any FromClause { M.mapping.table }

    /// `M.columns`.
    public var columns: M.Columns { M.columns }

    public func _reader(_ session: Session, at offset: Int) throws -> ModelEntityReader<M> {
        try ModelEntityReader<M>.instances(M.self, session, at: offset)
    }
}

/// An entity that may be missing from a row, read as `M?`: the far side of an outer
/// join. Made by ``optional(_:)-(M.Type)`` and ``optional(_:)-(AliasedModel<M>)``.
public struct OptionalEntity<Base: ModelEntity>: ModelEntity where Base.Element == Base.Mapped {
    public typealias Mapped = Base.Mapped
    public typealias Element = Base.Mapped?

    /// The entity that may be missing.
    public let base: Base

    public var source: any FromClause { base.source }
    public var columns: Base.Mapped.Columns { base.columns }

    public func _reader(_ session: Session, at offset: Int) throws -> ModelEntityReader<Base.Mapped?> {
        try ModelEntityReader<Base.Mapped?>.optionalInstances(Base.Mapped.self, session, at: offset)
    }
}

/// `model` as an entity that reads as nil where a row has none of it (its primary key
/// is NULL): the far side of an outer join.
///
/// ```swift
/// let rows = try session.execute(
///     select(Author.self, optional(Book.self)).outerJoin(\.books)
/// ).all()                                   // [(Author, Book?)]: (Octavia, nil) for an author without books
/// ```
public func optional<M: Model>(_ model: M.Type) -> OptionalEntity<ModelTableEntity<M>> {
    OptionalEntity(base: ModelTableEntity<M>())
}

/// An aliased model as an entity that reads as nil where a row has none of it.
public func optional<M: Model>(_ alias: AliasedModel<M>) -> OptionalEntity<AliasedModel<M>> {
    OptionalEntity(base: alias)
}
