import RetortTestSupport
import XCTest

@testable import RetortServer

/// `db.query.text` keeps the statement's shape and loses its literal values: fixed
/// cases, then generated statements whose expected text is known by construction.
final class QueryTextSanitizerTests: XCTestCase {
    let ansi = QueryTextSanitizer(backslashEscapes: false)
    let mysql = QueryTextSanitizer(backslashEscapes: true)

    func testLiteralsBecomePlaceholdersAndEverythingElseStays() {
        let cases: [(String, String)] = [
            ("SELECT title FROM books WHERE id = 4242", "SELECT title FROM books WHERE id = ?"),
            ("INSERT INTO t1 (a, b2) VALUES ('Kindred', -3.5e+2)", "INSERT INTO t1 (a, b2) VALUES (?, -?)"),
            ("SELECT 'it''s', E'a\\'b', N'x', X'0fA1', 0x1F, .5", "SELECT ?, ?, ?, ?, ?, ?"),
            ("SELECT \"Col 2\", `t 3`, $1, ?, :name1, ?2 FROM s1.t_9", "SELECT \"Col 2\", `t 3`, $1, ?, :name1, ?2 FROM s1.t_9"),
            ("SELECT $$ secret $$, $tag$ a $ b $tag$ FROM t", "SELECT ?, ? FROM t"),
            ("SELECT 1 -- a comment 2\n/* 3 */ FROM t", "SELECT ? -- a comment 2\n/* 3 */ FROM t"),
            ("UPDATE a SET n = n + 1 WHERE d < DATE '2026-01-01'", "UPDATE a SET n = n + ? WHERE d < DATE ?"),
            ("SELECT 'ünïcödé 42' || x", "SELECT ? || x"),
        ]
        for (sql, expected) in cases {
            XCTAssertEqual(ansi.sanitize(sql), expected, sql)
        }
        // A backslash escapes a quote on MySQL; elsewhere it ends nothing.
        XCTAssertEqual(mysql.sanitize("SELECT 'it\\'s 42', 'x\\\\' FROM t"), "SELECT ?, ? FROM t")
        XCTAssertEqual(ansi.sanitize("SELECT 'C:\\', 'secret' FROM t"), "SELECT ?, ? FROM t")
    }

    /// Statements made of names, placeholders, keywords and literals of every form,
    /// written as each kind of database reads them: the sanitized text is the same
    /// statement with `?` for each literal and nothing else changed.
    func testGeneratedStatementsLoseExactlyTheirLiterals() {
        var rng = SeededGenerator(seed: 24)
        let alphabet = Array("ab Z9'\\\"$`-*/.;:?é€\n")
        for round in 0..<3000 {
            let escapes = round % 2 == 0
            var sql = ""
            var expected = ""
            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                let sep = [" ", ", ", " = ", " + ", "(", ") ", " || "].randomElement(using: &rng)!
                sql += sep
                expected += sep
                switch Int.random(in: 0..<9, using: &rng) {
                case 0, 1:
                    let word = ["SELECT", "t1", "col_2", "x$y", "FROM", "s9.t_0", "AND", "e", "n"].randomElement(using: &rng)!
                    sql += word
                    expected += word
                case 2:
                    let p = ["?", "$3", ":name7", "?12", "$10"].randomElement(using: &rng)!
                    sql += p
                    expected += p
                case 3:
                    let q = "\"q \(Int.random(in: 0...99, using: &rng)) ''\""
                    sql += q
                    expected += q
                case 4:
                    let digits = String(Int.random(in: 0...999_999, using: &rng))
                    let forms = [digits, digits + ".25", "." + digits, digits + "e-3", digits + "E+12", "0x" + digits]
                    sql += forms.randomElement(using: &rng)!
                    expected += "?"
                case 5:
                    sql += "-- note 42 'x'\n"
                    expected += "-- note 42 'x'\n"
                default:
                    var body = ""
                    for _ in 0..<Int.random(in: 0...10, using: &rng) {
                        let c = alphabet.randomElement(using: &rng)!
                        switch c {
                        case "'": body += "''"
                        case "\\": body += escapes ? "\\\\" : "\\"
                        default: body.append(c)
                        }
                    }
                    if escapes, Bool.random(using: &rng) { body += "\\'" }
                    let prefix = ["", "", "N", "E"].randomElement(using: &rng)!
                    if prefix == "E" && !escapes {
                        sql += "E'" + body.replacingOccurrences(of: "\\", with: "\\\\") + "'"
                    } else if !escapes && Bool.random(using: &rng) {
                        sql += "$x$" + body.replacingOccurrences(of: "$", with: "") + "$x$"
                    } else {
                        sql += prefix + "'" + body + "'"
                    }
                    expected += "?"
                }
            }
            let sanitizer = escapes ? mysql : ansi
            XCTAssertEqual(sanitizer.sanitize(sql), expected, "round \(round) (seed 24): \(sql)")
        }
    }
}
