/// The result of executing a statement: rows streamed from the database on demand,
/// plus the affected-row count and the last inserted rowid.
///
/// A result is read once. ``next()`` and ``forEach(_:)`` stream rows one at a time;
/// ``all()`` collects them; ``first()``, ``one()`` and ``scalar()`` read what they need
/// and close the result.
///
/// ```swift
/// let result = try conn.execute(text("SELECT id, name FROM authors ORDER BY id"))
/// while let row = try result.next() { print(row) }
///
/// let count = try conn.execute(text("SELECT count(*) FROM authors")).scalar(Int.self)
/// let names = try conn.execute(text("SELECT name FROM authors")).scalars(String.self).all()
/// ```
public final class CursorResult {
    private var cursor: (any DriverCursor)? {
        didSet { setReading(cursor) }
    }
    /// The cursor, unretained, for ``value(at:)`` (valid while `cursor` holds it).
    private unowned(unsafe) var reading: (any DriverCursor)?
    /// The same, when it is SQLite's: read without a retain or a dynamic dispatch per
    /// value (the ORM reads every column of every row through ``value(at:)``).
    private var sqliteReading: Unmanaged<SQLiteCursor>?
    /// SQLite's statement handle while the result reads SQLite rows: ``integer(at:)``
    /// and ``text(at:)`` inline into their callers as one SQLite call per value. Nil
    /// for other drivers and once the result is closed (a cursor's statement goes back
    /// to the connection's cache only when the result closes it).
    @usableFromInline @exclusivity(unchecked) package private(set) var sqliteHandle: OpaquePointer?

    private func setReading(_ cursor: (any DriverCursor)?) {
        reading = cursor
        let sqlite = cursor as? SQLiteCursor
        sqliteReading = sqlite.map { Unmanaged.passUnretained($0) }
        sqliteHandle = sqlite?.handle
    }
    /// Column names and their positions.
    public let resultColumns: ResultColumns
    /// Set when the connection closed under an unread result.
    private var closedWithConnection = false
    private var rowCountFromExecute: Int
    /// The connection tracking this result while it is open (it closes open results
    /// when it closes). Unowned: each clears the link before it could dangle.
    unowned(unsafe) var owner: Connection?

    init(cursor: any DriverCursor) {
        self.cursor = cursor
        self.resultColumns = ResultColumns(cursor.columnNames)
        self.rowCountFromExecute = cursor.rowsAffected
        setReading(cursor)
    }

    /// A result whose column index is already built (see ``ResultColumns``).
    init(cursor: any DriverCursor, columns: ResultColumns) {
        self.cursor = cursor
        self.resultColumns = columns
        self.rowCountFromExecute = cursor.rowsAffected
        setReading(cursor)
    }

    init(rowCount: Int) {
        self.cursor = nil
        self.resultColumns = ResultColumns([])
        self.rowCountFromExecute = rowCount
    }

    deinit { close() }

    /// The column names, in order.
    public var columns: [String] { resultColumns.names }

    /// True when the statement returns rows (a SELECT, or DML with RETURNING).
    public var returnsRows: Bool { !resultColumns.names.isEmpty }

    /// Rows inserted, updated or deleted (-1 when the statement is not DML). For DML with
    /// RETURNING, final once the rows have been read.
    public var rowCount: Int {
        if let c = cursor, c.rowsAffected >= 0 { return c.rowsAffected }
        return rowCountFromExecute
    }

    /// The rowid of the last row inserted, on SQLite. (Use RETURNING on PostgreSQL.)
    public var lastInsertRowID: Int64? { cursor?.lastInsertRowID ?? savedLastInsertRowID }
    private var savedLastInsertRowID: Int64?

    /// The values of the row ``next()`` returned last. When the caller has let go of
    /// that row by the next call (a `while let row = try result.next()` loop), the next
    /// row's values go into the same storage: no array is allocated per row. A row the
    /// caller keeps keeps its values (the buffer is then copied on write).
    @exclusivity(unchecked) private var rowValues: [SQLValue] = []

    /// The next row, or nil at the end. Rows are converted as they are read, not buffered.
    public func next() throws -> Row? {
        if let c = sqliteReading {
            // SQLite's cursor, unretained (`cursor` holds it): no retain per row.
            let found = try closingAtEnd { try c._withUnsafeGuaranteedRef { try $0.next(into: &rowValues) } ? true : nil }
            return found == nil ? nil : Row(values: rowValues, columns: resultColumns)
        }
        return try move { c in try c.next(into: &rowValues) ? Row(values: rowValues, columns: resultColumns) : nil }
    }

    /// Moves to the next row without building a ``Row``; false at the end. Its values
    /// are read with ``value(at:)`` until the next move. For readers that turn each row
    /// into something else at once (the ORM's instances): no array per row.
    package func advance() throws -> Bool {
        if let c = sqliteReading {
            // SQLite's cursor, unretained (`cursor` holds it): no retain per row.
            return try closingAtEnd { try c._withUnsafeGuaranteedRef { try $0.advance() } ? true : nil } ?? false
        }
        return try move { c in try c.advance() ? true : nil } ?? false
    }

    /// Moves the cursor with `step` (nil at the end): closes the result at the end or
    /// on an error, and explains a read after the connection closed.
    @inline(__always)
    private func move<T>(_ step: (any DriverCursor) throws -> T?) throws -> T? {
        guard let c = cursor else {
            if closedWithConnection {
                throw InterfaceError(kind: .closed,
                                     message: "the connection this result came from is closed; read results before closing it")
            }
            return nil
        }
        return try closingAtEnd { try step(c) }
    }

    /// Runs one move of the open cursor: closes the result when it finds no row (nil)
    /// or throws.
    @inline(__always)
    private func closingAtEnd<T>(_ step: () throws -> T?) throws -> T? {
        do {
            if let value = try step() { return value }
        } catch {
            close()
            throw error
        }
        close()
        return nil
    }

    /// Column `index` of the row ``advance()`` moved to.
    @usableFromInline @inline(__always)
    package func value(at index: Int) -> SQLValue {
        if let c = sqliteReading { return c._withUnsafeGuaranteedRef { $0.value(at: index) } }
        return reading!.value(at: index)
    }

    /// Column `index` of the current row when it is an integer: for readers converting
    /// straight to `Int` (SQLite's value is read without building a ``SQLValue``).
    @inlinable @inline(__always)
    package func integer(at index: Int) -> TypedRead<Int64> {
        if let h = sqliteHandle { return SQLiteColumnRead.integer(h, index) }
        return TypedRead(integer: value(at: index))
    }

    /// Column `index` of the current row when it is text, as ``integer(at:)``.
    @inlinable @inline(__always)
    package func text(at index: Int) -> TypedRead<String> {
        if let h = sqliteHandle { return SQLiteColumnRead.text(h, index) }
        return TypedRead(text: value(at: index))
    }

    /// Calls `body` for each remaining row, streaming.
    public func forEach(_ body: (Row) throws -> Void) throws {
        while let row = try next() { try body(row) }
    }

    /// Every remaining row.
    public func all() throws -> [Row] {
        var rows: [Row] = []
        while let row = try next() { rows.append(row) }
        return rows
    }

    /// The first row or nil, then closes the result.
    public func first() throws -> Row? {
        defer { close() }
        return try next()
    }

    /// Exactly one row: throws ``InterfaceError`` (`.noRows` / `.multipleRows`) otherwise.
    public func one() throws -> Row {
        guard let row = try oneOrNil() else {
            throw InterfaceError(kind: .noRows, message: "no row was found when one was required")
        }
        return row
    }

    /// One row or nil; throws ``InterfaceError`` `.multipleRows` when there are more.
    public func oneOrNil() throws -> Row? {
        defer { close() }
        guard let row = try next() else { return nil }
        if try next() != nil {
            throw InterfaceError(kind: .multipleRows, message: "multiple rows were found when one or none was required")
        }
        return row
    }

    /// The first column of the first row (nil when there are no rows), then closes.
    public func scalar() throws -> SQLValue? {
        try first()?.values.first
    }

    /// The first column of the first row converted to `T`, then closes. With no rows:
    /// nil when `T` is optional, else ``InterfaceError`` `.noRows`.
    public func scalar<T: SQLValueConvertible>(_ type: T.Type) throws -> T {
        guard let value = try scalar() else {
            if let none = try? T(sqlValue: .null) { return none }
            throw InterfaceError(kind: .noRows, message: "no row was found when a scalar \(T.self) was required")
        }
        return try T(sqlValue: value)
    }

    /// The first column of each row, converted to `T`.
    public func scalars<T: SQLValueConvertible>(_ type: T.Type = SQLValue.self) -> ScalarResult<T> {
        ScalarResult(self)
    }

    /// Each row as a column name → value dictionary.
    public func mappings() -> MappingResult { MappingResult(self) }

    /// True while rows may remain to be read.
    var isOpen: Bool { cursor != nil }

    /// Called by the connection when it closes before this result was read to the end.
    func closeWithConnection() {
        owner = nil
        guard cursor != nil else { return }
        close()
        closedWithConnection = true
    }

    /// Releases the cursor; remaining rows are discarded.
    public func close() {
        if let o = owner {
            owner = nil
            o.untrack(self)
        }
        guard let c = cursor else { return }
        savedLastInsertRowID = c.lastInsertRowID
        if c.rowsAffected >= 0 { rowCountFromExecute = c.rowsAffected }
        c.close()
        cursor = nil
        rowValues = []
    }
}

/// The first column of each row of a ``CursorResult``, converted to `T`.
public struct ScalarResult<T: SQLValueConvertible> {
    let result: CursorResult
    init(_ result: CursorResult) { self.result = result }

    public func next() throws -> T? {
        guard let row = try result.next() else { return nil }
        return try T(sqlValue: row.values.first ?? .null)
    }
    public func all() throws -> [T] {
        var out: [T] = []
        while let v = try next() { out.append(v) }
        return out
    }
    public func first() throws -> T? {
        defer { result.close() }
        return try next()
    }
    public func one() throws -> T { try T(sqlValue: result.one().values.first ?? .null) }
    public func oneOrNil() throws -> T? { try result.oneOrNil().map { try T(sqlValue: $0.values.first ?? .null) } }
}

/// Each row of a ``CursorResult`` as a `[String: SQLValue]`.
public struct MappingResult {
    let result: CursorResult
    init(_ result: CursorResult) { self.result = result }

    public func next() throws -> [String: SQLValue]? { try result.next()?.mapping }
    public func all() throws -> [[String: SQLValue]] { try result.all().map(\.mapping) }
    public func first() throws -> [String: SQLValue]? { try result.first()?.mapping }
    public func one() throws -> [String: SQLValue] { try result.one().mapping }
}

/// A column read as the one kind its reader expects: the value, NULL, or anything else
/// (which the reader then converts through ``SQLValue`` as usual).
@usableFromInline
package enum TypedRead<T> {
    case value(T)
    case null
    case other

    @inlinable @inline(__always)
    package init(integer value: SQLValue) where T == Int64 {
        switch value {
        case .integer(let v): self = .value(v)
        case .null: self = .null
        default: self = .other
        }
    }

    @inlinable @inline(__always)
    package init(text value: SQLValue) where T == String {
        switch value {
        case .text(let s): self = .value(s)
        case .null: self = .null
        default: self = .other
        }
    }
}
