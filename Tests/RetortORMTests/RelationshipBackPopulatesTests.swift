import Retort
import XCTest

/// backPopulates keeps both sides in step in memory, before any flush and without a
/// session, for every kind of relationship.
final class RelationshipBackPopulatesTests: XCTestCase {
    func testNewObjectsStartLoadedAndEmpty() throws {
        let book = CatBook(title: "Kindred")
        XCTAssertNil(book.author)
        XCTAssertEqual(book.tags.count, 0)
        XCTAssertTrue(try book.isLoaded(\.author))
        XCTAssertTrue(try book.isLoaded(\.tags))
    }

    func testManyToOneAssignmentAppearsInTheCollection() {
        let ursula = CatAuthor(name: "Ursula")
        let octavia = CatAuthor(name: "Octavia")
        let book = CatBook(title: "The Dispossessed")

        book.author = ursula
        XCTAssertTrue(ursula.books == [book])

        book.author = octavia                       // moves: leaves Ursula's books
        XCTAssertTrue(ursula.books.isEmpty)
        XCTAssertTrue(octavia.books == [book])

        book.author = octavia                       // the same again: no duplicate
        XCTAssertTrue(octavia.books == [book])

        book.author = nil
        XCTAssertTrue(octavia.books.isEmpty)
    }

    func testOneToManyAppendAndRemoveSetTheOtherSide() {
        let ursula = CatAuthor(name: "Ursula")
        let octavia = CatAuthor(name: "Octavia")
        let a = CatBook(title: "A"), b = CatBook(title: "B")

        ursula.books.append(a)
        ursula.books.append(b)
        XCTAssertTrue(a.author === ursula)
        XCTAssertTrue(b.author === ursula)

        octavia.books.append(a)                     // taken from Ursula
        XCTAssertTrue(a.author === octavia)
        XCTAssertTrue(ursula.books == [b])

        octavia.books.removeAll { $0 === a }
        XCTAssertNil(a.author)
        XCTAssertTrue(octavia.books.isEmpty)

        ursula.books = []
        XCTAssertNil(b.author)
    }

    func testManyToManyMirrorsAppendAndRemove() {
        let book = CatBook(title: "Parable of the Sower")
        let other = CatBook(title: "Lilith's Brood")
        let sf = CatTag(name: "sf"), dystopia = CatTag(name: "dystopia")

        book.tags.append(sf)
        book.tags.append(dystopia)
        XCTAssertTrue(sf.books == [book])
        XCTAssertTrue(dystopia.books == [book])

        sf.books.append(other)
        XCTAssertTrue(other.tags == [sf])
        XCTAssertTrue(sf.books == [book, other])

        book.tags.removeAll { $0 === sf }
        XCTAssertTrue(sf.books == [other])
        XCTAssertTrue(book.tags == [dystopia])

        dystopia.books = []
        XCTAssertTrue(book.tags.isEmpty)
    }

    func testOneToOneOnBothSides() {
        let ann = CatUser(login: "ann"), bob = CatUser(login: "bob")
        let p = CatProfile(bio: "writes"), q = CatProfile(bio: "reads")

        ann.profile = p
        XCTAssertTrue(p.user === ann)

        bob.profile = p                             // p moves to bob: ann loses it
        XCTAssertTrue(p.user === bob)
        XCTAssertNil(ann.profile)

        q.user = bob                                // bob's profile is now q: p loses bob
        XCTAssertTrue(bob.profile === q)
        XCTAssertNil(p.user)

        bob.profile = nil
        XCTAssertNil(q.user)
    }

    func testSelfReferentialTree() {
        let root = Category(name: "root")
        let fiction = Category(name: "fiction")
        let sf = Category(name: "sf")

        fiction.parent = root
        root.children.append(sf)
        XCTAssertTrue(root.children == [fiction, sf])
        XCTAssertTrue(sf.parent === root)

        sf.parent = fiction                         // re-parented
        XCTAssertTrue(root.children == [fiction])
        XCTAssertTrue(fiction.children == [sf])
        XCTAssertNil(root.parent)
    }

    func testTwoRelationshipsToTheSameModelStaySeparate() {
        let ann = Person(name: "ann"), bob = Person(name: "bob")
        let m = Message(body: "hello")
        m.sender = ann
        m.recipient = bob
        XCTAssertTrue(ann.sent == [m])
        XCTAssertTrue(ann.received.isEmpty)
        XCTAssertTrue(bob.received == [m])
        XCTAssertTrue(bob.sent.isEmpty)
        bob.sent.append(m)
        XCTAssertTrue(m.sender === bob)
        XCTAssertTrue(ann.sent.isEmpty)
        XCTAssertTrue(m.recipient === bob)
    }

    // MARK: Loaded state

    func testAnObjectReadFromARowHasItsRelationshipsUnloaded() throws {
        let engine = try createEngine("sqlite:///:memory:")
        defer { engine.dispose() }
        try catalogue.createAll(engine)
        let book = try engine.begin { conn -> CatBook in
            try conn.execute(CatBook.mapping.table.insert(), ["title": "Dawn"])
            let row = try conn.execute(select(CatBook.mapping.table)).one()
            var decoder = ModelDecoder(row: row)
            return try CatBook(_decoding: &decoder)
        }
        XCTAssertEqual(book.title, "Dawn")
        XCTAssertFalse(try book.isLoaded(\.author))
        XCTAssertFalse(try book.isLoaded(\.tags))
        // No session: loading is an error naming the relationship, not a crash.
        XCTAssertThrowsError(try book.load(\.author)) { error in
            XCTAssertTrue(error is RelationshipLoadError)
            XCTAssertEqual("\(error)", "CatBook.author is not loaded and the CatBook is transient, not in a session: load it before the object leaves its session")
        }
        // Assigning makes it loaded; the loader hook fills it the same way.
        let ursula = CatAuthor(name: "Ursula")
        book.author = ursula
        XCTAssertTrue(try book.isLoaded(\.author))
        XCTAssertTrue(try book.load(\.author) === ursula)
        try book.relationshipSlot(\.tags).setLoaded([CatTag(name: "sf")])
        XCTAssertEqual(book.tags.map(\.name), ["sf"])
        // Expiring forgets them again.
        book._expireRelationships()
        XCTAssertFalse(try book.isLoaded(\.author))
        XCTAssertFalse(try book.isLoaded(\.tags))
    }

    func testAKeyPathThatIsNotARelationshipIsAnError() {
        let book = CatBook(title: "Wild Seed")
        XCTAssertThrowsError(try book.load(\.title)) { error in
            XCTAssertEqual("\(error)", "the key path is not a @Relationship property of CatBook")
        }
    }
}

private func == <T: AnyObject>(lhs: [T], rhs: [T]) -> Bool {
    lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0 === $1 }
}
