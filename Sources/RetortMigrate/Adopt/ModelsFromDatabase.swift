import Foundation
import RetortCore

/// How `migrator models --from-database` writes the models.
public enum ModelStyle: String, Sendable, CaseIterable {
    /// Core `Table` declarations in `public let metadata` (see ``CoreModelSource``).
    case core
    /// `@Model` classes, association tables as Core tables.
    case orm
}

extension Project {
    /// The configured database reflected (the migrator's own tables and `exclude_tables`
    /// left out; `only` those tables when given, each of which must exist).
    public func reflectForModels(only: [String]? = nil) throws -> ReflectedSchema {
        let engine = try engine()
        let own = Set(VersionStore(versionTable: config.versionTable, dialect: engine.dialect).ownTables)
        var schema = try engine.connect { conn in
            try Inspector(conn, excluding: own).reflect()
        }
        let comparer = comparer(for: engine.dialect)
        schema.tables.removeAll { comparer.isExcluded($0.name) }
        if let only {
            let found = Set(schema.tables.map(\.name))
            let missing = only.filter { !found.contains($0) }
            if !missing.isEmpty {
                throw MigrateError("the database has no table\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))",
                                   hint: "its tables are: \(schema.tables.map(\.name).joined(separator: ", "))")
            }
            let wanted = Set(only)
            schema.tables.removeAll { !wanted.contains($0.name) }
        }
        return schema
    }

    /// `migrator models --from-database`: Swift source for the reflected schema, with a
    /// header naming the database (password masked) and the time.
    public func modelsSource(style: ModelStyle, only: [String]? = nil, date: Date = Date()) throws -> String {
        let schema = try reflectForModels(only: only)
        let origin = (try? DatabaseURL(config.database).description) ?? "the configured database"
        let command = "migrator models --from-database --style \(style.rawValue)"
            + (only.map { " --tables " + $0.joined(separator: ",") } ?? "")
        switch style {
        case .core:
            return CoreModelSource.render(CoreModelSource.declarations(schema), origin: origin, date: date, command: command)
        case .orm:
            return ORMModelSource(schema: schema).render(origin: origin, date: date, command: command)
        }
    }
}
