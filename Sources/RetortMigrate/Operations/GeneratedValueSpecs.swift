import RetortCore

/// A computed column as revision files and metadata JSON spell it:
/// `computed: {sql: price * quantity, stored: true}` (`stored` left out: the
/// database's default kind, stored on PostgreSQL and virtual elsewhere).
public struct ComputedSpec: Sendable, Equatable, Hashable {
    /// The expression, SQL text over the row's other columns.
    public var sql: String
    /// `STORED` (true), `VIRTUAL` (false), or the database's default (nil).
    public var stored: Bool?
    public init(sql: String, stored: Bool? = nil) {
        self.sql = sql
        self.stored = stored
    }
}

/// A sequence as `create_sequence` spells it:
/// `create_sequence: {name: order_no, start: 1000, increment: 1, min_value: 1,
/// max_value: 99999, cycle: true, cache: 20}` (every option but `name` may be left
/// out: the database's default). `drop_sequence: {name: order_no}` drops one.
public struct SequenceSpec: Sendable, Equatable, Hashable {
    public var name: String
    public var options: SequenceOptions
    public init(name: String, options: SequenceOptions = SequenceOptions()) {
        self.name = name
        self.options = options
    }
}

/// The option keys of a sequence and an identity, in the order files write them.
let sequenceOptionFields = SequenceOptions.fieldNames

extension OperationReader {
    /// `{always: true, start: 1, …}` of a column's `identity`.
    func identity(_ node: YAMLNode, column: String) throws -> Identity {
        let what = "'identity' of column '\(column)'"
        let e = try yaml.mapping(node, what)
        try yaml.checkKeys(e, allowed: ["always"] + sequenceOptionFields, in: what)
        let always = try yaml.field(e, "always").map { try yaml.bool($0, "'always' of \(what)") } ?? false
        return Identity(always: always, options: try sequenceOptions(e, what: what))
    }

    /// `{sql: …, stored: true}` of a column's `computed`.
    func computed(_ node: YAMLNode, column: String) throws -> ComputedSpec {
        let what = "'computed' of column '\(column)'"
        let e = try yaml.mapping(node, what)
        try yaml.checkKeys(e, allowed: ["sql", "stored"], in: what)
        guard let sql = yaml.field(e, "sql"), !yaml.isNull(sql) else {
            throw yaml.error("\(what) is missing its required field 'sql'", at: node, hint: "e.g. computed: {sql: price * quantity, stored: true}")
        }
        let stored = try yaml.field(e, "stored").flatMap { yaml.isNull($0) ? nil : try yaml.bool($0, "'stored' of \(what)") }
        return ComputedSpec(sql: try yaml.string(sql, "'sql' of \(what)"), stored: stored)
    }

    /// `create_sequence: {name, start, increment, min_value, max_value, cycle, cache}`.
    func createSequence(_ node: YAMLNode) throws -> SequenceSpec {
        let e = try yaml.mapping(node, "create_sequence")
        try yaml.checkKeys(e, allowed: ["name"] + sequenceOptionFields, in: "create_sequence")
        guard let name = yaml.field(e, "name"), !yaml.isNull(name) else {
            throw yaml.error("create_sequence is missing its required field 'name'", at: node)
        }
        return SequenceSpec(name: try yaml.string(name, "'name' of create_sequence"),
                            options: try sequenceOptions(e, what: "create_sequence"))
    }

    /// `drop_sequence: {name}`.
    func dropSequence(_ node: YAMLNode) throws -> String {
        let e = try yaml.mapping(node, "drop_sequence")
        try yaml.checkKeys(e, allowed: ["name"], in: "drop_sequence")
        guard let name = yaml.field(e, "name"), !yaml.isNull(name) else {
            throw yaml.error("drop_sequence is missing its required field 'name'", at: node)
        }
        return try yaml.string(name, "'name' of drop_sequence")
    }

    private func sequenceOptions(_ e: [YAMLNode.Entry], what: String) throws -> SequenceOptions {
        func int(_ key: String) throws -> Int64? {
            guard let v = yaml.field(e, key), !yaml.isNull(v) else { return nil }
            return Int64(try yaml.int(v, "'\(key)' of \(what)"))
        }
        let cycle = try yaml.field(e, "cycle").map { try yaml.bool($0, "'cycle' of \(what)") } ?? false
        let options = SequenceOptions(start: try int("start"), increment: try int("increment"), minValue: try int("min_value"),
                                      maxValue: try int("max_value"), cycle: cycle, cache: try int("cache"))
        if options.increment == 0 { throw MigrateError("\(what): 'increment' cannot be 0") }
        return options
    }
}

extension RevisionWriter {
    /// `{always: true, start: 100}`.
    static func identity(_ i: Identity) -> String {
        flow([("always", "\(i.always)")] + sequenceOptionFlow(i.options))
    }

    /// `{sql: …, stored: true}`.
    static func computed(_ c: ComputedSpec) -> String {
        flow([("sql", scalar(c.sql)), ("stored", c.stored.map { "\($0)" })])
    }

    /// The set options of a sequence or identity as flow fields.
    static func sequenceOptionFlow(_ o: SequenceOptions) -> [(String, String?)] {
        [("start", o.start.map { "\($0)" }), ("increment", o.increment.map { "\($0)" }),
         ("min_value", o.minValue.map { "\($0)" }), ("max_value", o.maxValue.map { "\($0)" }),
         ("cycle", o.cycle ? "true" : nil), ("cache", o.cache.map { "\($0)" })]
    }
}
