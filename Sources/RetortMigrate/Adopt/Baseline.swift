import Foundation
import RetortCore

/// The first revision of a database that existed before its migrations: its upgrade
/// creates the reflected schema exactly (enum types, tables parents first, every
/// column, default, key, constraint, index and comment; on a dialect that can add a
/// foreign key to an existing table, the keys that close a cycle are added once all
/// tables exist), its downgrade drops it all again.
///
/// The operations are those autogenerate writes for tables the models no longer
/// declare, turned around: comparing an empty model with the live schema gives "drop
/// everything" as the upgrade and "create it all again" as the downgrade, and the
/// comparer already orders both. Views and triggers the dialect reports with their
/// stored SQL (SQLite) follow the tables as `execute` steps, in creation order.
///
/// A table that a `create_table` operation would not build exactly (an unnamed
/// constraint, which the operation would name; SQLite's AUTOINCREMENT) is created by
/// an `execute` step with the CREATE TABLE statement Core compiles for it instead, so
/// that a database built from the revision has the same constraints, unnamed, as the
/// adopted one, and later revisions work on both alike.
///
/// ```swift
/// let schema = try Inspector(conn).reflect()
/// let baseline = try Baseline(schema: schema, objects: [], comparer: SchemaComparer(dialect: conn.dialect))
/// baseline.upgrade      // [.createEnum(...), .createTable(...), .createIndex(...), ...]
/// baseline.downgrade    // [.dropTable(...), ..., .dropEnum(...)]
/// ```
public struct Baseline: Sendable {
    /// The operations that build the schema on an empty database.
    public var upgrade: [MigrationOperation]
    /// The operations that drop it again, in the order they run.
    public var downgrade: [MigrationOperation]
    /// The tables, in the order the upgrade creates them.
    public var tables: [String]
    /// What the revision cannot reproduce (views a dialect does not report the SQL
    /// of), for its header and the command's output.
    public var warnings: [String]

    /// The baseline of `schema` (tables excluded by `comparer` left out) and of the
    /// views and triggers in `objects`. Throws, naming them, when reflection could not
    /// read part of a table: the revision would not build that table as it is.
    public init(schema: ReflectedSchema, objects: [ReflectedSchemaObject], comparer: SchemaComparer) throws {
        let tables = schema.tables.filter { !comparer.isExcluded($0.name) }
        let problems = tables.flatMap { t in t.problems.map { "\(t.name): \($0)" } }
        if !problems.isEmpty {
            throw MigrateError("reflection could not read all of the schema, so a baseline would not reproduce it: "
                                   + problems.joined(separator: "; "),
                               hint: "fix those tables, or leave them out with exclude_tables in migrator.yaml")
        }
        // Everything dropped, then undone: the comparer's downgrade for removed tables
        // and enum types is the schema created in dependency order.
        let diff = try comparer.compare(MetaData(namingConvention: .none), with: schema)
        let dialect = comparer.dialect.name
        let byName = Dictionary(tables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let ddl = comparer.dialect.makeDDLCompiler()
        let kept = objects.filter { !comparer.isExcluded($0.table) }
        upgrade = try diff.downgrade.map { op in
            guard case .createTable(let spec) = op, let table = byName[spec.name], !Baseline.createTableKeepsExactly(table) else { return op }
            return .execute(sql: nil, perDialect: [dialect: try Baseline.exactCreateTable(table, as: spec, ddl: ddl)])
        } + kept.map { .execute(sql: nil, perDialect: [dialect: $0.sql]) }
        downgrade = kept.reversed().map { object in
            let kind = object.kind == .view ? "VIEW" : "TRIGGER"
            return .execute(sql: nil, perDialect: [dialect: "DROP \(kind) IF EXISTS \(comparer.dialect.quoteIdentifier(object.name))"])
        } + diff.upgrade
        self.tables = diff.changes.reversed().filter { $0.kind == .removeTable }.compactMap(\.table)
        let reported = Set(kept.filter { $0.kind == .view }.map(\.name))
        let views = schema.views.filter { !reported.contains($0) && !comparer.isExcluded($0) }.sorted()
        warnings = views.isEmpty ? [] : [
            "the view\(views.count == 1 ? "" : "s") \(views.joined(separator: ", ")) \(views.count == 1 ? "is" : "are") not in the baseline "
                + "(this database does not hand back their SQL): add an execute step that creates "
                + (views.count == 1 ? "it" : "them") + " before upgrading an empty database",
        ]
    }
}

extension Baseline {
    /// Whether a `create_table` operation builds `table` as it is. It does not when the
    /// database left a constraint unnamed (the operation names it by the naming
    /// convention, so that later revisions can drop it; the adopted database could not
    /// follow them) or numbers a key strictly (SQLite's AUTOINCREMENT), which the
    /// operation has no field for.
    static func createTableKeepsExactly(_ table: ReflectedTable) -> Bool {
        let unnamed = (table.primaryKey.map { $0.name == nil && !$0.columns.isEmpty } ?? false)
            || table.foreignKeys.contains { $0.name == nil } || table.uniqueConstraints.contains { $0.name == nil }
            || table.checkConstraints.contains { $0.name == nil }
        return !unnamed && !table.columns.contains(where: \.strictAutoincrement)
    }

    /// The CREATE TABLE statement of `table` as Core compiles it with no naming
    /// convention (unnamed constraints stay unnamed), with the foreign keys `spec` keeps
    /// (those closing a cycle are added later) and without indexes (created after it).
    static func exactCreateTable(_ table: ReflectedTable, as spec: CreateTableSpec, ddl: DDLCompiler) throws -> String {
        var t = table
        t.foreignKeys = table.foreignKeys.filter { fk in
            spec.foreignKeys.contains { $0.name == fk.name && $0.columns == fk.columns && $0.refTable == fk.referredTable }
        }
        t.indexes = []
        return try CreateTable(Table(reflected: t, metadata: MetaData(namingConvention: .none))).accept(ddl)
    }
}

extension Project {
    /// `migrator revision --baseline -m MSG`: writes the first revision of an existing
    /// database (see ``Baseline``) and stamps the database at it without running it.
    ///
    /// Refused, saying what to do, when the scripts already have revisions, when the
    /// database already has a version table with a revision, or when it has no tables.
    public func baseline(message: String, revisionID: String? = nil, date: Date = Date())
        throws -> (baseline: Baseline, revision: Revision, path: String)
    {
        if !graph.revisions.isEmpty {
            throw MigrateError("the scripts already have \(graph.revisions.count) revision\(graph.revisions.count == 1 ? "" : "s") "
                                   + "in \(config.versionsDirectory); a baseline must be the first revision",
                               hint: "use `migrator revision --autogenerate -m MSG` to record changes on top of them, "
                                   + "or baseline into an empty script_location")
        }
        let runner = try runner()
        let current = try runner.current()
        if !current.isEmpty {
            throw MigrateError("the database already has a version table (\(config.versionTable)) at "
                                   + current.sorted().joined(separator: ", "),
                               hint: "it is already managed by migrations; use `migrator revision --autogenerate -m MSG`, "
                                   + "or `migrator stamp base --purge` first if those revisions are gone for good")
        }
        let engine = try engine()
        let own = Set(VersionStore(versionTable: config.versionTable, dialect: engine.dialect).ownTables)
        let (schema, objects) = try engine.connect { conn in
            (try Inspector(conn, excluding: own).reflect(),
             try conn.dialect.reflector.viewsAndTriggers(conn, schema: nil))
        }
        let baseline = try Baseline(schema: schema, objects: objects, comparer: comparer(for: engine.dialect))
        if baseline.tables.isEmpty {
            throw MigrateError("the database has no tables to baseline",
                               hint: "start with `migrator revision -m MSG` or `migrator revision --autogenerate -m MSG` instead")
        }
        var header = ["Baseline: the schema of the database as it was on \(ScriptDirectory.timestamp(date)),",
                      "reflected by `migrator revision --baseline`. The database was stamped at this revision, not upgraded."]
        if !baseline.warnings.isEmpty { header += ["WARNING:"] + baseline.warnings.map { "  - " + $0 } }
        let (revision, path) = try writeRevision(message: message, parents: [], revisionID: revisionID, upgrade: baseline.upgrade,
                                                 downgrade: baseline.downgrade, headerComments: header, date: date)
        // Stamped through a project that reads the new file, as `migrator stamp` would.
        let scripts = try ScriptDirectory(versionsPath: config.versionsDirectory, checkType: TypeNames.check,
                                          identifierLimit: IdentifierLimit(dialect: engine.dialect), operations: false)
        do {
            try Project(config: config, scripts: scripts).runner().stamp([revision.id], purge: false)
        } catch {
            // Unstamped, the file would make the next try refuse; it goes, and nothing changed.
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return (baseline, revision, path)
    }
}
