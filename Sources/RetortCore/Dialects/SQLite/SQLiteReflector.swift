import Foundation

/// Reads an SQLite schema with a fixed number of queries over `sqlite_master` and the
/// table-valued PRAGMA functions (`pragma_table_xinfo`, `pragma_foreign_key_list`,
/// `pragma_index_list`, `pragma_index_xinfo`), and recovers constraint names, CHECK
/// conditions and partial-index predicates from the stored CREATE statements.
struct SQLiteReflector: SchemaReflector {
    func schemaNames(_ conn: Connection) throws -> [String] { [] }

    func canonicalDefault(_ sql: String) -> String { SQLiteReflector.canonicalDefault(sql) }
    /// SQLite stores CREATE INDEX as written; our DDL wraps expressions in parentheses.
    func canonicalIndexElement(_ sql: String) -> String { strippingEnclosingParentheses(sql) }
    func canonicalCondition(_ sql: String) -> String { sql.trimmingCharacters(in: .whitespaces) }
    /// Every integer type is SQLite's one 64-bit INTEGER storage class, whatever the
    /// declaration says (`INTEGER`, `BIGINT`, `SMALLINT` hold the same values): a `bigint`
    /// key is an `integer` key, and neither spelling differs from the other. Only the
    /// rowid differs, and that is a matter of the key being exactly `INTEGER`, not of
    /// the type (Retort's DDL spells an autoincrementing key `INTEGER`).
    func comparableType(_ type: SQLType) -> SQLType { type.isInteger ? .integer : type }

    func reflect(_ conn: Connection, schema: String?, only: Set<String>?, exclude: Set<String>) throws -> ReflectedSchema {
        let master = schema.map { IdentifierQuoting.quote($0) + ".sqlite_master" } ?? "sqlite_master"
        // Table-valued PRAGMAs take the schema as a second argument.
        let schemaArgument = schema.map { ", '" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? ""
        func wanted(_ name: String) -> Bool {
            !name.hasPrefix("sqlite_") && !exclude.contains(name) && (only?.contains(name) ?? true)
        }

        var result = ReflectedSchema(schema: schema)
        var tableSQL: [String: String] = [:]
        var order: [String] = []
        let objects = try conn.execute(text("SELECT type, name, tbl_name, sql FROM \(master) WHERE type IN ('table', 'view', 'index') ORDER BY name"))
        var indexSQL: [String: String] = [:]
        while let row = try objects.next() {
            let type: String = try row.get(0), name: String = try row.get(1)
            let sql = try row.get(3, as: String?.self)
            switch type {
            case "table" where wanted(name):
                tableSQL[name] = sql ?? ""
                order.append(name)
            case "view": result.views.append(name)
            case "index": if let sql { indexSQL[name] = sql }
            default: break
            }
        }
        var tables: [String: ReflectedTable] = [:]
        var parsed: [String: SQLiteSchemaParser.CreateTable] = [:]
        for name in order {
            var t = ReflectedTable(name: name, schema: schema)
            if let p = SQLiteSchemaParser(tableSQL[name] ?? "").createTable() {
                parsed[name] = p
            } else {
                t.problems.append("could not parse the CREATE TABLE statement of \(name); constraint names and CHECKs are missing")
            }
            tables[name] = t
        }

        // Columns of every table in one query.
        var pkColumns: [String: [(Int, String)]] = [:]
        var declaredTypes: [String: [String: String]] = [:]
        let cols = try conn.execute(text(
            "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden FROM \(master) m "
            + "JOIN pragma_table_xinfo(m.name\(schemaArgument)) p "
            + "WHERE m.type = 'table' ORDER BY m.name, p.cid"))
        while let row = try cols.next() {
            let table: String = try row.get(0)
            guard tables[table] != nil else { continue }
            let name: String = try row.get(1), declared: String = try row.get(2)
            let hidden: Int = try row.get(6)
            if hidden == 1 { continue }  // virtual-table hidden columns
            let pk: Int = try row.get(5)
            if pk > 0 { pkColumns[table, default: []].append((pk, name)) }
            declaredTypes[table, default: [:]][name] = declared
            var column = ReflectedColumn(
                name: name, type: SQLiteReflector.type(declared),
                nullable: try row.get(3, as: Int.self) == 0 && pk == 0,
                serverDefault: try row.get(4, as: String?.self).map(SQLiteReflector.canonicalDefault))
            // hidden 2: a virtual generated column, 3: a stored one; the expression is
            // only in the CREATE TABLE text.
            if hidden == 2 || hidden == 3 {
                if let expression = parsed[table]?.generationExpressions[name] {
                    column.computed = Computed(canonicalGenerationExpression(expression), stored: hidden == 3)
                } else {
                    tables[table]!.problems.append("column \(name) is a generated column whose expression could not be read")
                }
            }
            tables[table]!.columns.append(column)
        }
        for (table, pks) in pkColumns {
            let columns = pks.sorted { $0.0 < $1.0 }.map(\.1)
            let p = parsed[table]
            let name = p?.constraints.first { $0.kind == .primaryKey }?.name
            tables[table]!.primaryKey = ReflectedPrimaryKey(name: name, columns: columns)
            // A lone INTEGER primary key is the rowid: it autoincrements (unless WITHOUT ROWID).
            if columns.count == 1, p?.withoutRowID != true,
               declaredTypes[table]?[columns[0]]?.uppercased() == "INTEGER",
               let i = tables[table]!.columns.firstIndex(where: { $0.name == columns[0] }) {
                tables[table]!.columns[i].autoincrement = true
                tables[table]!.columns[i].strictAutoincrement = p?.autoincrementColumns.contains(columns[0]) == true
            }
        }
        for (table, p) in parsed {
            for (column, collation) in p.collations {
                if let i = tables[table]!.columns.firstIndex(where: { $0.name == column }) {
                    tables[table]!.columns[i].collation = collation
                }
            }
        }

        // Foreign keys of every table in one query.
        var fkRows: [String: [Int: (table: String, from: [String], to: [String], onUpdate: String, onDelete: String)]] = [:]
        let fks = try conn.execute(text(
            "SELECT m.name, f.id, f.seq, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete FROM \(master) m "
            + "JOIN pragma_foreign_key_list(m.name\(schemaArgument)) f "
            + "WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq"))
        while let row = try fks.next() {
            let table: String = try row.get(0)
            guard tables[table] != nil else { continue }
            let id: Int = try row.get(1)
            let fresh = (table: try row.get(3, as: String.self), from: [String](), to: [String](),
                         onUpdate: try row.get(6, as: String.self), onDelete: try row.get(7, as: String.self))
            var entry = fkRows[table]?[id] ?? fresh
            entry.from.append(try row.get(4))
            if let to = try row.get(5, as: String?.self) { entry.to.append(to) }
            fkRows[table, default: [:]][id] = entry
        }
        for (table, byID) in fkRows {
            let named = parsed[table]?.constraints.filter { $0.kind == .foreignKey } ?? []
            for (_, fk) in byID.sorted(by: { $0.key > $1.key }) {  // SQLite lists the last declared first
                let match = named.first { $0.columns == fk.from && $0.referredTable == fk.table }
                var referred = fk.to
                if referred.isEmpty, let target = tables[fk.table]?.primaryKey?.columns { referred = target }
                tables[table]!.foreignKeys.append(ReflectedForeignKey(
                    name: match?.name, columns: fk.from, referredTable: fk.table, referredColumns: referred,
                    onDelete: SQLiteReflector.action(fk.onDelete), onUpdate: SQLiteReflector.action(fk.onUpdate)))
            }
        }

        // Indexes (created with CREATE INDEX) with their columns, in two queries.
        var indexColumns: [String: [(Int, String?)]] = [:]
        let ixcols = try conn.execute(text(
            "SELECT il.name, ix.seqno, ix.name FROM \(master) m JOIN pragma_index_list(m.name\(schemaArgument)) il "
            + "JOIN pragma_index_xinfo(il.name\(schemaArgument)) ix WHERE m.type = 'table' AND ix.key = 1 ORDER BY il.name, ix.seqno"))
        while let row = try ixcols.next() {
            indexColumns[try row.get(0), default: []].append((try row.get(1), try row.get(2, as: String?.self)))
        }
        let ixlist = try conn.execute(text(
            "SELECT m.name, il.name, il.\"unique\", il.origin, il.partial FROM \(master) m "
            + "JOIN pragma_index_list(m.name\(schemaArgument)) il WHERE m.type = 'table' ORDER BY m.name, il.name"))
        while let row = try ixlist.next() {
            let table: String = try row.get(0)
            guard tables[table] != nil, try row.get(3, as: String.self) == "c" else { continue }
            let name: String = try row.get(1)
            let parsedIndex = indexSQL[name].flatMap { SQLiteSchemaParser($0).createIndex() }
            var elements: [ReflectedIndexElement] = []
            for (i, entry) in (indexColumns[name] ?? []).enumerated() {
                if let column = entry.1 {
                    elements.append(.column(column))
                } else if let text = parsedIndex?.elements[safe: i] {
                    elements.append(.expression(canonicalIndexElement(text)))
                } else {
                    tables[table]!.problems.append("could not read expression \(i + 1) of index \(name)")
                }
            }
            tables[table]!.indexes.append(ReflectedIndex(
                name: name, elements: elements, unique: try row.get(2, as: Int.self) == 1,
                predicate: try row.get(4, as: Int.self) == 1 ? parsedIndex?.predicate : nil))
        }

        // Unique and check constraints come from the CREATE TABLE text.
        for (table, p) in parsed {
            for c in p.constraints {
                switch c.kind {
                case .unique: tables[table]!.uniqueConstraints.append(ReflectedUniqueConstraint(name: c.name, columns: c.columns))
                case .check:
                    if let cond = c.condition { tables[table]!.checkConstraints.append(ReflectedCheckConstraint(name: c.name, condition: cond)) }
                case .primaryKey, .foreignKey: break
                }
            }
        }
        result.tables = order.compactMap { tables[$0] }
        return result
    }

    func viewsAndTriggers(_ conn: Connection, schema: String?) throws -> [ReflectedSchemaObject] {
        let master = schema.map { IdentifierQuoting.quote($0) + ".sqlite_master" } ?? "sqlite_master"
        let rows = try conn.execute(text(
            "SELECT type, name, tbl_name, sql FROM \(master) WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY rowid"))
        var objects: [ReflectedSchemaObject] = []
        while let row = try rows.next() {
            let kind: ReflectedSchemaObject.Kind = try row.get(0, as: String.self) == "view" ? .view : .trigger
            objects.append(ReflectedSchemaObject(kind: kind, name: try row.get(1), table: try row.get(2), sql: try row.get(3)))
        }
        return objects
    }

    static func action(_ raw: String) -> ReferentialAction? {
        raw == "NO ACTION" ? nil : ReferentialAction(sql: raw)
    }

    /// Maps a declared SQLite type back to a Retort type; unknown spellings stay `.sql`.
    static func type(_ declared: String) -> SQLType {
        let upper = declared.uppercased().trimmingCharacters(in: .whitespaces)
        let base = upper.split(separator: "(", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? upper
        let args: [Int] = upper.contains("(")
            ? upper.drop(while: { $0 != "(" }).dropFirst().prefix(while: { $0 != ")" })
                .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            : []
        switch base {
        case "INTEGER", "INT": return .integer
        case "BIGINT": return .bigint
        case "SMALLINT": return .smallint
        case "VARCHAR", "CHARACTER VARYING", "NVARCHAR": return .string(args.first)
        case "CHAR" where args == [36]: return .uuid
        case "TEXT": return .text
        case "BOOLEAN", "BOOL": return .boolean
        case "FLOAT": return .float
        case "REAL", "DOUBLE", "DOUBLE PRECISION": return .double
        case "NUMERIC", "DECIMAL": return .numeric(precision: args.first, scale: args.count > 1 ? args[1] : nil)
        case "DATE": return .date
        case "DATETIME", "TIMESTAMP": return .datetime(timezone: false)
        case "TIME": return .time
        case "BLOB": return .binary
        case "JSON": return .json
        default: return .sql(declared)
        }
    }

    /// Defaults as SQLite stores them, minus one pair of wrapping parentheses.
    static func canonicalDefault(_ raw: String) -> String { strippingEnclosingParentheses(raw, layers: 1) }
}

extension Array {
    subscript(safe i: Int) -> Element? { i >= 0 && i < count ? self[i] : nil }
}
