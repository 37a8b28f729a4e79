import Foundation
import RetortCore

/// How far a revision that runs outside a transaction (`transactional: false`) got:
/// one row per revision and direction started and not finished, in the progress table
/// next to the version table (`migrator_progress`).
///
/// ```sql
/// CREATE TABLE IF NOT EXISTS migrator_progress (revision VARCHAR(64) NOT NULL,
///     direction VARCHAR(10) NOT NULL, steps_done INTEGER NOT NULL, checksum VARCHAR(64),
///     CONSTRAINT migrator_progress_pkc PRIMARY KEY (revision, direction))
/// ```
///
/// Each step of such a revision commits on its own, so after each one the row records
/// how many are done; when the last is done the row goes, in the same transaction as
/// the version-table update. A failed step leaves the row behind: the next run in the
/// same direction resumes after the steps it records, and a run in the other direction
/// refuses, naming them. The table is made by the first revision that needs it, so a
/// database that never ran one has none, and an older database gets it when it does.
/// Nothing here depends on the database: a database without transactional DDL would
/// run every revision this way.
public struct StepProgress: Sendable {
    /// A revision started and not finished.
    public struct Entry: Sendable, Equatable {
        public let revision: String
        public let isUpgrade: Bool
        /// How many of its steps (in that direction) are applied.
        public let stepsDone: Int
        /// The revision file's checksum when the run that started it began.
        public let checksum: String?
    }

    public let table: String
    let dialect: Dialect

    /// `revision 3f2a9c1b7d4e is partly applied: upgrade steps 1-2 of 4 ran (create_index a, ...)`,
    /// what `migrator current` says of an entry.
    public static func describe(_ entry: Entry, in graph: RevisionGraph) -> String {
        guard let revision = graph.revision(entry.revision) else {
            return "revision \(entry.revision) (not in the scripts) was left part-way: \(entry.stepsDone) steps ran"
        }
        // Read with headers only (as `current` does), a revision has no operations to name.
        let ops = entry.isUpgrade ? revision.upgrade : revision.downgrade
        let steps = ops.count >= entry.stepsDone
            ? describeSteps(ops.prefix(entry.stepsDone), from: 1) + " of \(ops.count)"
            : entry.stepsDone == 1 ? "step 1" : "steps 1-\(entry.stepsDone)"
        return "revision \(revision.id) is partly \(entry.isUpgrade ? "applied" : "unapplied"): "
            + "\(entry.isUpgrade ? "upgrade" : "downgrade") \(steps) ran; "
            + "the next `migrator \(entry.isUpgrade ? "upgrade" : "downgrade")` through it resumes at step \(entry.stepsDone + 1)"
    }
    /// The progress table as a Core table: one row per revision started and not finished.
    let progress: Table
    private let select: Select
    private let insert: Insert
    private let update: Update
    private let delete: Delete

    /// The progress kept in `table` (``VersionStore/progressTable``).
    public init(table: String, dialect: Dialect) {
        self.table = table
        self.dialect = dialect
        let t = Table(table, MetaData(namingConvention: .none),
                      Column("revision", .string(64), nullable: false),
                      Column("direction", .string(10), nullable: false),
                      Column("steps_done", .integer, nullable: false),
                      Column("checksum", .string(64)),
                      PrimaryKeyConstraint(columns: ["revision", "direction"], name: table + "_pkc"))
        progress = t
        let thisStep = t.c.revision == bindParameter("r") && t.c.direction == bindParameter("d")
        select = RetortCore.select(t.c.revision, t.c.direction, t.c.steps_done, t.c.checksum).orderBy(t.c.revision, t.c.direction)
        insert = t.insert().values(["revision": bindParameter("r"), "direction": bindParameter("d"), "steps_done": 0, "checksum": bindParameter("c")])
        update = t.update().values(["steps_done": bindParameter("n")]).where(thisStep)
        delete = t.delete().where(thisStep)
    }

    /// Makes the table when it is missing.
    public var createStatement: CreateTable { CreateTable(progress, ifNotExists: true) }

    /// Every revision started and not finished; none when the table does not exist.
    public func entries(_ conn: Connection) throws -> [Entry] {
        guard try conn.tableExists(table) else { return [] }
        return try conn.execute(select).all().map {
            Entry(revision: try $0.get(0), isUpgrade: try $0.get(1, as: String.self) == "upgrade", stepsDone: try $0.get(2),
                  checksum: try $0.get(3, as: String?.self))
        }
    }

    /// The statements that record `step` as started (no step done yet).
    func start(_ step: MigrationStep) -> (any Executable, Parameters) {
        (insert, ["r": step.revision.id, "d": direction(step), "c": step.revision.checksum])
    }

    /// The statement that records `done` steps of `step` as applied.
    func advance(_ step: MigrationStep, to done: Int) -> (any Executable, Parameters) {
        (update, ["n": done, "r": step.revision.id, "d": direction(step)])
    }

    /// The statement that forgets `step` once it is finished.
    func finish(_ step: MigrationStep) -> (any Executable, Parameters) {
        (delete, ["r": step.revision.id, "d": direction(step)])
    }

    /// Forgets every revision started and not finished (`stamp` says where the database is).
    func clear(_ conn: Connection) throws -> [Delete] {
        guard try conn.tableExists(table) else { return [] }
        return [progress.delete()]
    }

    private func direction(_ step: MigrationStep) -> String { step.isUpgrade ? "upgrade" : "downgrade" }
}

extension MigrationOperation {
    /// `create_index ix_books_title`, `add_column books.isbn`: an operation as a person
    /// finds it in the revision file.
    var label: String {
        switch self {
        case .createTable(let spec): return "\(key) \(spec.name)"
        case .dropTable(let name), .dropEnum(let name), .createEnum(let name, _), .dropSequence(let name): return "\(key) \(name)"
        case .createSequence(let spec): return "\(key) \(spec.name)"
        case .renameTable(let name, let newName): return "\(key) \(name) -> \(newName)"
        case .addColumn(let table, let column): return "\(key) \(table).\(column.name)"
        case .dropColumn(let table, let column): return "\(key) \(table).\(column)"
        case .alterColumn(let spec): return "\(key) \(spec.table).\(spec.column)"
        case .createIndex(let spec): return "\(key) \(spec.name)"
        case .dropIndex(let name, _, _): return "\(key) \(name)"
        case .createUniqueConstraint(let name, _, _), .createCheckConstraint(let name, _, _, _),
             .createPrimaryKey(let name, _, _), .dropConstraint(let name, _, _), .validateConstraint(let name, _):
            return "\(key) \(name)"
        case .createForeignKey(let table, let fk): return "\(key) \(fk.name ?? table)"
        case .addEnumValue(let name, let value, _, _): return "\(key) \(name) '\(value)'"
        case .execute(let sql, let perDialect):
            let text = (sql ?? perDialect.sorted { $0.key < $1.key }.first?.value ?? "")
                .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            return "\(key) \(text.count > 40 ? String(text.prefix(40)) + "…" : text)"
        case .bulkInsert(let table, let rows): return "\(key) \(table) (\(rows.count) rows)"
        }
    }
}

/// `steps 1-2 (create_index a, create_index b)`, `step 1 (create_index a)`.
func describeSteps(_ ops: ArraySlice<MigrationOperation>, from first: Int) -> String {
    let range = ops.count == 1 ? "step \(first)" : "steps \(first)-\(first + ops.count - 1)"
    return "\(range) (" + ops.map(\.label).joined(separator: ", ") + ")"
}
