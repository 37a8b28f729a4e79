import Foundation
import XCTest
@testable import RetortCore

/// SELECT shapes, compiled for both dialects, with their bound values.
final class CompilerSelectTests: XCTestCase {
    let a = Library.authors
    let b = Library.books
    let r = Library.reviews

    // MARK: Columns and FROM

    func testSelectColumns() {
        assertSQL(select(a.c.id, a.c.name), sqlite: "SELECT authors.id, authors.name FROM authors", values: [])
    }

    func testSelectWholeTable() {
        assertSQL(select(a), sqlite: "SELECT authors.id, authors.name, authors.email, authors.born, authors.active FROM authors")
    }

    func testSelectStar() {
        assertSQL(select(star).selectFrom(a), sqlite: "SELECT * FROM authors")
        assertSQL(select(a.star), sqlite: "SELECT authors.* FROM authors")
    }

    func testSelectLabel() {
        assertSQL(select(a.c.name.label("author")), sqlite: "SELECT authors.name AS author FROM authors")
    }

    func testSelectFromTwoTablesCartesian() {
        assertSQL(select(a.c.name, b.c.title), sqlite: "SELECT authors.name, books.title FROM authors, books")
    }

    func testSelectWithoutFrom() {
        assertSQL(select(literal(1).label("one")), sqlite: "SELECT ? AS one", values: [.integer(1)])
    }

    func testLiteralColumn() {
        assertSQL(select(literalColumn("1")).selectFrom(a), sqlite: "SELECT 1 FROM authors")
    }

    func testSelectFromDeduplicatesTables() {
        assertSQL(select(a.c.id).where(a.c.name == "x"), sqlite: "SELECT authors.id FROM authors WHERE authors.name = ?",
                  values: [.text("x")])
    }

    func testSelectNoColumnsIsAnError() {
        assertCompileError(select([]), .sqlite, contains: ["at least one column"])
    }

    func testUnknownColumnIsAnErrorNamingColumns() {
        assertCompileError(select(a.c.nmae), .sqlite, contains: ["authors", "nmae", "id, name, email"])
    }

    // MARK: WHERE operators

    func testComparisonOperators() {
        assertSQL(select(a.c.id).where(a.c.id == 1), sqlite: "SELECT authors.id FROM authors WHERE authors.id = ?", values: [1])
        assertSQL(select(a.c.id).where(a.c.id != 1), sqlite: "SELECT authors.id FROM authors WHERE authors.id != ?", values: [1])
        assertSQL(select(a.c.id).where(a.c.id < 1), sqlite: "SELECT authors.id FROM authors WHERE authors.id < ?", values: [1])
        assertSQL(select(a.c.id).where(a.c.id <= 1), sqlite: "SELECT authors.id FROM authors WHERE authors.id <= ?", values: [1])
        assertSQL(select(a.c.id).where(a.c.id > 1), sqlite: "SELECT authors.id FROM authors WHERE authors.id > ?", values: [1])
        assertSQL(select(a.c.id).where(a.c.id >= 1), sqlite: "SELECT authors.id FROM authors WHERE authors.id >= ?", values: [1])
    }

    func testEqualsNilIsNull() {
        assertSQL(select(a.c.id).where(a.c.email == nil), sqlite: "SELECT authors.id FROM authors WHERE authors.email IS NULL", values: [])
        assertSQL(select(a.c.id).where(a.c.email != nil), sqlite: "SELECT authors.id FROM authors WHERE authors.email IS NOT NULL")
        let missing: String? = nil
        assertSQL(select(a.c.id).where(a.c.email == missing), sqlite: "SELECT authors.id FROM authors WHERE authors.email IS NULL")
    }

    func testIsNullMethods() {
        assertSQL(select(a.c.id).where(a.c.email.isNull()), sqlite: "SELECT authors.id FROM authors WHERE authors.email IS NULL")
        assertSQL(select(a.c.id).where(a.c.email.isNotNull()), sqlite: "SELECT authors.id FROM authors WHERE authors.email IS NOT NULL")
    }

    func testColumnToColumnComparison() {
        assertSQL(select(b.c.id).where(b.c.author_id == a.c.id),
                  sqlite: "SELECT books.id FROM books, authors WHERE books.author_id = authors.id")
    }

    func testAndOr() {
        assertSQL(select(a.c.id).where(a.c.id > 1 && a.c.name == "x"),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.id > ? AND authors.name = ?", values: [1, "x"])
        assertSQL(select(a.c.id).where(a.c.id > 1 || a.c.name == "x"),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.id > ? OR authors.name = ?")
    }

    func testConjunctionNesting() {
        assertSQL(select(a.c.id).where(a.c.id > 1 && (a.c.name == "x" || a.c.name == "y")),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.id > ? AND (authors.name = ? OR authors.name = ?)",
                  values: [1, "x", "y"])
        assertSQL(select(a.c.id).where((a.c.id > 1 && a.c.id < 5) || a.c.name == "y"),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.id > ? AND authors.id < ? OR authors.name = ?")
        assertSQL(select(a.c.id).where(and(a.c.id > 1, or(a.c.id < 0, and(a.c.name == "a", a.c.name != "b")))),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.id > ? AND (authors.id < ? OR authors.name = ? AND authors.name != ?)")
    }

    func testConjunctionsFlatten() {
        assertSQL(select(a.c.id).where(a.c.id > 1 && a.c.id < 9 && a.c.id != 5),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.id > ? AND authors.id < ? AND authors.id != ?")
    }

    func testEmptyAndOr() {
        assertSQL(select(a.c.id).where(and([SQLExpression<Bool>]())), sqlite: "SELECT authors.id FROM authors WHERE 1 = 1")
        assertSQL(select(a.c.id).where(or([SQLExpression<Bool>]())), sqlite: "SELECT authors.id FROM authors WHERE 1 != 1")
    }

    func testWhereCalledTwiceAnds() {
        assertSQL(select(a.c.id).where(a.c.id > 1).where(a.c.id < 3),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.id > ? AND authors.id < ?")
    }

    func testNotNegatesComparisons() {
        assertSQL(select(a.c.id).where(!(a.c.id == 1)), sqlite: "SELECT authors.id FROM authors WHERE authors.id != ?")
        assertSQL(select(a.c.id).where(!(a.c.id < 1)), sqlite: "SELECT authors.id FROM authors WHERE authors.id >= ?")
        assertSQL(select(a.c.id).where(!a.c.email.isNull()), sqlite: "SELECT authors.id FROM authors WHERE authors.email IS NOT NULL")
        assertSQL(select(a.c.id).where(!(a.c.id > 1 && a.c.id < 3)),
                  sqlite: "SELECT authors.id FROM authors WHERE NOT (authors.id > ? AND authors.id < ?)")
        assertSQL(select(a.c.id).where(!a.c.active), sqlite: "SELECT authors.id FROM authors WHERE NOT authors.active")
        assertSQL(select(a.c.id).where(not(a.c.name.like("a%"))), sqlite: "SELECT authors.id FROM authors WHERE authors.name NOT LIKE ?")
    }

    func testBareBooleanColumn() {
        assertSQL(select(a.c.id).where(a.c.active), sqlite: "SELECT authors.id FROM authors WHERE authors.active")
    }

    func testBooleanValueIsBound() {
        assertSQL(select(a.c.id).where(a.c.active == true), sqlite: "SELECT authors.id FROM authors WHERE authors.active = ?",
                  values: [.bool(true)])
    }

    /// A list is one expanding placeholder: `IN (?)` on SQLite, `= ANY($1)` on PostgreSQL,
    /// whatever its length; the values ride along as one list binding.
    func testInList() throws {
        let q = select(a.c.id).where(a.c.id.in([1, 2, 3]))
        assertSQL(q, sqlite: "SELECT authors.id FROM authors WHERE authors.id IN (?)",
                  postgresql: "SELECT authors.id FROM authors WHERE authors.id = ANY($1)")
        XCTAssertEqual(try q.compile(for: .sqlite).bindings, [.valueList([1, 2, 3])])
        XCTAssertEqual(try q.compile(for: .postgresql).bindings, [.valueList([1, 2, 3])])
        assertSQL(select(a.c.id).where(a.c.id.notIn([1, 2])),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.id NOT IN (?)",
                  postgresql: "SELECT authors.id FROM authors WHERE authors.id <> ALL($1)")
        assertExpanded(q, sqlite: "SELECT authors.id FROM authors WHERE authors.id IN (?, ?, ?)", [1, 2, 3],
                       postgresql: "SELECT authors.id FROM authors WHERE authors.id = ANY($1::int8[])", [.text(#"{"1","2","3"}"#)])
    }

    func testEmptyInList() {
        let empty = select(a.c.id).where(a.c.id.in([Int]()))
        assertSQL(empty, sqlite: "SELECT authors.id FROM authors WHERE authors.id IN (?)",
                  postgresql: "SELECT authors.id FROM authors WHERE authors.id = ANY($1)")
        assertExpanded(empty, sqlite: "SELECT authors.id FROM authors WHERE authors.id IN ()", [],
                       postgresql: "SELECT authors.id FROM authors WHERE authors.id = ANY($1)", [.text("{}")])
        assertExpanded(select(a.c.id).where(a.c.id.notIn([Int]())),
                       sqlite: "SELECT authors.id FROM authors WHERE authors.id NOT IN ()", [],
                       postgresql: "SELECT authors.id FROM authors WHERE authors.id <> ALL($1)", [.text("{}")])
        assertExpanded(select(a.c.id).where(a.c.id > 1 && a.c.id.in([Int]()) && a.c.name == "x"),
                       sqlite: "SELECT authors.id FROM authors WHERE authors.id > ? AND authors.id IN () AND authors.name = ?",
                       [1, "x"],
                       postgresql: "SELECT authors.id FROM authors WHERE authors.id > $1 AND authors.id = ANY($2) AND authors.name = $3",
                       [1, .text("{}"), "x"])
    }

    func testInListOfStringsAndNegation() {
        assertExpanded(select(a.c.id).where(!a.c.name.in(["a", "b\"q\\"])),
                       sqlite: "SELECT authors.id FROM authors WHERE authors.name NOT IN (?, ?)", ["a", "b\"q\\"],
                       postgresql: "SELECT authors.id FROM authors WHERE authors.name <> ALL($1)", [.text(#"{"a","b\"q\\"}"#)])
    }

    func testExpandingParametersAmongOthersAreRenumbered() {
        let q = select(a.c.id).where(a.c.name == bindParameter("n") && a.c.id.in(bindParameter("ids", expanding: true)) && a.c.id < 9)
        assertSQL(q, sqlite: "SELECT authors.id FROM authors WHERE authors.name = ? AND authors.id IN (?) AND authors.id < ?",
                  postgresql: "SELECT authors.id FROM authors WHERE authors.name = $1 AND authors.id = ANY($2) AND authors.id < $3")
        XCTAssertEqual(try q.compile(for: .sqlite).bindings, [.named("n"), .namedList("ids", type: .integer), .value(9)])
        XCTAssertEqual(try q.compile(for: .sqlite).parameterNames, ["n", "ids"])
        assertExpanded(q, ["n": "x", "ids": SQLValueList([4, 5])],
                       sqlite: "SELECT authors.id FROM authors WHERE authors.name = ? AND authors.id IN (?, ?) AND authors.id < ?",
                       ["x", 4, 5, 9],
                       postgresql: "SELECT authors.id FROM authors WHERE authors.name = $1 AND authors.id = ANY($2::int8[]) AND authors.id < $3",
                       ["x", .text(#"{"4","5"}"#), 9])
        // Without expanding, the parameter is one value: `IN (?)`.
        assertSQL(select(a.c.id).where(a.c.id.in(bindParameter("one", expanding: false))),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.id IN (?)")
    }

    func testListValuesAreProcessedByTheColumnType() {
        let day = Date(timeIntervalSince1970: 86_400 * 19_000)
        assertExpanded(select(a.c.id).where(a.c.born.in([day])),
                       sqlite: "SELECT authors.id FROM authors WHERE authors.born IN (?)", [.text("2022-01-08")],
                       postgresql: "SELECT authors.id FROM authors WHERE authors.born = ANY($1)", [.text(#"{"2022-01-08"}"#)])
    }

    func testInListAsLiterals() throws {
        let q = select(a.c.id).where(a.c.id.in([1, 2]) && a.c.name.notIn(["O'Brien"]) && a.c.id.in([Int]()))
        XCTAssertEqual(try Dialect.sqlite.literalSQL(q.compile(for: .sqlite)),
                       "SELECT authors.id FROM authors WHERE authors.id IN (1, 2) AND authors.name NOT IN ('O''Brien') AND authors.id IN ()")
        XCTAssertEqual(try Dialect.postgresql.literalSQL(q.compile(for: .postgresql)),
                       #"SELECT authors.id FROM authors WHERE authors.id = ANY('{"1","2"}'::int8[]) AND authors.name <> ALL('{"O''Brien"}') AND authors.id = ANY('{}')"#)
        let named = select(a.c.id).where(a.c.id.in(bindParameter("ids", expanding: true)))
        XCTAssertEqual(try Dialect.sqlite.literalSQL(named.compile(for: .sqlite), ["ids": SQLValueList([7])]),
                       "SELECT authors.id FROM authors WHERE authors.id IN (7)")
    }

    func testInSubquery() {
        assertSQL(select(a.c.name).where(a.c.id.in(select(b.c.author_id).where(b.c.pages > 100))),
                  sqlite: "SELECT authors.name FROM authors WHERE authors.id IN (SELECT books.author_id FROM books WHERE books.pages > ?)")
        assertSQL(select(a.c.name).where(a.c.id.notIn(select(b.c.author_id))),
                  sqlite: "SELECT authors.name FROM authors WHERE authors.id NOT IN (SELECT books.author_id FROM books)")
    }

    func testTupleIn() {
        assertSQL(select(b.c.id).where(tuple(b.c.author_id, b.c.pages).in(expressions: [tuple(1, 2), tuple(3, 4)])),
                  sqlite: "SELECT books.id FROM books WHERE (books.author_id, books.pages) IN ((?, ?), (?, ?))", values: [1, 2, 3, 4])
    }

    func testBetween() {
        assertSQL(select(b.c.id).where(b.c.pages.between(100, 200)),
                  sqlite: "SELECT books.id FROM books WHERE books.pages BETWEEN ? AND ?", values: [100, 200])
        assertSQL(select(b.c.id).where(!b.c.pages.between(1, 2)),
                  sqlite: "SELECT books.id FROM books WHERE books.pages NOT BETWEEN ? AND ?")
    }

    func testLike() {
        assertSQL(select(a.c.id).where(a.c.name.like("U%")), sqlite: "SELECT authors.id FROM authors WHERE authors.name LIKE ?",
                  values: ["U%"])
        assertSQL(select(a.c.id).where(a.c.name.notLike("U%")), sqlite: "SELECT authors.id FROM authors WHERE authors.name NOT LIKE ?")
        assertSQL(select(a.c.id).where(a.c.name.like("a!%", escape: "!")),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.name LIKE ? ESCAPE '!'")
    }

    func testILike() {
        assertSQL(select(a.c.id).where(a.c.name.ilike("u%")),
                  sqlite: "SELECT authors.id FROM authors WHERE lower(authors.name) LIKE lower(?)",
                  postgresql: "SELECT authors.id FROM authors WHERE authors.name ILIKE $1", values: ["u%"])
        assertSQL(select(a.c.id).where(a.c.name.notIlike("u%")),
                  sqlite: "SELECT authors.id FROM authors WHERE lower(authors.name) NOT LIKE lower(?)",
                  postgresql: "SELECT authors.id FROM authors WHERE authors.name NOT ILIKE $1")
    }

    func testContainsStartsEndsEscapeWildcards() {
        assertSQL(select(a.c.id).where(a.c.name.contains("50%_off/")),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.name LIKE ? ESCAPE '/'", values: ["%50/%/_off//%"])
        assertSQL(select(a.c.id).where(a.c.name.startsWith("a_b")),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.name LIKE ? ESCAPE '/'", values: ["a/_b%"])
        assertSQL(select(a.c.id).where(a.c.name.endsWith("%")),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.name LIKE ? ESCAPE '/'", values: ["%/%"])
    }

    func testContainsCaseInsensitive() {
        assertSQL(select(a.c.id).where(a.c.name.contains("ur", caseInsensitive: true)),
                  sqlite: "SELECT authors.id FROM authors WHERE lower(authors.name) LIKE lower(?) ESCAPE '/'",
                  postgresql: "SELECT authors.id FROM authors WHERE authors.name ILIKE $1 ESCAPE '/'", values: ["%ur%"])
    }

    func testContainsOtherColumn() {
        assertSQL(select(a.c.id, b.c.id).where(b.c.title.contains(a.c.name)),
                  sqlite: "SELECT authors.id, books.id FROM authors, books WHERE books.title LIKE '%' || authors.name || '%'")
        assertSQL(select(b.c.id).where(b.c.title.startsWith(b.c.format)),
                  sqlite: "SELECT books.id FROM books WHERE books.title LIKE books.format || '%'")
    }

    // MARK: Arithmetic and concatenation

    func testArithmetic() {
        assertSQL(select((b.c.pages + 10).label("p")), sqlite: "SELECT books.pages + ? AS p FROM books", values: [10])
        assertSQL(select(b.c.pages * 2 - 1), sqlite: "SELECT books.pages * ? - ? FROM books")
        assertSQL(select(b.c.pages - (b.c.id - 1)), sqlite: "SELECT books.pages - (books.id - ?) FROM books")
        assertSQL(select((b.c.pages + 1) * 2), sqlite: "SELECT (books.pages + ?) * ? FROM books")
        assertSQL(select(b.c.pages / 2 % 3), sqlite: "SELECT books.pages / ? % ? FROM books")
        assertSQL(select(-b.c.pages), sqlite: "SELECT -books.pages FROM books")
    }

    func testConcatenationOfTextColumns() {
        assertSQL(select(a.c.name + " <" + a.c.email + ">"),
                  sqlite: "SELECT authors.name || ? || authors.email || ? FROM authors", values: [" <", ">"])
        assertSQL(select(a.c.name.concat(b.c.pages)),
                  sqlite: "SELECT authors.name || books.pages FROM authors, books")
    }

    func testConcatenationAndArithmeticMixGetParentheses() {
        assertSQL(select(a.c.name.concat(b.c.pages + 1)),
                  sqlite: "SELECT authors.name || (books.pages + ?) FROM authors, books")
    }

    func testTypedArithmeticAndComparison() {
        let pages = b.column("pages", as: Int.self)
        assertSQL(select(b.c.id).where(pages * 2 > 300), sqlite: "SELECT books.id FROM books WHERE books.pages * ? > ?", values: [2, 300])
    }

    func testCustomOperator() {
        assertSQL(select(b.c.id).where(b.c.format.op("->>", "x") == "y"),
                  sqlite: "SELECT books.id FROM books WHERE (books.format ->> ?) = ?")
    }

    func testIsDistinctFrom() {
        assertSQL(select(a.c.id).where(a.c.email.isDistinctFrom("x")),
                  sqlite: "SELECT authors.id FROM authors WHERE authors.email IS DISTINCT FROM ?")
    }

    // MARK: Functions

    func testCountStar() {
        assertSQL(select(fn.count()).selectFrom(b), sqlite: "SELECT count(*) FROM books")
    }

    func testCountColumnAndDistinct() {
        assertSQL(select(fn.count(b.c.id)), sqlite: "SELECT count(books.id) FROM books")
        assertSQL(select(fn.count(a.c.name.distinct())), sqlite: "SELECT count(DISTINCT authors.name) FROM authors")
    }

    func testAggregates() {
        assertSQL(select(fn.sum(b.c.pages), fn.avg(b.c.pages), fn.min(b.c.pages), fn.max(b.c.pages)),
                  sqlite: "SELECT sum(books.pages), avg(books.pages), min(books.pages), max(books.pages) FROM books")
    }

    func testScalarFunctions() {
        assertSQL(select(fn.lower(a.c.name), fn.upper(a.c.name), fn.length(a.c.name)),
                  sqlite: "SELECT lower(authors.name), upper(authors.name), length(authors.name) FROM authors")
        assertSQL(select(fn.coalesce(a.c.email, "none")), sqlite: "SELECT coalesce(authors.email, ?) FROM authors", values: ["none"])
    }

    func testNow() {
        assertSQL(select(fn.now()), sqlite: "SELECT CURRENT_TIMESTAMP", postgresql: "SELECT now()")
    }

    func testAnyFunctionByName() {
        assertSQL(select(fn.json_extract(b.c.format, "$.a")), sqlite: "SELECT json_extract(books.format, ?) FROM books",
                  values: ["$.a"])
        assertSQL(select(fn.named("My Func")(a.c.id)), sqlite: "SELECT \"My Func\"(authors.id) FROM authors")
        assertSQL(select(fn.named("pg_catalog.version")()), sqlite: "SELECT pg_catalog.version()")
    }

    func testAggregateFilter() {
        assertSQL(select(fn.count().filter(b.c.pages > 100)).selectFrom(b),
                  sqlite: "SELECT count(*) FILTER (WHERE books.pages > ?) FROM books", values: [100])
    }

    // MARK: DISTINCT, GROUP BY, HAVING, ORDER BY, LIMIT

    func testDistinct() {
        assertSQL(select(a.c.name).distinct(), sqlite: "SELECT DISTINCT authors.name FROM authors")
    }

    func testDistinctOn() {
        let q = select(b.c.author_id, b.c.title).distinct(on: [b.c.author_id]).orderBy(b.c.author_id, b.c.title)
        XCTAssertEqual(try q.compile(for: .postgresql).sql,
                       "SELECT DISTINCT ON (books.author_id) books.author_id, books.title FROM books ORDER BY books.author_id, books.title")
        assertCompileError(q, .sqlite, contains: ["DISTINCT ON", "sqlite"])
    }

    func testGroupByHaving() {
        assertSQL(select(b.c.author_id, fn.count().label("n")).selectFrom(b).groupBy(b.c.author_id).having(fn.count() > 2),
                  sqlite: "SELECT books.author_id, count(*) AS n FROM books GROUP BY books.author_id HAVING count(*) > ?", values: [2])
    }

    func testHavingTwiceAnds() {
        assertSQL(select(b.c.author_id).groupBy(b.c.author_id).having(fn.count() > 2).having(fn.max(b.c.pages) < 500),
                  sqlite: "SELECT books.author_id FROM books GROUP BY books.author_id HAVING count(*) > ? AND max(books.pages) < ?")
    }

    func testOrderByDirectionsAndNulls() {
        assertSQL(select(a.c.name).orderBy(a.c.name.asc(), a.c.id.desc()),
                  sqlite: "SELECT authors.name FROM authors ORDER BY authors.name ASC, authors.id DESC")
        assertSQL(select(a.c.name).orderBy(a.c.email.desc().nullsLast(), a.c.born.nullsFirst()),
                  sqlite: "SELECT authors.name FROM authors ORDER BY authors.email DESC NULLS LAST, authors.born NULLS FIRST")
    }

    func testOrderByLabel() {
        let n = fn.count().label("n")
        assertSQL(select(b.c.author_id, n).selectFrom(b).groupBy(b.c.author_id).orderBy(n.desc()),
                  sqlite: "SELECT books.author_id, count(*) AS n FROM books GROUP BY books.author_id ORDER BY n DESC")
    }

    func testLimitOffsetAreBound() {
        assertSQL(select(a.c.id).limit(10).offset(20), sqlite: "SELECT authors.id FROM authors LIMIT ? OFFSET ?", values: [10, 20])
        assertSQL(select(a.c.id).limit(5), sqlite: "SELECT authors.id FROM authors LIMIT ?", values: [5])
    }

    func testOffsetWithoutLimit() {
        assertSQL(select(a.c.id).offset(3), sqlite: "SELECT authors.id FROM authors LIMIT -1 OFFSET ?",
                  postgresql: "SELECT authors.id FROM authors OFFSET $1", values: [3])
    }

    // MARK: FOR UPDATE

    func testForUpdateOnPostgreSQL() throws {
        let q = select(a.c.name).where(a.c.id == 1)
        XCTAssertEqual(try q.forUpdate().compile(for: .postgresql).sql,
                       "SELECT authors.name FROM authors WHERE authors.id = $1 FOR UPDATE")
        XCTAssertEqual(try q.forUpdate(nowait: true).compile(for: .postgresql).sql,
                       "SELECT authors.name FROM authors WHERE authors.id = $1 FOR UPDATE NOWAIT")
        XCTAssertEqual(try q.forUpdate(.share, skipLocked: true).compile(for: .postgresql).sql,
                       "SELECT authors.name FROM authors WHERE authors.id = $1 FOR SHARE SKIP LOCKED")
        XCTAssertEqual(try select(a.c.name, b.c.title).forUpdate(of: [a]).compile(for: .postgresql).sql,
                       "SELECT authors.name, books.title FROM authors, books FOR UPDATE OF authors")
        XCTAssertEqual(try q.forUpdate(.noKeyUpdate).compile(for: .postgresql).sql,
                       "SELECT authors.name FROM authors WHERE authors.id = $1 FOR NO KEY UPDATE")
    }

    func testForUpdateOnSQLiteIsNotSupported() {
        let q = select(a.c.name).where(a.c.id == 1).forUpdate()
        do {
            _ = try q.compile(for: .sqlite)
            XCTFail("FOR UPDATE compiled on SQLite")
        } catch let e as ProgrammingError {
            XCTAssertEqual(e.kind, .notSupported)
            XCTAssertTrue(e.message.contains("FOR UPDATE"), e.message)
            XCTAssertTrue(e.message.contains("sqlite"), e.message)
        } catch {
            XCTFail("unexpected \(error)")
        }
    }

    // MARK: CASE, CAST, literals, bindParameter, text

    func testCase() {
        assertSQL(select(caseWhen(.when(b.c.pages > 500, then: "long"), .when(b.c.pages > 100, then: "medium"), else: "short")),
                  sqlite: "SELECT CASE WHEN books.pages > ? THEN ? WHEN books.pages > ? THEN ? ELSE ? END FROM books",
                  values: [500, "long", 100, "medium", "short"])
    }

    func testSimpleCaseAndNoElse() {
        assertSQL(select(caseWhen(value: b.c.format, .when("ebook", then: 0), .when("paperback", then: 1))),
                  sqlite: "SELECT CASE books.format WHEN ? THEN ? WHEN ? THEN ? END FROM books")
    }

    func testCast() {
        assertSQL(select(cast(b.c.pages, .string(10))), sqlite: "SELECT CAST(books.pages AS VARCHAR(10)) FROM books")
        assertSQL(select(b.c.price.cast(.double)), sqlite: "SELECT CAST(books.price AS REAL) FROM books",
                  postgresql: "SELECT CAST(books.price AS DOUBLE PRECISION) FROM books")
        assertSQL(select(cast(a.c.born, .date)), sqlite: "SELECT CAST(authors.born AS TEXT) FROM authors",
                  postgresql: "SELECT CAST(authors.born AS DATE) FROM authors")
    }

    func testLiteralsAreBoundNotSpliced() {
        let hostile = "x'); DROP TABLE authors; --"
        assertSQL(select(a.c.id).where(a.c.name == hostile), sqlite: "SELECT authors.id FROM authors WHERE authors.name = ?",
                  values: [.text(hostile)])
        assertSQL(select(literal(3.5), literal("s"), literal(true)), sqlite: "SELECT ?, ?, ?", values: [.real(3.5), "s", .bool(true)])
    }

    func testBindParam() throws {
        let q = select(a.c.name).where(a.c.id == bindParameter("id"))
        let c = try q.compile(for: .postgresql)
        XCTAssertEqual(c.sql, "SELECT authors.name FROM authors WHERE authors.id = $1")
        XCTAssertEqual(c.bindings, [.named("id")])
    }

    func testBindParamMixedWithValues() throws {
        let q = select(a.c.name).where(a.c.id == bindParameter("id") && a.c.name != "x")
        let c = try q.compile(for: .sqlite)
        XCTAssertEqual(c.bindings, [.named("id"), .value("x")])
    }

    func testTextInsideExpressions() throws {
        let q = select(a.c.name).where(text("authors.id > :min") && a.c.name == "x")
        let c = try q.compile(for: .postgresql)
        XCTAssertEqual(c.sql, "SELECT authors.name FROM authors WHERE (authors.id > $1) AND authors.name = $2")
        XCTAssertEqual(c.bindings, [.named("min"), .value("x")])
        XCTAssertEqual(try select(a.c.id).where(text("active")).compile(for: .sqlite).sql,
                       "SELECT authors.id FROM authors WHERE active")
    }

    func testNullKeyword() {
        assertSQL(select(a.c.id).where(a.c.email == null()), sqlite: "SELECT authors.id FROM authors WHERE authors.email IS NULL")
        assertSQL(select(null().label("n")), sqlite: "SELECT NULL AS n")
    }

    func testCollate() {
        assertSQL(select(a.c.name).orderBy(a.c.name.collate("NOCASE")),
                  sqlite: "SELECT authors.name FROM authors ORDER BY authors.name COLLATE \"NOCASE\"")
    }

    // MARK: Window functions

    func testWindowPartitionOrder() {
        assertSQL(select(b.c.title, fn.rowNumber().over(partitionBy: [b.c.author_id], orderBy: [b.c.title]).label("rn")),
                  sqlite: "SELECT books.title, row_number() OVER (PARTITION BY books.author_id ORDER BY books.title) AS rn FROM books")
    }

    func testWindowFrame() {
        assertSQL(select(fn.sum(b.c.pages).over(orderBy: [b.c.id], frame: .rows(.unboundedPreceding, .currentRow))),
                  sqlite: "SELECT sum(books.pages) OVER (ORDER BY books.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM books")
        assertSQL(select(fn.avg(b.c.pages).over(orderBy: [b.c.id.desc()], frame: .range(.preceding(2), .following(1)))),
                  sqlite: "SELECT avg(books.pages) OVER (ORDER BY books.id DESC RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING) FROM books")
    }

    func testEmptyWindowAndRank() {
        assertSQL(select(fn.count().over()).selectFrom(b), sqlite: "SELECT count(*) OVER () FROM books")
        assertSQL(select(fn.rank().over(orderBy: [b.c.pages.desc()]), fn.denseRank().over(partitionBy: [b.c.format])),
                  sqlite: "SELECT rank() OVER (ORDER BY books.pages DESC), dense_rank() OVER (PARTITION BY books.format) FROM books")
    }

    func testLagLead() {
        assertSQL(select(fn.lag(b.c.pages).over(orderBy: [b.c.id])),
                  sqlite: "SELECT lag(books.pages, ?) OVER (ORDER BY books.id) FROM books", values: [1])
    }
}
