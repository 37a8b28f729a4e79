/// The numbering options a sequence and an identity column share (SQLAlchemy's
/// `IdentityOptions`): nil leaves each to the database's default.
///
/// ```swift
/// SequenceOptions(start: 1000, increment: 10)   // START WITH 1000 INCREMENT BY 10
/// ```
public struct SequenceOptions: Sendable, Hashable {
    /// The option keys the metadata JSON and revision files spell these options with,
    /// in the order they are written.
    public static let fieldNames = ["start", "increment", "min_value", "max_value", "cycle", "cache"]
    /// The first value handed out (`START WITH`).
    public var start: Int64?
    /// The step between values (`INCREMENT BY`); negative counts down.
    public var increment: Int64?
    /// The lowest value (`MINVALUE`).
    public var minValue: Int64?
    /// The highest value (`MAXVALUE`).
    public var maxValue: Int64?
    /// Start again from the other end after the last value (`CYCLE`) instead of failing.
    public var cycle: Bool
    /// How many values the database reserves ahead in memory (`CACHE`).
    public var cache: Int64?

    /// Numbering options; every one left nil is the database's default.
    public init(start: Int64? = nil, increment: Int64? = nil, minValue: Int64? = nil, maxValue: Int64? = nil,
                cycle: Bool = false, cache: Int64? = nil) {
        self.start = start
        self.increment = increment
        self.minValue = minValue
        self.maxValue = maxValue
        self.cycle = cycle
        self.cache = cache
    }

    /// True when no option differs from the database's default.
    public var isDefault: Bool { self == SequenceOptions() }
}

/// An identity column: the database numbers the column itself
/// (SQLAlchemy's `Identity`). A column with one is autoincrementing; the ORM reads
/// its value back after a flush.
///
/// ```swift
/// Column("id", .bigint, primaryKey: true, identity: Identity(always: true, start: 100))
/// // PostgreSQL, Oracle: id BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 100) NOT NULL
/// // SQL Server:         id BIGINT IDENTITY(100,1) NOT NULL
/// // MySQL / MariaDB:    id BIGINT NOT NULL AUTO_INCREMENT
/// // SQLite:             id INTEGER NOT NULL, PRIMARY KEY (id AUTOINCREMENT)
/// ```
///
/// Where the databases differ:
/// - PostgreSQL and Oracle take every option; `always: true` refuses explicit values.
/// - SQL Server takes `start` and `increment` (`IDENTITY(start, increment)`) and
///   refuses the other options.
/// - MySQL/MariaDB (`AUTO_INCREMENT`) and SQLite (the rowid, with `AUTOINCREMENT` so
///   that no number is handed out twice) number only a lone integer primary key and
///   take none of the options; `always` is not enforced there.
public struct Identity: Sendable, Hashable {
    /// `GENERATED ALWAYS` (explicit values refused) rather than `BY DEFAULT`.
    public var always: Bool
    /// The numbering options.
    public var options: SequenceOptions

    /// An identity; the options as in ``SequenceOptions``.
    public init(always: Bool = false, start: Int64? = nil, increment: Int64? = nil, minValue: Int64? = nil,
                maxValue: Int64? = nil, cycle: Bool = false, cache: Int64? = nil) {
        self.always = always
        self.options = SequenceOptions(start: start, increment: increment, minValue: minValue, maxValue: maxValue,
                                       cycle: cycle, cache: cache)
    }

    /// An identity with `options`.
    public init(always: Bool = false, options: SequenceOptions) {
        self.always = always
        self.options = options
    }
}

/// A computed (generated) column: its value is an expression over the row's other
/// columns, computed by the database (SQLAlchemy's `Computed`). Retort never writes
/// it; the ORM reads it back after a flush.
///
/// ```swift
/// Column("total", .numeric(12, 2), computed: Computed("price * quantity", stored: true))
/// // PostgreSQL, SQLite, MySQL: total NUMERIC(12, 2) GENERATED ALWAYS AS (price * quantity) STORED
/// // SQL Server:                total AS (price * quantity) PERSISTED
/// // Oracle (virtual only):     total NUMBER(12, 2) GENERATED ALWAYS AS (price * quantity)
/// ```
///
/// `stored: true` keeps the value on disk (`STORED`, SQL Server's `PERSISTED`);
/// `false` computes it when read (`VIRTUAL`); nil is the database's own default
/// (stored on PostgreSQL, which has only that kind; virtual on SQLite, MySQL, Oracle
/// and SQL Server). A kind the database lacks is a ``ProgrammingError``.
public struct Computed: Sendable, Hashable, ExpressibleByStringLiteral {
    package enum Storage: Sendable, Hashable {
        case sql(String)
        case expression(ExpressionNode)
    }
    package let storage: Storage
    /// `STORED` (true), `VIRTUAL` (false), or the database's default (nil).
    public var stored: Bool?

    /// The expression as SQL text, used verbatim: `Computed("price * quantity")`.
    public init(_ sql: String, stored: Bool? = nil) {
        self.storage = .sql(sql)
        self.stored = stored
    }

    /// `"price * quantity"`: the expression as SQL text, of the database's default kind.
    public init(stringLiteral sql: String) { self.init(sql) }

    /// The expression built with Retort's expression language, compiled with literal
    /// values and unqualified columns: `Computed(column("price") * column("quantity"))`.
    public init<V>(_ expression: SQLExpression<V>, stored: Bool? = nil) {
        self.storage = .expression(expression.node)
        self.stored = stored
    }

    /// The expression's SQL for `dialect` (what metadata JSON records as `computed.sql`).
    public func sql(for dialect: Dialect) throws -> String {
        switch storage {
        case .sql(let text): return text
        case .expression(let node): return try dialect.makeDDLCompiler().literalSQL(node)
        }
    }
}

extension SequenceOptions {
    /// Options as a catalog reports them, with each one equal to the database's
    /// default left out (nil, or `cycle` false), so that a sequence declared without
    /// options reads back without them. Ascending sequences default to `minValue` 1 and
    /// `maxValue` the type's largest; descending ones to `maxValue` -1 and `minValue` the
    /// type's smallest; `start` 1 (-1 counting down) reads back as nil.
    package static func fromCatalog(start: Int64, increment: Int64, minValue: Int64, maxValue: Int64, cache: Int64,
                                    cycle: Bool, typeMin: Int64, typeMax: Int64, defaultCache: Int64) -> SequenceOptions {
        let ascending = increment > 0
        let defaultMin = ascending ? 1 : typeMin
        let defaultMax = ascending ? typeMax : -1
        return SequenceOptions(
            start: start == (ascending ? 1 : -1) ? nil : start,
            increment: increment == 1 ? nil : increment,
            minValue: minValue == defaultMin ? nil : minValue,
            maxValue: maxValue == defaultMax ? nil : maxValue,
            cycle: cycle,
            cache: cache == defaultCache ? nil : cache)
    }

    /// The options with those every database takes by default left out (`increment` 1,
    /// an ascending sequence's `minValue` 1 and `start` 1, a descending one's `maxValue`
    /// -1 and `start` -1) and an unset `start` made the bound it defaults to: what
    /// comparing a declaration with a reflected sequence goes by.
    public var comparable: SequenceOptions {
        var o = self
        let ascending = (o.increment ?? 1) > 0
        if o.increment == 1 { o.increment = nil }
        if ascending {
            if o.minValue == 1 { o.minValue = nil }
            if o.start == nil { o.start = o.minValue }
            if o.start == 1 { o.start = nil }
        } else {
            if o.maxValue == -1 { o.maxValue = nil }
            if o.start == nil { o.start = o.maxValue }
            if o.start == -1 { o.start = nil }
        }
        return o
    }
}
