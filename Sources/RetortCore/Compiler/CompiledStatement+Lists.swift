/// Settling a compiled statement's list bindings for one execution.
///
/// A list binding has one placeholder in ``CompiledStatement/sql`` whatever the list's
/// length, so the compiled-statement cache holds one template for every length. Here,
/// per execution, the dialect's ``Dialect/ListParameterStyle`` decides what the
/// placeholder becomes: one array parameter (PostgreSQL), or one parameter per value
/// (SQLite; `IN ()` for none), renumbering the placeholders after it.
extension CompiledStatement {
    /// The SQL text and positional values to execute with `parameters`.
    ///
    /// ```swift
    /// let q = select(authors.c.name).where(authors.c.id.in(bindParameter("ids", expanding: true)))
    /// let compiled = try q.compile(for: .sqlite)       // ... WHERE authors.id IN (?)
    /// try compiled.resolve(["ids": SQLValueList([1, 2])], for: .sqlite)
    /// // ("... WHERE authors.id IN (?, ?)", [.integer(1), .integer(2)])
    /// ```
    ///
    /// Throws ``InterfaceError`` for a missing or unexpected parameter, a list given
    /// for a single value or the reverse, and for more values than the dialect's
    /// ``Dialect/maxBindParameters`` when no other way of sending them is left.
    public func resolve(_ parameters: Parameters, for dialect: Dialect) throws -> (sql: String, values: [SQLValue]) {
        var values: [SQLValue] = []
        guard hasLists else {
            try Connection.bind(self, parameters, into: &values)
            return (sql, values)
        }
        // Each binding's value, or its list's processed values.
        var scalars = [SQLValue](repeating: .null, count: bindings.count)
        var lists = [[SQLValue]?](repeating: nil, count: bindings.count)
        var total = 0
        let types = dialect.typeCompiler
        for (i, binding) in bindings.enumerated() {
            switch binding {
            case .value(let v):
                scalars[i] = v
                total += 1
            case .named(let name):
                scalars[i] = try Connection.scalarParameter(self, parameters, name)
                total += 1
            case .valueList(let list):
                lists[i] = list
                total += list.count
            case .namedList(let name, let type):
                guard let entry = parameters[name] else { throw Connection.missingParameter(self, name) }
                guard let list = entry?.sqlValueList else {
                    throw InterfaceError(
                        kind: .misuse,
                        message: "parameter '\(name)' is an expanding list: give its values as SQLValueList([...])",
                        sql: sql)
                }
                lists[i] = type.map { t in list.map { types.processBind($0, t) } } ?? list
                total += list.count
            }
        }
        if parameters.count > parameterNames.count { throw Connection.unexpectedParameters(self, parameters) }

        switch dialect.listParameterStyle {
        case .array:
            values.reserveCapacity(bindings.count)
            var casts: [(binding: Int, type: String)] = []
            for i in bindings.indices {
                if let list = lists[i] {
                    values.append(try dialect.arrayParameter(list, sql: sql))
                    if let type = dialect.arrayParameterType(list) { casts.append((i, type)) }
                } else {
                    values.append(scalars[i])
                }
            }
            return (casts.isEmpty ? sql : try castingPlaceholders(casts, dialect), values)
        case .expanded(let jsonFallback):
            let asJSON = total > dialect.maxBindParameters
            if asJSON, !jsonFallback { throw tooManyParameters(total, dialect) }
            let style = dialect.paramStyle
            let offsets = try bindingOffsets(style, toDo: "expand its lists")
            let bytes = Array(sql.utf8)
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + (asJSON ? 32 : 3 * total))
            values.reserveCapacity(asJSON ? bindings.count : total)
            var last = 0
            var number = 0
            func placeholder() -> String {
                number += 1
                return style.placeholder(number)
            }
            for i in bindings.indices {
                out.append(contentsOf: bytes[last..<offsets[i]])
                last = offsets[i] + style.placeholder(i + 1).utf8.count
                guard let list = lists[i] else {
                    out.append(contentsOf: placeholder().utf8)
                    values.append(scalars[i])
                    continue
                }
                if asJSON {
                    guard let json = dialect.jsonListParameter(list) else {
                        throw InterfaceError(
                            kind: .tooManyParameters,
                            message: "the statement needs \(total) bind parameters, past \(dialect.name)'s limit of "
                                + "\(dialect.maxBindParameters); a list that long is sent as one JSON array, but this "
                                + "one holds values JSON cannot carry exactly (binary data or non-finite numbers): "
                                + "split the list and run the statement once per part",
                            sql: sql)
                    }
                    out.append(contentsOf: "SELECT value FROM json_each(\(placeholder()))".utf8)
                    values.append(json)
                } else if list.isEmpty {
                    out.append(contentsOf: dialect.implementation.emptyListSQL.utf8)
                } else {
                    for (k, v) in list.enumerated() {
                        if k > 0 { out.append(contentsOf: ", ".utf8) }
                        out.append(contentsOf: placeholder().utf8)
                        values.append(v)
                    }
                }
            }
            out.append(contentsOf: bytes[last...])
            if values.count > dialect.maxBindParameters { throw tooManyParameters(values.count, dialect) }
            return (String(decoding: out, as: UTF8.self), values)
        }
    }

    /// Where each binding's placeholder starts in the SQL (one per binding, or the SQL
    /// cannot be rewritten `toDo`).
    private func bindingOffsets(_ style: Dialect.ParamStyle, toDo: String) throws -> [Int] {
        let offsets = placeholderOffsets ?? CompiledStatement.scanPlaceholders(sql, style)
        guard offsets.count == bindings.count else {
            throw InterfaceError(
                kind: .misuse,
                message: "the SQL has \(offsets.count) placeholders for \(bindings.count) bindings; cannot \(toDo)",
                sql: sql)
        }
        return offsets
    }

    /// The SQL with `::type` after the placeholders of the given bindings: an array of
    /// numbers, booleans or UUIDs is read as the values' own type (`x = ANY($1::float8[])`
    /// finds 2.5 in an integer column), as a single parameter is.
    private func castingPlaceholders(_ casts: [(binding: Int, type: String)], _ dialect: Dialect) throws -> String {
        let offsets = try bindingOffsets(dialect.paramStyle, toDo: "type its lists")
        let bytes = Array(sql.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16 * casts.count)
        var last = 0
        for (binding, type) in casts {
            var end = offsets[binding] + 1
            while end < bytes.count, bytes[end] >= 0x30, bytes[end] <= 0x39 { end += 1 }
            out.append(contentsOf: bytes[last..<end])
            out.append(contentsOf: "::".utf8)
            out.append(contentsOf: type.utf8)
            last = end
        }
        out.append(contentsOf: bytes[last...])
        return String(decoding: out, as: UTF8.self)
    }

    private func tooManyParameters(_ count: Int, _ dialect: Dialect) -> InterfaceError {
        InterfaceError(
            kind: .tooManyParameters,
            message: "the statement needs \(count) bind parameters; \(dialect.name) allows at most "
                + "\(dialect.maxBindParameters): split the list and run the statement once per part",
            sql: sql)
    }

    /// Placeholder offsets in hand-written SQL (outside quotes).
    static func scanPlaceholders(_ sql: String, _ style: Dialect.ParamStyle) -> [Int] {
        let b = Array(sql.utf8)
        var offsets: [Int] = []
        var quote: UInt8? = nil
        var i = 0
        while i < b.count {
            let c = b[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == 0x27 || c == 0x22 {
                quote = c
            } else if style == .questionMark, c == 0x3F {
                offsets.append(i)
            } else if style == .dollarNumbered, c == 0x24, i + 1 < b.count, b[i + 1] >= 0x30, b[i + 1] <= 0x39 {
                offsets.append(i)
            } else if style == .colonNumbered, c == 0x3A, i + 1 < b.count, b[i + 1] >= 0x30, b[i + 1] <= 0x39 {
                offsets.append(i)
            }
            i += 1
        }
        return offsets
    }
}
