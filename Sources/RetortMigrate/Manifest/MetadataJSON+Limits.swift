import Foundation
import RetortCore

/// Reading metadata JSON for a database: RetortCore's reader (``RetortCore/MetadataJSON``,
/// beside its writer), then the names checked against what the database keeps.
extension MetadataJSON {
    /// Reads the metadata JSON file at `path`; with the database's `dialect`, a name
    /// written out longer than it keeps is refused (see ``parse(_:file:dialect:)``).
    public static func read(contentsOf path: String, dialect: Dialect?) throws -> MetaData {
        try parse(try contents(of: path), file: path, dialect: dialect)
    }

    /// ``RetortCore/MetadataJSON/parse(_:file:)``, and with the database's `dialect`, a
    /// table, column, constraint, index or enum name longer than it keeps
    /// (``RetortCore/Dialect/maxIdentifierLength``) is refused, naming the file, the line
    /// where the name is written, the name, its length and the limit.
    public static func parse(_ data: Data, file: String = "metadata JSON", dialect: Dialect?) throws -> MetaData {
        let metadata = try parse(data, file: file)
        if let dialect { try checkIdentifiers(metadata, limit: IdentifierLimit(dialect: dialect), data: data, file: file) }
        return metadata
    }

    /// Refuses the first name longer than `limit` that `metadata` gives explicitly.
    private static func checkIdentifiers(_ metadata: MetaData, limit: IdentifierLimit, data: Data, file: String) throws {
        for t in metadata.tables {
            guard let (name, message) = limit.problems(in: t).first else { continue }
            // JSON keeps no positions: the line is where the name is first written.
            var location = file
            if let text = String(data: data, encoding: .utf8), let r = text.range(of: JSONText.quote(name)) {
                location += ":\(text[..<r.lowerBound].filter { $0 == "\n" }.count + 1)"
            }
            throw MigrateError("\(location): " + message, hint: IdentifierLimit.hint)
        }
    }
}

extension MigrateError {
    /// The same mistake, as the migrator reports errors.
    public init(_ error: MetadataJSONError) {
        self.init(error.message, at: error.location.map { .init(file: $0.file, line: $0.line, column: $0.column) }, hint: error.hint)
    }
}
