import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// `@Relationship(...)` on a property of a `@Model` class: the property becomes
/// accessors over a relationship storage object (`_$name`, a `ToOneRelationship` or
/// `ToManyRelationship`, allocated at first use and kept in `_$$name`), which keeps the
/// loaded state and mirrors `backPopulates`.
///
/// `@Model` lists the relationship (in `relationshipDeclarations`) and reports misuse
/// of the property; this macro only writes the property's code when the property is
/// valid, and reports an error when it is outside a `@Model` class.
public struct RelationshipMacro: AccessorMacro, PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingAccessorsOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [AccessorDeclSyntax] {
        guard insideModel(context), let property = property(node, declaration) else { return [] }
        return [
            "get { \(raw: property.storageName).get(self) }",
            "set { \(raw: property.storageName).set(newValue, on: self) }",
        ]
    }

    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        guard insideModel(context) else {
            context.diagnose(Diagnostic(
                node: node,
                message: ModelDiagnostic.error(
                    "@Relationship applies to properties of a @Model class: it relates rows of two mapped tables", id: "relationshipOutsideModel")))
            return []
        }
        guard let property = property(node, declaration) else { return [] }
        var arguments = ["\"\(property.bareName)\""]
        if let back = property.backPopulates { arguments.append("backPopulates: \(back.trimmedDescription)") }
        arguments.append("loaded: !_state.relationshipsStartUnloaded")
        // The storage object is allocated at the relationship's first use: objects whose
        // relationships are never touched (most rows of a large query) carry none.
        let slot = property.storageName, stored = property.allocatedStorageName
        return [
            """
            private var \(raw: slot): \(raw: property.storageType) {
                if let slot = \(raw: stored) {
                    return slot
                }
                let slot = \(raw: property.storageType)(\(raw: arguments.joined(separator: ", ")))
                \(raw: stored) = slot
                return slot
            }
            """,
            "@exclusivity(unchecked) private var \(raw: stored): \(raw: property.storageType)?",
        ]
    }

    private static func property(_ node: AttributeSyntax, _ declaration: some DeclSyntaxProtocol) -> RelationshipProperty? {
        guard let variable = declaration.as(VariableDeclSyntax.self),
            case .value(let property) = RelationshipProperty.read(variable, attribute: node)
        else { return nil }
        return property
    }

    private static func insideModel(_ context: some MacroExpansionContext) -> Bool {
        let enclosing = context.lexicalContext.first { $0.isProtocol(DeclGroupSyntax.self) }
        return enclosing?.as(ClassDeclSyntax.self)?.attribute(named: "Model") != nil
    }
}
