import Foundation
import RetortCore

/// Renders revisions as the YAML of DESIGN.md: block style for the file, flow style
/// (`{name: id, type: integer}`) for columns and other small mappings, stable key order.
public enum RevisionWriter {
    /// The file text for `revision`, with optional comment lines at the top.
    public static func render(_ revision: Revision, headerComments: [String] = []) -> String {
        var out = ""
        for c in headerComments { out += "# \(c)\n" }
        out += "revision: \(scalar(revision.id))\n"
        switch revision.downRevisions.count {
        case 0: out += "down_revision: null\n"
        case 1: out += "down_revision: \(scalar(revision.downRevisions[0]))\n"
        default: out += "down_revision: \(flowList(revision.downRevisions))\n"
        }
        out += "branch_labels: \(flowList(revision.branchLabels))\n"
        out += "depends_on: \(flowList(revision.dependsOn))\n"
        if !revision.replaces.isEmpty { out += "replaces: \(flowList(revision.replaces))\n" }
        out += "message: \(scalar(revision.message))\n"
        if let c = revision.created { out += "created: \(c)\n" }
        out += "transactional: \(revision.transactional)\n"
        out += operations("upgrade", revision.upgrade)
        out += operations("downgrade", revision.downgrade)
        return out
    }

    /// One top-level list of a revision file, as the file spells it:
    ///
    /// ```yaml
    /// upgrade:
    ///   - add_column: {table: books, column: {name: isbn, type: string(13)}}
    /// ```
    public static func operations(_ name: String, _ ops: [MigrationOperation]) -> String {
        if ops.isEmpty { return "\(name): []\n" }
        return "\(name):\n" + ops.map { render($0) }.joined()
    }

    /// One list item: `  - key: {...}` or a block for create_table.
    static func render(_ op: MigrationOperation) -> String {
        switch op {
        case .createTable(let t):
            var s = "  - create_table:\n      name: \(scalar(t.name))\n"
            if let c = t.comment { s += "      comment: \(scalar(c))\n" }
            s += "      columns:\n"
            for c in t.columns { s += "        - \(column(c))\n" }
            if let pk = t.primaryKey { s += "      primary_key: \(constraint(pk))\n" }
            if !t.foreignKeys.isEmpty {
                s += "      foreign_keys:\n" + t.foreignKeys.map { "        - \(foreignKey($0))\n" }.joined()
            }
            if !t.uniqueConstraints.isEmpty {
                s += "      unique_constraints:\n" + t.uniqueConstraints.map { "        - \(constraint($0))\n" }.joined()
            }
            if !t.checkConstraints.isEmpty {
                s += "      check_constraints:\n" + t.checkConstraints.map {
                    "        - \(flow([("name", $0.name.map(scalar)), ("condition", scalar($0.condition))]))\n"
                }.joined()
            }
            return s
        case .bulkInsert(let table, let rows):
            var s = "  - bulk_insert:\n      table: \(scalar(table))\n      rows:\n"
            for row in rows {
                s += "        - " + flow(row.keys.sorted().map { ($0, bulk(row[$0]!)) }) + "\n"
            }
            return s
        default:
            return "  - \(op.key): \(flow(fields(op)))\n"
        }
    }

    private static func fields(_ op: MigrationOperation) -> [(String, String?)] {
        switch op {
        case .createTable, .bulkInsert: return []
        case .createSequence(let s): return [("name", scalar(s.name))] + sequenceOptionFlow(s.options)
        case .dropSequence(let name): return [("name", scalar(name))]
        case .dropTable(let name): return [("name", scalar(name))]
        case .renameTable(let name, let newName): return [("name", scalar(name)), ("new_name", scalar(newName))]
        case .addColumn(let table, let c): return [("table", scalar(table)), ("column", column(c))]
        case .dropColumn(let table, let c): return [("table", scalar(table)), ("column", scalar(c))]
        case .alterColumn(let a):
            return [
                ("table", scalar(a.table)), ("column", scalar(a.column)), ("new_name", a.newName.map(scalar)),
                ("nullable", a.nullable.map { "\($0)" }), ("type", a.type.map(scalar)),
                ("server_default", a.serverDefault.map { $0.map(scalar) ?? "null" }),
                ("comment", a.comment.map { $0.map(scalar) ?? "null" }),
                ("existing_type", a.existingType.map(scalar)), ("existing_nullable", a.existingNullable.map { "\($0)" }),
                ("existing_server_default", a.existingServerDefault.map { $0.map(scalar) ?? "null" }),
                ("existing_comment", a.existingComment.map { $0.map(scalar) ?? "null" }), ("using", a.using.map(scalar)),
                ("collation", a.collation.map { $0.map(scalar) ?? "null" }),
            ]
        case .createIndex(let i):
            return [
                ("name", scalar(i.name)), ("table", scalar(i.table)),
                ("columns", i.columns.isEmpty ? nil : flowList(i.columns)),
                ("expressions", i.expressions.isEmpty ? nil : flowList(i.expressions)),
                ("unique", i.unique ? "true" : nil), ("where", i.whereClause.map(scalar)),
                ("concurrently", i.concurrently ? "true" : nil),
                ("mysql_length", i.mysqlLength.isEmpty ? nil
                    : "{" + i.mysqlLength.sorted { $0.key < $1.key }.map { "\(scalar($0.key)): \($0.value)" }.joined(separator: ", ") + "}"),
            ]
        case .dropIndex(let name, let table, let concurrently):
            return [("name", scalar(name)), ("table", table.map(scalar)), ("concurrently", concurrently ? "true" : nil)]
        case .createUniqueConstraint(let name, let table, let columns),
             .createPrimaryKey(let name, let table, let columns):
            return [("name", scalar(name)), ("table", scalar(table)), ("columns", flowList(columns))]
        case .createForeignKey(let table, let fk):
            return [("name", fk.name.map(scalar)), ("table", scalar(table))] + foreignKeyFields(fk)
                + [("not_valid", fk.notValid ? "true" : nil)]
        case .createCheckConstraint(let name, let table, let condition, let notValid):
            return [("name", scalar(name)), ("table", scalar(table)), ("condition", scalar(condition)),
                    ("not_valid", notValid ? "true" : nil)]
        case .validateConstraint(let name, let table):
            return [("name", scalar(name)), ("table", scalar(table))]
        case .dropConstraint(let name, let table, let type):
            return [("name", scalar(name)), ("table", scalar(table)), ("type", type.rawValue)]
        case .createEnum(let name, let values): return [("name", scalar(name)), ("values", flowList(values))]
        case .dropEnum(let name): return [("name", scalar(name))]
        case .addEnumValue(let name, let value, let before, let after):
            return [("name", scalar(name)), ("value", scalar(value)), ("before", before.map(scalar)), ("after", after.map(scalar))]
        case .execute(let sql, let per):
            return [("sql", sql.map(scalar))] + Dialect.registered.map { ($0.name, per[$0.name].map(scalar)) }
        }
    }

    static func column(_ c: ColumnSpec) -> String {
        flow([
            ("name", scalar(c.name)), ("type", scalar(c.type)), ("nullable", c.nullable ? nil : "false"),
            ("primary_key", c.primaryKey ? "true" : nil), ("autoincrement", c.autoincrement.map { "\($0)" }),
            ("server_default", c.serverDefault.map(scalar)), ("comment", c.comment.map(scalar)),
            ("collation", c.collation.map(scalar)), ("identity", c.identity.map(identity)),
            ("computed", c.computed.map(computed)),
        ])
    }

    private static func constraint(_ c: ConstraintSpec) -> String {
        flow([("name", c.name.map(scalar)), ("columns", flowList(c.columns))])
    }

    private static func foreignKeyFields(_ fk: ForeignKeySpec) -> [(String, String?)] {
        [("columns", flowList(fk.columns)), ("ref_table", scalar(fk.refTable)), ("ref_columns", flowList(fk.refColumns)),
         ("on_delete", fk.onDelete.map(scalar)), ("on_update", fk.onUpdate.map(scalar))]
    }

    private static func foreignKey(_ fk: ForeignKeySpec) -> String {
        flow([("name", fk.name.map(scalar))] + foreignKeyFields(fk))
    }

    private static func bulk(_ v: BulkValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .string(let s): return scalar(s)
        }
    }

    /// `{a: 1, b: 2}`, leaving out nil fields.
    static func flow(_ fields: [(String, String?)]) -> String {
        "{" + fields.compactMap { k, v in v.map { "\(k): \($0)" } }.joined(separator: ", ") + "}"
    }

    static func flowList(_ items: [String]) -> String { "[" + items.map(scalar).joined(separator: ", ") + "]" }

    /// A YAML scalar: plain when that reads back as the same string, double-quoted otherwise.
    public static func scalar(_ s: String) -> String {
        if isPlainSafe(s) { return s }
        return MetadataJSON.q(s)  // JSON's escapes are YAML's too
    }

    private static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        let reserved = ["null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "no", "on",
                        "off", "Yes", "No", "On", "Off", "YES", "NO", "ON", "OFF", "y", "n", "Y", "N"]
        if reserved.contains(s) { return false }
        if Double(s) != nil || Int(s) != nil { return false }
        if s.hasPrefix("0x") || s.hasPrefix("0o") || s.hasPrefix(".") { return false }
        if " -?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) || last == " " { return false }
        for u in s.unicodeScalars {
            if u.value < 0x20 || u == "\u{7F}" { return false }
            if ",[]{}#".unicodeScalars.contains(u) { return false }
        }
        if s.contains(": ") || s.contains(" #") || s.hasSuffix(":") { return false }
        // Timestamps and dates would be read back as dates by some YAML readers.
        if s.range(of: #"^\d{4}-\d{2}-\d{2}"#, options: .regularExpression) != nil { return false }
        return true
    }
}
