import Foundation

/// The metadata JSON of DESIGN.md (`retort-metadata/1`): the models a manifest
/// declares, as a file that `migrator check --metadata FILE` and
/// `migrator revision --autogenerate --metadata FILE` read. Its writer is
/// ``MetaData/metadataJSON(dialect:)`` (MetaData+JSON.swift, beside this reader): both
/// live in Core because the program migrator builds to print a manifest module's
/// models links only that module and Retort, not RetortMigrate.
///
/// ```swift
/// let metadata = try MetadataJSON.read(contentsOf: "models.json")
/// let text = MetadataJSON.render(metadata)        // back to JSON, stable key order
/// ```
///
/// ```json
/// {"format": "retort-metadata/1",
///  "enums": [{"name": "book_format", "values": ["hardcover", "ebook"]}],
///  "tables": [{"name": "books",
///              "columns": [{"name": "id", "type": "integer", "primary_key": true},
///                          {"name": "format", "type": "enum(book_format)"}]}]}
/// ```
///
/// Absent optional fields mean their defaults; an unknown field is an error naming it
/// and where it was found.
public enum MetadataJSON {
    /// The `format` value this version reads and writes.
    public static let format = "retort-metadata/1"

    // MARK: Reading

    /// Reads the metadata JSON file at `path` (see ``parse(_:file:)``).
    public static func read(contentsOf path: String) throws -> MetaData {
        try parse(try contents(of: path), file: path)
    }

    /// The bytes of the file at `path`, or the error that says it cannot be read.
    package static func contents(of path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MetadataJSONError("cannot read the metadata file \(path)",
                                    hint: "check the path given to --metadata (it is relative to the current directory)")
        }
        return data
    }

    /// Parses metadata JSON into a Core ``MetaData`` (names the JSON leaves out follow the
    /// default naming convention; a name written out as the convention makes it is still
    /// the convention's). `file` is used in error messages; every mistake is a
    /// ``MetadataJSONError`` naming the file and the place in it.
    public static func parse(_ data: Data, file: String = "metadata JSON") throws -> MetaData {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            guard let place = JSONSyntax.firstError(in: Array(data)) else {
                throw MetadataJSONError("\(file) is not valid JSON: \(error.localizedDescription)",
                                   hint: "`migrator metadata` prints a valid example")
            }
            throw MetadataJSONError("not valid JSON: expected \(place.expected)", at: (file, place.line, place.column),
                                    hint: "`migrator metadata` prints a valid example")
        }
        let r = Reader(file: file)
        let top = try r.object(root, "the document", allowed: ["format", "enums", "sequences", "tables"])
        let format = try r.string(top["format"], "'format'")
        guard format == MetadataJSON.format else {
            throw MetadataJSONError("\(file): 'format' is '\(format)'; this migrator reads '\(MetadataJSON.format)'")
        }
        var enums: [String: [String]] = [:]
        for (i, e) in try r.array(top["enums"], "'enums'").enumerated() {
            let where_ = "enums[\(i)]"
            let o = try r.object(e, where_, allowed: ["name", "values"])
            enums[try r.string(o["name"], "\(where_).name")] = try r.strings(o["values"], "\(where_).values")
        }
        let metadata = MetaData()
        for (i, s) in try r.array(top["sequences"], "'sequences'").enumerated() {
            let o = try r.object(s, "sequences[\(i)]", allowed: ["name"] + SequenceOptions.fieldNames)
            metadata.add(DatabaseSequence(try r.string(o["name"], "sequences[\(i)].name"),
                                          options: try r.sequenceOptions(o, "sequences[\(i)]")))
        }
        for (i, t) in try r.array(top["tables"], "'tables'").enumerated() {
            try table(t, at: "tables[\(i)]", enums: enums, reader: r, into: metadata)
        }
        return metadata
    }

    private static func table(_ value: Any, at place: String, enums: [String: [String]], reader r: Reader,
                              into metadata: MetaData) throws {
        let o = try r.object(value, place, allowed: ["name", "comment", "columns", "primary_key", "foreign_keys",
                                                      "unique_constraints", "check_constraints", "indexes"])
        let name = try r.string(o["name"], "\(place).name")
        let at = "table '\(name)'"
        var elements: [any TableElement] = []
        for (i, c) in try r.array(o["columns"], "\(at) columns").enumerated() {
            let cw = "\(at) columns[\(i)]"
            let co = try r.object(c, cw, allowed: ["name", "type", "nullable", "primary_key", "autoincrement",
                                                   "server_default", "comment", "collation", "identity", "computed"])
            let typeName = try r.string(co["type"], "\(cw).type")
            let type: SQLType
            do {
                type = try SQLType(name: typeName, enums: enums)
            } catch let e as ArgumentError {
                throw MetadataJSONError("\(r.file): \(cw): \(e.message)")
            }
            if let def = type.enumDefinition, def.values.isEmpty {
                throw MetadataJSONError("\(r.file): \(cw) has type \(typeName), but 'enums' does not declare '\(def.name)'",
                                   hint: "add {\"name\": \"\(def.name)\", \"values\": [...]} to 'enums'")
            }
            var column = Column(
                try r.string(co["name"], "\(cw).name"), type, nullable: try r.optionalBool(co["nullable"], "\(cw).nullable") ?? true,
                primaryKey: try r.optionalBool(co["primary_key"], "\(cw).primary_key") ?? false,
                autoincrement: try r.optionalBool(co["autoincrement"], "\(cw).autoincrement"),
                serverDefault: try r.optionalString(co["server_default"], "\(cw).server_default").map { .sql($0) },
                comment: try r.optionalString(co["comment"], "\(cw).comment"))
            column.collation = try r.optionalString(co["collation"], "\(cw).collation")
            if let i = co["identity"], !(i is NSNull) {
                let io = try r.object(i, "\(cw).identity", allowed: ["always"] + SequenceOptions.fieldNames)
                column.identity = Identity(always: try r.optionalBool(io["always"], "\(cw).identity.always") ?? false,
                                           options: try r.sequenceOptions(io, "\(cw).identity"))
            }
            if let c = co["computed"], !(c is NSNull) {
                let o = try r.object(c, "\(cw).computed", allowed: ["sql", "stored"])
                column.computed = Computed(try r.string(o["sql"], "\(cw).computed.sql"),
                                           stored: try r.optionalBool(o["stored"], "\(cw).computed.stored"))
            }
            elements.append(column)
        }
        if let pk = o["primary_key"], !(pk is NSNull) {
            let po = try r.object(pk, "\(at) primary_key", allowed: ["name", "columns"])
            elements.append(PrimaryKeyConstraint(columns: try r.strings(po["columns"], "\(at) primary_key.columns"),
                                                 name: try r.optionalString(po["name"], "\(at) primary_key.name")))
        }
        for (i, f) in try r.array(o["foreign_keys"], "\(at) foreign_keys").enumerated() {
            let fw = "\(at) foreign_keys[\(i)]"
            let fo = try r.object(f, fw, allowed: ["name", "columns", "ref_table", "ref_columns", "on_delete", "on_update"])
            func action(_ key: String) throws -> ReferentialAction? {
                guard let s = try r.optionalString(fo[key], "\(fw).\(key)") else { return nil }
                guard let a = ReferentialAction(sql: s) else {
                    throw MetadataJSONError("\(r.file): \(fw).\(key) is '\(s)'",
                                       hint: "use one of " + ReferentialAction.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return a
            }
            elements.append(ForeignKeyConstraint(
                try r.strings(fo["columns"], "\(fw).columns"), references: try r.string(fo["ref_table"], "\(fw).ref_table"),
                try r.strings(fo["ref_columns"], "\(fw).ref_columns"), name: try r.optionalString(fo["name"], "\(fw).name"),
                onDelete: try action("on_delete"), onUpdate: try action("on_update")))
        }
        for (i, u) in try r.array(o["unique_constraints"], "\(at) unique_constraints").enumerated() {
            let uw = "\(at) unique_constraints[\(i)]"
            let uo = try r.object(u, uw, allowed: ["name", "columns"])
            elements.append(UniqueConstraint(columns: try r.strings(uo["columns"], "\(uw).columns"),
                                             name: try r.optionalString(uo["name"], "\(uw).name")))
        }
        for (i, c) in try r.array(o["check_constraints"], "\(at) check_constraints").enumerated() {
            let kw = "\(at) check_constraints[\(i)]"
            let ko = try r.object(c, kw, allowed: ["name", "condition"])
            elements.append(CheckConstraint(try r.string(ko["condition"], "\(kw).condition"),
                                            name: try r.optionalString(ko["name"], "\(kw).name")))
        }
        for (i, x) in try r.array(o["indexes"], "\(at) indexes").enumerated() {
            let iw = "\(at) indexes[\(i)]"
            let io = try r.object(x, iw, allowed: ["name", "columns", "expressions", "unique", "where", "mysql_length"])
            let name = try r.optionalString(io["name"], "\(iw).name")
            let unique = try r.optionalBool(io["unique"], "\(iw).unique") ?? false
            let columns = try r.strings(io["columns"], "\(iw).columns")
            let expressions = try r.strings(io["expressions"], "\(iw).expressions")
            guard columns.isEmpty != expressions.isEmpty else {
                throw MetadataJSONError("\(r.file): \(iw) needs either 'columns' or 'expressions' (not both)")
            }
            var ix = columns.isEmpty
                ? Index(expressions: Index.elements(sql: expressions), name: name, unique: unique)
                : Index(columns: columns, name: name, unique: unique)
            if let w = try r.optionalString(io["where"], "\(iw).where") { ix = ix.where(w) }
            ix.mysqlLength = try r.prefixLengths(io["mysql_length"], "\(iw).mysql_length", columns: columns)
            elements.append(ix)
        }
        let t = Table(name, metadata, elements: elements, comment: try r.optionalString(o["comment"], "\(at) comment"))
        if let problem = t.problems.first {
            throw MetadataJSONError("\(r.file): \(problem)")
        }
    }

    /// Reads JSON values, naming the place of any mistake.
    private struct Reader {
        let file: String

        func fail(_ message: String) -> MetadataJSONError { MetadataJSONError("\(file): \(message)") }

        func object(_ v: Any?, _ place: String, allowed: [String]) throws -> [String: Any] {
            guard let o = v as? [String: Any] else { throw fail("\(place) should be an object") }
            let unknown = o.keys.filter { !allowed.contains($0) }.sorted()
            if !unknown.isEmpty {
                let hint = unknown.compactMap { u in nearest(u, in: allowed).map { "'\(u)': did you mean '\($0)'?" } }
                throw MetadataJSONError("\(file): \(place) has unknown field\(unknown.count == 1 ? "" : "s") "
                                       + unknown.map { "'\($0)'" }.joined(separator: ", "),
                                   hint: hint.isEmpty ? "allowed fields: \(allowed.joined(separator: ", "))"
                                                      : hint.joined(separator: "; "))
            }
            return o
        }
        func array(_ v: Any?, _ place: String) throws -> [Any] {
            guard let v, !(v is NSNull) else { return [] }
            guard let a = v as? [Any] else { throw fail("\(place) should be a list") }
            return a
        }
        func string(_ v: Any?, _ place: String) throws -> String {
            guard let s = try optionalString(v, place) else { throw fail("\(place) is missing") }
            return s
        }
        func optionalString(_ v: Any?, _ place: String) throws -> String? {
            guard let v, !(v is NSNull) else { return nil }
            guard let s = v as? String else { throw fail("\(place) should be a string") }
            return s
        }
        func strings(_ v: Any?, _ place: String) throws -> [String] {
            try array(v, place).enumerated().map { i, s in
                guard let s = s as? String else { throw fail("\(place)[\(i)] should be a string") }
                return s
            }
        }
        func optionalInt(_ v: Any?, _ place: String) throws -> Int64? {
            guard let v, !(v is NSNull) else { return nil }
            guard let n = v as? NSNumber, !(v is Bool), n.doubleValue.rounded() == n.doubleValue else {
                throw fail("\(place) should be a whole number")
            }
            return n.int64Value
        }
        /// `start`, `increment`, `min_value`, `max_value`, `cycle`, `cache` of `o`.
        func sequenceOptions(_ o: [String: Any], _ place: String) throws -> SequenceOptions {
            SequenceOptions(start: try optionalInt(o["start"], "\(place).start"),
                            increment: try optionalInt(o["increment"], "\(place).increment"),
                            minValue: try optionalInt(o["min_value"], "\(place).min_value"),
                            maxValue: try optionalInt(o["max_value"], "\(place).max_value"),
                            cycle: try optionalBool(o["cycle"], "\(place).cycle") ?? false,
                            cache: try optionalInt(o["cache"], "\(place).cache"))
        }
        /// `{"body": 100}`: lengths of the index's own columns, each a positive integer.
        func prefixLengths(_ v: Any?, _ place: String, columns: [String]) throws -> [String: Int] {
            guard let v, !(v is NSNull) else { return [:] }
            guard let o = v as? [String: Any] else { throw fail("\(place) should be an object of column: length") }
            var lengths: [String: Int] = [:]
            for (column, n) in o {
                guard columns.contains(column) else { throw fail("\(place) names '\(column)', which is not one of the index's columns") }
                guard !(n is String), let n = n as? Int, n > 0 else { throw fail("\(place).\(column) should be a positive integer") }
                lengths[column] = n
            }
            return lengths
        }
        func optionalBool(_ v: Any?, _ place: String) throws -> Bool? {
            guard let v, !(v is NSNull) else { return nil }
            guard let b = v as? Bool, !(v is String) else { throw fail("\(place) should be true or false") }
            return b
        }
    }

    // MARK: Writing

    /// Renders `metadata` as metadata JSON (``MetaData/metadataJSON(dialect:)``).
    public static func render(_ metadata: MetaData, dialect: Dialect = .postgresql) -> String {
        metadata.metadataJSON(dialect: dialect)
    }

    /// A JSON string literal (also a valid YAML double-quoted scalar).
    package static func q(_ s: String) -> String { JSONText.quote(s) }
}

/// A mistake in metadata JSON: what is wrong and where (the file, and for a syntax
/// error the line and column), with what to do about it.
public struct MetadataJSONError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, starting with the file's name where the place is known only by path.
    public var message: String
    /// The file, line and column of a syntax error.
    public var location: (file: String, line: Int, column: Int)?
    /// What to do about it, when there is something to say.
    public var hint: String?

    /// An error saying `message`, at `location`, with `hint`.
    public init(_ message: String, at location: (file: String, line: Int, column: Int)? = nil, hint: String? = nil) {
        self.message = message
        self.location = location
        self.hint = hint
    }

    /// `file:line:column: message; hint`, as the migrator prints its errors.
    public var description: String {
        var s = ""
        if let location { s += "\(location.file):\(location.line):\(location.column): " }
        s += message
        if let hint { s += "; " + hint }
        return s
    }
}
