import SwiftSyntax

/// The members `@Model` adds for its `@Relationship` properties (none when it has
/// none): the declarations, the storage lookup by name and the key-path lookup that
/// `ModelRelationships` requires.
struct RelationshipCode {
    let model: ModelDeclaration

    init(_ model: ModelDeclaration) { self.model = model }

    var members: [DeclSyntax] {
        if model.inherits != nil {
            return model.relationships.isEmpty ? [] : HierarchyRelationshipCode(model).subclassMembers
        }
        if model.isPolymorphic {
            // A root that declares ModelRelationships has the members even without
            // relationships of its own: its subclasses override them.
            return model.relationships.isEmpty && !model.declaresRelationshipsConformance ? [] : HierarchyRelationshipCode(model).rootMembers
        }
        return model.relationships.isEmpty ? [] : [declarations, slotLookup, existingSlotLookup, keyPathLookup]
    }

    private var access: String { model.access }

    /// `RetortORM.RelationshipDeclaration("author", Author.self, isCollection: false, metadata: ..., backPopulates: "books")`.
    private var declarations: DeclSyntax {
        """
        \(raw: access)static let relationshipDeclarations: [RetortORM.RelationshipDeclaration] = [
            \(raw: declarationItems.joined(separator: ",\n"))
        ]
        """
    }

    /// One `RelationshipDeclaration(...)` expression per relationship.
    var declarationItems: [String] {
        let metadata = model.metadata?.trimmedDescription ?? "RetortORM.ModelRegistry.metadata"
        return model.relationships.map { r in
            var parts = ["\"\(r.bareName)\"", "\(r.target.trimmedDescription).self", "isCollection: \(r.isCollection)", "metadata: \(metadata)"]
            for argument in r.arguments ?? [] {
                parts.append("\(argument.label?.text ?? ""): \(argument.expression.trimmedDescription)")
            }
            return "RetortORM.RelationshipDeclaration(" + parts.joined(separator: ", ") + ")"
        }
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

/// The relationship members of the classes of an inheritance hierarchy: overridable
/// (`class var`, non-final methods) on the root, overrides on each subclass that
/// declares relationships, each adding its own to what it inherits.
///
/// Key paths are compared in a generic helper over the class the lookup was asked on
/// (`\T.department` with `T` = `Manager` for `\Manager.department`): a key path names
/// the class it starts from, so an inherited relationship must be matched with the
/// subclass as its root.
struct HierarchyRelationshipCode {
    let model: ModelDeclaration

    init(_ model: ModelDeclaration) { self.model = model }

    private var access: String { model.access }
    private var name: String { model.name }

    private func cases(_ storage: KeyPath<RelationshipProperty, String>) -> [String] {
        model.relationships.map { "case \"\($0.bareName)\":\nreturn \($0[keyPath: storage])" }
    }

    private var keyPathChecks: String {
        (model.relationships.map { "if keyPath == \\T.\($0.name) {\nreturn \"\($0.bareName)\"\n}" } + ["return nil"])
            .joined(separator: "\n")
    }

    private var items: String { RelationshipCode(model).declarationItems.joined(separator: ",\n") }

    var rootMembers: [DeclSyntax] {
        [
            "\(raw: access)class var relationshipDeclarations: [RetortORM.RelationshipDeclaration] { _retortRelationships_\(raw: name) }",
            """
            private static let _retortRelationships_\(raw: name): [RetortORM.RelationshipDeclaration] = [
                \(raw: items)
            ]
            """,
            """
            \(raw: access)func _relationship(_ name: String) -> (any RetortORM.RelationshipSlot)? {
                switch name {
                \(raw: (cases(\.storageName) + ["default:\nreturn nil"]).joined(separator: "\n"))
                }
            }
            """,
            """
            \(raw: access)func _existingRelationship(_ name: String) -> (any RetortORM.RelationshipSlot)? {
                switch name {
                \(raw: (cases(\.allocatedStorageName) + ["default:\nreturn nil"]).joined(separator: "\n"))
                }
            }
            """,
            """
            \(raw: access)class func _relationshipName(for keyPath: AnyKeyPath) -> String? {
                _retortRelationshipName_\(raw: name)(keyPath, Self.self)
            }
            """,
            """
            private static func _retortRelationshipName_\(raw: name)<T: \(raw: name)>(_ keyPath: AnyKeyPath, _: T.Type) -> String? {
                \(raw: keyPathChecks)
            }
            """,
        ]
    }

    var subclassMembers: [DeclSyntax] {
        let parent = model.parentName ?? ""
        return [
            "\(raw: access)override class var relationshipDeclarations: [RetortORM.RelationshipDeclaration] { _retortRelationships_\(raw: name) }",
            """
            /// The inherited relationships, then \(raw: name)'s own. (A superclass without
            /// relationship members means the root does not declare `: ModelRelationships`.)
            private static let _retortRelationships_\(raw: name): [RetortORM.RelationshipDeclaration] = _make_retortRelationships_\(raw: name)()
            """,
            """
            private static func _make_retortRelationships_\(raw: name)() -> [RetortORM.RelationshipDeclaration] {
                \(raw: parent).relationshipDeclarations + [
                    \(raw: items)
                ]
            }
            """,
            """
            \(raw: access)override func _relationship(_ name: String) -> (any RetortORM.RelationshipSlot)? {
                switch name {
                \(raw: (cases(\.storageName) + ["default:\nreturn super._relationship(name)"]).joined(separator: "\n"))
                }
            }
            """,
            """
            \(raw: access)override func _existingRelationship(_ name: String) -> (any RetortORM.RelationshipSlot)? {
                switch name {
                \(raw: (cases(\.allocatedStorageName) + ["default:\nreturn super._existingRelationship(name)"]).joined(separator: "\n"))
                }
            }
            """,
            """
            \(raw: access)override class func _relationshipName(for keyPath: AnyKeyPath) -> String? {
                _retortRelationshipName_\(raw: name)(keyPath, Self.self) ?? super._relationshipName(for: keyPath)
            }
            """,
            """
            private static func _retortRelationshipName_\(raw: name)<T: \(raw: name)>(_ keyPath: AnyKeyPath, _: T.Type) -> String? {
                \(raw: keyPathChecks)
            }
            """,
        ]
    }
}
