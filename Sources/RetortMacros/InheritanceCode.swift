import SwiftSyntax
import SwiftSyntaxBuilder

/// The members `@Model` writes for the classes of an inheritance hierarchy: the root
/// (`@Model(table:polymorphicOn:identity:subclasses:)`, a non-final class) and its
/// subclasses (`@Model(inherits:identity:)`, `table:` for a table of their own).
///
/// Class members that differ per class are overridable (`class var mapping`); storage
/// is in statics whose names carry the class name (a subclass cannot redeclare a static
/// of its superclass). A subclass's mapped properties are numbered after its inherited
/// ones; its row decoder reads its own properties and then calls the superclass's.
struct InheritanceCode {
    let model: ModelDeclaration

    init(_ model: ModelDeclaration) { self.model = model }

    private let support = "RetortORM.ModelColumnSupport"
    private var access: String { model.access }

    /// The static holding the number of inherited properties (a subclass's first index).
    var baseName: String { "\(model.name)._retortBase_\(model.name)" }

    /// The columns each single-table subclass adds to this class's table (simple
    /// expressions: the type checker meets them while the subclasses' own `@Model`
    /// expansions may still be pending).
    private var childColumns: String {
        "[" + model.subclasses.map { "\($0)._columnsForParentTable" }.joined(separator: ", ") + "]"
    }

    private var metadata: String { model.metadata?.trimmedDescription ?? "RetortORM.ModelRegistry.metadata" }

    private var identity: String { model.identity?.trimmedDescription ?? "nil" }

    private var subclassesArgument: String {
        "[" + model.subclasses.map { $0 + ".self" }.joined(separator: ", ") + "]"
    }

    // MARK: Root

    func rootMembers(decodingInit: DeclSyntax, column: (ModelDeclaration.MappedProperty) -> String) -> [DeclSyntax] {
        var elements = model.properties.map(column)
        elements += model.elements.map(\.trimmedDescription)
        var tableArguments = ["\(model.table?.trimmedDescription ?? "\"\""), \(metadata)",
                              "elements: RetortORM.ModelMapping.tableElements([\(elements.joined(separator: ",\n"))], \(childColumns))"]
        if let schema = model.schema { tableArguments.append("schema: " + schema.trimmedDescription) }
        if let comment = model.comment { tableArguments.append("comment: " + comment.trimmedDescription) }
        let names = model.properties.map { "\"\($0.bareName)\"" }.joined(separator: ", ")
        let storage = "_retortMapping_\(model.name)"
        return [
            """
            \(raw: access)class var mapping: RetortORM.ModelMapping { \(raw: storage) }
            """,
            """
            private static let \(raw: storage): RetortORM.ModelMapping = _make\(raw: storage)()
            """,
            """
            /// Built in a function body, which the compiler checks after the class's
            /// declarations (an initializer expression naming the subclasses is checked
            /// with them, and crashes Swift 6.3 while their conformances are incomplete).
            private static func _make\(raw: storage)() -> RetortORM.ModelMapping {
                RetortORM.ModelMapping(
                root: \(raw: model.name).self,
                table: RetortCore.Table(
                    \(raw: tableArguments.joined(separator: ",\n"))
                ),
                propertyNames: [\(raw: names)],
                polymorphicOn: \(raw: model.polymorphicOn.map { "\"\($0.name)\"" } ?? "\"\""),
                identity: \(raw: identity),
                subclasses: \(raw: subclassesArgument)\(raw: model.versionId.map { ",\nversionId: \"\($0.name)\"" } ?? "")
                )
            }
            """,
            """
            /// The columns this class adds to its parent's table (a single-table subclass's).
            \(raw: access)class var _columnsForParentTable: [RetortCore.Column] { [] }
            """,
            decodingInit,
        ]
    }

    // MARK: Subclass

    var subclassMembers: [DeclSyntax] {
        let parent = model.parentName ?? ""
        let name = model.name
        let single = model.table == nil
        let ownColumns = model.properties.map { ModelCode(model).column($0, nullable: single || $0.type.isOptional) }
        let names = model.properties.map { "\"\($0.bareName)\"" }.joined(separator: ", ")
        let storage = "_retortMapping_\(name)"
        var arguments = [
            "inheriting: \(parent).self", "model: \(name).self", "identity: \(identity)", "propertyNames: [\(names)]",
            "columns: [\(ownColumns.joined(separator: ",\n"))]", "table: \(model.table?.trimmedDescription ?? "nil")",
            "metadata: \(metadata)",
        ]
        if !single {
            let elements = model.elements.map(\.trimmedDescription).joined(separator: ", ")
            arguments.append("elements: RetortORM.ModelMapping.tableElements([\(elements)], \(childColumns))")
        }
        arguments.append("subclasses: \(subclassesArgument)")
        if let schema = model.schema { arguments.append("schema: " + schema.trimmedDescription) }
        if let comment = model.comment { arguments.append("comment: " + comment.trimmedDescription) }
        let parentColumns = single ? "RetortORM.ModelMapping.tableColumns([\(ownColumns.joined(separator: ",\n"))], \(childColumns))" : "[]"

        let lowered = name.prefix(1).lowercased() + name.dropFirst()
        let lets = model.properties.map { "\(access)let \($0.name): RetortCore.SQLExpression<\($0.type.swiftType)>" }
        let assignments = model.properties.map {
            "self.\($0.name) = source.c.typed(\"\($0.columnName)\", \($0.type.metatype))"
        }
        var decodes = model.properties.map {
            "self.\(ModelDeclaration.storageName($0.name)) = try \(support).decode(&decoder, as: \($0.type.metatype), property: \"\(name).\($0.bareName)\")"
        }
        if decodes.isEmpty { decodes = ["_ = decoder"] }
        let valueCases = model.properties.enumerated().map { i, p in
            "case \(i):\nreturn \(support).encode(self.\(ModelDeclaration.storageName(p.name)))"
        }
        let setCases = model.properties.enumerated().map { i, p in
            "case \(i):\nself.\(ModelDeclaration.storageName(p.name)) = try \(support).decode(value, as: \(p.type.metatype), property: \"\(name).\(p.bareName)\")"
        }
        let relationships = model.relationships.isEmpty ? "" : "\n_state.markRelationshipsUnloaded()"
        return [
            "\(raw: access)override class var mapping: RetortORM.ModelMapping { \(raw: storage) }",
            """
            private static let \(raw: storage): RetortORM.ModelMapping = _make\(raw: storage)()
            """,
            """
            private static func _make\(raw: storage)() -> RetortORM.ModelMapping {
                RetortORM.ModelMapping(
                    \(raw: arguments.joined(separator: ",\n"))
                )
            }
            """,
            """
            /// The number of properties \(raw: name) inherits: its own are numbered from here.
            static let _retortBase_\(raw: name): Int = _make_retortBase_\(raw: name)()
            """,
            """
            private static func _make_retortBase_\(raw: name)() -> Int { \(raw: parent).mapping.propertyNames.count }
            """,
            """
            \(raw: access)override class var _columnsForParentTable: [RetortCore.Column] { \(raw: parentColumns) }
            """,
            """
            /// The typed columns of the properties \(raw: name) declares (the inherited ones are
            /// its superclass's): `\(raw: name).\(raw: lowered)Columns.x`.
            \(raw: access)struct \(raw: name)Columns: Sendable {
                \(raw: lets.joined(separator: "\n"))
                \(raw: access)init(_ source: any RetortCore.FromClause) {
                    \(raw: assignments.joined(separator: "\n"))
                }
            }
            """,
            """
            \(raw: access)static let \(raw: lowered)Columns: \(raw: name)Columns = _make\(raw: name)Columns()
            """,
            """
            private static func _make\(raw: name)Columns() -> \(raw: name)Columns { \(raw: name)Columns(mapping.tables.last!.table) }
            """,
            """
            \(raw: access)required init(_decoding decoder: inout RetortORM.ModelDecoder) throws {
                let _start = decoder.index
                decoder.index = _start + \(raw: baseName)
                \(raw: decodes.joined(separator: "\n"))
                let _end = decoder.index
                decoder.index = _start
                try super.init(_decoding: &decoder)
                decoder.index = _end\(raw: relationships)
            }
            """,
            """
            \(raw: access)override func _value(at index: Int) -> RetortCore.SQLValue {
                switch index - \(raw: baseName) {
                \(raw: (valueCases + ["default:\nreturn super._value(at: index)"]).joined(separator: "\n"))
                }
            }
            """,
            """
            \(raw: access)override func _setValue(_ value: RetortCore.SQLValue, at index: Int) throws {
                switch index - \(raw: baseName) {
                \(raw: (setCases + ["default:\ntry super._setValue(value, at: index)"]).joined(separator: "\n"))
                }
            }
            """,
        ]
    }
}
