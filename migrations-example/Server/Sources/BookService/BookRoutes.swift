import Foundation
import Hummingbird
import Retort

/// The JSON endpoints:
///
/// | route | answer |
/// |---|---|
/// | `GET /books?limit=20&offset=0` | 200 `{"books": [...]}`, each with its author and tags, by id |
/// | `GET /books/search?title=dune&limit=20` | 200 `{"books": [...]}` whose title contains the text (any case), by title |
/// | `GET /books/:id` | 200 the book, or 404 |
/// | `POST /books` | 201 the book; 422 for a value that breaks a rule; 409 for a duplicate title by the author |
/// | `PATCH /books/:id` | 200 the book; absent fields stay, `null` clears |
/// | `DELETE /books/:id` | 204, or 404 |
/// | `POST /authors`, `GET /authors/:id` | 201 / 200 the author; 409 for a duplicate email |
///
/// Every request uses its own ``AsyncSession``; relationships are loaded eagerly
/// (`selectinLoad`: one query for the books, one for their authors, one for their tags).
struct BookRoutes: Sendable {
    let engine: AsyncEngine

    func add(to router: Router<BasicRequestContext>) {
        router.get("/books", use: list)
        router.get("/books/search", use: search)
        router.get("/books/:id", use: get)
        router.post("/books", use: create)
        router.patch("/books/:id", use: update)
        router.delete("/books/:id", use: delete)
        router.post("/authors", use: createAuthor)
        router.get("/authors/:id", use: getAuthor)
    }

    /// Books with their author and tags, eagerly, one query per relationship.
    private static func booksWithRelations() -> ModelSelect<Book> {
        select(Book.self).options(.selectinLoad(\.author), .selectinLoad(\.tags))
    }

    // MARK: Books

    @Sendable func list(_ request: Request, context: BasicRequestContext) async throws -> BookListJSON {
        let limit = try Query.int(request, "limit", default: 20, 1...100)
        let offset = try Query.int(request, "offset", default: 0, 0...Int(Int32.max))
        return try await withSession { session in
            let books = try await session.scalars(Self.booksWithRelations().orderBy { $0.id }.limit(limit).offset(offset))
            return BookListJSON(books: books.map(BookJSON.init))
        }
    }

    @Sendable func search(_ request: Request, context: BasicRequestContext) async throws -> BookListJSON {
        guard let text = request.uri.queryParameters.get("title"), !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError(.badRequest, "title is required: the text to look for in book titles, as ?title=dune", field: "title")
        }
        guard text.count <= 200 else { throw APIError.invalid("title", "title must be at most 200 characters, not \(text.count)") }
        let limit = try Query.int(request, "limit", default: 20, 1...100)
        return try await withSession { session in
            let books = try await session.scalars(
                Self.booksWithRelations().where { $0.title.contains(text, caseInsensitive: true) }
                    .orderBy { [$0.title, $0.id] }.limit(limit))
            return BookListJSON(books: books.map(BookJSON.init))
        }
    }

    @Sendable func get(_ request: Request, context: BasicRequestContext) async throws -> BookJSON {
        let id = try Query.id(context)
        return try await withSession { session in
            guard let book = try await session.scalar(Self.booksWithRelations().where { $0.id == id }) else {
                throw APIError.notFound("book", id)
            }
            return BookJSON(book)
        }
    }

    @Sendable func create(_ request: Request, context: BasicRequestContext) async throws -> EditedResponse<BookJSON> {
        let changes = try await Body.decode(BookInput.self, request).validated(creating: true)
        let json = try await withSession { session in
            try await session.run { session in
                let author = try await Self.author(changes.authorId!, in: session)
                let book = Book(title: changes.title!, authorId: changes.authorId!)
                Self.apply(changes, to: book)
                book.author = author
                book.tags = try await Self.tags(changes.tags ?? [], in: session)
                try session.add(book)
                try await session.flush()
                return BookJSON(book)
            }
        }
        return EditedResponse(status: .created, headers: [.location: "/books/\(json.id)"], response: json)
    }

    @Sendable func update(_ request: Request, context: BasicRequestContext) async throws -> BookJSON {
        let id = try Query.id(context)
        let changes = try await Body.decode(BookInput.self, request).validated(creating: false)
        return try await withSession { session in
            try await session.run { session in
                guard let book = try await session.scalar(Self.booksWithRelations().where { $0.id == id }) else {
                    throw APIError.notFound("book", id)
                }
                if let authorId = changes.authorId, authorId != book.authorId {
                    book.author = try await Self.author(authorId, in: session)
                }
                Self.apply(changes, to: book)
                if let names = changes.tags { book.tags = try await Self.tags(names, in: session) }
                try await session.flush()
                return BookJSON(book)
            }
        }
    }

    @Sendable func delete(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let id = try Query.id(context)
        try await withSession { session in
            try await session.run { session in
                guard let book = try await session.get(Book.self, id) else { throw APIError.notFound("book", id) }
                try await session.delete(book)
            }
        }
        return Response(status: .noContent)
    }

    // MARK: Authors

    @Sendable func createAuthor(_ request: Request, context: BasicRequestContext) async throws -> EditedResponse<AuthorJSON> {
        let input = try await Body.decode(AuthorInput.self, request).validated()
        let json = try await withSession { session in
            try await session.run { session in
                let author = Author(name: input.name, email: input.email, bio: input.bio)
                try session.add(author)
                try await session.flush()
                return AuthorJSON(author)
            }
        }
        return EditedResponse(status: .created, headers: [.location: "/authors/\(json.id)"], response: json)
    }

    @Sendable func getAuthor(_ request: Request, context: BasicRequestContext) async throws -> AuthorJSON {
        let id = try Query.id(context)
        return try await withSession { session in
            guard let author = try await session.get(Author.self, id) else { throw APIError.notFound("author", id) }
            return AuthorJSON(author)
        }
    }

    // MARK: Helpers

    /// Runs `body` with a new session and closes it (giving its connection back) however
    /// `body` ends.
    private func withSession<T>(_ body: (AsyncSession) async throws -> T) async throws -> T {
        let session = AsyncSession(engine)
        do {
            let value = try await body(session)
            await session.close()
            return value
        } catch {
            await session.close()
            throw error
        }
    }

    /// The author a book names, or a 422 on `authorId`.
    private static func author(_ id: Int, in session: AsyncSession) async throws -> Author {
        guard let author = try await session.get(Author.self, id) else {
            throw APIError.invalid("authorId", "authorId \(id) names no author: create the author first (POST /authors)")
        }
        return author
    }

    /// The tags with these names, made where missing.
    private static func tags(_ names: [String], in session: AsyncSession) async throws -> [Tag] {
        guard !names.isEmpty else { return [] }
        let existing = try await session.scalars(select(Tag.self).where { $0.name.in(names) })
        let known = Dictionary(existing.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return names.map { known[$0] ?? Tag(name: $0) }
    }

    /// The scalar changes (not the author or the tags, which need the session).
    private static func apply(_ changes: BookChanges, to book: Book) {
        if let title = changes.title { book.title = title }
        switch changes.publishedOn {
        case .value(let d): book.publishedOn = d
        case .null: book.publishedOn = nil
        case .absent: break
        }
        switch changes.pages {
        case .value(let n): book.pages = n
        case .null: book.pages = nil
        case .absent: break
        }
        switch changes.price {
        case .value(let p): book.price = p
        case .null: book.price = nil
        case .absent: break
        }
        if let inPrint = changes.inPrint { book.inPrint = inPrint }
    }
}

/// Reading path and query parameters, with 400s that name the parameter.
enum Query {
    static func id(_ context: BasicRequestContext) throws -> Int {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int(text), id > 0 else {
            throw APIError(.badRequest, "the id in the path must be a whole number above 0, not \"\(text)\"", field: "id")
        }
        return id
    }

    static func int(_ request: Request, _ name: String, default fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw APIError(.badRequest, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"",
                           field: name)
        }
        return value
    }
}

/// Reading JSON bodies, with 400s that say where the JSON is wrong.
enum Body {
    /// The most a body may hold.
    static let limit = 1 << 20

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw APIError(.contentTooLarge, "the body must be at most \(limit) bytes of JSON")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw describe(error)
        }
    }

    /// A decoding error as a 400 naming the field (`tags[1]`) and what was expected.
    static func describe(_ error: DecodingError) -> APIError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { path, key in
                if let i = key.intValue { return path + "[\(i)]" }
                return path.isEmpty ? key.stringValue : path + "." + key.stringValue
            }
        }
        switch error {
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return APIError(.badRequest, "\(field.isEmpty ? "the body" : field) must be \(describe(type))", field: field.isEmpty ? nil : field)
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return APIError(.badRequest, "\(field) must be \(describe(type)), not null", field: field)
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return APIError(.badRequest, "\(field) is required", field: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return APIError(.badRequest, field.isEmpty ? "the body is not valid JSON" : "\(field) is not valid: \(context.debugDescription)",
                            field: field.isEmpty ? nil : field)
        @unknown default:
            return APIError(.badRequest, "the body could not be read as JSON")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "a whole number"
        case is Bool.Type: return "true or false"
        case is Decimal.Type, is Double.Type: return "a number"
        case is [String].Type: return "an array of strings"
        default: return "a JSON object"
        }
    }
}
