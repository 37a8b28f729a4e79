import Foundation
import Hummingbird
import Retort

/// An error the API answers with: a 4xx status and a JSON body saying what is wrong
/// and, for input, which field:
///
/// ```json
/// {"error": {"status": 422, "field": "pages", "message": "pages must be a whole number above 0"}}
/// ```
public struct APIError: HTTPResponseError, Sendable, Equatable {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// What is wrong, in words a client's developer can act on.
    public let message: String
    /// The input field at fault (a JSON key path such as `tags[2]`, or a query parameter).
    public let field: String?

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    /// 422: the request was well-formed but a value breaks a rule.
    public static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, message, field: field)
    }

    /// 404: no such object.
    public static func notFound(_ what: String, _ id: Int) -> APIError {
        APIError(.notFound, "no \(what) with id \(id)")
    }

    /// The JSON body of the error.
    public struct Body: Codable, Sendable, Equatable {
        public struct Detail: Codable, Sendable, Equatable {
            public let status: Int
            public let field: String?
            public let message: String
        }
        public let error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: .init(status: status.code, field: field, message: message))
        let data = try JSONEncoder.api.encode(body)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The 409 for a constraint the database refused (a unique key, a foreign key, a
    /// check): which constraint and, where known, which columns.
    static func conflict(_ error: IntegrityError) -> APIError {
        let what = error.constraintName.flatMap { conflictMessages[$0] }
            ?? conflictMessages.first { name, _ in
                !error.columnNames.isEmpty && name.hasSuffix("_" + error.columnNames.map(bareColumn).joined(separator: "_"))
            }?.value
        let columns = error.columnNames.map(bareColumn)
        let field = columns.first.map(jsonField)
        let message = what ?? "the database refused the change (\(error.kind.rawValue) constraint \(error.constraintName ?? columns.joined(separator: ", ")))"
        return APIError(.conflict, message, field: field)
    }

    /// Friendly words for the catalogue's constraints, by their conventional names.
    private static let conflictMessages = [
        "uq_books_title_author_id": "a book with this title by this author already exists",
        "uq_authors_email": "an author with this email already exists",
        "uq_tags_name": "a tag with this name already exists",
        "ck_books_pages": "pages must be above 0",
    ]

    /// `books.title` → `title` (SQLite names columns with their table).
    private static func bareColumn(_ name: String) -> String {
        name.split(separator: ".").last.map(String.init) ?? name
    }

    /// `author_id` → `authorId`, the JSON spelling.
    private static func jsonField(_ column: String) -> String {
        let parts = column.split(separator: "_")
        return parts.enumerated().map { $0 == 0 ? String($1) : $1.prefix(1).uppercased() + $1.dropFirst() }.joined()
    }
}

/// Maps what the handlers throw to answers: a database's integrity error becomes 409,
/// an error that is already an HTTP answer passes through; anything else is the
/// server's fault (500, logged, with no detail shown to the client).
struct ErrorMappingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as IntegrityError {
            context.logger.info("integrity error answered with 409", metadata: ["error": "\(error.message)"])
            throw APIError.conflict(error)
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, "the server could not complete the request")
        }
    }
}

extension JSONEncoder {
    /// The API's encoder: keys sorted so that answers are stable.
    static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
