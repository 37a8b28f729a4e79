import Foundation
import Retort

// The models of the inheritance tests: a joined-table hierarchy (staff) with a
// sub-subclass, and a single-table one (vehicles), each in a MetaData of its own.

let inhJoinedMetadata = MetaData()
let inhSingleMetadata = MetaData()
let inhVersionMetadata = MetaData()

/// Every table of both hierarchies registered.
var inhTables: [MetaData] {
    inhJoinedMetadata.including(InhDepartment.self, InhMachine.self, InhStaff.self, InhManager.self, InhDirector.self, InhEngineer.self)
    inhSingleMetadata.including(InhDepot.self, InhVehicle.self, InhCar.self, InhSportsCar.self, InhTruck.self)
    inhVersionMetadata.including(InhDoc.self, InhMemo.self)
    return [inhJoinedMetadata, inhSingleMetadata, inhVersionMetadata]
}

@Model(table: "inh_departments", metadata: inhJoinedMetadata)
final class InhDepartment {
    var id: Int?
    @Column(.string(100)) var name: String
    @Relationship(backPopulates: "department", orderBy: ["id"]) var staff: [InhStaff]
    /// To a subclass, on the root's column: loads managers (and directors) only.
    @Relationship(orderBy: ["id"]) var managers: [InhManager]

    init(name: String) { self.name = name }
}

@Model(table: "inh_machines", metadata: inhJoinedMetadata)
final class InhMachine {
    var id: Int?
    @Column(.string(50)) var name: String
    /// One-to-many to a subclass, on a column of the subclass's own table.
    @Relationship(backPopulates: "machine", orderBy: ["id"]) var users: [InhEngineer]

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
    /// Declared on a subclass, to another subclass (inh_engineers.manager_id -> inh_managers.id).
    @Relationship(backPopulates: "manager", orderBy: ["id"]) var reports: [InhEngineer]

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
    @Column(foreignKey: "inh_managers.id") var managerId: Int?
    @Column(foreignKey: "inh_machines.id") var machineId: Int?
    @Relationship(backPopulates: "reports") var manager: InhManager?
    @Relationship(backPopulates: "users") var machine: InhMachine?

    init(name: String, language: String, level: Int = 1) {
        self.language = language
        self.level = level
        super.init(name: name)
    }
}

// Single-table: vehicles holds every class's columns.

@Model(table: "inh_depots", metadata: inhSingleMetadata)
final class InhDepot {
    var id: Int?
    @Column(.string(50)) var name: String
    @Relationship(backPopulates: "depot", orderBy: ["id"], cascade: [.saveUpdate, .delete]) var trucks: [InhTruck]

    init(name: String) { self.name = name }
}

@Model(table: "inh_vehicles", metadata: inhSingleMetadata, polymorphicOn: "type", identity: "vehicle",
       subclasses: ["InhCar", "InhTruck"])
class InhVehicle: ModelRelationships {
    var id: Int?
    @Column(.string(100)) var name: String
    @Column(.string(20)) var type: String?

    init(name: String) { self.name = name }
}

@Model(identity: "car", subclasses: ["InhSportsCar"])
class InhCar: InhVehicle {
    var seats: Int
    /// A many-to-one between two classes of one single-table hierarchy.
    @Column(foreignKey: "inh_vehicles.id") var towedById: Int?
    @Relationship(backPopulates: "towing") var towedBy: InhTruck?

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
    @Column(foreignKey: "inh_depots.id") var depotId: Int?
    @Relationship(backPopulates: "trucks") var depot: InhDepot?
    @Relationship(backPopulates: "towedBy", orderBy: ["id"]) var towing: [InhCar]

    init(name: String, payload: Int?) {
        self.payload = payload
        super.init(name: name)
    }
}

// A versioned joined-table hierarchy: the counter is the root's, in the root's table.

@Model(table: "inh_docs", metadata: inhVersionMetadata, versionId: "version", polymorphicOn: "kind", identity: "doc",
       subclasses: ["InhMemo"])
class InhDoc: Model {
    var id: Int?
    @Column(.string(50)) var title: String
    @Column(.string(20)) var kind: String?
    var version = 0

    init(title: String) { self.title = title }
}

@Model(identity: "memo", table: "inh_memos", metadata: inhVersionMetadata)
final class InhMemo: InhDoc {
    @Column(.string(100)) var body: String

    init(title: String, body: String) {
        self.body = body
        super.init(title: title)
    }
}
