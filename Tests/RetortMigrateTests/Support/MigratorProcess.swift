import Foundation
import XCTest

/// The built `migrator` executable, next to the test bundle.
func migratorExecutable() throws -> String {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<3 {
        let candidate = dir.appendingPathComponent("migrator").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    throw XCTSkip("the migrator executable was not built next to the tests (run `swift build` first)")
}

struct ProcessResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs `migrator args...` in `directory` and waits for it.
@discardableResult
func runMigrator(_ args: [String], in directory: String, environment: [String: String] = [:]) throws -> ProcessResult {
    let p = try startMigrator(args, in: directory, environment: environment)
    return p.wait()
}

final class RunningProcess {
    let process: Process
    let out: Pipe
    let err: Pipe
    init(process: Process, out: Pipe, err: Pipe) {
        self.process = process
        self.out = out
        self.err = err
    }
    func wait() -> ProcessResult {
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                             stderr: String(decoding: e, as: UTF8.self))
    }
}

func startMigrator(_ args: [String], in directory: String, environment: [String: String] = [:]) throws -> RunningProcess {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try migratorExecutable())
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    return RunningProcess(process: p, out: out, err: err)
}

/// A fresh temporary project folder.
func temporaryProject() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("migrator-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Writes a revision file by hand into `project/migrations/versions`.
func writeRevision(_ project: String, _ name: String, _ yaml: String) throws {
    let path = (project as NSString).appendingPathComponent("migrations/versions/\(name).yaml")
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
}

/// Sets `transaction:` in the project's migrator.yaml (`per_migration` or `all`).
func setTransactionMode(_ mode: String, in project: String) throws {
    let path = project + "/migrator.yaml"
    let config = try String(contentsOfFile: path, encoding: .utf8)
        .replacingOccurrences(of: "transaction: per_migration", with: "transaction: \(mode)")
    try config.write(toFile: path, atomically: true, encoding: .utf8)
}

/// Revision dddd00000004 on top of cccc00000003: a book whose author does not exist.
func writeDanglingBookRevision(_ project: String) throws {
    try writeRevision(project, "d", """
        revision: dddd00000004
        down_revision: cccc00000003
        message: dangling book
        upgrade:
          - bulk_insert: {table: books, rows: [{id: 1, author_id: 99}]}
        downgrade: []
        """)
}
