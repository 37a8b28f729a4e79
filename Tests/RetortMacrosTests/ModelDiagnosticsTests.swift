import RetortMacros
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosTestSupport
import XCTest

/// Every misuse `@Model` reports, at the line and column of the declaration at fault.
/// A model with a problem expands to nothing else, so the compiler adds no cascade.
final class ModelDiagnosticsTests: XCTestCase {
    func testStructEnumAndActorAreRefused() {
        assertMacroExpansion(
            """
            @Model(table: "points")
            struct Point {
                var id: Int
            }
            @Model(table: "colours")
            enum Colour {
                case red
            }
            @Model(table: "counters")
            actor Counter {
                var id = 0
            }
            """,
            expandedSource: """
            struct Point {
                var id: Int
            }
            enum Colour {
                case red
            }
            actor Counter {
                var id = 0
            }
            """,
            diagnostics: [
                DiagnosticSpec(message: "@Model applies to a final class; 'Point' is a struct", line: 2, column: 1),
                DiagnosticSpec(message: "@Model applies to a final class; 'Colour' is an enum", line: 6, column: 1),
                DiagnosticSpec(message: "@Model applies to a final class; 'Counter' is an actor", line: 10, column: 1),
            ],
            macroSpecs: modelMacros)
    }

    func testNonFinalClassIsRefusedWithAFixIt() {
        assertMacroExpansion(
            """
            @Model(table: "authors")
            public class Author {
                var id: Int?
            }
            """,
            expandedSource: """
            public class Author {
                var id: Int?
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@Model classes must be final, unless they head an inheritance hierarchy (@Model(table:polymorphicOn:identity:subclasses:), or subclasses: on a subclass): the ORM creates instances of exactly the class a row names",
                    line: 2, column: 8, fixIts: [FixItSpec(message: "add 'final'")])
            ],
            macroSpecs: modelMacros,
            applyFixIts: ["add 'final'"],
            fixedSource: """
            @Model(table: "authors")
            public final class Author {
                var id: Int?
            }
            """)
        assertMacroExpansion(
            """
            @Model(table: "authors")
            class Author {
                var id: Int?
            }
            """,
            expandedSource: """
            class Author {
                var id: Int?
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@Model classes must be final, unless they head an inheritance hierarchy (@Model(table:polymorphicOn:identity:subclasses:), or subclasses: on a subclass): the ORM creates instances of exactly the class a row names",
                    line: 2, column: 1, fixIts: [FixItSpec(message: "add 'final'")])
            ],
            macroSpecs: modelMacros,
            applyFixIts: ["add 'final'"],
            fixedSource: """
            @Model(table: "authors")
            final class Author {
                var id: Int?
            }
            """)
    }

    /// The identity map forgets an instance from its deinit: a model's own deinit must
    /// make that call first, and is offered a fix-it that inserts it.
    func testADeinitThatDoesNotLeaveTheIdentityMapIsRefusedWithAFixIt() {
        assertMacroExpansion(
            """
            @Model(table: "files")
            final class File {
                var id: Int?
                deinit {
                    print("bye")
                }
            }
            """,
            expandedSource: """
            final class File {
                var id: Int?
                deinit {
                    print("bye")
                }
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "a @Model class that declares 'deinit' must call '_state.objectWillDeinit(self)' first in it: that call takes the instance out of its session's identity map",
                    line: 4, column: 5, fixIts: [FixItSpec(message: "insert '_state.objectWillDeinit(self)'")])
            ],
            macroSpecs: modelMacros,
            applyFixIts: ["insert '_state.objectWillDeinit(self)'"],
            fixedSource: """
            @Model(table: "files")
            final class File {
                var id: Int?
                deinit {
                    _state.objectWillDeinit(self)
                    print("bye")
                }
            }
            """)
    }

    func testMissingPrimaryKey() {
        assertMacroExpansion(
            """
            @Model(table: "notes")
            final class Note {
                var body: String
            }
            """,
            expandedSource: """
            final class Note {
                var body: String
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "'Note' has no primary key: add a property 'id', mark one @Column(primaryKey: true), or pass PrimaryKeyConstraint(...) to @Model",
                    line: 2, column: 13)
            ],
            macroSpecs: modelMacros)
    }

    func testAnIdThatSaysItIsNoKeyIsNoKey() {
        assertMacroExpansion(
            """
            @Model(table: "events")
            final class Event {
                @Column(primaryKey: false) var id: Int
            }
            """,
            expandedSource: """
            final class Event {
                var id: Int
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "'Event' has no primary key: add a property 'id', mark one @Column(primaryKey: true), or pass PrimaryKeyConstraint(...) to @Model",
                    line: 2, column: 13)
            ],
            macroSpecs: modelMacros)
    }

    func testUnsupportedPropertyTypesAreRefusedAtTheirType() {
        assertMacroExpansion(
            """
            @Model(table: "bad")
            final class Bad {
                var id: Int?
                var tags: [String]
                var scores: [String: Int]
                var pair: (Int, Int)
                var callback: () -> Void
                var handler: @Sendable (Int) -> Void
                var members: Set<Int>
                var list: Array<String>?
                var shape: any Shape
                var big: UInt64
                var name: String!
                var twice: Int??
            }
            """,
            expandedSource: """
            final class Bad {
                var id: Int?
                var tags: [String]
                var scores: [String: Int]
                var pair: (Int, Int)
                var callback: () -> Void
                var handler: @Sendable (Int) -> Void
                var members: Set<Int>
                var list: Array<String>?
                var shape: any Shape
                var big: UInt64
                var name: String!
                var twice: Int??
            }
            """,
            diagnostics: [
                DiagnosticSpec(message: "property 'tags' has type '[String]', which cannot be a column: collections are not columns; mark it @Transient to keep it out of the table", line: 4, column: 15),
                DiagnosticSpec(message: "property 'scores' has type '[String: Int]', which cannot be a column: collections are not columns; mark it @Transient to keep it out of the table", line: 5, column: 17),
                DiagnosticSpec(message: "property 'pair' has type '(Int, Int)', which cannot be a column: tuples are not columns; declare one property per column, or mark it @Transient", line: 6, column: 15),
                DiagnosticSpec(message: "property 'callback' has type '() -> Void', which cannot be a column: closures are not columns; mark it @Transient", line: 7, column: 19),
                DiagnosticSpec(message: "property 'handler' has type '@Sendable (Int) -> Void', which cannot be a column: closures are not columns; mark it @Transient", line: 8, column: 18),
                DiagnosticSpec(message: "property 'members' has type 'Set<Int>', which cannot be a column: collections are not columns; mark it @Transient to keep it out of the table", line: 9, column: 18),
                DiagnosticSpec(message: "property 'list' has type 'Array<String>?', which cannot be a column: collections are not columns; mark it @Transient to keep it out of the table", line: 10, column: 15),
                DiagnosticSpec(message: "property 'shape' has type 'any Shape', which cannot be a column: a column needs a concrete type, not an existential or opaque one", line: 11, column: 16),
                DiagnosticSpec(message: "property 'big' has type 'UInt64', which cannot be a column: UInt64 has no column type; use Int64: SQL integers are signed", line: 12, column: 14),
                DiagnosticSpec(message: "property 'name' has type 'String!', which cannot be a column: implicitly unwrapped optionals are not mapped; write 'String?'", line: 13, column: 15),
                DiagnosticSpec(message: "property 'twice' has type 'Int??', which cannot be a column: a column is NULL or a value, so one level of optional is all it can hold", line: 14, column: 16),
            ],
            macroSpecs: modelMacros)
    }

    func testPropertyDeclarationsThatCannotBeMapped() {
        assertMacroExpansion(
            """
            @Model(table: "odd")
            final class Odd {
                let id: Int
                var guess = compute()
                lazy var cache: Int = 0
                var watched: Int = 0 {
                    didSet { print(watched) }
                }
                var a, b: Int
                @Column var area: Int { 4 }
                @Column static var shared: Int = 0
                @Column @Transient var both: Int = 0
                @Transient var noValue: Int
                @Transient var optional: Int?
                @Transient let fixed = 3
                @Column(name: prefix + "x") var named: Int
                @Column(primaryKey: isKey) var keyed: Int
                var first: String
                @Column(name: "first") var second: String
            }
            """,
            expandedSource: """
            final class Odd {
                let id: Int
                var guess = compute()
                lazy var cache: Int = 0
                var watched: Int = 0 {
                    didSet { print(watched) }
                }
                var a, b: Int
                var area: Int { 4 }
                static var shared: Int = 0
                var both: Int = 0
                var noValue: Int
                var optional: Int?
                let fixed = 3
                var named: Int
                var keyed: Int
                var first: String
                var second: String
            }
            """,
            diagnostics: [
                DiagnosticSpec(message: "'let' property 'id' cannot be mapped: loading and refreshing set mapped properties; make it 'var', or mark it @Transient to keep it out of the table", line: 3, column: 5),
                DiagnosticSpec(message: "mapped property 'guess' needs a type annotation: its column type comes from it", line: 4, column: 9),
                DiagnosticSpec(message: "lazy property 'cache' cannot be mapped; mark it @Transient", line: 5, column: 5),
                DiagnosticSpec(message: "mapped property 'watched' cannot have willSet/didSet observers: the macro writes its accessors", line: 6, column: 26),
                DiagnosticSpec(message: "declare each mapped property with its own 'var'", line: 9, column: 5),
                DiagnosticSpec(message: "@Column applies to stored properties; 'area' is computed, so it has no column", line: 10, column: 5),
                DiagnosticSpec(message: "@Column applies to instance properties; a static property is not a column", line: 11, column: 5),
                DiagnosticSpec(message: "a property is either a @Column or @Transient, not both", line: 12, column: 5),
                DiagnosticSpec(message: "@Transient property 'noValue' needs an initial value: objects loaded from the database get it, since it has no column", line: 13, column: 20),
                DiagnosticSpec(message: "the column name must be a string literal, such as name: \"author_id\"", line: 16, column: 19),
                DiagnosticSpec(message: "primaryKey: takes the literal true or false", line: 17, column: 25),
                DiagnosticSpec(message: "properties 'first' and 'second' both map to column 'first'; give one another name: with @Column(name:)", line: 19, column: 5),
            ],
            macroSpecs: modelMacros)
    }

    func testStoredPropertiesInsideIfConfigAreRefused() {
        assertMacroExpansion(
            """
            @Model(table: "flags")
            final class Flag {
                var id: Int?
                #if DEBUG
                var trace: String = ""
                #endif
            }
            """,
            expandedSource: """
            final class Flag {
                var id: Int?
                #if DEBUG
                var trace: String = ""
                #endif
            }
            """,
            diagnostics: [
                DiagnosticSpec(message: "stored properties inside #if cannot be mapped: a model maps one table whatever the build; move them out of #if, or mark them @Transient", line: 4, column: 5)
            ],
            macroSpecs: modelMacros)
    }

    func testGenericClassIsRefused() {
        assertMacroExpansion(
            """
            @Model(table: "boxes")
            final class Box<T> {
                var id: Int?
            }
            """,
            expandedSource: """
            final class Box<T> {
                var id: Int?
            }
            """,
            diagnostics: [
                DiagnosticSpec(message: "@Model classes cannot be generic: each model maps one table, held in a static property", line: 2, column: 16)
            ],
            macroSpecs: modelMacros)
    }

    func testColumnAndTransientOutsideAModelWarn() {
        assertMacroExpansion(
            """
            final class Plain {
                @Column(.text) var body: String = ""
                @Transient var cache = 0
            }
            """,
            expandedSource: """
            final class Plain {
                var body: String = ""
                var cache = 0
            }
            """,
            diagnostics: [
                DiagnosticSpec(message: "@Column has no effect outside a @Model class", line: 2, column: 5, severity: .warning),
                DiagnosticSpec(message: "@Transient has no effect outside a @Model class", line: 3, column: 5, severity: .warning),
            ],
            macroSpecs: modelMacros)
    }

    func testAVersionIdMustNameAnIntegerPropertyOutsideTheKey() {
        assertMacroExpansion(
            """
            @Model(table: "documents", versionId: "revision")
            final class Document {
                var id: Int?
                var version: Int
            }
            @Model(table: "notes", versionId: "version")
            final class Note {
                var id: Int?
                var version: String
            }
            """,
            expandedSource: """
            final class Document {
                var id: Int?
                var version: Int
            }
            final class Note {
                var id: Int?
                var version: String
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "versionId: names 'revision', which is not a mapped property of 'Document'; its mapped properties are: id, version",
                    line: 1, column: 39),
                DiagnosticSpec(
                    message: "the version counter 'version' must be an Int, Int32 or Int64 property outside the primary key, such as: var version: Int = 0 (the flush writes 1 at INSERT and adds 1 at each UPDATE)",
                    line: 9, column: 5),
            ],
            macroSpecs: modelMacros)
    }
}
