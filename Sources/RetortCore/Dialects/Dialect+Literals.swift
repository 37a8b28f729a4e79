import Foundation

extension Dialect {
    /// A value written as an SQL literal, for offline scripts (`migrator upgrade --sql`)
    /// that a person or `psql` runs later. Executed statements never use this: their
    /// values are bound.
    ///
    /// ```swift
    /// Dialect.postgresql.literal(.text("O'Brien"))   // 'O''Brien'
    /// Dialect.sqlite.literal(.blob(Data([1, 255])))   // X'01FF'
    /// ```
    public func literal(_ value: SQLValue) -> String {
        func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
        switch value {
        case .null: return "NULL"
        case .integer(let v): return String(v)
        case .real(let v): return v.isFinite ? String(v) : quoted(v.isNaN ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"))
        case .text(let s): return quoted(s)
        case .decimal(let d): return d.description
        case .bool(let b): return name == "sqlite" ? (b ? "1" : "0") : (b ? "true" : "false")
        case .timestamp(let d): return quoted(SQLDateFormat.timestampString(d) + (name == "sqlite" ? "" : "+00"))
        case .uuid(let u): return quoted(u.uuidString.lowercased())
        case .blob(let data):
            let hex = data.map { String(format: "%02X", $0) }.joined()
            return name == "sqlite" ? "X'\(hex)'" : "'\\x\(hex)'::bytea"
        }
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
        return inline(sql, values)
    }

    /// `sql` with each placeholder replaced by the literal of its value (placeholders
    /// inside quoted strings and identifiers are left alone).
    public func inline(_ sql: String, _ values: [SQLValue]) -> String {
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
            if c == "'" || c == "\"" {
                quote = c
                out.unicodeScalars.append(c)
            } else if c == "?", paramStyle == .questionMark, next < values.count {
                out += literal(values[next])
                next += 1
            } else if c == "$", paramStyle == .dollarNumbered, let d = chars.first, d.properties.numericType != nil {
                var digits = ""
                while let d = chars.first, ("0"..."9").contains(d) {
                    digits.unicodeScalars.append(d)
                    chars.removeFirst()
                }
                if let i = Int(digits), i >= 1, i <= values.count { out += literal(values[i - 1]) } else { out += "$" + digits }
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
