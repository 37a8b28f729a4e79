import SwiftDiagnostics
import SwiftSyntax

/// A diagnostic of the Retort macros: an error at a node, with an optional fix-it.
struct ModelDiagnostic: DiagnosticMessage {
    let message: String
    let id: String
    let severity: DiagnosticSeverity

    var diagnosticID: MessageID { MessageID(domain: "RetortMacros", id: id) }

    static func error(_ message: String, id: String) -> ModelDiagnostic {
        ModelDiagnostic(message: message, id: id, severity: .error)
    }
}

/// The text of a fix-it.
struct ModelFixIt: FixItMessage {
    let message: String
    var fixItID: MessageID { MessageID(domain: "RetortMacros", id: message) }
}

/// A problem found while reading a declaration: where, and what to say.
struct Problem {
    let node: Syntax
    let message: ModelDiagnostic
    var fixIts: [FixIt] = []

    init(_ node: some SyntaxProtocol, _ id: String, _ message: String, fixIts: [FixIt] = []) {
        self.node = Syntax(node)
        self.message = .error(message, id: id)
        self.fixIts = fixIts
    }

    var diagnostic: Diagnostic { Diagnostic(node: node, message: message, fixIts: fixIts) }
}
