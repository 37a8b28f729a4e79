import Foundation

/// How unnamed constraints and indexes get names, so that every one of them can be
/// altered and dropped later. On by default; replace it per ``MetaData``.
///
/// Templates use `{table}`, `{column_0}`, `{columns}` (all columns joined by `_`) and
/// `{referred_table}`; a nil template leaves that kind unnamed.
///
/// ```swift
/// NamingConvention.default.primaryKey    // "pk_{table}"
/// let metadata = MetaData(namingConvention: .init(index: "idx_{table}_{columns}"))
/// let bare = MetaData(namingConvention: .none)   // constraints stay unnamed
/// ```
public struct NamingConvention: Sendable, Hashable {
    /// Template for primary keys, e.g. `pk_{table}`.
    public var primaryKey: String?
    /// Template for foreign keys, e.g. `fk_{table}_{column_0}_{referred_table}`.
    public var foreignKey: String?
    /// Template for unique constraints, e.g. `uq_{table}_{columns}`.
    public var unique: String?
    /// Template for indexes, e.g. `ix_{table}_{columns}`.
    public var index: String?
    /// Template for check constraints, e.g. `ck_{table}_{columns}`.
    public var check: String?

    /// A convention with the given templates (each defaults to the standard one).
    public init(
        primaryKey: String? = "pk_{table}", foreignKey: String? = "fk_{table}_{column_0}_{referred_table}",
        unique: String? = "uq_{table}_{columns}", index: String? = "ix_{table}_{columns}",
        check: String? = "ck_{table}_{columns}"
    ) {
        self.primaryKey = primaryKey
        self.foreignKey = foreignKey
        self.unique = unique
        self.index = index
        self.check = check
    }

    /// `pk_<table>`, `fk_<table>_<column0>_<referred table>`, `uq_<table>_<columns>`,
    /// `ix_<table>_<columns>`, `ck_<table>_<columns the condition names>`.
    public static let `default` = NamingConvention()

    /// No convention: constraints and indexes declared without a name stay unnamed.
    public static let none = NamingConvention(primaryKey: nil, foreignKey: nil, unique: nil, index: nil, check: nil)

    /// Fills a template.
    ///
    /// ```swift
    /// NamingConvention.render("fk_{table}_{column_0}_{referred_table}", table: "books",
    ///                         columns: ["author_id"], referredTable: "authors")   // "fk_books_author_id_authors"
    /// ```
    public static func render(_ template: String, table: String, columns: [String], referredTable: String? = nil) -> String {
        var s = template
        s = s.replacingOccurrences(of: "{table}", with: table)
        s = s.replacingOccurrences(of: "{column_0}", with: columns.first ?? "")
        s = s.replacingOccurrences(of: "{columns}", with: columns.joined(separator: "_"))
        s = s.replacingOccurrences(of: "{referred_table}", with: referredTable ?? "")
        while s.hasSuffix("_") { s.removeLast() }
        return s
    }

    /// Shortens `name` to at most `maxLength` UTF-8 bytes, deterministically: a prefix,
    /// `_` and eight hex digits of a hash of the whole name. Names that fit are returned
    /// unchanged.
    ///
    /// ```swift
    /// NamingConvention.truncate(String(repeating: "a", count: 70), maxLength: 63)   // "aaaa…aaa_3c5e1f0b"
    /// ```
    public static func truncate(_ name: String, maxLength: Int) -> String {
        guard name.utf8.count > maxLength, maxLength > 9 else { return name }
        let suffix = "_" + stableHash(name)
        var prefix = ""
        var bytes = 0
        for ch in name {
            let n = String(ch).utf8.count
            if bytes + n > maxLength - suffix.utf8.count { break }
            prefix.append(ch)
            bytes += n
        }
        return prefix + suffix
    }

    /// `name` with a hash of `discriminator` appended (to break a collision).
    package static func disambiguate(_ name: String, discriminator: String) -> String {
        name + "_" + stableHash(discriminator)
    }

    /// `name` when `isTaken` says it is free, else the first free
    /// ``disambiguate(_:discriminator:)`` form: the one way colliding conventional names
    /// are made unique, whether the names they collide with are the whole metadata's
    /// or one table's.
    package static func unique(_ name: String, discriminator: String, isTaken: (String) -> Bool) -> String {
        guard isTaken(name) else { return name }
        var candidate = disambiguate(name, discriminator: discriminator)
        var n = 2
        while isTaken(candidate) {
            candidate = disambiguate(name, discriminator: discriminator + "#\(n)")
            n += 1
        }
        return candidate
    }

    /// Whether `name`, given explicitly, is what a convention whose template rendered
    /// `base` makes: `base` itself, or `base` with a collision's hash suffix. Metadata
    /// JSON (and so a manifest's models) writes out the names the convention made; read
    /// back, they are still the convention's, shortened where a dialect needs it.
    package static func isConventional(_ name: String, base: String) -> Bool {
        if name == base { return true }
        guard name.hasPrefix(base + "_") else { return false }
        let suffix = name.utf8.dropFirst(base.utf8.count + 1)
        return suffix.count == 8 && suffix.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Eight hex digits of FNV-1a over the UTF-8 bytes: stable across runs and platforms.
    package static func stableHash(_ s: String) -> String {
        var h: UInt32 = 0x811C_9DC5
        for b in s.utf8 {
            h ^= UInt32(b)
            h = h &* 0x0100_0193
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}

extension Dialect {
    /// The name a constraint or index has on this database: a name the naming
    /// convention made is shortened to ``maxIdentifierLength`` bytes with a hash suffix
    /// (``NamingConvention/truncate(_:maxLength:)``); an explicit name is used exactly as
    /// given (the migrator refuses explicit names that are too long before any SQL is
    /// sent). DDL, expected reflection and the migrator's comparison all name things
    /// through this, so that they agree.
    ///
    /// ```swift
    /// // a 70-byte conventional index name on PostgreSQL:
    /// Dialect.postgresql.constraintName("ix_" + long, .convention)   // 63 bytes, "…_1f0c3a9e"
    /// ```
    package func constraintName(_ name: String, _ naming: ConstraintNaming) -> String {
        naming == .convention ? NamingConvention.truncate(name, maxLength: maxIdentifierLength) : name
    }
}
