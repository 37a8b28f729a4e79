import BookService
import Foundation
import Hummingbird
import HummingbirdTesting
import Retort
import RetortMigrate
import XCTest

/// Every endpoint through Hummingbird's test client, against a migrated SQLite file and
/// a migrated PostgreSQL database: answers, and the rows they leave in the tables.
final class EndpointTests: XCTestCase {
    func testEveryEndpointOnBothDatabases() async throws {
        for backend in try Backend.all() {
            let service = try await BookService.start(backend.configuration())
            XCTAssertEqual(service.appliedRevisions, exampleRevisions, backend.name)
            try await service.application().test(.router) { client in
                let ursula = try await client.send(.post, "/authors", json: #"{"name": "Ursula K. Le Guin", "email": "ursula@example.org"}"#)
                XCTAssertEqual(ursula.status, .created, "\(backend.name): \(ursula.text)")
                let author = try ursula.decode(AuthorJSON.self)
                XCTAssertEqual(ursula.headers[.location], "/authors/\(author.id)", backend.name)
                let gotAuthor = try await client.send(.get, "/authors/\(author.id)")
                XCTAssertEqual(try gotAuthor.decode(AuthorJSON.self), author, backend.name)

                // Create: the book, its author and tags (made on the way) come back.
                let created = try await client.send(.post, "/books", json: """
                    {"title": "The Dispossessed", "authorId": \(author.id), "publishedOn": "1974-05-01",
                     "pages": 341, "price": 12.5, "tags": ["sf", "utopia"]}
                    """)
                XCTAssertEqual(created.status, .created, "\(backend.name): \(created.text)")
                let book = try created.decode(BookJSON.self)
                XCTAssertEqual(book.title, "The Dispossessed", backend.name)
                XCTAssertEqual(book.author, author, backend.name)
                XCTAssertEqual(book.publishedOn, "1974-05-01", backend.name)
                XCTAssertEqual(book.pages, 341, backend.name)
                XCTAssertEqual(book.price, Decimal(string: "12.5"), backend.name)
                XCTAssertEqual(book.inPrint, true, backend.name)
                XCTAssertEqual(book.tags, ["sf", "utopia"], backend.name)
                XCTAssertEqual(created.headers[.location], "/books/\(book.id)", backend.name)
                let second = try await client.send(.post, "/books", json: #"{"title": "The Lathe of Heaven", "authorId": \#(author.id), "tags": ["sf"]}"#)
                XCTAssertEqual(second.status, .created, "\(backend.name): \(second.text)")
                XCTAssertEqual(try backend.count("books"), 2, backend.name)
                XCTAssertEqual(try backend.count("tags"), 2, "\(backend.name): an existing tag is reused, not made again")
                XCTAssertEqual(try backend.count("book_tags"), 3, backend.name)

                // Get one: read back from the database, the same as created.
                let got = try await client.send(.get, "/books/\(book.id)")
                XCTAssertEqual(got.status, .ok, backend.name)
                XCTAssertEqual(try got.decode(BookJSON.self), book, backend.name)

                // List: both, by id, each with its author and tags; limit and offset page.
                let list = try await client.send(.get, "/books").decode(BookListJSON.self)
                XCTAssertEqual(list.books.map(\.title), ["The Dispossessed", "The Lathe of Heaven"], backend.name)
                XCTAssertEqual(list.books.map(\.author.name), ["Ursula K. Le Guin", "Ursula K. Le Guin"], backend.name)
                XCTAssertEqual(list.books.map(\.tags), [["sf", "utopia"], ["sf"]], backend.name)
                let page = try await client.send(.get, "/books?limit=1&offset=1").decode(BookListJSON.self)
                XCTAssertEqual(page.books.map(\.title), ["The Lathe of Heaven"], backend.name)

                // Search: any case, a part of the title.
                let found = try await client.send(.get, "/books/search?title=LATHE").decode(BookListJSON.self)
                XCTAssertEqual(found.books.map(\.title), ["The Lathe of Heaven"], backend.name)
                let none = try await client.send(.get, "/books/search?title=100%25").decode(BookListJSON.self)
                XCTAssertEqual(none.books, [], "\(backend.name): % is looked for literally")

                // Update: given fields change, absent ones stay, null clears.
                let patched = try await client.send(.patch, "/books/\(book.id)",
                                                    json: #"{"pages": 387, "price": null, "inPrint": false, "tags": ["classic"]}"#)
                XCTAssertEqual(patched.status, .ok, "\(backend.name): \(patched.text)")
                let updated = try patched.decode(BookJSON.self)
                XCTAssertEqual(updated.pages, 387, backend.name)
                XCTAssertNil(updated.price, backend.name)
                XCTAssertEqual(updated.inPrint, false, backend.name)
                XCTAssertEqual(updated.tags, ["classic"], backend.name)
                XCTAssertEqual(updated.title, "The Dispossessed", backend.name)
                XCTAssertEqual(updated.publishedOn, "1974-05-01", backend.name)
                let reread = try await client.send(.get, "/books/\(book.id)")
                XCTAssertEqual(try reread.decode(BookJSON.self), updated, backend.name)

                // Delete: gone, with its tag links; the tags stay.
                let deleted = try await client.send(.delete, "/books/\(book.id)")
                XCTAssertEqual(deleted.status, .noContent, backend.name)
                let gone = try await client.send(.get, "/books/\(book.id)")
                XCTAssertEqual(gone.status, .notFound, backend.name)
                XCTAssertEqual(try backend.count("books"), 1, backend.name)
                XCTAssertEqual(try backend.count("book_tags"), 1, backend.name)
                XCTAssertEqual(try backend.count("tags"), 3, backend.name)
            }
            XCTAssertEqual(service.engine.poolStatus.checkedOut, 0, "\(backend.name): a request kept its connection")
            service.engine.dispose()
        }
    }

    func testNotFound() async throws {
        for backend in try Backend.all() {
            let service = try await BookService.start(backend.configuration())
            try await service.application().test(.router) { client in
                for (method, uri, json) in [(HTTPRequest.Method.get, "/books/99", nil), (.patch, "/books/99", #"{"pages": 3}"#),
                                            (.delete, "/books/99", nil), (.get, "/authors/99", nil)] {
                    let answer = try await client.send(method, uri, json: json)
                    XCTAssertEqual(answer.status, .notFound, "\(backend.name) \(method) \(uri)")
                    XCTAssertEqual(answer.error?.message.hasPrefix("no "), true, "\(backend.name): \(answer.text)")
                }
            }
            service.engine.dispose()
        }
    }

    /// A duplicate the database refuses is a 409 naming what clashed; nothing is written.
    func testDuplicatesAreConflicts() async throws {
        for backend in try Backend.all() {
            let service = try await BookService.start(backend.configuration())
            try await service.application().test(.router) { client in
                let author = try await client.send(.post, "/authors", json: #"{"name": "Octavia", "email": "o@example.org"}"#)
                    .decode(AuthorJSON.self)
                let again = try await client.send(.post, "/authors", json: #"{"name": "Another", "email": "o@example.org"}"#)
                XCTAssertEqual(again.status, .conflict, "\(backend.name): \(again.text)")
                XCTAssertEqual(again.error?.message, "an author with this email already exists", backend.name)
                XCTAssertEqual(again.error?.field, "email", backend.name)
                XCTAssertEqual(try backend.count("authors"), 1, backend.name)

                let body = #"{"title": "Kindred", "authorId": \#(author.id), "tags": ["sf"]}"#
                let first = try await client.send(.post, "/books", json: body)
                XCTAssertEqual(first.status, .created, backend.name)
                let duplicate = try await client.send(.post, "/books", json: body)
                XCTAssertEqual(duplicate.status, .conflict, "\(backend.name): \(duplicate.text)")
                XCTAssertEqual(duplicate.error?.message, "a book with this title by this author already exists", backend.name)
                XCTAssertEqual(try backend.count("books"), 1, backend.name)
                XCTAssertEqual(try backend.count("book_tags"), 1, "\(backend.name): the refused book's tag links were rolled back")

                // The same clash by an update.
                let other = try await client.send(.post, "/books", json: #"{"title": "Dawn", "authorId": \#(author.id)}"#)
                    .decode(BookJSON.self)
                let renamed = try await client.send(.patch, "/books/\(other.id)", json: #"{"title": "Kindred"}"#)
                XCTAssertEqual(renamed.status, .conflict, "\(backend.name): \(renamed.text)")
                let unchanged = try await client.send(.get, "/books/\(other.id)")
                XCTAssertEqual(try unchanged.decode(BookJSON.self).title, "Dawn", backend.name)
            }
            XCTAssertEqual(service.engine.poolStatus.checkedOut, 0, backend.name)
            service.engine.dispose()
        }
    }

    /// Bad input is a 4xx naming the field, and writes nothing.
    func testValidationErrorsNameTheField() async throws {
        let backend = try Backend.sqlite()
        let service = try await BookService.start(backend.configuration())
        try await service.application().test(.router) { client in
            let author = try await client.send(.post, "/authors", json: #"{"name": "Ursula"}"#).decode(AuthorJSON.self)
            let a = author.id
            let cases: [(String, HTTPResponse.Status, String?, String)] = [
                (#"{"authorId": \#(a)}"#, .unprocessableContent, "title", "title is required"),
                (#"{"title": "  ", "authorId": \#(a)}"#, .unprocessableContent, "title", "title must be 1 to 200"),
                (#"{"title": "\#(String(repeating: "x", count: 201))", "authorId": \#(a)}"#, .unprocessableContent, "title", "not 201"),
                (#"{"title": "T"}"#, .unprocessableContent, "authorId", "authorId is required"),
                (#"{"title": "T", "authorId": 999}"#, .unprocessableContent, "authorId", "authorId 999 names no author"),
                (#"{"title": "T", "authorId": \#(a), "pages": 0}"#, .unprocessableContent, "pages", "above 0, not 0"),
                (#"{"title": "T", "authorId": \#(a), "price": 1.005}"#, .unprocessableContent, "price", "at most 2 decimals"),
                (#"{"title": "T", "authorId": \#(a), "price": -1}"#, .unprocessableContent, "price", "between 0"),
                (#"{"title": "T", "authorId": \#(a), "publishedOn": "1974-02-30"}"#, .unprocessableContent, "publishedOn", "YYYY-MM-DD"),
                (#"{"title": "T", "authorId": \#(a), "tags": ["ok", ""]}"#, .unprocessableContent, "tags[1]", "1 to 50"),
                (#"{"title": "T", "authorId": \#(a), "inPrint": null}"#, .unprocessableContent, "inPrint", "not null"),
                (#"{"title": 7, "authorId": \#(a)}"#, .badRequest, "title", "title must be a string"),
                (#"{"title": "T", "authorId": "one"}"#, .badRequest, "authorId", "a whole number"),
                (#"{"title": "T", "authorId": \#(a), "tags": ["ok", 3]}"#, .badRequest, "tags[1]", "a string"),
                (#"{"title": "T", "#, .badRequest, nil, "not valid JSON"),
                (#"[1, 2]"#, .badRequest, nil, "a JSON object"),
            ]
            for (body, status, field, words) in cases {
                let answer = try await client.send(.post, "/books", json: body)
                XCTAssertEqual(answer.status, status, "\(body.prefix(60)): \(answer.text)")
                XCTAssertEqual(answer.error?.field, field, "\(body.prefix(60)): \(answer.text)")
                XCTAssertEqual(answer.error?.message.contains(words), true, "\(body.prefix(60)): \(answer.text)")
                XCTAssertEqual(answer.error?.status, Int(status.code), answer.text)
            }
            for (uri, field) in [("/books?limit=0", "limit"), ("/books?limit=x", "limit"), ("/books?offset=-1", "offset"),
                                 ("/books/search", "title"), ("/books/search?title=%20", "title"), ("/books/abc", "id")] {
                let answer = try await client.send(.get, uri)
                XCTAssertEqual(answer.status, .badRequest, "\(uri): \(answer.text)")
                XCTAssertEqual(answer.error?.field, field, "\(uri): \(answer.text)")
            }
            let author2 = try await client.send(.post, "/authors", json: #"{"name": "", "email": "x"}"#)
            XCTAssertEqual(author2.status, .unprocessableContent, author2.text)
            XCTAssertEqual(author2.error?.field, "name", author2.text)
        }
        XCTAssertEqual(try backend.count("books"), 0)
        XCTAssertEqual(try backend.count("tags"), 0)
        service.engine.dispose()
    }

    /// The server's @Model classes and the example's revisions describe the same schema:
    /// after migrating, `check` against the models finds no difference.
    func testModelsMatchTheMigratedSchema() async throws {
        for backend in try Backend.all() {
            let service = try await BookService.start(backend.configuration())
            service.engine.dispose()
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = backend.url
            let report = try await Migrator(configPath: migratorConfigPath, environment: environment).check(catalogue.including(Author.self, Book.self, Tag.self))
            guard case .ok = report else { return XCTFail("\(backend.name): \(report)") }
        }
    }
}
