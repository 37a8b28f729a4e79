import Foundation
import RetortCore

/// One thing `migrator lint` found: the rule, where (file and line of the operation),
/// what will happen, and the safe alternative.
public struct LintFinding: Sendable, Equatable {
    public var code: String
    public var name: String
    public var severity: LintSeverity
    public var revision: String
    public var file: String
    /// The line of the operation in the file (1-based).
    public var line: Int
    /// What will happen.
    public var message: String
    /// What to do instead.
    public var advice: String

    /// `versions/x.yaml:12: error D101 drop-table: ... Instead: ...`
    public var text: String {
        "\(file):\(line): \(severity.rawValue) \(code) \(name): \(message)\n    instead: \(advice)"
    }

    /// A GitHub Actions workflow annotation.
    public var github: String {
        func escaped(_ s: String) -> String {
            s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A")
        }
        return "::\(severity == .error ? "error" : "warning") file=\(file),line=\(line),title=\(code) \(name)::"
            + escaped(message + " Instead: " + advice)
    }

    /// One JSON object.
    public var json: String {
        let q = MetadataJSON.q
        return "{\"code\": \(q(code)), \"name\": \(q(name)), \"severity\": \(q(severity.rawValue)), "
            + "\"revision\": \(q(revision)), \"file\": \(q(file)), \"line\": \(line), "
            + "\"message\": \(q(message)), \"advice\": \(q(advice))}"
    }
}

/// The safety rules of `migrator lint` over revision files: static, from the
/// operations, the dialect and the config (see ``LintRule`` for the codes).
///
/// ```swift
/// let findings = try Linter(config: project.config, dialect: .postgresql).lint(project.graph.order.compactMap(project.graph.revision))
/// findings.map(\.text)   // ["versions/…yaml:14: error D102 drop-column: …"]
/// ```
///
/// A finding is left out when its operation (or its revision) lists the rule's code in
/// `lint_ignore: [CODE, …]`, or when the config turns the rule `off`.
public struct Linter: Sendable {
    public let config: MigratorConfig
    public let dialect: Dialect
    /// The live tables' sizes, when lint is connected: findings on a table say how big
    /// it is, and the lock and rebuild rules skip tables under `lint: {min_rows: N}`.
    public var sizes: [String: TableSize]
    let traits: DialectTraits

    public init(config: MigratorConfig, dialect: Dialect, sizes: [String: TableSize] = [:]) {
        self.config = config
        self.dialect = dialect
        self.sizes = sizes
        // What the database's DDL locks (its MigrationDialect says).
        traits = DialectTraits(blockingDDL: dialect.migration.ddlBlocksWhileWaiting,
                               rebuildsTables: dialect.migration.rebuildsTablesToAlter,
                               onlineIndexes: dialect.migration.buildsIndexesOnline)
    }

    /// The findings for `revisions`, in order, each revision's upgrade operations in turn.
    public func lint(_ revisions: [Revision]) throws -> [LintFinding] {
        var out: [LintFinding] = []
        for r in revisions { out += try lint(r) }
        return out
    }

    /// The findings of one revision's upgrade.
    public func lint(_ revision: Revision) throws -> [LintFinding] {
        let marks = try RevisionMarks(path: revision.path, count: revision.upgrade.count)
        var created = Set<String>()  // tables this revision creates: no lock or compatibility worries
        var out: [LintFinding] = []
        var touchesExisting = false
        for (i, op) in revision.upgrade.enumerated() {
            let line = marks.lines[i]
            let size = op.table.flatMap { created.contains($0) ? nil : sizes[$0] }
            func add(_ rule: LintRule, _ message: String, _ advice: String) {
                if let applies = rule.applies, !applies(traits) { return }
                let severity = config.lintSeverity[rule.code] ?? rule.severity
                guard severity != .off, !marks.ignored[i].contains(rule.code), !marks.revisionIgnored.contains(rule.code) else { return }
                // Locks and rebuilds matter on big tables: below min_rows they are left out.
                if let size, rule.sizeMatters, size.rows < config.lintMinRows { return }
                out.append(LintFinding(code: rule.code, name: rule.name, severity: severity, revision: revision.id,
                                       file: revision.path, line: line, message: message + (size.map(Linter.describe) ?? ""),
                                       advice: advice))
            }
            if let table = op.table, !created.contains(table) { touchesExisting = true }
            check(op, created: created, add: add)
            if case .createTable(let spec) = op { created.insert(spec.name) }
        }
        if touchesExisting, config.lockTimeout == nil, traits.blockingDDL {
            let rule = LintRule.noLockTimeout
            let severity = config.lintSeverity[rule.code] ?? rule.severity
            if severity != .off, !marks.revisionIgnored.contains(rule.code) {
                out.append(LintFinding(
                    code: rule.code, name: rule.name, severity: severity, revision: revision.id, file: revision.path,
                    line: marks.upgradeLine,
                    message: "the revision changes existing tables with no lock_timeout: a statement waiting for a lock "
                        + "makes every later query on that table wait behind it",
                    advice: "set \(dialect.name): {lock_timeout: 10s} in \(config.path), and retry the deploy when it times out"))
            }
        }
        return out
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    private func check(_ op: MigrationOperation, created: Set<String>,
                       add: (LintRule, String, String) -> Void) {
        func existing(_ table: String) -> Bool { !created.contains(table) }
        switch op {
        case .dropTable(let name):
            add(.dropTable, "drop_table \(name) deletes every row of \(name)",
                "keep the table until no released version of the app uses it, and copy out what must survive; "
                    + "a reviewed drop says lint_ignore: [D101]")
        case .dropColumn(let table, let column):
            add(.dropColumn, "drop_column \(table).\(column) deletes its values, and the app version still running during "
                    + "the deploy fails on every statement that names it",
                "stop reading and writing the column in one release, and drop it in a later one")
            if traits.rebuildsTables {
                add(.tableRebuild, "drop_column \(table).\(column) rebuilds \(table) when an index, key or constraint uses the column "
                        + "(SQLite copies every row under the write lock)",
                    "expect the whole table to be copied; drop the indexes that use the column first if they are not needed")
            }
        case .renameTable(let name, let newName):
            add(.renameTable, "rename_table \(name) to \(newName): the app version still running during the deploy uses \(name)",
                "create \(newName) beside \(name) (or a view named \(name)), move the app over, then drop the old one")
        case .addColumn(let table, let column):
            if !column.nullable, column.serverDefault == nil, column.computed == nil, column.identity == nil, !column.primaryKey,
               existing(table) {
                add(.notNullWithoutDefault, "add_column \(table).\(column.name) NOT NULL without a server_default fails on a "
                        + "table with rows, and inserts from the running app version that leave it out fail",
                    "add it nullable (or with a server_default), fill it, then set it NOT NULL in a later revision")
            }
        case .alterColumn(let spec):
            alterColumn(spec, existing: existing(spec.table), add: add)
        case .createIndex(let ix):
            if existing(ix.table), !ix.concurrently {
                add(.blockingIndex, "create_index \(ix.name) builds under a SHARE lock: writes to \(ix.table) wait until the "
                        + "whole index is built",
                    "add concurrently: true to the operation, in a revision with transactional: false")
            }
        case .createForeignKey(let table, let fk):
            if existing(table), !fk.notValid {
                add(.validatingForeignKey, "create_foreign_key \(fk.name ?? "") scans \(table) to check every row while "
                        + "\(table) and \(fk.refTable) are locked against writes",
                    "add not_valid: true, then validate_constraint {name: \(fk.name ?? "..."), table: \(table)} in a later revision")
                rebuild("create_foreign_key on \(table)", table, add)
            }
        case .createCheckConstraint(let name, let table, _, let notValid):
            if existing(table), !notValid {
                add(.validatingCheck, "create_check_constraint \(name) scans \(table) under an ACCESS EXCLUSIVE lock: reads "
                        + "and writes wait",
                    "add not_valid: true, then validate_constraint {name: \(name), table: \(table)} in a later revision")
                rebuild("create_check_constraint on \(table)", table, add)
            }
        case .createUniqueConstraint(let name, let table, _):
            if existing(table) {
                add(.directUnique, "create_unique_constraint \(name) builds its index under an ACCESS EXCLUSIVE lock on \(table)",
                    "execute: CREATE UNIQUE INDEX CONCURRENTLY (transactional: false), then ALTER TABLE \(table) ADD CONSTRAINT "
                        + "\(name) UNIQUE USING INDEX ...")
                rebuild("create_unique_constraint on \(table)", table, add)
            }
        case .createPrimaryKey(_, let table, _), .dropConstraint(_, let table, _):
            if existing(table) { rebuild("\(op.key) on \(table)", table, add) }
        default:
            break
        }
    }

    private func alterColumn(_ spec: AlterColumnSpec, existing: Bool, add: (LintRule, String, String) -> Void) {
        let what = "\(spec.table).\(spec.column)"
        if let newName = spec.newName {
            add(.renameColumn, "renaming \(what) to \(newName): the app version still running during the deploy uses \(spec.column)",
                "add \(newName), write both, move reads over, then drop \(spec.column) in a later release")
        }
        if let newType = spec.type {
            let old = spec.existingType.flatMap { try? SQLType(name: $0) }
            let new = try? SQLType(name: newType)
            if let old, let new, SchemaComparer.narrows(old, to: new) {
                add(.narrowingType, "\(what) from \(old.name) to \(new.name) may truncate or reject values",
                    "check the longest and largest values first, or keep the wider type")
            } else if old == nil {
                add(.narrowingType, "\(what) changes to \(newType) without existing_type, so lint cannot tell whether it narrows",
                    "add existing_type to the operation")
            }
            add(.typeChange, "\(what) changes type to \(newType): the app version still running may read or write it the old way",
                "add a column of the new type, write both, move reads over, then drop the old one")
            if existing, !(old.flatMap { o in new.map { Linter.changesInPlace(o, $0) } } ?? false) {
                add(.rewritingType, "\(what) to \(newType) rewrites \(spec.table) under an ACCESS EXCLUSIVE lock: reads and "
                        + "writes wait for the whole copy",
                    "add a new column, fill it in batches, and switch to it")
            }
        }
        if spec.nullable == false, existing {
            add(.setNotNull, "\(what) SET NOT NULL scans \(spec.table) under an ACCESS EXCLUSIVE lock",
                "create_check_constraint (\(spec.column) IS NOT NULL) with not_valid: true; validate_constraint; then set "
                    + "nullable: false (PostgreSQL 12+ uses the valid check and skips the scan); then drop the check "
                    + "(autogenerate: {postgresql_safe: true} writes these steps)")
        }
        if existing, spec.type != nil || spec.nullable != nil || spec.serverDefault != nil {
            rebuild("alter_column \(what)", spec.table, add)
        }
    }

    private func rebuild(_ what: String, _ table: String, _ add: (LintRule, String, String) -> Void) {
        add(.tableRebuild, "\(what) rebuilds \(table): SQLite creates a copy, moves every row and drops the old table, "
                + "holding the write lock throughout",
            "expect the time and disk of a full copy of \(table); group the table's changes into one revision")
    }

    /// ` (12,345 rows, 3.2 MB)`.
    static func describe(_ size: TableSize) -> String {
        let rows = size.rows.formatted(.number.grouping(.automatic))
        guard let bytes = size.bytes else { return " (\(rows) rows)" }
        let mb = Double(bytes) / 1_048_576
        return " (\(rows) rows, \(mb < 10 ? String(format: "%.1f", mb) : String(format: "%.0f", mb)) MB)"
    }

    /// PostgreSQL changes these types without rewriting the table: a longer or
    /// unlimited string, text from a string, more numeric precision at the same scale.
    static func changesInPlace(_ old: SQLType, _ new: SQLType) -> Bool {
        switch (old, new) {
        case (.string(let a), .string(let b)): return b == nil || (a != nil && b! >= a!)
        case (.string, .text): return true
        case (.numeric(let p1, let s1), .numeric(let p2, let s2)):
            return s1 == s2 && (p2 == nil || (p1 != nil && p2! >= p1!))
        default: return old == new
        }
    }
}

extension MigrationOperation {
    /// The table an operation changes (nil for enums and raw SQL).
    var table: String? {
        switch self {
        case .createTable(let s): return s.name
        case .dropTable(let n), .renameTable(let n, _): return n
        case .addColumn(let t, _), .dropColumn(let t, _): return t
        case .alterColumn(let s): return s.table
        case .createIndex(let s): return s.table
        case .dropIndex(_, let t, _): return t
        case .validateConstraint(_, let t): return t
        case .createUniqueConstraint(_, let t, _), .createForeignKey(let t, _), .createCheckConstraint(_, let t, _, _),
            .createPrimaryKey(_, let t, _), .dropConstraint(_, let t, _):
            return t
        case .bulkInsert(let t, _): return t
        default: return nil
        }
    }
}

/// What `migrator lint` prints: the findings, and their count by severity.
public struct LintReport: Sendable {
    public var findings: [LintFinding]
    public init(_ findings: [LintFinding]) { self.findings = findings }

    public var errors: Int { findings.filter { $0.severity == .error }.count }
    public var warnings: Int { findings.count - errors }

    /// `2 errors, 1 warning`, or `No findings.`
    public var summary: String {
        findings.isEmpty ? "No findings."
            : "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
    }

    /// `{"status": "ok" | "failed", "errors": N, "warnings": N, "findings": [...]}`.
    public var json: String {
        "{\"status\": \(MetadataJSON.q(errors > 0 ? "failed" : "ok")), \"errors\": \(errors), \"warnings\": \(warnings), "
            + "\"findings\": [" + findings.map(\.json).joined(separator: ", ") + "]}"
    }
}
