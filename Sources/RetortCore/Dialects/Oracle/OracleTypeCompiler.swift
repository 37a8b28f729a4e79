/// Oracle's spelling of types: `VARCHAR2(N CHAR)` (lengths in characters, as Retort's
/// are), `CLOB` for text and JSON, `NUMBER(1)` for booleans, `NUMBER(19)` for bigint,
/// `TIMESTAMP [WITH TIME ZONE]`, `BLOB`, `RAW(16)` for UUIDs, and an enum as a
/// `VARCHAR2` with a CHECK. Oracle has no time-of-day type: `time` is refused. From
/// 23ai (`nativeBoolean`) booleans are `BOOLEAN`.
final class OracleTypeCompiler: TypeCompiler, @unchecked Sendable {
    // @unchecked Sendable: as ``TypeCompiler``; its one addition, `nativeBoolean`, is a `let`.
    /// Booleans are 23ai's `BOOLEAN` rather than `NUMBER(1)`.
    let nativeBoolean: Bool

    init(nativeBoolean: Bool, quoteIdentifier: @escaping @Sendable (String) -> String) {
        self.nativeBoolean = nativeBoolean
        super.init(quoteIdentifier: quoteIdentifier)
    }

    /// 19c's spelling (`NUMBER(1)` booleans).
    required init(quoteIdentifier: @escaping @Sendable (String) -> String) {
        self.nativeBoolean = false
        super.init(quoteIdentifier: quoteIdentifier)
    }

    override func typeName(_ type: SQLType) throws -> String {
        switch type {
        case .string(nil):
            throw ProgrammingError(kind: .notSupported,
                                   message: "string without a length is not supported by the oracle dialect; give string(N) (up to 4000) or use text")
        case .time:
            throw ProgrammingError(kind: .notSupported,
                                   message: "time is not supported by the oracle dialect (Oracle has no time-of-day type); use datetime or string(15)")
        default: return try super.typeName(type)
        }
    }
    override func visitBigint() -> String { "NUMBER(19)" }
    override func visitString(_ length: Int?) -> String { "VARCHAR2(\(length ?? 4000) CHAR)" }
    override func visitText() -> String { "CLOB" }
    override func visitBoolean() -> String { nativeBoolean ? "BOOLEAN" : "NUMBER(1)" }
    override func visitFloat() -> String { "BINARY_FLOAT" }
    override func visitDouble() -> String { "BINARY_DOUBLE" }
    override func visitNumeric(_ precision: Int?, _ scale: Int?) -> String {
        switch (precision, scale) {
        case (let p?, let s?): return "NUMBER(\(p), \(s))"
        case (let p?, nil): return "NUMBER(\(p))"
        default: return "NUMBER"
        }
    }
    override func visitDatetime(timezone: Bool) -> String { timezone ? "TIMESTAMP WITH TIME ZONE" : "TIMESTAMP" }
    override func visitBinary() -> String { "BLOB" }
    override func visitJSON() -> String { "CLOB" }
    override func visitUUID() -> String { "RAW(16)" }
    override func visitEnum(_ name: String, _ values: [String]) throws -> String {
        "VARCHAR2(\(max(1, values.map(\.count).max() ?? 1)) CHAR)"
    }
    override func castTypeName(_ type: SQLType) throws -> String {
        switch type {
        case .text, .json: return "VARCHAR2(4000 CHAR)"  // CAST to CLOB is not allowed from most types
        default: return try typeName(type)
        }
    }
}
