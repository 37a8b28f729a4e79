import CLibPQ
import Foundation

/// The bind parameters of one execution, encoded the way libpq takes them.
///
/// Every value is sent in text format with type OID 0 (the server infers the type
/// from context), except blobs: they go in binary format as `bytea` (OID 17), so a
/// 100 MB blob travels as 100 MB rather than 200 MB of hex. Text values live in one
/// reused byte buffer, NUL-terminated; large blobs are read in place, never copied.
///
/// One instance per connection is reused across executions to keep allocations down.
final class PostgresParameters {
    /// PostgreSQL's protocol carries the parameter count in 16 bits.
    static let maxCount = 65535
    /// The type OID of `bytea`.
    static let byteaOID: Oid = 17
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

    /// The 0-based positions of the blob parameters of the last encoding.
    private(set) var blobPositions: [Int] = []

    var count: Int { slots.count }

    /// Encodes `parameters`. Throws ``DataError`` for text that PostgreSQL cannot
    /// store (a NUL character) and ``InterfaceError`` for too many parameters; nothing
    /// has been sent when it throws.
    func encode(_ parameters: [SQLValue], sql: String) throws {
        try PostgresParameters.checkCount(parameters.count, sql: sql)
        storage.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        largeBlobs.removeAll(keepingCapacity: true)
        blobPositions.removeAll(keepingCapacity: true)
        for (position, value) in parameters.enumerated() {
            switch value {
            case .null:
                slots.append(.null)
            case .integer(let v):
                appendText(String(v))
            case .real(let v):
                if v.isNaN {
                    appendText("NaN")
                } else if v.isInfinite {
                    appendText(v < 0 ? "-Infinity" : "Infinity")
                } else {
                    appendText(String(v))
                }
            case .bool(let b):
                appendText(b ? "true" : "false")
            case .decimal(let d):
                appendText(d.description)
            case .timestamp(let d):
                appendText(SQLDateFormat.timestampString(d) + "+00")
            case .uuid(let u):
                appendText(u.uuidString.lowercased())
            case .text(let s):
                let start = storage.count
                appendText(s)
                if PostgresParameters.containsNUL(storage, from: start, to: storage.count - 1) {
                    throw DataError(
                        message: "PostgreSQL text cannot contain NUL (0x00) characters; store it as binary data "
                            + "(parameter $\(position + 1))",
                        sql: sql)
                }
            case .blob(let data):
                guard data.count <= Int(Int32.max) else {
                    throw DataError(
                        message: "parameter $\(position + 1) is a blob of \(data.count) bytes; PostgreSQL values "
                            + "are limited to 1 GB (use large objects for more)",
                        sql: sql)
                }
                blobPositions.append(position)
                if data.count <= PostgresParameters.inlineBlobLimit {
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
        let anyBinary = !blobPositions.isEmpty
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

    /// The parameter types to prepare with: 0 (inferred) everywhere but `bytea` at
    /// the blob positions.
    static func preparedTypes(count: Int, blobPositions: [Int]) -> [Oid] {
        var types = [Oid](repeating: 0, count: count)
        for p in blobPositions where p < count { types[p] = byteaOID }
        return types
    }
}
