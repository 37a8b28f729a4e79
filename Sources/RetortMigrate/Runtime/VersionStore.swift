import Foundation
import RetortCore

/// The migrator's own tables: the version table (one row per current head) and the
/// history table (one row per applied or unapplied revision, with the file's checksum).
///
/// ```sql
/// CREATE TABLE migrator_version (version_num VARCHAR(64) NOT NULL,
///     CONSTRAINT migrator_version_pkc PRIMARY KEY (version_num))
/// CREATE TABLE migrator_history (revision VARCHAR(64) NOT NULL, direction VARCHAR(10) NOT NULL,
///     checksum VARCHAR(64), applied_at VARCHAR(32) NOT NULL, duration_ms INTEGER NOT NULL)
/// ```
///
/// Both are Core ``RetortCore/Table``s, read and written with Core's select, insert,
/// update and delete (Alembic's `version_table_impl`): names are quoted by the dialect,
/// values are bound, and offline scripts inline them as the dialect's literals.
public struct VersionStore: Sendable {
    /// The version table's name (`version_table:` in migrator.yaml).
    public let versionTable: String
    /// The history table's name: the version table's with `_history` for `_version`.
    public let historyTable: String
    /// Where revisions run outside a transaction record their steps (see ``StepProgress``).
    public let progressTable: String
    let dialect: Dialect
    /// The version table as a Core table: `version_num`, its primary key.
    public let version: Table
    /// The history table as a Core table: one row per revision applied or unapplied.
    public let history: Table

    // The statements, built once per store (Core caches their compiled SQL per shape).
    private let headsQuery: Select
    private let updateVersion: Update
    private let deleteVersion: Delete
    private let insertVersion: Insert
    private let insertHistory: Insert

    public init(versionTable: String, dialect: Dialect) {
        self.versionTable = versionTable
        self.historyTable = versionTable.hasSuffix("_version")
            ? String(versionTable.dropLast("_version".count)) + "_history" : versionTable + "_history"
        self.progressTable = versionTable.hasSuffix("_version")
            ? String(versionTable.dropLast("_version".count)) + "_progress" : versionTable + "_progress"
        self.dialect = dialect
        let metadata = MetaData(namingConvention: .none)
        version = Table(versionTable, metadata,
                        Column("version_num", .string(64), nullable: false),
                        PrimaryKeyConstraint(columns: ["version_num"], name: versionTable + "_pkc"))
        history = Table(historyTable, metadata,
                        Column("revision", .string(64), nullable: false),
                        Column("direction", .string(10), nullable: false),
                        Column("checksum", .string(64)),
                        Column("applied_at", .string(32), nullable: false),
                        Column("duration_ms", .integer, nullable: false))
        let versionNum = version.c.version_num
        headsQuery = select(versionNum)
        updateVersion = version.update().values(["version_num": bindParameter("new")]).where(versionNum == bindParameter("old"))
        deleteVersion = version.delete().where(versionNum == bindParameter("old"))
        insertVersion = version.insert().values(["version_num": bindParameter("new")])
        insertHistory = history.insert().values([
            "revision": bindParameter("r"), "direction": bindParameter("d"), "checksum": bindParameter("c"),
            "applied_at": bindParameter("at"), "duration_ms": bindParameter("ms"),
        ])
    }

    /// The migrator's own tables, which reflection and autogenerate leave alone.
    public var ownTables: [String] { [versionTable, historyTable, progressTable] }

    /// The migrator's own tables under the default `version_table` (`migrator_version`,
    /// `migrator_history`, `migrator_progress`): what to pass an `Inspector` as
    /// `excluding:` to see a migrated database as its models describe it.
    public static let defaultOwnTables: Set<String> = ["migrator_version", "migrator_history", "migrator_progress"]

    /// `CREATE TABLE IF NOT EXISTS` for the version and history tables.
    public var createStatements: [CreateTable] { createStatements(ifNotExists: true) }

    /// The CREATE TABLE statements of the version and history tables, `IF NOT EXISTS`
    /// or not (offline scripts for databases without that clause).
    public func createStatements(ifNotExists: Bool) -> [CreateTable] {
        [CreateTable(version, ifNotExists: ifNotExists), CreateTable(history, ifNotExists: ifNotExists)]
    }

    /// The current heads; empty when the table does not exist yet. `knownToExist` skips
    /// the catalog query (the runner made the table before walking revisions).
    public func heads(_ conn: Connection, knownToExist: Bool = false) throws -> Set<String> {
        guard try knownToExist || tableExists(conn, versionTable) else { return [] }
        return Set(try conn.scalars(headsQuery, as: String.self).all())
    }

    func tableExists(_ conn: Connection, _ name: String) throws -> Bool {
        try conn.tableExists(name)
    }

    /// The statements that move the version table from `before` to `after`: an UPDATE
    /// for a straight step, DELETE and INSERT around branch and merge points.
    public func transition(from before: Set<String>, to after: Set<String>) -> [(any Executable, Parameters)] {
        let removed = before.subtracting(after).sorted(), added = after.subtracting(before).sorted()
        if removed.count == 1, added.count == 1 {
            return [(updateVersion, ["new": added[0], "old": removed[0]])]
        }
        let deletes: [(any Executable, Parameters)] = removed.map { (deleteVersion, ["old": $0]) }
        let inserts: [(any Executable, Parameters)] = added.map { (insertVersion, ["new": $0]) }
        return deletes + inserts
    }

    public func historyInsert(revision: String, upgrade: Bool, checksum: String, at date: Date, milliseconds: Int)
        -> (Insert, Parameters)
    {
        (insertHistory,
         ["r": revision, "d": upgrade ? "upgrade" : "downgrade", "c": checksum,
          "at": SQLDateFormat.timestampString(date).padding(toLength: 26, withPad: ".000000", startingAt: 0),
          "ms": milliseconds])
    }

    /// The checksum each revision had when it was last upgraded.
    public func appliedChecksums(_ conn: Connection) throws -> [String: String] {
        guard try tableExists(conn, historyTable) else { return [:] }
        var out: [String: String] = [:]
        let query = select(history.c.revision, history.c.checksum)
            .where(history.c.direction == "upgrade").orderBy(history.c.applied_at)
        let rows = try conn.execute(query)
        while let row = try rows.next() {
            if let c = try row.get(1, as: String?.self) { out[try row.get(0)] = c }
        }
        return out
    }
}
