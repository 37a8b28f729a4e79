/// How much a lint finding matters: an `error` makes `migrator lint` exit 1; `off`
/// silences the rule (`lint: {severity: {CODE: off}}` in migrator.yaml).
public enum LintSeverity: String, Sendable, Comparable {
    case error, warning, off

    public static func < (a: LintSeverity, b: LintSeverity) -> Bool { a.rank < b.rank }
    private var rank: Int { self == .error ? 2 : self == .warning ? 1 : 0 }
}

/// A rule of `migrator lint`: a stable code (what `lint_ignore` and the config name),
/// a short name, its default severity, and the databases it concerns (empty: all).
///
/// Codes by family: `D1xx` lose data, `B2xx` break the app version still running
/// during a deploy, `P3xx` take PostgreSQL locks that stop other sessions, `S4xx` are
/// SQLite table rebuilds.
public struct LintRule: Sendable, Hashable {
    public let code: String
    public let name: String
    public let severity: LintSeverity
    /// Databases the rule concerns, by a dialect question: nil for every database.
    let applies: (@Sendable (DialectTraits) -> Bool)?

    /// Lock and rebuild rules: what they warn of grows with the table (`lint: {min_rows: N}`).
    var sizeMatters: Bool { code.hasPrefix("P") || code.hasPrefix("S") }

    public static func == (a: LintRule, b: LintRule) -> Bool { a.code == b.code }
    public func hash(into h: inout Hasher) { h.combine(code) }

    static let dropTable = LintRule(code: "D101", name: "drop-table", severity: .error, applies: nil)
    static let dropColumn = LintRule(code: "D102", name: "drop-column", severity: .error, applies: nil)
    static let narrowingType = LintRule(code: "D103", name: "narrowing-type-change", severity: .error, applies: nil)
    static let renameTable = LintRule(code: "B201", name: "rename-table", severity: .warning, applies: nil)
    static let renameColumn = LintRule(code: "B202", name: "rename-column", severity: .warning, applies: nil)
    static let notNullWithoutDefault = LintRule(code: "B203", name: "add-not-null-column-without-default", severity: .error, applies: nil)
    static let typeChange = LintRule(code: "B204", name: "change-column-type", severity: .warning, applies: nil)
    static let blockingIndex = LintRule(code: "P301", name: "create-index-blocks-writes", severity: .warning,
                                        applies: { $0.blockingDDL && !$0.onlineIndexes })
    static let validatingForeignKey = LintRule(code: "P302", name: "foreign-key-validated-under-lock", severity: .warning,
                                              applies: { $0.blockingDDL })
    static let validatingCheck = LintRule(code: "P303", name: "check-validated-under-lock", severity: .warning,
                                         applies: { $0.blockingDDL })
    static let setNotNull = LintRule(code: "P304", name: "set-not-null-scans-under-lock", severity: .warning,
                                     applies: { $0.blockingDDL && !$0.onlineIndexes })
    static let rewritingType = LintRule(code: "P305", name: "type-change-rewrites-table", severity: .warning, applies: { $0.blockingDDL })
    static let directUnique = LintRule(code: "P306", name: "unique-constraint-built-under-lock", severity: .warning,
                                      applies: { $0.blockingDDL && !$0.onlineIndexes })
    static let noLockTimeout = LintRule(code: "P307", name: "no-lock-timeout", severity: .warning, applies: { $0.blockingDDL })
    static let tableRebuild = LintRule(code: "S401", name: "table-rebuild", severity: .warning, applies: { $0.rebuildsTables })

    /// Every rule, in code order.
    public static let all: [LintRule] = [
        dropTable, dropColumn, narrowingType, renameTable, renameColumn, notNullWithoutDefault, typeChange,
        blockingIndex, validatingForeignKey, validatingCheck, setNotNull, rewritingType, directUnique, noLockTimeout,
        tableRebuild,
    ]

    /// Rules by code.
    public static let byCode: [String: LintRule] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })
}

/// What lint asks of a database, answered from its ``MigrationDialect``.
struct DialectTraits: Sendable {
    /// DDL waits for locks that queue other sessions behind it (PostgreSQL): the P rules apply.
    var blockingDDL: Bool
    /// Constraint and column changes rebuild the table (SQLite): the S rule applies.
    var rebuildsTables: Bool
    /// Indexes build and nullability changes run with writes going on (InnoDB online
    /// DDL): P301, P304 and P306 do not apply.
    var onlineIndexes: Bool = false
}
