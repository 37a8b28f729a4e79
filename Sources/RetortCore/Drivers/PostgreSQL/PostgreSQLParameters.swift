import CLibPQ
import Foundation

/// The bind parameters of one execution, encoded the way libpq takes them.
///
/// Each value is sent with the type its Swift value implies, so the server never has
/// to guess from context (and guess wrong: `rating * $1` with `1.5` read as an
/// integer, `CASE ... THEN $1` typed text). The types are those SQL gives the same
/// value written as a literal: an integer is `int4` when it fits 32 bits and `int8`
/// otherwise (so it still fits every function that takes an `integer`, like
/// `round(x, $1)`, and widens wherever a `bigint` is wanted), a Double `float8`, a
/// Decimal `numeric`, a Bool `bool`, a UUID `uuid`, a blob `bytea`. The fixed-width
/// ones and blobs go in binary format, which spares formatting and parsing; `numeric`
/// goes as its text.
/// Text, timestamps and NULL are sent untyped (OID 0), as a quoted SQL literal would
/// be: the server types them from the column or operator they meet (a text value may
/// be meant for a date, enum or json column; a timestamp for a column with or without
/// a time zone, whose conversion must not depend on the session's time zone).
///
/// The types are part of the prepared statement, so the statement cache keys on them
/// (``PostgreSQLStatementCache``). Text values live in one reused byte buffer, NUL-terminated;
/// large blobs are read in place, never copied.
///
/// One instance per connection is reused across executions to keep allocations down.
final class PostgreSQLParameters {
    /// PostgreSQL's protocol carries the parameter count in 16 bits.
    static let maxCount = 65535
    /// The type OID of `bytea`.
    static let byteaOID: Oid = 17
    static let int8OID: Oid = 20
    static let int4OID: Oid = 23
    static let float8OID: Oid = 701
    static let numericOID: Oid = 1700
    static let boolOID: Oid = 16
    static let uuidOID: Oid = 2950

    /// The type a value is sent as: 0 (the server infers it) for NULL, text and timestamps.
    static func naturalType(_ value: SQLValue) -> Oid {
        switch value {
        case .null, .text, .timestamp: return 0
        case .integer(let v): return Int32(exactly: v) == nil ? int8OID : int4OID
        case .real: return float8OID
        case .decimal: return numericOID
        case .bool: return boolOID
        case .uuid: return uuidOID
        case .blob: return byteaOID
        }
    }
    /// Blobs up to this size are copied into the shared buffer; larger ones are read in place.
    private static let inlineBlobLimit = 64 * 1024

    private enum Slot {
        case null
        /// Bytes at this offset of `storage`; format 0 (text, NUL-terminated) or 1 (binary).
        case stored(offset: Int, length: Int, binary: Bool)
        /// A large blob in `largeBlobs`.
        case largeBlob(index: Int)
    }

    private var storage: [UInt8] = []
    private var slots: [Slot] = []
    private var largeBlobs: [Data] = []
    private var values: [UnsafePointer<CChar>?] = []
    private var lengths: [Int32] = []
    private var formats: [Int32] = []

    /// The type OID of each parameter of the last encoding (0: inferred by the server).
    private(set) var types: [Oid] = []

    var count: Int { slots.count }

    /// Encodes `parameters`, each as its ``naturalType(_:)``; or, given `preparedTypes`
    /// (the types a statement shared by several parameter sets was prepared with), as
    /// those: a value whose own type differs goes as text for the server to read as
    /// the prepared type. Throws ``DataError`` for text that PostgreSQL cannot store (a
    /// NUL character) and ``InterfaceError`` for too many parameters; nothing has been
    /// sent when it throws.
    func encode(_ parameters: [SQLValue], sql: String, preparedTypes: [Oid]? = nil) throws {
        try PostgreSQLParameters.checkCount(parameters.count, sql: sql)
        storage.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        largeBlobs.removeAll(keepingCapacity: true)
        types.removeAll(keepingCapacity: true)
        for (position, value) in parameters.enumerated() {
            var natural = PostgreSQLParameters.naturalType(value)
            let type = preparedTypes.map { position < $0.count ? $0[position] : 0 } ?? natural
            types.append(type)
            if natural == PostgreSQLParameters.int4OID, type == PostgreSQLParameters.int8OID { natural = type }
            if type != natural, let text = PostgreSQLParameters.textForm(value) {
                // Prepared as another type (or inferred): the server reads the text as that.
                try appendCheckedText(text, position: position, sql: sql)
                continue
            }
            switch value {
            case .null:
                slots.append(.null)
            case .integer(let v):
                if natural == PostgreSQLParameters.int4OID {
                    let start = storage.count
                    withUnsafeBytes(of: Int32(truncatingIfNeeded: v).bigEndian) { storage.append(contentsOf: $0) }
                    slots.append(.stored(offset: start, length: 4, binary: true))
                } else {
                    appendBinary(UInt64(bitPattern: v))
                }
            case .real(let v):
                appendBinary(v.bitPattern)
            case .bool(let b):
                let start = storage.count
                storage.append(b ? 1 : 0)
                slots.append(.stored(offset: start, length: 1, binary: true))
            case .decimal(let d):
                appendText(d.description)
            case .timestamp(let d):
                appendText(SQLDateFormat.timestampString(d) + "+00")
            case .uuid(let u):
                let start = storage.count
                withUnsafeBytes(of: u.uuid) { storage.append(contentsOf: $0) }
                slots.append(.stored(offset: start, length: 16, binary: true))
            case .text(let s):
                try appendCheckedText(s, position: position, sql: sql)
            case .blob(let data):
                guard data.count <= Int(Int32.max) else {
                    throw DataError(
                        message: "parameter $\(position + 1) is a blob of \(data.count) bytes; PostgreSQL values "
                            + "are limited to 1 GB (use large objects for more)",
                        sql: sql)
                }
                if data.count <= PostgreSQLParameters.inlineBlobLimit {
                    let start = storage.count
                    storage.append(contentsOf: data)
                    if data.isEmpty { storage.append(0) }  // a non-NULL pointer for the empty value
                    slots.append(.stored(offset: start, length: data.count, binary: true))
                } else {
                    slots.append(.largeBlob(index: largeBlobs.count))
                    largeBlobs.append(data)
                }
            }
        }
    }

    /// The types to prepare a statement shared by `parameterSets` with: per position
    /// the one type every non-NULL value implies (`int8` for integers of both widths),
    /// else 0 (inferred; the values go as text) — or `bytea` when any is a blob.
    static func sharedTypes(_ parameterSets: [[SQLValue]]) -> [Oid] {
        let count = parameterSets.map(\.count).max() ?? 0
        var types = [Oid?](repeating: nil, count: count)
        for set in parameterSets {
            for (position, value) in set.enumerated() where !value.isNull {
                let natural = naturalType(value)
                switch types[position] {
                case nil: types[position] = natural
                case let t? where t == natural || t == byteaOID: break
                case let t? where (t == int4OID || t == int8OID) && (natural == int4OID || natural == int8OID):
                    types[position] = int8OID
                default: types[position] = natural == byteaOID ? byteaOID : 0
                }
            }
        }
        return types.map { $0 ?? 0 }
    }

    private func appendCheckedText(_ s: String, position: Int, sql: String) throws {
        let start = storage.count
        appendText(s)
        if PostgreSQLParameters.containsNUL(storage, from: start, to: storage.count - 1) {
            throw DataError(
                message: "PostgreSQL text cannot contain NUL (0x00) characters; store it as binary data "
                    + "(parameter $\(position + 1))",
                sql: sql)
        }
    }

    /// Eight bytes in network order, binary format.
    private func appendBinary(_ v: UInt64) {
        let start = storage.count
        withUnsafeBytes(of: v.bigEndian) { storage.append(contentsOf: $0) }
        slots.append(.stored(offset: start, length: 8, binary: true))
    }

    /// A value's text form as PostgreSQL reads it (nil for NULL); blobs as bytea's hex
    /// text, `\\x0102`. Used for the elements of array parameters.
    static func textForm(_ value: SQLValue) -> String? {
        switch value {
        case .null: return nil
        case .integer(let v): return String(v)
        case .real(let v):
            if v.isNaN { return "NaN" }
            if v.isInfinite { return v < 0 ? "-Infinity" : "Infinity" }
            return String(v)
        case .bool(let b): return b ? "true" : "false"
        case .decimal(let d): return d.description
        case .timestamp(let d): return SQLDateFormat.timestampString(d) + "+00"
        case .uuid(let u): return u.uuidString.lowercased()
        case .text(let s): return s
        case .blob(let data):
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            var out: [UInt8] = [0x5C, 0x78]
            out.reserveCapacity(2 + data.count * 2)
            for byte in data {
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    static func checkCount(_ count: Int, sql: String) throws {
        guard count <= maxCount else {
            throw InterfaceError(
                kind: .tooManyParameters,
                message: "the statement has \(count) bind parameters; PostgreSQL allows at most \(maxCount) "
                    + "per statement: split the work into smaller batches",
                sql: sql)
        }
    }

    private func appendText(_ s: String) {
        let start = storage.count
        storage.append(contentsOf: s.utf8)
        let length = storage.count - start
        storage.append(0)
        slots.append(.stored(offset: start, length: length, binary: false))
    }

    private static func containsNUL(_ bytes: [UInt8], from start: Int, to end: Int) -> Bool {
        guard end > start else { return false }
        return bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return false }
            return memchr(base + start, 0, end - start) != nil
        }
    }

    /// True when value `position` of the last encoding is a SQL NULL.
    func isNull(_ position: Int) -> Bool {
        if case .null = slots[position] { return true }
        return false
    }

    /// Calls `body` with libpq's parameter arrays (`nParams`, `paramValues`,
    /// `paramLengths`, `paramFormats`), valid only during the call. Lengths and
    /// formats are nil when every value is text.
    func withLibpqArrays<R>(
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) throws -> R
    ) rethrows -> R {
        let n = slots.count
        values.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        formats.removeAll(keepingCapacity: true)
        let anyBinary = slots.contains { slot in
            switch slot {
            case .null: return false
            case .stored(_, _, let binary): return binary
            case .largeBlob: return true
            }
        }
        return try storage.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            for slot in slots {
                switch slot {
                case .null:
                    values.append(nil)
                    if anyBinary { lengths.append(0); formats.append(0) }
                case .stored(let offset, let length, let binary):
                    values.append(base.map { $0 + offset })
                    if anyBinary { lengths.append(Int32(clamping: length)); formats.append(binary ? 1 : 0) }
                case .largeBlob:
                    values.append(nil)  // filled in below, while the blob's bytes are pinned
                    if anyBinary { lengths.append(0); formats.append(1) }
                }
            }
            return try withLargeBlobs(from: 0) {
                try values.withUnsafeBufferPointer { v in
                    try lengths.withUnsafeBufferPointer { l in
                        try formats.withUnsafeBufferPointer { f in
                            try body(Int32(n), n == 0 ? nil : v.baseAddress,
                                     anyBinary ? l.baseAddress : nil, anyBinary ? f.baseAddress : nil)
                        }
                    }
                }
            }
        }
    }

    /// Pins large blob `index` and the ones after it, pointing their slots at their bytes.
    private func withLargeBlobs<R>(from index: Int, _ body: () throws -> R) rethrows -> R {
        guard index < largeBlobs.count else { return try body() }
        guard let position = slots.firstIndex(where: {
            if case .largeBlob(let i) = $0 { return i == index }
            return false
        }) else { return try body() }
        return try largeBlobs[index].withUnsafeBytes { raw in
            values[position] = raw.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) }
            lengths[position] = Int32(clamping: raw.count)
            return try withLargeBlobs(from: index + 1, body)
        }
    }

    /// The parameter types to prepare `sql` with: `types`, cut to the number of
    /// placeholders the SQL text holds, so that surplus values still raise "unexpected
    /// parameter" rather than becoming typed parameters the statement ignores.
    static func preparedTypes(_ types: [Oid], sql: String) -> [Oid] {
        var types = Array(types.prefix(PostgreSQLPlaceholders.highest(in: sql)))
        while types.last == 0 { types.removeLast() }
        return types
    }
}
