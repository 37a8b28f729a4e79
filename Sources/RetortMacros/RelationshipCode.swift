import SwiftSyntax

/// The members `@Model` adds for its `@Relationship` properties (none when it has
/// none): the declarations, the storage lookup by name and the key-path lookup that
/// `ModelRelationships` requires.
struct RelationshipCode {
    let model: ModelDeclaration

    init(_ model: ModelDeclaration) { self.model = model }

    var members: [DeclSyntax] {
        model.relationships.isEmpty ? [] : [declarations, slotLookup, existingSlotLookup, keyPathLookup]
    }

    private var access: String { model.access }

    /// `RetortORM.RelationshipDeclaration("author", Author.self, isCollection: false, metadata: ..., backPopulates: "books")`.
    private var declarations: DeclSyntax {
        let metadata = model.metadata?.trimmedDescription ?? "RetortORM.ModelRegistry.metadata"
        let items = model.relationships.map { r in
            var parts = ["\"\(r.bareName)\"", "\(r.target.trimmedDescription).self", "isCollection: \(r.isCollection)", "metadata: \(metadata)"]
            for argument in r.arguments ?? [] {
                parts.append("\(argument.label?.text ?? ""): \(argument.expression.trimmedDescription)")
            }
            return "RetortORM.RelationshipDeclaration(" + parts.joined(separator: ", ") + ")"
        }
        return """
            \(raw: access)static let relationshipDeclarations: [RetortORM.RelationshipDeclaration] = [
                \(raw: items.joined(separator: ",\n"))
            ]
            """
    }

    /// `_relationship(_:)`: the storage by name, allocated at first use.
    private var slotLookup: DeclSyntax { lookup("_relationship", \.storageName) }

    /// `_existingRelationship(_:)`: the storage by name if it was allocated.
    private var existingSlotLookup: DeclSyntax { lookup("_existingRelationship", \.allocatedStorageName) }

    private func lookup(_ function: String, _ storage: KeyPath<RelationshipProperty, String>) -> DeclSyntax {
        let cases = model.relationships.map { "case \"\($0.bareName)\":\nreturn \($0[keyPath: storage])" }
        return """
            \(raw: access)func \(raw: function)(_ name: String) -> (any RetortORM.RelationshipSlot)? {
                switch name {
                \(raw: cases.joined(separator: "\n"))
                default:
                    return nil
                }
            }
            """
    }

    private var keyPathLookup: DeclSyntax {
        let checks = model.relationships.map { "if keyPath == \\\(model.name).\($0.name) {\nreturn \"\($0.bareName)\"\n}" }
        return """
            \(raw: access)static func _relationshipName(for keyPath: AnyKeyPath) -> String? {
                \(raw: checks.joined(separator: "\n"))
                return nil
            }
            """
    }
}
