import RetortCore

/// Applies migration operations by compiling them with RetortCore.
public struct CoreOperationApplier: OperationApplier {
    public init() {}

    public func apply(_ operation: MigrationOperation, on executor: any SQLExecutor) throws {
        let dialect = executor.dialect
        switch operation {
        case .execute(let sql, let perDialect):
            guard let statement = perDialect[dialect.name] ?? sql else { return }  // nothing for this dialect
            try executor.execute(RawSQL(statement), [:])
        case .bulkInsert(let table, let rows):
            for row in rows {
                let names = row.keys.sorted()
                let sql = "INSERT INTO \(dialect.quoteIdentifier(table)) ("
                    + names.map(dialect.quoteIdentifier).joined(separator: ", ") + ") VALUES ("
                    + names.map { ":" + "p_\($0.utf8.map { String($0, radix: 16) }.joined())" }.joined(separator: ", ") + ")"
                var params = Parameters()
                for n in names { params["p_\(n.utf8.map { String($0, radix: 16) }.joined())"] = row[n]!.sqlValue }
                try executor.execute(text(sql), params)
            }
        default:
            throw MigrateError("\(operation.key) cannot be applied yet: the DDL compiler is not wired in")
        }
    }
}

/// SQL executed exactly as written, with no parameters (an `execute` operation's text,
/// which may contain colons that are not parameters).
struct RawSQL: Executable {
    let sql: String
    init(_ sql: String) { self.sql = sql }
    func compile(for dialect: Dialect) -> CompiledStatement { CompiledStatement(sql: sql) }
}

extension BulkValue {
    var sqlValue: SQLValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .integer(i)
        case .double(let d): return .real(d)
        case .string(let s): return .text(s)
        }
    }
}
