import Dispatch
import Foundation
import XCTest

@testable import RetortCore
import RetortTestSupport

/// Two transactions on one SQLite file that each read and then write. With SQLite's
/// default (deferred) BEGIN both take a read lock, and the one that writes second can
/// never get the write lock: SQLite answers "database is locked" at once, whatever the
/// busy timeout, and the read-modify-write it was doing is lost. An explicit
/// transaction takes the write lock when it begins (`BEGIN IMMEDIATE`), so the second
/// writer waits for the first instead.
final class SQLiteWriteLockTests: XCTestCase {
    func testTwoReadThenWriteTransactionsBothCommit() throws {
        for journal in ["delete", "wal"] {
            let engine = try createEngine(temporarySQLiteURL("writers") + "?journal_mode=\(journal)&timeout=30",
                                          pool: PoolOptions(size: 2))
            defer { engine.dispose() }
            try engine.begin { conn in
                try conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
                try conn.execute(text("INSERT INTO counter VALUES (0)"))
            }
            let firstRead = DispatchSemaphore(value: 0)
            let secondRead = DispatchSemaphore(value: 0)
            let failures = LockedBox<[String]>([])
            let group = DispatchGroup()
            /// One read-modify-write of the counter in an `engine.begin` block.
            func increment(after read: @escaping @Sendable () -> Void) {
                DispatchQueue.global().async(group: group) {
                    do {
                        try engine.begin { conn in
                            let n = try conn.scalar(text("SELECT n FROM counter"), as: Int.self)
                            read()
                            try conn.execute(text("UPDATE counter SET n = :n"), ["n": n + 1])
                        }
                    } catch {
                        failures.mutate { $0.append("\(error)") }
                    }
                }
            }
            increment {
                firstRead.signal()
                // The second transaction reads now (deferred BEGIN) or waits at its
                // BEGIN for this one to commit (immediate): then this wait times out.
                _ = secondRead.wait(timeout: .now() + 1)
            }
            firstRead.wait()
            increment { secondRead.signal() }
            group.wait()
            XCTAssertEqual(failures.value, [], journal)
            XCTAssertEqual(try engine.connect { try $0.scalar(text("SELECT n FROM counter"), as: Int.self) }, 2,
                           "journal_mode=\(journal): an increment was lost")
        }
    }

    /// A read-only database cannot take the write lock; its explicit transactions
    /// still begin (deferred) and read.
    func testExplicitTransactionOnAReadOnlyDatabaseReads() throws {
        let url = temporarySQLiteURL("readonly")
        try createEngine(url).begin { conn in
            try conn.execute(text("CREATE TABLE t (n INTEGER)"))
            try conn.execute(text("INSERT INTO t VALUES (7)"))
        }
        let readOnly = try createEngine(url + "?mode=ro")
        XCTAssertEqual(try readOnly.begin { try $0.scalar(text("SELECT n FROM t"), as: Int.self) }, 7)
    }
}
