import SwiftDiagnostics
import SwiftSyntax

/// A `@Model` class as the macro reads it: the table arguments and the mapped
/// properties in declaration order, or the problems that stop the expansion.
///
/// Every role of `@Model` (and the accessor macro it attaches) reads the class through
/// this one type, so they agree on which properties are mapped and at which index.
struct ModelDeclaration {
    /// The class name.
    var name: String
    /// `public ` / `package ` / empty: the access the generated members need.
    var access: String
    /// `@Model(table:)`.
    var table: ExprSyntax?
    /// The unlabelled `@Model` arguments: constraints and indexes for `Table`.
    var elements: [ExprSyntax] = []
    var schema: ExprSyntax?
    var comment: ExprSyntax?
    var metadata: ExprSyntax?
    /// `@Model(versionId:)`: the property counting the row's versions, and the argument
    /// that names it (for diagnostics).
    var versionId: (name: String, argument: ExprSyntax)?
    /// `@Model(polymorphicOn:)`: the discriminator property of an inheritance root.
    var polymorphicOn: (name: String, argument: ExprSyntax)?
    /// `@Model(identity:)`: the class's discriminator value.
    var identity: ExprSyntax?
    /// `@Model(subclasses:)`: the direct subclasses' names (`["Manager", "Engineer"]`).
    /// Names, not metatypes: checking `Manager.self` as a macro argument would need
    /// `Manager`'s own `@Model` expansion, which names this class (a cycle).
    var subclasses: [String] = []
    /// The superclass of a subclass in a hierarchy (`@Model(identity:)` without
    /// `polymorphicOn:`): the first type of the class's inheritance clause.
    var inherits: String?
    /// The mapped properties, index order (a subclass's own properties only).
    var properties: [MappedProperty] = []
    /// The `@Relationship` properties, declaration order (not columns; see
    /// RelationshipProperty.swift).
    var relationships: [RelationshipProperty] = []
    /// The class declares its own `deinit` (which calls `_state.objectWillDeinit(self)`),
    /// so `@Model` writes none.
    var declaresDeinit = false
    /// The root of a hierarchy declares `: ModelRelationships` (needed when it or any of
    /// its subclasses has a `@Relationship`).
    var declaresRelationshipsConformance = false
    /// What is wrong; the macro expands to nothing when this is not empty.
    var problems: [Problem] = []

    /// One mapped stored property.
    struct MappedProperty {
        /// The Swift property name as written (`` `default` `` keeps its backticks).
        let name: String
        /// The column name: `name:`, or the snake_case of the property name.
        let columnName: String
        let type: PropertyType
        let options: ColumnOptions
        /// Part of the primary key: `@Column(primaryKey: true)`, or the implied `id`.
        var primaryKey: Bool
        /// Where the property is declared (for diagnostics that concern it).
        let declaration: VariableDeclSyntax

        /// The name without backticks: `default` for `` `default` ``.
        var bareName: String { ModelDeclaration.bare(name) }
    }

    /// The private storage of mapped property `name`: `_$name`. (`_name` would collide
    /// with the members `Model` requires, `_state` for a property `state`.)
    static func storageName(_ name: String) -> String { "_$" + bare(name) }

    static func bare(_ name: String) -> String {
        name.hasPrefix("`") && name.hasSuffix("`") && name.count > 1 ? String(name.dropFirst().dropLast()) : name
    }

    /// Reads `declaration`, the declaration `@Model` is attached to.
    init(_ declaration: some DeclGroupSyntax, attribute: AttributeSyntax) {
        name = ""
        access = ""
        guard let classDecl = declaration.as(ClassDeclSyntax.self) else {
            let (keyword, kind) = ModelDeclaration.introducer(of: declaration)
            problems.append(Problem(
                keyword, "notAClass",
                "@Model applies to a final class; '\(ModelDeclaration.declaredName(of: declaration))' is \(kind)"))
            return
        }
        name = classDecl.name.text
        access = ModelDeclaration.accessPrefix(classDecl.modifiers)
        readArguments(attribute)
        if !classDecl.modifiers.contains(where: { $0.name.tokenKind == .keyword(.final) }), !isPolymorphic {
            problems.append(Problem(
                classDecl.classKeyword, "notFinal",
                "@Model classes must be final, unless they head an inheritance hierarchy (@Model(table:polymorphicOn:identity:subclasses:), or subclasses: on a subclass): the ORM creates instances of exactly the class a row names",
                fixIts: [ModelDeclaration.addFinal(classDecl)]))
        }
        if let generics = classDecl.genericParameterClause {
            problems.append(Problem(
                generics, "generic", "@Model classes cannot be generic: each model maps one table, held in a static property"))
        }
        if identity != nil, polymorphicOn == nil {
            guard let parent = classDecl.inheritanceClause?.inheritedTypes.first?.type.trimmedDescription else {
                problems.append(Problem(
                    classDecl.name, "noSuperclass",
                    "'\(name)' is mapped as a subclass (@Model(identity:)) but inherits no class; declare its superclass, "
                        + "such as: final class \(name): Employee, or give the root @Model(table:polymorphicOn:identity:subclasses:)"))
                return
            }
            inherits = parent
        }
        readMembers(classDecl.memberBlock)
        if inherits == nil { resolvePrimaryKey(classDecl) }
        checkVersionId()
        checkInheritance(classDecl)
    }

    /// In an inheritance hierarchy: the root or a class with subclasses (not final).
    var isPolymorphic: Bool { polymorphicOn != nil || !subclasses.isEmpty }

    /// The superclass of a subclass in a hierarchy.
    var parentName: String? { inherits }

    /// `polymorphicOn:` names a mapped property; the root declares its conformance; a
    /// subclass needs no key of its own.
    private mutating func checkInheritance(_ classDecl: ClassDeclSyntax) {
        guard problems.isEmpty else { return }
        if polymorphicOn != nil {
            let wanted = relationships.isEmpty ? "Model" : "ModelRelationships"
            let declared = classDecl.inheritanceClause?.inheritedTypes.map {
                $0.type.trimmedDescription.split(separator: ".").last.map(String.init) ?? ""
            } ?? []
            // A root without relationships of its own declares ModelRelationships when
            // its subclasses have some.
            declaresRelationshipsConformance = declared.contains("ModelRelationships")
            if !declared.contains(wanted) && !declaresRelationshipsConformance {
                problems.append(Problem(
                    classDecl.name, "rootConformance",
                    "the root of an inheritance hierarchy declares its conformance itself: class \(name): \(wanted) "
                        + "(ModelRelationships when it or any of its subclasses declares a @Relationship; a conformance a macro adds to a class with subclasses crashes Swift 6.3's type checker)"))
            }
        }
        if let polymorphicOn, !properties.contains(where: { $0.bareName == polymorphicOn.name }) {
            problems.append(Problem(
                polymorphicOn.argument, "polymorphicOnUnknown",
                "polymorphicOn: names '\(polymorphicOn.name)', which is not a mapped property of '\(name)'; declare it, "
                    + "such as: var \(polymorphicOn.name): String? (the flush writes each class's identity into it)"))
        }
        if inherits != nil, table == nil, let p = properties.first(where: \.primaryKey) {
            problems.append(Problem(
                p.declaration, "subclassPrimaryKey",
                "a single-table subclass shares its parent's primary key; '\(p.bareName)' cannot be part of it"))
        }
    }

    /// The index of the version counter among the mapped properties, when there is one.
    var versionIndex: Int? {
        guard let versionId else { return nil }
        return properties.firstIndex { $0.bareName == versionId.name }
    }

    /// `versionId:` must name a mapped integer property that is not part of the key.
    private mutating func checkVersionId() {
        guard let versionId else { return }
        guard let i = versionIndex else {
            problems.append(Problem(
                versionId.argument, "versionIdUnknown",
                "versionId: names '\(versionId.name)', which is not a mapped property of '\(name)'; its mapped properties are: "
                    + properties.map(\.bareName).joined(separator: ", ")))
            return
        }
        let p = properties[i]
        if p.primaryKey || !["Int", "Int64", "Int32"].contains(p.type.wrappedType) || p.options.type != nil {
            problems.append(Problem(
                p.declaration, "versionIdType",
                "the version counter '\(p.bareName)' must be an Int, Int32 or Int64 property outside the primary key, "
                    + "such as: var \(p.bareName): Int = 0 (the flush writes 1 at INSERT and adds 1 at each UPDATE)"))
        }
    }

    // MARK: Arguments

    private mutating func readArguments(_ attribute: AttributeSyntax) {
        guard let arguments = attribute.arguments?.as(LabeledExprListSyntax.self) else { return }
        for argument in arguments {
            switch argument.label?.text {
            case "table": table = argument.expression
            case "identity": identity = argument.expression
            case "subclasses":
                for element in argument.expression.as(ArrayExprSyntax.self)?.elements ?? [] {
                    guard let name = ColumnOptions.stringLiteral(element.expression) else {
                        problems.append(Problem(
                            element.expression, "subclassNotLiteral",
                            "subclasses: lists the subclasses' names as string literals, such as subclasses: [\"Manager\", \"Engineer\"]"))
                        continue
                    }
                    subclasses.append(name)
                }
            case "polymorphicOn":
                guard let name = ColumnOptions.stringLiteral(argument.expression) else {
                    problems.append(Problem(
                        argument.expression, "polymorphicOnNotLiteral",
                        "polymorphicOn: names the discriminator property with a string literal, such as polymorphicOn: \"type\""))
                    continue
                }
                polymorphicOn = (name, argument.expression)
            case "schema": schema = argument.expression
            case "comment": comment = argument.expression
            case "metadata":
                // `metadata: nil` is the default: the registry.
                metadata = argument.expression.is(NilLiteralExprSyntax.self) ? nil : argument.expression
            case "versionId":
                if argument.expression.is(NilLiteralExprSyntax.self) { continue }
                guard let name = ColumnOptions.stringLiteral(argument.expression) else {
                    problems.append(Problem(
                        argument.expression, "versionIdNotLiteral",
                        "versionId: names the version counter property with a string literal, such as versionId: \"version\""))
                    continue
                }
                versionId = (name, argument.expression)
            default: elements.append(argument.expression)
            }
        }
    }

    // MARK: Members

    private mutating func readMembers(_ block: MemberBlockSyntax) {
        var columnOwners: [String: String] = [:]
        for member in block.members {
            if let conditional = member.decl.as(IfConfigDeclSyntax.self), ModelDeclaration.declaresStoredProperty(conditional) {
                problems.append(Problem(
                    conditional, "conditionalProperty",
                    "stored properties inside #if cannot be mapped: a model maps one table whatever the build; move them out of #if, or mark them @Transient"))
                continue
            }
            if let deinitializer = member.decl.as(DeinitializerDeclSyntax.self) {
                readDeinit(deinitializer)
                continue
            }
            guard let variable = member.decl.as(VariableDeclSyntax.self) else { continue }
            guard let property = readProperty(variable) else { continue }
            if let other = columnOwners[property.columnName] {
                problems.append(Problem(
                    variable, "duplicateColumn",
                    "properties '\(other)' and '\(property.name)' both map to column '\(property.columnName)'; give one another name: with @Column(name:)"))
                continue
            }
            columnOwners[property.columnName] = property.name
            properties.append(property)
        }
    }

    /// A model's instances leave their session's identity map from `deinit`: `@Model`
    /// writes one, and a class that declares its own must make that call first.
    private mutating func readDeinit(_ deinitializer: DeinitializerDeclSyntax) {
        declaresDeinit = true
        guard let body = deinitializer.body else { return }
        if body.tokens(viewMode: .sourceAccurate).contains(where: { $0.text == "objectWillDeinit" }) { return }
        let call: CodeBlockItemSyntax = "_state.objectWillDeinit(self)"
        var items = Array(body.statements)
        let indent = items.first?.leadingTrivia ?? [.newlines(1), .spaces(8)]
        items.insert(call.with(\.leadingTrivia, indent), at: 0)
        problems.append(Problem(
            deinitializer.deinitKeyword, "deinitWithoutState",
            "a @Model class that declares 'deinit' must call '_state.objectWillDeinit(self)' first in it: that call takes the instance out of its session's identity map",
            fixIts: [FixIt(message: ModelFixIt(message: "insert '_state.objectWillDeinit(self)'"), changes: [
                .replace(oldNode: Syntax(body.statements), newNode: Syntax(CodeBlockItemListSyntax(items)))
            ])]))
    }

    /// The mapped property `variable` declares, or nil when it declares none (static,
    /// computed or @Transient) or is wrong (a problem is recorded).
    private mutating func readProperty(_ variable: VariableDeclSyntax) -> MappedProperty? {
        // A @Relationship property is not a column (RelationshipProperty.swift reads it).
        if let relationship = variable.attribute(named: "Relationship") {
            switch RelationshipProperty.read(variable, attribute: relationship) {
            case .value(let r): relationships.append(r)
            case .problem(let p): problems.append(p)
            }
            return nil
        }
        let column = variable.attribute(named: "Column")
        let transient = variable.attribute(named: "Transient")
        if variable.modifiers.contains(where: { [.keyword(.static), .keyword(.class)].contains($0.name.tokenKind) }) {
            if let column {
                problems.append(Problem(column, "staticColumn", "@Column applies to instance properties; a static property is not a column"))
            }
            return nil
        }
        let isComputed = variable.bindings.contains { binding in
            guard let accessors = binding.accessorBlock?.accessors else { return false }
            if case .accessors(let list) = accessors {
                return list.contains { [.keyword(.get), .keyword(.set), .keyword(._read), .keyword(._modify)].contains($0.accessorSpecifier.tokenKind) }
            }
            return true
        }
        if isComputed {
            if let column {
                problems.append(Problem(
                    column, "computedColumn",
                    "@Column applies to stored properties; '\(variable.bindings.first?.pattern.trimmedDescription ?? "")' is computed, so it has no column"))
            }
            return nil
        }
        if transient != nil {
            if let column {
                problems.append(Problem(column, "columnAndTransient", "a property is either a @Column or @Transient, not both"))
            }
            for binding in variable.bindings where binding.initializer == nil {
                let isOptionalVar = variable.bindingSpecifier.tokenKind == .keyword(.var)
                    && (binding.typeAnnotation?.type.is(OptionalTypeSyntax.self) ?? false)
                if !isOptionalVar {
                    problems.append(Problem(
                        binding, "transientWithoutValue",
                        "@Transient property '\(binding.pattern.trimmedDescription)' needs an initial value: objects loaded from the database get it, since it has no column"))
                }
            }
            return nil
        }
        guard variable.bindings.count == 1, let binding = variable.bindings.first else {
            problems.append(Problem(variable, "multipleBindings", "declare each mapped property with its own 'var'"))
            return nil
        }
        guard let pattern = binding.pattern.as(IdentifierPatternSyntax.self) else {
            problems.append(Problem(binding.pattern, "pattern", "a mapped property needs a plain name"))
            return nil
        }
        let name = pattern.identifier.text
        if variable.bindingSpecifier.tokenKind == .keyword(.let) {
            problems.append(Problem(
                variable.bindingSpecifier, "letProperty",
                "'let' property '\(name)' cannot be mapped: loading and refreshing set mapped properties; make it 'var', or mark it @Transient to keep it out of the table"))
            return nil
        }
        if variable.modifiers.contains(where: { $0.name.tokenKind == .keyword(.lazy) }) {
            problems.append(Problem(variable, "lazyProperty", "lazy property '\(name)' cannot be mapped; mark it @Transient"))
            return nil
        }
        if binding.accessorBlock != nil {
            problems.append(Problem(
                binding.accessorBlock!, "observers",
                "mapped property '\(name)' cannot have willSet/didSet observers: the macro writes its accessors"))
            return nil
        }
        let typeSyntax: TypeSyntax
        if let annotation = binding.typeAnnotation {
            typeSyntax = annotation.type
        } else if let value = binding.initializer?.value, let inferred = PropertyType.inferred(from: value) {
            typeSyntax = inferred
        } else {
            problems.append(Problem(
                binding.pattern, "noType", "mapped property '\(name)' needs a type annotation: its column type comes from it"))
            return nil
        }
        let type: PropertyType
        switch PropertyType.read(typeSyntax, property: name) {
        case .value(let t): type = t
        case .problem(let p):
            problems.append(p)
            return nil
        }
        let options: ColumnOptions
        switch ColumnOptions.read(column) {
        case .value(let o): options = o
        case .problem(let p):
            problems.append(p)
            return nil
        }
        return MappedProperty(
            name: name, columnName: options.name ?? Naming.snakeCase(ModelDeclaration.bare(name)), type: type, options: options,
            primaryKey: options.primaryKey ?? false, declaration: variable)
    }

    // MARK: Primary key

    /// An explicit key (a `@Column(primaryKey: true)` or a `PrimaryKeyConstraint`
    /// argument) wins; else a property named `id` is the key, unless it says
    /// `primaryKey: false`; else it is a problem.
    private mutating func resolvePrimaryKey(_ classDecl: ClassDeclSyntax) {
        guard problems.isEmpty else { return }
        if properties.contains(where: \.primaryKey) { return }
        let hasConstraint = elements.contains { element in
            guard let call = element.as(FunctionCallExprSyntax.self) else { return false }
            let callee = call.calledExpression.trimmedDescription
            return callee == "PrimaryKeyConstraint" || callee.hasSuffix(".PrimaryKeyConstraint")
        }
        if hasConstraint { return }
        if let i = properties.firstIndex(where: { $0.bareName == "id" && $0.options.primaryKey == nil }) {
            properties[i].primaryKey = true
            return
        }
        problems.append(Problem(
            classDecl.name, "noPrimaryKey",
            "'\(classDecl.name.text)' has no primary key: add a property 'id', mark one @Column(primaryKey: true), or pass PrimaryKeyConstraint(...) to @Model"))
    }

    // MARK: Helpers

    /// The index of the mapped property `name`, if `variable` is the declaration of one.
    func index(of variable: VariableDeclSyntax) -> Int? {
        guard !variable.modifiers.contains(where: { [.keyword(.static), .keyword(.class)].contains($0.name.tokenKind) }),
            variable.attribute(named: "Transient") == nil,
            let binding = variable.bindings.first, variable.bindings.count == 1,
            let name = binding.pattern.as(IdentifierPatternSyntax.self)?.identifier.text
        else { return nil }
        return properties.firstIndex { $0.name == name }
    }

    /// True when an `#if` block declares a stored instance property in one of its clauses.
    static func declaresStoredProperty(_ conditional: IfConfigDeclSyntax) -> Bool {
        for clause in conditional.clauses {
            guard case .decls(let members) = clause.elements else { continue }
            for member in members {
                guard let v = member.decl.as(VariableDeclSyntax.self),
                    !v.modifiers.contains(where: { [.keyword(.static), .keyword(.class)].contains($0.name.tokenKind) }),
                    v.attribute(named: "Transient") == nil
                else { continue }
                let stored = v.bindings.allSatisfy { binding in
                    guard let accessors = binding.accessorBlock?.accessors else { return true }
                    if case .accessors(let list) = accessors {
                        return list.allSatisfy { [.keyword(.willSet), .keyword(.didSet)].contains($0.accessorSpecifier.tokenKind) }
                    }
                    return false
                }
                if stored { return true }
            }
        }
        return false
    }

    static func accessPrefix(_ modifiers: DeclModifierListSyntax) -> String {
        for m in modifiers {
            switch m.name.tokenKind {
            case .keyword(.public), .keyword(.open): return "public "
            case .keyword(.package): return "package "
            default: continue
            }
        }
        return ""
    }

    /// Inserts `final` before `class`, after any other modifiers.
    private static func addFinal(_ classDecl: ClassDeclSyntax) -> FixIt {
        let keyword = classDecl.classKeyword
        let message = ModelFixIt(message: "add 'final'")
        if classDecl.modifiers.isEmpty {
            let final = DeclModifierSyntax(name: .keyword(.final, leadingTrivia: keyword.leadingTrivia, trailingTrivia: .space))
            return FixIt(message: message, changes: [
                .replace(oldNode: Syntax(classDecl.modifiers), newNode: Syntax(DeclModifierListSyntax([final]))),
                .replaceLeadingTrivia(token: keyword, newTrivia: []),
            ])
        }
        let final = DeclModifierSyntax(name: .keyword(.final, trailingTrivia: .space))
        return FixIt(message: message, changes: [
            .replace(oldNode: Syntax(classDecl.modifiers), newNode: Syntax(classDecl.modifiers + [final]))
        ])
    }

    private static func introducer(of decl: some DeclGroupSyntax) -> (Syntax, String) {
        if let s = decl.as(StructDeclSyntax.self) { return (Syntax(s.structKeyword), "a struct") }
        if let e = decl.as(EnumDeclSyntax.self) { return (Syntax(e.enumKeyword), "an enum") }
        if let a = decl.as(ActorDeclSyntax.self) { return (Syntax(a.actorKeyword), "an actor") }
        if let p = decl.as(ProtocolDeclSyntax.self) { return (Syntax(p.protocolKeyword), "a protocol") }
        if let x = decl.as(ExtensionDeclSyntax.self) { return (Syntax(x.extensionKeyword), "an extension") }
        return (Syntax(decl), "not a class")
    }

    private static func declaredName(of decl: some DeclGroupSyntax) -> String {
        if let s = decl.as(StructDeclSyntax.self) { return s.name.text }
        if let e = decl.as(EnumDeclSyntax.self) { return e.name.text }
        if let a = decl.as(ActorDeclSyntax.self) { return a.name.text }
        if let p = decl.as(ProtocolDeclSyntax.self) { return p.name.text }
        if let x = decl.as(ExtensionDeclSyntax.self) { return x.extendedType.trimmedDescription }
        return "the declaration"
    }
}
