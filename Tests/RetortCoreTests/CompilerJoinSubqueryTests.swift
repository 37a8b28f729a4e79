import XCTest
@testable import RetortCore

/// Joins, aliases, subqueries, correlation, CTEs and compound selects.
final class CompilerJoinSubqueryTests: XCTestCase {
    let a = Library.authors
    let b = Library.books
    let r = Library.reviews
    let n = Library.nodes

    // MARK: Joins

    func testJoinInfersOnFromForeignKey() {
        assertSQL(select(a.c.name, b.c.title).selectFrom(a.join(b)),
                  sqlite: "SELECT authors.name, books.title FROM authors JOIN books ON authors.id = books.author_id")
    }

    func testJoinInferenceWorksFromEitherSide() {
        assertSQL(select(a.c.name, b.c.title).selectFrom(b.join(a)),
                  sqlite: "SELECT authors.name, books.title FROM books JOIN authors ON authors.id = books.author_id")
    }

    func testJoinWithExplicitOn() {
        assertSQL(select(a.c.name).selectFrom(a.join(b, on: a.c.id == b.c.author_id && b.c.pages > 10)),
                  sqlite: "SELECT authors.name FROM authors JOIN books ON authors.id = books.author_id AND books.pages > ?",
                  values: [10])
    }

    func testOuterAndFullJoins() {
        assertSQL(select(a.c.name).selectFrom(a.outerJoin(b)),
                  sqlite: "SELECT authors.name FROM authors LEFT OUTER JOIN books ON authors.id = books.author_id")
        assertSQL(select(a.c.name).selectFrom(a.outerJoin(b, full: true)),
                  sqlite: "SELECT authors.name FROM authors FULL OUTER JOIN books ON authors.id = books.author_id")
        assertSQL(select(a.c.name).selectFrom(a.join(b, kind: .right)),
                  sqlite: "SELECT authors.name FROM authors RIGHT OUTER JOIN books ON authors.id = books.author_id")
        assertSQL(select(a.c.name, b.c.title).selectFrom(a.join(b, kind: .cross)),
                  sqlite: "SELECT authors.name, books.title FROM authors CROSS JOIN books")
    }

    /// SQLite before 3.39 has no RIGHT or FULL JOIN: compiling one for such a library is
    /// an error naming the construct and the dialect, before anything is sent.
    func testRightAndFullJoinNeedALibraryThatHasThem() {
        var oldSQLite = Dialect.sqlite
        oldSQLite.supportsRightAndFullJoin = false
        assertCompileError(select(a.c.name).selectFrom(a.outerJoin(b, full: true)), oldSQLite,
                           contains: ["FULL OUTER JOIN", "not supported by the sqlite dialect"])
        assertCompileError(select(a.c.name).selectFrom(a.join(b, kind: .right)), oldSQLite,
                           contains: ["RIGHT OUTER JOIN", "not supported by the sqlite dialect"])
        XCTAssertNoThrow(try select(a.c.name).selectFrom(a.outerJoin(b)).compile(for: oldSQLite))
        // The linked library (3.40 here) has both.
        XCTAssertEqual(Dialect.sqlite.supportsRightAndFullJoin, SQLiteLibrary.versionNumber >= 3_039_000)
    }

    func testThreeTableJoinChain() {
        assertSQL(select(a.c.name, r.c.stars).selectFrom(a.join(b).outerJoin(r)),
                  sqlite: "SELECT authors.name, reviews.stars FROM authors JOIN books ON authors.id = books.author_id "
                    + "LEFT OUTER JOIN reviews ON books.id = reviews.book_id")
    }

    func testSelectJoinMethodJoinsFromFirstColumnTable() {
        assertSQL(select(a.c.name, b.c.title).join(b),
                  sqlite: "SELECT authors.name, books.title FROM authors JOIN books ON authors.id = books.author_id")
        assertSQL(select(a.c.name, r.c.stars).join(b).join(r),
                  sqlite: "SELECT authors.name, reviews.stars FROM authors JOIN books ON authors.id = books.author_id "
                    + "JOIN reviews ON books.id = reviews.book_id")
        assertSQL(select(a.c.name).outerJoin(b).where(b.c.id == nil),
                  sqlite: "SELECT authors.name FROM authors LEFT OUTER JOIN books ON authors.id = books.author_id WHERE books.id IS NULL")
    }

    func testJoinWithoutForeignKeyIsAnError() {
        let other = Table("unrelated", MetaData(), Column("id", .integer, primaryKey: true))
        assertCompileError(select(a.c.name).selectFrom(a.join(other)), .sqlite, contains: ["foreign key", "unrelated", "on:"])
    }

    func testAmbiguousJoinIsAnError() {
        let m = MetaData()
        let people = Table("people", m, Column("id", .integer, primaryKey: true))
        let msgs = Table("messages", m, Column("id", .integer, primaryKey: true),
                         Column("sender_id", .integer, foreignKey: "people.id"),
                         Column("recipient_id", .integer, foreignKey: "people.id"))
        assertCompileError(select(msgs.c.id).selectFrom(people.join(msgs)), .postgresql,
                           contains: ["more than one foreign key", "people", "messages"])
    }

    func testCompositeForeignKeyJoin() {
        let m = MetaData()
        let parent = Table("parent", m, Column("a", .integer), Column("b", .integer), PrimaryKeyConstraint("a", "b"))
        let child = Table("child", m, Column("id", .integer, primaryKey: true), Column("pa", .integer), Column("pb", .integer),
                          ForeignKeyConstraint(["pa", "pb"], references: ["parent.a", "parent.b"]))
        assertSQL(select(child.c.id).selectFrom(parent.join(child)),
                  sqlite: "SELECT child.id FROM parent JOIN child ON parent.a = child.pa AND parent.b = child.pb")
    }

    // MARK: Aliases

    func testTableAlias() {
        let x = a.alias("x")
        assertSQL(select(x.c.name).where(x.c.id == 1), sqlite: "SELECT x.name FROM authors AS x WHERE x.id = ?")
    }

    func testSelfJoinWithAlias() {
        let parent = n.alias("parent")
        assertCompileError(select(n.c.label).selectFrom(n.join(parent)), .sqlite, contains: ["itself", "on:"])
        assertSQL(select(n.c.label, parent.c.label.label("parent_label")).selectFrom(n.join(parent, on: parent.c.id == n.c.parent_id)),
                  sqlite: "SELECT nodes.label, parent.label AS parent_label FROM nodes JOIN nodes AS parent ON parent.id = nodes.parent_id")
    }

    func testAnonymousAliasesAreNumbered() {
        let x = a.alias(), y = a.alias()
        assertSQL(select(x.c.id, y.c.id).where(x.c.id < y.c.id),
                  sqlite: "SELECT authors_1.id, authors_2.id FROM authors AS authors_1, authors AS authors_2 WHERE authors_1.id < authors_2.id")
    }

    // MARK: Subqueries

    func testDerivedTable() {
        let counts = select(b.c.author_id, fn.count().label("n")).selectFrom(b).groupBy(b.c.author_id).subquery("counts")
        assertSQL(select(a.c.name, counts.c.n).selectFrom(a.join(counts, on: a.c.id == counts.c.author_id)).where(counts.c.n > 2),
                  sqlite: "SELECT authors.name, counts.n FROM authors JOIN (SELECT books.author_id, count(*) AS n FROM books "
                    + "GROUP BY books.author_id) AS counts ON authors.id = counts.author_id WHERE counts.n > ?", values: [2])
    }

    func testAnonymousSubquery() {
        let sq = select(b.c.id, b.c.pages).where(b.c.pages > 10).subquery()
        assertSQL(select(sq.c.id).where(sq.c.pages < 100),
                  sqlite: "SELECT anon_1.id FROM (SELECT books.id, books.pages FROM books WHERE books.pages > ?) AS anon_1 WHERE anon_1.pages < ?",
                  values: [10, 100])
    }

    func testSubqueryUnknownColumnIsAnError() {
        let sq = select(b.c.id).subquery("s")
        assertCompileError(select(sq.c.title), .sqlite, contains: ["'s'", "title", "id"])
    }

    func testDerivedTableDoesNotCorrelate() {
        let sq = select(b.c.id).where(b.c.author_id == 1).subquery("s")
        assertSQL(select(b.c.title, sq.c.id).where(b.c.id == sq.c.id),
                  sqlite: "SELECT books.title, s.id FROM books, (SELECT books.id FROM books WHERE books.author_id = ?) AS s WHERE books.id = s.id")
    }

    func testScalarSubqueryCorrelates() {
        let count = select(fn.count()).selectFrom(b).where(b.c.author_id == a.c.id).scalarSubquery()
        assertSQL(select(a.c.name, count.label("books")),
                  sqlite: "SELECT authors.name, (SELECT count(*) FROM books WHERE books.author_id = authors.id) AS books FROM authors")
    }

    func testScalarSubqueryInWhere() {
        let maxPages = select(fn.max(b.c.pages)).scalarSubquery()
        assertSQL(select(b.c.title).where(b.c.pages == maxPages),
                  sqlite: "SELECT books.title FROM books WHERE books.pages = (SELECT max(books.pages) FROM books)")
    }

    func testExistsCorrelated() {
        assertSQL(select(a.c.name).where(exists(select(b.c.id).where(b.c.author_id == a.c.id))),
                  sqlite: "SELECT authors.name FROM authors WHERE EXISTS (SELECT books.id FROM books WHERE books.author_id = authors.id)")
        assertSQL(select(a.c.name).where(!select(b.c.id).where(b.c.author_id == a.c.id).exists()),
                  sqlite: "SELECT authors.name FROM authors WHERE NOT EXISTS (SELECT books.id FROM books WHERE books.author_id = authors.id)")
    }

    func testNestedCorrelationTwoLevels() {
        let inner = select(r.c.id).where(r.c.book_id == b.c.id && r.c.stars > 4)
        let mid = select(b.c.id).where(b.c.author_id == a.c.id && exists(inner))
        assertSQL(select(a.c.name).where(exists(mid)),
                  sqlite: "SELECT authors.name FROM authors WHERE EXISTS (SELECT books.id FROM books WHERE books.author_id = authors.id "
                    + "AND EXISTS (SELECT reviews.id FROM reviews WHERE reviews.book_id = books.id AND reviews.stars > ?))")
    }

    func testExplicitCorrelate() {
        let sub = select(b.c.id).where(b.c.author_id == a.c.id).correlate(a)
        assertSQL(select(a.c.name).where(exists(sub)),
                  sqlite: "SELECT authors.name FROM authors WHERE EXISTS (SELECT books.id FROM books WHERE books.author_id = authors.id)")
    }

    func testNoCorrelation() {
        let sub = select(b.c.id).where(b.c.author_id == a.c.id).noCorrelation()
        assertSQL(select(a.c.name).where(exists(sub)),
                  sqlite: "SELECT authors.name FROM authors WHERE EXISTS (SELECT books.id FROM books, authors WHERE books.author_id = authors.id)")
    }

    func testCorrelatingAwayEverythingIsAnError() {
        let sub = select(a.c.id).where(a.c.id == b.c.author_id)
        assertCompileError(select(a.c.name, b.c.title).where(exists(sub)), .sqlite, contains: ["correlate", "authors", "books"])
    }

    func testSingleTableSubqueryDoesNotCorrelate() {
        assertSQL(select(a.c.name).where(a.c.id.in(select(a.c.id).where(a.c.name == "x"))),
                  sqlite: "SELECT authors.name FROM authors WHERE authors.id IN (SELECT authors.id FROM authors WHERE authors.name = ?)")
    }

    func testLateralOnPostgreSQLOnly() {
        let latest = select(b.c.title).where(b.c.author_id == a.c.id).orderBy(b.c.id.desc()).limit(1).lateral("latest")
        let q = select(a.c.name, latest.c.title).selectFrom(a, latest)
        XCTAssertEqual(try q.compile(for: .postgresql).sql,
                       "SELECT authors.name, latest.title FROM authors, LATERAL (SELECT books.title FROM books "
                        + "WHERE books.author_id = authors.id ORDER BY books.id DESC LIMIT $1) AS latest")
        assertCompileError(q, .sqlite, contains: ["LATERAL", "sqlite"])
    }

    // MARK: CTEs

    func testCTE() {
        let big = select(b.c.id, b.c.title).where(b.c.pages > 300).cte("big")
        assertSQL(select(big.c.title).orderBy(big.c.title),
                  sqlite: "WITH big AS (SELECT books.id, books.title FROM books WHERE books.pages > ?) SELECT big.title FROM big ORDER BY big.title",
                  values: [300])
    }

    func testCTEUsedTwiceIsDefinedOnce() {
        let big = select(b.c.id, b.c.author_id).where(b.c.pages > 300).cte("big")
        let other = a.alias("o")
        assertSQL(select(a.c.name).where(a.c.id.in(select(big.c.author_id)) && other.c.id.notIn(select(big.c.id))).selectFrom(a, other),
                  sqlite: "WITH big AS (SELECT books.id, books.author_id FROM books WHERE books.pages > ?) SELECT authors.name "
                    + "FROM authors, authors AS o WHERE authors.id IN (SELECT big.author_id FROM big) AND o.id NOT IN (SELECT big.id FROM big)")
    }

    func testCTEPlaceholdersNumberInTextOrder() throws {
        let big = select(b.c.id).where(b.c.pages > 300).cte("big")
        let q = select(big.c.id).where(big.c.id < 50)
        let c = try q.compile(for: .postgresql)
        XCTAssertEqual(c.sql, "WITH big AS (SELECT books.id FROM books WHERE books.pages > $1) SELECT big.id FROM big WHERE big.id < $2")
        XCTAssertEqual(c.bindings, [.value(300), .value(50)])
    }

    func testCTEDependingOnCTE() {
        let big = select(b.c.id, b.c.author_id).where(b.c.pages > 300).cte("big")
        let prolific = select(big.c.author_id).groupBy(big.c.author_id).having(fn.count() > 2).cte("prolific")
        assertSQL(select(a.c.name).where(a.c.id.in(select(prolific.c.author_id))),
                  sqlite: "WITH big AS (SELECT books.id, books.author_id FROM books WHERE books.pages > ?), prolific AS "
                    + "(SELECT big.author_id FROM big GROUP BY big.author_id HAVING count(*) > ?) SELECT authors.name FROM authors "
                    + "WHERE authors.id IN (SELECT prolific.author_id FROM prolific)", values: [300, 2])
    }

    func testRecursiveCTE() {
        let tree = select(n.c.id, n.c.parent_id).where(n.c.id == 1).cte("tree", recursive: true)
        let full = tree.unionAll(select(n.c.id, n.c.parent_id).selectFrom(n.join(tree, on: n.c.parent_id == tree.c.id)))
        assertSQL(select(full.c.id),
                  sqlite: "WITH RECURSIVE tree(id, parent_id) AS (SELECT nodes.id, nodes.parent_id FROM nodes WHERE nodes.id = ? "
                    + "UNION ALL SELECT nodes.id, nodes.parent_id FROM nodes JOIN tree ON nodes.parent_id = tree.id) SELECT tree.id FROM tree",
                  values: [1])
    }

    func testCTEWithColumnNamesAndMaterialized() throws {
        let c = select(b.c.id).cte("ids", columns: ["book_id"], materialized: true)
        XCTAssertEqual(try select(c.c.book_id).compile(for: .postgresql).sql,
                       "WITH ids(book_id) AS MATERIALIZED (SELECT books.id FROM books) SELECT ids.book_id FROM ids")
    }

    func testCTEInsideInsertAndDelete() {
        let old = select(b.c.id).where(b.c.pages < 10).cte("old")
        assertSQL(b.delete().where(b.c.id.in(select(old.c.id))),
                  sqlite: "WITH old AS (SELECT books.id FROM books WHERE books.pages < ?) DELETE FROM books WHERE books.id IN (SELECT old.id FROM old)")
    }

    // MARK: Compound selects

    func testUnion() {
        assertSQL(select(a.c.name).union(select(b.c.title)),
                  sqlite: "SELECT authors.name FROM authors UNION SELECT books.title FROM books")
        assertSQL(union(select(a.c.name), select(b.c.title), select(r.c.body)),
                  sqlite: "SELECT authors.name FROM authors UNION SELECT books.title FROM books UNION SELECT reviews.body FROM reviews")
    }

    func testUnionAllIntersectExcept() {
        assertSQL(select(a.c.id).unionAll(select(b.c.author_id)),
                  sqlite: "SELECT authors.id FROM authors UNION ALL SELECT books.author_id FROM books")
        assertSQL(select(a.c.id).intersect(select(b.c.author_id)),
                  sqlite: "SELECT authors.id FROM authors INTERSECT SELECT books.author_id FROM books")
        assertSQL(select(a.c.id).except(select(b.c.author_id)),
                  sqlite: "SELECT authors.id FROM authors EXCEPT SELECT books.author_id FROM books")
    }

    func testUnionWithOrderByAndLimit() {
        assertSQL(select(a.c.name).union(select(b.c.title)).orderBy(column("name")).limit(5).offset(1),
                  sqlite: "SELECT authors.name FROM authors UNION SELECT books.title FROM books ORDER BY name LIMIT ? OFFSET ?",
                  values: [5, 1])
        assertSQL(select(a.c.name).union(select(b.c.title)).orderBy(a.c.name.desc()),
                  sqlite: "SELECT authors.name FROM authors UNION SELECT books.title FROM books ORDER BY name DESC")
    }

    func testUnionMemberWithOwnLimit() {
        let q = select(a.c.name).limit(2).union(select(b.c.title).where(b.c.pages > 1))
        assertSQL(q,
                  sqlite: "SELECT * FROM (SELECT authors.name FROM authors LIMIT ?) UNION SELECT books.title FROM books WHERE books.pages > ?",
                  postgresql: "(SELECT authors.name FROM authors LIMIT $1) UNION SELECT books.title FROM books WHERE books.pages > $2",
                  values: [2, 1])
    }

    func testNestedCompound() {
        let q = select(a.c.id).union(select(b.c.author_id).intersect(select(b.c.id)))
        assertSQL(q,
                  sqlite: "SELECT authors.id FROM authors UNION SELECT * FROM (SELECT books.author_id FROM books INTERSECT SELECT books.id FROM books)",
                  postgresql: "SELECT authors.id FROM authors UNION (SELECT books.author_id FROM books INTERSECT SELECT books.id FROM books)")
    }

    func testCompoundAsSubquery() {
        let u = select(a.c.name.label("n")).union(select(b.c.title.label("n"))).subquery("u")
        assertSQL(select(fn.count()).selectFrom(u),
                  sqlite: "SELECT count(*) FROM (SELECT authors.name AS n FROM authors UNION SELECT books.title AS n FROM books) AS u")
        assertSQL(select(u.c.n).where(u.c.n.like("A%")),
                  sqlite: "SELECT u.n FROM (SELECT authors.name AS n FROM authors UNION SELECT books.title AS n FROM books) AS u WHERE u.n LIKE ?")
    }

    func testIntersectAllOnPostgreSQL() throws {
        XCTAssertEqual(try select(a.c.id).intersectAll(select(b.c.author_id)).compile(for: .postgresql).sql,
                       "SELECT authors.id FROM authors INTERSECT ALL SELECT books.author_id FROM books")
    }
}
