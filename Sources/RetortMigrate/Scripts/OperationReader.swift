import RetortCore

/// Reads operations (and the column, constraint and index shapes they share with
/// metadata JSON) from YAML nodes, with located errors.
struct OperationReader {
    let yaml: YAMLReader
    /// Validates a compact type name; throws a message naming valid ones.
    var checkType: (String) throws -> Void = { _ in }
    /// The database's identifier limit, when it is known: a name longer than it is
    /// refused, located at the name.
    var identifierLimit: IdentifierLimit?

    typealias Entries = [YAMLNode.Entry]

    // `what` (the thing being read, for error messages) is an autoclosure throughout:
    // it is built only when an error is thrown, not once per field read.

    private func field(_ entries: Entries, _ name: String) -> YAMLNode? {
        yaml.field(entries, name)
    }

    private func required(_ entries: Entries, _ name: String, in what: @autoclosure () -> String, at node: YAMLNode) throws -> YAMLNode {
        guard let v = field(entries, name), !yaml.isNull(v) else {
            throw yaml.error("\(what()) is missing its required field '\(name)'", at: node)
        }
        return v
    }

    private func requiredString(_ e: Entries, _ name: String, in what: @autoclosure () -> String, at node: YAMLNode) throws -> String {
        try yaml.string(try required(e, name, in: what(), at: node), "'\(name)' of \(what())")
    }

    private func optionalBool(_ e: Entries, _ name: String, in what: @autoclosure () -> String) throws -> Bool? {
        guard let v = field(e, name), !yaml.isNull(v) else { return nil }
        return try yaml.bool(v, "'\(name)' of \(what())")
    }

    private func type(_ node: YAMLNode, in what: @autoclosure () -> String) throws -> String {
        let name = try yaml.string(node, "'type' of \(what())")
        do {
            try checkType(name)
        } catch let e as MigrateError {
            throw yaml.error(e.message, at: node, hint: e.hint)
        }
        return name
    }

    /// A list of operations, each a one-key mapping `- create_table: {...}`.
    func operations(_ node: YAMLNode, _ what: String) throws -> [MigrationOperation] {
        try yaml.sequence(node, what).map { try operation($0) }
    }

    func operation(_ node: YAMLNode) throws -> MigrationOperation {
        let entries = try yaml.mapping(node, "an operation")
        guard entries.count == 1, let entry = entries.first else {
            throw yaml.error("each operation is a mapping with exactly one key (the operation's name), e.g. "
                             + "'- drop_table: {name: books}'", at: node)
        }
        guard MigrationOperation.keys.contains(entry.key) else {
            let suggestion = nearest(entry.key, in: MigrationOperation.keys).map { "did you mean '\($0)'?" }
            throw yaml.error("unknown operation '\(entry.key)'", atKeyOf: entry,
                             hint: suggestion ?? "valid operations: \(MigrationOperation.keys.joined(separator: ", "))")
        }
        let op = try operation(entry.key, entry.value)
        if let limit = identifierLimit {
            for (name, kind, table) in op.identifiers {
                guard let p = limit.problem(name, kind, table: table) else { continue }
                throw MigrateError("\(op.key): " + p, at: yaml.location(mark(of: name, in: entry.value) ?? node.mark),
                                   hint: IdentifierLimit.hint)
            }
        }
        return op
    }

    /// Where `text` is first written in `node`, as a scalar or a mapping key.
    private func mark(of text: String, in node: YAMLNode) -> YAMLNode.Mark? {
        switch node {
        case .scalar(let t, _, let m): return t == text ? m : nil
        case .sequence(let items, _): return items.lazy.compactMap { mark(of: text, in: $0) }.first
        case .mapping(let m):
            for e in m.entries {
                if e.key == text { return e.keyMark }
                if let found = mark(of: text, in: e.value) { return found }
            }
            return nil
        }
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    private func operation(_ key: String, _ node: YAMLNode) throws -> MigrationOperation {
        if key == "execute", case .scalar = node {  // `- execute: SQL`
            return .execute(sql: try yaml.string(node, "execute"), perDialect: [:])
        }
        // `lint_ignore: [CODE, ...]` belongs to `migrator lint` (see RevisionMarks), not to the operation.
        var node = node
        if case .mapping(let m) = node, m.entries.contains(where: { $0.key == "lint_ignore" }) {
            node = .mapping(YAMLNode.Mapping(entries: m.entries.filter { $0.key != "lint_ignore" }, mark: m.mark))
        }
        let e = try yaml.mapping(node, key)
        func allow(_ fields: [String]) throws { try yaml.checkKeys(e, allowed: fields, in: key) }
        func str(_ name: String) throws -> String { try requiredString(e, name, in: key, at: node) }
        func optStr(_ name: String) throws -> String? { try yaml.optionalString(field(e, name), "'\(name)' of \(key)") }
        func list(_ name: String) throws -> [String] { try yaml.stringList(field(e, name), "'\(name)' of \(key)") }
        func requiredList(_ name: String) throws -> [String] {
            let l = try list(name)
            if l.isEmpty { throw yaml.error("\(key) needs at least one entry in '\(name)'", at: node) }
            return l
        }

        switch key {
        case "create_table":
            return .createTable(try createTable(node))
        case "drop_table":
            try allow(["name"])
            return .dropTable(name: try str("name"))
        case "rename_table":
            try allow(["name", "new_name"])
            return .renameTable(name: try str("name"), newName: try str("new_name"))
        case "add_column":
            try allow(["table", "column"])
            return .addColumn(table: try str("table"), column: try column(try required(e, "column", in: key, at: node)))
        case "drop_column":
            try allow(["table", "column"])
            let c = try required(e, "column", in: key, at: node)
            // Either the name, or the full definition (kept for reversing).
            let name = try c.string ?? column(c).name
            return .dropColumn(table: try str("table"), column: name)
        case "alter_column":
            try allow(["table", "column", "nullable", "type", "server_default", "new_name", "comment", "existing_type",
                       "existing_nullable", "existing_server_default", "existing_comment", "using", "collation"])
            var spec = AlterColumnSpec(table: try str("table"), column: try str("column"))
            spec.nullable = try optionalBool(e, "nullable", in: key)
            if let t = field(e, "type"), !yaml.isNull(t) { spec.type = try type(t, in: key) }
            if let d = field(e, "server_default") { spec.serverDefault = .some(try yaml.optionalString(d, "'server_default' of \(key)")) }
            if let c = field(e, "comment") { spec.comment = .some(try yaml.optionalString(c, "'comment' of \(key)")) }
            spec.newName = try optStr("new_name")
            if let t = field(e, "existing_type"), !yaml.isNull(t) { spec.existingType = try type(t, in: key) }
            spec.existingNullable = try optionalBool(e, "existing_nullable", in: key)
            if let d = field(e, "existing_server_default") {
                spec.existingServerDefault = .some(try yaml.optionalString(d, "'existing_server_default' of \(key)"))
            }
            if let c = field(e, "existing_comment") {
                spec.existingComment = .some(try yaml.optionalString(c, "'existing_comment' of \(key)"))
            }
            spec.using = try optStr("using")
            if let c = field(e, "collation") { spec.collation = .some(try yaml.optionalString(c, "'collation' of \(key)")) }
            if spec.nullable == nil, spec.type == nil, spec.serverDefault == nil, spec.newName == nil, spec.comment == nil,
               spec.collation == nil, spec.using == nil {
                throw yaml.error("alter_column of \(spec.table).\(spec.column) changes nothing", at: node,
                                 hint: "set one of nullable, type, server_default, new_name, comment, collation")
            }
            return .alterColumn(spec)
        case "create_index":
            return .createIndex(try index(node, what: key, tableRequired: true))
        case "drop_index":
            try allow(["name", "table", "columns", "expressions", "unique", "where", "concurrently", "mysql_length"])
            return .dropIndex(name: try str("name"), table: try optStr("table"),
                              concurrently: try optionalBool(e, "concurrently", in: key) ?? false)
        case "create_unique_constraint":
            try allow(["name", "table", "columns"])
            return .createUniqueConstraint(name: try str("name"), table: try str("table"), columns: try requiredList("columns"))
        case "create_foreign_key":
            try allow(["name", "table", "columns", "ref_table", "ref_columns", "on_delete", "on_update", "not_valid"])
            var fk = try foreignKey(node, what: key, nameRequired: true)
            fk.notValid = try optionalBool(e, "not_valid", in: key) ?? false
            return .createForeignKey(table: try str("table"), fk)
        case "create_check_constraint":
            try allow(["name", "table", "condition", "not_valid"])
            return .createCheckConstraint(name: try str("name"), table: try str("table"), condition: try str("condition"),
                                          notValid: try optionalBool(e, "not_valid", in: key) ?? false)
        case "validate_constraint":
            try allow(["name", "table"])
            return .validateConstraint(name: try str("name"), table: try str("table"))
        case "create_primary_key":
            try allow(["name", "table", "columns"])
            return .createPrimaryKey(name: try str("name"), table: try str("table"), columns: try requiredList("columns"))
        case "drop_constraint":
            try allow(["name", "table", "type"])
            let typeNode = try required(e, "type", in: key, at: node)
            let raw = try yaml.string(typeNode, "'type' of drop_constraint")
            guard let t = MigrationOperation.ConstraintType(rawValue: raw) else {
                let valid = MigrationOperation.ConstraintType.allCases.map(\.rawValue)
                throw yaml.error("unknown constraint type '\(raw)' in drop_constraint", at: typeNode,
                                 hint: nearest(raw, in: valid).map { "did you mean '\($0)'?" } ?? "valid types: \(valid.joined(separator: ", "))")
            }
            return .dropConstraint(name: try str("name"), table: try str("table"), type: t)
        case "create_enum":
            try allow(["name", "values"])
            return .createEnum(name: try str("name"), values: try requiredList("values"))
        case "drop_enum":
            try allow(["name", "values"])
            return .dropEnum(name: try str("name"))
        case "add_enum_value":
            try allow(["name", "value", "before", "after"])
            let before = try optStr("before"), after = try optStr("after")
            if before != nil, after != nil { throw yaml.error("add_enum_value takes 'before' or 'after', not both", at: node) }
            return .addEnumValue(name: try str("name"), value: try str("value"), before: before, after: after)
        case "execute":
            // The SQL for every database, or per database under its dialect's name.
            let names = Dialect.registered.map(\.name)
            try allow(["sql"] + names)
            var per: [String: String] = [:]
            for name in names { if let s = try optStr(name) { per[name] = s } }
            let sql = try optStr("sql")
            if sql == nil, per.isEmpty {
                throw yaml.error("execute needs 'sql', or SQL per database: " + names.map { "'\($0)'" }.joined(separator: " / "), at: node)
            }
            return .execute(sql: sql, perDialect: per)
        case "create_sequence":
            return .createSequence(try createSequence(node))
        case "drop_sequence":
            return .dropSequence(name: try dropSequence(node))
        case "bulk_insert":
            try allow(["table", "rows"])
            let rows = try yaml.sequence(try required(e, "rows", in: key, at: node), "'rows' of bulk_insert").map { rowNode in
                var row: [String: BulkValue] = [:]
                for entry in try yaml.mapping(rowNode, "a bulk_insert row") { row[entry.key] = bulkValue(entry.value) }
                return row
            }
            return .bulkInsert(table: try str("table"), rows: rows)
        default:
            throw yaml.error("unknown operation '\(key)'", at: node)
        }
    }

    private func bulkValue(_ node: YAMLNode) -> BulkValue {
        if yaml.isNull(node) { return .null }
        if case .scalar(let text, plain: false, _) = node { return .string(text) }
        if let b = yaml.boolValue(node) { return .bool(b) }
        if let i = yaml.intValue(node) { return .int(Int64(i)) }
        if let d = yaml.doubleValue(node) { return .double(d) }
        return .string(node.string ?? "")
    }

    // MARK: Shapes shared with metadata JSON

    static let columnFields = ["name", "type", "nullable", "primary_key", "autoincrement", "server_default", "comment", "collation",
                               "identity", "computed"]

    func column(_ node: YAMLNode) throws -> ColumnSpec {
        let e = try yaml.mapping(node, "a column")
        try yaml.checkKeys(e, allowed: OperationReader.columnFields, in: "a column")
        let name = try requiredString(e, "name", in: "a column", at: node)
        func what() -> String { "column '\(name)'" }
        return ColumnSpec(
            name: name,
            type: try type(try required(e, "type", in: what(), at: node), in: what()),
            nullable: try optionalBool(e, "nullable", in: what()) ?? true,
            primaryKey: try optionalBool(e, "primary_key", in: what()) ?? false,
            autoincrement: try optionalBool(e, "autoincrement", in: what()),
            serverDefault: try yaml.optionalString(field(e, "server_default"), "'server_default' of \(what())"),
            comment: try yaml.optionalString(field(e, "comment"), "'comment' of \(what())"),
            collation: try yaml.optionalString(field(e, "collation"), "'collation' of \(what())"),
            identity: try field(e, "identity").flatMap { yaml.isNull($0) ? nil : try identity($0, column: name) },
            computed: try field(e, "computed").flatMap { yaml.isNull($0) ? nil : try computed($0, column: name) })
    }

    func constraint(_ node: YAMLNode, what: @autoclosure () -> String) throws -> ConstraintSpec {
        let e = try yaml.mapping(node, what())
        try yaml.checkKeys(e, allowed: ["name", "columns"], in: what())
        let columns = try yaml.stringList(field(e, "columns"), "'columns' of \(what())")
        if columns.isEmpty { throw yaml.error("\(what()) needs at least one column", at: node) }
        return ConstraintSpec(name: try yaml.optionalString(field(e, "name"), "'name' of \(what())"), columns: columns)
    }

    static let referentialActions = ["CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"]

    func foreignKey(_ node: YAMLNode, what: @autoclosure () -> String, nameRequired: Bool = false) throws -> ForeignKeySpec {
        let e = try yaml.mapping(node, what())
        if !nameRequired {
            try yaml.checkKeys(e, allowed: ["name", "columns", "ref_table", "ref_columns", "on_delete", "on_update"], in: what())
        }
        let columns = try yaml.stringList(field(e, "columns"), "'columns' of \(what())")
        let refColumns = try yaml.stringList(field(e, "ref_columns"), "'ref_columns' of \(what())")
        if columns.isEmpty || columns.count != refColumns.count {
            throw yaml.error("\(what()) needs as many 'ref_columns' as 'columns' (at least one)", at: node)
        }
        func action(_ name: String) throws -> String? {
            guard let n = field(e, name), let raw = try yaml.optionalString(n, "'\(name)' of \(what())") else { return nil }
            let upper = raw.uppercased()
            guard OperationReader.referentialActions.contains(upper) else {
                throw yaml.error("'\(name)' must be one of \(OperationReader.referentialActions.joined(separator: ", "))", at: n)
            }
            return upper
        }
        let name = try yaml.optionalString(field(e, "name"), "'name' of \(what())")
        if nameRequired, name == nil { throw yaml.error("\(what()) is missing its required field 'name'", at: node) }
        return ForeignKeySpec(
            name: name, columns: columns,
            refTable: try requiredString(e, "ref_table", in: what(), at: node),
            refColumns: refColumns, onDelete: try action("on_delete"), onUpdate: try action("on_update"))
    }

    func check(_ node: YAMLNode, what: @autoclosure () -> String) throws -> CheckSpec {
        let e = try yaml.mapping(node, what())
        try yaml.checkKeys(e, allowed: ["name", "condition"], in: what())
        return CheckSpec(name: try yaml.optionalString(field(e, "name"), "'name' of \(what())"),
                         condition: try requiredString(e, "condition", in: what(), at: node))
    }

    func index(_ node: YAMLNode, what: @autoclosure () -> String, tableRequired: Bool) throws -> IndexSpec {
        let e = try yaml.mapping(node, what())
        try yaml.checkKeys(e, allowed: tableRequired ? ["name", "table", "columns", "expressions", "unique", "where", "concurrently",
                                                        "mysql_length"]
                                                     : ["name", "columns", "expressions", "unique", "where", "mysql_length"], in: what())
        let columns = try yaml.stringList(field(e, "columns"), "'columns' of \(what())")
        let expressions = try yaml.stringList(field(e, "expressions"), "'expressions' of \(what())")
        if columns.isEmpty == expressions.isEmpty {
            throw yaml.error("\(what()) needs either 'columns' or 'expressions'", at: node)
        }
        return IndexSpec(
            name: try requiredString(e, "name", in: what(), at: node),
            table: tableRequired ? try requiredString(e, "table", in: what(), at: node) : "",
            columns: columns, expressions: expressions,
            unique: try optionalBool(e, "unique", in: what()) ?? false,
            whereClause: try yaml.optionalString(field(e, "where"), "'where' of \(what())"),
            concurrently: tableRequired ? try optionalBool(e, "concurrently", in: what()) ?? false : false,
            mysqlLength: try prefixLengths(field(e, "mysql_length"), columns: columns, what: what()))
    }

    /// `mysql_length: {column: N, ...}`: each a column of the index, each N a positive integer.
    func prefixLengths(_ node: YAMLNode?, columns: [String], what: @autoclosure () -> String) throws -> [String: Int] {
        guard let node, !yaml.isNull(node) else { return [:] }
        var lengths: [String: Int] = [:]
        for entry in try yaml.mapping(node, "'mysql_length' of \(what())") {
            guard columns.contains(entry.key) else {
                throw yaml.error("'mysql_length' of \(what()) names '\(entry.key)', which is not one of its columns",
                                 atKeyOf: entry, hint: "columns: \(columns.joined(separator: ", "))")
            }
            guard let n = yaml.intValue(entry.value), n > 0 else {
                throw yaml.error("'mysql_length' of \(what()) gives '\(entry.key)' a length that is not a positive integer",
                                 at: entry.value)
            }
            lengths[entry.key] = n
        }
        return lengths
    }

    func createTable(_ node: YAMLNode) throws -> CreateTableSpec {
        let e = try yaml.mapping(node, "create_table")
        try yaml.checkKeys(e, allowed: ["name", "columns", "primary_key", "foreign_keys", "unique_constraints",
                                        "check_constraints", "comment"], in: "create_table")
        let name = try requiredString(e, "name", in: "create_table", at: node)
        func what() -> String { "create_table \(name)" }
        let columns = try yaml.sequence(try required(e, "columns", in: what(), at: node), "'columns' of \(what())").map(column)
        if columns.isEmpty { throw yaml.error("\(what()) needs at least one column", at: node) }
        var seen = Set<String>()
        for c in columns where !seen.insert(c.name).inserted {
            throw yaml.error("\(what()) declares column '\(c.name)' twice", at: node)
        }
        let pk = try field(e, "primary_key").flatMap { yaml.isNull($0) ? nil : try constraint($0, what: "primary_key of \(name)") }
        func list(_ key: String) throws -> [YAMLNode] { try field(e, key).map { try yaml.sequence($0, "'\(key)' of \(what())") } ?? [] }
        return CreateTableSpec(
            name: name, columns: columns, primaryKey: pk,
            foreignKeys: try list("foreign_keys").map { try foreignKey($0, what: "a foreign key of \(name)") },
            uniqueConstraints: try list("unique_constraints").map { try constraint($0, what: "a unique constraint of \(name)") },
            checkConstraints: try list("check_constraints").map { try check($0, what: "a check constraint of \(name)") },
            comment: try yaml.optionalString(field(e, "comment"), "'comment' of \(what())"))
    }
}
