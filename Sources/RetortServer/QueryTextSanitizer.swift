/// Statement text for `db.query.text` with every literal value replaced by `?`, as
/// OpenTelemetry asks of query text that is not fully parameterized.
///
/// Retort's compiled statements carry values as bound parameters, but SQL written by
/// hand (`text("… WHERE email = 'a@b.org'")`, `executeDriverSQL`) or compiled with
/// literal binds has them in its text: a trace must not hold them. String literals
/// (`'…'`, with a prefix such as `E`, `N` or `X`, and PostgreSQL's `$tag$…$tag$`) and
/// numbers become `?`; names (quoted ones too), keywords, placeholders (`?`, `$1`,
/// `:name`) and comments are kept.
struct QueryTextSanitizer: Sendable {
    /// True when a backslash escapes the next character inside a plain string literal
    /// (MySQL, unless `NO_BACKSLASH_ESCAPES`): `'it\'s'` is one literal there.
    var backslashEscapes: Bool

    /// `sql` with its literal values replaced by `?`.
    func sanitize(_ sql: String) -> String {
        let bytes = Array(sql.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        let n = bytes.count
        var i = 0
        /// True when the byte can be part of a name or a placeholder's tail.
        func isWordByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x24
                || b >= 0x80
        }
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        /// Copies a quoted run (a quoted name, a comment) up to and including `close`.
        func copy(until close: [UInt8]) {
            while i < n {
                if bytes[i] == close[0], i + close.count <= n, Array(bytes[i..<(i + close.count)]) == close {
                    out.append(contentsOf: close)
                    i += close.count
                    return
                }
                out.append(bytes[i])
                i += 1
            }
        }
        while i < n {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "'"):
                // A one-letter prefix (E'…', N'…', X'…', B'…', U&'…' is rare) belongs to the literal.
                var escapes = backslashEscapes
                if let last = out.last, last != UInt8(ascii: "&"), isWordByte(last), !isDigit(last),
                   out.count < 2 || !isWordByte(out[out.count - 2]) {
                    if last | 0x20 == UInt8(ascii: "e") { escapes = true }
                    out.removeLast()
                }
                i += 1
                while i < n {
                    if escapes, bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
                    if bytes[i] == UInt8(ascii: "'") {
                        if i + 1 < n, bytes[i + 1] == UInt8(ascii: "'") { i += 2; continue }
                        break
                    }
                    i += 1
                }
                i += 1
                out.append(UInt8(ascii: "?"))
            case UInt8(ascii: "\""), UInt8(ascii: "`"):
                out.append(b)
                i += 1
                copy(until: [b])
            case UInt8(ascii: "-") where i + 1 < n && bytes[i + 1] == UInt8(ascii: "-"):
                copy(until: [UInt8(ascii: "\n")])
            case UInt8(ascii: "/") where i + 1 < n && bytes[i + 1] == UInt8(ascii: "*"):
                out.append(contentsOf: [b, bytes[i + 1]])
                i += 2
                copy(until: [UInt8(ascii: "*"), UInt8(ascii: "/")])
            case UInt8(ascii: "$") where !(out.last.map(isWordByte) ?? false):
                // `$1` is a placeholder; `$$…$$` and `$tag$…$tag$` are PostgreSQL strings.
                var j = i + 1
                while j < n, isWordByte(bytes[j]), bytes[j] != UInt8(ascii: "$") { j += 1 }
                guard j < n, bytes[j] == UInt8(ascii: "$"), !(j > i + 1 && isDigit(bytes[i + 1])) else {
                    out.append(b)
                    i += 1
                    while i < n, isDigit(bytes[i]) { out.append(bytes[i]); i += 1 }
                    continue
                }
                let tag = Array(bytes[i...j])
                i = j + 1
                while i < n {
                    if bytes[i] == UInt8(ascii: "$"), i + tag.count <= n, Array(bytes[i..<(i + tag.count)]) == tag {
                        i += tag.count
                        break
                    }
                    i += 1
                }
                out.append(UInt8(ascii: "?"))
            default:
                if isDigit(b) || (b == UInt8(ascii: ".") && i + 1 < n && isDigit(bytes[i + 1])),
                   !(out.last.map { isWordByte($0) || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: ":") } ?? false)
                {
                    // A number: digits, a fraction, an exponent, or 0x… / 0b….
                    i += 1
                    while i < n {
                        let c = bytes[i]
                        if isWordByte(c) && c != UInt8(ascii: "$") || c == UInt8(ascii: ".") {
                            i += 1
                        } else if (c == UInt8(ascii: "+") || c == UInt8(ascii: "-")), bytes[i - 1] | 0x20 == UInt8(ascii: "e") {
                            i += 1
                        } else {
                            break
                        }
                    }
                    out.append(UInt8(ascii: "?"))
                } else {
                    out.append(b)
                    i += 1
                    if isWordByte(b) {
                        // The rest of a name or keyword, digits included (`t1`, `col_2`).
                        while i < n, isWordByte(bytes[i]) { out.append(bytes[i]); i += 1 }
                    }
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
