import Foundation
import Retort
import RetortTestSupport
import XCTest

// The README's inheritance example, declared as written (in a MetaData of its own).

let readmeInheritanceMetadata = MetaData()

@Model(table: "staff", metadata: readmeInheritanceMetadata, polymorphicOn: "kind", identity: "staff",
       subclasses: ["Manager", "Engineer"])
class Staff: Model {
    var id: Int?
    @Column(.string(100)) var name: String
    @Column(.string(20)) var kind: String?            // the discriminator: the flush writes each class's identity
    init(name: String) { self.name = name }
}

@Model(identity: "manager", table: "managers", metadata: readmeInheritanceMetadata)    // joined-table
final class Manager: Staff {
    var budget: Int
    init(name: String, budget: Int) { self.budget = budget; super.init(name: name) }
}

@Model(identity: "engineer")                     // single-table: columns in staff
final class Engineer: Staff {
    @Column(.string(50)) var language: String
    init(name: String, language: String) { self.language = language; super.init(name: name) }
}

/// The README's inheritance example, run as written, with the SQL its comments show,
/// on each database.
final class ReadmeInheritanceExampleTests: XCTestCase {
    func testTheExampleWritesAndReadsTheSQLItShows() throws {
        readmeInheritanceMetadata.including(Staff.self, Manager.self, Engineer.self)
        for url in [temporarySQLiteURL("readme-inherit"), try PostgreSQLTestServer.freshDatabaseURL(), try MariaDBTestServer.freshDatabaseURL()] {
            let engine = try createEngine(url)
            defer { engine.dispose() }
            try readmeInheritanceMetadata.createAll(engine)
            let log = StatementLog(engine)
            let session = Session(engine)
            try session.addAll([Manager(name: "Mia", budget: 100), Engineer(name: "Eve", language: "Swift")] as [any Model])
            try session.commit()
            let r = inhReturning(engine)
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("INSERT") }, [
                "INSERT INTO staff (name, kind) VALUES (?, ?)\(r)",
                "INSERT INTO managers (id, budget) VALUES (?, ?)",
                "INSERT INTO staff (name, kind, language) VALUES (?, ?, ?)\(r)",
            ])
            log.reset()
            let everyone = try session.scalars(select(Staff.self)).all()      // [Manager, Engineer]: each row as its class
            XCTAssertEqual(everyone.map { String(describing: type(of: $0)) }, ["Manager", "Engineer"])
            XCTAssertEqual(log.sql, [
                "SELECT staff.id, staff.name, staff.kind, staff.language, managers.budget "
                    + "FROM staff LEFT OUTER JOIN managers ON staff.id = managers.id",
            ])
            log.reset()
            let rich = try session.scalars(select(Manager.self).where(Manager.managerColumns.budget > 50)).all()
            XCTAssertTrue(rich.count == 1 && rich[0] === everyone[0])
            XCTAssertTrue(log.sql.first?.hasSuffix("WHERE \(inhIn(engine, "staff.kind", 1)) AND managers.budget > ?") ?? false, log.sql.description)
            try session.commit()
        }
    }
}
