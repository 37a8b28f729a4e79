import Foundation
import RetortCore
import RetortORM
import XCTest
import RetortTestSupport

/// What a flush writes: dependency order, changed columns only, generated values,
/// and how a failed flush leaves the session.
final class UnitOfWorkTests: XCTestCase {
    func testDirtyTrackingOfEachColumnTypeWritesOnlyRealChanges() throws {
        try forEachBackend { engine in
            let made = Date(timeIntervalSince1970: 1_700_000_000)
            let g = Gadget(label: "g", active: true, weight: 1.5, price: Decimal(string: "9.99")!, madeAt: made,
                           serial: UUID(), blob: Data([1, 2, 3]), note: nil)
            let session = Session(engine, expireOnCommit: false)
            try session.add(g)
            try session.commit()
            let log = StatementLog(engine)

            // Each property set to its current value: nothing to write.
            g.label = "g"; g.active = true; g.weight = 1.5; g.price = Decimal(string: "9.99")!
            g.madeAt = made; g.serial = g.serial; g.blob = Data([1, 2, 3]); g.note = nil
            XCTAssertEqual(Session.changedProperties(of: g), [])
            try session.flush()
            XCTAssertEqual(log.sql, [])

            // Changed and changed back: nothing either.
            g.label = "other"
            g.label = "g"
            try session.flush()
            XCTAssertEqual(log.sql, [])

            let changes: [(String, String, (Gadget) -> Void)] = [
                ("label", "label", { $0.label = "h" }),
                ("active", "active", { $0.active = false }),
                ("weight", "weight", { $0.weight = 2.25 }),
                ("price", "price", { $0.price = Decimal(string: "10.50")! }),
                ("madeAt", "made_at", { $0.madeAt = made.addingTimeInterval(3600) }),
                ("serial", "serial", { $0.serial = UUID() }),
                ("blob", "blob", { $0.blob = Data([9]) }),
                ("note", "note", { $0.note = "a note" }),
            ]
            for (property, column, change) in changes {
                log.reset()
                change(g)
                XCTAssertEqual(Session.changedProperties(of: g), [property])
                try session.flush()
                XCTAssertEqual(log.sql, ["UPDATE gadgets SET \(engine.dialect.quoteIdentifier(column)) = ? WHERE gadgets.id = ?"], property)
            }
            try session.commit()
            let fresh = Session(engine)
            let back = try XCTUnwrap(try fresh.get(Gadget.self, g.id!))
            XCTAssertEqual(back.label, "h")
            XCTAssertEqual(back.active, false)
            XCTAssertEqual(back.weight, 2.25)
            XCTAssertEqual(back.price, Decimal(string: "10.50")!)
            XCTAssertEqual(back.madeAt, made.addingTimeInterval(3600))
            XCTAssertEqual(back.serial, g.serial)
            XCTAssertEqual(back.blob, Data([9]))
            XCTAssertEqual(back.note, "a note")
        }
    }

    func testFlushOrdersThreeDependentTablesAddedInReverse() throws {
        try forEachBackend { engine in
            let session = Session(engine)
            let log = StatementLog(engine)
            let review = Review(bookId: 10, stars: 5)
            let book = Book(id: 10, title: "The Dispossessed", authorId: 20)
            let author = Author(id: 20, name: "Ursula")
            try session.add(review)
            try session.add(book)
            try session.add(author)
            try session.commit()
            XCTAssertEqual(log.sql, [
                "INSERT INTO authors (id, name, email) VALUES (?, ?, ?)",
                "INSERT INTO books (id, title, author_id) VALUES (?, ?, ?)",
                "INSERT INTO reviews (book_id, stars) VALUES (?, ?)" + returningKey(engine),
            ])
            XCTAssertNotNil(review.id)
            log.reset()
            try session.delete(author)
            try session.delete(book)
            try session.delete(review)
            try session.commit()
            XCTAssertEqual(log.sql, [
                "DELETE FROM reviews WHERE reviews.id = ?",
                "DELETE FROM books WHERE books.id = ?",
                "DELETE FROM authors WHERE authors.id = ?",
            ])
            for t in ["authors", "books", "reviews"] { XCTAssertEqual(try rowCount(engine, t), 0, t) }
        }
    }

    func testServerDefaultsComeBackWithReturning() throws {
        try forEachBackend { engine in
            let session = Session(engine)
            let log = StatementLog(engine)
            let t = Ticket(subject: "Printer on fire")
            let u = Ticket(subject: "Paper jam", status: "closed")
            try session.addAll([t, u])
            try session.flush()
            XCTAssertEqual(log.sql, [
                "INSERT INTO tickets (subject) VALUES (?) RETURNING id, status",
                "INSERT INTO tickets (subject, status) VALUES (?, ?)" + returningKey(engine),
            ])
            XCTAssertEqual(t.status, "open")
            XCTAssertEqual(u.status, "closed")
            XCTAssertNotNil(t.id)
            XCTAssertNotNil(u.id)
        }
    }

    func testFailedFlushRollsBackAndLeavesInstancesForARetry() throws {
        try forEachBackend { engine in
            let session = Session(engine, expireOnCommit: false)
            let ursula = Author(name: "Ursula", email: "u@example.org")
            try session.add(ursula)
            try session.commit()

            let first = Author(name: "First", email: "first@example.org")
            let clash = Author(name: "Clash", email: "u@example.org")
            ursula.name = "Ursula K. Le Guin"
            try session.addAll([first, clash])
            let error = assertThrows(IntegrityError.self) { try session.flush() }
            XCTAssertEqual(error?.kind, .unique)
            // The database names the key (PostgreSQL, MySQL) or its columns (SQLite).
            if let name = error?.constraintName {
                XCTAssertEqual(name, "uq_authors_email")
            } else {
                XCTAssertEqual(error?.columnNames, ["email"])
            }
            // Pre-flush state: pending stays pending without keys, the change stays.
            XCTAssertEqual([first, clash].map { Session.state(of: $0) }, [.pending, .pending])
            XCTAssertNil(first.id)
            XCTAssertNil(clash.id)
            XCTAssertEqual(Session.changedProperties(of: ursula), ["name"])
            XCTAssertFalse(session.inTransaction, "the transaction was rolled back")

            clash.email = "clash@example.org"
            try session.commit()
            XCTAssertNotNil(first.id)
            XCTAssertNotNil(clash.id)
            XCTAssertEqual(try rowCount(engine, "authors"), 3)
            XCTAssertEqual(try engine.connect { try $0.scalar(text("SELECT name FROM authors WHERE email = 'u@example.org'"), as: String.self) },
                           "Ursula K. Le Guin")
        }
    }

    func testFailedFlushMakesEarlierFlushesOfTheTransactionPendingAgain() throws {
        try forEachBackend { engine in
            let session = Session(engine)
            let early = Author(name: "Early", email: "e@example.org")
            try session.add(early)
            try session.flush()
            XCTAssertNotNil(early.id)
            try session.add(Author(name: "Late", email: "e@example.org"))
            assertThrows(IntegrityError.self) { try session.flush() }
            XCTAssertEqual(Session.state(of: early), .pending, "its INSERT was rolled back with the transaction")
            XCTAssertEqual(session.new.count, 2)
            session.expunge(session.new[1] as! Author)
            try session.commit()
            XCTAssertEqual(try rowCount(engine, "authors"), 1)
            XCTAssertEqual(Session.state(of: early), .persistent)
        }
    }

    func testRollbackRestoresInstances() throws {
        try forEachBackend { engine in
            let session = Session(engine)
            let kept = Author(name: "Kept")
            try session.add(kept)
            try session.commit()

            kept.name = "Renamed"
            let added = Author(name: "Added")
            try session.add(added)
            try session.flush()
            let unflushed = Author(name: "Unflushed")
            try session.add(unflushed)
            try session.delete(kept)
            try session.rollback()

            XCTAssertEqual(Session.state(of: added), .transient)
            XCTAssertEqual(Session.state(of: unflushed), .transient)
            XCTAssertEqual(Session.state(of: kept), .persistent)
            XCTAssertEqual(kept.name, "Kept", "expired and reloaded")
            XCTAssertEqual(session.deleted.count, 0)
            XCTAssertEqual(try rowCount(engine, "authors"), 1)
        }
    }

    func testSavepointRollbackInsideASessionTransaction() throws {
        try forEachBackend { engine in
            let session = Session(engine)
            let outer = Author(name: "Outer")
            try session.add(outer)
            let sp = try session.beginNested()
            let inner = Author(name: "Inner")
            try session.add(inner)
            outer.name = "Outer renamed"
            try session.flush()
            try sp.rollback()
            XCTAssertEqual(Session.state(of: inner), .transient)
            XCTAssertEqual(outer.name, "Outer", "expired: the rename was rolled back")
            XCTAssertThrowsError(try sp.commit())

            try session.beginNested { s in try s.add(Author(name: "Kept inner")) }
            struct Abort: Error {}
            XCTAssertThrowsError(try session.beginNested { s in
                try s.add(Author(name: "Thrown away"))
                try s.flush()
                throw Abort()
            })
            try session.commit()
            XCTAssertEqual(try engine.connect { try $0.scalars(text("SELECT name FROM authors ORDER BY id"), as: String.self).all() },
                           ["Outer", "Kept inner"])
        }
    }

    func testDeletedThenRolledBackIsPersistentAgain() throws {
        try forEachBackend { engine in
            let session = Session(engine, expireOnCommit: false)
            let a = Author(name: "Ursula")
            try session.add(a)
            try session.commit()
            try session.delete(a)
            try session.flush()
            XCTAssertEqual(Session.state(of: a), .deleted)
            try session.rollback()
            XCTAssertEqual(Session.state(of: a), .persistent)
            XCTAssertTrue(try session.get(Author.self, a.id!) === a)
            // A pending instance deleted is simply dropped.
            let p = Author(name: "Pending")
            try session.add(p)
            try session.delete(p)
            XCTAssertEqual(Session.state(of: p), .transient)
            assertThrows(InvalidRequestError.self) { try session.delete(Author(name: "Never added")) }
        }
    }

    func testStaleUpdateIsReported() throws {
        try forEachBackend { engine in
            let session = Session(engine, expireOnCommit: false)
            let a = Author(name: "Ursula")
            try session.add(a)
            try session.commit()
            try engine.begin { try $0.execute(text("DELETE FROM authors")) }
            a.name = "Changed"
            let error = assertThrows(StaleDataError.self) { try session.flush() }
            XCTAssertTrue(error?.message.contains("expected to match 1 row and matched 0") == true, error?.message ?? "")
        }
    }
}
