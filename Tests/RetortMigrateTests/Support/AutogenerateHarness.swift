import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// A throwaway migrator project on a real database, driven the way a user drives it:
/// autogenerate a revision from models, upgrade, check, downgrade.
struct AutogenerateProject {
    let directory: String
    let url: String
    var configPath: String { (directory as NSString).appendingPathComponent("migrator.yaml") }

    static func sqlite() throws -> AutogenerateProject {
        let dir = try temporaryProject()
        return try AutogenerateProject(directory: dir, url: "sqlite:///" + (dir as NSString).appendingPathComponent("app.db"))
    }

    static func postgres() throws -> AutogenerateProject {
        try AutogenerateProject(directory: try temporaryProject(), url: PostgreSQLTestServer.freshDatabaseURL())
    }

    init(directory: String, url: String, extraConfig: String = "") throws {
        self.directory = directory
        self.url = url
        try FileManager.default.createDirectory(atPath: (directory as NSString).appendingPathComponent("migrations/versions"),
                                                withIntermediateDirectories: true)
        try """
            database: '\(url)'
            script_location: migrations
            \(extraConfig)
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// A fresh Project (revision files re-read).
    func project() throws -> Project { try Project(configPath: configPath, environment: [:]) }

    func engine() throws -> Engine { try project().engine() }

    /// Autogenerates a revision for `models` (asserting it found changes) and upgrades to it.
    @discardableResult
    func migrate(to models: MetaData, message: String = "step", renames: [String] = [],
                 file: StaticString = #filePath, line: UInt = #line) throws -> SchemaDiff {
        guard let (diff, _, _, _) = try project().autogenerate(message: message, metadata: models,
                                                            rename: { c in renames.contains(where: c.matches) }) else {
            XCTFail("autogenerate found no changes", file: file, line: line)
            return SchemaDiff()
        }
        try project().runner().upgrade(to: "head")
        return diff
    }

    /// What compare finds now.
    func compare(_ models: MetaData) throws -> SchemaDiff { try project().compare(models) }

    /// The schema through the Inspector, comparable.
    func snapshot() throws -> [ReflectedTable] {
        let schema = try Inspector(try engine(), excluding: VersionStore.defaultOwnTables).reflect()
        return schema.tables.map(\.comparable).sorted { $0.name < $1.name }
    }

    func enums() throws -> [ReflectedEnum] { try Inspector(try engine(), excluding: VersionStore.defaultOwnTables).reflect().enums.sorted { $0.name < $1.name } }

    /// Runs SQL on the database.
    func execute(_ sql: [String]) throws {
        try engine().begin { conn in
            for s in sql { try conn.execute(text(s)) }
        }
    }
}

/// Builds models with a closure.
func models(_ build: (MetaData) -> Void) -> MetaData {
    let m = MetaData()
    build(m)
    return m
}

extension XCTestCase {
    /// The round trip of one kind of difference: `before` is created by autogenerate;
    /// autogenerating for `after` gives operations with the keys `expect`; upgrading
    /// makes compare find nothing; `downgrade -1` restores the schema exactly.
    func roundTrip(_ db: AutogenerateProject, before: MetaData, after: MetaData, expect: [String], renames: [String] = [],
                   file: StaticString = #filePath, line: UInt = #line) throws {
        try db.migrate(to: before, message: "before", file: file, line: line)
        XCTAssertEqual(try db.compare(before).summaryLines, [], "no phantom differences before", file: file, line: line)
        let schemaBefore = try db.snapshot()
        let enumsBefore = try db.enums()
        let diff = try db.migrate(to: after, message: "after", renames: renames, file: file, line: line)
        XCTAssertEqual(diff.upgrade.map(\.key), expect, "upgrade operations; changes: \(diff.summaryLines)", file: file, line: line)
        XCTAssertEqual(try db.compare(after).summaryLines, [], "upgrade makes check pass", file: file, line: line)
        try db.project().runner().downgrade(to: "-1")
        XCTAssertEqual(try db.snapshot(), schemaBefore, "downgrade -1 restores the schema", file: file, line: line)
        XCTAssertEqual(try db.enums(), enumsBefore, "downgrade -1 restores the enums", file: file, line: line)
        XCTAssertEqual(try db.compare(before).summaryLines, [], "and check against the old models passes", file: file, line: line)
    }
}
