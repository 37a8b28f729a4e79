import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// Randomised model evolution: a real-world-shaped schema (a foreign-key cycle, a
/// self-reference, enums, expression and partial indexes, unique and check
/// constraints, server defaults) changed by seeded random mutations. After every step
/// autogenerate's revision upgrades, `check` passes and every row is still there;
/// every few steps `downgrade -1` restores the previous schema exactly and the step is
/// upgraded again. `RETORT_EVOLUTION_SEEDS=N` runs N more seeds, `RETORT_EVOLUTION_STEPS`
/// sets the steps per seed; a failure names the seed and step to replay.
class AutogenerateEvolutionTests: XCTestCase {
    func database() throws -> AutogenerateProject { try .sqlite() }

    func testSeededEvolutions() throws {
        let extra = Int(ProcessInfo.processInfo.environment["RETORT_EVOLUTION_SEEDS"] ?? "") ?? 0
        let steps = Int(ProcessInfo.processInfo.environment["RETORT_EVOLUTION_STEPS"] ?? "") ?? 24
        let first: [UInt64] = [1, 2, 3]
        let more = (0..<UInt64(extra)).map { _ in UInt64.random(in: 4...UInt64(Int64.max)) }
        for seed in first + more {
            try evolve(seed: seed, steps: steps)
        }
    }

    func evolve(seed: UInt64, steps: Int) throws {
        let db = try database()
        var rng = SeededGenerator(seed: seed)
        var model = EvolutionModel.start()
        // SQLite keeps every integer type as one INTEGER: integer -> bigint is no change there.
        model.widensIntegers = try db.engine().dialect.reflector.comparableType(.bigint) != .integer
        var rows = RowBook()
        try db.migrate(to: model.metadata(), message: "start")
        let context = { (step: Int, what: String) in "seed \(seed), step \(step) (\(what))" }
        XCTAssertEqual(try db.compare(model.metadata()).summaryLines, [], context(0, "start"))
        try rows.insert(into: model, db: db, rng: &rng)
        var applied = 0, roundTrips = 0
        defer { print("evolution seed \(seed) on \(db.url.prefix(10)): \(applied) steps applied, \(roundTrips) downgraded and upgraded again") }
        for step in 1...steps {
            let before = model
            let snapshot = try Self.shape(db)
            var mutation = ""
            for _ in 0..<20 {  // a mutation that applies to this model
                if let m = model.mutate(&rng, rows: rows) { mutation = m; break }
            }
            guard !mutation.isEmpty else { continue }
            let where_ = context(step, mutation)
            do {
                let renames = model.renames
                guard let (diff, _, _, _) = try db.project().autogenerate(message: "step \(step)", metadata: model.metadata(),
                                                                         rename: { c in renames.contains(where: c.matches) }) else {
                    return XCTFail("\(where_): autogenerate found no changes")
                }
                if !renames.isEmpty, !diff.changes.contains(where: { $0.kind == .renameTable || $0.kind == .renameColumn }) {
                    return XCTFail("\(where_): the rename was not recognised: \(diff.summaryLines)")
                }
                try db.project().runner().upgrade(to: "head")
            } catch {
                return XCTFail("\(where_): upgrade failed: \(error)")
            }
            applied += 1
            rows.apply(model.lastChange)
            XCTAssertEqual(try db.compare(model.metadata()).summaryLines, [], "\(where_): check after upgrade")
            try rows.verify(model, db: db, context: where_)
            if rng.next() % 3 == 0 {
                roundTrips += 1
                do {
                    try db.project().runner().downgrade(to: "-1")
                } catch {
                    return XCTFail("\(where_): downgrade failed: \(error)")
                }
                let restored = try Self.shape(db)
                for (a, b) in zip(restored, snapshot) where a != b { XCTFail("\(where_): downgrade -1 gave \(a), not \(b)") }
                XCTAssertEqual(restored.map(\.name), snapshot.map(\.name), "\(where_): downgrade -1 restores the tables")
                XCTAssertEqual(try db.compare(before.metadata()).summaryLines, [], "\(where_): check against the old models")
                do {
                    try db.project().runner().upgrade(to: "head")
                } catch {
                    return XCTFail("\(where_): upgrade after downgrade failed: \(error)")
                }
                XCTAssertEqual(try db.compare(model.metadata()).summaryLines, [], "\(where_): check after upgrading again")
                // A dropped table or column came back empty and went again: the rows read as after the step.
                try rows.verify(model, db: db, context: where_ + ", after the downgrade and upgrade")
            }
            if testRun?.failureCount ?? 0 > 0 { return }
            try rows.insert(into: model, db: db, rng: &rng)
        }
    }
}

extension AutogenerateEvolutionTests {
    /// The schema as reflected, columns in name order: a downgrade that adds a dropped
    /// column back puts it last, which is no difference to a user.
    static func shape(_ db: AutogenerateProject) throws -> [ReflectedTable] {
        try db.snapshot().map { t in
            var t = t
            t.columns.sort { $0.name < $1.name }
            return t
        }
    }
}

final class AutogenerateEvolutionPostgresTests: AutogenerateEvolutionTests {
    override func database() throws -> AutogenerateProject { try .postgres() }
    // Listed again: test discovery on Linux does not find inherited test methods.
    override func testSeededEvolutions() throws { try super.testSeededEvolutions() }
}


/// The models as plain values that mutations edit; `metadata()` declares them.
struct EvolutionModel {
    struct Col: Equatable {
        var name: String
        var type: SQLType
        var nullable = true
        var serverDefault: String?
        var references: String?  // a table's id
        var onDelete: ReferentialAction?
    }

    struct Ix: Equatable {
        var name: String?
        var columns: [String] = []
        var lowerOf: String?  // an expression index lower(column)
        var unique = false
        var whereNotNull: String?
    }

    struct Tab: Equatable {
        var name: String
        var cols: [Col]
        var indexes: [Ix] = []
        var uniques: [[String]] = []
        var checks: [String] = []  // columns with a `>= 0` check
        func col(_ n: String) -> Col? { cols.first { $0.name == n } }
    }

    /// What the last mutation did to rows: which table or column appeared, went, or got a new name.
    enum Change {
        case none
        case addedColumn(table: String, column: String, fill: RowBook.Value)
        case droppedColumn(table: String, column: String)
        case renamedColumn(table: String, from: String, to: String)
        case droppedTable(String)
        case renamedTable(from: String, to: String)
    }

    var tables: [Tab]
    var enums: [String: [String]]
    var renames: [String] = []
    var lastChange: Change = .none
    var counter = 0
    var widensIntegers = true

    static func start() -> EvolutionModel {
        EvolutionModel(tables: [
            Tab(name: "users", cols: [
                Col(name: "id", type: .integer, nullable: false),
                Col(name: "email", type: .string(120), nullable: false),
                Col(name: "display_name", type: .string(80)),
                Col(name: "karma", type: .integer, nullable: false, serverDefault: "0"),
                Col(name: "team_id", type: .integer, references: "teams", onDelete: .setNull),
            ], indexes: [Ix(name: "ix_users_lower_email", lowerOf: "email", unique: true)], checks: ["karma"]),
            Tab(name: "teams", cols: [
                Col(name: "id", type: .integer, nullable: false),
                Col(name: "name", type: .string(50), nullable: false),
                Col(name: "captain_id", type: .integer, references: "users", onDelete: .setNull),
            ], uniques: [["name"]]),
            Tab(name: "projects", cols: [
                Col(name: "id", type: .integer, nullable: false),
                Col(name: "team_id", type: .integer, nullable: false, references: "teams", onDelete: .cascade),
                Col(name: "parent_id", type: .integer, references: "projects", onDelete: .cascade),
                Col(name: "status", type: .enum("project_status", ["open", "closed"]), nullable: false, serverDefault: "'open'"),
                Col(name: "budget", type: .numeric(precision: 12, scale: 2)),
            ], indexes: [Ix(columns: ["team_id"]), Ix(name: "ix_projects_open_budget", columns: ["budget"], whereNotNull: "budget")]),
            Tab(name: "runs", cols: [
                Col(name: "id", type: .integer, nullable: false),
                Col(name: "project_id", type: .integer, nullable: false, references: "projects", onDelete: .cascade),
                Col(name: "notes", type: .text),
                Col(name: "finished", type: .boolean, nullable: false, serverDefault: "false"),
            ], indexes: [Ix(columns: ["project_id", "finished"])]),
        ], enums: ["project_status": ["open", "closed"]])
    }

    func table(_ name: String) -> Tab? { tables.first { $0.name == name } }

    func metadata() -> MetaData {
        let m = MetaData()
        for t in tables {
            var elements: [any TableElement] = []
            for c in t.cols {
                var type = c.type
                if case .enum(let n, _) = type { type = .enum(n, enums[n] ?? []) }
                elements.append(Column(c.name, type, nullable: c.nullable, primaryKey: c.name == "id",
                                       serverDefault: c.serverDefault.map { ServerDefault(stringLiteral: $0) },
                                       foreignKey: c.references.map { $0 + ".id" }, onDelete: c.onDelete))
            }
            for ix in t.indexes {
                var index = ix.lowerOf.map { Index(expressions: [text("lower(\($0))")], name: ix.name, unique: ix.unique) }
                    ?? Index(columns: ix.columns, name: ix.name, unique: ix.unique)
                if let w = ix.whereNotNull { index = index.where("\(w) IS NOT NULL") }
                elements.append(index)
            }
            for u in t.uniques { elements.append(UniqueConstraint(columns: u)) }
            for c in t.checks { elements.append(CheckConstraint("\(c) >= 0")) }
            Table(t.name, m, elements: elements)
        }
        return m
    }

    /// Every column any index, constraint or other table names.
    func isUsed(_ table: Tab, _ column: String) -> Bool {
        table.indexes.contains { $0.columns.contains(column) || $0.lowerOf == column || $0.whereNotNull == column }
            || table.uniques.contains { $0.contains(column) } || table.checks.contains(column)
    }

    func referenced(_ name: String) -> Bool {
        tables.contains { t in t.name != name && t.cols.contains { $0.references == name } }
    }

    mutating func fresh(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    /// One random change; nil when the one drawn does not apply.
    mutating func mutate(_ rng: inout SeededGenerator, rows: RowBook) -> String? {
        renames = []
        lastChange = .none
        guard let ti = tables.indices.randomElement(using: &rng) else { return nil }
        let t = tables[ti]
        let plain = t.cols.filter { $0.name != "id" && $0.references == nil }
        switch rng.next() % 14 {
        case 0:  // a new table, referring to an old one
            let name = fresh("extra_")
            let target = tables.randomElement(using: &rng)!.name
            tables.append(Tab(name: name, cols: [
                Col(name: "id", type: .integer, nullable: false),
                Col(name: "label", type: .string(40), nullable: false, serverDefault: "'x'"),
                Col(name: "\(target)_id", type: .integer, references: target, onDelete: .cascade),
            ], indexes: [Ix(columns: ["\(target)_id"])]))
            return "add table \(name) -> \(target)"
        case 1:  // drop a table nothing refers to
            guard tables.count > 2, !referenced(t.name) else { return nil }
            tables.remove(at: ti)
            lastChange = .droppedTable(t.name)
            return "drop table \(t.name)"
        case 2:  // a nullable column, or a not-null one with a default
            let name = fresh("c")
            let kinds: [(SQLType, String?, RowBook.Value)] = [
                (.integer, nil, .null), (.string(30), nil, .null), (.integer, "7", .int(7)),
                (.string(20), "'none'", .text("none")), (.numeric(precision: 10, scale: 3), nil, .null), (.text, nil, .null),
            ]
            let (type, def, fill) = kinds.randomElement(using: &rng)!
            tables[ti].cols.append(Col(name: name, type: type, nullable: def == nil, serverDefault: def))
            lastChange = .addedColumn(table: t.name, column: name, fill: fill)
            return "add column \(t.name).\(name) \(type.name)"
        case 3:  // drop a column nothing uses (a NOT NULL one without a default cannot come back on downgrade)
            guard let c = plain.filter({ !isUsed(t, $0.name) && ($0.nullable || $0.serverDefault != nil) })
                .randomElement(using: &rng) else { return nil }
            tables[ti].cols.removeAll { $0.name == c.name }
            lastChange = .droppedColumn(table: t.name, column: c.name)
            return "drop column \(t.name).\(c.name)"
        case 4:  // nullability, where the rows allow it
            guard let c = plain.randomElement(using: &rng), let i = tables[ti].cols.firstIndex(of: c) else { return nil }
            if !c.nullable, c.serverDefault == nil { tables[ti].cols[i].nullable = true }
            else if c.nullable, !rows.hasNull(t.name, c.name) { tables[ti].cols[i].nullable = false }
            else { return nil }
            return "\(t.name).\(c.name) now \(tables[ti].cols[i].nullable ? "nullable" : "not null")"
        case 5:  // a widening type change
            guard let c = plain.randomElement(using: &rng), let i = tables[ti].cols.firstIndex(of: c) else { return nil }
            switch c.type {
            case .string(let n?): tables[ti].cols[i].type = .string(n + 20)
            case .numeric(let p?, let s?): tables[ti].cols[i].type = .numeric(precision: p + 2, scale: s)
            case .integer where !isUsed(t, c.name) && widensIntegers: tables[ti].cols[i].type = .bigint
            default: return nil
            }
            return "widen \(t.name).\(c.name) to \(tables[ti].cols[i].type.name)"
        case 6:  // a server default set or dropped
            guard let c = plain.filter({ $0.nullable }).randomElement(using: &rng), let i = tables[ti].cols.firstIndex(of: c) else { return nil }
            switch c.type {
            case .integer, .bigint: tables[ti].cols[i].serverDefault = c.serverDefault == nil ? "42" : nil
            case .string, .text: tables[ti].cols[i].serverDefault = c.serverDefault == nil ? "'dflt'" : nil
            default: return nil
            }
            return "default of \(t.name).\(c.name) now \(tables[ti].cols[i].serverDefault ?? "none")"
        case 7:  // an index: plain, two columns, lower(), or partial
            guard let c = plain.randomElement(using: &rng) else { return nil }
            var ix = Ix(columns: [c.name])
            switch rng.next() % 3 {
            case 0:
                guard case .string = c.type else { return nil }
                ix = Ix(name: "ix_\(t.name)_lower_\(c.name)", lowerOf: c.name)
            case 1: ix = Ix(name: "ix_\(t.name)_\(c.name)_set", columns: ["id"], whereNotNull: c.name)
            default: break
            }
            guard !t.indexes.contains(where: { $0.name == ix.name && $0.columns == ix.columns }) else { return nil }
            tables[ti].indexes.append(ix)
            return "add index on \(t.name) \(ix)"
        case 8:  // drop an index
            guard let i = t.indexes.indices.randomElement(using: &rng) else { return nil }
            tables[ti].indexes.remove(at: i)
            return "drop index \(t.indexes[i])"
        case 9:  // a unique constraint over distinct values, or a check over non-negative numbers
            guard let c = plain.randomElement(using: &rng) else { return nil }
            if case .integer = c.type, !t.checks.contains(c.name), rows.allNonNegative(t.name, c.name) {
                tables[ti].checks.append(c.name)
                return "check \(t.name).\(c.name) >= 0"
            }
            // A unique column needs values that can all differ: not a boolean or an enum.
            switch c.type {
            case .integer, .bigint, .string, .text: break
            default: return nil
            }
            guard !t.uniques.contains([c.name]), rows.distinct(t.name, c.name) else { return nil }
            tables[ti].uniques.append([c.name])
            return "unique \(t.name).\(c.name)"
        case 10:  // drop a unique or check constraint
            if !t.checks.isEmpty, rng.next() % 2 == 0 {
                let c = tables[ti].checks.removeLast()
                return "drop check on \(t.name).\(c)"
            }
            guard !t.uniques.isEmpty else { return nil }
            let u = tables[ti].uniques.removeLast()
            return "drop unique on \(t.name).\(u)"
        case 11:  // rename a column (the answer given to autogenerate)
            guard let c = plain.randomElement(using: &rng), let i = tables[ti].cols.firstIndex(of: c) else { return nil }
            let new = fresh("r")
            tables[ti].cols[i].name = new
            func follow(_ n: String) -> String { n == c.name ? new : n }
            for j in tables[ti].indexes.indices {
                tables[ti].indexes[j].columns = tables[ti].indexes[j].columns.map(follow)
                tables[ti].indexes[j].lowerOf = tables[ti].indexes[j].lowerOf.map(follow)
                tables[ti].indexes[j].whereNotNull = tables[ti].indexes[j].whereNotNull.map(follow)
            }
            tables[ti].uniques = tables[ti].uniques.map { $0.map(follow) }
            tables[ti].checks = tables[ti].checks.map(follow)
            renames = ["\(t.name).\(c.name)=\(new)"]
            lastChange = .renamedColumn(table: t.name, from: c.name, to: new)
            return "rename \(t.name).\(c.name) to \(new)"
        case 12:  // rename a table nothing refers to
            guard !referenced(t.name), t.cols.allSatisfy({ $0.references != t.name }) else { return nil }
            let new = fresh(t.name.hasPrefix("extra") ? "extra_" : "t_")
            tables[ti].name = new
            renames = ["\(t.name)=\(new)"]
            lastChange = .renamedTable(from: t.name, to: new)
            return "rename table \(t.name) to \(new)"
        default:  // a new enum value, or a new enum column
            if rng.next() % 2 == 0 {
                let used = tables.contains { $0.cols.contains { if case .enum = $0.type { return true }; return false } }
                guard used else { return nil }
                let v = fresh("state")
                enums["project_status", default: []].append(v)
                return "add value \(v) to project_status"
            }
            let name = fresh("kind")
            tables[ti].cols.append(Col(name: name, type: .enum("project_status", []), nullable: true))
            lastChange = .addedColumn(table: t.name, column: name, fill: .null)
            return "add enum column \(t.name).\(name)"
        }
    }
}

/// The rows the test wrote, as they must read back.
struct RowBook {
    enum Value: Equatable, CustomStringConvertible {
        case null, int(Int64), text(String), dec(Decimal), bool(Bool)
        var description: String {
            switch self {
            case .null: return "NULL"
            case .int(let i): return "\(i)"
            case .text(let s): return "'\(s)'"
            case .dec(let d): return "\(d)"
            case .bool(let b): return "\(b)"
            }
        }
    }

    /// Table -> id -> column -> value.
    var rows: [String: [Int64: [String: Value]]] = [:]
    var nextID: Int64 = 1

    func values(_ t: String, _ c: String) -> [Value] { (rows[t] ?? [:]).values.map { $0[c] ?? .null } }
    func hasNull(_ t: String, _ c: String) -> Bool { values(t, c).contains(.null) }
    func distinct(_ t: String, _ c: String) -> Bool {
        let v = values(t, c).filter { $0 != .null }
        return Set(v.map(\.description)).count == v.count
    }
    func allNonNegative(_ t: String, _ c: String) -> Bool {
        values(t, c).allSatisfy { if case .int(let i) = $0 { return i >= 0 }; return $0 == .null }
    }

    mutating func apply(_ change: EvolutionModel.Change) {
        switch change {
        case .none: break
        case .addedColumn(let t, let c, let fill):
            for id in (rows[t] ?? [:]).keys { rows[t]![id]![c] = fill }
        case .droppedColumn(let t, let c):
            for id in (rows[t] ?? [:]).keys { rows[t]![id]![c] = nil }
        case .renamedColumn(let t, let from, let to):
            for id in (rows[t] ?? [:]).keys { rows[t]![id]![to] = rows[t]![id]!.removeValue(forKey: from) }
        case .droppedTable(let t):
            rows[t] = nil
        case .renamedTable(let from, let to):
            rows[to] = rows.removeValue(forKey: from)
        }
    }

    /// Inserts a row or two into every table, with values each column's type and
    /// constraints accept (keys refer to existing rows).
    mutating func insert(into model: EvolutionModel, db: AutogenerateProject, rng: inout SeededGenerator) throws {
        let engine = try db.engine()
        for t in model.tables {
            for _ in 0..<(1 + Int(rng.next() % 2)) {
                let id = nextID
                nextID += 1
                var row: [String: Value] = ["id": .int(id)]
                for c in t.cols where c.name != "id" {
                    if let target = c.references {
                        let ids = (rows[target] ?? [:]).keys.sorted()
                        row[c.name] = target == t.name || ids.isEmpty ? (c.nullable ? .null : nil) : .int(ids.randomElement(using: &rng)!)
                        if row[c.name] == nil { row = [:]; break }  // a required key with nothing to refer to
                        continue
                    }
                    let unique = t.uniques.contains([c.name]) || t.indexes.contains { $0.unique && ($0.lowerOf == c.name || $0.columns == [c.name]) }
                    switch c.type {
                    // Unique integers come from above the random ones, so they never meet.
                    case .integer, .bigint, .smallint: row[c.name] = .int(unique ? 1_000_000 + id : Int64(rng.next() % 1000))
                    case .string, .text: row[c.name] = .text("v\(id)-\(rng.next() % 100) it's")
                    case .numeric(_, let s?): row[c.name] = .dec(Decimal(Int(rng.next() % 100_000)) / pow(10, s))
                    case .boolean: row[c.name] = .bool(rng.next() % 2 == 0)
                    case .enum(let n, _): row[c.name] = .text(model.enums[n]!.randomElement(using: &rng)!)
                    default: row[c.name] = .null
                    }
                }
                guard !row.isEmpty else { continue }
                let names = row.keys.sorted()
                var params = Parameters()
                for n in names { params[n] = Self.sqlValue(row[n]!) }
                try engine.begin { conn in
                    try conn.execute(text("INSERT INTO \(t.name) (\(names.joined(separator: ", "))) VALUES ("
                                          + names.map { ":" + $0 }.joined(separator: ", ") + ")"), params)
                }
                rows[t.name, default: [:]][id] = row
            }
        }
    }

    static func sqlValue(_ v: Value) -> SQLValue {
        switch v {
        case .null: return .null
        case .int(let i): return .integer(i)
        case .text(let s): return .text(s)
        case .dec(let d): return .decimal(d)
        case .bool(let b): return .bool(b)
        }
    }

    /// Reads every table back and compares it with what was written. Rows removed by
    /// ON DELETE CASCADE are not expected here: the test deletes nothing.
    func verify(_ model: EvolutionModel, db: AutogenerateProject, context: String) throws {
        let engine = try db.engine()
        for t in model.tables {
            let expected = rows[t.name] ?? [:]
            let cols = t.cols.map(\.name)
            let select = cols.map { c -> String in
                if case .enum = t.col(c)!.type { return "CAST(\(c) AS TEXT)" }
                return c
            }
            let read = try engine.connect { conn in
                try conn.execute(text("SELECT \(select.joined(separator: ", ")) FROM \(t.name) ORDER BY id")).all()
            }
            XCTAssertEqual(read.count, expected.count, "\(context): rows of \(t.name)")
            for row in read {
                let id = try row.get(0, as: Int64.self)
                guard let want = expected[id] else {
                    XCTFail("\(context): \(t.name) has a row \(id) nobody wrote")
                    continue
                }
                for (i, c) in cols.enumerated() {
                    let got = try Self.value(row, i, t.col(c)!.type)
                    let w = want[c] ?? .null
                    if got != w { XCTFail("\(context): \(t.name).\(c) of row \(id) reads \(got), was written \(w)") }
                }
            }
        }
    }

    static func value(_ row: Row, _ i: Int, _ type: SQLType) throws -> Value {
        switch type {
        case .integer, .bigint, .smallint: return try row.get(i, as: Int64?.self).map(Value.int) ?? .null
        case .numeric: return try row.get(i, as: Decimal?.self).map(Value.dec) ?? .null
        case .boolean: return try row.get(i, as: Bool?.self).map(Value.bool) ?? .null
        default: return try row.get(i, as: String?.self).map(Value.text) ?? .null
        }
    }
}
