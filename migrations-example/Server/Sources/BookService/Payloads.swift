import Foundation
import Hummingbird

// What goes over the wire: plain Sendable values, made from the models inside the
// request's session and checked before anything is written.

/// A value the API answers with: JSON with its keys sorted (stable answers), fields
/// that are nil left out.
public protocol JSONAnswer: Encodable, ResponseGenerator {}

extension JSONAnswer {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder.api.encode(self)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A book as the API shows it, with its author and tags.
public struct BookJSON: Codable, Sendable, Equatable, JSONAnswer {
    public var id: Int
    public var title: String
    public var author: AuthorJSON
    /// `YYYY-MM-DD`.
    public var publishedOn: String?
    public var pages: Int?
    public var price: Decimal?
    public var inPrint: Bool
    /// Tag names, sorted.
    public var tags: [String]

    init(_ book: Book) {
        id = book.id ?? 0
        title = book.title
        author = book.author.map(AuthorJSON.init) ?? AuthorJSON(id: book.authorId, name: "", email: nil)
        publishedOn = book.publishedOn.map(Day.format)
        pages = book.pages
        price = book.price
        inPrint = book.inPrint
        tags = book.tags.map(\.name).sorted()
    }
}

/// An author as the API shows it.
public struct AuthorJSON: Codable, Sendable, Equatable, JSONAnswer {
    public var id: Int
    public var name: String
    public var email: String?

    init(id: Int, name: String, email: String?) {
        self.id = id
        self.name = name
        self.email = email
    }

    init(_ author: Author) {
        self.init(id: author.id ?? 0, name: author.name, email: author.email)
    }
}

/// A page of books.
public struct BookListJSON: Codable, Sendable, Equatable, JSONAnswer {
    public var books: [BookJSON]
}

/// A field of a PATCH body: absent (leave it), `null` (clear it) or a value.
enum Field<Value: Decodable & Sendable>: Sendable {
    case absent, null, value(Value)

    var given: Value? { if case .value(let v) = self { v } else { nil } }
}

extension KeyedDecodingContainer {
    func field<V: Decodable & Sendable>(_ type: V.Type, _ key: Key) throws -> Field<V> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(V.self, forKey: key))
    }
}

/// The body of `POST /books` and `PATCH /books/:id`: every field may be missing here;
/// ``BookInput/validated(creating:)`` says which are required and checks the values.
struct BookInput: Decodable, Sendable {
    var title: Field<String>
    var authorId: Field<Int>
    var publishedOn: Field<String>
    var pages: Field<Int>
    var price: Field<Decimal>
    var inPrint: Field<Bool>
    var tags: Field<[String]>

    enum CodingKeys: String, CodingKey, CaseIterable {
        case title, authorId, publishedOn, pages, price, inPrint, tags
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.field(String.self, .title)
        authorId = try c.field(Int.self, .authorId)
        publishedOn = try c.field(String.self, .publishedOn)
        pages = try c.field(Int.self, .pages)
        price = try c.field(Decimal.self, .price)
        inPrint = try c.field(Bool.self, .inPrint)
        tags = try c.field([String].self, .tags)
    }

    /// The checked changes; throws a 422 ``APIError`` naming the first field at fault.
    /// Creating, `title` and `authorId` are required; updating, every field is optional
    /// and `null` clears the optional ones.
    func validated(creating: Bool) throws -> BookChanges {
        var changes = BookChanges()
        switch title {
        case .absent where creating, .null: throw APIError.invalid("title", "title is required: a string of 1 to 200 characters")
        case .value(let t):
            let trimmed = t.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, trimmed.count <= 200 else {
                throw APIError.invalid("title", "title must be 1 to 200 characters (not blank), not \(t.count)")
            }
            changes.title = trimmed
        default: break
        }
        switch authorId {
        case .absent where creating, .null: throw APIError.invalid("authorId", "authorId is required: the id of an existing author")
        case .value(let id): changes.authorId = id
        default: break
        }
        switch publishedOn {
        case .value(let s):
            guard let day = Day.parse(s) else {
                throw APIError.invalid("publishedOn", "publishedOn must be a date written YYYY-MM-DD, not \"\(s)\"")
            }
            changes.publishedOn = .value(day)
        case .null: changes.publishedOn = .null
        case .absent: break
        }
        switch pages {
        case .value(let n):
            guard n > 0 else { throw APIError.invalid("pages", "pages must be a whole number above 0, not \(n)") }
            changes.pages = .value(n)
        case .null: changes.pages = .null
        case .absent: break
        }
        switch price {
        case .value(let p):
            guard p >= 0, p < 100_000_000, p.isWholeCents else {
                throw APIError.invalid("price", "price must be between 0 and 99999999.99 with at most 2 decimals, not \(p)")
            }
            changes.price = .value(p)
        case .null: changes.price = .null
        case .absent: break
        }
        switch inPrint {
        case .value(let b): changes.inPrint = b
        case .null: throw APIError.invalid("inPrint", "inPrint must be true or false, not null")
        case .absent: break
        }
        switch tags {
        case .value(let names):
            var seen = Set<String>()
            for (i, name) in names.enumerated() {
                let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty, trimmed.count <= 50 else {
                    throw APIError.invalid("tags[\(i)]", "a tag must be 1 to 50 characters (not blank), not \(name.count)")
                }
                seen.insert(trimmed)
            }
            changes.tags = seen.sorted()
        case .null: changes.tags = []
        case .absent: break
        }
        return changes
    }
}

/// Checked changes to a book; nil / `.absent` leaves a value as it is.
struct BookChanges: Sendable {
    var title: String?
    var authorId: Int?
    var publishedOn: Field<Date> = .absent
    var pages: Field<Int> = .absent
    var price: Field<Decimal> = .absent
    var inPrint: Bool?
    var tags: [String]?
}

/// The body of `POST /authors`.
struct AuthorInput: Decodable, Sendable {
    var name: String?
    var email: String?
    var bio: String?

    func validated() throws -> (name: String, email: String?, bio: String?) {
        guard let name else { throw APIError.invalid("name", "name is required: a string of 1 to 100 characters") }
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 100 else {
            throw APIError.invalid("name", "name must be 1 to 100 characters (not blank), not \(name.count)")
        }
        if let email {
            guard email.count <= 255, email.contains("@") else {
                throw APIError.invalid("email", "email must be an address such as ursula@example.org, of at most 255 characters")
            }
        }
        return (trimmed, email, bio)
    }
}

/// Dates without a time (`date` columns): `YYYY-MM-DD`, midnight UTC.
enum Day {
    static func parse(_ s: String) -> Date? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard s.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[0].count == 4, parts[1].count == 2, parts[2].count == 2 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: y, month: m, day: d)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date
    }

    static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}

extension Decimal {
    /// No digits past the cents.
    var isWholeCents: Bool {
        var scaled = self * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        return rounded == scaled
    }
}
