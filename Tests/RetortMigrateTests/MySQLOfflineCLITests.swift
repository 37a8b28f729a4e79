import Foundation
import RetortCore
@testable import RetortMigrate
import RetortTestSupport
import XCTest

extension AutogenerateProject {
    /// A project on a fresh database of the throwaway MariaDB (skips without one).
    static func mariadb() throws -> AutogenerateProject {
        try AutogenerateProject(directory: try temporaryProject(), url: MariaDBTestServer.freshDatabaseURL())
    }
}

/// `--sql` with a mysql URL needs no server: no BEGIN/COMMIT around a revision (the
/// server would commit each DDL statement anyway), MODIFY with the whole column, and
/// a hand-written alter_column without its existing definition refused, located.
extension MigratorCLITests {
    func offlineMySQLProject() throws -> String {
        let (dir, _) = try makeProject(database: "mysql://nobody@127.0.0.1:1/nowhere")
        try writeRevision(dir, "d", """
            revision: dddd00000004
            down_revision: cccc00000003
            message: longer names
            upgrade:
              - alter_column:
                  table: authors
                  column: name
                  type: string(200)
                  existing_type: string(100)
                  existing_nullable: false
                  existing_server_default: null
                  existing_comment: "shown: on covers"
            downgrade:
              - alter_column: {table: authors, column: name, type: string(100), existing_type: string(200),
                               existing_nullable: false, existing_server_default: null, existing_comment: "shown: on covers"}
            """)
        return dir
    }

    func testOfflineSQLForMySQLHasNoTransactionsAndRestatesTheColumn() throws {
        let dir = try offlineMySQLProject()
        let out = try runMigrator(["upgrade", "head", "--sql"], in: dir)
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertFalse(out.stdout.contains("BEGIN") || out.stdout.contains("START TRANSACTION") || out.stdout.contains("COMMIT"),
                       out.stdout)
        XCTAssertTrue(out.stdout.contains("ALTER TABLE authors MODIFY name VARCHAR(200) NOT NULL COMMENT 'shown: on covers'"),
                      out.stdout)
    }

    func testAnAlterColumnWithoutItsExistingDefinitionIsRefusedOnMySQL() throws {
        let dir = try offlineMySQLProject()
        try writeRevision(dir, "e", """
            revision: eeee00000005
            down_revision: dddd00000004
            message: hand-written
            upgrade:
              - create_index: {name: ix_authors_name, table: authors, columns: [name]}
              - alter_column: {table: authors, column: name, type: string(300), existing_type: string(200)}
            downgrade: []
            """)
        let out = try runMigrator(["upgrade", "head", "--sql"], in: dir)
        XCTAssertNotEqual(out.status, 0, out.stdout)
        XCTAssertTrue(out.stderr.contains("migrations/versions/e.yaml:6"), out.stderr)
        XCTAssertTrue(out.stderr.contains("revision eeee00000005, upgrade step 2: alter_column authors.name lacks existing_nullable, "
                                          + "existing_server_default, existing_comment"), out.stderr)
        XCTAssertEqual(out.stdout, "", "nothing is written before the refusal")
    }
}
