/// Finds where a JSON text stops being JSON, for an error message with line and column
/// (Foundation's parser says only "the data is not in the correct format", or a
/// character offset at best).
///
/// ```swift
/// JSONSyntax.firstError(in: Array("{\"a\": 1,}".utf8))
/// // (line: 1, column: 9, expected: "a string (an object's key)")
/// ```
package enum JSONSyntax {
    struct Failure: Error, Equatable {
        var offset: Int
        var expected: String
    }

    /// The 1-based line and column (in characters) of the first syntax error and what
    /// was expected there; nil when the text is valid JSON.
    package static func firstError(in bytes: [UInt8]) -> (line: Int, column: Int, expected: String)? {
        var scanner = Scanner(bytes: bytes)
        do {
            try scanner.document()
            return nil
        } catch {
            let f = error as! Failure
            var line = 1, lineStart = 0
            for i in 0..<min(f.offset, bytes.count) where bytes[i] == 0x0A {
                line += 1
                lineStart = i + 1
            }
            let end = min(f.offset, bytes.count)
            let column = String(decoding: bytes[lineStart..<end], as: UTF8.self).count + 1
            return (line, column, f.expected)
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var i = 0
        var depth = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { i < bytes.count ? bytes[i] : nil }

        func fail(_ expected: String) -> Failure { Failure(offset: i, expected: expected) }

        mutating func space() {
            while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 }
        }

        mutating func document() throws {
            space()
            try value()
            space()
            if current != nil { throw fail("the end of the document") }
        }

        mutating func value() throws {
            guard let c = current else { throw fail("a value") }
            switch c {
            case UInt8(ascii: "{"): try container(close: UInt8(ascii: "}"), keyed: true)
            case UInt8(ascii: "["): try container(close: UInt8(ascii: "]"), keyed: false)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try word("true")
            case UInt8(ascii: "f"): try word("false")
            case UInt8(ascii: "n"): try word("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw fail("a value")
            }
        }

        mutating func container(close: UInt8, keyed: Bool) throws {
            depth += 1
            guard depth < 512 else { throw fail("less nesting") }
            i += 1
            space()
            if current == close {
                i += 1
                depth -= 1
                return
            }
            while true {
                if keyed {
                    guard current == UInt8(ascii: "\"") else { throw fail("a string (an object's key)") }
                    try string()
                    space()
                    guard current == UInt8(ascii: ":") else { throw fail("':' after the key") }
                    i += 1
                    space()
                }
                try value()
                space()
                if current == UInt8(ascii: ",") {
                    i += 1
                    space()
                    // Foundation's parser takes a trailing comma; so does this, to point
                    // at the error it stopped on.
                    if current == close {
                        i += 1
                        depth -= 1
                        return
                    }
                    continue
                }
                guard current == close else {
                    throw fail("',' or '\(Character(Unicode.Scalar(close)))'")
                }
                i += 1
                depth -= 1
                return
            }
        }

        mutating func string() throws {
            i += 1
            while let c = current {
                switch c {
                case UInt8(ascii: "\""):
                    i += 1
                    return
                case UInt8(ascii: "\\"):
                    i += 1
                    guard let e = current else { throw fail("an escape") }
                    if e == UInt8(ascii: "u") {
                        for _ in 0..<4 {
                            i += 1
                            guard let h = current, (h >= 0x30 && h <= 0x39) || (h | 0x20 >= 0x61 && h | 0x20 <= 0x66) else {
                                throw fail("four hex digits after \\u")
                            }
                        }
                    } else if !"\"\\/bfnrt".utf8.contains(e) {
                        throw fail("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
                    }
                    i += 1
                case 0..<0x20:
                    throw fail("the closing '\"' (a string cannot hold a raw line break or control character)")
                default:
                    i += 1
                }
            }
            throw fail("the closing '\"'")
        }

        mutating func word(_ w: String) throws {
            for b in w.utf8 {
                guard current == b else { throw fail("a value") }
                i += 1
            }
        }

        mutating func number() throws {
            func digits(_ s: inout Scanner) -> Bool {
                let start = s.i
                while let c = s.current, c >= 0x30, c <= 0x39 { s.i += 1 }
                return s.i > start
            }
            if current == UInt8(ascii: "-") { i += 1 }
            if current == UInt8(ascii: "0") {
                i += 1  // no leading zeros: 0, 0.5, but not 01
            } else {
                guard digits(&self) else { throw fail("a digit") }
            }
            if current == UInt8(ascii: ".") {
                i += 1
                guard digits(&self) else { throw fail("a digit after '.'") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                i += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { i += 1 }
                guard digits(&self) else { throw fail("a digit in the exponent") }
            }
        }
    }
}
