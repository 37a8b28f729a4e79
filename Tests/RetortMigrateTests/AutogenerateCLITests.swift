import Foundation
import RetortCore
@testable import RetortMigrate
import XCTest

/// `migrator check` and `migrator revision --autogenerate` through the built binary.
final class AutogenerateCLITests: XCTestCase {
    func project() throws -> String {
        let dir = try temporaryProject()
        XCTAssertEqual(try runMigrator(["init", "migrations"], in: dir).status, 0)
        var config = try String(contentsOfFile: dir + "/migrator.yaml", encoding: .utf8)
        config = config.replacingOccurrences(of: "${DATABASE_URL:-sqlite:///app.db}", with: "sqlite:///" + dir + "/app.db")
        try config.write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        let m = models { m in
            _ = Table("authors", m, Column("id", .integer, primaryKey: true), Column("name", .string(100), nullable: false))
        }
        try MetadataJSON.render(m).write(toFile: dir + "/models.json", atomically: true, encoding: .utf8)
        return dir
    }

    func testCheckExitCodesAndAutogenerate() throws {
        let dir = try project()
        var r = try runMigrator(["check", "--metadata", "models.json"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("added table authors"), r.stdout + r.stderr)

        r = try runMigrator(["check", "--metadata", "models.json", "--format", "json"], in: dir)
        XCTAssertEqual(r.status, 1)
        let parsed = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        XCTAssertEqual((parsed?["differences"] as? [[String: Any]])?.first?["kind"] as? String, "add_table")

        r = try runMigrator(["revision", "--autogenerate", "-m", "create authors", "--metadata", "models.json"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("created "), r.stdout)

        r = try runMigrator(["check", "--metadata", "models.json"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("The database is behind"), r.stdout)
        r = try runMigrator(["revision", "--autogenerate", "-m", "again", "--metadata", "models.json"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("the database is not at head"), r.stderr)

        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
        r = try runMigrator(["check", "--metadata", "models.json"], in: dir)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)

        r = try runMigrator(["revision", "--autogenerate", "-m", "nothing", "--metadata", "models.json"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("No changes detected"), r.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/migrations/versions").count, 1)

        r = try runMigrator(["check"], in: dir)
        XCTAssertEqual(r.status, 2, "no manifest: check could not run")
        XCTAssertTrue(r.stderr.contains("--metadata"), r.stderr)
    }

    func testRenameFlagAndDataLossHeader() throws {
        let dir = try project()
        XCTAssertEqual(try runMigrator(["revision", "--autogenerate", "-m", "init", "--metadata", "models.json"], in: dir).status, 0)
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
        let renamed = models { m in
            _ = Table("authors", m, Column("id", .integer, primaryKey: true), Column("full_name", .string(100), nullable: false))
        }
        try MetadataJSON.render(renamed).write(toFile: dir + "/models.json", atomically: true, encoding: .utf8)
        // stdin is not a terminal: no question, a drop and an add under the warning.
        var r = try runMigrator(["revision", "--autogenerate", "-m", "drop add", "--metadata", "models.json", "--rev-id", "dropadd"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/migrations/versions")
        let dropAdd = try String(contentsOfFile: dir + "/migrations/versions/" + XCTUnwrap(files.first { $0.contains("dropadd") }), encoding: .utf8)
        XCTAssertTrue(dropAdd.hasPrefix("# WARNING"), dropAdd)
        XCTAssertTrue(dropAdd.contains("drop_column"), dropAdd)
        try FileManager.default.removeItem(atPath: dir + "/migrations/versions/" + files.first { $0.contains("dropadd") }!)

        r = try runMigrator(["revision", "--autogenerate", "-m", "rename", "--metadata", "models.json", "--rename", "authors.name=full_name",
                             "--rev-id", "renamed"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = try String(contentsOfFile: dir + "/migrations/versions/"
            + XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: dir + "/migrations/versions").first { $0.contains("renamed") }),
                              encoding: .utf8)
        XCTAssertTrue(text.contains("new_name: full_name"), text)
        XCTAssertFalse(text.contains("WARNING"), text)
        XCTAssertEqual(try runMigrator(["upgrade", "head"], in: dir).status, 0)
        XCTAssertEqual(try runMigrator(["check", "--metadata", "models.json"], in: dir).status, 0)
    }

    func testCheckRefusesSeveralHeads() throws {
        let dir = try project()
        XCTAssertEqual(try runMigrator(["revision", "-m", "a", "--head", "base"], in: dir).status, 0)
        XCTAssertEqual(try runMigrator(["revision", "-m", "b", "--head", "base"], in: dir).status, 0)
        let r = try runMigrator(["check", "--metadata", "models.json"], in: dir)
        XCTAssertEqual(r.status, 2, "check could not run")
        XCTAssertTrue(r.stderr.contains("several heads"), r.stderr)
    }
}
