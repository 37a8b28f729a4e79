import SwiftSyntax

/// The arguments of one `@Column(...)` attribute, as written.
struct ColumnOptions {
    /// The first, unlabelled argument: an explicit `SQLType` (`.string(255)`).
    var type: ExprSyntax?
    /// `name:`, which must be a string literal (the macro names the typed column with it).
    var name: String?
    /// `primaryKey:`, which must be a Boolean literal (the macro checks the model has a key).
    var primaryKey: Bool?
    /// Arguments passed through to Core's `Column` unchanged, by label.
    var passThrough: [String: ExprSyntax] = [:]

    /// The labels passed through, in the order of Core's `Column` initialiser.
    static let passThroughLabels = [
        "autoincrement", "default", "serverDefault", "unique", "index", "foreignKey", "onDelete", "onUpdate", "comment",
        "identity", "computed",
    ]

    /// Reads a `@Column` attribute; problems point at the argument at fault.
    static func read(_ attribute: AttributeSyntax?) -> Reading<ColumnOptions> {
        var options = ColumnOptions()
        guard let attribute, let arguments = attribute.arguments?.as(LabeledExprListSyntax.self) else {
            return .value(options)
        }
        for argument in arguments {
            let label = argument.label?.text
            switch label {
            case nil:
                options.type = argument.expression
            case "name":
                guard let literal = stringLiteral(argument.expression) else {
                    return .problem(Problem(
                        argument.expression, "columnNameNotLiteral",
                        "the column name must be a string literal, such as name: \"author_id\""))
                }
                options.name = literal
            case "primaryKey":
                guard let b = argument.expression.as(BooleanLiteralExprSyntax.self) else {
                    return .problem(Problem(
                        argument.expression, "primaryKeyNotLiteral", "primaryKey: takes the literal true or false"))
                }
                options.primaryKey = b.literal.tokenKind == .keyword(.true)
            case let label?:
                options.passThrough[label] = argument.expression
            }
        }
        return .value(options)
    }

    /// The text of a string literal without interpolation, or nil.
    static func stringLiteral(_ expr: ExprSyntax) -> String? {
        guard let literal = expr.as(StringLiteralExprSyntax.self) else { return nil }
        var text = ""
        for segment in literal.segments {
            guard let s = segment.as(StringSegmentSyntax.self) else { return nil }
            text += s.content.text
        }
        return text
    }
}

extension AttributeSyntax {
    /// The attribute's name without a module qualifier: `Column` for `@RetortORM.Column(...)`.
    var simpleName: String {
        if let id = attributeName.as(IdentifierTypeSyntax.self) { return id.name.text }
        if let member = attributeName.as(MemberTypeSyntax.self) { return member.name.text }
        return attributeName.trimmedDescription
    }
}

extension WithAttributesSyntax {
    /// The first attribute named `name` (`Column`, `Transient`), module-qualified or not.
    func attribute(named name: String) -> AttributeSyntax? {
        for element in attributes {
            if let a = element.as(AttributeSyntax.self), a.simpleName == name { return a }
        }
        return nil
    }
}
