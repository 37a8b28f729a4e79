import Foundation
import Retort
import RetortTestSupport
import XCTest

// The gaps carried from the relationship work (issue #25 item 4), each pinned by what
// the user sees: the SQL a load emits, and the rows a flush leaves.

/// A playlist owns its tracks through a many-to-many with delete-orphan; the track
/// model does not declare the other side.
let gpMetadata = MetaData()

let gpPlaylistTracks = Table(
    "gp_playlist_tracks", gpMetadata,
    Column("playlist_id", .integer, primaryKey: true, foreignKey: "gp_playlists.id"),
    Column("track_id", .integer, primaryKey: true, foreignKey: "gp_tracks.id"))

@Model(table: "gp_playlists", metadata: gpMetadata)
final class GpPlaylist {
    var id: Int?
    var name: String
    @Relationship(secondary: "gp_playlist_tracks", orderBy: ["title"], cascade: .all) var tracks: [GpTrack]

    init(name: String) { self.name = name }
}

@Model(table: "gp_tracks", metadata: gpMetadata)
final class GpTrack {
    var id: Int?
    var title: String

    init(title: String) { self.title = title }
}

private func forEachPlaylistBackend(_ body: (Engine) throws -> Void) throws {
    _ = gpPlaylistTracks
    let metadata = gpMetadata.including(GpPlaylist.self, GpTrack.self)
    let sqlite = try createEngine(temporarySQLiteURL("gaps"))
    defer { sqlite.dispose() }
    try metadata.createAll(sqlite)
    try body(sqlite)
    let pg = try createEngine(PostgreSQLTestServer.freshDatabaseURL())
    defer { pg.dispose() }
    try metadata.createAll(pg)
    try body(pg)
}

final class RelationshipGapTests: XCTestCase {
    // MARK: delete-orphan on many-to-many

    func testATrackTakenOutOfAManyToManyWithDeleteOrphanIsDeletedWithItsAssociationRows() throws {
        try forEachPlaylistBackend { engine in
            try Session(engine).run { s in
                let mix = GpPlaylist(name: "mix"), other = GpPlaylist(name: "other")
                mix.tracks = [GpTrack(title: "a"), GpTrack(title: "b"), GpTrack(title: "c")]
                other.tracks = [GpTrack(title: "d")]
                try s.addAll([mix, other])
            }
            let session = Session(engine)
            let mix = try session.scalars(select(GpPlaylist.self).where { $0.name == "mix" }).one()
            let other = try session.scalars(select(GpPlaylist.self).where { $0.name == "other" }).one()
            _ = other.tracks  // loaded before any change (a lazy load autoflushes)
            let b = mix.tracks.first { $0.title == "b" }!
            let c = mix.tracks.first { $0.title == "c" }!
            mix.tracks.removeAll { $0 === b || $0 === c }
            other.tracks.append(c)  // moved, not orphaned
            try session.commit()
            XCTAssertEqual(try rows(engine, "SELECT title FROM gp_tracks ORDER BY title"), [["a"], ["c"], ["d"]])
            XCTAssertEqual(
                try rows(engine, """
                    SELECT p.name, t.title FROM gp_playlist_tracks pt JOIN gp_playlists p ON p.id = pt.playlist_id
                    JOIN gp_tracks t ON t.id = pt.track_id ORDER BY p.name, t.title
                    """),
                [["mix", "a"], ["other", "c"], ["other", "d"]])
            XCTAssertEqual(Session.state(of: b), .detached)
        }
    }

    // MARK: a pending delete-orphan child without a parent

    func testAPendingChildOfADeleteOrphanRelationshipWithoutAParentIsRefusedAtFlush() throws {
        try forEachCsBackend { engine in
            let session = Session(engine)
            try session.add(CsBook(title: "Nobody's"))
            let error = try XCTUnwrap(assertThrows(InvalidRequestError.self) { try session.flush() })
            XCTAssertTrue(error.message.contains("cannot insert this CsBook: it is pending and an orphan — CsAuthor.books"), error.message)
            XCTAssertEqual(try rowCount(engine, "cs_books"), 0)
            try session.rollback()

            // With a parent (set either way, or by its foreign key) it goes in.
            let ursula = CsAuthor(name: "Ursula")
            let viaParent = CsBook(title: "The Dispossessed")
            ursula.books.append(viaParent)
            let viaChild = CsBook(title: "The Lathe of Heaven")
            viaChild.author = ursula
            try session.addAll([ursula, viaParent, viaChild])
            try session.commit()
            let byKey = CsBook(title: "Always Coming Home")
            byKey.authorId = ursula.id
            try session.add(byKey)
            try session.commit()
            XCTAssertEqual(try rowCount(engine, "cs_books"), 3)
            // The root of a self-referential delete-orphan tree has no parent, and is no orphan.
            try session.add(CsNode(name: "root"))
            try session.commit()
            XCTAssertEqual(try rowCount(engine, "cs_nodes"), 1)
        }
    }

    // MARK: options after raiseLoad / lazyLoad

    func testOptionsChainedAfterLazyAndRaiseLoadApplyWhenTheRelationshipLoads() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 3)
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let authors = try session.scalars(
                select(LdAuthor.self).options(.lazyLoad(\.books).selectinLoad(\.tags)).orderBy { $0.id }).all()
            XCTAssertEqual(log.sql.count, 1)
            let books = authors[0].books  // the lazy load, then the tags of its books in one IN query
            XCTAssertEqual(log.sql.count, 3, log.sql.joined(separator: "\n"))
            XCTAssertTrue(log.sql[2].contains("FROM ld_tags JOIN ld_book_tags"), log.sql[2])
            XCTAssertTrue(try books.allSatisfy { try $0.isLoaded(\.tags) })
            XCTAssertEqual(books.map { $0.tags.map(\.name) }, [["sf"], ["classic", "sf"], [], []])
            XCTAssertEqual(log.sql.count, 3)

            let session2 = Session(engine)
            defer { session2.close() }
            log.reset()
            let raised = try session2.scalars(
                select(LdAuthor.self).options(.raiseLoad(\.books).selectinLoad(\.tags)).orderBy { $0.id }).all()
            XCTAssertFalse(try raised[1].isLoaded(\.books))
            let second = try raised[1].load(\.books)
            XCTAssertEqual(log.sql.count, 3)
            XCTAssertTrue(try second.allSatisfy { try $0.isLoaded(\.tags) })
            XCTAssertEqual(second.map { $0.tags.map(\.name) }, [[], ["poetry"]])
        }
    }

    // MARK: joined eager loading via get

    func testGetOfAModelWithADeclaredJoinedLoadJoinsInTheLookup() throws {
        try forEachLoadBackend { engine in
            try engine.begin { conn in
                try conn.execute(LdRoom.mapping.table.insert(), [["id": 1, "name": "hall"]])
                try conn.execute(LdShelf.mapping.table.insert(), [["id": 1, "name": "left", "room_id": 1], ["id": 2, "name": "loose", "room_id": nil]])
                try conn.execute(LdItem.mapping.table.insert(), [["id": 1, "position": 1, "shelf_id": 1]])
            }
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let left = try XCTUnwrap(try session.get(LdShelf.self, 1))
            XCTAssertEqual(log.sql.count, 2, "the shelf with its room, then its items (declared selectin)")
            XCTAssertTrue(log.sql[0].contains("FROM ld_shelves LEFT OUTER JOIN ld_rooms AS ld_rooms_1"), log.sql[0])
            XCTAssertTrue(log.sql[0].contains("WHERE ld_shelves.id = ?"), log.sql[0])
            XCTAssertEqual(left.room?.name, "hall")
            XCTAssertEqual(left.items.map(\.id), [1])
            XCTAssertEqual(log.sql.count, 2)
            let loose = try XCTUnwrap(try session.get(LdShelf.self, 2))
            XCTAssertTrue(try loose.isLoaded(\.room))
            XCTAssertNil(loose.room)
            XCTAssertNil(try session.get(LdShelf.self, 99))
            // From the identity map: no query.
            log.reset()
            XCTAssertTrue(try session.get(LdShelf.self, 1) === left)
            XCTAssertEqual(log.sql.count, 0)
        }
    }

    // MARK: composite-key selectin

    func testCompositeKeySelectinUsesARowValueIn() throws {
        try forEachLoadBackend { engine in
            try engine.begin { conn in
                try conn.execute(LdEdition.mapping.table.insert(), [
                    ["isbn": "111", "lang": "en", "title": "Kindred"], ["isbn": "111", "lang": "fr", "title": "Liens de sang"],
                ])
                try conn.execute(LdPrinting.mapping.table.insert(), [
                    ["id": 1, "run": 2, "isbn": "111", "lang": "en"], ["id": 2, "run": 1, "isbn": "111", "lang": "fr"],
                ])
            }
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            _ = try session.scalars(select(LdEdition.self).options(.selectinLoad(\.printings))).all()
            XCTAssertEqual(log.sql.count, 2)
            XCTAssertTrue(log.sql[1].contains("WHERE (ld_printings.isbn, ld_printings.lang) IN (SELECT"), log.sql[1])
            XCTAssertFalse(log.sql[1].contains(" OR "), log.sql[1])
        }
    }

    /// Random composite keys, more than one IN chunk of them, some shared by no row and
    /// some NULL: selectin in both directions gives what lazy loading gives.
    func testCompositeKeySelectinAgreesWithLazyLoadingOnRandomKeys() throws {
        try forEachLoadBackend { engine in
            var generator = SeededGenerator(seed: 2025)
            let langs = ["en", "fr", "de", "it'", "ja"]
            var editions: [Parameters] = []
            var keys: [(String, String)] = []
            for i in 0..<700 {
                let key = ("\(1000 + i / 3)", langs[i % 3 + Int.random(in: 0...2, using: &generator)])
                if keys.contains(where: { $0 == key }) { continue }
                keys.append(key)
                editions.append(["isbn": key.0, "lang": key.1, "title": "edition \(i)"])
            }
            var printings: [Parameters] = []
            for id in 1...900 {
                if Int.random(in: 0..<10, using: &generator) == 0 {
                    printings.append(["id": id, "run": id, "isbn": nil, "lang": nil])
                } else {
                    let k = keys[Int.random(in: 0..<keys.count, using: &generator)]
                    printings.append(["id": id, "run": id, "isbn": k.0, "lang": k.1])
                }
            }
            try engine.begin { conn in
                try conn.execute(LdEdition.mapping.table.insert(), editions)
                try conn.execute(LdPrinting.mapping.table.insert(), printings)
            }
            let lazy = Session(engine)
            defer { lazy.close() }
            let lazyEditions = try lazy.scalars(select(LdEdition.self).orderBy { [$0.isbn, $0.lang] }).all()
            let expected = lazyEditions.map { $0.printings.map(\.id!) }
            let lazyPrintings = try lazy.scalars(select(LdPrinting.self).orderBy { $0.id }).all()
            let expectedEditions = lazyPrintings.map { $0.edition.map { "\($0.isbn)/\($0.lang)" } }

            let eager = Session(engine)
            defer { eager.close() }
            let log = StatementLog(engine)
            let loaded = try eager.scalars(select(LdEdition.self).options(.selectinLoad(\.printings)).orderBy { [$0.isbn, $0.lang] }).all()
            XCTAssertEqual(log.sql.count, 1 + (keys.count + 499) / 500)
            XCTAssertEqual(loaded.map { $0.printings.map(\.id!) }, expected)
            let eager2 = Session(engine)
            defer { eager2.close() }
            let loadedPrintings = try eager2.scalars(select(LdPrinting.self).options(.selectinLoad(\.edition)).orderBy { $0.id }).all()
            XCTAssertEqual(loadedPrintings.map { $0.edition.map { "\($0.isbn)/\($0.lang)" } }, expectedEditions)
        }
    }

    // MARK: loader options on tuple selects

    func testTupleSelectsTakeLoaderOptions() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 3)
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            let rows = try session.execute(
                select(LdBook.self, LdAuthor.self).join(\.author).options(.selectinLoad(\LdBook.tags), .raiseLoad(\LdAuthor.books))
                    .orderBy { book, _ in book.id }
            ).all()
            XCTAssertEqual(log.sql.count, 2, log.sql.joined(separator: "\n"))
            XCTAssertTrue(log.sql[1].contains("FROM ld_tags JOIN ld_book_tags"), log.sql[1])
            XCTAssertTrue(try rows.allSatisfy { book, _ in try book.isLoaded(\.tags) })
            XCTAssertEqual(rows.prefix(3).map { $0.0.tags.map(\.name) }, [["classic", "sf"], ["sf"], ["poetry"]])
            XCTAssertFalse(try rows[0].1.isLoaded(\.books))
            XCTAssertEqual(log.sql.count, 2)

            // Row by row, each row's instances are loaded as it is read.
            log.reset()
            let session2 = Session(engine)
            defer { session2.close() }
            let result = try session2.execute(
                select(LdBook.self, LdAuthor.self).join(\.author).options(.selectinLoad(\LdAuthor.books)).orderBy { book, _ in book.id })
            let (_, author) = try XCTUnwrap(try result.next())
            XCTAssertTrue(try author.isLoaded(\.books))
            XCTAssertEqual(titles(author.books), ["book 1 a", "book 1 b", "book 1 c", "book 1 d"])

            // An option must start at a model of the tuple.
            XCTAssertNotNil(assertThrows(ArgumentError.self) {
                try session.execute(select(LdBook.self, LdAuthor.self).join(\.author).options(.selectinLoad(\LdTag.books))).all()
            })
        }
    }

    // MARK: has / any with the owner missing from the query

    func testHasAndAnyPutTheirOwnerInTheFrom() throws {
        try forEachLoadBackend { engine in
            try seedCatalogue(engine, authors: 2)
            let log = StatementLog(engine)
            let session = Session(engine)
            defer { session.close() }
            // The book is in no other part of the query: it joins the FROM (as in
            // SQLAlchemy), rather than the EXISTS naming a table the query lacks.
            let authors = try session.scalars(
                select(LdAuthor.self).where(LdBook.any(\.tags) { $0.name == "poetry" }).orderBy { $0.id }
            ).all()
            XCTAssertTrue(log.sql[0].contains("FROM ld_authors, ld_books WHERE EXISTS"), log.sql[0])
            XCTAssertEqual(authors.map(\.name), ["author 1", "author 2"])  // each with the one poetry book
            log.reset()
            let rows = try session.execute(
                select(LdAuthor.self, LdTag.self).where(LdBook.has(\.author) { $0.name == "author 2" })
            ).all()
            XCTAssertTrue(log.sql[0].contains("FROM ld_authors, ld_tags, ld_books WHERE EXISTS"), log.sql[0])
            XCTAssertEqual(rows.count, 2 * 3 * 2)  // authors × tags × author 2's two books
            // Already in the FROM through a join: nothing is added.
            log.reset()
            let joined = try session.scalars(
                select(LdAuthor.self).join(\.books).where(LdBook.any(\.tags) { $0.name == "poetry" })
            ).all()
            XCTAssertFalse(log.sql[0].contains(", ld_books"), log.sql[0])
            XCTAssertEqual(joined.map(\.name), ["author 2"])
        }
    }
}
