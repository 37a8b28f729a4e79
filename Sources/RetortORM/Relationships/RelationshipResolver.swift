import Foundation
import RetortCore

/// Works out each relationship's join from the foreign keys, and caches the result per
/// model.
enum RelationshipResolver {
    private static let cache = ModelTypeCache<[Relationship]>()

    static func resolved(_ model: any ModelRelationships.Type) throws -> [Relationship] {
        if let hit = cache[ObjectIdentifier(model)] { return hit }
        // A subclass in an inheritance hierarchy has its superclass's relationships (as
        // resolved there: their owner is the class that declares them), then its own.
        let inherited = try parentModel(model).map { try resolved($0) } ?? []
        let own = model.relationshipDeclarations.dropFirst(inherited.count)
        var result = inherited
        for d in own { result.append(try resolve(d, of: model)) }
        for r in result.dropFirst(inherited.count) { try checkBackPopulates(r) }
        cache[ObjectIdentifier(model)] = result
        return result
    }

    /// The superclass of `model` when `model` is a subclass in an inheritance hierarchy.
    private static func parentModel(_ model: any ModelRelationships.Type) -> (any ModelRelationships.Type)? {
        model.mapping.inheritance?.parent.type as? any ModelRelationships.Type
    }

    static func resolved(_ model: any ModelRelationships.Type, _ name: String) throws -> Relationship {
        if let hit = cache[ObjectIdentifier(model)]?.first(where: { $0.name == name }) { return hit }
        if let parent = parentModel(model), parent.relationshipDeclarations.contains(where: { $0.name == name }) {
            return try resolved(parent, name)
        }
        guard let declaration = model.relationshipDeclarations.first(where: { $0.name == name }) else {
            throw RelationshipConfigurationError("\(model) has no relationship '\(name)'")
        }
        let r = try resolve(declaration, of: model)
        try checkBackPopulates(r)
        return r
    }

    // MARK: Joins

    /// A foreign key of one of a model's tables that refers to one of another's.
    private struct Link {
        let table: Table
        let key: ForeignKeyConstraint
        let referred: Table
    }

    /// The distinct tables a model's properties are stored in (one for a plain model).
    static func tables(of model: any Model.Type) -> [Table] {
        var out: [Table] = []
        for t in model.mapping.tables where !out.contains(where: { $0 === t.table }) { out.append(t.table) }
        return out
    }

    /// The property index of column `name` of `table`, one of `model`'s tables.
    static func property(_ model: any Model.Type, _ table: Table, _ name: String) -> Int? {
        guard let mapped = model.mapping.tables.first(where: { $0.table === table }), let c = table.position(of: name) else { return nil }
        return mapped.properties[c]
    }

    static func resolve(_ d: RelationshipDeclaration, of owner: any ModelRelationships.Type) throws -> Relationship {
        let here = "\(owner).\(d.name)"
        let ownerTables = tables(of: owner)
        let targetTables = tables(of: d.target)
        let ownerTable = owner.mapping.table
        let targetTable = d.target.mapping.table
        func fail(_ message: String) -> RelationshipConfigurationError { RelationshipConfigurationError("\(here): \(message)") }
        func accepted(_ fk: ForeignKeyConstraint, in table: Table) -> Bool {
            d.foreignKeys.isEmpty || fk.columns.allSatisfy { c in d.foreignKeys.contains(c) || d.foreignKeys.contains(table.name + "." + c) }
        }
        func refers(_ fk: ForeignKeyConstraint, to referred: Table) -> Bool {
            fk.referredTable == referred.name && (fk.referredSchema ?? referred.schema) == referred.schema
        }
        /// The foreign keys of `table` referring to `referred`, kept to those among
        /// `foreignKeys:` when it is given.
        func keys(in table: Table, to referred: Table) -> [ForeignKeyConstraint] {
            table.foreignKeys.filter { refers($0, to: referred) && accepted($0, in: table) }
        }
        /// The foreign keys from `model`'s tables to `others`, without the keys that join
        /// a joined-table subclass's table to its parent's (inheritance, not a relationship).
        func links(from model: any Model.Type, _ tables: [Table], to others: [Table]) -> [Link] {
            var out: [Link] = []
            for (i, table) in tables.enumerated() {
                let ownKey = Set(table.primaryKey?.columns ?? [])
                for fk in table.foreignKeys where accepted(fk, in: table) {
                    if i > 0, model.mapping.inheritance != nil, Set(fk.columns) == ownKey,
                        tables.contains(where: { refers(fk, to: $0) }) { continue }
                    for referred in others where refers(fk, to: referred) { out.append(Link(table: table, key: fk, referred: referred)) }
                }
            }
            return out
        }
        func pairs(_ fk: ForeignKeyConstraint, referring: Table) -> [ColumnPair] {
            let referred = fk.referredColumns.isEmpty ? (referring.primaryKey?.columns ?? []) : fk.referredColumns
            return zip(fk.columns, referred).map { ColumnPair(local: $0, remote: $1) }
        }
        func properties(_ model: any Model.Type, _ table: Table, _ names: [String]) throws -> [Int] {
            try names.map { name in
                guard let p = property(model, table, name) else {
                    throw fail("column '\(name)' of '\(table.name)' is not a mapped property of \(model)")
                }
                return p
            }
        }
        let hint = d.foreignKeys.isEmpty ? "" : " among foreignKeys \(d.foreignKeys)"

        if let name = d.secondary {
            guard let secondary = d.metadata.table(name) else {
                throw fail("secondary table '\(name)' is not in the model's MetaData; declare it with Table(\"\(name)\", ...) before configuring")
            }
            if ownerTable === targetTable {
                throw fail("a self-referential many-to-many (both foreign keys of '\(name)' refer to '\(ownerTable.name)') is not supported yet")
            }
            let toOwner = ownerTables.flatMap { t in keys(in: secondary, to: t).map { (t, $0) } }
            let toTarget = targetTables.flatMap { t in keys(in: secondary, to: t).map { (t, $0) } }
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
            let (ownerSideTable, ownerKey) = toOwner[0], (targetSideTable, targetKey) = toTarget[0]
            let ownerSide = pairs(ownerKey, referring: ownerSideTable).map { ColumnPair(local: $0.remote, remote: $0.local) }
            let targetSide = pairs(targetKey, referring: targetSideTable).map { ColumnPair(local: $0.remote, remote: $0.local) }
            return Relationship(
                declaration: d, owner: owner, direction: .manyToMany, pairs: ownerSide, secondary: secondary, secondaryPairs: targetSide,
                ownerTable: ownerSideTable, targetTable: targetSideTable,
                ownerProperties: try properties(owner, ownerSideTable, ownerSide.map(\.local)),
                targetProperties: try properties(d.target, targetSideTable, targetSide.map(\.local)))
        }

        let outward = links(from: owner, ownerTables, to: targetTables)      // many-to-one candidates
        let inward = links(from: d.target, targetTables, to: ownerTables)    // one-to-many candidates
        // Self-referential (a tree, or two classes of one single-table hierarchy): the
        // same foreign key serves both directions; the Swift type says which end this
        // property is (parent: T? or children: [T]).
        let selfReferential = outward.contains { o in inward.contains { $0.table === o.table && $0.key == o.key } }
        let direction: RelationshipDirection
        if selfReferential {
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
        guard candidates.count == 1, let link = candidates.first else {
            if candidates.isEmpty {
                if d.isCollection && !outward.isEmpty && !selfReferential {
                    throw fail(
                        "the foreign key is in '\(outward[0].table.name)' (to '\(outward[0].referred.name)'), which makes a many-to-one; declare the property as \(d.target)?, or the collection on \(d.target)")
                }
                throw fail(
                    "no foreign key joins '\(ownerTable.name)' and '\(targetTable.name)'\(hint); add @Column(foreignKey: ...) or use secondary: for a many-to-many")
            }
            let names = candidates.map { $0.key.columns.joined(separator: ", ") }.joined(separator: "; ")
            throw fail(
                "\(candidates.count) foreign keys could join '\(ownerTable.name)' and '\(targetTable.name)' (\(names)); name the one to use with foreignKeys:")
        }
        if direction == .manyToOne {
            let p = pairs(link.key, referring: link.referred)
            return Relationship(
                declaration: d, owner: owner, direction: .manyToOne, pairs: p, secondary: nil, secondaryPairs: [],
                ownerTable: link.table, targetTable: link.referred,
                ownerProperties: try properties(owner, link.table, p.map(\.local)),
                targetProperties: try properties(d.target, link.referred, p.map(\.remote)))
        }
        let flipped = pairs(link.key, referring: link.referred).map { ColumnPair(local: $0.remote, remote: $0.local) }
        return Relationship(
            declaration: d, owner: owner, direction: .oneToMany, pairs: flipped, secondary: nil, secondaryPairs: [],
            ownerTable: link.referred, targetTable: link.table,
            ownerProperties: try properties(owner, link.referred, flipped.map(\.local)),
            targetProperties: try properties(d.target, link.table, flipped.map(\.remote)))
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
