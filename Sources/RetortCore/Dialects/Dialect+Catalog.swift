extension Dialect {
    /// A query returning the number of tables named `:name` in the current schema
    /// (0 or 1): the existence check behind `checkFirst` and the migrator's own tables.
    public var tableExistsQuery: TextClause {
        name == "sqlite"
            ? text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :name")
            : text("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = :name")
    }
}
