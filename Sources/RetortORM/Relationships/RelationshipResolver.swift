import Foundation
import RetortCore

/// Works out each relationship's join from the foreign keys, and caches the result per
/// model.
enum RelationshipResolver {
    private static let cache = ModelTypeCache<[Relationship]>()

    static func resolved(_ model: any ModelRelationships.Type) throws -> [Relationship] {
        if let hit = cache[ObjectIdentifier(model)] { return hit }
        // A subclass in an inheritance hierarchy has the relationships its root declares.
        if let root = declaringRoot(model) { return try resolved(root) }
        let result = try model.relationshipDeclarations.map { try resolve($0, of: model) }
        for r in result { try checkBackPopulates(r) }
        cache[ObjectIdentifier(model)] = result
        return result
    }

    /// The root of `model`'s inheritance hierarchy when `model` is a subclass in one.
    private static func declaringRoot(_ model: any ModelRelationships.Type) -> (any ModelRelationships.Type)? {
        guard let root = model.mapping.inheritance?.root.type, ObjectIdentifier(root) != ObjectIdentifier(model) else { return nil }
        return root as? any ModelRelationships.Type
    }

    static func resolved(_ model: any ModelRelationships.Type, _ name: String) throws -> Relationship {
        if let hit = cache[ObjectIdentifier(model)]?.first(where: { $0.name == name }) { return hit }
        if let root = declaringRoot(model) { return try resolved(root, name) }
        guard let declaration = model.relationshipDeclarations.first(where: { $0.name == name }) else {
            throw RelationshipConfigurationError("\(model) has no relationship '\(name)'")
        }
        let r = try resolve(declaration, of: model)
        try checkBackPopulates(r)
        return r
    }

    // MARK: Joins

    static func resolve(_ d: RelationshipDeclaration, of owner: any ModelRelationships.Type) throws -> Relationship {
        let here = "\(owner).\(d.name)"
        let ownerTable = owner.mapping.table
        let targetTable = d.target.mapping.table
        func fail(_ message: String) -> RelationshipConfigurationError { RelationshipConfigurationError("\(here): \(message)") }
        /// The foreign keys of `table` referring to `referred`, kept to those among
        /// `foreignKeys:` when it is given.
        func keys(in table: Table, to referred: Table) -> [ForeignKeyConstraint] {
            table.foreignKeys.filter { fk in
                fk.referredTable == referred.name && (fk.referredSchema ?? referred.schema) == referred.schema
                    && (d.foreignKeys.isEmpty || fk.columns.allSatisfy { c in
                        d.foreignKeys.contains(c) || d.foreignKeys.contains(table.name + "." + c)
                    })
            }
        }
        func pairs(_ fk: ForeignKeyConstraint, referring: Table) -> [ColumnPair] {
            let referred = fk.referredColumns.isEmpty ? (referring.primaryKey?.columns ?? []) : fk.referredColumns
            return zip(fk.columns, referred).map { ColumnPair(local: $0, remote: $1) }
        }
        let hint = d.foreignKeys.isEmpty ? "" : " among foreignKeys \(d.foreignKeys)"

        if let name = d.secondary {
            guard let secondary = d.metadata.table(name) else {
                throw fail("secondary table '\(name)' is not in the model's MetaData; declare it with Table(\"\(name)\", ...) before configuring")
            }
            if ownerTable === targetTable {
                throw fail("a self-referential many-to-many (both foreign keys of '\(name)' refer to '\(ownerTable.name)') is not supported yet")
            }
            let toOwner = keys(in: secondary, to: ownerTable)
            let toTarget = keys(in: secondary, to: targetTable)
            guard toOwner.count == 1 else {
                throw fail(toOwner.isEmpty
                    ? "secondary table '\(name)' has no foreign key to '\(ownerTable.name)'\(hint)"
                    : "secondary table '\(name)' has \(toOwner.count) foreign keys to '\(ownerTable.name)'; name the one to use with foreignKeys:")
            }
            guard toTarget.count == 1 else {
                throw fail(toTarget.isEmpty
                    ? "secondary table '\(name)' has no foreign key to '\(targetTable.name)'\(hint)"
                    : "secondary table '\(name)' has \(toTarget.count) foreign keys to '\(targetTable.name)'; name the one to use with foreignKeys:")
            }
            guard d.isCollection else { throw fail("a many-to-many through '\(name)' must be a collection: [\(d.target)]") }
            let ownerSide = pairs(toOwner[0], referring: ownerTable).map { ColumnPair(local: $0.remote, remote: $0.local) }
            let targetSide = pairs(toTarget[0], referring: targetTable).map { ColumnPair(local: $0.remote, remote: $0.local) }
            return Relationship(declaration: d, owner: owner, direction: .manyToMany, pairs: ownerSide, secondary: secondary, secondaryPairs: targetSide)
        }

        let outward = keys(in: ownerTable, to: targetTable)   // many-to-one candidates
        let inward = keys(in: targetTable, to: ownerTable)    // one-to-many candidates
        let direction: RelationshipDirection
        if ownerTable === targetTable {
            // Self-referential: the same foreign key serves both directions; the Swift
            // type says which end this property is (parent: T? or children: [T]).
            direction = d.isCollection ? .oneToMany : .manyToOne
        } else if d.isCollection {
            direction = .oneToMany
        } else if !outward.isEmpty && !inward.isEmpty {
            throw fail(
                "'\(ownerTable.name)' and '\(targetTable.name)' have foreign keys to each other\(hint); name the column(s) of the join with foreignKeys:")
        } else {
            direction = inward.isEmpty ? .manyToOne : .oneToMany
        }
        let candidates = direction == .manyToOne ? outward : inward
        guard candidates.count == 1, let fk = candidates.first else {
            if candidates.isEmpty {
                if d.isCollection && !outward.isEmpty && ownerTable !== targetTable {
                    throw fail(
                        "the foreign key is in '\(ownerTable.name)' (to '\(targetTable.name)'), which makes a many-to-one; declare the property as \(d.target)?, or the collection on \(d.target)")
                }
                throw fail(
                    "no foreign key joins '\(ownerTable.name)' and '\(targetTable.name)'\(hint); add @Column(foreignKey: ...) or use secondary: for a many-to-many")
            }
            let names = candidates.map { $0.columns.joined(separator: ", ") }.joined(separator: "; ")
            throw fail(
                "\(candidates.count) foreign keys could join '\(ownerTable.name)' and '\(targetTable.name)' (\(names)); name the one to use with foreignKeys:")
        }
        if direction == .manyToOne {
            return Relationship(declaration: d, owner: owner, direction: .manyToOne,
                pairs: pairs(fk, referring: targetTable), secondary: nil, secondaryPairs: [])
        }
        let flipped = pairs(fk, referring: ownerTable).map { ColumnPair(local: $0.remote, remote: $0.local) }
        return Relationship(declaration: d, owner: owner, direction: .oneToMany, pairs: flipped, secondary: nil, secondaryPairs: [])
    }

    // MARK: backPopulates

    /// The partner exists, points back at this property, and is the other end of the
    /// same join.
    static func checkBackPopulates(_ r: Relationship) throws {
        guard let partnerName = r.backPopulates else { return }
        let here = "\(r.owner).\(r.name)"
        guard let targetModel = r.target as? any ModelRelationships.Type,
            let partner = targetModel.relationshipDeclarations.first(where: { $0.name == partnerName })
        else {
            throw RelationshipConfigurationError("\(here): backPopulates names '\(partnerName)', which \(r.target) does not declare as a @Relationship")
        }
        let there = "\(r.target).\(partnerName)"
        guard ObjectIdentifier(partner.target) == ObjectIdentifier(r.owner) else {
            throw RelationshipConfigurationError("\(here): backPopulates names \(there), which refers to \(partner.target), not \(r.owner)")
        }
        if let back = partner.backPopulates, back != r.name {
            throw RelationshipConfigurationError("\(here): backPopulates names \(there), whose backPopulates is '\(back)', not '\(r.name)'")
        }
        // Resolve the partner's join on its own (not through the cache, which would
        // recurse back here) and compare.
        let other = try resolve(partner, of: targetModel)
        let agrees: Bool
        switch (r.direction, other.direction) {
        case (.manyToOne, .oneToMany), (.oneToMany, .manyToOne):
            agrees = Set(r.pairs) == Set(other.pairs.map { ColumnPair(local: $0.remote, remote: $0.local) })
        case (.manyToMany, .manyToMany):
            agrees = r.secondary === other.secondary && Set(r.pairs) == Set(other.secondaryPairs)
        default:
            agrees = false
        }
        if ObjectIdentifier(r.owner) == ObjectIdentifier(r.target), r.direction == other.direction, r.direction != .manyToMany {
            throw RelationshipConfigurationError("\(here): backPopulates names \(there), which is the same end of the self-referential join; pair a T? with a [T]")
        }
        guard agrees else {
            throw RelationshipConfigurationError(
                "\(here): backPopulates names \(there), but they join differently (\(r.direction.rawValue) on \(r.pairs) against \(other.direction.rawValue) on \(other.pairs))")
        }
    }
}

/// A per-model cache shared across threads (a lock around a dictionary): the resolved
/// relationships of each model here, the flush's relationship plans in
/// RelationshipPersistence.swift.
final class ModelTypeCache<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [ObjectIdentifier: Value] = [:]

    subscript(key: ObjectIdentifier) -> Value? {
        get { lock.withLock { storage[key] } }
        set { lock.withLock { storage[key] = newValue } }
    }
}
