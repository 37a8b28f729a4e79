import Foundation

extension MetaData {
    /// This metadata as the metadata JSON of DESIGN.md (`retort-metadata/1`), the format
    /// `migrator metadata` prints and `--metadata FILE` reads: keys in the order DESIGN.md shows, fields
    /// at their defaults left out. Expression defaults, checks and indexes are written as
    /// the SQL `dialect` gives them (SQL text given as text is written as it is).
    ///
    /// ```swift
    /// let m = MetaData()
    /// Table("tags", m, Column("id", .integer, primaryKey: true), Column("name", .string(50), nullable: false))
    /// print(m.metadataJSON())
    /// // {"format": "retort-metadata/1", "enums": [], "tables": [{"name": "tags", "comment": null, "columns": [...
    /// ```
    public func metadataJSON(dialect: Dialect = .postgresql) -> String {
        let metadata = self
        var tables: [String] = []
        for t in metadata.tables {
            var columns: [String] = []
            for c in t.columns {
                var f: [(String, String)] = [("name", q(c.name)), ("type", q(c.type.name)), ("nullable", "\(c.nullable)")]
                if c.primaryKey { f.append(("primary_key", "true")) }
                if let a = c.autoincrementSetting { f.append(("autoincrement", "\(a)")) }
                if let d = c.serverDefault { f.append(("server_default", q((try? d.sql(for: dialect)) ?? ""))) }
                if let cm = c.comment { f.append(("comment", q(cm))) }
                if let co = c.collation { f.append(("collation", q(co))) }
                if let i = c.identity { f.append(("identity", obj([("always", "\(i.always)")] + optionFields(i.options)))) }
                if let comp = c.computed {
                    var cf = [("sql", q((try? comp.sql(for: dialect)) ?? ""))]
                    if let s = comp.stored { cf.append(("stored", "\(s)")) }
                    f.append(("computed", obj(cf)))
                }
                columns.append(obj(f))
            }
            var f: [(String, String)] = [("name", q(t.name)), ("comment", t.comment.map(q) ?? "null"),
                                         ("columns", list(columns, indent: "        "))]
            if let pk = t.primaryKey {
                f.append(("primary_key", obj([("name", pk.name.map(q) ?? "null"), ("columns", strs(pk.columns))])))
            }
            f.append(("foreign_keys", list(t.foreignKeys.map { fk in
                var ff: [(String, String)] = [("name", fk.name.map(q) ?? "null"), ("columns", strs(fk.columns)),
                                              ("ref_table", q(fk.referredTable)), ("ref_columns", strs(fk.referredColumns))]
                if let a = fk.onDelete { ff.append(("on_delete", q(a.rawValue))) }
                if let a = fk.onUpdate { ff.append(("on_update", q(a.rawValue))) }
                return obj(ff)
            }, indent: "        ")))
            f.append(("unique_constraints", list(t.uniqueConstraints.map {
                obj([("name", $0.name.map(q) ?? "null"), ("columns", strs($0.columns))])
            }, indent: "        ")))
            f.append(("check_constraints", list(t.checkConstraints.map {
                obj([("name", $0.name.map(q) ?? "null"),
                     ("condition", q($0.sqlText ?? (try? $0.conditionSQL(for: dialect)) ?? ""))])
            }, indent: "        ")))
            f.append(("indexes", list(t.indexes.map { ix in
                var ff: [(String, String)] = [("name", ix.name.map(q) ?? "null")]
                if let cols = ix.columnNames { ff.append(("columns", strs(cols))) }
                else { ff.append(("expressions", strs((try? ix.elementSQL(for: dialect)) ?? []))) }
                ff.append(("unique", "\(ix.unique)"))
                if let w = try? ix.whereSQL(for: dialect) { ff.append(("where", q(w))) }
                if !ix.mysqlLength.isEmpty {
                    ff.append(("mysql_length", "{" + ix.mysqlLength.sorted { $0.key < $1.key }
                        .map { "\(q($0.key)): \($0.value)" }.joined(separator: ", ") + "}"))
                }
                return obj(ff)
            }, indent: "        ")))
            tables.append("{\n      " + f.map { "\(q($0.0)): \($0.1)" }.joined(separator: ",\n      ") + "\n    }")
        }
        let enums = metadata.enums.map { obj([("name", q($0.name)), ("values", strs($0.values))]) }
        // Sequences only when there are some: metadata without them prints as before.
        let sequences = metadata.sequences.map { obj([("name", q($0.name))] + optionFields($0.options)) }
        return "{\n  \"format\": \(q("retort-metadata/1")),\n  \"enums\": " + list(enums, indent: "    ")
            + (sequences.isEmpty ? "" : ",\n  \"sequences\": " + list(sequences, indent: "    ")) + ",\n  \"tables\": "
            + list(tables, indent: "    ") + "\n}\n"
    }

    /// The set options of a sequence or identity: `start`, `increment`, `min_value`,
    /// `max_value`, `cycle`, `cache` (as revision files spell them).
    private func optionFields(_ o: SequenceOptions) -> [(String, String)] {
        var f: [(String, String)] = []
        if let v = o.start { f.append(("start", "\(v)")) }
        if let v = o.increment { f.append(("increment", "\(v)")) }
        if let v = o.minValue { f.append(("min_value", "\(v)")) }
        if let v = o.maxValue { f.append(("max_value", "\(v)")) }
        if o.cycle { f.append(("cycle", "true")) }
        if let v = o.cache { f.append(("cache", "\(v)")) }
        return f
    }

    private func obj(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(q($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }
    private func list(_ items: [String], indent: String) -> String {
        items.isEmpty ? "[]" : "[\n" + items.map { indent + $0 }.joined(separator: ",\n") + "\n" + indent.dropLast(2) + "]"
    }
    private func strs(_ items: [String]) -> String { "[" + items.map(q).joined(separator: ", ") + "]" }

    private func q(_ s: String) -> String { JSONText.quote(s) }
}

/// JSON text helpers shared with the migrator (its revision YAML uses the same escapes).
package enum JSONText {
    /// A JSON string literal (also a valid YAML double-quoted scalar).
    package static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                // 0x7F too: JSON allows it raw, but YAML (RevisionWriter shares this) does not.
                if u.value < 0x20 || u.value == 0x7F { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
