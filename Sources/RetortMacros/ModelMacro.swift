import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// `@Model(table:)`: maps a final class to a table.
///
/// - member role: the table mapping, the typed columns, the row decoder, the value
///   encoder and setter, and the per-instance ORM state;
/// - member-attribute role: `@_ModelProperty(i)` on each mapped stored property, which
///   turns it into accessors over private storage that report reads and writes;
/// - extension role: the `Model` conformance.
///
/// Problems are reported once, by the member role, at the declaration at fault; the
/// other roles then add nothing, so a mistake gives one message rather than a cascade.
public struct ModelMacro: MemberMacro, MemberAttributeMacro, ExtensionMacro {
    public static func expansion(
        of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax,
        conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        let model = ModelDeclaration(declaration, attribute: node)
        guard model.problems.isEmpty else {
            for problem in model.problems { context.diagnose(problem.diagnostic) }
            return []
        }
        return ModelCode(model).members
    }

    public static func expansion(
        of node: AttributeSyntax, attachedTo declaration: some DeclGroupSyntax,
        providingAttributesFor member: some DeclSyntaxProtocol, in context: some MacroExpansionContext
    ) throws -> [AttributeSyntax] {
        guard let variable = member.as(VariableDeclSyntax.self) else { return [] }
        let model = ModelDeclaration(declaration, attribute: node)
        guard model.problems.isEmpty, let index = model.index(of: variable) else { return [] }
        // A subclass's properties come after its inherited ones.
        if model.inherits != nil { return ["@_ModelProperty(\(raw: InheritanceCode(model).baseName) + \(raw: index))"] }
        return ["@_ModelProperty(\(raw: index))"]
    }

    public static func expansion(
        of node: AttributeSyntax, attachedTo declaration: some DeclGroupSyntax,
        providingExtensionsOf type: some TypeSyntaxProtocol, conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        let model = ModelDeclaration(declaration, attribute: node)
        // A subclass in a hierarchy inherits its root's conformance.
        guard model.problems.isEmpty, model.inherits == nil else { return [] }
        // Model always; ModelRelationships when the class declares a @Relationship
        // (RelationshipCode.swift writes its members).
        var wanted = ["Model"]
        if !model.relationships.isEmpty { wanted.append("ModelRelationships") }
        let requested = Set(protocols.map { $0.trimmedDescription.split(separator: ".").last.map(String.init) ?? "" })
        let conformances = wanted.filter(requested.contains).map { "RetortORM." + $0 }
        guard !conformances.isEmpty else { return [] }
        let decl: DeclSyntax = "extension \(type.trimmed): \(raw: conformances.joined(separator: ", ")) {}"
        return [decl.cast(ExtensionDeclSyntax.self)]
    }
}

/// The members `@Model` adds, as source text.
struct ModelCode {
    let model: ModelDeclaration

    init(_ model: ModelDeclaration) { self.model = model }

    var members: [DeclSyntax] {
        if model.inherits != nil { return InheritanceCode(model).subclassMembers + RelationshipCode(model).members }
        if model.isPolymorphic {
            return [state] + (model.declaresDeinit ? [] : [deinitializer])
                + InheritanceCode(model).rootMembers(decodingInit: decodingInit, column: column)
                + [columnsType, columns, valueAt, setValueAt] + RelationshipCode(model).members
        }
        return [state] + (model.declaresDeinit ? [] : [deinitializer])
            + [mapping, columnsType, columns, decodingInit, valueAt, setValueAt] + RelationshipCode(model).members
    }

    var access: String { model.access }
    private let support = "RetortORM.ModelColumnSupport"

    /// Stored in the instance (no object of its own). Unchecked: the ORM reads and
    /// writes it on the session's thread in short accesses, and the run-time checks
    /// were a noticeable part of loading a row.
    private var state: DeclSyntax {
        "@exclusivity(unchecked) \(raw: access)var _state = RetortORM.ModelState()"
    }

    /// Takes a dying instance out of its session's identity map.
    private var deinitializer: DeclSyntax {
        """
        deinit {
            _state.objectWillDeinit(self)
        }
        """
    }

    private var mapping: DeclSyntax {
        var arguments: [String] = []
        arguments.append(model.table?.trimmedDescription ?? "\"\"")
        arguments.append(model.metadata?.trimmedDescription ?? "RetortORM.ModelRegistry.metadata")
        arguments += model.properties.map(column)
        arguments += model.elements.map(\.trimmedDescription)
        if let schema = model.schema { arguments.append("schema: " + schema.trimmedDescription) }
        if let comment = model.comment { arguments.append("comment: " + comment.trimmedDescription) }
        let names = model.properties.map { "\"\($0.bareName)\"" }.joined(separator: ", ")
        let version = model.versionIndex.map { ",\nversion: \($0)" } ?? ""
        return """
            \(raw: access)static let mapping: RetortORM.ModelMapping = RetortORM.ModelMapping(
                table: RetortCore.Table(
                    \(raw: arguments.joined(separator: ",\n"))
                ),
                propertyNames: [\(raw: names)]\(raw: version)
            )
            """
    }

    /// `RetortCore.Column("author_id", .integer, nullable: true, foreignKey: "authors.id")`.
    func column(_ p: ModelDeclaration.MappedProperty) -> String { column(p, nullable: p.type.isOptional) }

    /// The column of `p`; `nullable` unless it is part of the key.
    func column(_ p: ModelDeclaration.MappedProperty, nullable: Bool) -> String {
        var parts = ["\"\(p.columnName)\"", p.options.type?.trimmedDescription ?? p.type.sqlType]
        if p.primaryKey {
            parts.append("primaryKey: true")
        } else {
            parts.append("nullable: \(nullable)")
        }
        for label in ColumnOptions.passThroughLabels {
            if let e = p.options.passThrough[label] { parts.append("\(label): \(e.trimmedDescription)") }
        }
        return "RetortCore.Column(" + parts.joined(separator: ", ") + ")"
    }

    private var columnsType: DeclSyntax {
        let lets = model.properties.map {
            "\(access)let \($0.name): RetortCore.SQLExpression<\($0.type.swiftType)>"
        }
        let assignments = model.properties.map {
            "self.\($0.name) = source.c.typed(\"\($0.columnName)\", \($0.type.metatype))"
        }
        return """
            \(raw: access)struct Columns: RetortORM.ModelColumns {
                \(raw: lets.joined(separator: "\n"))
                \(raw: access)init(_ source: any RetortCore.FromClause) {
                    \(raw: assignments.joined(separator: "\n"))
                }
            }
            """
    }

    private var columns: DeclSyntax {
        "\(raw: access)static let columns: Columns = Columns(mapping.table)"
    }

    var decodingInit: DeclSyntax {
        var lines = model.properties.map {
            "self.\(ModelDeclaration.storageName($0.name)) = try \(support).decode(&decoder, as: \($0.type.metatype), property: \"\(model.name).\($0.bareName)\")"
        }
        // An object read from a row has not loaded its relationships.
        if !model.relationships.isEmpty { lines.append("_state.markRelationshipsUnloaded()") }
        return """
            \(raw: access)\(raw: model.isPolymorphic ? "required " : "")init(_decoding decoder: inout RetortORM.ModelDecoder) throws {
                \(raw: lines.joined(separator: "\n"))
            }
            """
    }

    private var valueAt: DeclSyntax {
        let cases = model.properties.enumerated().map { i, p in
            "case \(i):\nreturn \(support).encode(self.\(ModelDeclaration.storageName(p.name)))"
        }
        return """
            \(raw: access)func _value(at index: Int) -> RetortCore.SQLValue {
                switch index {
                \(raw: cases.joined(separator: "\n"))
                default:
                    \(raw: support).noProperty(index, of: \(raw: model.name).self)
                }
            }
            """
    }

    private var setValueAt: DeclSyntax {
        let cases = model.properties.enumerated().map { i, p in
            "case \(i):\nself.\(ModelDeclaration.storageName(p.name)) = try \(support).decode(value, as: \(p.type.metatype), property: \"\(model.name).\(p.bareName)\")"
        }
        return """
            \(raw: access)func _setValue(_ value: RetortCore.SQLValue, at index: Int) throws {
                switch index {
                \(raw: cases.joined(separator: "\n"))
                default:
                    \(raw: support).noProperty(index, of: \(raw: model.name).self)
                }
            }
            """
    }
}
