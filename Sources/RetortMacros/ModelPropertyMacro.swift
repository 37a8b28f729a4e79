import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// `@_ModelProperty(index)`, which `@Model` attaches to each mapped stored property:
/// the property becomes accessors over private storage (`_$name`), and reports each read
/// and write to the instance's `ModelState` with its mapped index.
///
/// The `init` accessor keeps `self.name = name` working in the class's own
/// initialisers (it initialises the storage without reporting a change).
public struct ModelPropertyMacro: AccessorMacro, PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingAccessorsOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [AccessorDeclSyntax] {
        guard let (storage, _) = storage(of: declaration), let index = index(node) else { return [] }
        return [
            """
            @storageRestrictions(initializes: \(raw: storage))
            init(initialValue) {
                \(raw: storage) = initialValue
            }
            """,
            """
            get {
                _state.willRead(self, \(raw: index))
                return \(raw: storage)
            }
            """,
            """
            set {
                _state.willWrite(self, \(raw: index))
                \(raw: storage) = newValue
            }
            """,
        ]
    }

    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        guard let (storage, type) = storage(of: declaration) else { return [] }
        return ["private var \(raw: storage): \(type.trimmed)"]
    }

    /// The storage name (`_$name`) and the property's type, written or inferred.
    private static func storage(of declaration: some DeclSyntaxProtocol) -> (String, TypeSyntax)? {
        guard let variable = declaration.as(VariableDeclSyntax.self), variable.bindings.count == 1,
            let binding = variable.bindings.first,
            let name = binding.pattern.as(IdentifierPatternSyntax.self)?.identifier.text
        else { return nil }
        let type = binding.typeAnnotation?.type ?? binding.initializer.flatMap { PropertyType.inferred(from: $0.value) }
        guard let type else { return nil }
        return (ModelDeclaration.storageName(name), type)
    }

    /// The index: a literal, or (a subclass's property) `Manager._retortBase_Manager + 0`.
    private static func index(_ node: AttributeSyntax) -> String? {
        guard let arguments = node.arguments?.as(LabeledExprListSyntax.self), let first = arguments.first?.expression
        else { return nil }
        return first.trimmedDescription
    }
}
