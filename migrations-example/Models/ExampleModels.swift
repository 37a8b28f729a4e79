// The manifest module of migrations-example: the book catalogue's models.
//
// `migrator.yaml` names this module (`manifest: ExampleModels`); `migrator` builds a
// small program that links it and prints `metadata` as metadata JSON, then diffs that
// against the database (`migrator revision --autogenerate`, `migrator check`).
// Edit a table here, run `migrator revision --autogenerate -m "..."`, review the file
// it writes under migrations-example/versions, then `migrator upgrade head`.
import RetortCore

/// The models the migrator reads: every table of the example, on one `MetaData` with
/// the default naming convention (`pk_books`, `fk_books_author_id_authors`, ...).
public let metadata: MetaData = {
    let metadata = MetaData()

    Table(
        "authors", metadata,
        Column("id", .integer, primaryKey: true),
        Column("name", .string(100), nullable: false, index: true),
        Column("email", .string(255), unique: true),
        Column("bio", .text),
        Column("created_at", .datetime, nullable: false, serverDefault: .sql("CURRENT_TIMESTAMP")))

    Table(
        "books", metadata,
        Column("id", .integer, primaryKey: true),
        Column("title", .string(200), nullable: false, index: true),
        Column("author_id", .integer, nullable: false, foreignKey: "authors.id", onDelete: .cascade),
        Column("published_on", .date),
        Column("pages", .integer),
        Column("price", .numeric(10, 2)),
        Column("in_print", .boolean, nullable: false, serverDefault: .sql("true")),
        UniqueConstraint("title", "author_id"),
        CheckConstraint("pages > 0"))  // named ck_books_pages by the convention

    Table(
        "tags", metadata,
        Column("id", .integer, primaryKey: true),
        Column("name", .string(50), nullable: false, unique: true))

    Table(
        "book_tags", metadata,
        Column("book_id", .integer, primaryKey: true, autoincrement: false, foreignKey: "books.id", onDelete: .cascade),
        Column("tag_id", .integer, primaryKey: true, autoincrement: false, foreignKey: "tags.id", onDelete: .cascade))

    return metadata
}()
