import Foundation

extension Dialect {
    /// How a list bound to one placeholder (an expanding IN) is sent at execution.
    public enum ListParameterStyle: Sendable, Hashable {
        /// One array parameter in the array's text form, `{1,2,3}` (PostgreSQL, whose
        /// compiler writes `x = ANY($1)`).
        case array
        /// One parameter per value, `IN (?, ?, ?)` (SQLite). When the statement would
        /// pass ``Dialect/maxBindParameters`` and `jsonFallback` is set, each list
        /// goes instead as one JSON array parameter read back by
        /// `IN (SELECT value FROM json_each(?))`, which compares the same way.
        case expanded(jsonFallback: Bool)
    }

    /// A list as one PostgreSQL array parameter: its text form, `{"1","2",NULL}`,
    /// elements written as the driver writes single parameters.
    func arrayParameter(_ values: [SQLValue], sql: String) throws -> SQLValue {
        var out = "{"
        for (i, v) in values.enumerated() {
            if i > 0 { out += "," }
            guard let text = PostgreSQLParameters.textForm(v) else {
                out += "NULL"
                continue
            }
            if text.utf8.contains(0) {
                throw DataError(message: "PostgreSQL text cannot contain NUL (0x00) characters (value \(i + 1) of a list)",
                                sql: sql)
            }
            out += "\""
            for ch in text.unicodeScalars {
                if ch == "\"" || ch == "\\" { out += "\\" }
                out.unicodeScalars.append(ch)
            }
            out += "\""
        }
        out += "}"
        return .text(out)
    }

    /// The type to read an array parameter as, from its values, as a single value of
    /// theirs would be sent (see `PostgreSQLParameters`): `int8[]` for integers,
    /// `float8[]` when a Double is among numbers, `numeric[]` for decimals and integers,
    /// `bool[]`, `uuid[]`. Nil (the server infers the type from the other side of `= ANY`)
    /// for text, timestamps, mixed kinds and lists of NULLs.
    func arrayParameterType(_ values: [SQLValue]) -> String? {
        var integers = false, reals = false, decimals = false, bools = false, uuids = false
        for v in values {
            switch v {
            case .null: break
            case .integer: integers = true
            case .real: reals = true
            case .decimal: decimals = true
            case .bool: bools = true
            case .uuid: uuids = true
            case .text, .blob, .timestamp: return nil
            }
        }
        let numbers = integers || reals || decimals
        switch (numbers, bools, uuids) {
        case (true, false, false): return reals ? "float8[]" : decimals ? "numeric[]" : "int8[]"
        case (false, true, false): return "bool[]"
        case (false, false, true): return "uuid[]"
        default: return nil
        }
    }

    /// A list as one JSON array of the values SQLite would bind (text, integers,
    /// reals; booleans as 0/1), or nil when a value has no exact JSON form (a blob,
    /// a non-finite number).
    func jsonListParameter(_ values: [SQLValue]) -> SQLValue? {
        var out = "["
        for (i, v) in values.enumerated() {
            if i > 0 { out += "," }
            switch v {
            case .null: out += "null"
            case .integer(let n): out += String(n)
            case .bool(let b): out += b ? "1" : "0"
            case .real(let d):
                guard d.isFinite else { return nil }
                out += "\(d)"
            case .text(let s): appendJSONString(s, to: &out)
            case .decimal(let d):
                // A JSON number, so it compares as a number (as a bound decimal does).
                guard d.isFinite else { return nil }
                out += d.description
            case .timestamp(let d): appendJSONString(SQLDateFormat.timestampString(d), to: &out)
            case .uuid(let u): appendJSONString(u.uuidString.lowercased(), to: &out)
            case .blob: return nil
            }
        }
        out += "]"
        return .text(out)
    }

    private func appendJSONString(_ s: String, to out: inout String) {
        out += JSONText.quote(s)   // JSON string escapes (DEL escaped too, which JSON allows)
    }
}
