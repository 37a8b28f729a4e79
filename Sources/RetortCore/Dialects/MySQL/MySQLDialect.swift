/// PROVISIONAL: the smallest MySQL dialect that lets an ``Engine`` open MySQL and
/// MariaDB connections and run `text(...)` SQL while the real dialect (backtick quoting,
/// MySQL's types, DDL and reflection) is written. It uses the shared base compilers,
/// whose ANSI double-quoted identifiers MySQL reads as strings unless the session
/// has `ANSI_QUOTES`; the real dialect replaces this file.
extension Dialect {
    /// MySQL and MariaDB through libmariadb (provisional; see the file's note).
    public static let mysql = Dialect(
        name: "mysql", paramStyle: .questionMark, maxBindParameters: 65535, maxIdentifierLength: 64,
        supportsReturning: false, supportsTransactionalDDL: false, supportsSavepoints: true,
        supportsForUpdate: true, supportsNativeEnum: false, supportsAlterColumn: true,
        supportsComments: true, integerPrimaryKeyIsRowID: false, typesKeepTimeZone: false,
        listParameterStyle: .expanded(jsonFallback: false), supportsRightAndFullJoin: false,
        compilers: DialectCompilers(
            makeSQLCompiler: { SQLCompiler(dialect: $0) },
            makeDDLCompiler: { DDLCompiler(dialect: $0) },
            typeCompiler: TypeCompiler(quoteIdentifier: { IdentifierQuoting.isSafe($0) ? $0 : IdentifierQuoting.quote($0) })))
}
