import Foundation
import Retort

// The models of the inheritance tests: a joined-table hierarchy (staff) with a
// sub-subclass, and a single-table one (vehicles), each in a MetaData of its own.

let inhJoinedMetadata = MetaData()
let inhSingleMetadata = MetaData()

/// Every table of both hierarchies registered.
var inhTables: [MetaData] {
    inhJoinedMetadata.including(InhDepartment.self, InhStaff.self, InhManager.self, InhDirector.self, InhEngineer.self)
    inhSingleMetadata.including(InhVehicle.self, InhCar.self, InhSportsCar.self, InhTruck.self)
    return [inhJoinedMetadata, inhSingleMetadata]
}

@Model(table: "inh_departments", metadata: inhJoinedMetadata)
final class InhDepartment {
    var id: Int?
    @Column(.string(100)) var name: String
    @Relationship(backPopulates: "department", orderBy: ["id"]) var staff: [InhStaff]

    init(name: String) { self.name = name }
}

// Joined-table: staff (root) <- managers <- directors, staff <- engineers.

@Model(table: "inh_staff", metadata: inhJoinedMetadata, polymorphicOn: "kind", identity: "staff",
       subclasses: ["InhManager", "InhEngineer"])
class InhStaff: ModelRelationships {
    var id: Int?
    @Column(.string(100)) var name: String
    @Column(.string(20)) var kind: String?
    @Column(foreignKey: "inh_departments.id") var departmentId: Int?
    @Relationship(backPopulates: "staff") var department: InhDepartment?

    init(name: String) { self.name = name }
}

@Model(identity: "manager", table: "inh_managers", subclasses: ["InhDirector"],
       metadata: inhJoinedMetadata)
class InhManager: InhStaff {
    var budget: Int

    init(name: String, budget: Int) {
        self.budget = budget
        super.init(name: name)
    }
}

@Model(identity: "director", table: "inh_directors", metadata: inhJoinedMetadata)
final class InhDirector: InhManager {
    @Column(.string(50)) var office: String?

    init(name: String, budget: Int, office: String?) {
        self.office = office
        super.init(name: name, budget: budget)
    }
}

@Model(identity: "engineer", table: "inh_engineers", metadata: inhJoinedMetadata)
final class InhEngineer: InhStaff {
    @Column(.string(50)) var language: String
    var level: Int

    init(name: String, language: String, level: Int = 1) {
        self.language = language
        self.level = level
        super.init(name: name)
    }
}

// Single-table: vehicles holds every class's columns.

@Model(table: "inh_vehicles", metadata: inhSingleMetadata, polymorphicOn: "type", identity: "vehicle",
       subclasses: ["InhCar", "InhTruck"])
class InhVehicle: Model {
    var id: Int?
    @Column(.string(100)) var name: String
    @Column(.string(20)) var type: String?

    init(name: String) { self.name = name }
}

@Model(identity: "car", subclasses: ["InhSportsCar"])
class InhCar: InhVehicle {
    var seats: Int

    init(name: String, seats: Int) {
        self.seats = seats
        super.init(name: name)
    }
}

@Model(identity: "sports_car")
final class InhSportsCar: InhCar {
    var topSpeed: Int

    init(name: String, seats: Int, topSpeed: Int) {
        self.topSpeed = topSpeed
        super.init(name: name, seats: seats)
    }
}

@Model(identity: "truck")
final class InhTruck: InhVehicle {
    var payload: Int?

    init(name: String, payload: Int?) {
        self.payload = payload
        super.init(name: name)
    }
}
