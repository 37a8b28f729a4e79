import Foundation
import RetortCore
import RetortORM
import RetortTestSupport
import XCTest

/// Runs `body` on a fresh SQLite file, PostgreSQL database and MariaDB database, each
/// with the inheritance models' tables created.
func forEachInheritanceBackend(_ body: (Engine) throws -> Void) throws {
    let metadatas = inhTables
    for url in [temporarySQLiteURL("inherit"), try PostgreSQLTestServer.freshDatabaseURL(), try MariaDBTestServer.freshDatabaseURL()] {
        let engine = try createEngine(url)
        defer { engine.dispose() }
        for m in metadatas { try m.createAll(engine) }
        try body(engine)
    }
}

/// The rows of a query, as values.
func inhRows(_ engine: Engine, _ sql: String) throws -> [[SQLValue]] {
    try engine.connect { conn in try conn.execute(text(sql)).all().map { row in (0..<row.count).map { row[$0] } } }
}

/// `column IN (?, ...)` as the engine's dialect writes a list parameter (PostgreSQL: one array).
func inhIn(_ engine: Engine, _ column: String, _ count: Int) -> String {
    engine.dialect.name == "postgresql" ? "\(column) = ANY(?)" : "\(column) IN (" + Array(repeating: "?", count: count).joined(separator: ", ") + ")"
}

/// `column IN (?, ...)` over integers (PostgreSQL: one `int8` array).
func inhInIntegers(_ engine: Engine, _ column: String, _ count: Int) -> String {
    engine.dialect.name == "postgresql" ? "\(column) = ANY(?::int8[])" : inhIn(engine, column, count)
}

/// The RETURNING of a generated key on a dialect that needs one.
func inhReturning(_ engine: Engine) -> String {
    engine.dialect.integerPrimaryKeyIsRowID || engine.dialect.lastInsertIDIsAutoincrementKey ? "" : " RETURNING id"
}

let inhStaffSelect = "SELECT inh_staff.id, inh_staff.name, inh_staff.kind, inh_staff.department_id, inh_managers.budget, "
    + "inh_directors.office, inh_engineers.language, inh_engineers.level, inh_engineers.manager_id, inh_engineers.machine_id FROM inh_staff "
    + "LEFT OUTER JOIN inh_managers ON inh_staff.id = inh_managers.id "
    + "LEFT OUTER JOIN inh_directors ON inh_managers.id = inh_directors.id "
    + "LEFT OUTER JOIN inh_engineers ON inh_staff.id = inh_engineers.id"

/// Single-table and joined-table inheritance: the SQL a flush and a query write, the
/// rows in each table, the classes of loaded objects, the identity map, relationships.
final class InheritanceTests: XCTestCase {
    func testJoinedTableInsertWritesEachTableInOrderAndQueriesReturnSubclassInstances() throws {
        try forEachInheritanceBackend { engine in
            let session = Session(engine)
            let log = StatementLog(engine)
            let plain = InhStaff(name: "Pat")
            let manager = InhManager(name: "Mia", budget: 100)
            let director = InhDirector(name: "Dee", budget: 900, office: "A1")
            let engineer = InhEngineer(name: "Eve", language: "Swift", level: 3)
            try session.addAll([plain, manager, director, engineer] as [any Model])
            try session.commit()
            let r = inhReturning(engine)
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("INSERT") }, [
                "INSERT INTO inh_staff (name, kind, department_id) VALUES (?, ?, ?)\(r)",
                "INSERT INTO inh_staff (name, kind, department_id) VALUES (?, ?, ?)\(r)",
                "INSERT INTO inh_managers (id, budget) VALUES (?, ?)",
                "INSERT INTO inh_staff (name, kind, department_id) VALUES (?, ?, ?)\(r)",
                "INSERT INTO inh_managers (id, budget) VALUES (?, ?)",
                "INSERT INTO inh_directors (id, office) VALUES (?, ?)",
                "INSERT INTO inh_staff (name, kind, department_id) VALUES (?, ?, ?)\(r)",
                "INSERT INTO inh_engineers (id, language, level, manager_id, machine_id) VALUES (?, ?, ?, ?, ?)",
            ])
            let ids = [plain, manager, director, engineer].map { Int64($0.id!) }
            XCTAssertEqual(try inhRows(engine, "SELECT id, name, kind FROM inh_staff ORDER BY id"), [
                [.integer(ids[0]), .text("Pat"), .text("staff")], [.integer(ids[1]), .text("Mia"), .text("manager")],
                [.integer(ids[2]), .text("Dee"), .text("director")], [.integer(ids[3]), .text("Eve"), .text("engineer")],
            ])
            XCTAssertEqual(try inhRows(engine, "SELECT id, budget FROM inh_managers ORDER BY id"),
                           [[.integer(ids[1]), .integer(100)], [.integer(ids[2]), .integer(900)]])
            XCTAssertEqual(try inhRows(engine, "SELECT id, office FROM inh_directors"), [[.integer(ids[2]), .text("A1")]])
            XCTAssertEqual(try inhRows(engine, "SELECT id, language, level FROM inh_engineers"),
                           [[.integer(ids[3]), .text("Swift"), .integer(3)]])

            // A fresh session: the base query yields each row's class, with its columns.
            let reader = Session(engine)
            log.reset()
            let all = try reader.scalars(select(InhStaff.self).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql, [inhStaffSelect + " ORDER BY inh_staff.id"])
            XCTAssertEqual(all.map { String(describing: type(of: $0)) }, ["InhStaff", "InhManager", "InhDirector", "InhEngineer"])
            XCTAssertEqual((all[1] as? InhManager)?.budget, 100)
            XCTAssertEqual((all[2] as? InhDirector)?.office, "A1")
            XCTAssertEqual((all[2] as? InhDirector)?.budget, 900)
            XCTAssertEqual((all[3] as? InhEngineer)?.language, "Swift")
            XCTAssertEqual(all.map(\.name), ["Pat", "Mia", "Dee", "Eve"])

            // A subclass query: its rows and its subclasses' rows only.
            log.reset()
            let managers = try reader.scalars(select(InhManager.self).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql, [inhStaffSelect + " WHERE \(inhIn(engine, "inh_staff.kind", 2)) ORDER BY inh_staff.id"])
            XCTAssertEqual(managers.map(\.name), ["Mia", "Dee"])
            XCTAssertTrue(managers[0] === all[1] && managers[1] === all[2], "the identity map hands back the same objects")

            // A filter on a subclass column.
            let swift = try reader.scalars(select(InhEngineer.self).where(InhEngineer.inhEngineerColumns.language == "Swift")).all()
            XCTAssertEqual(swift.map(\.name), ["Eve"])
            let rich = try reader.scalars(select(InhManager.self).where(InhManager.inhManagerColumns.budget > 500)).all()
            XCTAssertEqual(rich.map(\.name), ["Dee"])
            XCTAssertTrue(rich[0] is InhDirector)
        }
    }

    func testJoinedTableUpdateWritesOnlyTheTablesWhoseColumnsChangedAndDeleteGoesSubclassFirst() throws {
        try forEachInheritanceBackend { engine in
            let session = Session(engine, expireOnCommit: false)
            let director = InhDirector(name: "Dee", budget: 900, office: "A1")
            try session.add(director)
            try session.commit()
            let id = Int64(director.id!)
            let log = StatementLog(engine)
            director.budget = 950
            try session.commit()
            XCTAssertEqual(log.sql.filter { !$0.hasPrefix("BEGIN") && !$0.hasPrefix("COMMIT") },
                           ["UPDATE inh_managers SET budget = ? WHERE inh_managers.id = ?"])
            log.reset()
            director.name = "Dora"
            director.office = "B2"
            try session.commit()
            XCTAssertEqual(log.sql.filter { !$0.hasPrefix("BEGIN") && !$0.hasPrefix("COMMIT") }, [
                "UPDATE inh_staff SET name = ? WHERE inh_staff.id = ?",
                "UPDATE inh_directors SET office = ? WHERE inh_directors.id = ?",
            ])
            XCTAssertEqual(try inhRows(engine, "SELECT name FROM inh_staff"), [[.text("Dora")]])
            XCTAssertEqual(try inhRows(engine, "SELECT budget FROM inh_managers"), [[.integer(950)]])
            XCTAssertEqual(try inhRows(engine, "SELECT office FROM inh_directors"), [[.text("B2")]])

            log.reset()
            try session.delete(director)
            try session.commit()
            XCTAssertEqual(log.sql.filter { !$0.hasPrefix("BEGIN") && !$0.hasPrefix("COMMIT") }, [
                "DELETE FROM inh_directors WHERE inh_directors.id = ?",
                "DELETE FROM inh_managers WHERE inh_managers.id = ?",
                "DELETE FROM inh_staff WHERE inh_staff.id = ?",
            ])
            for table in ["inh_staff", "inh_managers", "inh_directors"] { XCTAssertEqual(try rowCount(engine, table), 0, table) }
            _ = id
        }
    }

    func testIdentityMapIsKeyedByTheRootKey() throws {
        try forEachInheritanceBackend { engine in
            let setup = Session(engine)
            let manager = InhManager(name: "Mia", budget: 100)
            let engineer = InhEngineer(name: "Eve", language: "Zig")
            try setup.addAll([manager, engineer] as [any Model])
            try setup.commit()
            let (m, e) = (manager.id!, engineer.id!)

            let session = Session(engine)
            let log = StatementLog(engine)
            let asBase = try XCTUnwrap(try session.get(InhStaff.self, m))
            XCTAssertTrue(asBase is InhManager)
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("SELECT") }, [inhStaffSelect + " WHERE inh_staff.id = ?"])
            log.reset()
            let asManager = try XCTUnwrap(try session.get(InhManager.self, m))
            XCTAssertTrue(asBase === asManager)
            XCTAssertEqual(log.sql, [], "the identity map answers: no query")
            XCTAssertNil(try session.get(InhEngineer.self, m), "a manager's key is not an engineer's")
            // Loaded as a subclass first, then found through the base.
            let eng = try XCTUnwrap(try session.get(InhEngineer.self, e))
            XCTAssertTrue(try session.scalars(select(InhStaff.self).where { $0.id == e }).one() === eng)
            XCTAssertNil(try Session(engine).get(InhManager.self, e), "a subclass lookup by key filters by identity")
        }
    }

    func testSingleTableWritesOneTableAndFiltersSubclassQueriesByIdentity() throws {
        try forEachInheritanceBackend { engine in
            let session = Session(engine, expireOnCommit: false)
            let log = StatementLog(engine)
            let bike = InhVehicle(name: "bike")
            let car = InhCar(name: "car", seats: 5)
            let sports = InhSportsCar(name: "sports", seats: 2, topSpeed: 300)
            let truck = InhTruck(name: "truck", payload: nil)
            try session.addAll([bike, car, sports, truck] as [any Model])
            try session.commit()
            let r = inhReturning(engine)
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("INSERT") }, [
                "INSERT INTO inh_vehicles (name, type) VALUES (?, ?)\(r)",
                "INSERT INTO inh_vehicles (name, type, seats, towed_by_id) VALUES (?, ?, ?, ?)\(r)",
                "INSERT INTO inh_vehicles (name, type, seats, towed_by_id, top_speed) VALUES (?, ?, ?, ?, ?)\(r)",
                "INSERT INTO inh_vehicles (name, type, payload, depot_id) VALUES (?, ?, ?, ?)\(r)",
            ])
            XCTAssertEqual(try inhRows(engine, "SELECT name, type, seats, top_speed, payload FROM inh_vehicles ORDER BY id"), [
                [.text("bike"), .text("vehicle"), .null, .null, .null],
                [.text("car"), .text("car"), .integer(5), .null, .null],
                [.text("sports"), .text("sports_car"), .integer(2), .integer(300), .null],
                [.text("truck"), .text("truck"), .null, .null, .null],
            ])
            let reader = Session(engine)
            log.reset()
            let cars = try reader.scalars(select(InhCar.self).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql, [
                "SELECT inh_vehicles.id, inh_vehicles.name, inh_vehicles.type, inh_vehicles.seats, inh_vehicles.towed_by_id, inh_vehicles.top_speed, "
                    + "inh_vehicles.payload, inh_vehicles.depot_id FROM inh_vehicles WHERE \(inhIn(engine, "inh_vehicles.type", 2)) ORDER BY inh_vehicles.id",
            ])
            XCTAssertEqual(cars.map(\.name), ["car", "sports"])
            XCTAssertEqual((cars[1] as? InhSportsCar)?.topSpeed, 300)
            let all = try reader.scalars(select(InhVehicle.self).orderBy { $0.id }).all()
            XCTAssertEqual(all.map { String(describing: type(of: $0)) }, ["InhVehicle", "InhCar", "InhSportsCar", "InhTruck"])
            let fast = try reader.scalars(select(InhSportsCar.self).where(InhSportsCar.inhSportsCarColumns.topSpeed > 200)).all()
            XCTAssertTrue(fast.count == 1 && fast[0] === all[2])
            try reader.commit()  // ends its read transaction (SQLite's lock), as a request would

            log.reset()
            sports.topSpeed = 320
            try session.commit()
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("UPDATE") }, ["UPDATE inh_vehicles SET top_speed = ? WHERE inh_vehicles.id = ?"])
            log.reset()
            try session.delete(sports)
            try session.commit()
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("DELETE") }, ["DELETE FROM inh_vehicles WHERE inh_vehicles.id = ?"])
            XCTAssertEqual(try rowCount(engine, "inh_vehicles"), 3)
        }
    }

    func testAnUnknownDiscriminatorValueIsAnErrorNamingIt() throws {
        try forEachInheritanceBackend { engine in
            try engine.begin { conn in try conn.execute(text("INSERT INTO inh_vehicles (name, type) VALUES ('raft', 'boat')")) }
            let error = try XCTUnwrap(assertThrows(InvalidRequestError.self) {
                _ = try Session(engine).scalars(select(InhVehicle.self)).all()
            })
            XCTAssertTrue(error.message.contains("type = boat") || error.message.contains("'boat'"), error.message)
            XCTAssertTrue(error.message.contains("'car'"), error.message)
        }
    }

    func testRelationshipsToTheBaseReturnSubclassObjects() throws {
        try forEachInheritanceBackend { engine in
            let session = Session(engine)
            let dept = InhDepartment(name: "R&D")
            try session.add(dept)
            try session.flush()
            let manager = InhManager(name: "Mia", budget: 1)
            let engineer = InhEngineer(name: "Eve", language: "C")
            manager.departmentId = dept.id
            engineer.departmentId = dept.id
            try session.addAll([manager, engineer] as [any Model])
            try session.commit()

            let reader = Session(engine)
            let loaded = try XCTUnwrap(try reader.get(InhDepartment.self, dept.id!))
            let staff = loaded.staff
            XCTAssertEqual(staff.map { String(describing: type(of: $0)) }, ["InhManager", "InhEngineer"])
            XCTAssertEqual((staff[1] as? InhEngineer)?.language, "C")
            // Many-to-one from a subclass instance.
            let eng = try XCTUnwrap(try reader.get(InhEngineer.self, engineer.id!))
            XCTAssertTrue(eng === staff[1])
            XCTAssertTrue(eng.department === loaded)
        }
    }
}
