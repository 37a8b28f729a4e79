import Retort
import XCTest

/// The README's "Core in two minutes" example, run as written (with a temporary file).
final class ReadmeExampleTests: XCTestCase {
    func testCoreExample() throws {
        let engine = try createEngine(temporarySQLiteURL("readme"), echo: false)

        try engine.begin { conn in
            try conn.execute(text("CREATE TABLE IF NOT EXISTS authors (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(255) UNIQUE)"))
            try conn.execute(text("INSERT INTO authors (name, email) VALUES (:name, :email)"), [
                ["name": "Ursula", "email": "ursula@example.org"],
                ["name": "Octavia", "email": nil],
            ])
        }

        let names = try engine.connect { conn in
            try conn.scalars(text("SELECT name FROM authors WHERE name LIKE :p ORDER BY name"), ["p": "%a%"], as: String.self).all()
        }
        XCTAssertEqual(names, ["Octavia", "Ursula"])

        try engine.connect { conn in
            try conn.execute(text("UPDATE authors SET name = upper(name)"))
            let sp = try conn.beginNested()
            try conn.execute(text("DELETE FROM authors"))
            try sp.rollback()
            try conn.commit()
        }
        XCTAssertEqual(try engine.connect { try $0.scalars(text("SELECT name FROM authors ORDER BY name"), as: String.self).all() },
                       ["OCTAVIA", "URSULA"])

        var duplicateColumns: [String] = []
        do {
            try engine.begin { conn in
                try conn.execute(text("INSERT INTO authors (name, email) VALUES ('Again', 'ursula@example.org')"))
            }
        } catch let error as IntegrityError where error.kind == .unique {
            duplicateColumns = error.columnNames
        }
        XCTAssertEqual(duplicateColumns, ["email"])
    }
}
