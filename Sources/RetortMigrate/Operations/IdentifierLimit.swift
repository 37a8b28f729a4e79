import Foundation
import RetortCore

/// The longest identifier a database keeps (``RetortCore/Dialect/maxIdentifierLength``,
/// 63 bytes on PostgreSQL, which cuts longer names off without a word). A name written
/// out in a revision file or metadata JSON is used exactly as given, so one that is too
/// long is refused — when the file is read where the database is known (the configured
/// database, for revision files), and at the latest before an operation's SQL is sent
/// (online or `--sql`). Names the naming convention makes are shortened instead
/// (``RetortCore/NamingConvention/truncate(_:maxLength:)``).
///
/// ```swift
/// let limit = IdentifierLimit(dialect: .postgresql)
/// limit.problem(String(repeating: "a", count: 70), "table")
/// // "table 'aaaa…' is 70 bytes long; postgresql keeps at most 63 bytes of a name"
/// ```
public struct IdentifierLimit: Sendable, Equatable {
    /// The limit, in UTF-8 bytes.
    public let maxLength: Int
    /// The database, for messages.
    public let databaseName: String

    /// The limit of `dialect` (``RetortCore/Dialect/maxIdentifierLength``).
    public init(dialect: Dialect) {
        maxLength = dialect.maxIdentifierLength
        databaseName = dialect.name
    }

    /// What to do about an over-long name.
    public static let hint = "shorten the name: a name written out is used exactly as given, and the database would cut "
        + "it off silently (names the naming convention makes are shortened with a hash suffix instead)"

    /// The message for `name` when it is too long, else nil: `kind 'name' [of table 't']
    /// is N bytes long; …`.
    public func problem(_ name: String, _ kind: String, table: String? = nil) -> String? {
        let length = name.utf8.count
        guard length > maxLength else { return nil }
        return "\(kind) '\(name)'" + (table.map { " of table '\($0)'" } ?? "")
            + " is \(length) bytes long; \(databaseName) keeps at most \(maxLength) bytes of a name"
    }

    /// The first over-long identifier `operation` names, as an error (no location).
    public func check(_ operation: MigrationOperation) throws {
        for (name, kind, table) in operation.identifiers {
            if let p = problem(name, kind, table: table) { throw MigrateError("\(operation.key): " + p, hint: IdentifierLimit.hint) }
        }
    }

    /// The over-long names `table` declares explicitly, each with its message (names
    /// the convention made are not listed: they are shortened).
    public func problems(in table: Table) -> [(name: String, message: String)] {
        var found: [(String, String)] = []
        func test(_ name: String?, _ kind: String, _ of: String? = nil) {
            if let name, let p = problem(name, kind, table: of) { found.append((name, p)) }
        }
        test(table.name, "table")
        for c in table.columns {
            test(c.name, "column", table.name)
            if let e = c.type.enumDefinition { test(e.name, "enum type") }
        }
        let explicit = table.explicitlyNamed
        for n in explicit.constraints { test(n, "constraint", table.name) }
        for n in explicit.indexes { test(n, "index", table.name) }
        return found
    }
}

extension MigrationOperation {
    /// Every identifier the operation names, with what kind of thing it names and the
    /// table it belongs to (for messages): tables, columns, constraints, indexes and enum
    /// types, referenced ones included.
    public var identifiers: [(name: String, kind: String, table: String?)] {
        var out: [(String, String, String?)] = []
        func foreignKey(_ fk: ForeignKeySpec, _ table: String) {
            if let n = fk.name { out.append((n, "foreign key", table)) }
            out.append((fk.refTable, "table", nil))
            for c in fk.columns { out.append((c, "column", table)) }
            for c in fk.refColumns { out.append((c, "column", fk.refTable)) }
        }
        switch self {
        case .createTable(let t):
            out.append((t.name, "table", nil))
            for c in t.columns { out.append((c.name, "column", t.name)) }
            if let n = t.primaryKey?.name { out.append((n, "primary key", t.name)) }
            for fk in t.foreignKeys { foreignKey(fk, t.name) }
            for u in t.uniqueConstraints { if let n = u.name { out.append((n, "unique constraint", t.name)) } }
            for ck in t.checkConstraints { if let n = ck.name { out.append((n, "check constraint", t.name)) } }
        case .dropTable(let name):
            out.append((name, "table", nil))
        case .renameTable(let name, let newName):
            out += [(name, "table", nil), (newName, "table", nil)]
        case .addColumn(let table, let c):
            out += [(table, "table", nil), (c.name, "column", table)]
        case .dropColumn(let table, let c):
            out += [(table, "table", nil), (c, "column", table)]
        case .alterColumn(let spec):
            out += [(spec.table, "table", nil), (spec.column, "column", spec.table)]
            if let n = spec.newName { out.append((n, "column", spec.table)) }
        case .createIndex(let ix):
            out += [(ix.name, "index", ix.table), (ix.table, "table", nil)]
            for c in ix.columns { out.append((c, "column", ix.table)) }
        case .dropIndex(let name, let table, _):
            out.append((name, "index", table))
            if let table { out.append((table, "table", nil)) }
        case .createUniqueConstraint(let name, let table, let columns), .createPrimaryKey(let name, let table, let columns):
            out += [(name, "constraint", table), (table, "table", nil)]
            for c in columns { out.append((c, "column", table)) }
        case .createForeignKey(let table, let fk):
            out.append((table, "table", nil))
            foreignKey(fk, table)
        case .createCheckConstraint(let name, let table, _, _), .dropConstraint(let name, let table, _),
             .validateConstraint(let name, let table):
            out += [(name, "constraint", table), (table, "table", nil)]
        case .createEnum(let name, _), .dropEnum(let name), .addEnumValue(let name, _, _, _):
            out.append((name, "enum type", nil))
        case .createSequence(let spec):
            out.append((spec.name, "sequence", nil))
        case .dropSequence(let name):
            out.append((name, "sequence", nil))
        case .execute:
            break
        case .bulkInsert(let table, let rows):
            out.append((table, "table", nil))
            var seen = Set<String>()
            for row in rows {
                for key in row.keys.sorted() where seen.insert(key).inserted { out.append((key, "column", table)) }
            }
        }
        return out
    }
}
