/// How catalog spellings map back to Retort's values: types, referential actions and
/// CHECK definitions.
extension PostgreSQLReflector {
    /// Maps `format_type()` output back to a Retort type, inverting
    /// `PostgreSQLTypeCompiler`; anything else stays `.sql` with PostgreSQL's spelling.
    ///
    /// ```swift
    /// PostgreSQLReflector.type("character varying(100)")        // .string(100)
    /// PostgreSQLReflector.type("timestamp with time zone")      // .datetime(timezone: true)
    /// PostgreSQLReflector.type("jsonb")                         // .json (Retort's json is JSONB here)
    /// PostgreSQLReflector.type("json")                          // .sql("json"): not what .json creates
    /// PostgreSQLReflector.type("integer[]")                     // .sql("integer[]")
    /// ```
    ///
    /// `NUMERIC(P)` is stored as `numeric(P,0)` and reads back with scale 0. Enum
    /// columns are recognised by their type's kind, not here.
    static func type(_ formatted: String) -> SQLType {
        switch formatted {
        case "integer": return .integer
        case "bigint": return .bigint
        case "smallint": return .smallint
        case "character varying": return .string(nil)
        case "text": return .text
        case "boolean": return .boolean
        case "real": return .float
        case "double precision": return .double
        case "numeric": return .numeric(precision: nil, scale: nil)
        case "date": return .date
        case "timestamp without time zone": return .datetime(timezone: false)
        case "timestamp with time zone": return .datetime(timezone: true)
        case "time without time zone": return .time
        case "bytea": return .binary
        case "jsonb": return .json
        case "uuid": return .uuid
        default: break
        }
        if let n = arguments(formatted, of: "character varying"), n.count == 1 { return .string(n[0]) }
        if let n = arguments(formatted, of: "numeric"), n.count == 2 { return .numeric(precision: n[0], scale: n[1]) }
        return .sql(formatted)
    }

    /// The integers of `base(a,b)`, when `formatted` is exactly that.
    private static func arguments(_ formatted: String, of base: String) -> [Int]? {
        guard formatted.hasPrefix(base + "("), formatted.hasSuffix(")") else { return nil }
        let inner = formatted.dropFirst(base.count + 1).dropLast()
        let parts = inner.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return values.count == parts.count ? values : nil
    }

    /// `pg_constraint.confdeltype` / `confupdtype` as a Retort action; NO ACTION (`a`),
    /// the default, is nil.
    static func action(_ code: String) -> ReferentialAction? {
        switch code {
        case "c": return .cascade
        case "r": return .restrict
        case "n": return .setNull
        case "d": return .setDefault
        default: return nil
        }
    }

    /// A CHECK constraint from its `pg_get_constraintdef` text: the condition inside
    /// `CHECK (...)` in canonical spelling, or — when the text is not of that shape —
    /// the whole definition as raw SQL and a problem saying so.
    static func checkConstraint(
        _ name: String, _ definition: String, columnTypes: [String: String]
    ) -> (ReflectedCheckConstraint, problem: String?) {
        if let condition = checkCondition(definition) {
            return (ReflectedCheckConstraint(
                name: name, condition: PostgreSQLCanonicalSQL.expression(condition, columnTypes: columnTypes)), nil)
        }
        return (ReflectedCheckConstraint(name: name, condition: definition),
                "could not parse CHECK constraint \(name); its condition is the raw definition: \(definition)")
    }

    /// The condition inside `CHECK (...)` of a `pg_get_constraintdef` result (which may
    /// end in `NOT VALID` or `NO INHERIT`); nil when the text is not of that shape.
    ///
    /// ```swift
    /// PostgreSQLReflector.checkCondition("CHECK (pages > 0) NOT VALID")   // "pages > 0"
    /// ```
    static func checkCondition(_ definition: String) -> String? {
        let trimmed = definition.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("CHECK ("),
            let tokens = PostgreSQLCanonicalSQL.tokens(trimmed),
            let open = tokens.firstIndex(where: { $0.text == "(" }),
            let close = PostgreSQLCanonicalSQL.matchingClose(tokens, open)
        else { return nil }
        let rest = tokens[(close + 1)...].map { $0.text.uppercased() }
        var i = 0
        while i < rest.count {
            switch (rest[i], i + 1 < rest.count ? rest[i + 1] : "") {
            case ("NOT", "VALID"), ("NO", "INHERIT"): i += 2
            default: return nil
            }
        }
        return PostgreSQLCanonicalSQL.join(tokens[(open + 1)..<close])
    }

    /// The predicate of a partial index from its `pg_get_indexdef` text: what follows
    /// the top-level `WHERE`; nil when there is none or the text cannot be read.
    ///
    /// ```swift
    /// PostgreSQLReflector.indexPredicate("CREATE INDEX ix ON public.t USING btree (a) WHERE b > 5")   // "b > 5"
    /// ```
    static func indexPredicate(_ definition: String) -> String? {
        guard let tokens = PostgreSQLCanonicalSQL.tokens(definition) else { return nil }
        var depth = 0
        for (i, t) in tokens.enumerated() {
            if t.kind == .punctuation, t.text == "(" || t.text == "[" { depth += 1 }
            if t.kind == .punctuation, t.text == ")" || t.text == "]" { depth -= 1 }
            if depth == 0, t.kind == .word, t.text.uppercased() == "WHERE", i + 1 < tokens.count {
                return PostgreSQLCanonicalSQL.join(tokens[(i + 1)...])
            }
        }
        return nil
    }
}
