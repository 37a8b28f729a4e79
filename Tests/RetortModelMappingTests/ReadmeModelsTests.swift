import Foundation
import Retort
import RetortTestSupport
import XCTest

// The README's Models example, as written (BookFormat is declared in Models.swift,
// exactly as the README declares it).

@Model(table: "writers")
final class Writer {
    var id: Int?                                        // the primary key, numbered by the database
    @Column(.string(100)) var name: String              // VARCHAR(100) NOT NULL
    @Column(.string(255), unique: true) var email: String?
    @Transient var isSelected = false                   // not a column

    init(name: String, email: String? = nil) {
        self.name = name
        self.email = email
    }
}

@Model(table: "novels", UniqueConstraint("title", "writer_id"))
final class Novel {
    var id: Int?
    @Column(.string(200), index: true) var title: String
    @Column(foreignKey: "writers.id", onDelete: .cascade) var writerId: Int   // writer_id
    var format: BookFormat = .paperback                 // enum(book_format)
    var price: Decimal?                                 // numeric, NULL allowed
    @Column(serverDefault: .expression(fn.now())) var published: Date?

    init(title: String, writerId: Int) {
        self.title = title
        self.writerId = writerId
    }
}

final class ReadmeModelsTests: XCTestCase {
    func run(_ engine: Engine) throws {
        try ModelRegistry.metadata.including(Writer.self, Novel.self).createAll(engine)

        let ebooks = select(Novel.columns.title)
            .where(Novel.columns.format == .ebook && Novel.columns.writerId == 1)
        XCTAssertEqual(
            try ebooks.compile(for: .sqlite).sql,
            "SELECT novels.title FROM novels WHERE novels.format = ? AND novels.writer_id = ?")

        try engine.begin { conn in
            try conn.execute(Writer.mapping.table.insert(), ["name": "Ursula"])
            try conn.execute(Novel.mapping.table.insert(), [
                ["title": "The Lathe of Heaven", "writer_id": 1, "format": "ebook"],
                ["title": "The Word for World Is Forest", "writer_id": 1, "format": "paperback"],
            ])
        }
        XCTAssertEqual(try engine.connect { try $0.scalars(ebooks, as: String.self).all() }, ["The Lathe of Heaven"])
        let columns = Novel.mapping.table.columns.map { "\($0.name) \($0.type.name)\($0.nullable ? "" : " not null")" }
        XCTAssertEqual(columns, [
            "id integer not null", "title string(200) not null", "writer_id integer not null",
            "format enum(book_format) not null", "price numeric", "published datetime",
        ])
    }

    func testOnSQLite() throws {
        let engine = try createEngine(temporarySQLiteURL("readme"))
        defer { engine.dispose() }
        try run(engine)
    }

    func testOnPostgreSQL() throws {
        let engine = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
        defer { engine.dispose() }
        try run(engine)
    }
}
