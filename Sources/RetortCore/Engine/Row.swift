/// The column names of a result, shared by all of its rows, with a name → position index.
public final class ResultColumns: Sendable {
    /// Column names in order (duplicates possible, e.g. `SELECT a.id, b.id`).
    public let names: [String]
    /// Built only for wide results; a handful of names is scanned faster than hashed,
    /// and building the table cost more than the lookups it saved on one-row queries.
    private let positions: [String: Int]?

    package init(_ names: [String]) {
        self.names = names
        if names.count > 12 {
            var positions: [String: Int] = [:]
            positions.reserveCapacity(names.count)
            for (i, n) in names.enumerated() where positions[n] == nil { positions[n] = i }
            self.positions = positions
        } else {
            self.positions = nil
        }
    }

    /// The position of the first column named `name`.
    public func index(of name: String) -> Int? {
        if let positions { return positions[name] }
        return names.firstIndex(of: name)
    }
}

/// One row of a result: values by position or by column name.
///
/// ```swift
/// for row in try conn.execute(text("SELECT id, name FROM authors")).all() {
///     let id: Int = try row.get(0)
///     let name = try row.get("name", as: String.self)
///     print(row["name"] ?? .null)          // the raw SQLValue
/// }
/// ```
public struct Row: Sendable, Hashable, CustomStringConvertible {
    /// The values, in column order.
    public let values: [SQLValue]
    public let columns: ResultColumns

    public init(values: [SQLValue], columns: ResultColumns) {
        self.values = values
        self.columns = columns
    }

    public static func == (a: Row, b: Row) -> Bool { a.values == b.values && a.columns.names == b.columns.names }
    public func hash(into h: inout Hasher) { h.combine(values) }

    /// The number of columns.
    public var count: Int { values.count }

    /// The value at `index` (a precondition failure when out of range, like an array).
    @inlinable public subscript(_ index: Int) -> SQLValue { values[index] }

    /// The value of the column named `name`, or nil when the result has no such column.
    public subscript(_ name: String) -> SQLValue? {
        columns.index(of: name).map { values[$0] }
    }

    /// The value at `index`, converted. Throws ``InterfaceError`` when out of range and
    /// ``DataError`` when the value does not convert.
    @inlinable
    public func get<T: SQLValueConvertible>(_ index: Int, as type: T.Type = T.self) throws -> T {
        guard index >= 0, index < values.count else {
            throw InterfaceError(kind: .misuse, message: "column index \(index) is out of range; the row has \(values.count) columns")
        }
        return try T(sqlValue: values[index])
    }

    /// The value of the column named `name`, converted. Throws ``InterfaceError`` when
    /// there is no such column (listing the ones there are).
    public func get<T: SQLValueConvertible>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let i = columns.index(of: name) else {
            throw InterfaceError(
                kind: .misuse,
                message: "the row has no column '\(name)'; its columns are: \(columns.names.joined(separator: ", "))")
        }
        do {
            return try T(sqlValue: values[i])
        } catch let error as DataError {
            throw DataError(message: "column '\(name)': \(error.message)")
        }
    }

    /// The row as a column name → value dictionary (the first of duplicate names wins).
    public var mapping: [String: SQLValue] {
        var d: [String: SQLValue] = [:]
        for (n, v) in zip(columns.names, values) where d[n] == nil { d[n] = v }
        return d
    }

    public var description: String {
        "(" + values.map(\.description).joined(separator: ", ") + ")"
    }
}
