import RetortMacros
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosTestSupport
import XCTest

/// `@Model` on the classes of an inheritance hierarchy: what it writes for a root and a
/// subclass, and the mistakes it refuses.
final class InheritanceMacroTests: XCTestCase {
    func testADiscriminatorThatIsNoPropertyIsRefused() {
        assertMacroExpansion(
            """
            @Model(table: "staff", polymorphicOn: "kind", identity: "staff", subclasses: [])
            class Staff: Model {
                var id: Int?
                var name: String
            }
            """,
            expandedSource: """
            class Staff: Model {
                var id: Int?
                var name: String
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "polymorphicOn: names 'kind', which is not a mapped property of 'Staff'; declare it, "
                        + "such as: var kind: String? (the flush writes each class's identity into it)",
                    line: 1, column: 39)
            ],
            macroSpecs: modelMacros)
    }

    func testAJoinedTableSubclass() {
        assertMacroExpansion(
            """
            @Model(identity: "manager", table: "managers")
            final class Manager: Staff {
                var budget: Int
            }
            """,
            expandedSource: """
            final class Manager: Staff {
                var budget: Int {
                    @storageRestrictions(initializes: _$budget)
                    init(initialValue) {
                        _$budget = initialValue
                    }
                    get {
                        _state.willRead(self, Manager._retortBase_Manager + 0)
                        return _$budget
                    }
                    set {
                        _state.willWrite(self, Manager._retortBase_Manager + 0)
                        _$budget = newValue
                    }
                }

                private var _$budget: Int

                override class var mapping: RetortORM.ModelMapping {
                    _retortMapping_Manager
                }

                private static let _retortMapping_Manager: RetortORM.ModelMapping = _make_retortMapping_Manager()

                private static func _make_retortMapping_Manager() -> RetortORM.ModelMapping {
                    RetortORM.ModelMapping(
                        inheriting: Staff.self,
                        model: Manager.self,
                        identity: "manager",
                        propertyNames: ["budget"],
                        columns: [RetortCore.Column("budget", .integer, nullable: false)],
                        table: "managers",
                        metadata: RetortORM.ModelRegistry.metadata,
                        elements: RetortORM.ModelMapping.tableElements([], []),
                        subclasses: []
                    )
                }

                /// The number of properties Manager inherits: its own are numbered from here.
                static let _retortBase_Manager: Int = _make_retortBase_Manager()

                private static func _make_retortBase_Manager() -> Int {
                    Staff.mapping.propertyNames.count
                }

                override class var _columnsForParentTable: [RetortCore.Column] {
                    []
                }

                /// The typed columns of the properties Manager declares (the inherited ones are
                /// its superclass's): `Manager.managerColumns.x`.
                struct ManagerColumns: Sendable {
                    let budget: RetortCore.SQLExpression<Int>
                    init(_ source: any RetortCore.FromClause) {
                        self.budget = source.c.typed("budget", Int.self)
                    }
                }

                static let managerColumns: ManagerColumns = _makeManagerColumns()

                private static func _makeManagerColumns() -> ManagerColumns {
                    ManagerColumns(mapping.tables.last!.table)
                }

                required init(_decoding decoder: inout RetortORM.ModelDecoder) throws {
                    let _start = decoder.index
                    decoder.index = _start + Manager._retortBase_Manager
                    self._$budget = try RetortORM.ModelColumnSupport.decode(&decoder, as: Int.self, property: "Manager.budget")
                    let _end = decoder.index
                    decoder.index = _start
                    try super.init(_decoding: &decoder)
                    decoder.index = _end
                }

                override func _value(at index: Int) -> RetortCore.SQLValue {
                    switch index - Manager._retortBase_Manager {
                    case 0:
                        return RetortORM.ModelColumnSupport.encode(self._$budget)
                    default:
                        return super._value(at: index)
                    }
                }

                override func _setValue(_ value: RetortCore.SQLValue, at index: Int) throws {
                    switch index - Manager._retortBase_Manager {
                    case 0:
                        self._$budget = try RetortORM.ModelColumnSupport.decode(value, as: Int.self, property: "Manager.budget")
                    default:
                        try super._setValue(value, at: index)
                    }
                }
            }
            """,
            macroSpecs: modelMacros)
    }
}
