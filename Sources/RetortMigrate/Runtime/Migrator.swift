import Foundation
import RetortCore

/// Migrations as a library call, for services that migrate their database on start-up:
/// the same runner, lock and version table as `migrator upgrade`, answering with values
/// instead of printing.
///
/// ```swift
/// let migrator = Migrator(configPath: "migrator.yaml")
/// let steps = try await migrator.upgrade(to: .head)     // [] when already at head
/// logger.info("migrated", metadata: ["revisions": "\(steps.map(\.revision))"])
/// let at = try await migrator.current()                 // e.g. ["3f2a9c1b7d4e"]
/// ```
///
/// Several replicas may start at once: each run takes the migration lock (PostgreSQL's
/// advisory lock, SQLite's write lock) before reading the version table, so every
/// revision is applied exactly once and the others find the database at head (waiting
/// up to `postgresql.lock_timeout`, 10 s by default, for the lock).
///
/// Each call reads the config and revision files afresh and runs on a thread of
/// Retort's own (a migration blocks for as long as its DDL takes), never on the
/// cooperative pool. Cancelling the task stops an upgrade between revisions: what is
/// committed stays, and ``MigrationInterrupted`` is thrown.
@available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
public struct Migrator: Sendable {
    /// The path of `migrator.yaml`.
    public let configPath: String
    /// The variables `${VAR}` in the config expand from.
    public let environment: [String: String]

    /// A migrator for the project configured at `configPath` (`${VAR}` expanded from
    /// `environment`, the process's by default).
    public init(configPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.configPath = configPath
        self.environment = environment
    }

    /// Where an upgrade goes, in the CLI's spelling (`head`, `heads`, a revision id or
    /// prefix, `LABEL@head`, `+2`): a string literal works too.
    public struct Target: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
        /// The spelling `migrator upgrade` takes.
        public let spelling: String
        public init(_ spelling: String) { self.spelling = spelling }
        public init(stringLiteral value: String) { spelling = value }
        /// The single head of the revision graph.
        public static let head = Target("head")
        /// Every head (a graph with branches).
        public static let heads = Target("heads")
        /// A revision by id (or unique prefix), or `label@head`.
        public static func revision(_ id: String) -> Target { Target(id) }
        public var description: String { spelling }
    }

    /// Applies the revisions `target` needs, holding the migration lock, and returns
    /// the steps taken, in order (empty when the database was already there, e.g.
    /// because another replica just migrated it). Throws ``MigrateError`` (with a hint)
    /// when it cannot: a revision fails (its transaction is rolled back), the lock is
    /// not free in time, an applied revision was edited (unless `allowEdited`).
    @discardableResult
    public func upgrade(to target: Target = .head, allowEdited: Bool = false) async throws -> [StepReport] {
        try await onOwnThread { project in
            let runner = try project.runner()
            runner.stopRequested = { Task.isCancelled }
            return try runner.upgrade(to: target.spelling, allowEdited: allowEdited)
        }
    }

    /// The revisions the database's version table holds (empty: none applied).
    public func current() async throws -> Set<String> {
        try await onOwnThread { try $0.runner().current() }
    }

    /// Where the database stands against the revision files and, at head, against the
    /// models in `metadata`: `.ok`, `.drift` (with the differences) or `.behind` —
    /// what `migrator check` answers, as a value.
    public func check(_ metadata: MetaData) async throws -> CheckReport {
        try await onOwnThread { try $0.check(metadata) }
    }

    private func onOwnThread<T>(_ body: (Project) throws -> T) async throws -> T {
        try await DatabaseThread.run(name: "retort-migrator") {
            let project = try Project(configPath: configPath, environment: environment)
            defer { try? project.engine().dispose() }
            return try body(project)
        }
    }
}
