import Foundation
import RetortCore
import RetortORM
import RetortTestSupport
import XCTest

enum GeneratedValueModels {
    static let metadata = MetaData()
    static func register() { metadata.including(LineItem.self, Receipt.self) }
}

/// An identity key and a computed column the database fills (stored on PostgreSQL,
/// virtual on SQLite and MariaDB: `computed:` without `stored`).
@Model(table: "line_items", metadata: GeneratedValueModels.metadata)
final class LineItem {
    @Column(primaryKey: true, identity: Identity()) var id: Int?
    var price: Int
    var quantity: Int
    @Column(.bigint, computed: "price * quantity") var total: Int?

    init(price: Int, quantity: Int) {
        self.price = price
        self.quantity = quantity
    }
}

/// A key from a sequence's next value (a server default), and a stored computed column.
@Model(table: "receipts", metadata: GeneratedValueModels.metadata)
final class Receipt {
    @Column(.bigint, primaryKey: true, autoincrement: false, serverDefault: .expression(DatabaseSequence("receipt_no").nextValue()))
    var id: Int?
    var amount: Int
    @Column(.bigint, computed: Computed("amount * 2", stored: true)) var doubled: Int?

    init(amount: Int) { self.amount = amount }
}

/// The flush reads back what the database generated: identity keys, computed columns
/// (RETURNING after INSERT, a SELECT by key after UPDATE), and keys from a sequence;
/// it never writes a computed column.
final class ComputedReadBackTests: XCTestCase {
    func engines(sequences: Bool) throws -> [Engine] {
        GeneratedValueModels.register()
        var out: [Engine] = []
        if !sequences {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gen-orm-\(UUID().uuidString.prefix(8)).db").path
            out.append(try createEngine("sqlite:///" + dir))
        }
        out.append(try createEngine(PostgreSQLTestServer.freshDatabaseURL()))
        out.append(try createEngine(MariaDBTestServer.freshDatabaseURL()))
        for e in out {
            if sequences {
                try e.begin { try $0.execute(CreateSequence(DatabaseSequence("receipt_no", options: SequenceOptions(start: 70)))) }
                try GeneratedValueModels.metadata.createAll(e, tables: [GeneratedValueModels.metadata.table("receipts")!])
            } else {
                try GeneratedValueModels.metadata.createAll(e, tables: [GeneratedValueModels.metadata.table("line_items")!])
            }
        }
        return out
    }

    func testIdentityKeyAndComputedColumnAreReadBackAfterInsertAndUpdate() throws {
        for engine in try engines(sequences: false) {
            let session = Session(engine, expireOnCommit: false)
            let a = LineItem(price: 3, quantity: 4), b = LineItem(price: 5, quantity: 6)
            try session.add(a)
            try session.add(b)
            a.total = 999  // never written: the database computes it
            try session.commit()
            XCTAssertEqual([a.id, b.id], [1, 2], "identity keys on \(engine.dialect)")
            XCTAssertEqual([a.total, b.total], [12, 30], "computed values after INSERT on \(engine.dialect)")

            b.quantity = 10
            try session.commit()
            XCTAssertEqual(b.total, 50, "computed value after UPDATE on \(engine.dialect)")
            let stored = try engine.connect { try $0.scalar(text("SELECT total FROM line_items WHERE id = 2"), as: Int64.self) }
            XCTAssertEqual(stored, 50)

            // Assigning only the computed property writes nothing and restores the value.
            let log = StatementLog(engine)
            b.total = 1
            try session.commit()
            XCTAssertEqual(log.sql.filter { $0.hasPrefix("UPDATE") }, [], "on \(engine.dialect)")
            let fresh = Session(engine)
            XCTAssertEqual(try fresh.get(LineItem.self, 2)?.total, 50)
            engine.dispose()
        }
    }

    func testKeyFromASequenceIsReadBack() throws {
        for engine in try engines(sequences: true) {
            let session = Session(engine, expireOnCommit: false)
            let r = Receipt(amount: 21), s = Receipt(amount: 4)
            try session.add(r)
            try session.add(s)
            try session.commit()
            XCTAssertEqual([r.id, s.id], [70, 71], "keys from the sequence on \(engine.dialect)")
            XCTAssertEqual([r.doubled, s.doubled], [42, 8])
            let fresh = Session(engine)
            XCTAssertEqual(try fresh.get(Receipt.self, 71)?.amount, 4)
            engine.dispose()
        }
    }
}
