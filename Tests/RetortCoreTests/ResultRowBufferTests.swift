import XCTest

@testable import RetortCore
import RetortTestSupport

/// `CursorResult.next()` reads each row into the storage of the row before it when the caller
/// has let go of that one (no array per row). Rows a caller keeps must keep their own
/// values, whatever is read after them.
final class ResultRowBufferTests: XCTestCase {
    func testRowsKeptFromNextKeepTheirValues() throws {
        try forEachBackend { engine in
            try engine.begin { conn in
                try conn.execute(text("CREATE TABLE r (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, note VARCHAR(40))"))
                try conn.execute(text("INSERT INTO r (id, name, note) VALUES (:id, :name, :note)"), (1...50).map { i -> Parameters in
                    ["id": i, "name": "name \(i) with a long enough tail", "note": i % 3 == 0 ? nil : "n\(i)"]
                })
            }
            try engine.connect { conn in
                // Every other row kept, the rest dropped: kept rows share nothing with later ones.
                let result = try conn.execute(text("SELECT id, name, note FROM r ORDER BY id"))
                var kept: [Row] = []
                var seen = 0
                while let row = try result.next() {
                    seen += 1
                    let id: Int = try row.get(0)
                    XCTAssertEqual(id, seen)
                    XCTAssertEqual(try row.get(1, as: String.self), "name \(id) with a long enough tail")
                    if id % 2 == 0 { kept.append(row) }
                }
                XCTAssertEqual(seen, 50)
                XCTAssertEqual(kept.count, 25)
                for (i, row) in kept.enumerated() {
                    let id = (i + 1) * 2
                    XCTAssertEqual(row.values, [.integer(Int64(id)), .text("name \(id) with a long enough tail"),
                                                id % 3 == 0 ? .null : .text("n\(id)")])
                }
                // all() keeps every row; each has its own values.
                let all = try conn.execute(text("SELECT id FROM r ORDER BY id")).all()
                XCTAssertEqual(try all.map { try $0.get(0, as: Int.self) }, Array(1...50))
                // A row's values survive the result closing.
                let one = try XCTUnwrap(try conn.execute(text("SELECT name FROM r WHERE id = 7")).first())
                XCTAssertEqual(one.values, [.text("name 7 with a long enough tail")])
            }
        }
    }
}
