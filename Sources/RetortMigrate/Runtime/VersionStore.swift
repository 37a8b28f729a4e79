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
public struct VersionStore: Sendable {
    public let versionTable: String
    public let historyTable: String
    /// Where revisions run outside a transaction record their steps (see ``StepProgress``).
    public let progressTable: String
    let dialect: Dialect

    // The statements, parsed once per store rather than once per revision applied.
    private let headsQuery: TextClause
    private let updateVersion: TextClause
    private let deleteVersion: TextClause
    private let insertVersion: TextClause
    private let insertHistory: TextClause

    public init(versionTable: String, dialect: Dialect) {
        self.versionTable = versionTable
        self.historyTable = versionTable.hasSuffix("_version")
            ? String(versionTable.dropLast("_version".count)) + "_history" : versionTable + "_history"
        self.progressTable = versionTable.hasSuffix("_version")
            ? String(versionTable.dropLast("_version".count)) + "_progress" : versionTable + "_progress"
        self.dialect = dialect
        let v = dialect.quoteIdentifier(versionTable), h = dialect.quoteIdentifier(historyTable)
        headsQuery = text("SELECT version_num FROM \(v)")
        updateVersion = text("UPDATE \(v) SET version_num = :new WHERE version_num = :old")
        deleteVersion = text("DELETE FROM \(v) WHERE version_num = :old")
        insertVersion = text("INSERT INTO \(v) (version_num) VALUES (:new)")
        insertHistory = text("INSERT INTO \(h) (revision, direction, checksum, applied_at, duration_ms) VALUES (:r, :d, :c, :at, :ms)")
    }

    private var v: String { dialect.quoteIdentifier(versionTable) }
    private var h: String { dialect.quoteIdentifier(historyTable) }

    /// The migrator's own tables, which reflection and autogenerate leave alone.
    public var ownTables: [String] { [versionTable, historyTable, progressTable] }

    /// The migrator's own tables under the default `version_table` (`migrator_version`,
    /// `migrator_history`, `migrator_progress`): what to pass an `Inspector` as
    /// `excluding:` to see a migrated database as its models describe it.
    public static let defaultOwnTables: Set<String> = ["migrator_version", "migrator_history", "migrator_progress"]

    public var createStatements: [TextClause] { createStatements(ifNotExists: true) }

    /// The CREATE TABLE statements of the version and history tables, `IF NOT EXISTS`
    /// or not (offline scripts for databases without that clause).
    public func createStatements(ifNotExists: Bool) -> [TextClause] {
        let create = ifNotExists ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE "
        return [
            text(create + "\(v) (version_num VARCHAR(64) NOT NULL, CONSTRAINT "
                 + dialect.quoteIdentifier(versionTable + "_pkc") + " PRIMARY KEY (version_num))"),
            text(create + "\(h) (revision VARCHAR(64) NOT NULL, direction VARCHAR(10) NOT NULL, "
                 + "checksum VARCHAR(64), applied_at VARCHAR(32) NOT NULL, duration_ms INTEGER NOT NULL)"),
        ]
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
    public func transition(from before: Set<String>, to after: Set<String>) -> [(TextClause, Parameters)] {
        let removed = before.subtracting(after).sorted(), added = after.subtracting(before).sorted()
        if removed.count == 1, added.count == 1 {
            return [(updateVersion, ["new": added[0], "old": removed[0]])]
        }
        return removed.map { (deleteVersion, ["old": $0]) }
            + added.map { (insertVersion, ["new": $0]) }
    }

    public func historyInsert(revision: String, upgrade: Bool, checksum: String, at date: Date, milliseconds: Int)
        -> (TextClause, Parameters)
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
        let rows = try conn.execute(text("SELECT revision, checksum FROM \(h) WHERE direction = 'upgrade' ORDER BY applied_at"))
        while let row = try rows.next() {
            if let c = try row.get(1, as: String?.self) { out[try row.get(0)] = c }
        }
        return out
    }
}
