/// Finds the `$n` placeholders of PostgreSQL SQL text, skipping string literals,
/// quoted identifiers, dollar-quoted strings and comments.
enum PostgreSQLPlaceholders {
    /// The highest placeholder number in `sql` (0 when there is none).
    static func highest(in sql: String) -> Int {
        let b = Array(sql.utf8)
        var i = 0
        var highest = 0
        func isWordByte(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c >= 0x80
        }
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                // 'text' with '' doubled (E'...' may escape with a backslash), "identifier".
                let escapes = c == UInt8(ascii: "'") && i > 0 && (b[i - 1] | 0x20) == UInt8(ascii: "e")
                    && (i < 2 || !isWordByte(b[i - 2]))
                i += 1
                while i < b.count {
                    if escapes, b[i] == UInt8(ascii: "\\") { i += 2; continue }
                    if b[i] == c {
                        if i + 1 < b.count, b[i + 1] == c { i += 2; continue }
                        break
                    }
                    i += 1
                }
                i += 1
            case UInt8(ascii: "-") where i + 1 < b.count && b[i + 1] == UInt8(ascii: "-"):
                while i < b.count, b[i] != 0x0A { i += 1 }
            case UInt8(ascii: "/") where i + 1 < b.count && b[i + 1] == UInt8(ascii: "*"):
                var depth = 0
                while i < b.count {
                    if b[i] == UInt8(ascii: "/"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "*") { depth += 1; i += 2; continue }
                    if b[i] == UInt8(ascii: "*"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "/") {
                        depth -= 1
                        i += 2
                        if depth == 0 { break }
                        continue
                    }
                    i += 1
                }
            case UInt8(ascii: "$"):
                if i > 0, isWordByte(b[i - 1]) { i += 1; continue }  // part of an identifier: a$1
                var j = i + 1
                var n = 0
                while j < b.count, b[j] >= 0x30, b[j] <= 0x39 { n = n &* 10 &+ Int(b[j] - 0x30); j += 1 }
                if j > i + 1 {
                    highest = max(highest, n)
                    i = j
                    continue
                }
                // A dollar quote, $$...$$ or $tag$...$tag$.
                while j < b.count, isWordByte(b[j]) { j += 1 }
                guard j < b.count, b[j] == UInt8(ascii: "$") else { i += 1; continue }
                let tag = b[i...j]
                var k = j + 1
                while k + tag.count <= b.count, !b[k..<(k + tag.count)].elementsEqual(tag) { k += 1 }
                i = k + tag.count
            default:
                i += 1
            }
        }
        return highest
    }
}
