import Foundation
import XCTest

/// Comparing typed columns with values of another type must not compile. These tests
/// type-check small programs against the built RetortCore module with `swiftc`.
final class TypedExpressionTests: XCTestCase {
    static let prelude = """
        import RetortCore
        let m = MetaData()
        let t = Table("t", m, Column("id", .integer, primaryKey: true), Column("name", .text), Column("parent", .integer))
        let id = t.column("id", as: Int.self)
        let name = t.column("name", as: String.self)
        let parent = t.column("parent", as: Int?.self)

        """

    func testWellTypedExpressionsCompile() throws {
        let output = try typecheck("""
            let a = select(t.c.name).where(id == 5 && name.like("a%"))
            let b = select(t.c.name).where(parent == nil || parent == 3 || parent == id)
            let c = select(t.c.name).where(id.in([1, 2]) && id.between(1, 9) && (id + 1) * 2 > 3)
            let d = select(t.c.name).where(t.c.id == "anything goes when untyped" && t.c.id == id)
            let e = t.update().set(id, 7).set(name, name + "!")
            let f = select(fn.count()).where(fn.count() > 1 && fn.max(id) < 10 && fn.sum(parent) == nil)
            """)
        XCTAssertFalse(output.contains("error:"), output)
    }

    func testIllTypedExpressionsDoNotCompile() throws {
        let cases = [
            "let e1 = id == \"x\"",
            "let e2 = name > 5",
            "let e3 = id + \"x\"",
            "let e4 = id && name == \"a\"",
            "let e5 = id.like(\"a%\")",
            "let e6 = t.update().set(id, \"seven\")",
            "let e7 = id.in([\"a\", \"b\"])",
            "let e8 = name == id",
            "let e9 = id.between(\"a\", \"z\")",
        ]
        let output = try typecheck(cases.joined(separator: "\n"))
        let preludeLines = TypedExpressionTests.prelude.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        for (i, c) in cases.enumerated() {
            let line = preludeLines + i + 1
            XCTAssertTrue(output.contains("snippet.swift:\(line):"), "expected a type error for `\(c)`:\n\(output)")
        }
    }

    /// Runs `swiftc -typecheck` on the prelude plus `body`; returns its diagnostics.
    private func typecheck(_ body: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = executable.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Modules/RetortCore.swiftmodule").path) {
            guard dir.pathComponents.count > 2 else { throw XCTSkip("cannot find the built RetortCore module") }
            dir = dir.deletingLastPathComponent()
        }
        let source = FileManager.default.temporaryDirectory.appendingPathComponent("typed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: source) }
        let file = source.appendingPathComponent("snippet.swift")
        try (TypedExpressionTests.prelude + body + "\n").write(to: file, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swiftc", "-typecheck", "-I", dir.appendingPathComponent("Modules").path,
                             "-I", root.appendingPathComponent("Sources/CSQLite").path,
                             "-I", root.appendingPathComponent("Sources/CLibPQ").path,
                             "-I", root.appendingPathComponent("Sources/CMariaDB").path, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
