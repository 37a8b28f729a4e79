import Foundation

/// Turns statements and expressions into SQL text with bound parameters, one visit
/// method per construct. A dialect subclasses it and overrides the few constructs it
/// spells differently (see `SQLiteCompiler`, `PostgreSQLCompiler`).
///
/// You rarely call it yourself: statements compile through ``Executable/compile(for:)``,
/// which goes through the compiled-statement cache.
///
/// ```swift
/// let compiled = try select(authors.c.name).where(authors.c.id == 5).compile(for: .postgresql)
/// compiled.sql        // SELECT authors.name FROM authors WHERE authors.id = $1
/// compiled.bindings   // [.value(.integer(5))]
/// ```
///
/// A compiler instance compiles one statement; make a new one per statement with
/// ``Dialect/makeSQLCompiler()``.
public class SQLCompiler {
    /// The dialect this compiler writes for.
    public let dialect: Dialect
    @exclusivity(unchecked) package var out = SQLBuffer()
    /// Compiling a cache template: bound values become slot references.
    package var templateMode = false
    /// DDL: values are written as SQL literals instead of bound.
    package var literalValues = false
    /// Columns are written `table.column` (false in DDL and for DML targets).
    package var qualifyColumns = true
    /// Set when a value had no slot while compiling a template.
    package var templateIsReusable = true

    /// The FROM identities of the enclosing SELECTs, innermost last; `nil` entries are
    /// barriers (derived tables and CTE bodies do not correlate).
    package var enclosingFroms: [Set<FromIdentity>?] = []
    /// The DML target table.
    package var dmlTarget: FromIdentity?
    /// Columns of this element are written unqualified (the DML target, in RETURNING).
    package var unqualifiedFrom: FromIdentity?
    /// CTEs met so far: definitions and compiled bodies, in dependency order.
    package var cteDefinitions: [String: CommonTableExpression] = [:]
    package var cteOrder: [(name: String, body: SQLBuffer)] = []
    package var anonymousNames: [UInt64: String] = [:]
    package var anonymousCounters: [String: Int] = [:]

    /// A compiler for `dialect` (use ``Dialect/makeSQLCompiler()``).
    public required init(dialect: Dialect) {
        self.dialect = dialect
    }

    // MARK: Entry points

    /// Compiles a whole statement (the WITH clause gathered from every CTE it uses).
    package func compileStatement(_ statement: StatementNode) throws -> CompiledTemplate {
        out = SQLBuffer()
        try visitStatement(statement)
        let body = out
        if !cteOrder.isEmpty {
            out = SQLBuffer()
            try visitWithClause()
            out.append(" ")
            out.append(body)
        }
        let (sql, bindings, offsets) = out.finish(dialect.paramStyle)
        return CompiledTemplate(sql: sql, bindings: bindings, reusable: templateIsReusable, placeholderOffsets: offsets)
    }

    package func visitStatement(_ statement: StatementNode) throws {
        switch statement {
        case .select(let s): try visitSelect(s, context: .topLevel)
        case .compound(let c): try visitCompound(c, context: .topLevel)
        case .insert(let i): try visitInsertStatement(i)
        case .update(let u): try visitUpdate(u)
        case .delete(let d): try visitDelete(d)
        }
    }

    /// Compiles `body` into a separate buffer and returns it (the current output is kept).
    package func capture(_ body: () throws -> Void) rethrows -> SQLBuffer {
        let saved = out
        out = SQLBuffer()
        defer { out = saved }
        try body()
        return out
    }

    // MARK: Dialect hooks (subclasses override these; the rest lives in extensions)

    /// TRUE, FALSE, NULL, CURRENT_TIMESTAMP, DEFAULT.
    package func visitKeyword(_ k: SQLKeyword) throws {
        switch k {
        case .null: out.append("NULL")
        case .true: out.append(try dialect.literal(.bool(true)))
        case .false: out.append(try dialect.literal(.bool(false)))
        case .currentTimestamp: out.append("CURRENT_TIMESTAMP")
        case .currentDate: out.append("CURRENT_DATE")
        case .currentTime: out.append("CURRENT_TIME")
        case .default: out.append("DEFAULT")
        }
    }

    /// `l op r`, each side parenthesised as precedence needs.
    package func visitBinary(_ op: BinaryOperator, _ l: ExpressionNode, _ r: ExpressionNode) throws {
        try visitOperand(l, of: op.precedence, operator: op, right: false)
        out.append(" ")
        out.append(operatorSQL(op))
        out.append(" ")
        try visitOperand(r, of: op.precedence, operator: op, right: true)
    }

    /// An expression where SQL wants a condition (WHERE, HAVING, ON, a searched CASE's
    /// WHEN, the operands of AND, OR and NOT). A database without boolean values
    /// (Oracle before 23ai, SQL Server) writes a boolean column or value there as a
    /// comparison with 1.
    package func visitCondition(_ e: ExpressionNode, _ context: Precedence = .lowest) throws { try visit(e, context) }

    /// A whole INSERT statement. A database that spells an upsert as a statement of its
    /// own (MERGE on Oracle and SQL Server) writes that when the INSERT has an ON
    /// CONFLICT clause.
    package func visitInsertStatement(_ i: Insert) throws { try visitInsert(i) }

    /// The upsert clause after an INSERT's rows: ` ON CONFLICT ...` (MySQL: ` ON DUPLICATE
    /// KEY UPDATE ...`; refused where upserts are spelled otherwise, as MERGE).
    package func visitUpsert(_ oc: OnConflict) throws { try visitOnConflict(oc) }

    /// A column of the row an upsert proposed: `excluded.name`.
    package func visitExcluded(_ name: String) throws {
        out.append("excluded.")
        appendIdentifier(name)
    }

    /// `UNION`, `UNION ALL`, `INTERSECT`, `EXCEPT` between a compound's members (Oracle
    /// before 21c says `MINUS`; a database without one refuses it).
    package func compoundKeyword(_ op: CompoundSelect.Operator) throws -> String { op.rawValue }

    /// `x [NOT] LIKE pattern [ESCAPE 'c']`; case-insensitive as `lower(x) LIKE lower(pattern)`.
    package func visitLike(
        _ e: ExpressionNode, pattern: ExpressionNode, caseInsensitive: Bool, negated: Bool, escape: Character?
    ) throws {
        if caseInsensitive {
            out.append("lower(")
            try visit(e)
            out.append(negated ? ") NOT LIKE lower(" : ") LIKE lower(")
            try visit(pattern)
            out.append(")")
        } else {
            try visitOperand(e, of: .comparison, right: false)
            out.append(negated ? " NOT LIKE " : " LIKE ")
            try visitOperand(pattern, of: .comparison, right: true)
        }
        if let escape { out.append(" ESCAPE " + (try quoteString(String(escape)))) }
    }

    /// `x IN (?)` over an expanding list: the one placeholder becomes one per value at
    /// execution (`x IN ()` for none, which SQLite reads as false even for a NULL `x`).
    /// Written as literals, `x IN (1, 2)`.
    package func visitInExpanding(_ x: ExpressionNode, _ list: ExpandingList, negated: Bool) throws {
        try visit(x, .atom)
        out.append(negated ? " NOT IN (" : " IN (")
        if literalValues || list.inline {
            try appendLiteralList(list)
        } else {
            appendListPlaceholder(list)
        }
        out.append(")")
    }

    /// A sequence's next value (``DatabaseSequence/nextValue()``); dialects with
    /// sequences override it, the rest refuse.
    package func visitNextValue(sequence: String, schema: String?) throws {
        throw notSupported("sequences (\(sequence).nextValue())",
                           "number rows with an autoincrementing primary key or an identity column instead")
    }

    /// The quoted, schema-qualified name of a sequence.
    package func sequenceName(_ name: String, schema: String?) -> String {
        (schema.map { dialect.quoteIdentifier($0) + "." } ?? "") + dialect.quoteIdentifier(name)
    }

    /// An aggregate with a filter, `f` being the call without it: `count(*) FILTER (WHERE c)`.
    /// A dialect without FILTER (MySQL) writes the condition into the argument instead.
    package func visitFilteredAggregate(_ f: FunctionCall, _ condition: ExpressionNode) throws {
        try visitFunctionCall(f)
        out.append(" FILTER (WHERE ")
        try visit(condition)
        out.append(")")
    }

    /// Functions spelled differently per dialect (`now()`, `length()`).
    package func visitKnownFunction(_ f: FunctionCall, _ known: KnownFunction) throws {
        try visitFunctionCall(f)
    }

    /// `x op ANY (SELECT ...)` / `x op ALL (SELECT ...)`; over a list, `x op ANY($1)`
    /// with the list as one array (where the dialect binds lists as arrays), else
    /// `x IN (...)` for `= ANY` and `x NOT IN (...)` for `<> ALL`, the two forms every
    /// database has; any other comparison with a list is refused.
    package func visitQuantified(_ x: ExpressionNode, _ op: BinaryOperator, _ q: Quantifier, _ operand: QuantifiedOperand) throws {
        switch operand {
        case .query(let query):
            try visit(x, .atom)
            out.append(" \(op.sql) \(q.rawValue) (")
            try visitQuery(query, context: .correlated)
            out.append(")")
        case .list(let list):
            if dialect.listParameterStyle == .array, !(literalValues || list.inline) {
                try visit(x, .atom)
                out.append(" \(op.sql) \(q.rawValue)(")
                appendListPlaceholder(list)
                out.append(")")
            } else if (op == .equal && q == .any) || (op == .notEqual && q == .all) {
                try visitInExpanding(x, list, negated: q == .all)
            } else {
                throw notSupported("\(op.sql) \(q.rawValue) over a list of values",
                                   "compare with fn.min / fn.max of the values, or select them in a subquery")
            }
        }
    }

    /// `(VALUES (...), (...)) AS name (a, b)`; the first row's values are cast to
    /// their column types, which is how PostgreSQL types the whole list.
    package func visitValues(_ v: ValuesNode) throws {
        try checkValues(v)
        out.append("(VALUES ")
        try visitValuesRows(v, castFirstRow: true)
        out.append(") AS ")
        appendIdentifier(aliasName(v.name))
        out.append(" (" + v.columns.map { dialect.quoteIdentifier($0) }.joined(separator: ", ") + ")")
    }

    /// ` LIMIT ? OFFSET ?`.
    package func visitLimitOffset(limit: ExpressionNode?, offset: ExpressionNode?) throws {
        if let limit {
            out.append(" LIMIT ")
            try visit(limit)
        }
        if let offset {
            out.append(" OFFSET ")
            try visit(offset)
        }
    }

    /// ` FOR UPDATE [OF t] [NOWAIT | SKIP LOCKED]`.
    package func visitRowLock(_ lock: RowLock) throws {
        guard dialect.supportsForUpdate else {
            throw notSupported("FOR \(lock.strength.rawValue)", "SQLite locks the whole database for a write transaction; drop forUpdate()")
        }
        out.append(" FOR " + lock.strength.rawValue)
        if !lock.of.isEmpty {
            out.append(" OF ")
            for (i, f) in lock.of.enumerated() {
                if i > 0 { out.append(", ") }
                out.append(try fromName(f))
            }
        }
        if lock.nowait { out.append(" NOWAIT") }
        if lock.skipLocked { out.append(" SKIP LOCKED") }
    }

    /// `DISTINCT ON (exprs) ` (PostgreSQL).
    package func visitDistinctOn(_ exprs: [ExpressionNode]) throws {
        out.append("DISTINCT ON (")
        try visitList(exprs)
        out.append(") ")
    }

    /// One member of a UNION/INTERSECT/EXCEPT: parenthesised when it has its own ORDER
    /// BY or LIMIT, or is itself a compound.
    package func visitCompoundMember(_ q: QueryNode, context: QueryContext) throws {
        let needsParens: Bool
        if case .compound = q { needsParens = true } else { needsParens = q.hasOrderOrLimit }
        if needsParens { out.append("(") }
        try visitQuery(q, context: context)
        if needsParens { out.append(")") }
    }

    /// The join keyword for `kind`.
    package func joinKeyword(_ kind: JoinKind) throws -> String {
        switch kind {
        case .inner: return " JOIN "
        case .left: return " LEFT OUTER JOIN "
        case .right, .full:
            let keyword = kind == .right ? "RIGHT OUTER JOIN" : "FULL OUTER JOIN"
            guard dialect.supportsRightAndFullJoin else {
                throw notSupported(keyword, "this \(dialect.name) library is older than the version that added it; "
                                   + "swap the tables of a RIGHT JOIN, or use a LEFT JOIN united with the rows it misses")
            }
            return " " + keyword + " "
        case .cross: return " CROSS JOIN "
        }
    }

    /// `LATERAL ` before a derived table.
    package func visitLateral() throws { out.append("LATERAL ") }

    /// ` ON CONFLICT ON CONSTRAINT name` (PostgreSQL).
    package func visitConflictConstraint(_ name: String) throws {
        out.append(" ON CONFLICT ON CONSTRAINT ")
        appendIdentifier(name)
    }

    /// `DELETE ... USING others` for a DELETE whose WHERE mentions other tables.
    package func visitDeleteUsing(_ froms: [FromNode]) throws {
        out.append(" USING ")
        try visitFromList(froms)
    }

    /// The FROM clause of a SELECT that reads no table: none (Oracle 19c needs ` FROM DUAL`).
    package var fromlessSelectFrom: String { "" }

    /// What goes between a table or derived table and its alias: ` AS ` (Oracle takes
    /// no AS there, only a space).
    package var aliasKeyword: String { " AS " }

    /// Written right after `SELECT [DISTINCT] `: a row limit that comes first
    /// (SQL Server's `TOP (n)`). Returns true when it wrote the limit, so that
    /// ``visitLimitOffset(limit:offset:)`` is not called for it.
    package func visitSelectLimitPrefix(limit: ExpressionNode?, offset: ExpressionNode?, ordered: Bool) throws -> Bool { false }

    /// Rows a DML statement gives back, where they are written before its VALUES, SET
    /// source or WHERE (SQL Server's `OUTPUT inserted.a`); `pseudoTable` is
    /// `inserted` or `deleted`. Nothing by default: RETURNING comes at the end.
    package func visitOutputClause(_ items: [ExpressionNode], pseudoTable: String) throws {}

    /// A binary operator's spelling (SQL Server concatenates strings with `+`).
    package func operatorSQL(_ op: BinaryOperator) -> String { op.sql }

    /// The rows a DML statement gives back, at its end: ` RETURNING a, b`.
    package func visitReturningClause(_ items: [ExpressionNode]) throws { try visitReturning(items) }

    /// The SELECT of an `INSERT ... SELECT`.
    package func visitInsertQuery(_ q: QueryNode, hasConflictClause: Bool) throws {
        try visitQuery(q, context: .insertSource)
    }

    // MARK: Pieces every construct uses

    /// Writes an identifier, quoted when it needs to be.
    package func appendIdentifier(_ name: String) {
        out.append(dialect.quoteIdentifier(name))
    }

    /// `schema.table` (each part quoted as needed).
    package func tableName(_ table: Table) -> String {
        if let schema = table.schema { return dialect.quoteIdentifier(schema) + "." + dialect.quoteIdentifier(table.name) }
        return dialect.quoteIdentifier(table.name)
    }

    /// A bound value from the statement's tree.
    package func visitBind(_ b: BoundValue) throws {
        if literalValues || b.inline {
            out.append(try renderLiteral(b.processed(by: dialect.typeCompiler)))
            return
        }
        if templateMode {
            if b.slot >= 0 {
                out.appendPlaceholder(.slot(b.slot))
                return
            }
            templateIsReusable = false
        }
        out.appendPlaceholder(.constant(b.processed(by: dialect.typeCompiler)))
    }

    /// The placeholder of an expanding list: a slot in a template, the processed values
    /// otherwise, or the parameter's name.
    package func appendListPlaceholder(_ list: ExpandingList) {
        if let name = list.name {
            out.appendPlaceholder(.namedList(name, list.type))
            return
        }
        if templateMode {
            if list.slot >= 0 {
                out.appendPlaceholder(.listSlot(list.slot))
                return
            }
            templateIsReusable = false
        }
        out.appendPlaceholder(.constantList(list.processed(by: dialect.typeCompiler)))
    }

    /// The values of an inline (literal) list, written `a, b, c`.
    package func appendLiteralList(_ list: ExpandingList) throws {
        if let name = list.name {
            throw ArgumentError("the expanding parameter '\(name)' cannot be written as literals (DDL, inline values); give the values")
        }
        for (i, v) in list.processed(by: dialect.typeCompiler).enumerated() {
            if i > 0 { out.append(", ") }
            out.append(try renderLiteral(v))
        }
    }

    /// A value the compiler itself adds (not from the statement's tree).
    package func appendConstant(_ v: SQLValue) throws {
        if literalValues { out.append(try renderLiteral(v)) } else { out.appendPlaceholder(.constant(v)) }
    }

    /// A value written as a SQL literal (DDL cannot take parameters).
    public func renderLiteral(_ v: SQLValue) throws -> String {
        try dialect.literal(v)
    }

    /// `'text'` with quotes doubled. NUL cannot appear in SQL text.
    public func quoteString(_ s: String) throws -> String {
        try ANSILiteral.quoted(s)
    }

    /// The error for a construct this dialect lacks, raised before anything reaches the database.
    package func notSupported(_ construct: String, _ advice: String = "") -> ProgrammingError {
        ProgrammingError(
            kind: .notSupported,
            message: "\(construct) is not supported by the \(dialect.name) dialect" + (advice.isEmpty ? "" : "; " + advice))
    }

    /// A name for an anonymous alias: `anon_1`, `authors_1`, ... in order of first use.
    package func aliasName(_ name: AliasName) -> String {
        switch name {
        case .named(let n): return n
        case .anonymous(let id, let base):
            if let n = anonymousNames[id] { return n }
            let count = (anonymousCounters[base] ?? 0) + 1
            anonymousCounters[base] = count
            let n = base + "_" + String(count)
            anonymousNames[id] = n
            return n
        }
    }
}

/// Every statement the SQL compiler (and the cache) handles. Boxed, so the cache's
/// key and the compiler share one copy.
package indirect enum StatementNode: Sendable, Hashable {
    case select(Select)
    case compound(CompoundSelect)
    case insert(Insert)
    case update(Update)
    case delete(Delete)

    /// Walks the statement's bound values (see ``BindVisitor``), writing back a
    /// rewriting visitor's changes.
    package mutating func walkBinds<V: BindVisitor>(_ v: inout V) {
        if let changed = walked(&v) { self = changed }
    }

    /// The shape tag of a SELECT (``StatementCache/compile(_:_:)-(Select,_)`` writes it too).
    package static let selectTag = 1

    package func walked<V: BindVisitor>(_ v: inout V) -> StatementNode? {
        switch self {
        case .select(let s):
            v.mix(StatementNode.selectTag)
            return s.walked(&v).map { .select($0) }
        case .compound(let c):
            v.mix(2)
            return c.walked(&v).map { .compound($0) }
        case .insert(let i):
            v.mix(3)
            return i.walked(&v).map { .insert($0) }
        case .update(let u):
            v.mix(4)
            return u.walked(&v).map { .update($0) }
        case .delete(let d):
            v.mix(5)
            return d.walked(&v).map { .delete($0) }
        }
    }
}
