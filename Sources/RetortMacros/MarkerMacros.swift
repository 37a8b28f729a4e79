import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// `@Column(...)`: options for one mapped property. It adds nothing itself: `@Model`
/// reads its arguments (and reports its misuse inside a model). Outside a `@Model`
/// type it would be silently ignored, so it warns there.
public struct ColumnMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        warnOutsideModel(node, "@Column", context)
        return []
    }
}

/// `@Transient`: keeps a stored property out of the table. It adds nothing itself;
/// `@Model` leaves the property alone and reports a missing initial value.
public struct TransientMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        warnOutsideModel(node, "@Transient", context)
        return []
    }
}

/// Warns when the innermost type around `node` is not marked `@Model`.
private func warnOutsideModel(_ node: AttributeSyntax, _ what: String, _ context: some MacroExpansionContext) {
    let enclosing = context.lexicalContext.first { $0.isProtocol(DeclGroupSyntax.self) }
    if let type = enclosing?.asProtocol(WithAttributesSyntax.self), type.attribute(named: "Model") != nil { return }
    context.diagnose(Diagnostic(
        node: node,
        message: ModelDiagnostic(
            message: "\(what) has no effect outside a @Model class", id: "outsideModel", severity: .warning)))
}
