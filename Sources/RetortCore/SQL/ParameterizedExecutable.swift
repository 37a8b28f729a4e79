/// A statement whose SQL depends on the names of the parameters it is executed with:
/// an INSERT or UPDATE built without values, e.g.
/// `conn.execute(authors.insert(), [["name": "Ursula"], ["name": "Octavia"]])`.
///
/// An executor that knows the parameters first calls ``prepareParameters(_:for:)`` on
/// each parameter set (client-side defaults are added, values converted by column
/// type), then compiles once with ``compile(for:parameterNames:)`` using the names of
/// the prepared first set:
///
/// ```swift
/// let prepared = sets.map { insert.prepareParameters($0, for: dialect) }
/// let compiled = try insert.compile(for: dialect, parameterNames: Set(prepared[0].keys))
/// // INSERT INTO authors (name) VALUES (?)     bindings: [.named("name")]
/// ```
public protocol ParameterizedExecutable: Executable {
    /// The SQL for parameter sets with exactly these names.
    func compile(for dialect: Dialect, parameterNames: Set<String>) throws -> CompiledStatement
    /// One parameter set made ready: client-side defaults added for missing columns,
    /// values converted by their column's type.
    func prepareParameters(_ parameters: Parameters, for dialect: Dialect) -> Parameters
}

extension Insert: ParameterizedExecutable {
    /// Compiles through the ``StatementCache``. Client-side defaults of columns the
    /// statement leaves out are added first (generators run now). Without values (and
    /// so without parameters) the row is all defaults: the client-side ones, else
    /// `DEFAULT VALUES`.
    public func compile(for dialect: Dialect) throws -> CompiledStatement {
        if rows.isEmpty, query == nil {
            let defaulted = table.columns.filter { $0.defaultValue != nil }
            guard !defaulted.isEmpty else { return try StatementCache.shared.compile(.insert(self), dialect) }
            var s = self
            s.columnNames = defaulted.map(\.name)
            s.rows = [defaulted.map { .bind(BoundValue($0.defaultValue?.make() ?? .null, type: $0.type)) }]
            return try StatementCache.shared.compile(.insert(s), dialect)
        }
        return try StatementCache.shared.compile(.insert(withClientDefaults()), dialect)
    }

    public func compile(for dialect: Dialect, parameterNames: Set<String>) throws -> CompiledStatement {
        guard rows.isEmpty, query == nil else { return try compile(for: dialect) }
        if let bad = parameterNames.sorted().first(where: { table.column(named: $0) == nil }) {
            throw ArgumentError(
                "table '\(table.fullName)' has no column '\(bad)' to insert; its columns are: "
                    + table.columns.map(\.name).joined(separator: ", "))
        }
        var s = self
        let columns = table.columns.filter { parameterNames.contains($0.name) }
        s.columnNames = columns.map(\.name)
        s.rows = columns.isEmpty ? [] : [columns.map { .parameter(name: $0.name, type: $0.type) }]
        return try StatementCache.shared.compile(.insert(s), dialect)
    }

    public func prepareParameters(_ parameters: Parameters, for dialect: Dialect) -> Parameters {
        guard rows.isEmpty, query == nil else { return parameters }
        var out = parameters
        let types = dialect.typeCompiler
        for c in table.columns {
            if let entry = parameters[c.name] {
                out[c.name] = .some(types.processBind(entry?.sqlValue ?? .null, c.type))
            } else if let d = c.defaultValue {
                out[c.name] = .some(types.processBind(d.make(), c.type))
            }
        }
        return out
    }

    /// The statement with every client-side default of an absent column filled in.
    package func withClientDefaults() -> Insert {
        guard query == nil, !rows.isEmpty else { return self }
        let missing = table.columns.filter { $0.defaultValue != nil && !columnNames.contains($0.name) }
        guard !missing.isEmpty else { return self }
        var s = self
        let present = Set(columnNames)
        var names: [String] = []
        var positions: [Int?] = []
        for c in table.columns where present.contains(c.name) || c.defaultValue != nil {
            names.append(c.name)
            positions.append(columnNames.firstIndex(of: c.name))
        }
        s.columnNames = names
        s.rows = rows.map { row in
            zip(names, positions).map { name, pos in
                if let pos { return row[pos] }
                let c = table.column(named: name)
                return .bind(BoundValue(c?.defaultValue?.make() ?? .null, type: c?.type))
            }
        }
        return s
    }
}

extension Update: ParameterizedExecutable {
    /// With no values set, the parameter names that are columns of the table (and not
    /// `bindParameter` names of the WHERE clause) become `SET column = ?`.
    public func compile(for dialect: Dialect, parameterNames: Set<String>) throws -> CompiledStatement {
        guard columnNames.isEmpty, let table = target.underlyingTable else { return try compile(for: dialect) }
        var used = Set<String>()
        whereClause?.forEachNode { if case .parameter(let n, _) = $0 { used.insert(n) } }
        var s = self
        for c in table.columns where parameterNames.contains(c.name) && !used.contains(c.name) {
            s.columnNames.append(c.name)
            s.values.append(.parameter(name: c.name, type: c.type))
        }
        return try StatementCache.shared.compile(.update(s), dialect)
    }

    public func prepareParameters(_ parameters: Parameters, for dialect: Dialect) -> Parameters {
        guard let table = target.underlyingTable else { return parameters }
        var out = parameters
        for (name, value) in parameters {
            if let c = table.column(named: name) {
                out[name] = .some(dialect.typeCompiler.processBind(value?.sqlValue ?? .null, c.type))
            }
        }
        return out
    }
}
