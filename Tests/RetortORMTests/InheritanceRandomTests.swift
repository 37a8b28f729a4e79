import Foundation
import RetortCore
import RetortORM
import RetortTestSupport
import XCTest

/// Random inserts, updates and deletes across both hierarchies, checked after each
/// commit against an in-memory model of every table's rows, and against what a fresh
/// session loads polymorphically. Seeded: a failure names its seed.
final class InheritanceRandomTests: XCTestCase {
    /// What one staff member's rows hold, by class.
    struct Staff: Equatable {
        var kind: String
        var name: String
        var budget: Int?
        var office: String?
        var language: String?
        var level: Int?
        /// An engineer's manager (`InhEngineer.manager`, a relationship between two
        /// subclasses, in the engineers' table).
        var managerId: Int?
    }

    struct Vehicle: Equatable {
        var type: String
        var name: String
        var seats: Int?
        var topSpeed: Int?
        var payload: Int?
    }

    func testRandomHierarchyOperationsMatchAModelOfEveryTable() throws {
        for seed: UInt64 in [1, 2, 3] {
            try forEachInheritanceBackend { engine in
                var random = SeededGenerator(seed: seed)
                try runJoined(engine, &random, seed: seed)
                try runSingle(engine, &random, seed: seed)
            }
        }
    }

    private func runJoined(_ engine: Engine, _ random: inout SeededGenerator, seed: UInt64) throws {
        var model: [Int: Staff] = [:]
        var session = Session(engine, expireOnCommit: false)
        var objects: [Int: InhStaff] = [:]
        var pending: [InhStaff] = []
        // The in-memory model of the relationship: each engineer's manager object.
        var managerOf: [ObjectIdentifier: InhManager] = [:]
        func word() -> String { ["ada", "bo", "cy", "di", "ed", "fay"].randomElement(using: &random)! + String(Int.random(in: 0..<100, using: &random)) }
        for step in 0..<80 {
            switch Int.random(in: 0..<12, using: &random) {
            case 10, 11:
                // Relate a random engineer to a random manager (or none), from either side.
                let all = Array(objects.values) + pending
                let engineers = all.compactMap { $0 as? InhEngineer }
                guard let e = engineers.randomElement(using: &random) else { continue }
                let m = all.compactMap { $0 as? InhManager }.randomElement(using: &random)
                if let m, Bool.random(using: &random) {
                    if !m.reports.contains(where: { $0 === e }) { m.reports.append(e) }
                } else if m == nil, let old = managerOf[ObjectIdentifier(e)], Bool.random(using: &random) {
                    old.reports.removeAll { $0 === e }
                } else {
                    e.manager = Bool.random(using: &random) ? m : nil
                    if e.manager == nil { managerOf[ObjectIdentifier(e)] = nil; continue }
                }
                managerOf[ObjectIdentifier(e)] = m
            case 0..<4:
                let o: InhStaff
                switch Int.random(in: 0..<4, using: &random) {
                case 0: o = InhStaff(name: word())
                case 1: o = InhManager(name: word(), budget: Int.random(in: 0..<1000, using: &random))
                case 2: o = InhDirector(name: word(), budget: Int.random(in: 0..<1000, using: &random), office: Bool.random(using: &random) ? nil : word())
                default: o = InhEngineer(name: word(), language: word(), level: Int.random(in: 1..<5, using: &random))
                }
                try session.add(o)
                pending.append(o)
            case 4..<7:
                guard let (_, o) = objects.randomElement(using: &random) else { continue }
                switch Int.random(in: 0..<3, using: &random) {
                case 0: o.name = word()
                case 1:
                    if let m = o as? InhManager { m.budget = Int.random(in: 0..<1000, using: &random) }
                    if let e = o as? InhEngineer { e.level = Int.random(in: 1..<5, using: &random) }
                default:
                    if let d = o as? InhDirector { d.office = Bool.random(using: &random) ? nil : word() }
                    if let e = o as? InhEngineer { e.language = word() }
                    if let m = o as? InhManager { m.name = word(); m.budget += 1 }
                }
            case 7:
                guard let (id, o) = objects.randomElement(using: &random) else { continue }
                try session.delete(o)
                objects[id] = nil
                model[id] = nil
                managerOf[ObjectIdentifier(o)] = nil
                // The engineers of a deleted manager lose their manager (no delete cascade).
                for (k, m) in managerOf where m === o { managerOf[k] = nil }
            default:
                try session.commit()
                for o in pending { objects[o.id!] = o }
                pending.removeAll()
                for (id, o) in objects {
                    var row = staff(o)
                    if o is InhEngineer { row.managerId = managerOf[ObjectIdentifier(o)]?.id }
                    model[id] = row
                }
                try checkJoined(engine, model, seed: seed, step: step)
                if Bool.random(using: &random) {
                    // A fresh session: objects come back polymorphically.
                    session = Session(engine, expireOnCommit: false)
                    let loaded = try session.scalars(select(InhStaff.self)).all()
                    XCTAssertEqual(Dictionary(uniqueKeysWithValues: loaded.map { o -> (Int, Staff) in
                        var row = staff(o)
                        row.managerId = (o as? InhEngineer)?.managerId
                        return (o.id!, row)
                    }), model, "seed \(seed) step \(step)")
                    objects = Dictionary(uniqueKeysWithValues: loaded.map { ($0.id!, $0) })
                    managerOf = [:]
                    for case let e as InhEngineer in loaded {
                        if let m = e.managerId.flatMap({ objects[$0] }) as? InhManager { managerOf[ObjectIdentifier(e)] = m }
                    }
                }
            }
        }
    }

    private func staff(_ o: InhStaff) -> Staff {
        switch o {
        case let d as InhDirector: return Staff(kind: "director", name: d.name, budget: d.budget, office: d.office)
        case let m as InhManager: return Staff(kind: "manager", name: m.name, budget: m.budget)
        case let e as InhEngineer: return Staff(kind: "engineer", name: e.name, language: e.language, level: e.level)
        default: return Staff(kind: "staff", name: o.name)
        }
    }

    private func checkJoined(_ engine: Engine, _ model: [Int: Staff], seed: UInt64, step: Int) throws {
        let ids = model.keys.sorted()
        let label = "seed \(seed) step \(step) on \(engine.dialect.name)"
        XCTAssertEqual(try inhRows(engine, "SELECT id, name, kind FROM inh_staff ORDER BY id"),
                       ids.map { [.integer(Int64($0)), .text(model[$0]!.name), .text(model[$0]!.kind)] }, label)
        XCTAssertEqual(try inhRows(engine, "SELECT id, budget FROM inh_managers ORDER BY id"),
                       ids.filter { model[$0]!.budget != nil }.map { [.integer(Int64($0)), .integer(Int64(model[$0]!.budget!))] }, label)
        XCTAssertEqual(try inhRows(engine, "SELECT id, office FROM inh_directors ORDER BY id"),
                       ids.filter { model[$0]!.kind == "director" }.map { [.integer(Int64($0)), model[$0]!.office.map { .text($0) } ?? .null] }, label)
        XCTAssertEqual(try inhRows(engine, "SELECT id, language, level, manager_id FROM inh_engineers ORDER BY id"),
                       ids.filter { model[$0]!.kind == "engineer" }.map {
                           [.integer(Int64($0)), .text(model[$0]!.language!), .integer(Int64(model[$0]!.level!)),
                            model[$0]!.managerId.map { .integer(Int64($0)) } ?? .null]
                       }, label)
    }

    private func runSingle(_ engine: Engine, _ random: inout SeededGenerator, seed: UInt64) throws {
        var model: [Int: Vehicle] = [:]
        var session = Session(engine, expireOnCommit: false)
        // Trucks belong to a depot, by the key of a subclass's column set by hand.
        let depot = InhDepot(name: "depot")
        try session.add(depot)
        try session.commit()
        let depotId = depot.id!
        var objects: [Int: InhVehicle] = [:]
        var pending: [InhVehicle] = []
        func word() -> String { ["van", "cab", "bus", "ute"].randomElement(using: &random)! + String(Int.random(in: 0..<100, using: &random)) }
        for step in 0..<60 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                let o: InhVehicle
                switch Int.random(in: 0..<4, using: &random) {
                case 0: o = InhVehicle(name: word())
                case 1: o = InhCar(name: word(), seats: Int.random(in: 1..<9, using: &random))
                case 2: o = InhSportsCar(name: word(), seats: 2, topSpeed: Int.random(in: 150..<400, using: &random))
                default:
                    let t = InhTruck(name: word(), payload: Bool.random(using: &random) ? nil : Int.random(in: 1..<40, using: &random))
                    t.depotId = depotId
                    o = t
                }
                try session.add(o)
                pending.append(o)
            case 4..<7:
                guard let (_, o) = objects.randomElement(using: &random) else { continue }
                if Bool.random(using: &random) { o.name = word() }
                if let s = o as? InhSportsCar { s.topSpeed += 1 } else if let c = o as? InhCar { c.seats += 1 }
                if let t = o as? InhTruck { t.payload = Bool.random(using: &random) ? nil : Int.random(in: 1..<40, using: &random) }
            case 7:
                guard let (id, o) = objects.randomElement(using: &random) else { continue }
                try session.delete(o)
                objects[id] = nil
                model[id] = nil
            default:
                try session.commit()
                for o in pending { objects[o.id!] = o }
                pending.removeAll()
                for (id, o) in objects { model[id] = vehicle(o) }
                let ids = model.keys.sorted()
                func v(_ i: Int?) -> SQLValue { i.map { .integer(Int64($0)) } ?? .null }
                XCTAssertEqual(try inhRows(engine, "SELECT id, name, type, seats, top_speed, payload FROM inh_vehicles ORDER BY id"),
                               ids.map { id in
                                   let m = model[id]!
                                   return [.integer(Int64(id)), .text(m.name), .text(m.type), v(m.seats), v(m.topSpeed), v(m.payload)]
                               }, "seed \(seed) step \(step) on \(engine.dialect.name)")
                if Bool.random(using: &random) {
                    session = Session(engine, expireOnCommit: false)
                    let loaded = try session.scalars(select(InhVehicle.self)).all()
                    XCTAssertEqual(Dictionary(uniqueKeysWithValues: loaded.map { ($0.id!, vehicle($0)) }), model, "seed \(seed) step \(step)")
                    objects = Dictionary(uniqueKeysWithValues: loaded.map { ($0.id!, $0) })
                }
            }
        }
    }

    private func vehicle(_ o: InhVehicle) -> Vehicle {
        switch o {
        case let s as InhSportsCar: return Vehicle(type: "sports_car", name: s.name, seats: s.seats, topSpeed: s.topSpeed)
        case let c as InhCar: return Vehicle(type: "car", name: c.name, seats: c.seats)
        case let t as InhTruck: return Vehicle(type: "truck", name: t.name, payload: t.payload)
        default: return Vehicle(type: "vehicle", name: o.name)
        }
    }
}
