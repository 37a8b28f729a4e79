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

/// The flat spelling of a statement's shape, written by ``BindExtractor`` in its walk:
/// what the compiled-statement cache keys on.
///
/// Exact by construction: each node writes a tag (distinct among the cases that may
/// stand at its place) and then every field that statement equality compares (table
/// identities, column positions, names, labels, aliases, operators, types, list
/// lengths, flags), strings with their length in front. So the spelling is prefix-free,
/// and two statements with equal words have equal shapes: they compile to the same SQL.
/// What the walk does not spell it marks (``treeCompared``); such keys compare the
/// statements themselves as well. Bound values are left out, as equality leaves them
/// out.
package struct StatementShape: Sendable {
    package var words: [UInt64] = []
    /// FNV-1a over ``words``, accumulated as they are written.
    package var hash: UInt64 = StatementShape.emptyHash
    /// The FNV-1a offset basis: the hash of no words.
    private static let emptyHash: UInt64 = 0xCBF2_9CE4_8422_2325
    /// Set when some part was not spelled: equal words then do not prove equal shapes.
    package var treeCompared = false

    package init() { words.reserveCapacity(48) }

    /// Back to empty, keeping the words' storage for the next statement.
    package mutating func removeAll() {
        if !words.isEmpty { words.removeAll(keepingCapacity: true) }
        hash = StatementShape.emptyHash
        treeCompared = false
    }

    @inline(__always) mutating func append(_ word: UInt64) {
        words.append(word)
        hash = (hash ^ word) &* 0x0000_0100_0000_01B3
    }

    mutating func append(_ text: String) {
        let utf8 = text.utf8
        append(UInt64(utf8.count))
        var word: UInt64 = 0
        var shift: UInt64 = 0
        for byte in utf8 {
            word |= UInt64(byte) << shift
            shift += 8
            if shift == 64 {
                append(word)
                word = 0
                shift = 0
            }
        }
        if shift != 0 { append(word) }
    }

    /// Equal words (the hash is a function of them, checked first as a shortcut).
    @inline(__always) package static func sameWords(_ a: StatementShape, _ b: StatementShape) -> Bool {
        guard a.hash == b.hash, a.words.count == b.words.count else { return false }
        return a.words.withUnsafeBufferPointer { pa in
            b.words.withUnsafeBufferPointer { pb in
                pa.baseAddress == pb.baseAddress
                    || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count * MemoryLayout<UInt64>.stride) == 0
            }
        }
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

/// The tags the shape spelling writes. Expression tags are never 0, which stands for
/// an absent optional expression.
private enum Tag {
    static let absent = 0
    static let present = 1
    // FromNode
    static let table = 101, alias = 102, subquery = 103, cte = 104, join = 105, values = 106
}

extension UnaryOperator {
    fileprivate var code: Int {
        switch self {
        case .not: return 1
        case .negative: return 2
        case .distinct: return 3
        case .bitwiseNot: return 4
        }
    }
}

extension BinaryOperator {
    /// A number per operator; a custom one is followed by its spelling.
    fileprivate var code: Int {
        switch self {
        case .equal: return 1
        case .notEqual: return 2
        case .less: return 3
        case .lessOrEqual: return 4
        case .greater: return 5
        case .greaterOrEqual: return 6
        case .isDistinctFrom: return 7
        case .isNotDistinctFrom: return 8
        case .add: return 9
        case .subtract: return 10
        case .multiply: return 11
        case .divide: return 12
        case .modulo: return 13
        case .concat: return 14
        case .bitwiseAnd: return 15
        case .bitwiseOr: return 16
        case .custom: return 17
        }
    }
}

extension SQLKeyword {
    fileprivate var code: Int {
        switch self {
        case .null: return 1
        case .true: return 2
        case .false: return 3
        case .currentTimestamp: return 4
        case .currentDate: return 5
        case .currentTime: return 6
        case .default: return 7
        }
    }
}

extension KnownFunction {
    fileprivate var code: Int {
        switch self {
        case .now: return 1
        case .length: return 2
        case .random: return 3
        case .charLength: return 4
        case .groupConcat: return 5
        case .nextValue: return 6
        }
    }
}

extension JoinKind {
    fileprivate var code: Int {
        switch self {
        case .inner: return 1
        case .left: return 2
        case .right: return 3
        case .full: return 4
        case .cross: return 5
        }
    }
}

extension WindowFrame.Bound {
    fileprivate func spell<V: BindVisitor>(_ v: inout V) {
        switch self {
        case .unboundedPreceding: v.mix(1)
        case .preceding(let n):
            v.mix(2)
            v.mix(n)
        case .currentRow: v.mix(3)
        case .following(let n):
            v.mix(4)
            v.mix(n)
        case .unboundedFollowing: v.mix(5)
        }
    }
}

extension FromIdentity {
    fileprivate func spell<V: BindVisitor>(_ v: inout V) {
        switch self {
        case .table(let id):
            v.mix(1)
            v.mix(Int(bitPattern: id))
        case .named(let n):
            v.mix(2)
            v.mix(n)
        case .anonymous(let n):
            v.mix(3)
            v.mix(Int(truncatingIfNeeded: n))
        case .join(let a, let b):
            v.mix(4)
            a.spell(&v)
            b.spell(&v)
        }
    }
}

extension AliasName {
    fileprivate func spell<V: BindVisitor>(_ v: inout V) {
        switch self {
        case .named(let n):
            v.mix(1)
            v.mix(n)
        case .anonymous(let id, let base):
            v.mix(2)
            v.mix(Int(truncatingIfNeeded: id))
            v.mix(base)
        }
    }
}

extension BoundValue {
    /// What of a bound value is shape: its type, and whether it is written inline (an
    /// inline value's literal is not spelled; the key compares trees then).
    @inline(__always) fileprivate func spell<V: BindVisitor>(_ v: inout V) {
        guard V.spellsShape else { return }
        v.mix(type: type)
        v.mix(inline)
        if inline { v.mixUnspelled() }
    }
}

// MARK: The walk
//
// Each `walked(_:)` reads its node without copying it (a borrowed `self`, so the
// extractor's walk on every cache hit retains nothing it does not keep), and returns
// the node rebuilt with the visitor's changes, or nil when nothing changed (always
// nil for a visitor that does not rewrite). `walkBinds(_:)` applies the result in place.

extension ExpressionNode {
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        if let changed = walked(&v) { self = changed }
    }

    package func walked<V: BindVisitor>(_ v: inout V) -> ExpressionNode? {
        switch self {
        case .bind(let b):
            v.mix(2)
            b.spell(&v)
            var b = b
            v.visit(&b)
            return V.rewrites ? .bind(b) : nil
        case .column(let r):
            v.mix(1)
            v.mix(r.position)
            // A table's column is its table and position; the others are also their name and type.
            if V.spellsShape, r.position < 0 {
                v.mix(r.name)
                v.mix(type: r.type)
            }
            guard let from = r.from else {
                v.mix(Tag.absent)
                return nil
            }
            if case .table(let t) = from {
                // The common case, spelled here as FromNode's walk would: it binds nothing.
                v.mix(Tag.table)
                v.mix(Int(bitPattern: ObjectIdentifier(t)))
                return nil
            }
            guard let f = from.walked(&v) else { return nil }
            return .column(r.with(from: f))
        case .parameter(let name, let type):
            v.mix(3)
            v.mix(name)
            v.mix(type: type)
            return nil
        case .keyword(let k):
            v.mix(26)
            v.mix(k.code)
            return nil
        case .raw(let sql, let type):
            v.mix(27)
            v.mix(sql)
            v.mix(type: type)
            return nil
        case .text:
            v.mix(28)
            v.mixUnspelled()
            return nil
        case .excluded(let name):
            v.mix(29)
            v.mix(name)
            return nil
        case .invalid(let message):
            v.mix(30)
            v.mix(message)
            return nil
        case .unary(let op, let e):
            v.mix(4)
            v.mix(op.code)
            guard let ne = e.walked(&v) else { return nil }
            return .unary(op, ne)
        case .binary(let op, let l, let r):
            v.mix(5)
            v.mix(op.code)
            if V.spellsShape, case .custom(let spelling) = op { v.mix(spelling) }
            let nl = l.walked(&v)
            let nr = r.walked(&v)
            guard V.rewrites, nl != nil || nr != nil else { return nil }
            return .binary(op, nl ?? l, nr ?? r)
        case .like(let e, let p, let ci, let neg, let esc):
            v.mix(6)
            v.mix(ci)
            v.mix(neg)
            if V.spellsShape { v.mix(optional: esc.map { String($0) }) }
            let ne = e.walked(&v)
            let np = p.walked(&v)
            guard V.rewrites, ne != nil || np != nil else { return nil }
            return .like(ne ?? e, pattern: np ?? p, caseInsensitive: ci, negated: neg, escape: esc)
        case .conjunction(let k, let terms):
            v.mix(7)
            v.mix(k == .and)
            guard let nt = terms.walked(&v) else { return nil }
            return .conjunction(k, nt)
        case .inList(let e, let items, let neg):
            v.mix(8)
            v.mix(neg)
            let ne = e.walked(&v)
            let ni = items.walked(&v)
            guard V.rewrites, ne != nil || ni != nil else { return nil }
            return .inList(ne ?? e, ni ?? items, negated: neg)
        case .inExpanding(let e, let list, let neg):
            v.mix(neg ? 10 : 9)
            if V.spellsShape {
                // The list's length is not shape: one placeholder stands for the whole list.
                v.mix(optional: list.name)
                v.mix(type: list.type)
                v.mix(list.inline)
                if list.inline { v.mixUnspelled() }
            }
            let ne = e.walked(&v)
            var list = list
            v.visit(&list)
            return V.rewrites ? .inExpanding(ne ?? e, list, negated: neg) : nil
        case .inQuery(let e, let q, let neg):
            v.mix(11)
            v.mix(neg)
            let ne = e.walked(&v)
            let nq = q.walked(&v)
            guard V.rewrites, ne != nil || nq != nil else { return nil }
            return .inQuery(ne ?? e, nq ?? q, negated: neg)
        case .between(let e, let lo, let hi, let neg):
            v.mix(12)
            v.mix(neg)
            let ne = e.walked(&v)
            let nlo = lo.walked(&v)
            let nhi = hi.walked(&v)
            guard V.rewrites, ne != nil || nlo != nil || nhi != nil else { return nil }
            return .between(ne ?? e, nlo ?? lo, nhi ?? hi, negated: neg)
        case .isNull(let e, let neg):
            v.mix(neg ? 14 : 13)
            guard let ne = e.walked(&v) else { return nil }
            return .isNull(ne, negated: neg)
        case .function(let f):
            v.mix(15)
            guard let nf = f.walked(&v) else { return nil }
            return .function(nf)
        case .window(let e, let spec):
            v.mix(16)
            let ne = e.walked(&v)
            let np = spec.partitionBy.walked(&v)
            let no = spec.orderBy.walked(&v)
            if V.spellsShape {
                if let frame = spec.frame {
                    v.mix(Tag.present)
                    v.mix(frame.unit.rawValue)
                    frame.start.spell(&v)
                    if let end = frame.end {
                        v.mix(Tag.present)
                        end.spell(&v)
                    } else {
                        v.mix(Tag.absent)
                    }
                } else {
                    v.mix(Tag.absent)
                }
            }
            guard V.rewrites, ne != nil || np != nil || no != nil else { return nil }
            var s = spec
            if let np { s.partitionBy = np }
            if let no { s.orderBy = no }
            return .window(ne ?? e, s)
        case .caseWhen(let c):
            v.mix(17)
            var out = c
            var changed = false
            if let n = c.value.walked(&v) {
                out.value = n
                changed = true
            }
            v.mix(c.whens.count)
            for i in c.whens.indices {
                if let n = c.whens[i].condition.walked(&v) {
                    out.whens[i].condition = n
                    changed = true
                }
                if let n = c.whens[i].result.walked(&v) {
                    out.whens[i].result = n
                    changed = true
                }
            }
            if let n = c.otherwise.walked(&v) {
                out.otherwise = n
                changed = true
            }
            return V.rewrites && changed ? .caseWhen(out) : nil
        case .cast(let e, let t):
            v.mix(18)
            v.mix(type: t)
            guard let ne = e.walked(&v) else { return nil }
            return .cast(ne, t)
        case .label(let e, let name):
            v.mix(19)
            v.mix(name)
            guard let ne = e.walked(&v) else { return nil }
            return .label(ne, name)
        case .scalarSubquery(let q):
            v.mix(20)
            guard let nq = q.walked(&v) else { return nil }
            return .scalarSubquery(nq)
        case .quantified(let x, let op, let q, let operand):
            v.mix(q == .any ? 40 : 41)
            v.mix(op.code)
            if case .custom(let spelling) = op, V.spellsShape { v.mix(spelling) }
            let nx = x.walked(&v)
            switch operand {
            case .query(let query):
                v.mix(1)
                let nq = query.walked(&v)
                guard V.rewrites, nx != nil || nq != nil else { return nil }
                return .quantified(nx ?? x, op, q, .query(nq ?? query))
            case .list(var list):
                v.mix(2)
                if V.spellsShape {
                    v.mix(optional: list.name)
                    v.mix(type: list.type)
                    v.mix(list.inline)
                    if list.inline { v.mixUnspelled() }
                }
                v.visit(&list)
                return V.rewrites ? .quantified(nx ?? x, op, q, .list(list)) : nil
            }
        case .exists(let q, let neg):
            v.mix(21)
            v.mix(neg)
            guard let nq = q.walked(&v) else { return nil }
            return .exists(nq, negated: neg)
        case .grouping(let e):
            v.mix(22)
            guard let ne = e.walked(&v) else { return nil }
            return .grouping(ne)
        case .tuple(let items):
            v.mix(23)
            guard let ni = items.walked(&v) else { return nil }
            return .tuple(ni)
        case .star(let star):
            v.mix(24)
            guard let from = star else {
                v.mix(Tag.absent)
                return nil
            }
            guard let nf = from.walked(&v) else { return nil }
            return .star(nf)
        case .collate(let e, let c):
            v.mix(25)
            v.mix(c)
            guard let ne = e.walked(&v) else { return nil }
            return .collate(ne, c)
        }
    }
}

/// A part of a statement the walk goes through: `walked` returns the part rebuilt with
/// a rewriting visitor's changes, nil when nothing changed (always, for a visitor that
/// does not rewrite).
package protocol BindWalkable {
    func walked<V: BindVisitor>(_ v: inout V) -> Self?
}

extension ExpressionNode: BindWalkable {}
extension OrderingTerm: BindWalkable {}
extension FromNode: BindWalkable {}
extension CommonTableExpression: BindWalkable {}
extension QueryNode: BindWalkable {}

extension Array: BindWalkable where Element: BindWalkable {
    /// The count, then each element in order; copied at the first element that changes.
    package func walked<V: BindVisitor>(_ v: inout V) -> [Element]? {
        v.mix(count)
        var out: [Element]? = nil
        for i in indices {
            if let n = self[i].walked(&v) {
                if out == nil { out = self }
                out![i] = n
            }
        }
        return out
    }
}

extension OrderingTerm {
    package func walked<V: BindVisitor>(_ v: inout V) -> OrderingTerm? {
        if V.spellsShape {
            switch direction {
            case nil: v.mix(0)
            case .ascending?: v.mix(1)
            case .descending?: v.mix(2)
            }
            switch nulls {
            case nil: v.mix(0)
            case .first?: v.mix(1)
            case .last?: v.mix(2)
            }
        }
        guard let n = expression.walked(&v) else { return nil }
        var out = self
        out.expression = n
        return out
    }
}

extension Optional where Wrapped == ExpressionNode {
    /// The present expression rebuilt, or nil when absent or unchanged.
    package func walked<V: BindVisitor>(_ v: inout V) -> ExpressionNode? {
        guard let e = self else {
            v.mix(Tag.absent)
            return nil
        }
        return e.walked(&v)
    }
}

extension FunctionCall {
    package func walked<V: BindVisitor>(_ v: inout V) -> FunctionCall? {
        if V.spellsShape {
            v.mix(name)
            v.mix(star)
            v.mix(distinct)
            v.mix(type: type)
            if let known {
                v.mix(Tag.present)
                v.mix(known.code)
            } else {
                v.mix(Tag.absent)
            }
        }
        let na = arguments.walked(&v)
        let no = orderBy.walked(&v)
        let nf = filter.walked(&v)
        guard V.rewrites, na != nil || no != nil || nf != nil else { return nil }
        var out = self
        if let na { out.arguments = na }
        if let no { out.orderBy = no }
        if let nf { out.filter = nf }
        return out
    }
}

extension CommonTableExpression {
    package func walked<V: BindVisitor>(_ v: inout V) -> CommonTableExpression? {
        if V.spellsShape {
            v.mix(name)
            v.mix(recursive)
            if let columnNames {
                v.mix(Tag.present)
                v.mix(strings: columnNames)
            } else {
                v.mix(Tag.absent)
            }
            switch materialized {
            case nil: v.mix(0)
            case false?: v.mix(1)
            case true?: v.mix(2)
            }
        }
        guard let nq = query.walked(&v) else { return nil }
        var out = self
        out.query = nq
        return out
    }
}

extension FromNode {
    /// False for a plain table, which binds nothing.
    package var mayHoldValues: Bool {
        if case .table = self { return false }
        return true
    }

    package func walked<V: BindVisitor>(_ v: inout V) -> FromNode? {
        switch self {
        case .table(let t):
            // Its identity: the cache key holds the statement, so the table outlives the entry.
            v.mix(Tag.table)
            v.mix(Int(bitPattern: ObjectIdentifier(t)))
            return nil
        case .alias(let inner, let name):
            v.mix(Tag.alias)
            if V.spellsShape { name.spell(&v) }
            guard let ni = inner.walked(&v) else { return nil }
            return .alias(ni, name)
        case .subquery(let q, let name, let lateral):
            v.mix(Tag.subquery)
            if V.spellsShape { name.spell(&v) }
            v.mix(lateral)
            guard let nq = q.walked(&v) else { return nil }
            return .subquery(nq, name, lateral: lateral)
        case .cte(let c):
            v.mix(Tag.cte)
            guard let nc = c.walked(&v) else { return nil }
            return .cte(nc)
        case .values(let node):
            v.mix(Tag.values)
            if V.spellsShape {
                node.name.spell(&v)
                v.mix(strings: node.columns)
                for t in node.types { v.mix(type: t) }
            }
            guard let rows = node.rows.walked(&v) else { return nil }
            var out = node
            out.rows = rows
            return .values(out)
        case .join(let j):
            v.mix(Tag.join)
            v.mix(j.kind.code)
            let nl = j.left.walked(&v)
            let nr = j.right.walked(&v)
            let no = j.on.walked(&v)
            guard V.rewrites, nl != nil || nr != nil || no != nil else { return nil }
            var out = j
            if let nl { out.left = nl }
            if let nr { out.right = nr }
            if let no { out.on = no }
            return .join(out)
        }
    }
}

extension QueryNode {
    package func walked<V: BindVisitor>(_ v: inout V) -> QueryNode? {
        switch self {
        case .select(let s):
            v.mix(1)
            return s.walked(&v).map { .select($0) }
        case .compound(let c):
            v.mix(2)
            return c.walked(&v).map { .compound($0) }
        }
    }
}

extension Select {
    package func walked<V: BindVisitor>(_ v: inout V) -> Select? {
        var out: Select? = nil
        @inline(__always) func edit(_ change: (inout Select) -> Void) {
            if out == nil { out = self }
            change(&out!)
        }
        if let n = ctes.walked(&v) { edit { $0.ctes = n } }
        if let n = columns.walked(&v) { edit { $0.columns = n } }
        if let n = froms.walked(&v) { edit { $0.froms = n } }
        if let n = whereClause.walked(&v) { edit { $0.whereClause = n } }
        if let n = groupBy.walked(&v) { edit { $0.groupBy = n } }
        if let n = having.walked(&v) { edit { $0.having = n } }
        if let n = orderBy.walked(&v) { edit { $0.orderBy = n } }
        if let n = limit.walked(&v) { edit { $0.limit = n } }
        if let n = offset.walked(&v) { edit { $0.offset = n } }
        switch distinctMode {
        case .none: v.mix(0)
        case .all: v.mix(1)
        case .on(let exprs):
            v.mix(2)
            if let n = exprs.walked(&v) { edit { $0.distinctMode = .on(n) } }
        }
        if let lock {
            v.mix(Tag.present)
            if V.spellsShape {
                v.mix(lock.strength.rawValue)
                v.mix(lock.nowait)
                v.mix(lock.skipLocked)
            }
            if let n = lock.of.walked(&v) { edit { $0.lock!.of = n } }
        } else {
            v.mix(Tag.absent)
        }
        if V.spellsShape {
            switch correlation {
            case .auto: v.mix(0)
            case .none: v.mix(1)
            case .only(let ids):
                v.mix(2)
                v.mix(ids.count)
                for id in ids { id.spell(&v) }
            }
        }
        return V.rewrites ? out : nil
    }
}

extension CompoundSelect {
    package func walked<V: BindVisitor>(_ v: inout V) -> CompoundSelect? {
        var out: CompoundSelect? = nil
        @inline(__always) func edit(_ change: (inout CompoundSelect) -> Void) {
            if out == nil { out = self }
            change(&out!)
        }
        if V.spellsShape { v.mix(op.rawValue) }
        if let n = selects.walked(&v) { edit { $0.selects = n } }
        if let n = orderBy.walked(&v) { edit { $0.orderBy = n } }
        if let n = limit.walked(&v) { edit { $0.limit = n } }
        if let n = offset.walked(&v) { edit { $0.offset = n } }
        return V.rewrites ? out : nil
    }
}

extension Insert {
    package func walked<V: BindVisitor>(_ v: inout V) -> Insert? {
        var out: Insert? = nil
        @inline(__always) func edit(_ change: (inout Insert) -> Void) {
            if out == nil { out = self }
            change(&out!)
        }
        if V.spellsShape {
            v.mix(Int(bitPattern: ObjectIdentifier(table)))
            v.mix(strings: columnNames)
            v.mix(optional: problem)
        }
        if let n = rows.walked(&v) { edit { $0.rows = n } }
        if let q = query {
            v.mix(Tag.present)
            if let n = q.walked(&v) { edit { $0.query = n } }
        } else {
            v.mix(Tag.absent)
        }
        if let oc = onConflict {
            // The upsert clause (targets, constraint names, actions) is not spelled.
            v.mixUnspelled()
            if let n = oc.target?.predicate.walked(&v) { edit { $0.onConflict!.target!.predicate = n } }
            switch oc.action {
            case .nothing: break
            case .update(let cols, let values, let cond):
                let nv = values.walked(&v)
                let nc = cond.walked(&v)
                if V.rewrites, nv != nil || nc != nil {
                    edit { $0.onConflict!.action = .update(columns: cols, values: nv ?? values, where: nc ?? cond) }
                }
            }
        } else {
            v.mix(Tag.absent)
        }
        if let n = returning.walked(&v) { edit { $0.returning = n } }
        return V.rewrites ? out : nil
    }
}

extension Update {
    package func walked<V: BindVisitor>(_ v: inout V) -> Update? {
        if V.spellsShape {
            v.mix(strings: columnNames)
            v.mix(optional: problem)
        }
        let nt = target.walked(&v)
        let nv = values.walked(&v)
        let nw = whereClause.walked(&v)
        let nr = returning.walked(&v)
        guard V.rewrites, nt != nil || nv != nil || nw != nil || nr != nil else { return nil }
        var out = self
        if let nt { out.target = nt }
        if let nv { out.values = nv }
        if let nw { out.whereClause = nw }
        if let nr { out.returning = nr }
        return out
    }
}

extension Delete {
    package func walked<V: BindVisitor>(_ v: inout V) -> Delete? {
        let nt = target.walked(&v)
        let nw = whereClause.walked(&v)
        let nr = returning.walked(&v)
        guard V.rewrites, nt != nil || nw != nil || nr != nil else { return nil }
        var out = self
        if let nt { out.target = nt }
        if let nw { out.whereClause = nw }
        if let nr { out.returning = nr }
        return out
    }
}
