import Foundation
import RetortCore
import RetortMigrate
import XCTest

/// The manifest path end to end, as a user meets it: a Swift package of their own whose
/// models module migrator builds, links and reads, with the real `swift` toolchain and
/// the real `migrator` executable.
final class ManifestModuleTests: XCTestCase {
    /// This repository (the package the user's package depends on by path).
    var retortRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    func writeModels(_ dir: String, _ columns: String) throws {
        let source = """
            import RetortCore

            public let metadata: MetaData = {
                let m = MetaData()
                Table("items", m,
                    Column("id", .integer, primaryKey: true),
            \(columns)
                    Column("name", .string(100), nullable: false))
                return m
            }()

            """
        try source.write(toFile: dir + "/Sources/ShopModels/Models.swift", atomically: true, encoding: .utf8)
    }

    func makeShop() throws -> String {
        let dir = try temporaryProject()
        let identity = URL(fileURLWithPath: retortRoot).lastPathComponent.lowercased()
        try """
            // swift-tools-version: 6.0
            import PackageDescription

            let package = Package(
                name: "Shop",
                products: [.library(name: "ShopModels", targets: ["ShopModels"])],
                dependencies: [.package(path: "\(retortRoot)")],
                targets: [
                    .target(name: "ShopModels", dependencies: [.product(name: "RetortCore", package: "\(identity)")])
                ]
            )

            """.write(toFile: dir + "/Package.swift", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/Sources/ShopModels", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/migrations/versions", withIntermediateDirectories: true)
        try """
            database: sqlite:///shop.db
            script_location: migrations
            manifest: ShopModels

            """.write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        try writeModels(dir, "")
        return dir
    }

    func revisionFiles(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir + "/migrations/versions").sorted()
    }

    func testModelsModuleBuiltCachedAndRebuiltOnChange() throws {
        let dir = try makeShop()
        defer { try? FileManager.default.removeItem(atPath: dir) }

        // First run: builds the dump program, autogenerates the table.
        var r = try runMigrator(["revision", "--autogenerate", "-m", "create items"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("Building the manifest module ShopModels"), r.stderr)
        XCTAssertTrue(r.stdout.contains("added table items"), r.stdout)
        XCTAssertEqual(try revisionFiles(dir).count, 1)

        r = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)

        // Unchanged models: read from the cache, nothing built.
        r = try runMigrator(["check"], in: dir)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertFalse(r.stderr.contains("Building"), r.stderr)
        r = try runMigrator(["metadata"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stderr.contains("Building"), r.stderr)
        let models = try MetadataJSON.parse(Data(r.stdout.utf8))
        XCTAssertEqual(models.tables.map(\.name), ["items"])

        // A model file changes: the next command picks it up with no other step.
        try writeModels(dir, "            Column(\"sku\", .string(32)),")
        r = try runMigrator(["check"], in: dir)
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("Building the manifest module ShopModels"), r.stderr)
        XCTAssertTrue(r.stdout.contains("sku"), r.stdout)
        r = try runMigrator(["revision", "--autogenerate", "-m", "add sku"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stderr.contains("Building"), "check already built this version: \(r.stderr)")
        let files = try revisionFiles(dir)
        XCTAssertEqual(files.count, 2)
        let added = try String(contentsOfFile: dir + "/migrations/versions/" + files.first { $0.contains("add_sku") }!,
                               encoding: .utf8)
        XCTAssertTrue(added.contains("add_column"), added)
        XCTAssertTrue(added.contains("sku"), added)
        r = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try runMigrator(["check"], in: dir)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)

        // A module that does not compile: the compiler's error with file and line; check could not run: exit 2.
        try "public let broken: Int = \"not a number\"\n"
            .write(toFile: dir + "/Sources/ShopModels/Broken.swift", atomically: true, encoding: .utf8)
        r = try runMigrator(["check"], in: dir)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("the manifest module ShopModels does not compile"), r.stderr)
        XCTAssertTrue(r.stderr.contains("Sources/ShopModels/Broken.swift:1:"), r.stderr)
        XCTAssertEqual(try revisionFiles(dir).count, 2, "nothing written")

        // A module without `public let metadata`: says what to declare.
        try FileManager.default.removeItem(atPath: dir + "/Sources/ShopModels/Broken.swift")
        try "import RetortCore\npublic let tables = MetaData()\n"
            .write(toFile: dir + "/Sources/ShopModels/Models.swift", atomically: true, encoding: .utf8)
        r = try runMigrator(["metadata"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("does not declare `public let metadata: MetaData`"), r.stderr)
    }

    func testConfigWithoutManifestSaysWhatToDo() throws {
        let dir = try temporaryProject()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "database: sqlite:///x.db\nscript_location: migrations\n"
            .write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/migrations/versions", withIntermediateDirectories: true)
        let r = try runMigrator(["check"], in: dir)
        XCTAssertEqual(r.status, 2, "check could not run")
        XCTAssertTrue(r.stderr.contains("names no manifest module"), r.stderr)
        XCTAssertTrue(r.stderr.contains("--metadata FILE.json"), r.stderr)
    }

    func testManifestOutsideAPackageSaysWhatToDo() throws {
        let dir = try temporaryProject()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "database: sqlite:///x.db\nscript_location: migrations\nmanifest: Models\n"
            .write(toFile: dir + "/migrator.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/migrations/versions", withIntermediateDirectories: true)
        let r = try runMigrator(["metadata"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("no Package.swift"), r.stderr)
    }
}
