import SwiftCompilerPlugin
import SwiftSyntaxMacros

@main
struct RetortMacrosPlugin: CompilerPlugin {
    let providingMacros: [Macro.Type] = [
        ModelMacro.self,
        ModelPropertyMacro.self,
        ColumnMacro.self,
        TransientMacro.self,
        RelationshipMacro.self,
    ]
}
