import BookService
import Foundation
import Hummingbird
import HummingbirdTesting
import Retort
import RetortTestSupport
import XCTest

/// The service's migrator.yaml (the package's own, next to Package.swift).
let migratorConfigPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../migrator.yaml").standardizedFileURL.path

/// The example's revisions, oldest first.
let exampleRevisions = ["1a2b3c4d5e01", "2b3c4d5e6f02", "3c4d5e6f7a03", "4d5e6f7a8b04"]

/// A database to test against: a new SQLite file, or a new database on the throwaway
/// PostgreSQL server (`RETORT_REQUIRE_POSTGRES=1` turns its absence into a failure).
struct Backend {
    let name: String
    let url: String
    /// A query that runs for many seconds unless cancelled.
    let slowSQL: String

    static func sqlite() throws -> Backend {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("book-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return Backend(name: "sqlite", url: "sqlite:///" + directory.appendingPathComponent("books.db").path,
                       slowSQL: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) SELECT count(*) FROM c")
    }

    static func postgresql() throws -> Backend {
        Backend(name: "postgresql", url: try PostgreSQLTestServer.freshDatabaseURL(), slowSQL: "SELECT pg_sleep(60)")
    }

    /// Both, each with a new database.
    static func all() throws -> [Backend] { [try sqlite(), try postgresql()] }

    func configuration(poolSize: Int = 4) -> ServiceConfiguration {
        ServiceConfiguration(databaseURL: url, migratorConfigPath: migratorConfigPath, poolSize: poolSize, port: 0)
    }

    /// How many rows `table` holds, read straight from the database.
    func count(_ table: String) throws -> Int {
        let engine = try createEngine(url)
        defer { engine.dispose() }
        return try engine.connect { try $0.scalar(text("SELECT count(*) FROM \(table)"), as: Int.self) }
    }
}

/// One answer of the service: its status and body.
struct Answer {
    let status: HTTPResponse.Status
    let body: Data
    let headers: HTTPFields

    func decode<T: Decodable>(_ type: T.Type, file: StaticString = #filePath, line: UInt = #line) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            XCTFail("\(status): \(String(decoding: body, as: UTF8.self)) is not a \(T.self): \(error)", file: file, line: line)
            throw error
        }
    }

    /// The error body's detail (for 4xx answers).
    var error: APIError.Body.Detail? { (try? JSONDecoder().decode(APIError.Body.self, from: body))?.error }
    var text: String { String(decoding: body, as: UTF8.self) }
}

extension TestClientProtocol {
    /// Sends a request with an optional JSON body (given as text, so that tests can send
    /// malformed JSON too).
    func send(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil) async throws -> Answer {
        var headers: HTTPFields = [:]
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            Answer(status: response.status, body: Data(response.body.readableBytesView), headers: response.headers)
        }
    }
}
