import Foundation
import RetortCore

/// A migrator project: its config, its revision files and its database, and the
/// commands the CLI offers, as functions (the `migrator` executable only parses and
/// prints).
public final class Project {
    public let config: MigratorConfig
    public let scripts: ScriptDirectory
    private var engineStorage: Engine?

    /// Loads `configPath` and the revision files it points at. `operations: false` reads
    /// only the files' headers, for commands that walk the graph without applying or
    /// showing operations (see ``ScriptDirectory/init(versionsPath:checkType:identifierLimit:operations:)``).
    ///
    /// The configured database's dialect is known from its URL without connecting: a
    /// revision file naming something longer than that database keeps is refused here,
    /// naming the file, line, name, length and limit (a URL that does not parse is
    /// reported by the command that needs the database).
    public init(configPath: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                operations: Bool = true) throws {
        config = try MigratorConfig.load(path: configPath, environment: environment)
        let engine = try? createEngine(config.database)
        engineStorage = engine
        // A database Retort only writes SQL for has no engine, but its dialect is known.
        let dialect = engine?.dialect ?? (try? DatabaseURL(config.database)).flatMap { Dialect.named($0.backend) }
        scripts = try ScriptDirectory(versionsPath: config.versionsDirectory, checkType: TypeNames.check,
                                      identifierLimit: dialect.map { IdentifierLimit(dialect: $0) }, operations: operations)
    }

    /// The same revision files with another config (`verify`'s scratch database).
    init(config: MigratorConfig, scripts: ScriptDirectory) {
        self.config = config
        self.scripts = scripts
    }

    public var graph: RevisionGraph { scripts.graph }

    /// The manifest module that `manifest:` names; an error saying what to do when the
    /// config names none.
    public func manifestModule() throws -> ManifestModule {
        guard let name = config.manifest, !name.isEmpty else {
            throw MigrateError("\(config.path) names no manifest module, so there are no models to read",
                               hint: "add `manifest: MyModels` (a library target declaring `public let metadata`), or pass --metadata FILE.json")
        }
        return try ManifestModule(module: name, configPath: config.path)
    }

    /// The models to compare the database with: the metadata JSON file `metadataFile`
    /// when one is given (`--metadata FILE.json`), else the manifest module that
    /// migrator.yaml names (built and printed, or read from its cache; `progress` gets
    /// the build's progress lines). With neither, an error says what to add.
    public func models(metadataFile: String?, progress: (String) -> Void = { _ in }) throws -> MetaData {
        if let metadataFile { return try MetadataJSON.read(contentsOf: metadataFile, dialect: try engine().dialect) }
        return try manifestModule().load(progress: progress)
    }

    /// ``models(metadataFile:progress:)``, or nil when there are none to read: no file
    /// given and no `manifest:` in migrator.yaml (`verify` then checks only the stairway).
    public func modelsIfDeclared(metadataFile: String?, progress: (String) -> Void = { _ in }) throws -> MetaData? {
        guard metadataFile != nil || config.manifest != nil else { return nil }
        return try models(metadataFile: metadataFile, progress: progress)
    }

    /// The revisions the database is at (its version table; empty at base or before the
    /// first run). Reads only the version table: nothing is planned or locked.
    public func currentHeads() throws -> Set<String> {
        let engine = try engine()
        let store = VersionStore(versionTable: config.versionTable, dialect: engine.dialect)
        return try engine.connect { try store.heads($0) }
    }

    /// The engine for the configured database (connects on first use).
    public func engine() throws -> Engine {
        if let e = engineStorage { return e }
        let e = try createEngine(config.database)
        engineStorage = e
        return e
    }

    /// The offline script writer for `dialect`, or for the configured database's
    /// dialect (known from its URL; nothing connects, and no driver is needed).
    public func offlineScript(dialect: Dialect? = nil) throws -> OfflineScript {
        let dialect = try dialect ?? {
            let url = try DatabaseURL(config.database)
            guard let d = try Dialect.forURL(url) else { throw MigrateError("unknown database '\(url.backend)' in \(config.path)") }
            return d
        }()
        return OfflineScript(config: config, graph: graph, applier: CoreOperationApplier(enums: enums, history: EnumHistory(graph)),
                             dialect: dialect)
    }

    public func runner() throws -> MigrationRunner {
        MigrationRunner(config: config, scripts: scripts, engine: try engine(), applier: CoreOperationApplier(enums: enums, history: EnumHistory(graph)))
    }

    /// The enum types the revisions declare, with their values (later revisions'
    /// additions included), for type names like `enum(book_format)`.
    public var enums: [String: [String]] {
        var out: [String: [String]] = [:]
        for id in graph.order {
            for op in graph.revisions[id]!.upgrade {
                switch op {
                case .createEnum(let name, let values): out[name] = values
                case .addEnumValue(let name, let value, let before, let after):
                    var values = out[name] ?? []
                    if let b = before, let i = values.firstIndex(of: b) { values.insert(value, at: i) }
                    else if let a = after, let i = values.firstIndex(of: a) { values.insert(value, at: i + 1) }
                    else { values.append(value) }
                    out[name] = values
                default: break
                }
            }
        }
        return out
    }

    /// Writes a new config and an empty versions folder: `migrator init DIR`.
    public static func initialize(directory: String, configPath: String) throws -> [String] {
        let fm = FileManager.default
        if fm.fileExists(atPath: configPath) {
            throw MigrateError("\(configPath) already exists", hint: "remove it first, or pass -c with another path")
        }
        let versions = (directory as NSString).appendingPathComponent("versions")
        if fm.fileExists(atPath: versions),
           !(try fm.contentsOfDirectory(atPath: versions)).isEmpty {
            throw MigrateError("\(versions) already exists and is not empty")
        }
        try fm.createDirectory(atPath: versions, withIntermediateDirectories: true)
        let configFolder = (configPath as NSString).deletingLastPathComponent
        let relative = configFolder.isEmpty || !directory.hasPrefix("/") ? directory : directory
        let text = """
            # migrator configuration; see README.md.
            database: ${DATABASE_URL:-sqlite:///app.db}   # ${VAR} and ${VAR:-default} are expanded
            script_location: \(RevisionWriter.scalar(relative))
            # manifest: MyModels                        # the Swift module that declares the models
            version_table: migrator_version
            transaction: per_migration                  # or: all
            compare: {types: true, server_defaults: true}
            exclude_tables: []
            postgresql: {lock_timeout: 10s, statement_timeout: null}

            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        return [configPath, versions]
    }

    // MARK: Writing revisions

    /// Writes an empty revision to fill in: `migrator revision -m MSG`.
    @discardableResult
    public func newRevision(message: String, head: String? = nil, splice: Bool = false, branchLabels: [String] = [],
                            dependsOn: [String] = [], revisionID: String? = nil, upgrade: [MigrationOperation] = [],
                            downgrade: [MigrationOperation] = [], headerComments: [String] = [], date: Date = Date())
        throws -> (Revision, String)
    {
        let parents: [String]
        switch head {
        case nil:
            parents = graph.heads.isEmpty ? [] : [try graph.singleHead()]
        case "base"?:
            parents = []
        case let h?:
            let resolved = try graph.resolve(h)
            if !graph.heads.contains(resolved), !splice {
                throw MigrateError("\(resolved) is not a head", hint: "pass --splice to start a new branch from it")
            }
            parents = [resolved]
        }
        return try writeRevision(message: message, parents: parents, branchLabels: branchLabels,
                                 dependsOn: try dependsOn.map { try graph.resolve($0) }, revisionID: revisionID,
                                 upgrade: upgrade, downgrade: downgrade, headerComments: headerComments, date: date)
    }

    /// Writes a revision on top of `parents` (resolved ids; they may be revisions
    /// written by this project value, which its graph does not list yet).
    @discardableResult
    func writeRevision(message: String, parents: [String], branchLabels: [String] = [], dependsOn: [String] = [],
                       revisionID: String? = nil, transactional: Bool = true, upgrade: [MigrationOperation],
                       downgrade: [MigrationOperation], headerComments: [String], date: Date) throws -> (Revision, String) {
        var revision = Revision(
            id: try checkedID(revisionID), downRevisions: parents, branchLabels: branchLabels, dependsOn: dependsOn,
            message: message, created: ScriptDirectory.timestamp(date), upgrade: upgrade, downgrade: downgrade)
        revision.transactional = transactional
        let path = try scripts.write(revision, date: date, headerComments: headerComments)
        return (revision, path)
    }

    /// Writes a merge point of `revisions` (`heads` for every head): `migrator merge`.
    @discardableResult
    public func merge(_ revisions: [String], message: String, revisionID: String? = nil, date: Date = Date())
        throws -> (Revision, String)
    {
        let parents = revisions == ["heads"] ? graph.heads : try revisions.map { try graph.resolve($0) }
        guard Set(parents).count >= 2 else {
            throw MigrateError("a merge needs at least two revisions; there \(parents.count == 1 ? "is only one head" : "are none")",
                               hint: "nothing to merge")
        }
        let revision = Revision(id: try checkedID(revisionID), downRevisions: Array(Set(parents)).sorted(), message: message,
                                created: ScriptDirectory.timestamp(date))
        return (revision, try scripts.write(revision, date: date))
    }

    private func checkedID(_ given: String?) throws -> String {
        guard let id = given else { return ScriptDirectory.newRevisionID() }
        guard Revision.isValidID(id) else {
            throw MigrateError("revision id '\(id)' may only hold letters, digits and underscores")
        }
        if graph.revision(id) != nil { throw MigrateError("revision id \(id) already exists") }
        return id
    }

    /// The file of a revision, for `show` and `edit`.
    public func revisionPath(_ name: String) throws -> String {
        guard let r = graph.revision(try graph.resolve(name)) else { throw MigrateError("unknown revision '\(name)'") }
        return r.path
    }
}

/// Compact type names, validated when revision files are read (with Core's parser;
/// an enum's values live in its create_enum operation).
enum TypeNames {
    static func check(_ name: String) throws {
        do {
            _ = try SQLType(name: name)
        } catch let e as ArgumentError {
            let base = name.split(separator: "(", maxSplits: 1).first.map(String.init) ?? name
            let valid = SQLType.validNames.map { $0.split(separator: "(").first.map(String.init) ?? $0 }
            throw MigrateError(e.message.components(separatedBy: "; valid").first ?? e.message,
                               hint: nearest(base, in: valid).map { "did you mean '\($0)'?" }
                                   ?? "valid type names: \(SQLType.validNames.joined(separator: ", "))")
        }
    }
}
