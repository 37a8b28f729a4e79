import Foundation
import RetortCore

/// The views and triggers a SQLite table rebuild has to carry through: the table's own
/// triggers (dropped with the old table), and every view and trigger that names the
/// table, or names a view that does (SQLite refuses to rename a table into place while
/// a view or trigger refers to a table that is not there).
struct SchemaDependents {
    /// In creation order.
    let objects: [ReflectedSchemaObject]

    init(of table: String, objects all: [ReflectedSchemaObject]) {
        var names: Set<String> = [table.lowercased()]
        var taken = Set<String>()
        var changed = true
        while changed {
            changed = false
            for object in all where !taken.contains(object.name.lowercased()) {
                let fires = object.kind == .trigger && names.contains(object.table.lowercased())
                guard fires || names.contains(where: { object.mentions($0) }) else { continue }
                taken.insert(object.name.lowercased())
                if object.kind == .view { names.insert(object.name.lowercased()) }
                changed = true
            }
        }
        objects = all.filter { taken.contains($0.name.lowercased()) }
    }

    /// Triggers that name a column the new table lacks where SQLite would not notice
    /// until they fire: declared `UPDATE OF` it (on `table`), or writing it in `INSERT
    /// INTO table (...)` or `UPDATE table SET ...`.
    func columnProblems(columns: Set<String>, table: String) -> [String] {
        objects.filter { $0.kind == .trigger }.compactMap { trigger in
            let onTable = trigger.table.lowercased() == table.lowercased()
            let missingOf = onTable ? trigger.updateOfColumns.filter { !columns.contains($0.lowercased()) } : []
            let missingWritten = trigger.columnsWritten(to: table).filter { !columns.contains($0.lowercased()) }
            var reasons: [String] = []
            if !missingOf.isEmpty { reasons.append("fires on UPDATE OF \(missingOf.joined(separator: ", "))") }
            if !missingWritten.isEmpty { reasons.append("writes \(missingWritten.joined(separator: ", "))") }
            return reasons.isEmpty ? nil
                : "trigger \(trigger.name) (\(reasons.joined(separator: " and ")), which table \(table) no longer has)"
        }
    }

    /// Every view and trigger of the schema that no longer resolves, each with SQLite's
    /// reason. SQLite checks them all when a column is dropped, so a scratch table has
    /// one dropped; each one named is dropped in turn (the step is failing anyway) to
    /// find the next.
    static func unresolved(_ conn: Connection) throws -> [String] {
        let probe = conn.dialect.quoteIdentifier("_retort_schema_probe")
        try conn.execute(text("CREATE TABLE \(probe) (a, b)"))
        var problems: [String] = []
        while problems.count < 100 {
            do {
                try conn.execute(text("ALTER TABLE \(probe) DROP COLUMN b"))
                break
            } catch let error as any DatabaseError {
                // "error in view v: no such column: c" / "error in trigger t: ..."
                let message = error.message
                guard let match = message.range(of: #"error in (view|trigger) ([^:]+?): "#, options: .regularExpression) else {
                    problems.append(message)
                    break
                }
                let head = message[match].dropFirst("error in ".count).dropLast(2)
                let kind = head.prefix { $0 != " " }
                let name = String(head.dropFirst(kind.count + 1))
                problems.append("\(kind) \(name) (\(message[match.upperBound...]))")
                try conn.execute(text("DROP \(kind.uppercased()) \(conn.dialect.quoteIdentifier(name))"))
            }
        }
        try conn.execute(text("DROP TABLE \(probe)"))
        return problems
    }
}
