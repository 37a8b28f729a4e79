import Foundation
import RetortCore

/// One revision of `migrator verify`: upgraded, downgraded and upgraded again.
public struct StairwayStep: Sendable {
    /// The revision and its message.
    public var revision: String
    public var message: String
    /// What the downgrade left different from the schema before the upgrade (empty
    /// when it restored it exactly).
    public var differences: [String]
    /// The error that stopped the step (an upgrade or downgrade that failed).
    public var error: String?

    public var passed: Bool { differences.isEmpty && error == nil }

    /// `ok    3f2a9c1b7d4e  create authors` or `FAIL  ...` with the reason.
    public var line: String {
        (passed ? "ok    " : "FAIL  ") + revision + "  " + message
            + (error.map { ": " + $0 } ?? "")
            + (differences.isEmpty ? "" : ": downgrade does not restore the schema:\n" + differences.map { "        " + $0 }.joined(separator: "\n"))
    }
}

/// What `migrator verify` found: each revision's step (up to the first that failed)
/// and, at head, the differences from the models (nil when no models were given).
public struct StairwayReport: Sendable {
    public var steps: [StairwayStep] = []
    public var modelDifferences: [String]?

    /// True when every revision round-trips and head matches the models.
    public var passed: Bool { steps.allSatisfy(\.passed) && (modelDifferences ?? []).isEmpty }

    /// `{"status": "ok" | "failed", "revisions": [...], "model_differences": [...] | null}`.
    public var json: String {
        let q = MetadataJSON.q
        func list(_ items: [String]) -> String { "[" + items.map(q).joined(separator: ", ") + "]" }
        let revisions = steps.map { s in
            "{\"revision\": \(q(s.revision)), \"message\": \(q(s.message)), \"ok\": \(s.passed), "
                + "\"differences\": \(list(s.differences)), \"error\": \(s.error.map(q) ?? "null")}"
        }
        return "{\"status\": \(q(passed ? "ok" : "failed")), \"revisions\": [" + revisions.joined(separator: ", ") + "], "
            + "\"model_differences\": \(modelDifferences.map(list) ?? "null")}"
    }
}

extension Project {
    /// `migrator verify`, the stairway test: on a scratch database (a temporary SQLite
    /// file, or a temporary database on the configured PostgreSQL server; or
    /// `scratchURL`), for every revision in graph order, upgrade to it, snapshot the
    /// schema, downgrade one step, compare with the schema before it (it must be the
    /// same), and upgrade again. At head the schema is compared with `models`, as
    /// `check` does. With `data`, a generated row goes into every table before each
    /// step (see ``SampleRows``), so steps that fail only on tables with rows fail
    /// here. Stops at the first revision that fails. The configured database is never
    /// touched.
    ///
    /// ```swift
    /// let report = try Project(configPath: "migrator.yaml").verify(models: metadata) { print($0.line) }
    /// report.passed   // false names the first revision whose downgrade does not restore the schema
    /// ```
    public func verify(scratchURL: String? = nil, models: MetaData? = nil, data: Bool = false,
                       onStep: (StairwayStep) -> Void = { _ in }) throws -> StairwayReport {
        let scratch = try scratchURL.map { ScratchDatabase(existing: $0) } ?? ScratchDatabase.make(near: config.database)
        defer { scratch.drop() }
        var scratchConfig = config
        scratchConfig.database = scratch.url
        let project = Project(config: scratchConfig, scripts: scripts)
        defer { try? project.engine().dispose() }
        let runner = try project.runner()
        let own = Set(VersionStore(versionTable: config.versionTable, dialect: try project.engine().dialect).ownTables)
        func snapshot() throws -> Snapshot {
            try project.engine().connect { conn in
                Snapshot(try Inspector(conn, excluding: own).reflect())
            }
        }

        var report = StairwayReport()
        var rows = SampleRows()
        for id in graph.order {
            guard let revision = graph.revision(id) else { continue }
            var step = StairwayStep(revision: id, message: revision.message, differences: [])
            do {
                if data {
                    try project.engine().begin { conn in
                        try rows.insert(into: try Inspector(conn, excluding: own).reflect(), on: conn)
                    }
                }
                // Exactly what the revision needs applied: on a linear history that is where
                // the previous step left off; across branches, the other branch is taken off.
                let needed = graph.ancestors(of: revision.downRevisions + revision.dependsOn)
                if graph.ancestors(of: try runner.current()) != needed {
                    try runner.downgrade(to: "base")
                    for p in revision.downRevisions + revision.dependsOn { try runner.upgrade(to: p) }
                }
                let before = try snapshot()
                try runner.upgrade(to: id)
                // Down to a parent: that takes off its descendants, and only this one is applied.
                try runner.downgrade(to: revision.downRevisions.first ?? "base")
                let after = try snapshot()
                step.differences = before.differences(from: after)
                try runner.upgrade(to: id)
            } catch {
                step.error = "\(error)"
            }
            report.steps.append(step)
            onStep(step)
            if !step.passed { return report }
        }
        if let models {
            report.modelDifferences = try project.compare(models).summaryLines
        }
        return report
    }
}

/// A schema as `verify` compares it: tables by name, columns by name (a downgrade
/// that adds a dropped column back puts it last, which is no difference to a user).
struct Snapshot: Equatable {
    var tables: [String: ReflectedTable]
    var enums: [String: [String]]

    init(_ schema: ReflectedSchema) {
        tables = Dictionary(schema.tables.map { t in
            var t = t.comparable
            t.columns.sort { $0.name < $1.name }
            return (t.name, t)
        }, uniquingKeysWith: { a, _ in a })
        enums = Dictionary(schema.enums.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
    }

    /// What `other` has that differs from this snapshot, a line per table or enum.
    func differences(from other: Snapshot) -> [String] {
        var out: [String] = []
        for name in Set(tables.keys).union(other.tables.keys).sorted() {
            switch (tables[name], other.tables[name]) {
            case (nil, _?): out.append("table \(name) is left behind")
            case (_?, nil): out.append("table \(name) is missing")
            case (let a?, let b?) where a != b: out.append(contentsOf: Snapshot.describe(a, b))
            default: break
            }
        }
        for name in Set(enums.keys).union(other.enums.keys).sorted() where enums[name] != other.enums[name] {
            out.append("enum \(name): \(enums[name].map { "(\($0.joined(separator: ", ")))" } ?? "none") before, "
                + "\(other.enums[name].map { "(\($0.joined(separator: ", ")))" } ?? "none") after")
        }
        return out
    }

    /// The parts of table `a` (before) that `b` (after the downgrade) has otherwise.
    static func describe(_ a: ReflectedTable, _ b: ReflectedTable) -> [String] {
        var out: [String] = []
        let t = a.name
        func compare<T: Equatable>(_ what: String, _ x: [T], _ y: [T], key: (T) -> String) {
            let xs = Dictionary(x.map { (key($0), $0) }, uniquingKeysWith: { p, _ in p })
            let ys = Dictionary(y.map { (key($0), $0) }, uniquingKeysWith: { p, _ in p })
            for k in Set(xs.keys).union(ys.keys).sorted() {
                switch (xs[k], ys[k]) {
                case (nil, _?): out.append("\(t): \(what) \(k) is left behind")
                case (_?, nil): out.append("\(t): \(what) \(k) is missing")
                case (let p?, let q?) where p != q: out.append("\(t): \(what) \(k) was \(p), is \(q)")
                default: break
                }
            }
        }
        compare("column", a.columns, b.columns) { $0.name }
        compare("index", a.indexes, b.indexes) { $0.name }
        compare("foreign key", a.foreignKeys, b.foreignKeys) { $0.name ?? "(\($0.columns.joined(separator: ", ")))" }
        compare("unique constraint", a.uniqueConstraints, b.uniqueConstraints) { $0.name ?? "(\($0.columns.joined(separator: ", ")))" }
        compare("check constraint", a.checkConstraints, b.checkConstraints) { $0.name ?? "(unnamed)" }
        if a.primaryKey != b.primaryKey { out.append("\(t): primary key was \(String(describing: a.primaryKey)), is \(String(describing: b.primaryKey))") }
        if a.comment != b.comment { out.append("\(t): comment was \(a.comment ?? "none"), is \(b.comment ?? "none")") }
        if out.isEmpty { out.append("\(t) differs") }
        return out
    }
}
