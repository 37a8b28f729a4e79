import Foundation
import Retort
import XCTest
import RetortTestSupport

/// What the flush writes for relationships, on SQLite and PostgreSQL: the statements
/// (captured through the engine's events) and the rows they leave.
final class RelationshipPersistenceTests: XCTestCase {
    /// The DML statements of a log (loads left out), with their parameter-set counts.
    private func writes(_ log: StatementLog) -> [String] {
        log.calls.filter { !$0.0.hasPrefix("SELECT") }.map { "\($0.0) ×\($0.1)" }
    }

    private func selects(_ log: StatementLog) -> Int {
        log.sql.filter { $0.hasPrefix("SELECT") }.count
    }

    // MARK: save-update and foreign keys

    func testAddCascadesAndTheFlushCopiesKeysIntoForeignKeys() throws {
        try forEachCsBackend { engine in
            let log = StatementLog(engine)
            let session = Session(engine)
            let ursula = CsAuthor(name: "Ursula")
            let dispossessed = CsBook(title: "The Dispossessed")
            dispossessed.author = ursula                       // many-to-one
            let lathe = CsBook(title: "The Lathe of Heaven")
            ursula.books.append(lathe)                         // one-to-many
            try session.add(dispossessed)                      // reaches ursula, then lathe
            XCTAssertEqual([Session.state(of: ursula), Session.state(of: lathe)], [.pending, .pending])
            XCTAssertEqual(session.new.count, 3)
            XCTAssertNil(dispossessed.authorId)

            try session.flush()
            let r = returningKey(engine)
            XCTAssertEqual(writes(log), [
                "INSERT INTO cs_authors (name) VALUES (?)\(r) ×1",
                "INSERT INTO cs_books (title, author_id) VALUES (?, ?)\(r) ×2",
            ])
            XCTAssertNotNil(ursula.id)
            XCTAssertEqual(dispossessed.authorId, ursula.id)
            XCTAssertEqual(lathe.authorId, ursula.id)
            XCTAssertEqual(Session.changedProperties(of: lathe), [])
            try session.commit()
            XCTAssertEqual(try rows(engine, "SELECT b.title, a.name FROM cs_books b JOIN cs_authors a ON a.id = b.author_id ORDER BY b.title"),
                           [["The Dispossessed", "Ursula"], ["The Lathe of Heaven", "Ursula"]])
        }
    }

    func testObjectsRelatedAfterTheOwnerWasAddedAreWrittenAtTheFlush() throws {
        try forEachCsBackend { engine in
            try Session(engine).run { try $0.add(CsAuthor(name: "Ursula")) }
            let log = StatementLog(engine)
            let session = Session(engine)
            let ursula = try session.scalars(select(CsAuthor.self)).one()
            let book = CsBook(title: "Always Coming Home")
            ursula.books.append(book)                          // loads books (none), then appends
            XCTAssertEqual(Session.state(of: book), .transient, "picked up at the flush, not before")
            XCTAssertEqual(session.dirty.count, 1, "the author's relationship changed")
            log.reset()
            try session.flush()
            XCTAssertEqual(Session.state(of: book), .persistent)
            XCTAssertEqual(writes(log), ["INSERT INTO cs_books (title, author_id) VALUES (?, ?)\(returningKey(engine)) ×1"])
            XCTAssertEqual(book.authorId, ursula.id)
            XCTAssertEqual(session.dirty.count, 0)

            // A flush with nothing new writes nothing.
            log.reset()
            try session.flush()
            XCTAssertEqual(log.sql, [])
            try session.commit()
            XCTAssertEqual(try rows(engine, "SELECT title, author_id FROM cs_books"), [["Always Coming Home", "\(ursula.id!)"]])
        }
    }

    func testMovingAChildToAnotherParentUpdatesItsForeignKey() throws {
        try forEachCsBackend { engine in
            try Session(engine).run { s in
                let shelf = CsShelf(label: "A")
                shelf.items = [CsItem(name: "lamp"), CsItem(name: "vase")]
                try s.addAll([shelf, CsShelf(label: "B")])
            }
            let log = StatementLog(engine)
            let session = Session(engine)
            let shelves = try session.scalars(select(CsShelf.self).orderBy { $0.label }).all()
            let (a, b) = (shelves[0], shelves[1])
            let lamp = a.items[0]
            lamp.shelf = b                                     // many-to-one side; a.items loses it in memory
            XCTAssertEqual(a.items.map(\.name), ["vase"])
            log.reset()
            try session.flush()
            XCTAssertEqual(writes(log), ["UPDATE cs_items SET shelf_id = ? WHERE cs_items.id = ? ×1"])
            XCTAssertEqual(lamp.shelfId, b.id)

            // From the collection side: one UPDATE, the key of the new parent.
            let vase = a.items[0]
            b.items.append(vase)
            XCTAssertTrue(vase.shelf === b)
            log.reset()
            try session.commit()
            XCTAssertEqual(writes(log), ["UPDATE cs_items SET shelf_id = ? WHERE cs_items.id = ? ×1"])
            XCTAssertEqual(try rows(engine, "SELECT i.name, s.label FROM cs_items i JOIN cs_shelves s ON s.id = i.shelf_id ORDER BY i.name"),
                           [["lamp", "B"], ["vase", "B"]])
        }
    }

    func testTakingAChildOutWithoutDeleteOrphanSetsItsForeignKeyToNull() throws {
        try forEachCsBackend { engine in
            try Session(engine).run { s in
                let shelf = CsShelf(label: "A")
                shelf.items = [CsItem(name: "lamp"), CsItem(name: "vase"), CsItem(name: "clock")]
                try s.add(shelf)
            }
            let log = StatementLog(engine)
            let session = Session(engine)
            let shelf = try session.scalars(select(CsShelf.self)).one()
            shelf.items.removeAll { $0.name == "clock" }          // one-to-many side
            let lamp = shelf.items.first { $0.name == "lamp" }!
            lamp.shelf = nil                                     // many-to-one side
            XCTAssertEqual(shelf.items.map(\.name), ["vase"])
            log.reset()
            try session.commit()
            XCTAssertEqual(writes(log), ["UPDATE cs_items SET shelf_id = ? WHERE cs_items.id = ? ×2"])
            XCTAssertEqual(try rows(engine, "SELECT name, shelf_id FROM cs_items ORDER BY name"),
                           [["clock", "nil"], ["lamp", "nil"], ["vase", "\(shelf.id!)"]])
        }
    }

    func testOneToOneSetsReplacesAndUnlinks() throws {
        try forEachCsBackend { engine in
            let log = StatementLog(engine)
            let session = Session(engine)
            let account = CsAccount(login: "ursula")
            let first = CsProfile(bio: "first")
            account.profile = first
            XCTAssertTrue(first.account === account)
            try session.add(account)
            try session.flush()
            let r = returningKey(engine)
            XCTAssertEqual(writes(log), [
                "INSERT INTO cs_accounts (login) VALUES (?)\(r) ×1",
                "INSERT INTO cs_profiles (account_id, bio) VALUES (?, ?)\(r) ×1",
            ])
            XCTAssertEqual(first.accountId, account.id)
            try session.commit()
            session.close()                                    // its instances keep their values, detached

            // Replacing it: the old profile gives up the (unique) key before the new one
            // takes it.
            let again = Session(engine)
            let loaded = try again.get(CsAccount.self, account.id!)!
            let second = CsProfile(bio: "second")
            log.reset()
            loaded.profile = second                            // loads the old one first
            XCTAssertEqual(selects(log), 1)
            log.reset()
            try again.flush()
            XCTAssertEqual(writes(log), [
                "UPDATE cs_profiles SET account_id = ? WHERE cs_profiles.id = ? ×1",
                "INSERT INTO cs_profiles (account_id, bio) VALUES (?, ?)\(r) ×1",
            ])
            // From the child's side: its reference set to nil.
            second.account = nil
            log.reset()
            try again.commit()
            XCTAssertEqual(writes(log), ["UPDATE cs_profiles SET account_id = ? WHERE cs_profiles.id = ? ×1"])
            XCTAssertEqual(try rows(engine, "SELECT bio, account_id FROM cs_profiles ORDER BY bio"), [["first", "nil"], ["second", "nil"]])
        }
    }

    // MARK: many-to-many

    func testManyToManyWritesTheAssociationTableOncePerPair() throws {
        try forEachCsBackend { engine in
            let log = StatementLog(engine)
            let session = Session(engine)
            let book = CsBook(title: "The Left Hand of Darkness")
            book.author = CsAuthor(name: "Ursula")             // CsAuthor.books is delete-orphan: a book needs an author
            let sf = CsTag(name: "sf"), classic = CsTag(name: "classic"), award = CsTag(name: "award")
            book.tags.append(sf)                               // both sides mirror...
            classic.books.append(book)                         // ...from either side
            XCTAssertEqual(book.tags.map(\.name), ["sf", "classic"])
            XCTAssertTrue(sf.books[0] === book)
            try session.addAll([book, award])
            try session.flush()
            let r = returningKey(engine)
            XCTAssertEqual(writes(log), [
                "INSERT INTO cs_authors (name) VALUES (?)\(r) ×1",
                "INSERT INTO cs_books (title, author_id) VALUES (?, ?)\(r) ×1",
                "INSERT INTO cs_tags (name) VALUES (?)\(r) ×3",
                "INSERT INTO cs_book_tags (book_id, tag_id) VALUES (?, ?) ×2",   // once per pair
            ])
            try session.commit()
            session.close()                                    // its instances keep their values, detached

            // Remove one, add one, in a new session: one DELETE, one INSERT.
            let s2 = Session(engine)
            let loaded = try s2.get(CsBook.self, book.id!)!
            let awardTag = try s2.get(CsTag.self, award.id!)!
            loaded.tags.removeAll { $0.name == "sf" }
            loaded.tags.append(awardTag)
            log.reset()
            try s2.commit()
            XCTAssertEqual(writes(log), [
                "DELETE FROM cs_book_tags WHERE cs_book_tags.book_id = ? AND cs_book_tags.tag_id = ? ×1",
                "INSERT INTO cs_book_tags (book_id, tag_id) VALUES (?, ?) ×1",
            ])
            XCTAssertEqual(try rows(engine, "SELECT t.name FROM cs_book_tags bt JOIN cs_tags t ON t.id = bt.tag_id ORDER BY t.name"),
                           [["award"], ["classic"]])

            // Removed from the other side; added and removed again (nothing to write).
            let s3 = Session(engine)
            let classicTag = try s3.scalars(select(CsTag.self).where { $0.name == "classic" }).one()
            let sfTag = try s3.scalars(select(CsTag.self).where { $0.name == "sf" }).one()
            let b3 = try s3.get(CsBook.self, book.id!)!
            _ = (classicTag.books, sfTag.books)                // loaded before any change (a lazy load autoflushes)
            classicTag.books.removeAll()
            sfTag.books.append(b3)
            sfTag.books.removeAll()
            log.reset()
            try s3.commit()
            XCTAssertEqual(writes(log), ["DELETE FROM cs_book_tags WHERE cs_book_tags.book_id = ? AND cs_book_tags.tag_id = ? ×1"])
            XCTAssertEqual(try rows(engine, "SELECT tag_id FROM cs_book_tags"), [["\(award.id!)"]])
        }
    }

    func testDeletingAnObjectDeletesItsAssociationRowsFirst() throws {
        try forEachCsBackend { engine in
            try Session(engine).run { s in
                let a = CsBook(title: "A"), b = CsBook(title: "B")
                CsAuthor(name: "Ursula").books = [a, b]        // delete-orphan: each book needs an author
                let t = CsTag(name: "t"), u = CsTag(name: "u")
                a.tags = [t, u]
                b.tags = [t]
                try s.addAll([a, b])
            }
            let log = StatementLog(engine)
            let session = Session(engine)
            let a = try session.scalars(select(CsBook.self).where { $0.title == "A" }).one()
            try session.delete(a)
            XCTAssertEqual(selects(log), 1, "the book only: its tags need not be loaded to delete its association rows")
            log.reset()
            try session.commit()
            XCTAssertEqual(writes(log), [
                "DELETE FROM cs_book_tags WHERE cs_book_tags.book_id = ? ×1",
                "DELETE FROM cs_books WHERE cs_books.id = ? ×1",
            ])
            XCTAssertEqual(try rows(engine, "SELECT b.title, t.name FROM cs_book_tags bt JOIN cs_books b ON b.id = bt.book_id JOIN cs_tags t ON t.id = bt.tag_id"),
                           [["B", "t"]])
            XCTAssertEqual(try rowCount(engine, "cs_tags"), 2)
        }
    }

    // MARK: delete cascades

    func testDeleteCascadeLoadsAndDeletesChildrenAndTheirAssociationRows() throws {
        try forEachCsBackend { engine in
            try Session(engine).run { s in
                let ursula = CsAuthor(name: "Ursula"), octavia = CsAuthor(name: "Octavia")
                let sf = CsTag(name: "sf")
                ursula.books = [CsBook(title: "The Dispossessed"), CsBook(title: "The Word for World Is Forest")]
                octavia.books = [CsBook(title: "Kindred")]
                ursula.books[0].tags = [sf]
                octavia.books[0].tags = [sf]
                try s.addAll([ursula, octavia])
            }
            let log = StatementLog(engine)
            let session = Session(engine)
            let ursula = try session.scalars(select(CsAuthor.self).where { $0.name == "Ursula" }).one()
            log.reset()
            try session.delete(ursula)
            XCTAssertEqual(selects(log), 1, "the books, loaded to delete them")
            let books = try ursula.load(\.books)
            XCTAssertEqual(session.deleted.count, 3)
            log.reset()
            try session.flush()
            XCTAssertEqual(writes(log), [
                "DELETE FROM cs_book_tags WHERE cs_book_tags.book_id = ? ×2",
                "DELETE FROM cs_books WHERE cs_books.id = ? ×2",
                "DELETE FROM cs_authors WHERE cs_authors.id = ? ×1",
            ])
            XCTAssertEqual(books.map { Session.state(of: $0) }, [.deleted, .deleted])
            try session.commit()
            XCTAssertEqual(try rows(engine, "SELECT name FROM cs_authors"), [["Octavia"]])
            XCTAssertEqual(try rows(engine, "SELECT title FROM cs_books"), [["Kindred"]])
            XCTAssertEqual(try rowCount(engine, "cs_book_tags"), 1)
            XCTAssertEqual(try rowCount(engine, "cs_tags"), 1)
        }
    }

    func testDeletingAParentWithoutDeleteCascadeUnlinksItsChildren() throws {
        try forEachCsBackend { engine in
            try Session(engine).run { s in
                let a = CsShelf(label: "A"), b = CsShelf(label: "B")
                a.items = [CsItem(name: "lamp"), CsItem(name: "vase")]
                b.items = [CsItem(name: "clock")]
                try s.addAll([a, b])
            }
            let log = StatementLog(engine)
            let session = Session(engine)
            let a = try session.scalars(select(CsShelf.self).where { $0.label == "A" }).one()
            log.reset()
            try session.delete(a)
            XCTAssertEqual(selects(log), 1, "the items, loaded to unlink them")
            log.reset()
            try session.commit()
            XCTAssertEqual(writes(log), [
                "UPDATE cs_items SET shelf_id = ? WHERE cs_items.id = ? ×2",
                "DELETE FROM cs_shelves WHERE cs_shelves.id = ? ×1",
            ])
            XCTAssertEqual(try rows(engine, "SELECT i.name, s.label FROM cs_items i LEFT JOIN cs_shelves s ON s.id = i.shelf_id ORDER BY i.name"),
                           [["clock", "B"], ["lamp", "nil"], ["vase", "nil"]])
        }
    }

    func testPassiveDeletesLeaveUnloadedChildrenToTheDatabase() throws {
        try forEachCsBackend { engine in
            try Session(engine).run { s in
                let root = CsFolder(name: "root"), docs = CsFolder(name: "docs")
                root.children = [docs, CsFolder(name: "music")]
                docs.children = [CsFolder(name: "letters")]
                try s.add(root)
                try s.add(CsFolder(name: "other"))
            }
            XCTAssertEqual(try rowCount(engine, "cs_folders"), 5)
            let log = StatementLog(engine)
            let session = Session(engine)
            let root = try session.scalars(select(CsFolder.self).where { $0.name == "root" }).one()
            log.reset()
            try session.delete(root)
            try session.commit()
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("SELECT") }, [], "no SELECT of the children")
            XCTAssertEqual(writes(log), ["DELETE FROM cs_folders WHERE cs_folders.id = ? ×1"])
            XCTAssertEqual(try rows(engine, "SELECT name FROM cs_folders"), [["other"]], "ON DELETE CASCADE removed the rest")

            // Loaded children are deleted by the ORM, children first, and leave the session.
            try Session(engine).run { s in
                let top = CsFolder(name: "top")
                top.children = [CsFolder(name: "a"), CsFolder(name: "b")]
                try s.add(top)
            }
            let s2 = Session(engine)
            let top = try s2.scalars(select(CsFolder.self).where { $0.name == "top" }).one()
            let children = try top.load(\.children)
            log.reset()
            try s2.delete(top)
            try s2.flush()
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("SELECT") }, [])
            XCTAssertEqual(writes(log), [
                "DELETE FROM cs_folders WHERE cs_folders.id = ? ×2",
                "DELETE FROM cs_folders WHERE cs_folders.id = ? ×1",
            ])
            XCTAssertEqual(children.map { Session.state(of: $0) }, [.deleted, .deleted])
            try s2.commit()
            XCTAssertEqual(children.map { Session.state(of: $0) }, [.detached, .detached])
            XCTAssertEqual(try rows(engine, "SELECT name FROM cs_folders"), [["other"]])
        }
    }

    func testDeleteOrphanDeletesWhatIsTakenOutAndNotPutElsewhere() throws {
        try forEachCsBackend { engine in
            try Session(engine).run { s in
                let ursula = CsAuthor(name: "Ursula"), octavia = CsAuthor(name: "Octavia")
                ursula.books = [CsBook(title: "A"), CsBook(title: "B"), CsBook(title: "C")]
                try s.addAll([ursula, octavia])
            }
            let log = StatementLog(engine)
            let session = Session(engine)
            let ursula = try session.scalars(select(CsAuthor.self).where { $0.name == "Ursula" }).one()
            let octavia = try session.scalars(select(CsAuthor.self).where { $0.name == "Octavia" }).one()
            let books = ursula.books
            _ = octavia.books                                  // loaded before any change (a lazy load autoflushes)
            ursula.books.removeAll { $0.title == "A" }         // taken out of the collection: an orphan
            books[1].author = nil                              // its parent reference cleared: an orphan
            books[2].author = octavia                          // moved: not an orphan
            XCTAssertEqual(ursula.books.map(\.title), [])
            XCTAssertEqual(octavia.books.map(\.title), ["C"])
            let neverAdded = CsBook(title: "D")                 // put in and taken out before any flush
            ursula.books.append(neverAdded)
            ursula.books.removeAll { $0 === neverAdded }
            let unsaved = CsBook(title: "E")
            octavia.books.append(unsaved)
            try session.add(unsaved)
            unsaved.author = nil                               // pending, then orphaned: expunged, never inserted
            log.reset()
            try session.flush()
            XCTAssertEqual(writes(log), [
                "UPDATE cs_books SET author_id = ? WHERE cs_books.id = ? ×1",
                "DELETE FROM cs_book_tags WHERE cs_book_tags.book_id = ? ×2",
                "DELETE FROM cs_books WHERE cs_books.id = ? ×2",
            ])
            XCTAssertEqual(books.map { Session.state(of: $0) }, [.deleted, .deleted, .persistent])
            XCTAssertEqual(Session.state(of: neverAdded), .transient)
            XCTAssertEqual(Session.state(of: unsaved), .transient)
            try session.commit()
            XCTAssertEqual(try rows(engine, "SELECT b.title, a.name FROM cs_books b LEFT JOIN cs_authors a ON a.id = b.author_id ORDER BY b.title"),
                           [["C", "Octavia"]])
        }
    }

    // MARK: order of rows

    func testSelfReferentialTreeInsertsParentsFirstAndDeletesChildrenFirst() throws {
        try forEachCsBackend { engine in
            let log = StatementLog(engine)
            let session = Session(engine)
            let root = CsNode(name: "root")
            let fiction = CsNode(name: "fiction"), poetry = CsNode(name: "poetry")
            let sf = CsNode(name: "sf")
            root.children = [fiction, poetry]
            sf.parent = fiction
            try session.add(sf)                               // reaches fiction, root, poetry
            try session.flush()
            let r = returningKey(engine)
            XCTAssertEqual(writes(log), [
                "INSERT INTO cs_nodes (name, parent_id) VALUES (?, ?)\(r) ×1",
                "INSERT INTO cs_nodes (name, parent_id) VALUES (?, ?)\(r) ×2",
                "INSERT INTO cs_nodes (name, parent_id) VALUES (?, ?)\(r) ×1",
            ])
            XCTAssertNil(root.parentId)
            XCTAssertEqual([fiction.parentId, poetry.parentId], [root.id, root.id])
            XCTAssertEqual(sf.parentId, fiction.id)
            try session.commit()
            session.close()                                    // its instances keep their values, detached

            // An existing node moved under a new one: the new row first, then the UPDATE.
            let s2 = Session(engine)
            let poetry2 = try s2.get(CsNode.self, poetry.id!)!
            let fiction2 = try s2.get(CsNode.self, fiction.id!)!
            let genre = CsNode(name: "genre")
            genre.parent = poetry2
            fiction2.parent = genre
            log.reset()
            try s2.commit()
            XCTAssertEqual(writes(log), [
                "INSERT INTO cs_nodes (name, parent_id) VALUES (?, ?)\(r) ×1",
                "UPDATE cs_nodes SET parent_id = ? WHERE cs_nodes.id = ? ×1",
            ])
            XCTAssertEqual(try rows(engine, "SELECT c.name, p.name FROM cs_nodes c JOIN cs_nodes p ON p.id = c.parent_id ORDER BY c.name"),
                           [["fiction", "genre"], ["genre", "poetry"], ["poetry", "root"], ["sf", "fiction"]])

            // Deleting the root (cascade .all): deepest rows first, one statement per level.
            let s3 = Session(engine)
            let root3 = try s3.get(CsNode.self, root.id!)!
            try s3.delete(root3)
            XCTAssertEqual(s3.deleted.count, 5)
            log.reset()
            try s3.commit()
            XCTAssertEqual(writes(log), [
                "DELETE FROM cs_nodes WHERE cs_nodes.id = ? ×1",   // sf
                "DELETE FROM cs_nodes WHERE cs_nodes.id = ? ×1",   // fiction
                "DELETE FROM cs_nodes WHERE cs_nodes.id = ? ×1",   // genre
                "DELETE FROM cs_nodes WHERE cs_nodes.id = ? ×1",   // poetry
                "DELETE FROM cs_nodes WHERE cs_nodes.id = ? ×1",   // root
            ])
            XCTAssertEqual(try rowCount(engine, "cs_nodes"), 0)
        }
    }

    func testPostUpdateInsertsBothRowsThenUpdatesAndClearsBeforeDeleting() throws {
        try forEachCsBackend { engine in
            let log = StatementLog(engine)
            let session = Session(engine)
            let user = CsUser(name: "ursula")
            let post = CsPost(title: "hello")
            user.posts.append(post)                            // cs_posts.author_id -> cs_users
            user.favoritePost = post                           // cs_users.favorite_post_id -> cs_posts
            try session.add(user)
            try session.flush()
            let r = returningKey(engine)
            XCTAssertEqual(writes(log), [
                "INSERT INTO cs_users (name, favorite_post_id) VALUES (?, ?)\(r) ×1",
                "INSERT INTO cs_posts (title, author_id) VALUES (?, ?)\(r) ×1",
                "UPDATE cs_users SET favorite_post_id = ? WHERE cs_users.id = ? ×1",
            ])
            XCTAssertEqual(user.favoritePostId, post.id)
            XCTAssertEqual(post.authorId, user.id)
            XCTAssertEqual(Session.changedProperties(of: user), [])
            try session.commit()
            session.close()                                    // its instances keep their values, detached
            XCTAssertEqual(try rows(engine, "SELECT u.name, p.title FROM cs_users u JOIN cs_posts p ON p.id = u.favorite_post_id AND p.author_id = u.id"),
                           [["ursula", "hello"]])

            let s2 = Session(engine)
            let u2 = try s2.get(CsUser.self, user.id!)!
            log.reset()
            try s2.delete(u2)                                  // cascade .all to posts
            try s2.commit()
            XCTAssertEqual(writes(log), [
                "UPDATE cs_users SET favorite_post_id = ? WHERE cs_users.id = ? ×1",
                "DELETE FROM cs_posts WHERE cs_posts.id = ? ×1",
                "DELETE FROM cs_users WHERE cs_users.id = ? ×1",
            ])
            XCTAssertEqual(try rowCount(engine, "cs_users") + rowCount(engine, "cs_posts"), 0)
        }
    }

    func testACycleWithoutPostUpdateIsAnErrorNamingTheRelationships() throws {
        try forEachCsBackend { engine in
            let session = Session(engine)
            let employee = CsEmployee(name: "ursula")
            let desk = CsDesk(room: "12")
            employee.desk = desk
            desk.owner = employee
            try session.add(employee)
            let log = StatementLog(engine)
            let error = assertThrows(CircularDependencyError.self) { try session.flush() }
            XCTAssertEqual(error?.description,
                "CircularDependencyError: the flush cannot order the INSERTs of rows of cs_desks and cs_employees: each needs the key of another first, "
                + "a cycle through CsDesk.owner and CsEmployee.desk. Declare one of these relationships with postUpdate: true, so that its "
                + "foreign key is written by an UPDATE after the rows are inserted (and set to NULL before they are deleted)")
            XCTAssertEqual(writes(log), [])
            XCTAssertEqual([Session.state(of: employee), Session.state(of: desk)], [.pending, .pending])
            XCTAssertNil(employee.deskId)
            // Without the cycle the same objects flush.
            desk.owner = nil
            try session.commit()
            XCTAssertEqual(try rows(engine, "SELECT e.name, d.room, d.owner_id FROM cs_employees e JOIN cs_desks d ON d.id = e.desk_id"),
                           [["ursula", "12", "nil"]])
        }
    }

    // MARK: failed flushes

    func testAFailedFlushPutsForeignKeysAndRelationshipChangesBack() throws {
        try forEachCsBackend { engine in
            try Session(engine).run { s in
                let ursula = CsAuthor(name: "Ursula"), octavia = CsAuthor(name: "Octavia")
                ursula.books = [CsBook(title: "The Dispossessed")]
                try s.addAll([ursula, octavia, CsTag(name: "sf")])
            }
            let session = Session(engine)
            let octavia = try session.scalars(select(CsAuthor.self).where { $0.name == "Octavia" }).one()
            let moved = try session.scalars(select(CsBook.self)).one()
            let sf = try session.scalars(select(CsTag.self)).one()
            _ = (octavia.books, moved.tags)                    // loaded before any change (a lazy load autoflushes)
            let ursulaID = moved.authorId
            moved.author = octavia                             // an UPDATE of author_id
            moved.tags.append(sf)                              // an association row
            let clash = CsBook(title: "The Dispossessed")      // a unique violation
            octavia.books.append(clash)
            let log = StatementLog(engine)
            XCTAssertThrowsError(try session.flush()) { error in
                XCTAssertTrue(error is IntegrityError, "\(error)")
            }
            XCTAssertEqual(moved.authorId, ursulaID, "the foreign key set from the relationship is put back")
            XCTAssertEqual(Session.changedProperties(of: moved), [])
            XCTAssertEqual(clash.authorId, nil)
            XCTAssertNil(clash.id)
            XCTAssertEqual(Session.state(of: clash), .pending)
            XCTAssertTrue(moved.author === octavia)
            XCTAssertEqual(moved.tags.map(\.name), ["sf"])
            XCTAssertEqual(try rowCount(engine, "cs_book_tags"), 0)

            // Fixed, the retry writes everything that was asked.
            clash.title = "Kindred"
            log.reset()
            try session.commit()
            XCTAssertEqual(writes(log), [
                "UPDATE cs_books SET author_id = ? WHERE cs_books.id = ? ×1",
                "INSERT INTO cs_books (title, author_id) VALUES (?, ?)\(returningKey(engine)) ×1",
                "INSERT INTO cs_book_tags (book_id, tag_id) VALUES (?, ?) ×1",
            ])
            XCTAssertEqual(try rows(engine, "SELECT b.title, a.name FROM cs_books b JOIN cs_authors a ON a.id = b.author_id ORDER BY b.title"),
                           [["Kindred", "Octavia"], ["The Dispossessed", "Octavia"]])
            XCTAssertEqual(try rowCount(engine, "cs_book_tags"), 1)
        }
    }

    func testRelatingAnObjectOfAnotherSessionIsAClearError() throws {
        try forEachCsBackend { engine in
            let other = Session(engine)
            let elsewhere = CsBook(title: "Elsewhere")
            try other.add(elsewhere)
            let session = Session(engine)
            let author = CsAuthor(name: "Ursula")
            author.books.append(elsewhere)
            let error = assertThrows(InvalidRequestError.self) { try session.add(author) }
            XCTAssertEqual(error?.message.hasPrefix("CsBook instance (reached through CsAuthor.books) is already in another session"), true,
                           error?.message ?? "")
            other.close()
        }
    }

    // MARK: the book catalogue, end to end

    func testBookCatalogueEndToEnd() throws {
        try forEachCsBackend { engine in
            let log = StatementLog(engine)
            let catalogue = "SELECT a.name, b.title, t.name FROM cs_books b LEFT JOIN cs_authors a ON a.id = b.author_id "
                + "LEFT JOIN cs_book_tags bt ON bt.book_id = b.id LEFT JOIN cs_tags t ON t.id = bt.tag_id ORDER BY b.title, t.name"

            // Create and relate: one add, every row in dependency order.
            try Session(engine).run { session in
                let ursula = CsAuthor(name: "Ursula K. Le Guin"), octavia = CsAuthor(name: "Octavia E. Butler")
                let sf = CsTag(name: "sf"), classic = CsTag(name: "classic")
                let dispossessed = CsBook(title: "The Dispossessed")
                let leftHand = CsBook(title: "The Left Hand of Darkness")
                let kindred = CsBook(title: "Kindred")
                ursula.books = [dispossessed, leftHand]
                kindred.author = octavia
                dispossessed.tags = [sf, classic]
                leftHand.tags = [sf]
                kindred.tags = [classic]
                try session.addAll([ursula, kindred])          // octavia and the tags by cascade
            }
            let r = returningKey(engine)
            XCTAssertEqual(writes(log), [
                "INSERT INTO cs_authors (name) VALUES (?)\(r) ×2",
                "INSERT INTO cs_books (title, author_id) VALUES (?, ?)\(r) ×3",
                "INSERT INTO cs_tags (name) VALUES (?)\(r) ×2",
                "INSERT INTO cs_book_tags (book_id, tag_id) VALUES (?, ?) ×4",
            ])
            XCTAssertEqual(try rows(engine, catalogue), [
                ["Octavia E. Butler", "Kindred", "classic"],
                ["Ursula K. Le Guin", "The Dispossessed", "classic"],
                ["Ursula K. Le Guin", "The Dispossessed", "sf"],
                ["Ursula K. Le Guin", "The Left Hand of Darkness", "sf"],
            ])

            // Move a book to another author and retag it, in a new session.
            try Session(engine).run { session in
                let octavia = try session.scalars(select(CsAuthor.self).where { $0.name == "Octavia E. Butler" }).one()
                let leftHand = try session.scalars(select(CsBook.self).where { $0.title == "The Left Hand of Darkness" }).one()
                let classic = try session.scalars(select(CsTag.self).where { $0.name == "classic" }).one()
                _ = (octavia.books, leftHand.tags)
                log.reset()
                leftHand.author = octavia
                XCTAssertEqual(octavia.books.map(\.title), ["Kindred", "The Left Hand of Darkness"])
                leftHand.tags = [classic]
            }
            XCTAssertEqual(writes(log), [
                "UPDATE cs_books SET author_id = ? WHERE cs_books.id = ? ×1",
                "DELETE FROM cs_book_tags WHERE cs_book_tags.book_id = ? AND cs_book_tags.tag_id = ? ×1",
                "INSERT INTO cs_book_tags (book_id, tag_id) VALUES (?, ?) ×1",
            ])
            XCTAssertEqual(try rows(engine, catalogue), [
                ["Octavia E. Butler", "Kindred", "classic"],
                ["Ursula K. Le Guin", "The Dispossessed", "classic"],
                ["Ursula K. Le Guin", "The Dispossessed", "sf"],
                ["Octavia E. Butler", "The Left Hand of Darkness", "classic"],
            ])

            // Delete an author: its books (cascade .all) and their tag rows go; tags stay.
            try Session(engine).run { session in
                let octavia = try session.scalars(select(CsAuthor.self).where { $0.name == "Octavia E. Butler" }).one()
                log.reset()
                try session.delete(octavia)
            }
            XCTAssertEqual(writes(log), [
                "DELETE FROM cs_book_tags WHERE cs_book_tags.book_id = ? ×2",
                "DELETE FROM cs_books WHERE cs_books.id = ? ×2",
                "DELETE FROM cs_authors WHERE cs_authors.id = ? ×1",
            ])
            XCTAssertEqual(try rows(engine, "SELECT a.name, b.title FROM cs_books b JOIN cs_authors a ON a.id = b.author_id ORDER BY b.title"),
                           [["Ursula K. Le Guin", "The Dispossessed"]])
            XCTAssertEqual(try rows(engine, "SELECT t.name FROM cs_book_tags bt JOIN cs_tags t ON t.id = bt.tag_id ORDER BY t.name"),
                           [["classic"], ["sf"]])
            XCTAssertEqual(try rows(engine, "SELECT name FROM cs_tags ORDER BY name"), [["classic"], ["sf"]])
        }
    }

    // MARK: sessions and savepoints

    func testChangingThenDeletingAnInstanceDeletesItOnce() throws {
        try forEachCsBackend { engine in
            try Session(engine).run { try $0.add(CsShelf(label: "A")) }
            let log = StatementLog(engine)
            let session = Session(engine)
            let shelf = try session.scalars(select(CsShelf.self)).one()
            shelf.label = "renamed"                            // held for its change...
            try session.delete(shelf)                          // ...and for its deletion: one DELETE
            log.reset()
            try session.commit()
            XCTAssertEqual(writes(log), ["DELETE FROM cs_shelves WHERE cs_shelves.id = ? ×1"])
            XCTAssertEqual(try rowCount(engine, "cs_shelves"), 0)
        }
    }

    func testASavepointRollbackForgetsRelationshipChangesFlushedInIt() throws {
        try forEachCsBackend { engine in
            try Session(engine).run { try $0.add(CsAuthor(name: "Ursula")) }
            let session = Session(engine)
            let ursula = try session.scalars(select(CsAuthor.self)).one()
            XCTAssertEqual(ursula.books.count, 0)
            let sp = try session.beginNested()
            let book = CsBook(title: "Maybe")
            ursula.books.append(book)
            try session.flush()
            XCTAssertNotNil(book.authorId)
            try sp.rollback()
            XCTAssertEqual(Session.state(of: book), .transient)
            XCTAssertEqual(ursula.books.map(\.title), [], "reloaded from the database")
            try session.commit()
            XCTAssertEqual(try rowCount(engine, "cs_books"), 0)
        }
    }
}
