import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

/// The CLI parses and prints; what it decides comes from RetortMigrate: branch points
/// from the revision graph, option conflicts from `validate()`, the step counter from
/// the runner's reports.
extension MigratorCLITests {
    /// Options that do not go together are a usage error, as every other one is
    /// (swift-argument-parser's exit 64 and usage line), found before anything connects
    /// or a file is written.
    func testConflictingOptionsAreUsageErrors() throws {
        let (dir, _) = try makeProject()
        let versions = dir + "/migrations/versions"
        let before = try FileManager.default.contentsOfDirectory(atPath: versions).sorted()
        let cases: [([String], String)] = [
            (["revision", "-m", "x", "--autogenerate", "--head", "base"],
             "--autogenerate builds on the current head; it does not take --head, --splice, --branch-label or --depends-on"),
            (["revision", "-m", "x", "--rename", "a=b"], "--metadata and --rename go with --autogenerate"),
            (["revision", "-m", "x", "--baseline", "--autogenerate"],
             "--baseline writes the first revision from the database alone; it does not take --autogenerate"),
            (["upgrade", "head", "--dialect", "oracle"], "--dialect goes with --sql (a run uses the configured database)"),
            (["downgrade", "head:base", "--sql", "--dialect", "db2"], "unknown --dialect 'db2'; one of: sqlite"),
        ]
        for (args, message) in cases {
            let r = try runMigrator(args, in: dir)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("Usage: migrator \(args[0])"), "\(args): \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "\(args)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: versions).sorted(), before, "no revision was written")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/app.db"), "nothing connected")
    }

    /// `branches` lists the revisions the graph branches at, and only those: a message
    /// that says "(branchpoint)" does not make one.
    func testBranchesComeFromTheGraphNotFromRenderedText() throws {
        let (dir, _) = try makeProject()
        XCTAssertEqual(try runMigrator(["branches"], in: dir).stdout, "", "a straight history has no branch point")
        XCTAssertEqual(try runMigrator(["revision", "-m", "note (branchpoint) in a message", "--rev-id", "dddd00000004"], in: dir).status, 0)
        XCTAssertEqual(try runMigrator(["branches"], in: dir).stdout, "", "a message is not a branch point")
        XCTAssertEqual(try runMigrator(["revision", "-m", "side", "--head", "bbbb", "--splice", "--rev-id", "eeee00000005"], in: dir).status, 0)
        XCTAssertEqual(try runMigrator(["branches"], in: dir).stdout, """
            aaaa00000001 -> bbbb00000002 (branchpoint), create books
                -> cccc00000003, add pages
                -> eeee00000005, side

            """)
    }

    /// Each step's report carries its place in the run and the run's total, which the
    /// CLI prints as `[i/n]` once a run has more than three steps.
    func testStepReportsCarryTheirIndexAndTotal() throws {
        let (dir, _) = try makeProject()
        for (i, id) in ["dddd00000004", "eeee00000005"].enumerated() {
            XCTAssertEqual(try runMigrator(["revision", "-m", "step \(i)", "--rev-id", id], in: dir).status, 0)
        }
        let runner = try Project(configPath: dir + "/migrator.yaml", environment: [:]).runner()
        var seen: [String] = []
        runner.onStep = { seen.append("\($0.index)/\($0.total) \($0.step.revision.id)") }
        try runner.upgrade(to: "+2")
        XCTAssertEqual(seen, ["1/2 aaaa00000001", "2/2 bbbb00000002"])
        seen = []
        try runner.upgrade(to: "head")
        XCTAssertEqual(seen, ["1/3 cccc00000003", "2/3 dddd00000004", "3/3 eeee00000005"])
        seen = []
        try runner.downgrade(to: "base")
        XCTAssertEqual(seen.map { String($0.prefix(3)) }, ["1/5", "2/5", "3/5", "4/5", "5/5"])
        let up = try runMigrator(["upgrade", "head"], in: dir)
        XCTAssertEqual(up.status, 0, up.stderr)
        let counters = up.stdout.split(separator: "\n").compactMap { $0.hasPrefix("[") ? String($0.prefix(5)) : nil }
        XCTAssertEqual(counters, ["[1/5]", "[2/5]", "[3/5]", "[4/5]", "[5/5]"], up.stdout)
    }
}
