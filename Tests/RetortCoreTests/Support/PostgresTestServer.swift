import XCTest
// TEMPORARY stand-in until branch pg-driver lands.
enum PostgresTestServer {
    static func url() throws -> String { throw XCTSkip("pg not merged") }
    static func passwordURL(password: String) throws -> String? { nil }
    static func freshDatabaseURL() throws -> String { throw XCTSkip("pg not merged") }
}
