import Foundation
import Retort
import XCTest
import RetortTestSupport

/// The README's ORM example, run as written (the model is the test suite's `@Model`
/// `Author`; a temporary file instead of app.db).
final class ReadmeORMExampleTests: XCTestCase {
    func testSessionExample() throws {
        let metadata = TestModels.metadata.including(Author.self)
        let engine = try createEngine(temporarySQLiteURL("readme"))
        let log = StatementLog(engine)

        try metadata.createAll(engine)
        log.reset()

        try Session(engine).run { session in                  // COMMIT on success, ROLLBACK on throw
            try session.addAll([Author(name: "Ursula"), Author(name: "Octavia")])
        }   // INSERT INTO authors (name, email) VALUES (?, ?)   -- one statement, stepped twice
        XCTAssertEqual(log.calls.map(\.0), ["INSERT INTO authors (name, email) VALUES (?, ?)"])
        XCTAssertEqual(log.calls.map(\.1), [2])

        let session = Session(engine)
        let ursula = try session.scalars(select(Author.self).where { $0.name == "Ursula" }).one()
        ursula.email = "ursula@example.org"                    // recorded: only this column is written
        log.reset()
        let same = try session.get(Author.self, ursula.id!)    // the identity map: same instance, no query
        XCTAssertTrue(same === ursula)
        XCTAssertEqual(log.sql, [])
        try session.commit()                                   // UPDATE authors SET email = ? WHERE authors.id = ?
        XCTAssertEqual(log.sql, ["UPDATE authors SET email = ? WHERE authors.id = ?"])

        let page = try session.scalars(select(Author.self).orderBy { $0.name }.limit(10)).all()
        try session.execute(update(Author.self).where { $0.email == nil }.values(["email": "unknown@example.org"]))
        XCTAssertEqual(page.map(\.name), ["Octavia", "Ursula"])
        XCTAssertEqual(page.map(\.email), ["unknown@example.org", "ursula@example.org"])
        try session.commit()
        XCTAssertEqual(try engine.connect { try $0.scalars(text("SELECT email FROM authors ORDER BY name"), as: String.self).all() },
                       ["unknown@example.org", "ursula@example.org"])
    }
}
