import SwiftSyntax

/// What the macro learns from a mapped property's Swift type, syntactically: whether it
/// is optional, the type written plainly, and the SQL type to declare.
///
/// Standard types (`String`, `Int`, `Date`, ...) get their SQL type here. Any other
/// named type (an enum with a raw value, a type conforming to `ModelColumnValue`) is
/// resolved by the Swift compiler through the overloads of
/// `ModelColumnSupport.columnType(_:enumName:)`, so the macro never guesses what a name
/// it cannot see stands for.
struct PropertyType {
    /// The property's type for generated code, e.g. `Int?`, `BookFormat`.
    let swiftType: String
    /// The type without its optional: `Int` for `Int?`.
    let wrappedType: String
    /// `T?` or `Optional<T>`: the column is nullable.
    let isOptional: Bool
    /// An expression of type `SQLType`: `.string`, or a call of the runtime helper.
    let sqlType: String

    /// `(Int?).self`, `String.self`: a metatype expression of the property's type.
    var metatype: String { isOptional ? "(\(swiftType)).self" : "\(swiftType).self" }

    /// Standard library and Foundation types and the column type each maps to.
    static let standardTypes: [String: String] = [
        "String": ".string",
        "Int": ".integer",
        "Int64": ".bigint",
        "Int32": ".integer",
        "Int16": ".smallint",
        "Double": ".double",
        "Float": ".float",
        "Bool": ".boolean",
        "Date": ".datetime",
        "Decimal": ".numeric",
        "UUID": ".uuid",
        "Data": ".binary",
    ]

    /// Standard types that have no column type, and what to use instead.
    static let refusedScalars: [String: String] = [
        "UInt": "use Int or Int64: SQL integers are signed",
        "UInt8": "use Int16: SQL integers are signed",
        "UInt16": "use Int32: SQL integers are signed",
        "UInt32": "use Int64: SQL integers are signed",
        "UInt64": "use Int64: SQL integers are signed",
        "Int8": "use Int16 (smallint)",
        "Character": "use String",
        "Substring": "use String",
        "Any": "use a concrete type",
        "AnyObject": "use a concrete type",
        "Void": "a column needs a value type",
        "Never": "a column needs a value type",
    ]

    /// Collection types written by name (`Array<Int>`, `Set<String>`).
    static let collections: Set<String> = ["Array", "Set", "Dictionary", "ContiguousArray", "ArraySlice"]

    /// Reads `type`, or says why it cannot be a column (the problem points at the type).
    static func read(_ type: TypeSyntax, property: String) -> Reading<PropertyType> {
        let refuse = { (node: TypeSyntax, why: String) -> Reading<PropertyType> in
            .problem(Problem(
                node, "unsupportedType",
                "property '\(property)' has type '\(type.trimmedDescription)', which cannot be a column: \(why)"))
        }
        var wrapped = type
        var isOptional = false
        if let opt = type.as(OptionalTypeSyntax.self) {
            wrapped = opt.wrappedType
            isOptional = true
        } else if let inner = optionalArgument(type) {
            wrapped = inner
            isOptional = true
        } else if type.is(ImplicitlyUnwrappedOptionalTypeSyntax.self) {
            let inner = type.as(ImplicitlyUnwrappedOptionalTypeSyntax.self)!.wrappedType.trimmedDescription
            return refuse(type, "implicitly unwrapped optionals are not mapped; write '\(inner)?'")
        }
        if isOptional, wrapped.is(OptionalTypeSyntax.self) || optionalArgument(wrapped) != nil
            || wrapped.is(ImplicitlyUnwrappedOptionalTypeSyntax.self)
        {
            return refuse(type, "a column is NULL or a value, so one level of optional is all it can hold")
        }
        // `(Int)` is `Int`.
        while let tuple = wrapped.as(TupleTypeSyntax.self), tuple.elements.count == 1,
            let only = tuple.elements.first, only.firstName == nil
        {
            wrapped = only.type
        }

        let why: String?
        switch wrapped.as(TypeSyntaxEnum.self) {
        case .arrayType, .dictionaryType:
            why = "collections are not columns; mark it @Transient to keep it out of the table"
        case .tupleType:
            why = "tuples are not columns; declare one property per column, or mark it @Transient"
        case .functionType:
            why = "closures are not columns; mark it @Transient"
        case .attributedType(let attributed):
            why = attributed.baseType.is(FunctionTypeSyntax.self)
                ? "closures are not columns; mark it @Transient"
                : "attributed types are not columns"
        case .someOrAnyType, .compositionType:
            why = "a column needs a concrete type, not an existential or opaque one"
        case .metatypeType:
            why = "metatypes are not columns"
        case .identifierType(let id):
            let name = id.name.text
            if id.genericArgumentClause != nil, collections.contains(name) {
                why = "collections are not columns; mark it @Transient to keep it out of the table"
            } else if let hint = refusedScalars[name], id.genericArgumentClause == nil {
                why = "\(name) has no column type; \(hint)"
            } else {
                why = nil
            }
        case .memberType:
            why = nil
        default:
            why = "only named types can be columns"
        }
        if let why { return refuse(wrapped, why) }

        let wrappedText = wrapped.trimmedDescription
        let path = typePath(wrapped)
        let sqlType: String
        if let last = path.last, let standard = standardTypes[last],
            path.count == 1 || (path.count == 2 && ["Swift", "Foundation"].contains(path[0])),
            !hasGenericArguments(wrapped)
        {
            sqlType = standard
        } else {
            sqlType = "RetortORM.ModelColumnSupport.columnType(\(wrappedText).self, enumName: \"\(Naming.enumName(path))\")"
        }
        let swiftType = isOptional ? wrappedText + "?" : wrappedText
        return .value(PropertyType(swiftType: swiftType, wrappedType: wrappedText, isOptional: isOptional, sqlType: sqlType))
    }

    /// The type of a property declared without one, from its initial value when that is a
    /// literal or a call of a standard type's initialiser: `= 0` is `Int`, `= Date()` is `Date`.
    static func inferred(from value: ExprSyntax) -> TypeSyntax? {
        var expr = value
        if let prefix = expr.as(PrefixOperatorExprSyntax.self), prefix.operator.text == "-" {
            expr = prefix.expression
        }
        switch expr.as(ExprSyntaxEnum.self) {
        case .integerLiteralExpr: return "Int"
        case .floatLiteralExpr: return "Double"
        case .stringLiteralExpr: return "String"
        case .booleanLiteralExpr: return "Bool"
        case .functionCallExpr(let call):
            if let callee = call.calledExpression.as(DeclReferenceExprSyntax.self),
                standardTypes[callee.baseName.text] != nil
            {
                return TypeSyntax(IdentifierTypeSyntax(name: .identifier(callee.baseName.text)))
            }
            return nil
        default: return nil
        }
    }

    /// `Optional<T>` / `Swift.Optional<T>` → `T`.
    private static func optionalArgument(_ type: TypeSyntax) -> TypeSyntax? {
        let clause: GenericArgumentClauseSyntax?
        if let id = type.as(IdentifierTypeSyntax.self), id.name.text == "Optional" {
            clause = id.genericArgumentClause
        } else if let member = type.as(MemberTypeSyntax.self), member.name.text == "Optional",
            member.baseType.as(IdentifierTypeSyntax.self)?.name.text == "Swift"
        {
            clause = member.genericArgumentClause
        } else {
            return nil
        }
        guard let clause, clause.arguments.count == 1, let arg = clause.arguments.first else { return nil }
        return Syntax(arg.argument).as(TypeSyntax.self)
    }

    /// `Book.Format` → `["Book", "Format"]` (generic arguments left out).
    private static func typePath(_ type: TypeSyntax) -> [String] {
        if let id = type.as(IdentifierTypeSyntax.self) { return [id.name.text] }
        if let member = type.as(MemberTypeSyntax.self) { return typePath(member.baseType) + [member.name.text] }
        return [type.trimmedDescription]
    }

    private static func hasGenericArguments(_ type: TypeSyntax) -> Bool {
        if let id = type.as(IdentifierTypeSyntax.self) { return id.genericArgumentClause != nil }
        if let member = type.as(MemberTypeSyntax.self) { return member.genericArgumentClause != nil }
        return false
    }
}

/// A value read from syntax, or the problem that stopped the reading.
enum Reading<T> {
    case value(T)
    case problem(Problem)
}
