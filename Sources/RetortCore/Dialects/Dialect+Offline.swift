import Foundation

extension Dialect {
    /// A value written as an SQL literal, for offline scripts (`migrator upgrade --sql`)
    /// that a person or `psql` runs later, and for statements compiled with literal
    /// values. Executed statements bind their values instead. Throws for a value with
    /// no literal on this database (a NUL character, a non-finite number SQLite cannot hold).
    ///
    /// ```swift
    /// try Dialect.postgresql.literal(.text("O'Brien"))   // 'O''Brien'
    /// try Dialect.sqlite.literal(.blob(Data([1, 255])))   // X'01FF'
    /// ```
    public func literal(_ value: SQLValue) throws -> String {
        try implementation.literal(value)
    }

    /// A compiled statement as one SQL text with every value written as a literal and
    /// its IN lists expanded, for offline scripts. Parameters the statement does not
    /// take are ignored.
    ///
    /// ```swift
    /// let q = select(authors.c.name).where(authors.c.id.in([1, 2, 3]))
    /// try Dialect.sqlite.literalSQL(q.compile(for: .sqlite))
    /// // SELECT authors.name FROM authors WHERE authors.id IN (1, 2, 3)
    /// try Dialect.postgresql.literalSQL(q.compile(for: .postgresql))
    /// // SELECT authors.name FROM authors WHERE authors.id = ANY('{"1","2","3"}')
    /// ```
    public func literalSQL(_ compiled: CompiledStatement, _ parameters: Parameters = [:]) throws -> String {
        var given = Parameters()
        for name in compiled.parameterNames {
            if let value = parameters[name] { given[name] = .some(value) }
        }
        let (sql, values) = try compiled.resolve(given, for: self)
        return try inline(sql, values)
    }

    /// `sql` with each placeholder replaced by the literal of its value (placeholders
    /// inside quoted strings and identifiers are left alone).
    public func inline(_ sql: String, _ values: [SQLValue]) throws -> String {
        var out = ""
        var chars = Array(sql.unicodeScalars)[...]
        var next = 0
        var quote: Unicode.Scalar?
        while let c = chars.popFirst() {
            if let q = quote {
                out.unicodeScalars.append(c)
                if c == q { quote = nil }
                continue
            }
            if c == "'" || c == "\"" || c == "`" {
                quote = c
                out.unicodeScalars.append(c)
            } else if c == "?", paramStyle == .questionMark, next < values.count {
                out += try literal(values[next])
                next += 1
            } else if (c == "$" && paramStyle == .dollarNumbered) || (c == ":" && paramStyle == .colonNumbered),
                      let d = chars.first, ("0"..."9").contains(d) {
                var digits = ""
                while let d = chars.first, ("0"..."9").contains(d) {
                    digits.unicodeScalars.append(d)
                    chars.removeFirst()
                }
                if let i = Int(digits), i >= 1, i <= values.count { out += try literal(values[i - 1]) } else { out += String(c) + digits }
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
