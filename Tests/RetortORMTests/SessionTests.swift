import Foundation
import RetortCore
import RetortORM
import XCTest
import RetortTestSupport

/// The session's life cycle, identity map and queries, on SQLite and PostgreSQL.
final class SessionTests: XCTestCase {
    func testAddFlushInsertsWithOneStatementAndAssignsKeys() throws {
        try forEachBackend { engine in
            let log = StatementLog(engine)
            let session = Session(engine)
            let authors = [Author(name: "Ursula"), Author(name: "Octavia"), Author(name: "Nnedi")]
            XCTAssertEqual(Session.state(of: authors[0]), .transient)
            try session.addAll(authors)
            XCTAssertEqual(authors.map { Session.state(of: $0) }, [.pending, .pending, .pending])
            XCTAssertEqual(session.new.count, 3)
            try session.flush()
            XCTAssertEqual(log.calls.map(\.0), ["INSERT INTO authors (name, email) VALUES (?, ?)" + returningKey(engine)])
            XCTAssertEqual(log.calls.map(\.1), [3])
            let ids = authors.compactMap(\.id)
            XCTAssertEqual(ids.count, 3)
            XCTAssertEqual(Set(ids).count, 3)
            XCTAssertEqual(authors.map { Session.state(of: $0) }, [.persistent, .persistent, .persistent])
            XCTAssertEqual(try rowCount(engine, "authors"), 0, "not committed yet")
            try session.commit()
            XCTAssertEqual(try rowCount(engine, "authors"), 3)
            XCTAssertEqual(try engine.connect { try $0.scalars(text("SELECT name FROM authors ORDER BY id"), as: String.self).all() },
                           ["Ursula", "Octavia", "Nnedi"])
        }
    }

    func testIdentityMapGivesOneInstancePerKeyAndHoldsThemWeakly() throws {
        try forEachBackend { engine in
            try Session(engine).run { try $0.addAll([Author(name: "Ursula"), Author(name: "Octavia")]) }
            let log = StatementLog(engine)
            let session = Session(engine)
            let all = try session.scalars(select(Author.self).orderBy { $0.id }).all()
            XCTAssertEqual(all.map(\.name), ["Ursula", "Octavia"])
            log.reset()
            let again = try session.get(Author.self, all[0].id!)
            XCTAssertTrue(again === all[0])
            XCTAssertEqual(log.sql, [], "get() answers from the identity map")
            let queried = try session.scalars(select(Author.self).where { $0.name == "Octavia" }).one()
            XCTAssertTrue(queried === all[1])
            XCTAssertEqual(session.identityCount, 2)

            // Unchanged instances are not kept alive by the session.
            var loose: Author? = try session.scalars(select(Author.self).where { $0.name == "Ursula" }).one()
            XCTAssertEqual(session.identityCount, 2)
            loose = nil
            _ = loose
            let other = try Session(engine).get(Author.self, all[0].id!)
            XCTAssertNotNil(other)
            XCTAssertFalse(other === all[0], "another session has its own instance")
        }
        // Weakness, observed directly.
        try forEachBackend { engine in
            try Session(engine).run { try $0.add(Author(name: "Ursula")) }
            let session = Session(engine)
            do {
                let a = try session.scalars(select(Author.self)).all()
                XCTAssertEqual(session.identityCount, a.count)
            }
            XCTAssertEqual(session.identityCount, 0)
            // A changed instance is held until flushed.
            do {
                let a = try session.scalars(select(Author.self)).one()
                a.name = "Changed"
            }
            XCTAssertEqual(session.identityCount, 1)
            try session.commit()
            XCTAssertEqual(session.identityCount, 0)
            XCTAssertEqual(try engine.connect { try $0.scalar(text("SELECT name FROM authors"), as: String.self) }, "Changed")
        }
    }

    /// A model that declares its own deinit (calling `_state.objectWillDeinit(self)`
    /// first) leaves the identity map as one with the deinit `@Model` writes; here with
    /// a composite key, which the identity map keeps apart from integer keys.
    func testAModelsOwnDeinitRunsAndItsInstancesLeaveTheIdentityMap() throws {
        try forEachBackend { engine in
            try Session(engine).run { s in
                try s.add(Edition(bookId: 7, language: "en", title: "Kindred"))
                try s.add(Edition(bookId: 7, language: "fr", title: "Liens de sang"))
            }
            let session = Session(engine)
            let before = Edition.deinitialised
            do {
                let all = try session.scalars(select(Edition.self)).all()
                XCTAssertEqual(all.count, 2)
                XCTAssertEqual(session.identityCount, 2)
            }
            XCTAssertEqual(session.identityCount, 0)
            XCTAssertEqual(Edition.deinitialised, before + 2)
            // Loaded again under the same keys: new instances, found by get().
            let fr = try XCTUnwrap(try session.get(Edition.self, 7, "fr"))
            XCTAssertTrue(try session.get(Edition.self, 7, "fr") === fr)
            XCTAssertEqual(session.identityCount, 1)
        }
    }

    func testGetLoadsByPrimaryKeyIncludingCompositeKeys() throws {
        try forEachBackend { engine in
            try Session(engine).run { s in
                try s.add(Book(id: 7, title: "Kindred"))
                try s.add(Edition(bookId: 7, language: "en", title: "Kindred"))
                try s.add(Edition(bookId: 7, language: "fr", title: "Liens de sang"))
            }
            let log = StatementLog(engine)
            let session = Session(engine)
            let fr = try XCTUnwrap(try session.get(Edition.self, 7, "fr"))
            XCTAssertEqual(fr.title, "Liens de sang")
            XCTAssertEqual(log.sql, ["SELECT editions.book_id, editions.language, editions.title FROM editions "
                                     + "WHERE editions.book_id = ? AND editions.language = ?"])
            XCTAssertTrue(try session.get(Edition.self, 7, "fr") === fr)
            XCTAssertNil(try session.get(Edition.self, 7, "de"))
            XCTAssertEqual(try session.get(Book.self, 7)?.title, "Kindred")
            let wrong = assertThrows(ArgumentError.self) { try session.get(Edition.self, 7) }
            XCTAssertTrue(wrong?.message.contains("2 columns (book_id, language)") == true, wrong?.message ?? "")
        }
    }

    func testQueriesWithConditionsOrderingLimitAndOffset() throws {
        try forEachBackend { engine in
            try Session(engine).run { s in
                for n in ["Ursula", "Octavia", "Nnedi", "Ted", "Iain"] { try s.add(Author(name: n, email: "\(n.lowercased())@example.org")) }
            }
            let session = Session(engine)
            let page = try session.scalars(select(Author.self).orderBy { $0.name }.limit(2).offset(1)).all()
            XCTAssertEqual(page.map(\.name), ["Nnedi", "Octavia"])
            let desc = try session.scalars(select(Author.self).where { $0.name != "Ted" }.orderBy { [$0.name.desc()] }).all()
            XCTAssertEqual(desc.map(\.name), ["Ursula", "Octavia", "Nnedi", "Iain"])
            XCTAssertEqual(try session.scalar(select(Author.self).where { $0.email == "ted@example.org" })?.name, "Ted")
            XCTAssertNil(try session.scalar(select(Author.self).where { $0.email == nil }))
            // Core statements run in the same transaction.
            XCTAssertEqual(try session.scalar(select(fn.count(Author.mapping.table.c.id)), as: Int.self), 5)
            assertThrows(InterfaceError.self) { try session.scalars(select(Author.self)).one() }
        }
    }

    func testAutoflushBeforeQueriesAndNoAutoflush() throws {
        try forEachBackend { engine in
            let session = Session(engine)
            try session.add(Author(name: "Ursula"))
            try session.noAutoflush { s in
                XCTAssertEqual(try s.scalars(select(Author.self)).all().count, 0)
                XCTAssertEqual(s.new.count, 1)
            }
            XCTAssertEqual(try session.scalars(select(Author.self)).all().map(\.name), ["Ursula"])
            XCTAssertEqual(session.new.count, 0)
            session.autoflush = false
            try session.add(Author(name: "Octavia"))
            XCTAssertEqual(try session.scalars(select(Author.self)).all().count, 1)
            try session.commit()
            XCTAssertEqual(try rowCount(engine, "authors"), 2)
        }
    }

    func testRunCommitsOnSuccessAndRollsBackOnThrow() throws {
        struct Abort: Error {}
        try forEachBackend { engine in
            let a = Author(name: "Ursula")
            try Session(engine).run { try $0.add(a) }
            XCTAssertEqual(try rowCount(engine, "authors"), 1)
            let b = Author(name: "Octavia")
            XCTAssertThrowsError(try Session(engine).run { s in
                try s.add(b)
                try s.flush()
                throw Abort()
            })
            XCTAssertEqual(try rowCount(engine, "authors"), 1)
            XCTAssertEqual(Session.state(of: b), .transient)
            let maker = SessionMaker(engine, expireOnCommit: false)
            try maker.begin { try $0.add(Author(name: "Nnedi")) }
            XCTAssertEqual(try rowCount(engine, "authors"), 2)
        }
    }

    func testExpireOnCommitReloadsOnNextRead() throws {
        try forEachBackend { engine in
            let session = Session(engine)
            let a = Author(name: "Ursula")
            try session.add(a)
            try session.commit()
            XCTAssertTrue(Session.isExpired(a))
            try engine.begin { try $0.execute(text("UPDATE authors SET name = 'Ursula K. Le Guin'")) }
            let log = StatementLog(engine)
            XCTAssertEqual(a.name, "Ursula K. Le Guin")
            XCTAssertEqual(log.sql, ["SELECT authors.id, authors.name, authors.email FROM authors WHERE authors.id = ?"])
            XCTAssertFalse(Session.isExpired(a))
            _ = a.email
            XCTAssertEqual(log.sql.count, 1, "one load for the whole instance")

            let keep = Session(engine, expireOnCommit: false)
            let b = try XCTUnwrap(try keep.get(Author.self, a.id!))
            try keep.commit()
            XCTAssertFalse(Session.isExpired(b))
        }
    }

    func testExpireRefreshExpungeAndStates() throws {
        try forEachBackend { engine in
            let session = Session(engine, expireOnCommit: false)
            let a = Author(name: "Ursula")
            try session.add(a)
            try session.commit()
            a.name = "Unsaved"
            session.expire(a)
            XCTAssertEqual(a.name, "Ursula", "expire discards the change and reloads")
            try session.commit()  // ends the read transaction (SQLite would block the writer below)
            try engine.begin { try $0.execute(text("UPDATE authors SET email = 'u@example.org'")) }
            try session.refresh(a)
            XCTAssertEqual(a.email, "u@example.org")
            session.expireAll()
            XCTAssertTrue(Session.isExpired(a))
            _ = a.name
            session.expunge(a)
            XCTAssertEqual(Session.state(of: a), .detached)
            XCTAssertFalse(session.contains(a))
            XCTAssertEqual(session.identityCount, 0)
            a.name = "Detached change"
            try session.add(a)
            XCTAssertEqual(Session.state(of: a), .persistent)
            XCTAssertEqual(Session.changedProperties(of: a), [], "changes made while detached are not tracked")

            try session.delete(a)
            XCTAssertEqual(session.deleted.count, 1)
            try session.flush()
            XCTAssertEqual(Session.state(of: a), .deleted)
            XCTAssertNil(try session.get(Author.self, a.id!))
            try session.commit()
            XCTAssertEqual(Session.state(of: a), .detached)
            XCTAssertEqual(try rowCount(engine, "authors"), 0)

            try engine.begin { try $0.execute(text("INSERT INTO authors (id, name) VALUES (99, 'Gone')")) }
            let gone = try XCTUnwrap(try session.get(Author.self, 99))
            try session.commit()
            try engine.begin { try $0.execute(text("DELETE FROM authors")) }
            assertThrows(ObjectDeletedError.self) { try session.refresh(gone) }
        }
    }

    func testAnInstanceBelongsToOneSessionAndMergeCopiesIntoAnother() throws {
        try forEachBackend { engine in
            let first = Session(engine)
            let a = Author(name: "Ursula")
            try first.add(a)
            try first.flush()
            let id = a.id
            try first.commit()
            let second = Session(engine)
            let err = assertThrows(InvalidRequestError.self) { try second.add(a) }
            XCTAssertTrue(err?.message.contains("another session") == true)

            let detached = Author(id: id, name: "Ursula K. Le Guin", email: "u@example.org")
            let merged = try second.merge(detached)
            XCTAssertFalse(merged === detached)
            XCTAssertEqual(Session.state(of: merged), .persistent)
            XCTAssertEqual(Set(Session.changedProperties(of: merged)), ["name", "email"])
            let log = StatementLog(engine)
            try second.commit()
            XCTAssertEqual(log.sql, ["UPDATE authors SET name = ?, email = ? WHERE authors.id = ?"])
            let fresh = try second.merge(Author(name: "New"))
            XCTAssertEqual(Session.state(of: fresh), .pending)
            try second.commit()
            XCTAssertEqual(try rowCount(engine, "authors"), 2)
            first.close()
            XCTAssertEqual(Session.state(of: a), .detached)
        }
    }
}
