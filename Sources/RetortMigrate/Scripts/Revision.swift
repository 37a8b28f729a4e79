import Crypto
import Foundation

/// One revision file: its place in the graph and its upgrade and downgrade steps.
///
/// ```yaml
/// revision: 3f2a9c1b7d4e
/// down_revision: null            # null (a base), a revision id, or a list (a merge)
/// branch_labels: []
/// depends_on: []
/// replaces: []                   # a squashed revision: the ids it stands for
/// message: create authors
/// created: 2026-11-21T12:00:00Z
/// transactional: true
/// upgrade:
///   - create_table: {...}
/// downgrade:
///   - drop_table: {name: authors}
/// ```
public struct Revision: Sendable, Equatable {
    public var id: String
    /// The parents: none for a base, one usually, several for a merge point.
    public var downRevisions: [String]
    public var branchLabels: [String]
    /// Revisions that must be applied first without being parents.
    public var dependsOn: [String]
    /// For a revision written by `migrator squash`: the ids of the revisions it stands
    /// for besides its own (a database at one of them is part-way through the squashed
    /// run; see ``RevisionGraph/replacedBy``).
    public var replaces: [String] = []
    public var message: String
    public var created: String?
    /// False runs the revision outside a transaction (e.g. `CREATE INDEX CONCURRENTLY`).
    public var transactional: Bool
    public var upgrade: [MigrationOperation]
    public var downgrade: [MigrationOperation]
    /// The file it was read from (empty for one built in memory).
    public var path: String
    /// SHA-256 of the file with line endings normalised, hex.
    public var checksum: String

    public init(id: String, downRevisions: [String] = [], branchLabels: [String] = [], dependsOn: [String] = [],
                message: String = "", created: String? = nil, transactional: Bool = true,
                upgrade: [MigrationOperation] = [], downgrade: [MigrationOperation] = [], path: String = "", checksum: String = "") {
        self.id = id
        self.downRevisions = downRevisions
        self.branchLabels = branchLabels
        self.dependsOn = dependsOn
        self.message = message
        self.created = created
        self.transactional = transactional
        self.upgrade = upgrade
        self.downgrade = downgrade
        self.path = path
        self.checksum = checksum
    }

    public var isMergePoint: Bool { downRevisions.count > 1 }
    public var isBase: Bool { downRevisions.isEmpty }

    /// Letters, digits and underscores.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }

    static let fields = ["revision", "down_revision", "branch_labels", "depends_on", "replaces", "message", "created",
                         "transactional", "upgrade", "downgrade", "lint_ignore"]

    /// Reads a revision file. `checkType` validates compact type names; with an
    /// `identifierLimit`, a name longer than the database keeps is refused. With
    /// `operations: false` only the header (id, parents, labels, message, …) is read and
    /// `upgrade`/`downgrade` are left empty: for commands that only walk the graph.
    public static func read(path: String, checkType: @escaping (String) throws -> Void = { _ in },
                            identifierLimit: IdentifierLimit? = nil, operations: Bool = true) throws -> Revision {
        let data: Data
        do {
            data = try contents(ofFile: path) ?? Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw MigrateError("cannot read revision file: \(error.localizedDescription)", at: .init(file: path))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MigrateError("the revision file is not UTF-8 text", at: .init(file: path))
        }
        var revision = operations ? try parse(text, file: path, checkType: checkType, identifierLimit: identifierLimit)
                                  : try parseHeader(text, file: path)
        revision.checksum = checksum(of: text)
        return revision
    }

    /// SHA-256 of `text` with CRLF and CR line endings turned into LF.
    public static func checksum(of text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            // Most files have no CR at all: hash their bytes as they are.
            bytes.contains(0x0D) ? normalisingLineEndings(bytes).withUnsafeBytes(hexDigest) : hexDigest(UnsafeRawBufferPointer(bytes))
        }
    }

    /// The bytes with CRLF and lone CR turned into LF.
    private static func normalisingLineEndings(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        // Byte by byte: Foundation's replacing was the slow part.
        var normalised: [UInt8] = []
        normalised.reserveCapacity(bytes.count)
        var afterCR = false
        for b in bytes {
            if b == 0x0D {
                normalised.append(0x0A)
                afterCR = true
                continue
            }
            if !(b == 0x0A && afterCR) { normalised.append(b) }
            afterCR = false
        }
        return normalised
    }

    /// SHA-256 of `bytes`, as 64 lowercase hex digits.
    private static func hexDigest(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: bytes) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// The revision's header without its operations: the YAML before the first
    /// top-level `upgrade:` or `downgrade:` key (operations are most of a file, and most
    /// of the time reading it). A file the cut does not suit (another top-level key
    /// follows the operations, or the cut text does not parse) is read whole.
    static func parseHeader(_ text: String, file: String) throws -> Revision {
        let bytes = Array(text.utf8)
        var cut: Int?
        var lineStart = 0
        while lineStart < bytes.count {
            let b = bytes[lineStart]
            let line = bytes[lineStart...]
            if line.starts(with: "upgrade:".utf8) || line.starts(with: "downgrade:".utf8) {
                if cut == nil { cut = lineStart }
            } else if cut != nil, b != 0x20, b != 0x09, b != 0x0A, b != 0x0D, b != UInt8(ascii: "-"), b != UInt8(ascii: "#") {
                cut = nil  // a top-level key after the operations: read the whole file
                break
            }
            guard let newline = bytes[lineStart...].firstIndex(of: 0x0A) else { break }
            lineStart = newline + 1
        }
        if let cut, let header = try? parse(String(decoding: bytes[..<cut], as: UTF8.self), file: file) {
            return header
        }
        return try parse(text, file: file)
    }

    /// Parses revision YAML; errors name `file`, line and column.
    public static func parse(_ text: String, file: String, checkType: @escaping (String) throws -> Void = { _ in },
                             identifierLimit: IdentifierLimit? = nil) throws -> Revision
    {
        let yaml = YAMLReader(file: file)
        let root = try yaml.parse(text)
        let entries = try yaml.mapping(root, "a revision file")
        try yaml.checkKeys(entries, allowed: fields, in: "the revision file")
        func field(_ name: String) -> YAMLNode? { yaml.field(entries, name) }

        guard let idNode = field("revision"), let id = try yaml.optionalString(idNode, "'revision'") else {
            throw yaml.error("the revision file has no 'revision' id", at: root)
        }
        guard Revision.isValidID(id) else {
            throw yaml.error("revision id '\(id)' may only hold letters, digits and underscores", at: idNode)
        }
        guard let down = field("down_revision") else {
            throw yaml.error("the revision file has no 'down_revision' (write 'down_revision: null' for a first revision)",
                             at: root)
        }
        let reader = OperationReader(yaml: yaml, checkType: checkType, identifierLimit: identifierLimit)
        var revision = Revision(
            id: id,
            downRevisions: try yaml.stringList(down, "'down_revision'"),
            branchLabels: try yaml.stringList(field("branch_labels"), "'branch_labels'"),
            dependsOn: try yaml.stringList(field("depends_on"), "'depends_on'"),
            message: try yaml.optionalString(field("message"), "'message'") ?? "",
            created: try yaml.optionalString(field("created"), "'created'"),
            transactional: try field("transactional").map { try yaml.bool($0, "'transactional'") } ?? true,
            path: file)
        if revision.downRevisions.contains(id) {
            throw yaml.error("revision \(id) names itself as its down_revision", at: down)
        }
        if let replaces = field("replaces") {
            revision.replaces = try yaml.stringList(replaces, "'replaces'")
            if revision.replaces.contains(id) {
                throw yaml.error("revision \(id) lists itself in 'replaces'", at: replaces,
                                 hint: "'replaces' lists the other revisions a squashed revision stands for")
            }
        }
        if let up = field("upgrade") { revision.upgrade = try reader.operations(up, "'upgrade'") }
        if let downgrade = field("downgrade") { revision.downgrade = try reader.operations(downgrade, "'downgrade'") }
        // PostgreSQL builds or drops an index CONCURRENTLY only outside a transaction.
        if revision.transactional {
            for (name, ops) in [("upgrade", revision.upgrade), ("downgrade", revision.downgrade)] {
                guard let i = ops.firstIndex(where: \.isConcurrent), case .sequence(let items, _)? = field(name) else { continue }
                throw yaml.error("\(ops[i].key) with concurrently: true cannot run inside a transaction, and this revision "
                                 + "runs in one", at: items[i],
                                 hint: "add 'transactional: false' to the revision (its steps then commit one by one), "
                                     + "or put the index in a revision of its own")
            }
        }
        return revision
    }
}

/// The bytes of a regular file, read with plain system calls (a small part of what
/// `Data(contentsOf:)` costs for a small file); nil when it cannot be read that way,
/// and the caller asks Foundation, whose error names the reason.
private func contents(ofFile path: String) -> Data? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)  // one more: a file that grew is read again
    var count = 0
    while true {
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
        if n < 0 { return nil }
        if n == 0 { break }
        count += n
        if count == bytes.count { return nil }
    }
    return Data(bytes[..<count])
}
