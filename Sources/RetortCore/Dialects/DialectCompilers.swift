/// The compiler pieces a ``Dialect`` overrides: it makes a fresh ``SQLCompiler`` and
/// ``DDLCompiler`` per statement and shares one stateless ``TypeCompiler``.
///
/// ```swift
/// let compiler = Dialect.sqlite.makeSQLCompiler()     // a SQLiteCompiler
/// try Dialect.postgresql.typeCompiler.typeName(.json) // "JSONB"
/// ```
public struct DialectCompilers: Sendable {
    /// Makes the dialect's SQL compiler (one per statement).
    public let makeSQLCompiler: @Sendable (Dialect) -> SQLCompiler
    /// Makes the dialect's DDL compiler (one per statement).
    public let makeDDLCompiler: @Sendable (Dialect) -> DDLCompiler
    /// The dialect's type compiler (stateless, shared).
    public let typeCompiler: TypeCompiler

    /// A dialect's compiler pieces.
    public init(
        makeSQLCompiler: @escaping @Sendable (Dialect) -> SQLCompiler,
        makeDDLCompiler: @escaping @Sendable (Dialect) -> DDLCompiler,
        typeCompiler: TypeCompiler
    ) {
        self.makeSQLCompiler = makeSQLCompiler
        self.makeDDLCompiler = makeDDLCompiler
        self.typeCompiler = typeCompiler
    }

    /// SQLite's pieces.
    public static let sqlite = DialectCompilers(
        makeSQLCompiler: { SQLiteCompiler(dialect: $0) },
        makeDDLCompiler: { SQLiteDDLCompiler(dialect: $0) },
        typeCompiler: SQLiteTypeCompiler(quoteIdentifier: quoteAsNeeded))

    /// PostgreSQL's pieces.
    public static let postgresql = DialectCompilers(
        makeSQLCompiler: { PostgreSQLCompiler(dialect: $0) },
        makeDDLCompiler: { PostgreSQLDDLCompiler(dialect: $0) },
        typeCompiler: PostgreSQLTypeCompiler(quoteIdentifier: quoteAsNeeded))
}

@Sendable private func quoteAsNeeded(_ name: String) -> String {
    IdentifierQuoting.isSafe(name) ? name : IdentifierQuoting.quote(name)
}

extension Dialect {
    /// A new SQL compiler for one statement.
    public func makeSQLCompiler() -> SQLCompiler { compilers.makeSQLCompiler(self) }
    /// A new DDL compiler for one statement.
    public func makeDDLCompiler() -> DDLCompiler { compilers.makeDDLCompiler(self) }
    /// The shared type compiler.
    public var typeCompiler: TypeCompiler { compilers.typeCompiler }
}
