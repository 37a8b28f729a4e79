import CSQLite

/// The libsqlite3 this process is linked with: what its SQL can do depends on it.
enum SQLiteLibrary {
    /// `3040001` for SQLite 3.40.1.
    static let versionNumber = Int(sqlite3_libversion_number())
}
