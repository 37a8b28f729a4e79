import RetortCore
import XCTest
import RetortTestSupport

final class DatabaseURLTests: XCTestCase {
    func testSQLitePaths() throws {
        XCTAssertEqual(try DatabaseURL("sqlite:///relative.db").database, "relative.db")
        XCTAssertEqual(try DatabaseURL("sqlite:///dir/relative.db").database, "dir/relative.db")
        XCTAssertEqual(try DatabaseURL("sqlite:////abs/path.db").database, "/abs/path.db")
        XCTAssertTrue(try DatabaseURL("sqlite://").isMemory)
        XCTAssertTrue(try DatabaseURL("sqlite:///:memory:").isMemory)
        let u = try DatabaseURL("sqlite:///app.db?mode=ro&timeout=10")
        XCTAssertEqual(u.option("mode"), "ro")
        XCTAssertEqual(u.option("timeout"), "10")
        XCTAssertEqual(u.description, "sqlite:///app.db?mode=ro&timeout=10")
    }

    func testPostgresURL() throws {
        let u = try DatabaseURL("postgresql://app%40corp:p%3Ass%2Fw@db.example.org:6543/my%20db?sslmode=require&connect_timeout=5")
        XCTAssertEqual(u.backend, "postgresql")
        XCTAssertEqual(u.username, "app@corp")
        XCTAssertEqual(u.password, "p:ss/w")
        XCTAssertEqual(u.host, "db.example.org")
        XCTAssertEqual(u.port, 6543)
        XCTAssertEqual(u.database, "my db")
        XCTAssertEqual(u.option("sslmode"), "require")
        XCTAssertFalse(u.description.contains("p:ss"))
        XCTAssertTrue(u.description.contains(":***@"), u.description)
    }

    func testPostgresAliasesAndSocketHost() throws {
        let u = try DatabaseURL("postgresql+libpq://me@/app?host=/var/run/postgresql")
        XCTAssertEqual(u.driverName, "libpq")
        XCTAssertNil(u.host)
        XCTAssertEqual(u.username, "me")
        XCTAssertEqual(u.option("host"), "/var/run/postgresql")
        XCTAssertEqual(try DatabaseURL("postgres://h/db").backend, "postgresql")
        XCTAssertEqual(try DatabaseURL("postgresql://[::1]:5433/db").host, "::1")
        XCTAssertEqual(try DatabaseURL("postgresql://[::1]:5433/db").port, 5433)
    }

    func testMalformedURLsNameTheProblem() {
        let unknown = assertThrows(ArgumentError.self) { try DatabaseURL("db2://u:secret@h/db") }
        XCTAssertTrue(unknown?.message.contains("'db2'") ?? false)
        XCTAssertTrue(unknown?.message.contains("sqlite, postgresql") ?? false)
        XCTAssertTrue(unknown?.message.contains("mysql, mysql+libmariadb, mariadb") ?? false, unknown?.message ?? "")
        XCTAssertFalse(unknown?.message.contains("secret") ?? true, "password must be masked")

        let noScheme = assertThrows(ArgumentError.self) { try DatabaseURL("app.db") }
        XCTAssertTrue(noScheme?.message.contains("scheme://") ?? false)

        let port = assertThrows(ArgumentError.self) { try DatabaseURL("postgresql://h:99999/db") }
        XCTAssertTrue(port?.message.contains("port '99999'") ?? false)

        let driver = assertThrows(ArgumentError.self) { try DatabaseURL("postgresql+psycopg://h/db") }
        XCTAssertTrue(driver?.message.contains("postgresql+psycopg") ?? false)

        let option = assertThrows(ArgumentError.self) { try DatabaseURL("sqlite:///x.db?mode") }
        XCTAssertTrue(option?.message.contains("'mode'") ?? false)

        let sqliteOption = assertThrows(ArgumentError.self) { try createEngine("sqlite:///x.db?modee=ro") }
        XCTAssertTrue(sqliteOption?.message.contains("'modee'") ?? false)
        XCTAssertTrue(sqliteOption?.message.contains("mode, timeout") ?? false)
    }
}
