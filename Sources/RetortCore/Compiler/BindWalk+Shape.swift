import Foundation

// The shape spelling of the bind walk: the flat key the compiled-statement cache
// compares (``StatementShape``), the tags each node writes, and the codes of the
// operators, keywords and names that statement equality compares. See BindWalk.swift.

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

/// The tags the shape spelling writes. Expression tags are never 0, which stands for
/// an absent optional expression.
enum ShapeTag {
    static let absent = 0
    static let present = 1
    // FromNode
    static let table = 101, alias = 102, subquery = 103, cte = 104, join = 105, values = 106
}

extension UnaryOperator {
    var code: Int {
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
    var code: Int {
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
    var code: Int {
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
    var code: Int {
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
    var code: Int {
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
    func spell<V: BindVisitor>(_ v: inout V) {
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
    func spell<V: BindVisitor>(_ v: inout V) {
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
    func spell<V: BindVisitor>(_ v: inout V) {
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
    @inline(__always) func spell<V: BindVisitor>(_ v: inout V) {
        guard V.spellsShape else { return }
        v.mix(type: type)
        v.mix(inline)
        if inline { v.mixUnspelled() }
    }
}
