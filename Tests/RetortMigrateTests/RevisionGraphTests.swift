import RetortMigrate
import XCTest

private func rev(_ id: String, _ parents: [String] = [], labels: [String] = [], dependsOn: [String] = []) -> Revision {
    Revision(id: id, downRevisions: parents, branchLabels: labels, dependsOn: dependsOn, message: "m \(id)")
}

private func ids(_ steps: [MigrationStep]) -> [String] { steps.map(\.revision.id) }

private func expectError(_ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an error containing '\(fragment)'", file: file, line: line)
    } catch let e as MigrateError {
        XCTAssertTrue(e.description.contains(fragment), "'\(e)' lacks '\(fragment)'", file: file, line: line)
    } catch {
        XCTFail("unexpected \(error)", file: file, line: line)
    }
}

final class RevisionGraphTests: XCTestCase {
    let chain = [rev("aaaa1111"), rev("bbbb2222", ["aaaa1111"]), rev("cccc3333", ["bbbb2222"]), rev("dddd4444", ["cccc3333"])]

    func testStraightChainWithRelativeTargets() throws {
        let g = try RevisionGraph(chain)
        XCTAssertEqual(g.heads, ["dddd4444"])
        XCTAssertEqual(g.bases, ["aaaa1111"])
        XCTAssertEqual(ids(try g.planUpgrade(from: [], to: "head")), ["aaaa1111", "bbbb2222", "cccc3333", "dddd4444"])
        XCTAssertEqual(ids(try g.planUpgrade(from: [], to: "+2")), ["aaaa1111", "bbbb2222"])
        XCTAssertEqual(ids(try g.planUpgrade(from: ["bbbb2222"], to: "+1")), ["cccc3333"])
        XCTAssertEqual(ids(try g.planUpgrade(from: [], to: "bbbb+1")), ["aaaa1111", "bbbb2222", "cccc3333"])
        XCTAssertEqual(ids(try g.planUpgrade(from: [], to: "dddd4444-2")), ["aaaa1111", "bbbb2222"])
        XCTAssertEqual(ids(try g.planDowngrade(from: ["dddd4444"], to: "-1")), ["dddd4444"])
        XCTAssertEqual(ids(try g.planDowngrade(from: ["dddd4444"], to: "-2")), ["dddd4444", "cccc3333"])
        XCTAssertEqual(ids(try g.planDowngrade(from: ["dddd4444"], to: "bbbb")), ["dddd4444", "cccc3333"])
        XCTAssertEqual(ids(try g.planDowngrade(from: ["dddd4444"], to: "base")), ["dddd4444", "cccc3333", "bbbb2222", "aaaa1111"])
        XCTAssertEqual(ids(try g.planUpgrade(from: ["dddd4444"], to: "head")), [], "already at head")
        let steps = try g.planUpgrade(from: ["aaaa1111"], to: "cccc3333")
        XCTAssertEqual(steps.map(\.headsAfter), [["bbbb2222"], ["cccc3333"]])
        XCTAssertEqual(steps.first?.arrow, "aaaa1111 -> bbbb2222")
    }

    func testTargetErrorsAreClear() throws {
        let g = try RevisionGraph(chain + [rev("aaab9999", ["aaaa1111"])])
        expectError("several heads: aaab9999, dddd4444") { _ = try g.planUpgrade(from: [], to: "head") }
        expectError("merge them") { _ = try g.planUpgrade(from: [], to: "head") }
        expectError("unknown revision 'zzzz'") { _ = try g.resolve("zzzz") }
        expectError("ambiguous: it matches aaaa1111, aaab9999") { _ = try g.resolve("aaa") }
        expectError("too short") { _ = try g.resolve("ccc") }
        XCTAssertEqual(try g.resolve("cccc"), "cccc3333")
        expectError("relative revision bbbb2222+9 only reaches 2 revisions") { _ = try g.planUpgrade(from: [], to: "bbbb2222+9") }
        expectError("ambiguous at aaaa1111") { _ = try g.planUpgrade(from: ["aaaa1111"], to: "+1") }
        expectError("relative revision -5 only reaches") { _ = try g.planDowngrade(from: ["bbbb2222"], to: "-5") }
        expectError("not in the scripts") { _ = try g.planUpgrade(from: ["ffff0000"], to: "heads") }
    }

    func testDiamondWalkAndMergeUnmerge() throws {
        //      a
        //     / \
        //    b   c
        //     \ /
        //      m
        let g = try RevisionGraph([rev("a000"), rev("b000", ["a000"]), rev("c000", ["a000"]), rev("m000", ["b000", "c000"])])
        XCTAssertEqual(g.heads, ["m000"])
        XCTAssertTrue(g.revision("m000")!.isMergePoint)
        let up = try g.planUpgrade(from: [], to: "head")
        XCTAssertEqual(ids(up), ["a000", "b000", "c000", "m000"])
        // The version table holds one row per head at each step.
        XCTAssertEqual(up.map(\.headsAfter), [["a000"], ["b000"], ["b000", "c000"], ["m000"]])
        // Unmerging: downgrade -1 from the merge point leaves both branches applied.
        let down = try g.planDowngrade(from: ["m000"], to: "-1")
        XCTAssertEqual(ids(down), ["m000"])
        XCTAssertEqual(down.last?.headsAfter, ["b000", "c000"])
        expectError("several heads") { _ = try g.planDowngrade(from: ["b000", "c000"], to: "-1") }
        let toB = try g.planDowngrade(from: ["b000", "c000"], to: "c000")
        XCTAssertEqual(ids(toB), [], "b is not a descendant of c; c stays")
        let toA = try g.planDowngrade(from: ["m000"], to: "a000")
        XCTAssertEqual(ids(toA), ["m000", "c000", "b000"])
        XCTAssertEqual(toA.last?.headsAfter, ["a000"])
    }

    func testTwoBranchesUpgradedTogetherWithLabels() throws {
        let g = try RevisionGraph([
            rev("a000"), rev("b000", ["a000"], labels: ["feature"]), rev("b001", ["b000"]), rev("c000", ["a000"], labels: ["hotfix"]),
        ])
        XCTAssertEqual(g.heads, ["b001", "c000"])
        let both = try g.planUpgrade(from: [], to: "heads")
        XCTAssertEqual(Set(ids(both)), ["a000", "b000", "b001", "c000"])
        XCTAssertEqual(both.last?.headsAfter, ["b001", "c000"])
        XCTAssertEqual(try g.resolve("feature@head"), "b001")
        XCTAssertEqual(ids(try g.planUpgrade(from: ["a000"], to: "feature@head")), ["b000", "b001"])
        XCTAssertEqual(ids(try g.planUpgrade(from: ["a000"], to: "feature@+1")), ["b000"])
        XCTAssertEqual(ids(try g.planUpgrade(from: ["b000"], to: "feature@+1")), ["b001"])
        XCTAssertEqual(ids(try g.planUpgrade(from: ["a000"], to: "hotfix")), ["c000"])
        XCTAssertEqual(ids(try g.planDowngrade(from: ["b001", "c000"], to: "feature@-1")), ["b001"])
        expectError("unknown branch label 'nope'") { _ = try g.resolve("nope@head") }
    }

    func testDependsOnOrdersAcrossBranches() throws {
        let g = try RevisionGraph([rev("a000"), rev("x000"), rev("b000", ["a000"], dependsOn: ["x000"])])
        XCTAssertEqual(Set(g.heads), ["b000", "x000"], "a dependency is not a parent")
        let up = try g.planUpgrade(from: [], to: "b000")
        XCTAssertEqual(Set(ids(up)), ["a000", "x000", "b000"])
        XCTAssertEqual(ids(up).last, "b000")
        XCTAssertEqual(up.last?.headsAfter, ["b000"])
        // Downgrading the dependency takes its dependent with it.
        XCTAssertEqual(ids(try g.planDowngrade(from: ["b000"], to: "base")).first, "b000")
        let downX = try g.planDowngrade(from: ["b000"], to: "x000-1")
        XCTAssertEqual(Set(ids(downX)), ["b000", "a000", "x000"])
    }

    func testGraphConstructionErrors() {
        expectError("cycle") { _ = try RevisionGraph([rev("a000", ["b000"]), rev("b000", ["a000"])]) }
        expectError("duplicate revision id a000") { _ = try RevisionGraph([rev("a000"), rev("a000")]) }
        expectError("names down_revision zzzz, which does not exist") { _ = try RevisionGraph([rev("a000", ["zzzz"])]) }
        expectError("depends on qqqq") { _ = try RevisionGraph([rev("a000", dependsOn: ["qqqq"])]) }
        expectError("branch label 'x' is used by both") {
            _ = try RevisionGraph([rev("a000", labels: ["x"]), rev("b000", ["a000"], labels: ["x"])])
        }
    }
}
