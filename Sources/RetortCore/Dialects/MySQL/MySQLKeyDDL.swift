/// `ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a, b)`: a MySQL table's primary
/// key replaced in one statement.
///
/// MySQL cannot drop a primary key on its own while an `AUTO_INCREMENT` column is in it
/// (such a column must stay the first column of some key: error 1075), and every
/// statement commits by itself, so a drop and an add in turn would also leave the table
/// without a key in between. One ALTER does both or neither.
///
/// ```swift
/// MySQLReplacePrimaryKey("book_tags", columns: ["book_id", "tag"])
/// // ALTER TABLE book_tags DROP PRIMARY KEY, ADD PRIMARY KEY (book_id, tag)
/// ```
public struct MySQLReplacePrimaryKey: DDLStatement {
    /// The table whose primary key is replaced.
    public var table: TableReference
    /// The new key's columns, in order.
    public var columns: [String]

    /// The statement replacing `table`'s primary key with one over `columns`.
    public init(_ table: TableReference, columns: [String]) {
        self.table = table
        self.columns = columns
    }

    public func accept(_ compiler: DDLCompiler) throws -> String {
        guard let mysql = compiler as? MySQLDDLCompiler else {
            throw compiler.notSupported("MySQLReplacePrimaryKey", "it is MySQL's; elsewhere drop the key and add the new one")
        }
        return mysql.replacePrimaryKeySQL(self)
    }
}

/// `ALTER TABLE t DROP FOREIGN KEY fk, DROP INDEX fk`: a MySQL foreign key dropped
/// together with the index the server made for it.
///
/// InnoDB needs an index over a foreign key's columns and makes one, named after the
/// key, when none exists; dropping the key leaves that index behind. Reflection counts
/// it as the key's (it is not reported), so the key goes with its index: the table is
/// then as it would be had the key never been added, and adding the key again makes
/// the index again.
///
/// ```swift
/// MySQLDropForeignKey("fk_books_editor_id_authors", on: "books", index: .named)
/// // ALTER TABLE books DROP FOREIGN KEY fk_books_editor_id_authors, DROP INDEX fk_books_editor_id_authors
/// ```
public struct MySQLDropForeignKey: DDLStatement {
    /// Whether, and how, the key's own index goes too.
    public enum IndexDrop: Sendable, Hashable {
        /// The key only (the server made no index of the key's name).
        case none
        /// The index of the key's name, known to be there.
        case named
        /// The index of the key's name if it is there (`DROP INDEX IF EXISTS`, MariaDB
        /// only): for offline scripts, which cannot look.
        case ifExists
    }

    /// The table the key is on.
    public var table: TableReference
    /// The key's name.
    public var name: String
    /// What happens to the index of the key's name.
    public var index: IndexDrop

    /// The statement dropping foreign key `name` of `table` (and, per `index`, its index).
    public init(_ name: String, on table: TableReference, index: IndexDrop) {
        self.table = table
        self.name = name
        self.index = index
    }

    public func accept(_ compiler: DDLCompiler) throws -> String {
        guard let mysql = compiler as? MySQLDDLCompiler else {
            throw compiler.notSupported("MySQLDropForeignKey", "it is MySQL's; elsewhere drop the constraint")
        }
        return try mysql.dropForeignKeySQL(self)
    }
}

extension MySQLDDLCompiler {
    func replacePrimaryKeySQL(_ r: MySQLReplacePrimaryKey) -> String {
        "ALTER TABLE " + qualifiedName(r.table) + " DROP PRIMARY KEY, ADD PRIMARY KEY " + columnList(r.columns)
    }

    func dropForeignKeySQL(_ d: MySQLDropForeignKey) throws -> String {
        let sql = "ALTER TABLE " + qualifiedName(d.table) + " DROP FOREIGN KEY " + quote(d.name)
        switch d.index {
        case .none: return sql
        case .named: return sql + ", DROP INDEX " + quote(d.name)
        case .ifExists:
            guard server.isMariaDB else {
                throw notSupported("DROP INDEX IF EXISTS on \(server)", "drop the foreign key's index by its name, if it is there")
            }
            return sql + ", DROP INDEX IF EXISTS " + quote(d.name)
        }
    }
}
