import Foundation
import RetortCore

/// `migrator.yaml`: where the database is, where the revision files live, and how
/// migrations run.
///
/// ```yaml
/// database: ${DATABASE_URL:-sqlite:///example.db}   # ${VAR} and ${VAR:-default} are expanded
/// script_location: migrations-example                # holds versions/
/// manifest: ExampleModels                           # the Swift module that declares the models
/// version_table: migrator_version
/// transaction: per_migration                        # or: all
/// compare: {types: true, server_defaults: true}
/// exclude_tables: []
/// postgresql: {lock_timeout: 10s, statement_timeout: null}   # or mysql: {...}, the same keys
/// ```
public struct MigratorConfig: Sendable, Equatable {
    public enum TransactionMode: String, Sendable, CaseIterable { case perMigration = "per_migration", all }

    /// The config file's path; relative paths inside it are relative to its folder.
    public var path: String
    public var database: String
    /// The folder holding `versions/`, resolved against the config file's folder.
    public var scriptLocation: String
    public var manifest: String?
    public var versionTable: String
    public var transaction: TransactionMode
    public var compareTypes: Bool
    public var compareServerDefaults: Bool
    public var excludeTables: [String]
    /// Seconds; nil leaves the server's setting.
    public var lockTimeout: Double?
    public var statementTimeout: Double?
    /// `lint: {severity: {CODE: error | warning | off}}`: each rule's severity, where
    /// it differs from the rule's own (see ``LintRule``).
    public var lintSeverity: [String: LintSeverity] = [:]
    /// `lint: {min_rows: N}`: connected to the database, lint leaves out the lock and
    /// rebuild findings (P, S) on tables with fewer rows.
    public var lintMinRows: Int64 = 0
    /// `autogenerate: {postgresql_safe: true}`: autogenerate writes the forms that do not
    /// block a busy PostgreSQL table (indexes CONCURRENTLY, keys and checks NOT VALID then
    /// validated, SET NOT NULL through a validated check).
    public var postgresqlSafe = false

    public var versionsDirectory: String { (scriptLocation as NSString).appendingPathComponent("versions") }

    static let fields = ["database", "script_location", "manifest", "version_table", "transaction", "compare",
                         "exclude_tables", "lint", "autogenerate"] + timeoutSections
    /// The sections that set `lock_timeout` and `statement_timeout`, one per database
    /// with session timeouts. Where a config has more than one, the one naming the
    /// database of its URL applies.
    static let timeoutSections = ["postgresql", "mysql"]

    public init(path: String, database: String, scriptLocation: String, manifest: String? = nil,
                versionTable: String = "migrator_version", transaction: TransactionMode = .perMigration,
                compareTypes: Bool = true, compareServerDefaults: Bool = true, excludeTables: [String] = [],
                lockTimeout: Double? = 10, statementTimeout: Double? = nil) {
        self.path = path
        self.database = database
        self.scriptLocation = scriptLocation
        self.manifest = manifest
        self.versionTable = versionTable
        self.transaction = transaction
        self.compareTypes = compareTypes
        self.compareServerDefaults = compareServerDefaults
        self.excludeTables = excludeTables
        self.lockTimeout = lockTimeout
        self.statementTimeout = statementTimeout
    }

    /// Reads the config at `path`, expanding `${VAR}` and `${VAR:-default}` from `environment`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> MigratorConfig
    {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw MigrateError("cannot read the config file \(path)",
                               hint: FileManager.default.fileExists(atPath: path)
                                   ? "check its permissions" : "create one with `migrator init DIR`, or pass -c PATH")
        }
        return try parse(text, path: path, environment: environment)
    }

    public static func parse(_ text: String, path: String, environment: [String: String]) throws -> MigratorConfig {
        let yaml = YAMLReader(file: path)
        let root = try yaml.parse(text)
        let entries = try yaml.mapping(root, "the config")
        try yaml.checkKeys(entries, allowed: fields, in: "the config")
        func field(_ name: String) -> YAMLNode? { entries.first { $0.key == name }?.value }
        func expanded(_ name: String) throws -> String? {
            guard let node = field(name), let raw = try yaml.optionalString(node, "'\(name)'") else { return nil }
            return try expand(raw, environment: environment, at: yaml.location(node))
        }

        guard let database = try expanded("database"), !database.isEmpty else {
            throw MigrateError("the config has no 'database' URL", at: yaml.location(root),
                               hint: "add e.g. database: ${DATABASE_URL:-sqlite:///app.db}")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let location = try expanded("script_location") ?? "migrations"
        var config = MigratorConfig(
            path: path, database: database,
            scriptLocation: location.hasPrefix("/") || folder.isEmpty ? location : (folder as NSString).appendingPathComponent(location),
            manifest: try expanded("manifest"))
        if let v = try expanded("version_table") { config.versionTable = v }
        if let node = field("transaction") {
            let raw = try yaml.string(node, "'transaction'")
            guard let mode = TransactionMode(rawValue: raw) else {
                throw yaml.error("unknown transaction mode '\(raw)'", at: node, hint: "use per_migration or all")
            }
            config.transaction = mode
        }
        if let node = field("compare"), !yaml.isNull(node) {
            let c = try yaml.mapping(node, "'compare'")
            try yaml.checkKeys(c, allowed: ["types", "server_defaults"], in: "'compare'")
            for e in c {
                let b = try yaml.bool(e.value, "'compare.\(e.key)'")
                if e.key == "types" { config.compareTypes = b } else { config.compareServerDefaults = b }
            }
        }
        config.excludeTables = try yaml.stringList(field("exclude_tables"), "'exclude_tables'")
        let given = timeoutSections.filter { field($0).map { !yaml.isNull($0) } ?? false }
        let scheme = database.prefix { $0 != ":" && $0 != "+" }.lowercased()
        if let section = given.first(where: { $0 == Dialect.named(scheme)?.name }) ?? given.first, let node = field(section) {
            let p = try yaml.mapping(node, "'\(section)'")
            try yaml.checkKeys(p, allowed: ["lock_timeout", "statement_timeout"], in: "'\(section)'")
            for e in p {
                let seconds = try duration(e.value, yaml: yaml, what: "\(section).\(e.key)")
                if e.key == "lock_timeout" { config.lockTimeout = seconds } else { config.statementTimeout = seconds }
            }
        }
        if let node = field("autogenerate"), !yaml.isNull(node) {
            let a = try yaml.mapping(node, "'autogenerate'")
            try yaml.checkKeys(a, allowed: ["postgresql_safe"], in: "'autogenerate'")
            if let v = a.first?.value { config.postgresqlSafe = try yaml.bool(v, "'autogenerate.postgresql_safe'") }
        }
        if let node = field("lint"), !yaml.isNull(node) {
            let l = try yaml.mapping(node, "'lint'")
            try yaml.checkKeys(l, allowed: ["severity", "min_rows"], in: "'lint'")
            if let m = yaml.field(l, "min_rows") {
                guard let n = Int64(try yaml.string(m, "'lint.min_rows'")), n >= 0 else {
                    throw yaml.error("'lint.min_rows' must be a whole number of rows", at: m)
                }
                config.lintMinRows = n
            }
            if let s = yaml.field(l, "severity"), !yaml.isNull(s) {
                for e in try yaml.mapping(s, "'lint.severity'") {
                    guard LintRule.byCode[e.key] != nil else {
                        throw yaml.error("'lint.severity' names no rule '\(e.key)'", atKeyOf: e,
                                         hint: "rules: " + LintRule.all.map(\.code).joined(separator: ", "))
                    }
                    let word = try yaml.string(e.value, "'lint.severity.\(e.key)'")
                    guard let severity = LintSeverity(rawValue: word) else {
                        throw yaml.error("'lint.severity.\(e.key)' must be error, warning or off, not '\(word)'", at: e.value)
                    }
                    config.lintSeverity[e.key] = severity
                }
            }
        }
        return config
    }

    /// `10s`, `500ms`, `2m`, a bare number of seconds, or null.
    static func duration(_ node: YAMLNode, yaml: YAMLReader, what: String) throws -> Double? {
        guard let raw = try yaml.optionalString(node, what) else { return nil }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where raw.hasSuffix(suffix) {
            if let v = Double(raw.dropLast(suffix.count)), v >= 0 { return v * scale }
        }
        if let v = Double(raw), v >= 0 { return v }
        throw yaml.error("'\(what)' must be a duration like 10s, 500ms or 2m, not '\(raw)'", at: node)
    }

    /// Expands `${VAR}` and `${VAR:-default}`; an unset `${VAR}` without a default is an error.
    static func expand(_ text: String, environment: [String: String], at location: MigrateError.Location) throws -> String {
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw MigrateError("unclosed ${ in '\(text)'", at: location)
            }
            let body = rest[start.upperBound..<end]
            if let sep = body.range(of: ":-") {
                let name = String(body[..<sep.lowerBound])
                let value = environment[name].flatMap { $0.isEmpty ? nil : $0 }
                out += value ?? String(body[sep.upperBound...])
            } else {
                let name = String(body)
                guard let value = environment[name] else {
                    throw MigrateError("environment variable \(name) is not set", at: location,
                                       hint: "set it, or write ${\(name):-default}")
                }
                out += value
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }
}
