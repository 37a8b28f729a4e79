import CSQLite
import Foundation
import RetortCore
import RetortORM

/// Issue-8 workload: `orm_selectinload_1to10`, 10000 authors each with 10 books, loaded
/// with `select(Author.self).options(.selectinLoad(\.books))` and fully materialised,
/// next to a raw libsqlite3 loop running the same queries (the authors, then the books
/// `WHERE author_id IN (...)` 500 authors at a time) and building the same rows grouped
/// by author. Figures are authors per second (each with its ten books).
struct RelationshipBench {
    let report: Report
    let authors = 10_000
    let booksPerAuthor = 10

    func runSQLite() throws {
        guard report.wants("orm_selectinload_1to10") || report.wants("raw_selectinload_1to10") else { return }
        let engine = try createEngine("sqlite://")
        try benchRelationships.including(BenchRelAuthor.self, BenchRelBook.self).createAll(engine)
        let raw = try RawSQLite()
        try raw.exec("CREATE TABLE bench_rel_authors (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL)")
        try raw.exec("CREATE TABLE bench_rel_books (id INTEGER PRIMARY KEY, title VARCHAR(200) NOT NULL, author_id INTEGER REFERENCES bench_rel_authors (id))")
        // The foreign key is indexed on both sides, as a schema that loads by it would be:
        // without the index every IN query scans the whole books table.
        try raw.exec("CREATE INDEX ix_raw_bench_rel_books_author_id ON bench_rel_books (author_id)")
        let authorRows: [Parameters] = (1...authors).map { ["id": $0, "name": "author \($0)"] }
        let bookRows: [Parameters] = (0..<(authors * booksPerAuthor)).map { i in
            ["id": i + 1, "title": "book \(i + 1)", "author_id": i / booksPerAuthor + 1]
        }
        try engine.begin { conn in
            try conn.execute(BenchRelAuthor.mapping.table.insert(), authorRows)
            try conn.execute(BenchRelBook.mapping.table.insert(), bookRows)
        }
        try rawInsert(raw)

        var rawCount = 0
        let rawSeconds = try report.time { rawCount = try rawSelectinLoad(raw) }
        if rawCount != authors * booksPerAuthor { throw BenchError("raw_selectinload_1to10 read \(rawCount) books") }

        var kept: (Session, [BenchRelAuthor])?
        var books = 0
        let seconds = try report.time(reset: { kept = nil }) {
            let session = Session(engine)
            let all = try session.scalars(select(BenchRelAuthor.self).options(.selectinLoad(\.books))).all()
            books = 0
            for a in all { books += a.books.count }
            kept = (session, all)
        }
        withExtendedLifetime(kept) {}  // released outside the timed part
        kept = nil
        if books != authors * booksPerAuthor { throw BenchError("orm_selectinload_1to10 loaded \(books) books") }
        report.line("raw_selectinload_1to10", seconds: rawSeconds, rows: authors, raw: rawSeconds)
        report.line("orm_selectinload_1to10", seconds: seconds, rows: authors, raw: rawSeconds,
                    extra: ["books_per_s": String(Int(Double(books) / seconds))])
    }

    private func rawInsert(_ raw: RawSQLite) throws {
        try raw.exec("BEGIN")
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let authorInsert = try raw.prepare("INSERT INTO bench_rel_authors (id, name) VALUES (?, ?)")
        defer { sqlite3_finalize(authorInsert) }
        for i in 1...authors {
            sqlite3_bind_int64(authorInsert, 1, Int64(i))
            sqlite3_bind_text(authorInsert, 2, "author \(i)", -1, transient)
            guard sqlite3_step(authorInsert) == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(raw.db))) }
            sqlite3_reset(authorInsert)
        }
        let stmt = try raw.prepare("INSERT INTO bench_rel_books (id, title, author_id) VALUES (?, ?, ?)")
        defer { sqlite3_finalize(stmt) }
        for i in 0..<(authors * booksPerAuthor) {
            sqlite3_bind_int64(stmt, 1, Int64(i + 1))
            sqlite3_bind_text(stmt, 2, "book \(i + 1)", -1, transient)
            sqlite3_bind_int64(stmt, 3, Int64(i / booksPerAuthor + 1))
            guard sqlite3_step(stmt) == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(raw.db))) }
            sqlite3_reset(stmt)
        }
        try raw.exec("COMMIT")
    }

    /// What the ORM does, by hand: the authors into structs, then their books 500
    /// authors at a time, each appended to its author's array. Returns the books read.
    private func rawSelectinLoad(_ raw: RawSQLite) throws -> Int {
        final class RawBook {
            let id: Int64, title: String, authorID: Int64
            init(id: Int64, title: String, authorID: Int64) { self.id = id; self.title = title; self.authorID = authorID }
        }
        final class RawAuthor {
            let id: Int64, name: String
            var books: [RawBook] = []
            init(id: Int64, name: String) { self.id = id; self.name = name }
        }
        var authors: [RawAuthor] = []
        var index: [Int64: Int] = [:]
        let stmt = try raw.prepare("SELECT id, name FROM bench_rel_authors")
        while sqlite3_step(stmt) == SQLITE_ROW {
            let a = RawAuthor(id: sqlite3_column_int64(stmt, 0), name: String(cString: sqlite3_column_text(stmt, 1)))
            index[a.id] = authors.count
            authors.append(a)
        }
        sqlite3_finalize(stmt)
        var count = 0
        var start = 0
        while start < authors.count {
            let chunk = authors[start..<min(start + 500, authors.count)]
            start += 500
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let q = try raw.prepare("SELECT id, title, author_id FROM bench_rel_books WHERE author_id IN (\(placeholders))")
            for (i, a) in chunk.enumerated() { sqlite3_bind_int64(q, Int32(i + 1), a.id) }
            while sqlite3_step(q) == SQLITE_ROW {
                let b = RawBook(id: sqlite3_column_int64(q, 0), title: String(cString: sqlite3_column_text(q, 1)),
                                authorID: sqlite3_column_int64(q, 2))
                if let i = index[b.authorID] { authors[i].books.append(b) }
                count += 1
            }
            sqlite3_finalize(q)
        }
        return count
    }
}

let benchRelationships = MetaData()

@Model(table: "bench_rel_authors", metadata: benchRelationships)
final class BenchRelAuthor {
    var id: Int?
    @Column(.string(100)) var name: String
    @Relationship(backPopulates: "author") var books: [BenchRelBook]

    init(name: String) { self.name = name }
}

@Model(table: "bench_rel_books", metadata: benchRelationships)
final class BenchRelBook {
    var id: Int?
    @Column(.string(200)) var title: String
    @Column(index: true, foreignKey: "bench_rel_authors.id") var authorId: Int?
    @Relationship(backPopulates: "books") var author: BenchRelAuthor?

    init(title: String) { self.title = title }
}
