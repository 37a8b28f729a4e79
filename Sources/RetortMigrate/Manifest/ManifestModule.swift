import Crypto
import Foundation
import RetortCore

/// The Swift module that declares a project's models (`manifest:` in migrator.yaml),
/// read the only way Swift allows: by building a small program that links it and prints
/// its `metadata` as metadata JSON.
///
/// The module must be a library target of the package that holds migrator.yaml (or a
/// folder above it), be listed in a `.library` product, and expose the models as
/// `public let metadata: MetaData`:
///
/// ```swift
/// // Package.swift
/// products: [.library(name: "AppModels", targets: ["AppModels"])],
/// targets: [.target(name: "AppModels", dependencies: [.product(name: "Retort", package: "retort")])]
///
/// // Sources/AppModels/Models.swift
/// public let metadata = ModelRegistry.metadata.including(Author.self, Book.self)
/// ```
///
/// The JSON is cached under `.build/migrator/` keyed by a SHA-256 of the module's
/// sources, the package manifest, `Package.resolved` and the migrator executable, so a
/// second run with unchanged models neither builds nor runs anything.
public struct ManifestModule: Sendable {
    /// What happened on the way to the JSON.
    public enum Source: Sendable, Equatable {
        /// Read from the cache: nothing was built.
        case cache
        /// The dump program was built and run.
        case built
    }

    /// The module name, as `manifest:` gives it.
    public let module: String
    /// The folder holding the package's `Package.swift`.
    public let packageRoot: String

    private var cacheDirectory: String { packageRoot + "/.build/migrator" }
    private var dumpPackage: String { cacheDirectory + "/manifest-" + module }

    /// The manifest module `module` of the package that holds `configPath` (searching
    /// up from the config file's folder for `Package.swift`).
    public init(module: String, configPath: String) throws {
        guard !module.isEmpty, module.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
              !module.first!.isNumber
        else {
            throw MigrateError("manifest: '\(module)' in \(configPath) is not a Swift module name",
                               hint: "name the library target that declares the models, e.g. manifest: AppModels")
        }
        self.module = module
        let absolute = URL(fileURLWithPath: configPath).standardizedFileURL.deletingLastPathComponent()
        var dir = absolute
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path {
                throw MigrateError(
                    "no Package.swift in \(absolute.path) or any folder above it, so the manifest module \(module) cannot be built",
                    hint: "keep migrator.yaml inside the Swift package that declares \(module), or pass --metadata FILE.json")
            }
            dir = parent
        }
        self.packageRoot = dir.path
    }

    /// The models, parsed from the module's metadata JSON.
    public func load(progress: (String) -> Void = { _ in }) throws -> MetaData {
        let (json, _) = try metadataJSON(progress: progress)
        return try MetadataJSON.parse(Data(json.utf8), file: "the metadata JSON printed by \(module)")
    }

    /// The module's metadata JSON, from the cache when the sources are unchanged, else
    /// by building and running the dump program (`progress` hears what it does).
    public func metadataJSON(progress: (String) -> Void = { _ in }) throws -> (json: String, source: Source) {
        let fm = FileManager.default
        let sources = try sourceDirectory(progress: progress)
        let key = try cacheKey(sources: sources)
        // One file per key, so that two migrator builds (a debug and a release one, say)
        // do not keep evicting each other's entry; older entries are pruned.
        let jsonPath = cacheDirectory + "/\(module)-\(key.prefix(24)).json"
        if let json = try? String(contentsOfFile: jsonPath, encoding: .utf8) {
            return (json, .cache)
        }
        progress("Building the manifest module \(module) (\(relative(sources)))...")
        let executable = try buildDumpProgram(fileList: try swiftFiles(in: sources).joined(separator: "\n"))
        let run = try ManifestProcess.run(executable, [], in: packageRoot)
        guard run.status == 0 else {
            throw MigrateError(
                "the manifest module \(module) failed while printing its models (exit \(run.status)):\n"
                    + run.output.split(separator: "\n").suffix(20).joined(separator: "\n"),
                hint: "fix the error above; `migrator metadata` reproduces it")
        }
        let json = run.stdout
        // Refuse to cache what does not parse.
        _ = try MetadataJSON.parse(Data(json.utf8), file: "the metadata JSON printed by \(module)")
        try fm.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        try json.write(toFile: jsonPath, atomically: true, encoding: .utf8)
        pruneCache(keeping: 4)
        return (json, .built)
    }

    // MARK: Finding the module's sources

    /// The module's source folder: `Sources/<module>` when it exists, else what
    /// `swift package describe` says (cached per Package.swift).
    func sourceDirectory(progress: (String) -> Void) throws -> String {
        let conventional = packageRoot + "/Sources/" + module
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: conventional, isDirectory: &isDir), isDir.boolValue {
            return conventional
        }
        let manifestHash = try sha256Hex(of: [try readFile(packageRoot + "/Package.swift")])
        let cachePath = cacheDirectory + "/targets-\(manifestHash.prefix(16)).json"
        if let data = FileManager.default.contents(atPath: cachePath),
           let paths = try? JSONSerialization.jsonObject(with: data) as? [String: String],
           let path = paths[module] {
            return packageRoot + "/" + path
        }
        progress("Reading the package description...")
        // `--ignore-lock`: describing only reads Package.swift, and the lock on the
        // project's .build is often held (an editor's language server, a `swift test` that
        // runs the migrator), which would otherwise leave this waiting for good.
        let run = try ManifestProcess.run(try ManifestProcess.swift(), ["package", "--ignore-lock", "describe", "--type", "json"],
                                          in: packageRoot)
        guard run.status == 0,
              let root = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
              let targets = root["targets"] as? [[String: Any]]
        else {
            throw MigrateError("`swift package describe` failed in \(packageRoot):\n"
                               + run.output.split(separator: "\n").suffix(20).joined(separator: "\n"),
                               hint: "fix Package.swift so that `swift build` works")
        }
        var paths: [String: String] = [:]
        for t in targets {
            if let name = t["name"] as? String, let path = t["path"] as? String { paths[name] = path }
        }
        guard let path = paths[module] else {
            throw MigrateError(
                "the package in \(packageRoot) has no target named \(module) (manifest: in migrator.yaml)",
                hint: "its targets are: " + paths.keys.sorted().joined(separator: ", "))
        }
        let products = (root["products"] as? [[String: Any]]) ?? []
        let inLibrary = products.contains { p in
            ((p["targets"] as? [String]) ?? []).contains(module) && (p["type"] as? [String: Any])?["library"] != nil
        }
        if !inLibrary {
            throw MigrateError(
                "the manifest module \(module) is not in a library product, so migrator cannot link it",
                hint: "add .library(name: \"\(module)\", targets: [\"\(module)\"]) to the products in Package.swift")
        }
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: paths, options: [.sortedKeys]).write(to: URL(fileURLWithPath: cachePath))
        return packageRoot + "/" + path
    }

    /// SHA-256 over everything the printed JSON can depend on: the module's Swift files
    /// (names and contents), Package.swift, Package.resolved, and this executable.
    func cacheKey(sources: String) throws -> String {
        var parts: [Data] = [Data("retort-manifest/1 \(module)".utf8)]
        parts.append(try readFile(packageRoot + "/Package.swift"))
        parts.append(FileManager.default.contents(atPath: packageRoot + "/Package.resolved") ?? Data())
        parts.append(Data(ManifestProcess.executableIdentity.utf8))
        let files = try swiftFiles(in: sources)
        if files.isEmpty {
            throw MigrateError("the manifest module \(module) has no Swift files in \(relative(sources))",
                               hint: "declare `public let metadata: MetaData` in a .swift file there")
        }
        for f in files {
            parts.append(Data(f.utf8))
            parts.append(try readFile(sources + "/" + f))
        }
        return try sha256Hex(of: parts)
    }

    /// The Swift files under `sources`, relative, sorted.
    func swiftFiles(in sources: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: sources) else {
            throw MigrateError("cannot read the manifest module's folder \(sources)")
        }
        var files: [String] = []
        while let f = walker.nextObject() as? String {
            if f.hasSuffix(".swift") { files.append(f) }
        }
        return files.sorted()
    }

    // MARK: Building the dump program

    /// Writes the dump package (a path dependency on the project's package) and builds
    /// it; returns the executable. Compiler errors come back with file and line.
    ///
    /// `fileList` (the module's Swift files) goes into the dump package's manifest as a
    /// comment: a file added or removed then changes that manifest, which makes SwiftPM
    /// plan the build again (it can miss a file added within a second of its last build).
    func buildDumpProgram(fileList: String) throws -> String {
        let fm = FileManager.default
        let dir = dumpPackage
        try fm.createDirectory(atPath: dir + "/Sources", withIntermediateDirectories: true)
        let identity = URL(fileURLWithPath: packageRoot).lastPathComponent.lowercased()
        let manifest = """
            // swift-tools-version: 5.9
            // Written by migrator: prints the models of \(module) as metadata JSON.
            // Sources: \(try sha256Hex(of: [Data(fileList.utf8)]))
            import PackageDescription

            let package = Package(
                name: "MigratorManifest",
                dependencies: [.package(path: \(JSONText.quote(packageRoot)))],
                targets: [
                    .executableTarget(
                        name: "MigratorManifest",
                        dependencies: [.product(name: \(JSONText.quote(module)), package: \(JSONText.quote(identity)))],
                        path: "Sources")
                ]
            )

            """
        let main = """
            // Written by migrator.
            import \(module)

            print(\(module).metadata.metadataJSON(), terminator: "")

            """
        try writeIfChanged(manifest, to: dir + "/Package.swift")
        try writeIfChanged(main, to: dir + "/Sources/main.swift")
        // The same dependency versions as the project's own build.
        if let resolved = fm.contents(atPath: packageRoot + "/Package.resolved") {
            if fm.contents(atPath: dir + "/Package.resolved") != resolved {
                try resolved.write(to: URL(fileURLWithPath: dir + "/Package.resolved"))
            }
        }
        let run = try ManifestProcess.run(
            try ManifestProcess.swift(),
            ["build", "--package-path", dir, "--scratch-path", dir + "/.build", "--product", "MigratorManifest"],
            in: packageRoot)
        guard run.status == 0 else { throw buildFailure(run.output) }
        let binary = dir + "/.build/debug/MigratorManifest"
        guard fm.isExecutableFile(atPath: binary) else {
            throw MigrateError("building the manifest module \(module) produced no program at \(binary)")
        }
        return binary
    }

    /// The error for a failed build: the compiler's errors (file:line:col: error: ...),
    /// or the package-level complaint, with a hint for the usual causes.
    func buildFailure(_ output: String) -> MigrateError {
        let lines = output.split(separator: "\n").map(String.init)
        let errors = lines.filter { $0.contains("error:") }
        if errors.contains(where: { $0.contains("product '\(module)'") && $0.contains("not found") }) {
            return MigrateError(
                "the manifest module \(module) is not in a library product of \(packageRoot)/Package.swift",
                hint: "add .library(name: \"\(module)\", targets: [\"\(module)\"]) to its products")
        }
        if errors.contains(where: { $0.contains(dumpPackage + "/Sources/main.swift") }) {
            return MigrateError(
                "the manifest module \(module) does not declare `public let metadata: MetaData`:\n"
                    + errors.joined(separator: "\n"),
                hint: "declare the models on a MetaData the module exposes as `public let metadata`")
        }
        let shown = errors.isEmpty ? Array(lines.suffix(20)) : errors
        return MigrateError(
            "the manifest module \(module) does not compile:\n" + shown.joined(separator: "\n"),
            hint: "fix the errors above, then run the command again")
    }

    // MARK: Helpers

    /// Removes all but the `keeping` newest cached JSON files of this module.
    private func pruneCache(keeping: Int) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: cacheDirectory) else { return }
        let mine = names.filter { $0.hasPrefix(module + "-") && $0.hasSuffix(".json") }.map { cacheDirectory + "/" + $0 }
        let dated = mine.map { ($0, ((try? fm.attributesOfItem(atPath: $0))?[.modificationDate] as? Date) ?? .distantPast) }
        for (path, _) in dated.sorted(by: { $0.1 > $1.1 }).dropFirst(keeping) { try? fm.removeItem(atPath: path) }
    }

    private func relative(_ path: String) -> String {
        path.hasPrefix(packageRoot + "/") ? String(path.dropFirst(packageRoot.count + 1)) : path
    }

    private func readFile(_ path: String) throws -> Data {
        guard let d = FileManager.default.contents(atPath: path) else { throw MigrateError("cannot read \(path)") }
        return d
    }

    private func writeIfChanged(_ text: String, to path: String) throws {
        if (try? String(contentsOfFile: path, encoding: .utf8)) == text { return }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func sha256Hex(of parts: [Data]) throws -> String {
        var h = SHA256()
        for p in parts {
            var n = UInt64(p.count).littleEndian
            withUnsafeBytes(of: &n) { h.update(bufferPointer: $0) }
            h.update(data: p)
        }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// Running `swift` and the dump program.
enum ManifestProcess {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stderr.isEmpty ? stdout : stdout + "\n" + stderr }
    }

    /// The `swift` driver: `$SWIFT_EXEC`'s neighbour when set by SwiftPM, else the one on PATH.
    static func swift() throws -> String {
        let env = ProcessInfo.processInfo.environment
        var dirs = (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        if let exec = env["SWIFT_EXEC"] { dirs.insert((exec as NSString).deletingLastPathComponent, at: 0) }
        for d in dirs where FileManager.default.isExecutableFile(atPath: d + "/swift") { return d + "/swift" }
        throw MigrateError("cannot find the `swift` command on PATH, needed to build the manifest module",
                           hint: "install Swift, or pass --metadata FILE.json")
    }

    /// Size and modification time of the running executable: a rebuilt migrator
    /// (another Retort) may print different JSON for the same models.
    static let executableIdentity: String = {
        let path = CommandLine.arguments.first.flatMap { URL(fileURLWithPath: $0).path } ?? ""
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? path
        let attrs = try? FileManager.default.attributesOfItem(atPath: exe)
        let size = (attrs?[.size] as? NSNumber)?.int64Value ?? 0
        let mtime = (attrs?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(exe) \(size) \(mtime)"
    }()

    static func run(_ executable: String, _ arguments: [String], in directory: String) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        // stderr goes to a file so that a chatty build cannot fill a pipe we are not reading.
        let errPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("migrator-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max)).err").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        guard let errFile = FileHandle(forWritingAtPath: errPath) else {
            throw MigrateError("cannot create a temporary file in \(FileManager.default.temporaryDirectory.path)")
        }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = errFile
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw MigrateError("cannot run \(executable): \(error.localizedDescription)")
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try? errFile.close()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Outcome(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
    }
}
