import SwiftSyntax

/// One `@Relationship` property as the macros read it: its name, whether it holds one
/// object or a collection, the target model's type, and the attribute's arguments.
///
/// `@Model` (which lists the relationships and reports their misuse) and `@Relationship`
/// (which writes the property's accessors and storage) both read a property through
/// `read`, so they agree on what is valid.
struct RelationshipProperty {
    /// The Swift property name as written.
    let name: String
    /// `Author` for `Author?` or `[Author]`.
    let target: TypeSyntax
    /// True for `[Target]`.
    let isCollection: Bool
    /// The attribute's arguments, passed through to `RelationshipDeclaration`.
    let arguments: LabeledExprListSyntax?
    /// `backPopulates:` as written.
    let backPopulates: ExprSyntax?

    var bareName: String { ModelDeclaration.bare(name) }

    /// The labels `@Relationship` takes, in its parameter order.
    static let labels = ["secondary", "backPopulates", "foreignKeys", "uselist", "orderBy", "lazy", "cascade", "passiveDeletes", "postUpdate"]

    /// Reads `variable`, which carries `attribute` (its `@Relationship`).
    static func read(_ variable: VariableDeclSyntax, attribute: AttributeSyntax) -> Reading<RelationshipProperty> {
        if variable.modifiers.contains(where: { [.keyword(.static), .keyword(.class)].contains($0.name.tokenKind) }) {
            return .problem(Problem(attribute, "staticRelationship", "@Relationship applies to instance properties; a static property relates no rows"))
        }
        for other in ["Column", "Transient"] {
            if let a = variable.attribute(named: other) {
                return .problem(Problem(a, "relationshipAnd\(other)", "a @Relationship property is not a column; remove @\(other)"))
            }
        }
        guard variable.bindings.count == 1, let binding = variable.bindings.first,
            let name = binding.pattern.as(IdentifierPatternSyntax.self)?.identifier.text
        else {
            return .problem(Problem(variable, "relationshipBindings", "declare each @Relationship property with its own 'var'"))
        }
        if variable.bindingSpecifier.tokenKind == .keyword(.let) {
            return .problem(Problem(
                variable.bindingSpecifier, "letRelationship",
                "@Relationship property '\(name)' must be a 'var': assigning it is how objects are related"))
        }
        if let accessors = binding.accessorBlock {
            return .problem(Problem(
                accessors, "relationshipAccessors",
                "@Relationship property '\(name)' cannot have accessors or observers: the macro writes its accessors"))
        }
        if let initializer = binding.initializer {
            return .problem(Problem(
                initializer, "relationshipInitialValue",
                "@Relationship property '\(name)' cannot have an initial value: a new object starts with nil or an empty collection"))
        }
        guard let type = binding.typeAnnotation?.type else {
            return .problem(Problem(binding.pattern, "relationshipNoType", "@Relationship property '\(name)' needs a type: Target? or [Target]"))
        }
        let target: TypeSyntax
        let isCollection: Bool
        if let optional = type.as(OptionalTypeSyntax.self), ModelTypeName.isNamedType(optional.wrappedType) {
            target = optional.wrappedType
            isCollection = false
        } else if let array = type.as(ArrayTypeSyntax.self), ModelTypeName.isNamedType(array.element) {
            target = array.element
            isCollection = true
        } else if let generic = type.as(IdentifierTypeSyntax.self), generic.name.text == "Array",
            let argument = generic.genericArgumentClause?.arguments.first, generic.genericArgumentClause?.arguments.count == 1,
            let element = TypeSyntax(argument.argument), ModelTypeName.isNamedType(element)
        {
            target = element
            isCollection = true
        } else if ModelTypeName.isNamedType(type) {
            return .problem(Problem(
                type, "relationshipNotOptional",
                "to-one @Relationship '\(name)' must be optional, '\(type.trimmedDescription)?': it is nil until it is set"))
        } else {
            return .problem(Problem(
                type, "relationshipType",
                "@Relationship property '\(name)' must be of type Target? (one object) or [Target] (a collection), where Target is a @Model class; '\(type.trimmedDescription)' is neither"))
        }

        let arguments = attribute.arguments?.as(LabeledExprListSyntax.self)
        var backPopulates: ExprSyntax?
        var secondary: ExprSyntax?
        var uselist: (Bool, Syntax)?
        var postUpdate: Syntax?
        for argument in arguments ?? [] {
            let label = argument.label?.text ?? ""
            guard labels.contains(label) else {
                return .problem(Problem(argument, "relationshipArgument", "@Relationship has no argument '\(label)'"))
            }
            switch label {
            case "backPopulates": backPopulates = argument.expression
            case "secondary": secondary = argument.expression.is(NilLiteralExprSyntax.self) ? nil : argument.expression
            case "uselist":
                guard let b = argument.expression.as(BooleanLiteralExprSyntax.self) else {
                    return .problem(Problem(argument.expression, "uselistNotLiteral", "uselist: takes the literal true or false"))
                }
                uselist = (b.literal.tokenKind == .keyword(.true), Syntax(argument))
            case "postUpdate":
                guard let b = argument.expression.as(BooleanLiteralExprSyntax.self) else {
                    return .problem(Problem(argument.expression, "postUpdateNotLiteral", "postUpdate: takes the literal true or false"))
                }
                if b.literal.tokenKind == .keyword(.true) { postUpdate = Syntax(argument) }
            default: break
            }
        }
        if let (list, node) = uselist {
            if !list && secondary != nil {
                return .problem(Problem(
                    node, "uselistWithSecondary",
                    "uselist: false cannot go with secondary: a many-to-many through an association table relates collections"))
            }
            if list != isCollection {
                return .problem(Problem(
                    node, "uselistMismatch",
                    list
                        ? "uselist: true needs a collection; declare '\(name)' as [\(target.trimmedDescription)]"
                        : "uselist: false makes a one-to-one; declare '\(name)' as \(target.trimmedDescription)?"))
            }
        }
        if let postUpdate, secondary != nil {
            return .problem(Problem(
                postUpdate, "postUpdateWithSecondary",
                "postUpdate: true cannot go with secondary: a many-to-many writes rows of its association table, which has no foreign key to write later"))
        }
        if let secondary, !isCollection {
            return .problem(Problem(
                secondary, "secondaryToOne",
                "a many-to-many through secondary: relates collections; declare '\(name)' as [\(target.trimmedDescription)]"))
        }
        return .value(RelationshipProperty(
            name: name, target: target.trimmed, isCollection: isCollection, arguments: arguments, backPopulates: backPopulates))
    }

    /// `RetortORM.ToOneRelationship<Author>` / `RetortORM.ToManyRelationship<Book>`.
    var storageType: String {
        (isCollection ? "RetortORM.ToManyRelationship" : "RetortORM.ToOneRelationship") + "<\(target.trimmedDescription)>"
    }

    /// `_$author`.
    var storageName: String { ModelDeclaration.storageName(name) }
    /// Where the storage object is kept once allocated: `_$$name`.
    var allocatedStorageName: String { "_$$" + ModelDeclaration.bare(name) }
}

enum ModelTypeName {
    /// A plain or qualified type name (`Author`, `Library.Author`): what a model type can be.
    static func isNamedType(_ type: TypeSyntax) -> Bool {
        if let id = type.as(IdentifierTypeSyntax.self) {
            return id.genericArgumentClause == nil && !["String", "Int", "Double", "Bool", "Array", "Set", "Dictionary", "Optional"].contains(id.name.text)
        }
        return type.is(MemberTypeSyntax.self)
    }
}
