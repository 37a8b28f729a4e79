import Foundation
import RetortCore

/// A throwaway database for `migrator verify`: a temporary SQLite file, or a database
/// created on the configured server (and dropped afterwards); or one the user names
/// with `--scratch-url`, which is used as it is and left in place.
struct ScratchDatabase {
    let url: String
    let drop: () -> Void

    init(existing url: String) {
        self.url = url
        drop = {}
    }

    private init(url: String, drop: @escaping () -> Void) {
        self.url = url
        self.drop = drop
    }

    static func make(near configured: String) throws -> ScratchDatabase {
        let name = "retort_verify_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        var url = try DatabaseURL(configured)
        if url.namesAFile {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(name + ".db").path
            url.database = path
            // A throwaway file: its rollback journal can live in memory (no journal file
            // written and synced per step), and rollbacks still work.
            url.query.removeAll { $0.0 == "journal_mode" }
            url.query.append(("journal_mode", "memory"))
            return ScratchDatabase(url: url.render(maskPassword: false)) {
                for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        // On a server: CREATE DATABASE through a connection to the configured one.
        let admin = try createEngine(configured)
        do {
            try admin.connect { conn in
                try conn.executeOutsideTransaction(["CREATE DATABASE \(conn.dialect.quoteIdentifier(name))"])
            }
        } catch {
            admin.dispose()
            throw MigrateError("cannot create a scratch database on \(url.description): \(error)",
                               hint: "grant the user CREATEDB, or name an empty database with --scratch-url")
        }
        url.database = name
        return ScratchDatabase(url: url.render(maskPassword: false)) {
            try? admin.connect { conn in
                try conn.executeOutsideTransaction(["DROP DATABASE IF EXISTS \(conn.dialect.quoteIdentifier(name))"])
            }
            admin.dispose()
        }
    }
}
