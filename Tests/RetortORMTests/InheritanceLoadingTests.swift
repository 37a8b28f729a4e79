import Foundation
import RetortCore
import RetortORM
import RetortTestSupport
import XCTest

/// Selectin polymorphic loading, hierarchy classes in tuple selects, and version
/// counters on a hierarchy.
final class InheritanceLoadingTests: XCTestCase {
    private func addStaff(_ engine: Engine) throws -> [Int] {
        let session = Session(engine, expireOnCommit: false)
        let dept = InhDepartment(name: "R&D")
        let objects: [InhStaff] = [
            InhStaff(name: "Pat"), InhManager(name: "Mia", budget: 10), InhDirector(name: "Dee", budget: 90, office: "A1"),
            InhEngineer(name: "Eve", language: "Swift", level: 3),
        ]
        try session.add(objects[0])
        try session.flush()             // Pat first: ids in list order
        dept.staff = Array(objects.dropFirst())
        try session.add(dept)
        try session.commit()
        XCTAssertEqual(objects.map { $0.id! }, objects.map { $0.id! }.sorted())
        return objects.map { $0.id! }
    }

    func testSelectinPolymorphicReadsTheRootTableThenOneQueryPerSubclassTable() throws {
        try forEachInheritanceBackend { engine in
            let ids = try addStaff(engine)
            let session = Session(engine)
            let log = StatementLog(engine)
            let all = try session.scalars(select(InhStaff.self).orderBy { $0.id }.selectinPolymorphic()).all()
            XCTAssertEqual(log.sql, [
                "SELECT inh_staff.id, inh_staff.name, inh_staff.kind, inh_staff.department_id FROM inh_staff ORDER BY inh_staff.id",
                "SELECT inh_managers.id, inh_managers.budget FROM inh_managers WHERE \(inhInIntegers(engine, "inh_managers.id", 2))",
                "SELECT inh_directors.id, inh_directors.office FROM inh_directors WHERE \(inhInIntegers(engine, "inh_directors.id", 1))",
                "SELECT inh_engineers.id, inh_engineers.language, inh_engineers.level, inh_engineers.manager_id, inh_engineers.machine_id "
                    + "FROM inh_engineers WHERE \(inhInIntegers(engine, "inh_engineers.id", 1))",
            ])
            XCTAssertEqual(all.map { String(describing: type(of: $0)) }, ["InhStaff", "InhManager", "InhDirector", "InhEngineer"])
            XCTAssertEqual(all.map(\.id), ids)
            XCTAssertEqual((all[1] as? InhManager)?.budget, 10)
            XCTAssertEqual((all[2] as? InhDirector)?.budget, 90)
            XCTAssertEqual((all[2] as? InhDirector)?.office, "A1")
            XCTAssertEqual((all[3] as? InhEngineer)?.language, "Swift")
            XCTAssertEqual((all[3] as? InhEngineer)?.level, 3)
            XCTAssertTrue(try session.get(InhManager.self, ids[1]) === all[1])

            // A subclass query whose condition names a subclass column keeps that join.
            let fresh = Session(engine)
            log.reset()
            let rich = try fresh.scalars(
                select(InhManager.self).where(InhManager.inhManagerColumns.budget > 50).selectinPolymorphic().options(.selectinLoad(\.reports))
            ).all()
            XCTAssertEqual(rich.map(\.name), ["Dee"])
            XCTAssertEqual((rich[0] as? InhDirector)?.office, "A1")
            XCTAssertTrue(log.sql[0].hasPrefix("SELECT inh_staff.id, inh_staff.name, inh_staff.kind, inh_staff.department_id FROM inh_staff LEFT OUTER JOIN"), log.sql[0])
            XCTAssertTrue(try rich[0].isLoaded(\.reports))

            // A single-table hierarchy has no subclass table: one query.
            log.reset()
            _ = try fresh.scalars(select(InhVehicle.self).selectinPolymorphic()).all()
            XCTAssertEqual(log.sql.count, 1)
        }
    }

    func testTupleSelectsReadHierarchyClassesAsTheirSubclasses() throws {
        try forEachInheritanceBackend { engine in
            let ids = try addStaff(engine)
            let session = Session(engine)
            let pairs = try session.execute(
                select(InhStaff.self, InhDepartment.self).join(\.department).orderBy(InhStaff.columns.id)
            ).all()
            XCTAssertEqual(pairs.map { String(describing: type(of: $0.0)) }, ["InhManager", "InhDirector", "InhEngineer"])
            XCTAssertEqual(pairs.map { $0.1.name }, ["R&D", "R&D", "R&D"])
            XCTAssertEqual((pairs[2].0 as? InhEngineer)?.language, "Swift")
            XCTAssertTrue(pairs[0].0 === (try session.get(InhStaff.self, ids[1])))

            let managers = try session.execute(
                select(InhManager.self, InhDepartment.self).join(\.department).orderBy(InhStaff.columns.id)
            ).all()
            XCTAssertEqual(managers.map(\.0.name), ["Mia", "Dee"], "a subclass element keeps to its class")
            XCTAssertEqual((managers[1].0 as? InhDirector)?.office, "A1")

            // The hierarchy on the far side of an outer join.
            let everyone = try session.execute(
                select(InhDepartment.self, optional(InhStaff.self)).outerJoin(\.staff).orderBy(InhStaff.columns.id)
            ).all()
            XCTAssertEqual(everyone.map { $0.1.map { String(describing: type(of: $0)) } }, ["InhManager", "InhDirector", "InhEngineer"])
            XCTAssertEqual((everyone[1].1 as? InhDirector)?.budget, 90)
        }
    }

    func testAVersionCounterOnTheRootGuardsUpdatesOfSubclassColumnsAlone() throws {
        try forEachInheritanceBackend { engine in
            let setup = Session(engine, expireOnCommit: false)
            let memo = InhMemo(title: "plan", body: "v1")
            try setup.add(memo)
            try setup.commit()
            let id = memo.id!
            XCTAssertEqual(try inhRows(engine, "SELECT kind, version FROM inh_docs"), [[.text("memo"), .integer(1)]])

            let first = Session(engine, expireOnCommit: false)
            let a = try XCTUnwrap(try first.get(InhMemo.self, id))
            try first.commit()
            let second = Session(engine, expireOnCommit: false)
            let stale = try XCTUnwrap(try second.get(InhMemo.self, id))
            try second.commit()   // ends its read (SQLite's lock); stale stays loaded at version 1
            let log = StatementLog(engine)
            a.body = "v2"         // a subclass column only
            try first.commit()
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("UPDATE") }, [
                "UPDATE inh_docs SET version = ? WHERE inh_docs.id = ? AND inh_docs.version = ?",
                "UPDATE inh_memos SET body = ? WHERE inh_memos.id = ?",
            ])
            XCTAssertEqual(try inhRows(engine, "SELECT version FROM inh_docs"), [[.integer(2)]])
            XCTAssertEqual(a.version, 2)

            stale.body = "lost update"
            let error = try XCTUnwrap(assertThrows(StaleDataError.self) { try second.commit() })
            XCTAssertTrue(error.message.contains("InhMemo") && error.message.contains("expected version 1"), error.message)
            XCTAssertEqual(try inhRows(engine, "SELECT body FROM inh_memos"), [[.text("v2")]])
            XCTAssertEqual(try inhRows(engine, "SELECT version FROM inh_docs"), [[.integer(2)]])

            // DELETE of a stale instance: refused, nothing deleted.
            let third = Session(engine, expireOnCommit: false)
            let old = try XCTUnwrap(try third.get(InhMemo.self, id))
            try third.commit()
            a.title = "renamed"
            try first.commit()
            try third.delete(old)
            XCTAssertNotNil(assertThrows(StaleDataError.self) { try third.commit() })
            XCTAssertEqual(try rowCount(engine, "inh_memos"), 1, "the subclass row's DELETE was rolled back")
            XCTAssertEqual(try rowCount(engine, "inh_docs"), 1)
        }
    }
}
