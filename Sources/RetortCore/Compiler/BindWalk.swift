import Foundation

/// The walk over every bound value of a statement, in one fixed order.
///
/// The compiled-statement cache relies on it twice: on a miss it *tags* a copy of the
/// statement (each ``BoundValue`` learns its slot number) and compiles that copy into
/// a template whose placeholders name slots; on a hit it *extracts* the values of the
/// new statement in the same order and fills the slots. Because both passes are this
/// one function, the order cannot drift from itself; and the compiler refuses to
/// template a value without a slot, so a construct this walk missed is compiled
/// afresh rather than cached wrongly. Every `switch` here is exhaustive on purpose.
///
/// The same walk *spells* the statement's shape for the extractor (see
/// ``StatementShape``): every part that statement equality compares is written as
/// words, tag before contents, so that the cache key is a flat buffer compared with
/// one loop instead of a tree compared node by node.
///
/// The walk itself is in BindWalk+Expressions.swift and BindWalk+Statements.swift,
/// the shape spelling in BindWalk+Shape.swift.
package protocol BindVisitor {
    /// True when the walk writes the visited values back (tagging).
    static var rewrites: Bool { get }
    /// True when the visitor takes in the shape (``mix(_:)-(Int)``, ...); the walk skips
    /// the work of spelling it for the others.
    static var spellsShape: Bool { get }
    mutating func visit(_ value: inout BoundValue)
    /// The values of an expanding IN (one slot for the whole list).
    mutating func visit(_ list: inout ExpandingList)
    /// Takes in one word of the statement's shape: a node's tag, a count, a column's
    /// position, a table's identity.
    mutating func mix(_ piece: Int)
    /// Takes in a name or a piece of SQL text of the shape.
    mutating func mix(_ text: String)
    /// Notes a part of the shape the walk does not spell (an inline literal, a text
    /// clause, an INSERT's upsert clause): the key then also compares the trees.
    mutating func mixUnspelled()
}

extension BindVisitor {
    package static var spellsShape: Bool { false }
    @inline(__always) package mutating func mix(_ piece: Int) {}
    @inline(__always) package mutating func mix(_ text: String) {}
    @inline(__always) package mutating func mixUnspelled() {}

    @inline(__always) mutating func mix(_ flag: Bool) { mix(flag ? 1 : 0) }

    /// An optional type: 0 for none, else the type's tag and its contents.
    mutating func mix(type: SQLType?) {
        guard Self.spellsShape, let type else { return mix(0) }
        switch type {
        case .integer: mix(1)
        case .bigint: mix(2)
        case .smallint: mix(3)
        case .string(let n):
            mix(4)
            mix(optional: n)
        case .text: mix(5)
        case .boolean: mix(6)
        case .float: mix(7)
        case .double: mix(8)
        case .numeric(let p, let s):
            mix(9)
            mix(optional: p)
            mix(optional: s)
        case .date: mix(10)
        case .datetime(let tz):
            mix(11)
            mix(tz)
        case .time: mix(12)
        case .binary: mix(13)
        case .json: mix(14)
        case .uuid: mix(15)
        case .enum(let name, let values):
            mix(16)
            mix(name)
            mix(strings: values)
        case .sql(let spelling):
            mix(17)
            mix(spelling)
        }
    }

    @inline(__always) mutating func mix(optional n: Int?) {
        if let n {
            mix(1)
            mix(n)
        } else {
            mix(0)
        }
    }

    mutating func mix(optional text: String?) {
        if let text {
            mix(1)
            mix(text)
        } else {
            mix(0)
        }
    }

    mutating func mix(strings: [String]) {
        mix(strings.count)
        for s in strings { mix(s) }
    }

}

/// Collects the bound values of a statement, and spells its shape on the way (see
/// ``StatementShape``): the one walk the cache needs for the values gives it the key too.
package struct BindExtractor: BindVisitor {
    package static var rewrites: Bool { false }
    package static var spellsShape: Bool { true }
    package var values: [BoundValue] = []
    package var lists: [ExpandingList] = []
    package var shape = StatementShape()
    package init() { values.reserveCapacity(8) }

    /// Empties the extractor for the next walk, keeping its storage.
    package mutating func removeAll() {
        if !values.isEmpty { values.removeAll(keepingCapacity: true) }
        if !lists.isEmpty { lists.removeAll(keepingCapacity: true) }
        shape.removeAll()
    }
    package mutating func visit(_ value: inout BoundValue) { values.append(value) }
    package mutating func visit(_ list: inout ExpandingList) { lists.append(list) }
    @inline(__always) package mutating func mix(_ piece: Int) { shape.append(UInt64(bitPattern: Int64(piece))) }
    package mutating func mix(_ text: String) { shape.append(text) }
    package mutating func mixUnspelled() {
        shape.treeCompared = true
        shape.append(UInt64.max)
    }
}

/// Numbers the bound values of a statement (and collects them).
package struct BindTagger: BindVisitor {
    package static var rewrites: Bool { true }
    package var values: [BoundValue] = []
    package var lists: [ExpandingList] = []
    package init() {}
    package mutating func visit(_ value: inout BoundValue) {
        value.slot = values.count
        values.append(value)
    }
    package mutating func visit(_ list: inout ExpandingList) {
        list.slot = lists.count
        lists.append(list)
    }
}
