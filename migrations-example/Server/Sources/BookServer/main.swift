// `swift run` in migrations-example/Server: migrates the database named by DATABASE_URL
// (an SQLite file books.db here by default) to head, then serves the book catalogue.
import BookService
import Foundation
import Hummingbird
import Logging

let logger = Logger(label: "book-server")
do {
    let configuration = try ServiceConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
    let service = try await BookService.start(configuration, logger: logger)
    try await service.application(logger: logger).runService()
} catch {
    logger.critical("book-server stopped: \(error)")
    exit(1)
}
