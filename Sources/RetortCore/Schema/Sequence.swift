/// A named sequence: a schema object, declared on a ``MetaData``, that hands out
/// numbers (SQLAlchemy's `Sequence`; named so here because Swift's own `Sequence`
/// is a protocol). ``MetaData/createAll(_:checkFirst:)`` creates it before the tables
/// and drops it after them.
///
/// ```swift
/// let orderNumbers = DatabaseSequence("order_no", metadata, start: 1000)
/// let orders = Table("orders", metadata,
///     Column("id", .integer, primaryKey: true),
///     Column("number", .bigint, serverDefault: .expression(orderNumbers.nextValue())))
/// // CREATE SEQUENCE order_no START WITH 1000
/// // PostgreSQL: number BIGINT DEFAULT nextval('order_no')
/// try conn.scalar(select(orderNumbers.nextValue()), as: Int64.self)   // 1000, then 1001, …
/// ```
///
/// PostgreSQL, MariaDB (10.3 and later), Oracle and SQL Server have sequences; on
/// SQLite and MySQL 8 creating one, or asking it for a value, is a ``ProgrammingError``
/// that says so.
public struct DatabaseSequence: Sendable, Hashable {
    /// The sequence's name.
    public var name: String
    /// Its schema (nil: the metadata's, else the database's default).
    public var schema: String?
    /// Where it starts, how it steps, its bounds, cycling and cache.
    public var options: SequenceOptions

    /// A sequence not registered with any metadata (a revision's `create_sequence`).
    public init(_ name: String, schema: String? = nil, options: SequenceOptions = SequenceOptions()) {
        self.name = name
        self.schema = schema
        self.options = options
    }

    /// Declares a sequence in `metadata`; the options as in ``SequenceOptions``.
    @discardableResult
    public init(_ name: String, _ metadata: MetaData, schema: String? = nil, start: Int64? = nil, increment: Int64? = nil,
                minValue: Int64? = nil, maxValue: Int64? = nil, cycle: Bool = false, cache: Int64? = nil) {
        self.name = name
        self.schema = schema ?? metadata.schema
        self.options = SequenceOptions(start: start, increment: increment, minValue: minValue, maxValue: maxValue,
                                       cycle: cycle, cache: cache)
        metadata.add(self)
    }

    /// The sequence's next value, as an expression: PostgreSQL `nextval('s')`, MariaDB
    /// `nextval(s)`, Oracle `s.nextval`, SQL Server `NEXT VALUE FOR s`. Each evaluation
    /// advances the sequence. Usable in a SELECT, in INSERT values, and as a column's
    /// `serverDefault: .expression(seq.nextValue())`.
    public func nextValue() -> SQLExpression<Int64> {
        SQLExpression(.function(FunctionCall(
            name: name, arguments: schema.map { [ExpressionNode.raw($0, type: nil)] } ?? [], type: .bigint, known: .nextValue)))
    }
}

/// `CREATE SEQUENCE name [START WITH n] [INCREMENT BY n] [MINVALUE n] [MAXVALUE n] [CYCLE] [CACHE n]`.
public struct CreateSequence: DDLStatement {
    public var sequence: DatabaseSequence
    /// `IF NOT EXISTS` (PostgreSQL, MariaDB).
    public var ifNotExists: Bool
    public init(_ sequence: DatabaseSequence, ifNotExists: Bool = false) {
        self.sequence = sequence
        self.ifNotExists = ifNotExists
    }
    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitCreateSequence(self) }
}

/// `DROP SEQUENCE [IF EXISTS] name`.
public struct DropSequence: DDLStatement {
    public var name: String
    public var schema: String?
    public var ifExists: Bool
    public init(_ name: String, schema: String? = nil, ifExists: Bool = false) {
        self.name = name
        self.schema = schema
        self.ifExists = ifExists
    }
    public func accept(_ compiler: DDLCompiler) throws -> String { try compiler.visitDropSequence(self) }
}
