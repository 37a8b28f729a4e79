/// The result of an ``AsyncConnection`` statement: its rows, streamed with
/// `for try await`, fetched on the connection's thread a batch at a time.
///
/// ```swift
/// let result = try await conn.execute(text("SELECT id, name FROM authors ORDER BY id"))
/// for try await row in result { print(try row.get("name", as: String.self)) }
///
/// let count = try await conn.execute(text("SELECT count(*) FROM authors")).scalar(Int.self)
/// ```
@available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
public final class AsyncResult: AsyncSequence {
    public typealias Element = Row
    public typealias Failure = any Error

    /// Rows fetched per trip to the connection's thread while streaming.
    public static let batchSize = 256

    /// The synchronous result underneath.
    public let sync: CursorResult
    let connection: AsyncConnection

    init(_ result: CursorResult, connection: AsyncConnection) {
        self.sync = result
        self.connection = connection
    }

    /// A result dropped by a cancelled task (a `for try await` loop left by the
    /// `CancellationError` of a `Task.sleep` in its body, say) stops the statement it
    /// still streams, as the cancellation of a running statement does, rather than read
    /// its remaining rows to the end; otherwise closing reads them off (see
    /// ``CursorResult/close()``).
    deinit {
        if sync.isOpen, Task.isCancelled { connection.stopStreamedStatement() }
    }

    /// The column names, in order.
    public var columns: [String] { sync.columns }
    /// True when the statement returns rows.
    public var returnsRows: Bool { sync.returnsRows }
    /// Rows inserted, updated or deleted (-1 when the statement is not DML).
    public var rowCount: Int { sync.rowCount }
    /// The rowid of the last row inserted, on SQLite.
    public var lastInsertRowID: Int64? { sync.lastInsertRowID }

    /// Up to `count` more rows (fewer at the end).
    func fetch(_ count: Int) async throws -> [Row] {
        try await connection.perform {
            var rows: [Row] = []
            while rows.count < count, let row = try sync.next() { rows.append(row) }
            return rows
        }
    }

    /// Every remaining row.
    public func all() async throws -> [Row] { try await connection.perform { try sync.all() } }
    /// The first row or nil, then closes the result.
    public func first() async throws -> Row? { try await connection.perform { try sync.first() } }
    /// Exactly one row: throws ``InterfaceError`` (`.noRows` / `.multipleRows`) otherwise.
    public func one() async throws -> Row { try await connection.perform { try sync.one() } }
    /// One row or nil; throws ``InterfaceError`` `.multipleRows` when there are more.
    public func oneOrNil() async throws -> Row? { try await connection.perform { try sync.oneOrNil() } }
    /// The first column of the first row converted to `T` (see ``CursorResult/scalar(_:)``).
    public func scalar<T: SQLValueConvertible>(_ type: T.Type) async throws -> T {
        try await connection.perform { try sync.scalar(T.self) }
    }
    /// The first column of each row, converted to `T`.
    public func scalars<T: SQLValueConvertible>(_ type: T.Type = SQLValue.self) -> AsyncScalarResult<T> {
        AsyncScalarResult(self)
    }
    /// Releases the cursor; remaining rows are discarded.
    public func close() async { _ = try? await connection.perform(cancellable: false) { sync.close() } }

    public func makeAsyncIterator() -> Iterator { Iterator(result: self) }

    /// Reads a batch of rows per trip to the connection's thread.
    public struct Iterator: AsyncIteratorProtocol {
        public typealias Failure = any Error
        let result: AsyncResult
        var buffer: [Row] = []
        var position = 0
        var exhausted = false

        public mutating func next() async throws -> Row? {
            if position == buffer.count {
                guard !exhausted else { return nil }
                buffer = try await result.fetch(AsyncResult.batchSize)
                position = 0
                if buffer.count < AsyncResult.batchSize { exhausted = true }
                guard !buffer.isEmpty else { return nil }
            }
            position += 1
            return buffer[position - 1]
        }
    }
}

/// The first column of each row of an ``AsyncResult``, converted to `T`.
@available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
public struct AsyncScalarResult<T: SQLValueConvertible>: AsyncSequence {
    public typealias Element = T
    public typealias Failure = any Error
    let result: AsyncResult

    init(_ result: AsyncResult) { self.result = result }

    /// Every remaining value.
    public func all() async throws -> [T] { try await result.connection.perform { try result.sync.scalars(T.self).all() } }
    /// The first value or nil, then closes the result.
    public func first() async throws -> T? { try await result.connection.perform { try result.sync.scalars(T.self).first() } }
    /// Exactly one value (see ``CursorResult/one()``).
    public func one() async throws -> T { try await result.connection.perform { try result.sync.scalars(T.self).one() } }
    /// One value or nil.
    public func oneOrNil() async throws -> T? {
        try await result.connection.perform { try result.sync.scalars(T.self).oneOrNil() }
    }

    public func makeAsyncIterator() -> Iterator { Iterator(rows: result.makeAsyncIterator()) }

    /// Converts each row's first column as it is read.
    public struct Iterator: AsyncIteratorProtocol {
        public typealias Failure = any Error
        var rows: AsyncResult.Iterator

        public mutating func next() async throws -> T? {
            guard let row = try await rows.next() else { return nil }
            return try T(sqlValue: row.values.first ?? .null)
        }
    }
}
