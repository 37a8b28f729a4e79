import Foundation
import RetortCore

/// One difference between the models and the database, with the operations that
/// bring the database to the models (`upgrade`) and those that undo them
/// (`downgrade`, applied in the order given).
///
/// ```swift
/// let change = diff.changes[0]
/// change.summary      // "added column books.isbn (string(13))"
/// change.upgrade      // [.addColumn(table: "books", column: ColumnSpec(name: "isbn", type: "string(13)"))]
/// change.downgrade    // [.dropColumn(table: "books", column: "isbn")]
/// ```
public struct SchemaChange: Sendable, Equatable {
    /// What kind of difference this is (the `kind` of `migrator check --format json`).
    public enum Kind: String, Sendable, CaseIterable {
        case addTable = "add_table", removeTable = "remove_table", renameTable = "rename_table"
        case addColumn = "add_column", removeColumn = "remove_column", renameColumn = "rename_column"
        case alterColumn = "alter_column", tableComment = "table_comment"
        case primaryKey = "primary_key"
        case addUnique = "add_unique_constraint", removeUnique = "remove_unique_constraint"
        case addIndex = "add_index", removeIndex = "remove_index"
        case addForeignKey = "add_foreign_key", removeForeignKey = "remove_foreign_key"
        case addCheck = "add_check_constraint", removeCheck = "remove_check_constraint"
        case addEnum = "add_enum", addEnumValue = "add_enum_value", removeEnum = "remove_enum"
        case addSequence = "add_sequence", removeSequence = "remove_sequence"
        case computed = "computed", identity = "identity"
    }

    /// What kind of difference.
    public var kind: Kind
    /// The table concerned (nil for an enum type).
    public var table: String?
    /// One line a person reads: `changed books.pages: type integer -> bigint`.
    public var summary: String
    /// The operations that bring the database to the models.
    public var upgrade: [MigrationOperation]
    /// The operations that undo ``upgrade``, in the order they run.
    public var downgrade: [MigrationOperation]
    /// Set when upgrading throws data away (a dropped table or column, a narrowing type
    /// change): the text of the revision file's warning.
    public var dataLoss: String?
    /// What a reviewer should know about how the change is made (written at the top of
    /// the revision file): a computed column whose expression changed is dropped and
    /// added again, which loses nothing as its values are derived.
    public var comment: String?

    public init(_ kind: Kind, table: String?, summary: String, upgrade: [MigrationOperation],
                downgrade: [MigrationOperation], dataLoss: String? = nil) {
        self.kind = kind
        self.table = table
        self.summary = summary
        self.upgrade = upgrade
        self.downgrade = downgrade
        self.dataLoss = dataLoss
    }
}

/// Everything ``SchemaComparer`` found: the changes in the order their upgrade
/// operations must run, and notes about differences it cannot express.
///
/// ```swift
/// let diff = try SchemaComparer(dialect: conn.dialect).compare(metadata, with: try Inspector(conn).reflect())
/// if diff.isEmpty { print("No changes detected") }
/// for line in diff.summaryLines { print(line) }
/// ```
public struct SchemaDiff: Sendable, Equatable {
    /// The differences, in the order their upgrade operations run.
    public var changes: [SchemaChange]
    /// Differences no operation can express (e.g. an unnamed constraint on SQLite that
    /// the models no longer declare); reported, not acted on.
    public var notes: [String]

    public init(changes: [SchemaChange] = [], notes: [String] = []) {
        self.changes = changes
        self.notes = notes
    }

    /// True when the models and the database agree ("No changes detected").
    public var isEmpty: Bool { changes.isEmpty }

    /// The upgrade operations, in order.
    public var upgrade: [MigrationOperation] { changes.flatMap(\.upgrade) }

    /// The downgrade operations: each change undone, last change first.
    public var downgrade: [MigrationOperation] { changes.reversed().flatMap(\.downgrade) }

    /// One line per difference, then the notes.
    public var summaryLines: [String] { changes.map(\.summary) + notes.map { "note: " + $0 } }

    /// The header comments of a revision written from this diff: a data-loss warning
    /// per destructive change.
    public var headerComments: [String] {
        let losses = changes.compactMap(\.dataLoss)
        let comments = changes.compactMap(\.comment)
        guard !losses.isEmpty else { return comments }
        return comments + ["WARNING: this revision may lose data; review it before running `migrator upgrade`:"]
            + losses.map { "  - " + $0 }
    }

    /// The differences as JSON (`migrator check --format json`):
    /// `{"differences": [{"kind": "add_column", "table": "books", "summary": "..."}], "notes": []}`.
    public func json() -> String {
        let items = changes.map { c in
            "{\"kind\": \(MetadataJSON.q(c.kind.rawValue)), \"table\": \(c.table.map(MetadataJSON.q) ?? "null"), "
                + "\"summary\": \(MetadataJSON.q(c.summary)), \"data_loss\": \(c.dataLoss != nil)}"
        }
        return "{\"differences\": [" + items.joined(separator: ", ") + "], \"notes\": ["
            + notes.map(MetadataJSON.q).joined(separator: ", ") + "]}"
    }
}

/// A possible rename autogenerate asks about: a table lost `from` and gained `to`
/// with an identical definition.
public struct RenameCandidate: Sendable, Equatable {
    /// A renamed table or a renamed column.
    public enum Kind: Sendable, Equatable { case table, column }
    /// Whether a table or a column.
    public var kind: Kind
    /// The table (its new name, for a table rename).
    public var table: String
    /// The name that disappeared.
    public var from: String
    /// The name that appeared.
    public var to: String
    /// The definition both share: `string(200), not null`, or the column list of a table.
    public var definition: String

    public init(kind: Kind, table: String, from: String, to: String, definition: String) {
        self.kind = kind
        self.table = table
        self.from = from
        self.to = to
        self.definition = definition
    }

    /// `Did you rename books.name to books.title (string(200), not null)? [y/N]`
    public var question: String {
        switch kind {
        case .column: return "Did you rename \(table).\(from) to \(table).\(to) (\(definition))? [y/N]"
        case .table: return "Did you rename table \(from) to \(to) (\(definition))? [y/N]"
        }
    }

    /// The `--rename` answer that matches it: `books.name=title` or `old_table=new_table`.
    public func matches(_ answer: String) -> Bool {
        switch kind {
        case .column: return answer == "\(table).\(from)=\(to)" || answer == "\(table).\(from)=\(table).\(to)"
        case .table: return answer == "\(from)=\(to)"
        }
    }
}
