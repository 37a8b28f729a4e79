import Foundation
import RetortCore

extension AlterColumnSpec {
    /// The `existing_*` fields a database whose ALTER restates the whole column (MySQL's
    /// `MODIFY`) needs and this operation lacks: one for each part of the column it
    /// leaves unchanged. Empty for a plain rename or a new default alone, which need no
    /// definition (`RENAME COLUMN`, `ALTER COLUMN … SET DEFAULT`).
    public var missingExistingDefinition: [String] {
        let restates = nullable != nil || type != nil || comment != nil || collation != nil || using != nil
        guard restates else { return [] }
        var missing: [String] = []
        if type == nil, existingType == nil { missing.append("existing_type") }
        if nullable == nil, existingNullable == nil { missing.append("existing_nullable") }
        if serverDefault == nil, existingServerDefault == nil { missing.append("existing_server_default") }
        if comment == nil, existingComment == nil { missing.append("existing_comment") }
        return missing
    }
}

extension MigrationRunner {
    /// Refuses, before any of it runs, a plan holding an operation this database cannot
    /// carry out as written: on a database whose ALTER restates the whole column, an
    /// `alter_column` without the existing definition of what it leaves unchanged (MySQL
    /// would silently drop the default, the comment or NOT NULL). The error names the
    /// revision file and line, the operation and the missing fields.
    func checkRunnable(_ plan: [MigrationStep]) throws {
        try MigrationRunner.checkRunnable(plan, dialect: engine.dialect)
    }

    /// ``checkRunnable(_:)`` for `dialect`, also for offline scripts (``OfflineScript``).
    static func checkRunnable(_ plan: [MigrationStep], dialect: Dialect) throws {
        guard dialect.migration.restatesColumnToAlter else { return }
        for step in plan {
            let ops = step.isUpgrade ? step.revision.upgrade : step.revision.downgrade
            for (i, op) in ops.enumerated() {
                guard case .alterColumn(let spec) = op else { continue }
                let missing = spec.missingExistingDefinition
                guard !missing.isEmpty else { continue }
                let section = step.isUpgrade ? "upgrade" : "downgrade"
                let marks = try? RevisionMarks(path: step.revision.path, count: ops.count, section: section)
                let fields = missing.joined(separator: ", ")
                throw MigrateError(
                    "revision \(step.revision.id), \(section) step \(i + 1): alter_column \(spec.table).\(spec.column) lacks "
                        + "\(fields): \(dialect.name) restates the whole column to change any part of it, and without "
                        + "\(missing.count == 1 ? "it" : "them") would change what the operation leaves alone",
                    at: .init(file: step.revision.path, line: marks?.lines[i]),
                    hint: "add \(fields) to the operation (what the column is before it: "
                        + "e.g. existing_type: string(100), existing_nullable: false, existing_server_default: null, "
                        + "existing_comment: null); nothing was run")
            }
        }
    }
}
