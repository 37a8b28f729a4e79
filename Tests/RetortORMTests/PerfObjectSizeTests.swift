import Foundation
import RetortCore
import RetortORM
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// What a loaded instance occupies (issue 27, lighter objects): the ORM's bookkeeping
/// stored in each instance is three words, so that an instance of a model with an
/// optional integer key and two strings fits a 96-byte heap block (it took 112 when the
/// state was five words), while the session, the identity map and change tracking stay
/// exact (the rest of the ORM suites prove those).
final class PerfObjectSizeTests: XCTestCase {
    func testLoadedInstanceOfThreeColumnsFitsNinetySixByteBlock() throws {
        #if canImport(Glibc)
        try forEachBackend { engine in
            try Session(engine).run { s in try s.addAll((0..<3).map { Author(name: "author \($0)", email: "a\($0)@example.org") }) }
            let session = Session(engine)
            let loaded = try session.scalars(select(Author.self).orderBy { $0.id }).all()
            XCTAssertEqual(loaded.count, 3)
            for author in loaded {
                // glibc's usable size of a block is the block's size less its 8-byte header.
                let usable = usableSize(Unmanaged.passUnretained(author).toOpaque())
                XCTAssertLessThanOrEqual(usable, 88, "a loaded Author takes a \(usable + 8)-byte block; it should fit 96")
                XCTAssertTrue(Session.session(of: author) === session)
                XCTAssertEqual(Session.state(of: author), .persistent)
            }
            // The state packed beside the session's address still tells states apart.
            loaded[0].name = "changed"
            try session.delete(loaded[1])
            try session.flush()
            XCTAssertEqual(Session.state(of: loaded[0]), .persistent)
            XCTAssertEqual(Session.state(of: loaded[1]), .deleted)
            try session.commit()
            XCTAssertEqual(Session.state(of: loaded[1]), .detached)
            XCTAssertNil(Session.session(of: loaded[1]))
            session.close()
            XCTAssertNil(Session.session(of: loaded[0]))
            XCTAssertEqual(Session.state(of: loaded[0]), .detached)
            let names = try engine.connect { try $0.scalars(text("SELECT name FROM authors ORDER BY id"), as: String.self).all() }
            XCTAssertEqual(names, ["changed", "author 2"])
        }
        #else
        throw XCTSkip("malloc_usable_size is glibc's")
        #endif
    }

    /// glibc's `malloc_usable_size` (declared in <malloc.h>, which the Glibc module does
    /// not import), looked up at run time.
    private func usableSize(_ block: UnsafeMutableRawPointer) -> Int {
        guard let f = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_usable_size") else {
            XCTFail("malloc_usable_size not found")
            return 0
        }
        return unsafeBitCast(f, to: (@convention(c) (UnsafeMutableRawPointer) -> Int).self)(block)
    }
}
