import RetortCore
import XCTest

final class TextClauseTests: XCTestCase {
    func testNamedParametersPerParamstyle() {
        let t = text("SELECT * FROM t WHERE a = :a AND b = :b_2 OR a = :a")
        XCTAssertEqual(t.compile(for: .sqlite).sql, "SELECT * FROM t WHERE a = ? AND b = ? OR a = ?")
        XCTAssertEqual(t.compile(for: .postgresql).sql, "SELECT * FROM t WHERE a = $1 AND b = $2 OR a = $3")
        XCTAssertEqual(t.compile(for: .sqlite).bindings, [.named("a"), .named("b_2"), .named("a")])
        XCTAssertEqual(t.compile(for: .sqlite).parameterNames, ["a", "b_2"])
    }

    func testColonsThatAreNotParameters() {
        let sql = #"SELECT ':x', "col:y", x::text, '12:30', $$ :z $$, $tag$ :w $tag$ -- :c"# + "\n"
            + #"/* :d */ FROM t WHERE a = \:lit AND b = :real"#
        let compiled = text(sql).compile(for: .postgresql)
        XCTAssertEqual(compiled.parameterNames, ["real"])
        XCTAssertTrue(compiled.sql.contains("x::text"))
        XCTAssertTrue(compiled.sql.contains("a = :lit"))
        XCTAssertTrue(compiled.sql.hasSuffix("b = $1"))
    }

    func testNoParameters() {
        let c = text("SELECT 1").compile(for: .sqlite)
        XCTAssertEqual(c.sql, "SELECT 1")
        XCTAssertTrue(c.bindings.isEmpty)
    }
}
