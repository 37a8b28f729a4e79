import Retort
import XCTest

/// How relationships are resolved from the tables' foreign keys, and the errors when
/// they cannot be.
final class RelationshipResolutionTests: XCTestCase {
    override func setUp() {
        _ = catalogue
    }

    func testRelationshipsAreNotColumns() {
        XCTAssertEqual(CatBook.mapping.table.columns.map(\.name), ["id", "title", "author_id"])
        XCTAssertEqual(CatBook.mapping.propertyNames, ["id", "title", "authorId"])
        XCTAssertEqual(CatAuthor.mapping.table.columns.map(\.name), ["id", "name"])
        XCTAssertEqual(Category.mapping.table.columns.map(\.name), ["id", "name", "parent_id"])
        XCTAssertEqual(CatBook.relationshipDeclarations.map(\.name), ["author", "tags"])
    }

    func testManyToOneAndOneToMany() throws {
        let author = try CatBook.relationship(named: "author")
        XCTAssertEqual(author.direction, .manyToOne)
        XCTAssertFalse(author.isCollection)
        XCTAssertEqual(author.pairs, [ColumnPair(local: "author_id", remote: "id")])
        XCTAssertNil(author.secondary)
        XCTAssertEqual(author.lazy, .select)
        XCTAssertEqual(author.cascade, .saveUpdate)

        let books = try CatAuthor.relationship(named: "books")
        XCTAssertEqual(books.direction, .oneToMany)
        XCTAssertTrue(books.isCollection)
        XCTAssertEqual(books.pairs, [ColumnPair(local: "id", remote: "author_id")])
        XCTAssertEqual(books.declaration.orderBy, ["title"])
        XCTAssertEqual(books.cascade, .all)
        XCTAssertTrue(books.target == CatBook.self)
    }

    func testManyToManyThroughSecondary() throws {
        let tags = try CatBook.relationship(named: "tags")
        XCTAssertEqual(tags.direction, .manyToMany)
        XCTAssertTrue(tags.secondary === bookTags)
        XCTAssertEqual(tags.pairs, [ColumnPair(local: "id", remote: "book_id")])
        XCTAssertEqual(tags.secondaryPairs, [ColumnPair(local: "id", remote: "tag_id")])
        XCTAssertEqual(tags.lazy, .selectin)

        let books = try CatTag.relationship(named: "books")
        XCTAssertEqual(books.direction, .manyToMany)
        XCTAssertEqual(books.pairs, [ColumnPair(local: "id", remote: "tag_id")])
        XCTAssertEqual(books.secondaryPairs, [ColumnPair(local: "id", remote: "book_id")])
        XCTAssertEqual(books.lazy, .raise)
    }

    func testOneToOne() throws {
        let profile = try CatUser.relationship(named: "profile")
        XCTAssertEqual(profile.direction, .oneToMany)
        XCTAssertFalse(profile.isCollection)
        XCTAssertEqual(profile.declaration.uselist, false)
        XCTAssertEqual(profile.pairs, [ColumnPair(local: "id", remote: "user_id")])
        let user = try CatProfile.relationship(named: "user")
        XCTAssertEqual(user.direction, .manyToOne)
        XCTAssertEqual(user.pairs, [ColumnPair(local: "user_id", remote: "id")])
    }

    func testSelfReferentialTree() throws {
        let parent = try Category.relationship(named: "parent")
        XCTAssertEqual(parent.direction, .manyToOne)
        XCTAssertEqual(parent.pairs, [ColumnPair(local: "parent_id", remote: "id")])
        let children = try Category.relationship(named: "children")
        XCTAssertEqual(children.direction, .oneToMany)
        XCTAssertEqual(children.pairs, [ColumnPair(local: "id", remote: "parent_id")])
        XCTAssertTrue(children.declaration.passiveDeletes)
    }

    func testForeignKeysChooseBetweenTwoKeysToTheSameTable() throws {
        XCTAssertEqual(try Message.relationship(named: "sender").pairs, [ColumnPair(local: "sender_id", remote: "id")])
        XCTAssertEqual(try Message.relationship(named: "recipient").pairs, [ColumnPair(local: "recipient_id", remote: "id")])
        XCTAssertEqual(try Person.relationship(named: "sent").pairs, [ColumnPair(local: "id", remote: "sender_id")])
        XCTAssertEqual(try Person.relationship(named: "received").pairs, [ColumnPair(local: "id", remote: "recipient_id")])
    }

    func testUnknownRelationshipName() {
        XCTAssertThrowsError(try CatBook.relationship(named: "publisher")) { error in
            XCTAssertEqual("\(error)", "CatBook has no relationship 'publisher'")
        }
    }

    // MARK: Errors

    private func resolutionError(_ owner: any ModelRelationships.Type, _ name: String) -> String? {
        do {
            _ = try owner.relationship(named: name)
            return nil
        } catch {
            XCTAssertTrue(error is RelationshipConfigurationError)
            return "\(error)"
        }
    }

    func testTwoForeignKeysWithoutForeignKeysIsAnError() {
        XCTAssertEqual(
            resolutionError(BrokenPerson.self, "letters"),
            "BrokenPerson.letters: 2 foreign keys could join 'broken_people' and 'broken_letters' (writer_id; reader_id); name the one to use with foreignKeys:")
    }

    func testNoForeignKeyIsAnError() {
        XCTAssertEqual(
            resolutionError(BrokenPerson.self, "loner"),
            "BrokenPerson.loner: no foreign key joins 'broken_people' and 'broken_loners'; add @Column(foreignKey: ...) or use secondary: for a many-to-many")
    }

    func testBackPopulatesNamingNothingIsAnError() {
        XCTAssertEqual(
            resolutionError(BrokenPerson.self, "written"),
            "BrokenPerson.written: backPopulates names 'nobody', which BrokenLetter does not declare as a @Relationship")
    }

    func testBackPopulatesThatDoesNotPointBackIsAnError() {
        XCTAssertEqual(
            resolutionError(BrokenPerson.self, "read"),
            "BrokenPerson.read: backPopulates names BrokenLetter.person, which refers to BrokenLoner, not BrokenPerson")
    }

    func testMissingSecondaryIsAnError() {
        XCTAssertEqual(
            resolutionError(BrokenPerson.self, "friends"),
            "BrokenPerson.friends: secondary table 'no_such_table' is not in the model's MetaData; declare it with Table(\"no_such_table\", ...) before configuring")
    }

    func testCollectionOnTheForeignKeySideIsAnError() {
        XCTAssertEqual(
            resolutionError(BrokenLoner.self, "letters"),
            "BrokenLoner.letters: the foreign key is in 'broken_loners' (to 'broken_letters'), which makes a many-to-one; declare the property as BrokenLetter?, or the collection on BrokenLetter")
    }

    func testTheFirstErrorOfAModelIsThrownByRelationships() {
        XCTAssertThrowsError(try BrokenPerson.relationships()) { error in
            XCTAssertTrue(error is RelationshipConfigurationError)
            XCTAssertTrue("\(error)".hasPrefix("BrokenPerson.letters:"), "\(error)")
        }
    }
}
