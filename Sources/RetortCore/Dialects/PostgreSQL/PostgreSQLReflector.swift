/// Reads a PostgreSQL schema from `pg_catalog` with a fixed number of queries, however
/// many tables the schema holds: relations, enum types, sequences, columns, constraints
/// and indexes, one query each, and a last one for the tables still there (seven in
/// all; three when the schema has no tables).
///
/// ```swift
/// let schema = try PostgreSQLReflector().reflect(conn, schema: nil, only: nil, exclude: [])
/// schema.table("books")?.column(named: "id")?.autoincrement   // true for SERIAL and IDENTITY
/// ```
///
/// What comes back is normalised so that a schema Retort created reads back as it was
/// declared: types map to Retort's compact names (``PostgreSQLReflector/type(_:)``),
/// serial and identity columns are `autoincrement` without a default, and defaults,
/// CHECK conditions, index expressions and predicates lose the casts PostgreSQL adds
/// (``PostgreSQLCanonicalSQL``). Constraints and indexes are listed by name.
///
/// Later queries select by the relation oids the first one found, and a last query
/// checks which of them still exist, so a table dropped while it is being reflected is
/// left out rather than failing the whole reflection or coming back half-read, and one
/// created meanwhile is not half-read either.
struct PostgreSQLReflector: SchemaReflector {
    /// Called after each catalog query with its name (`relations`, `enums`,
    /// `sequences`, `columns`, `constraints`, `indexes`, `survivors`): a seam for tests
    /// that change the catalog while reflection runs.
    var afterQuery: (@Sendable (String) -> Void)?

    init(afterQuery: (@Sendable (String) -> Void)? = nil) {
        self.afterQuery = afterQuery
    }

    func schemaNames(_ conn: Connection) throws -> [String] {
        try conn.scalars(text("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname"),
                         as: String.self).all()
    }

    func canonicalDefault(_ sql: String) -> String { PostgreSQLCanonicalSQL.serverDefault(sql) ?? "NULL" }
    func canonicalIndexElement(_ sql: String) -> String { PostgreSQLCanonicalSQL.expression(sql, columnTypes: [:]) }
    func canonicalCondition(_ sql: String) -> String { PostgreSQLCanonicalSQL.expression(sql, columnTypes: [:]) }
    var reflectsIdentity: Bool { true }

    /// How many times reflection starts over when a table it is reading is dropped
    /// under it.
    static let attempts = 5

    /// Reads the schema in seven queries (three when it has no tables), inside a
    /// savepoint that is rolled back afterwards: reading changes nothing, and the
    /// rollback undoes the one setting reflection makes — JIT compilation off, which
    /// would otherwise cost hundreds of milliseconds whenever a large catalog makes
    /// these queries look expensive to the planner. No table stays locked afterwards,
    /// so an inspector left in an open transaction does not block DDL elsewhere.
    ///
    /// PostgreSQL's deparsing functions (`pg_get_indexdef`, `pg_get_constraintdef`)
    /// look a table up afresh and fail when it was dropped since the query's snapshot
    /// was taken; reflection then starts over, up to ``attempts`` times.
    func reflect(_ conn: Connection, schema: String?, only: Set<String>?, exclude: Set<String>) throws -> ReflectedSchema {
        var attempt = 1
        while true {
            let savepoint = try conn.beginNested()
            do {
                try conn.execute(text(Query.jitOff))
                let result = try readSchema(conn, schema: schema, only: only, exclude: exclude)
                try savepoint.rollback()
                return result
            } catch let error as any DatabaseError where attempt < PostgreSQLReflector.attempts && PostgreSQLReflector.isConcurrentDrop(error) {
                try savepoint.rollback()
                attempt += 1
            } catch {
                try? savepoint.rollback()
                throw error
            }
        }
    }

    /// True for the errors a table or index dropped mid-query raises: `could not open
    /// relation with OID`, `cache lookup failed` (internal errors, XX000), or an
    /// undefined table or object.
    static func isConcurrentDrop(_ error: any DatabaseError) -> Bool {
        switch error.code {
        case "XX000": return error.message.contains("could not open relation") || error.message.contains("cache lookup failed")
        case "42P01", "42704": return true
        default: return false
        }
    }

    /// One attempt at reading the schema.
    private func readSchema(_ conn: Connection, schema: String?, only: Set<String>?, exclude: Set<String>) throws -> ReflectedSchema {
        var result = ReflectedSchema(schema: schema)
        var tables: [Int64: ReflectedTable] = [:]
        var order: [Int64] = []

        // Tables and views of the schema, with table comments.
        let relations = try conn.execute(text(Query.relations), ["schema": schema])
        while let row = try relations.next() {
            let oid: Int64 = try row.get(0), name: String = try row.get(1), kind: String = try row.get(2)
            switch kind {
            case "v", "m":
                result.views.append(name)
            default:
                guard !exclude.contains(name), only?.contains(name) ?? true else { continue }
                tables[oid] = ReflectedTable(name: name, schema: schema, comment: try row.get(3, as: String?.self))
                order.append(oid)
            }
        }
        afterQuery?("relations")

        // Enum types of every schema (a column may use one from elsewhere); the
        // schema's own are reported.
        var enumValues: [Int64: [String]] = [:]
        var enumOrder: [(oid: Int64, name: String)] = []
        let enums = try conn.execute(text(Query.enums), ["schema": schema])
        while let row = try enums.next() {
            let oid: Int64 = try row.get(0)
            if enumValues[oid] == nil, try row.get(3, as: Bool.self) { enumOrder.append((oid, try row.get(1))) }
            enumValues[oid, default: []].append(try row.get(2))
        }
        result.enums = enumOrder.map { ReflectedEnum(name: $0.name, schema: schema, values: enumValues[$0.oid] ?? []) }
        afterQuery?("enums")

        // Sequences, with the column that owns each (serial: 'a', identity: 'i'), and
        // the default a serial column has: `nextval('<sequence>'::regclass)`.
        var serialDefaults: [ColumnKey: String] = [:]
        var identityOptions: [ColumnKey: SequenceOptions] = [:]
        let sequences = try conn.execute(text(Query.sequences), ["schema": schema])
        while let row = try sequences.next() {
            var sequence = ReflectedSequence(name: try row.get(0), schema: schema)
            if let start = try row.get(7, as: Int64?.self) {
                let type = try row.get(13, as: String?.self) ?? "bigint"
                let (typeMin, typeMax): (Int64, Int64) =
                    type == "smallint" ? (Int64(Int16.min), Int64(Int16.max))
                    : type == "integer" ? (Int64(Int32.min), Int64(Int32.max)) : (Int64.min, Int64.max)
                sequence.options = SequenceOptions.fromCatalog(
                    start: start, increment: try row.get(8), minValue: try row.get(9), maxValue: try row.get(10),
                    cache: try row.get(11), cycle: try row.get(12), typeMin: typeMin, typeMax: typeMax, defaultCache: 1).comparable
            }
            if let table = try row.get(2, as: String?.self), let column = try row.get(3, as: String?.self) {
                sequence.ownedBy = table + "." + column
                if let owner = try row.get(5, as: Int64?.self), let attnum = try row.get(6, as: Int64?.self) {
                    let key = ColumnKey(table: owner, attnum: attnum)
                    if try row.get(4, as: String?.self) == "a" {
                        let regclass = try row.get(1, as: String.self).replacingOccurrences(of: "'", with: "''")
                        serialDefaults[key] = "nextval('" + regclass + "'::regclass)"
                    } else {
                        identityOptions[key] = sequence.options
                    }
                }
            }
            result.sequences.append(sequence)
        }
        afterQuery?("sequences")

        if !order.isEmpty {
            let oids: Parameters = ["oids": "{" + order.map(String.init).joined(separator: ",") + "}"]
            var columnTypes: [Int64: [String: String]] = [:]
            try readColumns(conn, oids, &tables, &columnTypes, enumValues: enumValues, serialDefaults: serialDefaults,
                            identityOptions: identityOptions)
            afterQuery?("columns")
            try readConstraints(conn, oids, &tables, columnTypes)
            afterQuery?("constraints")
            try readIndexes(conn, oids, &tables, columnTypes)
            afterQuery?("indexes")
            // A table dropped after the columns were read would be missing constraints
            // or indexes: leave out every table that is gone by now.
            let survivors = Set(try conn.scalars(text(Query.survivors), oids, as: Int64.self).all())
            for oid in order where !survivors.contains(oid) { tables[oid] = nil }
            afterQuery?("survivors")
        }
        result.tables = order.compactMap { tables[$0] }
        return result
    }

    /// A column by its table's oid and its attribute number.
    private struct ColumnKey: Hashable {
        let table: Int64
        let attnum: Int64
    }

    // MARK: Columns

    /// Reads every column of `tables`. A table the query no longer finds was dropped
    /// meanwhile and is removed. Rows arrive table by table; each table's columns are
    /// gathered locally and stored once.
    private func readColumns(
        _ conn: Connection, _ oids: Parameters, _ tables: inout [Int64: ReflectedTable],
        _ columnTypes: inout [Int64: [String: String]], enumValues: [Int64: [String]],
        serialDefaults: [ColumnKey: String], identityOptions: [ColumnKey: SequenceOptions]
    ) throws {
        var seen = Set<Int64>()
        var canonicalDefaults: [String: String?] = [:]  // the same defaults recur across tables
        var current: (oid: Int64, columns: [ReflectedColumn], types: [String: String], problems: [String])?
        func finish() {
            guard var c = current else { return }
            // Generation expressions lose the casts PostgreSQL added to their columns.
            for i in c.columns.indices {
                if let computed = c.columns[i].computed, case .sql(let raw) = computed.storage {
                    c.columns[i].computed = Computed(canonicalGenerationExpression(
                        PostgreSQLCanonicalSQL.expression(raw, columnTypes: c.types)), stored: computed.stored)
                }
            }
            tables[c.oid]?.columns = c.columns
            tables[c.oid]?.problems += c.problems
            columnTypes[c.oid] = c.types
            current = nil
        }
        let rows = try conn.execute(text(Query.columns), oids)
        while let row = try rows.next() {
            let oid: Int64 = try row.get(0)
            if current?.oid != oid {
                finish()
                guard tables[oid] != nil else { continue }
                seen.insert(oid)
                current = (oid, [], [:], [])
            }
            guard current != nil, let attnum = try row.get(1, as: Int64?.self), let name = try row.get(2, as: String?.self)
            else { continue }
            let formatted = try row.get(3, as: String?.self) ?? "???"
            current?.types[name] = formatted
            let type: SQLType
            if try row.get(10, as: String?.self) == "e", let typeOID = try row.get(9, as: Int64?.self),
                let typeName = try row.get(11, as: String?.self)
            {
                type = .enum(name: typeName, values: enumValues[typeOID] ?? [])
            } else {
                type = PostgreSQLReflector.type(formatted)
            }
            var column = ReflectedColumn(name: name, type: type, nullable: !(try row.get(4, as: Bool.self)),
                                         collation: try row.get(12, as: String?.self), comment: try row.get(8, as: String?.self))
            let identity = try row.get(6, as: String?.self) ?? ""
            let generated = try row.get(7, as: String?.self) ?? ""
            if identity == "a" || identity == "d" {
                column.autoincrement = true
                column.identity = Identity(always: identity == "a",
                                           options: identityOptions[ColumnKey(table: oid, attnum: attnum)] ?? SequenceOptions())
            } else if !generated.isEmpty {
                if let expression = try row.get(13, as: String?.self) {
                    column.computed = Computed(expression, stored: generated == "s")
                } else {
                    current?.problems.append("column \(name) is a generated column whose expression could not be read")
                }
            } else if let rawDefault = try row.get(5, as: String?.self) {
                if rawDefault == serialDefaults[ColumnKey(table: oid, attnum: attnum)] {
                    column.autoincrement = true
                } else if let known = canonicalDefaults[rawDefault] {
                    column.serverDefault = known
                } else {
                    column.serverDefault = PostgreSQLCanonicalSQL.serverDefault(rawDefault)
                    canonicalDefaults[rawDefault] = column.serverDefault
                }
            }
            current?.columns.append(column)
        }
        finish()
        for oid in Array(tables.keys) where !seen.contains(oid) { tables[oid] = nil }
    }

    // MARK: Constraints

    /// One constraint as its rows arrive (one row per key column).
    private struct ConstraintRows {
        var name: String
        var kind: String
        var columns: [String] = []
        var referredColumns: [String] = []
        var referredTable: String?
        var referredSchema: String?
        var onDelete: String = "a"
        var onUpdate: String = "a"
        var deferrable = false
        var deferred = false
        var definition: String?
    }

    /// Reads primary keys, unique, foreign-key and check constraints of `tables` (an
    /// exclusion constraint is noted in the table's problems).
    private func readConstraints(
        _ conn: Connection, _ oids: Parameters, _ tables: inout [Int64: ReflectedTable], _ columnTypes: [Int64: [String: String]]
    ) throws {
        var current: (table: Int64, oid: Int64, rows: ConstraintRows)?
        func finish() {
            guard let (table, _, c) = current else { return }
            add(c, to: &tables[table], columnTypes: columnTypes[table] ?? [:])
            current = nil
        }
        let rows = try conn.execute(text(Query.constraints), oids)
        while let row = try rows.next() {
            let table: Int64 = try row.get(0), oid: Int64 = try row.get(1)
            guard tables[table] != nil else { continue }
            if current?.oid != oid {
                finish()
                var c = ConstraintRows(name: try row.get(2), kind: try row.get(3))
                c.referredTable = try row.get(6, as: String?.self)
                c.referredSchema = try row.get(7, as: String?.self)
                c.onDelete = try row.get(8, as: String?.self) ?? "a"
                c.onUpdate = try row.get(9, as: String?.self) ?? "a"
                c.deferrable = try row.get(10, as: Bool.self)
                c.deferred = try row.get(11, as: Bool.self)
                c.definition = try row.get(12, as: String?.self)
                current = (table, oid, c)
            }
            if let column = try row.get(4, as: String?.self) { current?.rows.columns.append(column) }
            if let referred = try row.get(5, as: String?.self) { current?.rows.referredColumns.append(referred) }
        }
        finish()
    }

    /// Files one constraint under its table: the primary key, a unique, foreign-key or
    /// CHECK constraint, or a problem for what reflection does not carry.
    private func add(_ c: ConstraintRows, to table: inout ReflectedTable?, columnTypes: [String: String]) {
        switch c.kind {
        case "p":
            table?.primaryKey = ReflectedPrimaryKey(name: c.name, columns: c.columns)
        case "u":
            table?.uniqueConstraints.append(ReflectedUniqueConstraint(name: c.name, columns: c.columns))
        case "f":
            guard let referred = c.referredTable, c.referredColumns.count == c.columns.count else {
                table?.problems.append("could not read all columns of foreign key \(c.name)")
                return
            }
            table?.foreignKeys.append(ReflectedForeignKey(
                name: c.name, columns: c.columns, referredSchema: c.referredSchema, referredTable: referred,
                referredColumns: c.referredColumns, onDelete: PostgreSQLReflector.action(c.onDelete),
                onUpdate: PostgreSQLReflector.action(c.onUpdate), deferrable: c.deferrable, initiallyDeferred: c.deferred))
        case "c":
            guard let definition = c.definition else {
                table?.problems.append("could not read the condition of CHECK constraint \(c.name)")
                return
            }
            let (check, problem) = PostgreSQLReflector.checkConstraint(c.name, definition, columnTypes: columnTypes)
            table?.checkConstraints.append(check)
            if let problem { table?.problems.append(problem) }
        default:
            table?.problems.append("\(c.name) is an exclusion constraint, which reflection does not carry: \(c.definition ?? "?")")
        }
    }

    // MARK: Indexes

    /// Reads the indexes of `tables` that do not back a primary key, unique or
    /// exclusion constraint: key columns or expressions in order, and the predicate.
    private func readIndexes(
        _ conn: Connection, _ oids: Parameters, _ tables: inout [Int64: ReflectedTable], _ columnTypes: [Int64: [String: String]]
    ) throws {
        var current: (table: Int64, oid: Int64, index: ReflectedIndex)?
        func finish() {
            guard let (table, _, index) = current else { return }
            tables[table]?.indexes.append(index)
            current = nil
        }
        let rows = try conn.execute(text(Query.indexes), oids)
        while let row = try rows.next() {
            let table: Int64 = try row.get(0), oid: Int64 = try row.get(1)
            guard tables[table] != nil else { continue }
            let types = columnTypes[table] ?? [:]
            if current?.oid != oid {
                finish()
                let name: String = try row.get(2)
                var predicate: String?
                if let definition = try row.get(7, as: String?.self) {
                    if let raw = PostgreSQLReflector.indexPredicate(definition) {
                        predicate = PostgreSQLCanonicalSQL.expression(raw, columnTypes: types)
                    } else {
                        tables[table]?.problems.append("could not read the WHERE clause of index \(name): \(definition)")
                    }
                }
                current = (table, oid, ReflectedIndex(name: name, elements: [], unique: try row.get(3, as: Bool.self),
                                                      predicate: predicate))
                if let method = try row.get(8, as: String?.self), method != "btree" {
                    tables[table]?.problems.append("index \(name) uses \(method); reflection does not carry the index method")
                }
                if !(try row.get(9, as: Bool.self)) {
                    tables[table]?.problems.append("index \(name) is invalid (a failed CREATE INDEX CONCURRENTLY?)")
                }
            }
            if let column = try row.get(5, as: String?.self) {
                current?.index.elements.append(.column(column))
            } else if let expression = try row.get(6, as: String?.self) {
                current?.index.elements.append(
                    .expression(PostgreSQLCanonicalSQL.expression(expression, columnTypes: types, keepParentheses: true)))
            } else {
                tables[table]?.problems.append("could not read element \(try row.get(4, as: Int.self)) of index \(current?.index.name ?? "?")")
            }
        }
        finish()
    }
}

// MARK: - The catalog queries

extension PostgreSQLReflector {
    /// The SQL of the reflection queries. `:schema` is the schema (NULL: `current_schema()`),
    /// `:oids` the tables found by the first query as an `oid[]` literal.
    enum Query {
        static let inSchema = "n.nspname = coalesce(CAST(:schema AS text), current_schema())"

        /// JIT compilation off until the savepoint is rolled back (where the server has JIT).
        static let jitOff = "SELECT set_config(name, 'off', true) FROM pg_catalog.pg_settings WHERE name = 'jit'"

        /// oid, name, relkind, comment.
        static let relations = """
            SELECT c.oid, c.relname, c.relkind, d.description
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_catalog.pg_description d
                ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
            WHERE \(inSchema) AND c.relkind IN ('r', 'p', 'v', 'm')
            ORDER BY c.relname COLLATE "C"
            """

        /// type oid, type name, label, in the schema — for every enum of the database.
        static let enums = """
            SELECT t.oid, t.typname, e.enumlabel, coalesce(\(inSchema), false)
            FROM pg_catalog.pg_type t
            JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
            ORDER BY t.typname COLLATE "C", t.oid, e.enumsortorder
            """

        /// name, regclass text (as `nextval` defaults spell it), owner table, owner column,
        /// dependency type, owner oid, owner attnum, start, increment, min, max, cache,
        /// cycle, type.
        static let sequences = """
            SELECT s.relname, CAST(CAST(s.oid AS regclass) AS text), t.relname, a.attname, d.deptype, d.refobjid, d.refobjsubid,
                ps.seqstart, ps.seqincrement, ps.seqmin, ps.seqmax, ps.seqcache, ps.seqcycle,
                pg_catalog.format_type(ps.seqtypid, NULL)
            FROM pg_catalog.pg_class s
            JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace
            LEFT JOIN pg_catalog.pg_sequence ps ON ps.seqrelid = s.oid
            LEFT JOIN pg_catalog.pg_depend d
                ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = s.oid
                AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
            LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
            LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE \(inSchema) AND s.relkind = 'S'
            ORDER BY s.relname COLLATE "C"
            """

        /// table oid, attnum, name, type, not null, default, identity, generated, comment,
        /// type oid, typtype, type name, collation (when not the type's), generation
        /// expression. A table without columns still has one row.
        /// Defaults are deparsed without their relation (they cannot name columns), which
        /// would lock the table; generation expressions name columns and are deparsed with
        /// it (a brief ACCESS SHARE lock on the tables that have generated columns only).
        static let columns = """
            SELECT c.oid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, 0) END, a.attidentity, a.attgenerated,
                d.description,
                a.atttypid, t.typtype, t.typname,
                (SELECT co.collname FROM pg_catalog.pg_collation co WHERE co.oid = a.attcollation AND a.attcollation <> t.typcollation),
                CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END
            FROM pg_catalog.pg_class c
            LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
            LEFT JOIN pg_catalog.pg_description d
                ON d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum
            WHERE c.oid = ANY (CAST(:oids AS oid[]))
            ORDER BY c.oid, a.attnum
            """

        /// table oid, constraint oid, name, type, column, referred column (one row per key
        /// position), referred table, referred schema (NULL when it is the default schema),
        /// on delete, on update, deferrable, initially deferred, definition (CHECK and EXCLUDE).
        static let constraints = """
            SELECT con.conrelid, con.oid, con.conname, con.contype,
                (SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = con.conrelid AND a.attnum = k.attnum),
                (SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = con.confrelid AND a.attnum = k.fattnum),
                fc.relname, CASE WHEN fn.nspname = current_schema() THEN NULL ELSE fn.nspname END,
                CASE WHEN con.contype = 'f' THEN con.confdeltype END, CASE WHEN con.contype = 'f' THEN con.confupdtype END,
                con.condeferrable, con.condeferred,
                CASE WHEN con.contype IN ('c', 'x') AND coalesce(k.ord, 1) = 1
                    THEN pg_catalog.pg_get_constraintdef(con.oid, true) END
            FROM pg_catalog.pg_constraint con
            LEFT JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, fattnum, ord) ON true
            LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
            LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
            WHERE con.conrelid = ANY (CAST(:oids AS oid[])) AND con.contype IN ('p', 'u', 'f', 'c', 'x')
            ORDER BY con.conrelid, con.conname COLLATE "C", con.oid, k.ord
            """

        /// table oid, index oid, name, unique, key position, column (NULL for an
        /// expression), element text, definition of a partial index (its WHERE clause is
        /// the predicate: `pg_get_expr(indpred, indrelid)` would lock the table), method,
        /// valid — one row per key column (INCLUDE columns left out), for indexes that
        /// back no constraint.
        static let indexes = """
            SELECT i.indrelid, i.indexrelid, ic.relname, i.indisunique, k.n,
                CASE WHEN i.indkey[k.n - 1] <> 0 THEN (
                    SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n - 1])
                END,
                CASE WHEN i.indkey[k.n - 1] = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.n, true) END,
                CASE WHEN k.n = 1 AND i.indpred IS NOT NULL THEN pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) END,
                am.amname, i.indisvalid
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
            LEFT JOIN pg_catalog.pg_am am ON am.oid = ic.relam
            CROSS JOIN LATERAL generate_series(1, i.indnkeyatts) AS k(n)
            WHERE i.indrelid = ANY (CAST(:oids AS oid[])) AND NOT i.indisprimary
                AND NOT EXISTS (
                    SELECT 1 FROM pg_catalog.pg_constraint x
                    WHERE x.conindid = i.indexrelid AND x.conrelid = i.indrelid AND x.contype IN ('p', 'u', 'x'))
            ORDER BY i.indrelid, ic.relname COLLATE "C", k.n
            """

        /// The oids of the tables that still exist.
        static let survivors = "SELECT c.oid FROM pg_catalog.pg_class c WHERE c.oid = ANY (CAST(:oids AS oid[]))"
    }
}
