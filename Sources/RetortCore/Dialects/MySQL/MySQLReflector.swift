import Foundation

/// Reads a MySQL or MariaDB schema from `information_schema` with a fixed number of
/// queries, however many tables it holds: tables and views, columns, constraints
/// with their key columns and referential actions, CHECK conditions, and index
/// columns (five in all).
///
/// ```swift
/// let schema = try Inspector(engine).reflect()
/// schema.table("books")?.column(named: "id")?.autoincrement   // true for AUTO_INCREMENT
/// ```
///
/// What comes back is normalised so that a schema Retort created reads back as it was
/// declared (``ReflectedTable/init(expecting:dialect:)``):
/// - types map to Retort's names (``type(columnType:)``): `tinyint(1)` is `boolean`,
///   every `*TEXT` is `text`, every `*BLOB` is `binary`, `char(36)` and MariaDB's
///   `uuid` are `uuid`, `datetime(6)` is `datetime`, `enum('a','b')` is an enum named
///   after its column; MariaDB's JSON (a LONGTEXT with the CHECK `json_valid(col)`)
///   is `json`, and that CHECK is not reported;
/// - defaults in one spelling for both servers (``MySQLReflector/canonicalDefault(_:)``):
///   strings quoted, `CURRENT_TIMESTAMP(6)` upper case, and so is `ON UPDATE`;
/// - a unique key is a unique constraint; the index MySQL makes for a foreign key
///   that has none is not reported.
struct MySQLReflector: SchemaReflector {
    let server: MySQLServer

    func schemaNames(_ conn: Connection) throws -> [String] {
        try conn.scalars(text("""
            SELECT SCHEMA_NAME FROM information_schema.SCHEMATA
            WHERE SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')
            ORDER BY SCHEMA_NAME
            """), as: String.self).all()
    }

    /// The schema condition and its parameter: the named schema, or `DATABASE()`.
    private func schemaFilter(_ column: String, _ schema: String?) -> String {
        schema == nil ? "\(column) = DATABASE()" : "\(column) = :schema"
    }

    func reflect(_ conn: Connection, schema: String?, only: Set<String>?, exclude: Set<String>) throws -> ReflectedSchema {
        var result = ReflectedSchema(schema: schema)
        var tables: [String: ReflectedTable] = [:]
        var order: [String] = []
        let params: Parameters = schema.map { ["schema": $0] } ?? [:]
        func wanted(_ name: String) -> Bool { !exclude.contains(name) && (only?.contains(name) ?? true) }

        for row in try conn.execute(text("""
            SELECT TABLE_NAME, TABLE_TYPE, TABLE_COMMENT FROM information_schema.TABLES
            WHERE \(schemaFilter("TABLE_SCHEMA", schema)) ORDER BY TABLE_NAME
            """), params).all() {
            let name = Self.string(row[0]) ?? ""
            if Self.string(row[1]) == "VIEW" {
                result.views.append(name)
            } else if Self.string(row[1]) == "SEQUENCE" {
                result.sequences.append(ReflectedSequence(name: name, schema: schema))
            } else if wanted(name) {
                let comment = Self.string(row[2]).flatMap { $0.isEmpty ? nil : $0 }
                tables[name] = ReflectedTable(name: name, schema: schema, comment: comment)
                order.append(name)
            }
        }
        try readSequenceOptions(conn, &result)
        guard !order.isEmpty else { return result }

        // CHECK constraints (MariaDB's catalog names the table; MySQL 8's is joined to
        // TABLE_CONSTRAINTS for it). MariaDB's JSON columns show as column-level
        // `json_valid(col)` checks.
        var jsonColumns: Set<String> = []
        let checkQuery = server.isMariaDB
            ? """
              SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL FROM information_schema.CHECK_CONSTRAINTS
              WHERE \(schemaFilter("CONSTRAINT_SCHEMA", schema)) ORDER BY TABLE_NAME, CONSTRAINT_NAME
              """
            : """
              SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE, 'Table' FROM information_schema.CHECK_CONSTRAINTS cc
              JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA
                AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
              WHERE \(schemaFilter("cc.CONSTRAINT_SCHEMA", schema)) ORDER BY tc.TABLE_NAME, cc.CONSTRAINT_NAME
              """
        var checks: [String: [ReflectedCheckConstraint]] = [:]
        for row in try conn.execute(text(checkQuery), params).all() {
            guard let table = Self.string(row[0]), tables[table] != nil, let name = Self.string(row[1]) else { continue }
            let clause = Self.string(row[2]) ?? ""
            if Self.string(row[3]) == "Column", clause == "json_valid(`\(name)`)" {
                jsonColumns.insert(table + "." + name)
                continue
            }
            checks[table, default: []].append(ReflectedCheckConstraint(name: name, condition: canonicalCondition(clause)))
        }

        for row in try conn.execute(text("""
            SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT,
                   COLLATION_NAME, DATA_TYPE, GENERATION_EXPRESSION
            FROM information_schema.COLUMNS WHERE \(schemaFilter("TABLE_SCHEMA", schema))
            ORDER BY TABLE_NAME, ORDINAL_POSITION
            """), params).all() {
            guard let table = Self.string(row[0]), tables[table] != nil, let name = Self.string(row[1]) else { continue }
            let columnType = Self.string(row[2]) ?? ""
            let extra = (Self.string(row[5]) ?? "").lowercased()
            var type = jsonColumns.contains(table + "." + name) ? .json : Self.type(columnType: columnType)
            if case .enum(_, let values) = type { type = .enum(name: name, values: values) }
            let autoincrement = extra.contains("auto_increment")
            var column = ReflectedColumn(
                name: name, type: type, nullable: Self.string(row[3]) == "YES",
                serverDefault: autoincrement ? nil : defaultSQL(Self.string(row[4]), extra: extra, type: type),
                autoincrement: autoincrement,
                collation: nil,
                comment: Self.string(row[6]).flatMap { $0.isEmpty ? nil : $0 })
            if extra.contains("virtual generated") || extra.contains("stored generated") || extra.contains("persistent generated"),
               let expression = Self.string(row[9]), !expression.isEmpty {
                column.computed = Computed(canonicalGenerationExpression(expression), stored: !extra.contains("virtual"))
                column.serverDefault = nil
            }
            if let range = extra.range(of: "on update ") {
                column.serverOnUpdate = canonicalDefault(String(extra[range.upperBound...]).trimmingCharacters(in: .whitespaces))
            }
            tables[table]?.columns.append(column)
        }

        // Primary keys, foreign keys and unique constraints with their columns in order.
        struct Key { var table: String; var name: String; var kind: String; var columns: [String] = []
                     var refSchema: String?; var refTable: String?; var refColumns: [String] = []
                     var onUpdate: String?; var onDelete: String? }
        var keys: [Key] = []
        for row in try conn.execute(text("""
            SELECT tc.TABLE_NAME, tc.CONSTRAINT_NAME, tc.CONSTRAINT_TYPE, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA,
                   k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, rc.UPDATE_RULE, rc.DELETE_RULE
            FROM information_schema.TABLE_CONSTRAINTS tc
            JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA
              AND k.TABLE_NAME = tc.TABLE_NAME AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
            LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS rc ON rc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA
              AND rc.TABLE_NAME = tc.TABLE_NAME AND rc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
            WHERE \(schemaFilter("tc.TABLE_SCHEMA", schema)) AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'FOREIGN KEY', 'UNIQUE')
            ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_NAME, k.ORDINAL_POSITION
            """), params).all() {
            guard let table = Self.string(row[0]), tables[table] != nil, let name = Self.string(row[1]),
                  let kind = Self.string(row[2]), let column = Self.string(row[3]) else { continue }
            if keys.last?.table != table || keys.last?.name != name || keys.last?.kind != kind {
                keys.append(Key(table: table, name: name, kind: kind, refSchema: Self.string(row[4]), refTable: Self.string(row[5]),
                                onUpdate: Self.string(row[7]), onDelete: Self.string(row[8])))
            }
            keys[keys.count - 1].columns.append(column)
            if let ref = Self.string(row[6]) { keys[keys.count - 1].refColumns.append(ref) }
        }
        let currentSchema = try schema ?? conn.scalar(text("SELECT DATABASE()"), as: String?.self)
        var foreignKeyNames: [String: Set<String>] = [:]
        for key in keys {
            switch key.kind {
            case "PRIMARY KEY":
                tables[key.table]?.primaryKey = ReflectedPrimaryKey(name: nil, columns: key.columns)
            case "UNIQUE":
                tables[key.table]?.uniqueConstraints.append(ReflectedUniqueConstraint(name: key.name, columns: key.columns))
            default:
                foreignKeyNames[key.table, default: []].insert(key.name)
                func action(_ rule: String?) -> ReferentialAction? {
                    guard let rule, let a = ReferentialAction(sql: rule), a != .noAction, a != .restrict else { return nil }
                    return a
                }
                tables[key.table]?.foreignKeys.append(ReflectedForeignKey(
                    name: key.name, columns: key.columns,
                    referredSchema: key.refSchema == currentSchema ? nil : key.refSchema,
                    referredTable: key.refTable ?? "", referredColumns: key.refColumns,
                    onDelete: action(key.onDelete), onUpdate: action(key.onUpdate)))
            }
        }
        for (table, list) in checks { tables[table]?.checkConstraints = list }

        // Indexes that are not keys: PRIMARY and unique constraints are reported above,
        // and the index MySQL adds for a foreign key carries the key's name.
        var indexes: [(table: String, index: ReflectedIndex)] = []
        for row in try conn.execute(text("""
            SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART
            FROM information_schema.STATISTICS WHERE \(schemaFilter("TABLE_SCHEMA", schema))
            ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
            """), params).all() {
            guard let table = Self.string(row[0]), tables[table] != nil, let name = Self.string(row[1]),
                  name != "PRIMARY" else { continue }
            let unique = Self.int(row[2]) == 0
            if unique || foreignKeyNames[table]?.contains(name) == true { continue }
            let column = Self.string(row[3])
            let element: ReflectedIndexElement = column.map { .column($0) } ?? .expression("")
            if indexes.last?.table == table, indexes.last?.index.name == name {
                indexes[indexes.count - 1].index.elements.append(element)
            } else {
                indexes.append((table, ReflectedIndex(name: name, elements: [element], unique: unique)))
            }
            // SUB_PART: the prefix length, NULL when the whole column is indexed.
            if let column, let length = Self.int(row[4]) { indexes[indexes.count - 1].index.prefixLengths[column] = length }
        }
        for (table, index) in indexes { tables[table]?.indexes.append(index) }

        result.tables = order.compactMap { tables[$0] }
        return result
    }

    // MARK: Normalisation

    /// A column's default in the canonical spelling, from `COLUMN_DEFAULT` and `EXTRA`:
    /// MariaDB writes it as SQL (`'text'`, `1`, `current_timestamp(6)`, `NULL`); MySQL 8
    /// gives a literal's bare value and marks an expression `DEFAULT_GENERATED`.
    func defaultSQL(_ raw: String?, extra: String, type: SQLType) -> String? {
        guard let raw else { return nil }
        if server.isMariaDB {
            // A sequence's next value names the sequence with its schema: `nextval(`db`.`s`)`.
            if raw.lowercased().hasPrefix("nextval(") {
                let bare = raw.replacingOccurrences(of: #"`[^`]*`\.(?=`)"#, with: "", options: .regularExpression)
                return canonicalDefault("(" + canonicalCondition(bare) + ")")
            }
            return raw == "NULL" ? nil : canonicalDefault(raw)
        }
        if extra.contains("default_generated") {
            let upper = raw.uppercased()
            if upper.hasPrefix("CURRENT_TIMESTAMP") || upper.hasPrefix("NOW(") { return canonicalDefault(raw) }
            return canonicalDefault("(" + raw + ")")
        }
        if type.isNumeric || type == .boolean { return canonicalDefault(raw) }
        return canonicalDefault("'" + raw.replacingOccurrences(of: "'", with: "''") + "'")
    }

    /// `current_timestamp(6)`, `now(6)` → `CURRENT_TIMESTAMP(6)`; `CURRENT_TIMESTAMP`
    /// with no precision stays so; a string literal's backslash escapes are undone
    /// (`'a\\b'` → `'a\b'`, as MariaDB reports it); a parenthesised expression loses
    /// one layer of parentheses; the rest is kept.
    func canonicalDefault(_ sql: String) -> String {
        let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        let upper = trimmed.uppercased()
        for prefix in ["CURRENT_TIMESTAMP", "NOW", "LOCALTIMESTAMP"] where upper.hasPrefix(prefix) {
            let rest = upper.dropFirst(prefix.count)
            if rest.isEmpty || rest == "()" { return "CURRENT_TIMESTAMP" }
            if rest.hasPrefix("("), rest.hasSuffix(")"), Int(rest.dropFirst().dropLast()) != nil {
                return "CURRENT_TIMESTAMP" + rest
            }
        }
        if trimmed.hasPrefix("'"), trimmed.hasSuffix("'"), trimmed.count >= 2 {
            return "'" + Self.unescapingBackslashes(String(trimmed.dropFirst().dropLast())) + "'"
        }
        // TRUE and FALSE are the integers 1 and 0 to MySQL, which stores them so.
        if upper == "TRUE" { return "1" }
        if upper == "FALSE" { return "0" }
        return strippingEnclosingParentheses(trimmed, layers: 1)
    }

    func canonicalIndexElement(_ sql: String) -> String { strippingEnclosingParentheses(sql) }
    func canonicalCondition(_ sql: String) -> String { sql.replacingOccurrences(of: "`", with: "") }

    /// `text` and `longtext` alike are `text`, `blob` and `longblob` `binary`.
    func comparableType(_ type: SQLType) -> SQLType { type }

    func tableSizes(_ conn: Connection, tables: [String]) throws -> [String: TableSize] {
        let wanted = Set(tables)
        var out: [String: TableSize] = [:]
        for row in try conn.execute(text("""
            SELECT TABLE_NAME, TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES
            WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'
            """)).all() {
            guard let name = Self.string(row[0]), wanted.contains(name) else { continue }
            out[name] = TableSize(rows: Int64(Self.int(row[1]) ?? 0), bytes: Self.int(row[2]).map(Int64.init))
        }
        return out
    }

    /// A MySQL column type (`COLUMN_TYPE`) as a Retort type.
    static func type(columnType: String) -> SQLType {
        let t = columnType.lowercased()
        let unsigned = t.contains(" unsigned")
        let base = t.replacingOccurrences(of: " unsigned", with: "").replacingOccurrences(of: " zerofill", with: "")
        func arguments() -> [Int] {
            guard let open = base.firstIndex(of: "("), let close = base.lastIndex(of: ")") else { return [] }
            return base[base.index(after: open)..<close].split(separator: ",").compactMap {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
        }
        let head = String(base.prefix { $0 != "(" })
        switch head {
        case "tinyint" where arguments() == [1] && !unsigned: return .boolean
        case "int" where !unsigned, "integer" where !unsigned: return .integer
        case "bigint" where !unsigned: return .bigint
        case "smallint" where !unsigned: return .smallint
        case "varchar": return .string(arguments().first)
        case "char" where arguments() == [36]: return .uuid
        case "uuid": return .uuid
        case "text", "tinytext", "mediumtext", "longtext": return .text
        case "blob", "tinyblob", "mediumblob", "longblob": return .binary
        case "float": return .float
        case "double", "double precision": return .double
        case "decimal", "numeric":
            let a = arguments()
            return .numeric(precision: a.first, scale: a.count > 1 ? a[1] : nil)
        case "date": return .date
        case "datetime": return .datetime(timezone: false)
        case "time": return .time
        case "json": return .json
        case "enum":
            return .enum(name: "", values: enumValues(base))
        default: return .sql(columnType.uppercased())
        }
    }

    /// `enum('a','it''s')` → `["a", "it's"]`.
    static func enumValues(_ type: String) -> [String] {
        var values: [String] = []
        var current = ""
        var inString = false
        var chars = Array(type.drop { $0 != "(" }.dropFirst())
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if inString {
                if c == "'" {
                    if i + 1 < chars.count, chars[i + 1] == "'" {
                        current.append("'")
                        i += 1
                    } else {
                        inString = false
                        values.append(current)
                        current = ""
                    }
                } else if c == "\\", i + 1 < chars.count {
                    current.append(chars[i + 1])
                    i += 1
                } else {
                    current.append(c)
                }
            } else if c == "'" {
                inString = true
            }
            i += 1
        }
        chars.removeAll()
        return values
    }

    static func unescapingBackslashes(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                out.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    static func string(_ v: SQLValue) -> String? {
        switch v {
        case .text(let s): return s
        case .blob(let d): return String(decoding: d, as: UTF8.self)
        case .integer(let i): return String(i)
        case .null: return nil
        default: return "\(v)"
        }
    }

    static func int(_ v: SQLValue) -> Int? {
        switch v {
        case .integer(let i): return Int(i)
        case .text(let s): return Int(s)
        case .decimal(let d): return Int(d.description)
        default: return nil
        }
    }

    /// Each MariaDB sequence's options, read from the sequence itself (one small query
    /// per sequence: MariaDB before 11.5 has no catalog view of them). Defaults (start
    /// 1, increment 1, minimum 1, maximum 2⁶³-2, cache 1000) read back as nil.
    private func readSequenceOptions(_ conn: Connection, _ result: inout ReflectedSchema) throws {
        for i in result.sequences.indices {
            let s = result.sequences[i]
            let name = (s.schema.map { MySQLIdentifierQuoting.quote($0) + "." } ?? "") + MySQLIdentifierQuoting.quote(s.name)
            guard let row = try conn.execute(text(
                "SELECT start_value, increment, minimum_value, maximum_value, cache_size, cycle_option FROM \(name)")).first()
            else { continue }
            func int(_ i: Int) -> Int64 { Self.string(row[i]).flatMap { Int64($0) } ?? 0 }
            result.sequences[i].options = SequenceOptions.fromCatalog(
                start: int(0), increment: int(1), minValue: int(2), maxValue: int(3), cache: int(4), cycle: int(5) != 0,
                typeMin: -Int64.max, typeMax: Int64.max - 1, defaultCache: 1000).comparable
        }
    }

}
