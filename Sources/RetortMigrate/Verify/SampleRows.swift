import Foundation
import RetortCore

/// `migrator verify --data`: one generated row added to every table before each step,
/// so that steps which only fail on tables with rows (a NOT NULL column without a
/// default, a unique constraint over duplicates, a lossy type change, a downgrade that
/// cannot put a dropped column back) fail in verify rather than in production.
///
/// Values follow each column's type; a foreign key takes a key of an existing row of
/// the table it refers to (parents are filled first); unique columns get distinct
/// values (a counter). A row the database refuses (a CHECK the generator cannot read)
/// is left out, in a savepoint, and the rest go on.
struct SampleRows {
    private var counter = 0

    mutating func insert(into schema: ReflectedSchema, on conn: Connection) throws {
        let enums = Dictionary(schema.enums.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
        for table in SampleRows.parentsFirst(schema.tables) {
            counter += 1
            var names: [String] = []
            var params = Parameters()
            var complete = true
            for column in table.columns where !column.autoincrement {
                let value: SQLValue?
                if let fk = table.foreignKeys.first(where: { $0.columns == [column.name] }), let target = fk.referredColumns.first {
                    value = SampleRows.existingKey(fk.referredTable, target, on: conn)
                } else if let allowed = SampleRows.allowedValues(of: column.name, in: table) {
                    value = .text(allowed[counter % allowed.count])  // an enum that is a CHECK (SQLite)
                } else {
                    value = SampleRows.value(for: column.type, counter, enums: enums)
                }
                guard let value else {
                    if column.nullable || column.serverDefault != nil { continue }
                    complete = false
                    break
                }
                names.append(column.name)
                params["p\(names.count)"] = value
            }
            guard complete else { continue }
            let q = conn.dialect.quoteIdentifier
            let sql = names.isEmpty
                ? "INSERT INTO \(q(table.name)) DEFAULT VALUES"
                : "INSERT INTO \(q(table.name)) (" + names.map(q).joined(separator: ", ") + ") VALUES ("
                    + names.indices.map { ":p\($0 + 1)" }.joined(separator: ", ") + ")"
            _ = try? conn.beginNested { try $0.execute(text(sql), params) }
        }
    }

    /// The values a `col IN ('a', 'b')` CHECK allows the column, if the table has one.
    static func allowedValues(of column: String, in table: ReflectedTable) -> [String]? {
        for check in table.checkConstraints where check.condition.uppercased().contains(" IN (")
            && TableRebuild.mentions(check.condition, column) {
            let values = SchemaComparer.quotedLiterals(check.condition)
            if !values.isEmpty { return values }
        }
        return nil
    }

    /// Tables ordered so that a table comes after those its foreign keys refer to.
    static func parentsFirst(_ tables: [ReflectedTable]) -> [ReflectedTable] {
        let names = Set(tables.map(\.name))
        var placed = Set<String>()
        var out: [ReflectedTable] = []
        var rest = tables.sorted { $0.name < $1.name }
        while !rest.isEmpty {
            let ready = rest.firstIndex { t in
                t.foreignKeys.allSatisfy { fk in
                    fk.referredTable == t.name || placed.contains(fk.referredTable) || !names.contains(fk.referredTable)
                }
            } ?? 0  // a cycle: take the first, its keys may stay empty
            let t = rest.remove(at: ready)
            placed.insert(t.name)
            out.append(t)
        }
        return out
    }

    static func existingKey(_ table: String, _ column: String, on conn: Connection) -> SQLValue? {
        let q = conn.dialect.quoteIdentifier
        let row = try? conn.beginNested { c in
            try c.execute(text("SELECT \(q(column)) FROM \(q(table)) ORDER BY 1 LIMIT 1")).first()
        }
        return (row ?? nil)?.values.first
    }

    /// A value of `type`, distinct for each `n`; nil for a type it cannot make.
    static func value(for type: SQLType, _ n: Int, enums: [String: [String]]) -> SQLValue? {
        switch type {
        case .integer, .bigint, .smallint: return .integer(Int64(n))
        case .string(let length):
            let s = "v\(n)"
            return .text(length.map { String(s.prefix($0)) } ?? s)
        case .text: return .text("text \(n)")
        case .boolean: return .bool(n % 2 == 0)
        case .float, .double: return .real(Double(n) + 0.5)
        case .numeric(_, let scale): return .decimal(Decimal(n) + (scale ?? 0 > 0 ? Decimal(string: "0.5")! : 0))
        case .date: return .text("2024-01-\(String(format: "%02d", n % 28 + 1))")
        case .datetime: return .timestamp(Date(timeIntervalSince1970: 1_700_000_000 + Double(n)))
        case .time: return .text("12:00:\(String(format: "%02d", n % 60))")
        case .binary: return .blob(Data([UInt8(n & 0xFF), 1, 2]))
        case .json: return .text("{\"n\": \(n)}")
        case .uuid: return .uuid(UUID())
        case .enum(let name, let values): return (values.isEmpty ? enums[name] : values)?.first.map(SQLValue.text)
        case .sql: return nil
        }
    }
}
