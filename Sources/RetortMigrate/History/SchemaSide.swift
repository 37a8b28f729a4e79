import Foundation
import RetortCore

/// One side of `migrator diff FROM TO`: a live database, the models, or the schema
/// the revision files produce at a revision.
///
/// ```swift
/// try SchemaSide("postgresql://app@db/prod")   // .database(url: ...)
/// try SchemaSide("models")                     // .models
/// try SchemaSide("revision:3f2a9c1b")          // .revision("3f2a9c1b")
/// ```
public enum SchemaSide: Sendable, Equatable, CustomStringConvertible {
    /// The database at a URL (reflected; the migrator's own tables left out).
    case database(url: String)
    /// The models: the manifest module, or `--metadata FILE`.
    case models
    /// The schema the revision files produce at a revision (`base` for none), built by
    /// upgrading a scratch database to it.
    case revision(String)

    /// Reads `models`, `revision:REV`, or a database URL; anything else is an error
    /// that lists the three forms.
    public init(_ argument: String) throws {
        if argument == "models" {
            self = .models
        } else if argument.hasPrefix("revision:") {
            let rev = String(argument.dropFirst("revision:".count))
            guard !rev.isEmpty else {
                throw MigrateError("'revision:' names no revision", hint: "write revision:REV, e.g. revision:head or revision:base")
            }
            self = .revision(rev)
        } else if argument.contains("://"), (try? DatabaseURL(argument)) != nil {
            self = .database(url: argument)
        } else {
            throw MigrateError("'\(argument)' is not a side diff can read",
                               hint: "give a database URL (sqlite:///app.db, postgresql://user@host/db), "
                                   + "'models', or 'revision:REV' (revision:head, revision:base, revision:3f2a)")
        }
    }

    /// How messages name the side (a URL without its password).
    public var description: String {
        switch self {
        case .database(let url): return (try? DatabaseURL(url).description) ?? url
        case .models: return "models"
        case .revision(let rev): return "revision:\(rev)"
        }
    }
}
