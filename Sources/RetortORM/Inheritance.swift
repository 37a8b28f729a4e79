import Foundation
import RetortCore

// Inheritance hierarchies (SQLAlchemy's single-table and joined-table inheritance).
//
// A hierarchy is a root class `@Model(table:polymorphicOn:identity:subclasses:)` and
// subclasses `@Model(inherits:identity:)` (single-table: their columns join the parent's
// table, nullable) or `@Model(inherits:identity:table:)` (joined-table: a table of their
// own, keyed by the parent's primary key). Every class's mapping lists the tables its
// properties live in (``ModelMapping/tables``); the hierarchy as a whole (``Hierarchy``)
// knows the one SELECT that reads any of its rows: the root table LEFT OUTER JOINed to
// every subclass table, whose discriminator column says which class each row is.

/// A class's place in an inheritance hierarchy; `@Model` writes it.
public struct ModelInheritance: Sendable {
    /// The root class of the hierarchy.
    let root: ModelTypeBox
    /// The superclass; nil for the root.
    let parent: ModelTypeBox
    /// The discriminator value of this class's rows (nil: an abstract root, no rows of its own).
    public let identity: String?
    /// The index of the discriminator property (a property of the root).
    public let discriminator: Int
    /// The direct subclasses, as `@Model(subclasses:)` lists them.
    let subclasses: [ModelTypeBox]
    /// True when the class has a table of its own (the root, and joined-table subclasses).
    public let ownTable: Bool
}

extension ModelMapping {
    /// A table's elements: `own` (its columns, constraints, indexes), then the columns
    /// its single-table subclasses add (`@Model` writes the call).
    public static func tableElements(_ own: [any TableElement], _ children: [[Column]]) -> [any TableElement] {
        var all = own
        for c in children { all += c.map { $0 as any TableElement } }
        return all
    }

    /// The columns a single-table subclass adds to its parent's table: its own, then
    /// its single-table subclasses'.
    public static func tableColumns(_ own: [Column], _ children: [[Column]]) -> [Column] {
        own + children.flatMap { $0 }
    }

    /// The mapping of the root class of an inheritance hierarchy: `table` holds the
    /// root's properties (its first `propertyNames.count` columns, in property order)
    /// and then the columns of single-table subclasses. `polymorphicOn` names the
    /// discriminator property; `identity` is the root's own discriminator value.
    ///
    /// `versionId` names the version counter (a property of the root, in the root's
    /// table): every UPDATE of an instance of any class of the hierarchy checks and bumps
    /// it there, even one that changes only a subclass's table.
    public init(root model: any Model.Type, table: Table, propertyNames: [String], polymorphicOn: String,
                identity: String?, subclasses: [AnyObject.Type], versionId: String? = nil) {
        let count = propertyNames.count
        guard let discriminator = propertyNames.firstIndex(of: polymorphicOn) else {
            preconditionFailure("Retort: \(model) is polymorphicOn '\(polymorphicOn)', which is not one of its mapped properties")
        }
        let names = table.columns.prefix(count).map(\.name)
        let primaryKey = (table.primaryKey?.columns ?? []).compactMap { names.firstIndex(of: $0) }
        let properties: [Int?] = table.columns.indices.map { $0 < count ? $0 : nil }
        self.init(
            table: table, propertyNames: propertyNames, primaryKey: primaryKey,
            autoincrement: table.columns.prefix(count).firstIndex { $0.autoincrement },
            version: versionId.flatMap { propertyNames.firstIndex(of: $0) },
            tables: [MappedTable(table, properties: properties, propertyCount: count)],
            inheritance: ModelInheritance(
                root: ModelTypeBox(model), parent: ModelTypeBox(nil), identity: identity, discriminator: discriminator,
                subclasses: subclasses.map { ModelTypeBox(Self.model($0, under: model)) }, ownTable: true),
            identityModel: model)
    }

    /// The mapping of a subclass in an inheritance hierarchy: its inherited properties
    /// (the parent's, same indices) then its own (`propertyNames`, stored in `columns`).
    ///
    /// With `table` nil (single-table), the columns are the parent's table's (the root's
    /// `@Model` put them there). With a table name (joined-table), the class gets a
    /// table of its own: the parent's primary-key columns (a foreign key to the parent's
    /// table) then `columns` and `elements` (its own single-table subclasses' columns,
    /// constraints, indexes).
    public init(inheriting parentType: any Model.Type, model: any Model.Type, identity: String?, propertyNames own: [String],
                columns: [Column], table name: String?, metadata: MetaData, elements: [any TableElement] = [],
                subclasses: [AnyObject.Type] = [], schema: String? = nil, comment: String? = nil) {
        let parent = parentType.mapping
        guard let parentInheritance = parent.inheritance else {
            preconditionFailure("Retort: \(model) inherits \(parentType), which is not polymorphic: give it @Model(polymorphicOn:)")
        }
        let inherited = parent.propertyNames.count
        let count = inherited + own.count
        var tables = parent.tables.map { MappedTable($0.table, properties: $0.properties, propertyCount: count) }
        if let name {
            let parentTable = parent.tables.last!
            var keyColumns: [Column] = []
            var properties: [Int?] = []
            for p in parent.primaryKey {
                let c = parentTable.table.columns[parentTable.column(ofProperty: p)!]
                keyColumns.append(Column(
                    c.name, c.type, primaryKey: true, autoincrement: false,
                    foreignKey: parentTable.table.fullName + "." + c.name, onDelete: .cascade))
                properties.append(p)
            }
            let all: [any TableElement] = keyColumns.map { $0 as any TableElement } + columns.map { $0 as any TableElement } + elements
            let table = Table(name, metadata, elements: all, schema: schema, comment: comment)
            for c in table.columns.dropFirst(keyColumns.count) {
                properties.append(columns.firstIndex { $0.name == c.name }.map { inherited + $0 })
            }
            tables.append(MappedTable(table, properties: properties, propertyCount: count))
        } else {
            let last = tables.removeLast()
            var properties = last.properties
            for (j, c) in columns.enumerated() {
                guard let at = last.table.position(of: c.name) else {
                    preconditionFailure("Retort: \(model)'s column '\(c.name)' is not in table '\(last.table.fullName)': "
                        + "list \(model).self in \(parentType)'s @Model(subclasses:)")
                }
                properties[at] = inherited + j
            }
            tables.append(MappedTable(last.table, properties: properties, propertyCount: count))
        }
        self.init(
            table: parent.table, propertyNames: parent.propertyNames + own, primaryKey: parent.primaryKey,
            autoincrement: parent.autoincrement, version: parent.version, tables: tables,
            inheritance: ModelInheritance(
                root: parentInheritance.root, parent: ModelTypeBox(parentType), identity: identity,
                discriminator: parentInheritance.discriminator, subclasses: subclasses.map { ModelTypeBox(Self.model($0, under: model)) },
                ownTable: name != nil),
            identityModel: parentInheritance.root.type!)
    }
}

extension Model {
    /// Whether `object` is an instance of this class (or, in a hierarchy, of a subclass).
    static func isInstance(_ object: AnyObject) -> Bool { object is Self }
}

extension ModelMapping {
    /// `subclass` (named in `parent`'s `@Model(subclasses:)`) as a model type.
    static func model(_ subclass: AnyObject.Type, under parent: any Model.Type) -> any Model.Type {
        guard let m = subclass as? any Model.Type, isSubclass(subclass, of: parent) else {
            preconditionFailure("Retort: \(parent) lists \(subclass) in @Model(subclasses:), but it is not a @Model subclass of \(parent)")
        }
        return m
    }

    private static func isSubclass(_ type: AnyObject.Type, of parent: any Model.Type) -> Bool {
        var t: AnyClass? = type
        while let c = t {
            if ObjectIdentifier(c) == ObjectIdentifier(parent) { return true }
            t = _getSuperclass(c)
        }
        return false
    }
}

/// An inheritance hierarchy as the loader reads it: the SELECT of any of its rows, and
/// for each class where its properties are in that SELECT's row.
final class Hierarchy: @unchecked Sendable {
    // @unchecked Sendable: immutable once built. `byType` and `byIdentity` are `var` only
    // to be filled in `init`; the metatypes and expressions it holds are never mutated.
    /// One class of the hierarchy.
    struct Class {
        let type: any Model.Type
        let identity: String?
        /// The row position (in ``columns``) of each of the class's properties.
        let positions: [Int]
        /// The discriminator values of this class and every class below it.
        let identities: [String]
        /// The property names, for the rows the loader builds.
        let names: ResultColumns
    }

    let root: any Model.Type
    /// The root table LEFT OUTER JOIN each joined-table subclass's table.
    let from: any FromClause
    /// Every column of the hierarchy's tables, in row order: the root table's, then
    /// each subclass table's own (not its key), depth first.
    let columns: [any SelectItem]
    /// The row position of the discriminator.
    let discriminator: Int
    let discriminatorColumn: SQLExpression<Untyped>
    private(set) var classes: [Class] = []
    /// The row position of each column of each table (a subclass table's key columns:
    /// the root's, which hold the same values).
    private let layout: [ObjectIdentifier: [String: Int]]
    /// The joined-table subclasses' tables, each with its ON condition, in join order.
    let joins: [(table: Table, on: SQLExpression<Bool>)]
    private var byType: [ObjectIdentifier: Int] = [:]
    private var byIdentity: [String: Int] = [:]

    private init(root: any Model.Type) {
        self.root = root
        let mapping = root.mapping
        let rootTable = mapping.table
        var from: any FromClause = rootTable
        var columns: [any SelectItem] = rootTable.columns.map { rootTable.c[$0.name] }
        var layout: [ObjectIdentifier: [String: Int]] = [:]
        layout[ObjectIdentifier(rootTable)] = Dictionary(uniqueKeysWithValues: rootTable.columns.enumerated().map { ($1.name, $0) })
        var order: [any Model.Type] = []
        var joins: [(table: Table, on: SQLExpression<Bool>)] = []
        func visit(_ type: any Model.Type) {
            order.append(type)
            let m = type.mapping
            if ObjectIdentifier(type) != ObjectIdentifier(root), m.inheritance!.ownTable, let own = m.tables.last {
                let t = own.table
                // ON the parent table's key (explicit: the subclass table may have other
                // foreign keys to the hierarchy's tables).
                let on = Self.keyJoin(parent: m.tables[m.tables.count - 2], child: own)
                from = from.outerJoin(t, on: on)
                joins.append((t, on))
                var positions: [String: Int] = [:]
                for c in t.columns where !c.primaryKey {
                    positions[c.name] = columns.count
                    columns.append(t.c[c.name])
                }
                layout[ObjectIdentifier(t)] = positions
            }
            for s in m.inheritance!.subclasses { visit(s.type!) }
        }
        visit(root)
        self.layout = layout
        self.joins = joins
        self.from = from
        self.columns = columns
        discriminator = mapping.inheritance!.discriminator
        discriminatorColumn = rootTable.c[rootTable.columns[discriminator].name]
        for type in order {
            let m = type.mapping
            var positions = [Int](repeating: -1, count: m.propertyNames.count)
            for t in m.tables {
                for (c, p) in t.properties.enumerated() {
                    guard let p, positions[p] < 0, let at = layout[ObjectIdentifier(t.table)]?[t.table.columns[c].name] else { continue }
                    positions[p] = at
                }
            }
            var identities: [String] = []
            func below(_ t: any Model.Type) {
                if let i = t.mapping.inheritance!.identity { identities.append(i) }
                for s in t.mapping.inheritance!.subclasses { below(s.type!) }
            }
            below(type)
            let identity = m.inheritance!.identity
            byType[ObjectIdentifier(type)] = classes.count
            if let identity { byIdentity[identity] = classes.count }
            classes.append(Class(
                type: type, identity: identity, positions: positions, identities: identities,
                names: ResultColumns(m.propertyNames)))
        }
    }

    private nonisolated(unsafe) static var cache: [ObjectIdentifier: Hierarchy] = [:]
    private static let lock = NSLock()

    /// The hierarchy `model` belongs to (built once per root).
    static func of(_ model: any Model.Type) -> Hierarchy {
        let root = model.mapping.inheritance!.root.type!
        lock.lock()
        defer { lock.unlock() }
        if let h = cache[ObjectIdentifier(root)] { return h }
        let h = Hierarchy(root: root)
        cache[ObjectIdentifier(root)] = h
        return h
    }

    /// The class `model`.
    func info(_ model: any Model.Type) -> Class { classes[byType[ObjectIdentifier(model)]!] }

    /// The class whose rows carry `identity` in the discriminator; an unknown value is
    /// an error that names it.
    func info(identity value: SQLValue) throws -> Class {
        if case .text(let s) = value, let i = byIdentity[s] { return classes[i] }
        let known = classes.compactMap(\.identity).map { "'\($0)'" }.joined(separator: ", ")
        throw InvalidRequestError(
            "a row of \(root) has discriminator \(root.mapping.table.columns[discriminator].name) = \(value), "
                + "which no class of the hierarchy claims (known: \(known)); add a subclass with that identity, or fix the row")
    }

    /// `SELECT <every column> FROM <root> LEFT OUTER JOIN <subclass tables>`, limited to
    /// the rows of `model` and its subclasses when it is not the root.
    func select(_ model: any Model.Type) -> Select {
        var s = RetortCore.select(columns).selectFrom(from)
        if let c = classCondition(model) { s = s.where(c) }
        return s
    }

    /// `discriminator IN (<identities of model and its subclasses>)`; nil for the root.
    func classCondition(_ model: any Model.Type) -> SQLExpression<Bool>? {
        ObjectIdentifier(model) == ObjectIdentifier(root) ? nil : discriminatorColumn.in(info(model).identities)
    }

    /// `parent.key = child.key`, column by column.
    private static func keyJoin(parent: MappedTable, child: MappedTable) -> SQLExpression<Bool> {
        and(zip(parent.keyColumns, child.keyColumns).map { p, c in
            parent.table.c[parent.table.columns[p].name] == child.table.c[child.table.columns[c].name]
        })
    }

    /// Whether instances of class `c` store properties in `table`.
    func usesTable(_ c: Class, _ table: Table) -> Bool {
        c.type.mapping.tables.contains { $0.table === table }
    }

    /// Whether `table` is one of the hierarchy's tables.
    func contains(_ table: Table) -> Bool {
        layout[ObjectIdentifier(table)] != nil
    }

    /// `core` with the hierarchy's subclass tables outer-joined to the FROM element that
    /// holds its root table (a multi-model SELECT of a hierarchy class: the element may
    /// hold joins the user wrote), or with the hierarchy's FROM added when no element
    /// holds the root table.
    func completingFrom(_ core: Select) -> Select {
        let rootNode = FromNode.table(root.mapping.table)
        guard let i = core.froms.firstIndex(where: { $0.flattened.contains { $0.identity == rootNode.identity } }) else {
            return core.selectFrom(from)
        }
        var s = core
        // Core's join extends the last FROM element: make it the one with the root.
        s.froms.append(s.froms.remove(at: i))
        for (t, on) in joins { s = s.outerJoin(t, on: on) }
        return s
    }

    /// The row position of column `name` of `table`, one of the hierarchy's tables.
    func position(of name: String, in table: Table) -> Int {
        if let at = layout[ObjectIdentifier(table)]?[name] { return at }
        // A subclass table's key column: the root's key holds its value.
        return layout[ObjectIdentifier(root.mapping.table)]![name]!
    }

    /// The row of `info`'s properties, in property order, from a row of ``select(_:)``.
    func propertyRow(_ info: Class, _ row: RowSource, offset: Int) -> Row {
        Row(values: info.positions.map { row[offset + $0] }, columns: info.names)
    }
}
