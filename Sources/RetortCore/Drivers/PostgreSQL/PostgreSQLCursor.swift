import CLibPQ
import Foundation

/// How a result column's text is turned into a ``SQLValue``, chosen once per column
/// from its type OID.
enum PostgreSQLColumnDecoder: UInt8 {
    /// `int2`, `int4`, `int8`, `oid` → `.integer`.
    case integer
    /// `float4`, `float8` → `.real` (`NaN`, `Infinity`, `-Infinity` included).
    case real
    /// `numeric` → `.decimal`; `.text` for `NaN`, `±Infinity` and values with more
    /// significant digits than `Decimal` holds (38), so nothing is silently rounded.
    case numeric
    /// `bool` → `.bool`.
    case bool
    /// `bytea` → `.blob`.
    case bytea
    /// `uuid` → `.uuid`.
    case uuid
    /// Everything else (text, varchar, dates and times, json, enums, …) → `.text`.
    case text

    init(oid: Oid) {
        switch oid {
        case 20, 21, 23, 26: self = .integer  // int8, int2, int4, oid
        case 700, 701: self = .real  // float4, float8
        case 1700: self = .numeric
        case 16: self = .bool
        case 17: self = .bytea
        case 2950: self = .uuid
        default: self = .text
        }
    }

    /// Decodes one non-NULL cell: `p` points at `length` bytes followed by a NUL.
    @inline(__always)
    func decode(_ p: UnsafePointer<CChar>, length: Int) -> SQLValue {
        let bytes = UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self)
        switch self {
        case .text:
            return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
        case .integer:
            if let v = PostgreSQLDecoding.int64(bytes, length: length) { return .integer(v) }
        case .real:
            if let v = PostgreSQLDecoding.double(p, length: length) { return .real(v) }
        case .numeric:
            if let d = PostgreSQLDecoding.decimal(bytes, length: length) { return .decimal(d) }
        case .bool:
            if length == 1 { return .bool(bytes[0] == UInt8(ascii: "t")) }
        case .bytea:
            if let d = PostgreSQLDecoding.bytea(p, length: length) { return .blob(d) }
        case .uuid:
            if let u = PostgreSQLDecoding.uuid(bytes, length: length) { return .uuid(u) }
        }
        // Unexpected spelling: hand back the server's text rather than guess.
        return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
    }
}

/// Rows of one statement, converted on demand.
///
/// Either a whole libpq result (`PGresult`, freed when the last row has been read, on
/// ``close()`` or when the cursor is dropped), or a streamed one: the rows of a query
/// sent in single-row mode, each its own one-row result, taken off the connection one
/// at a time as ``advance()`` moves on (see ``PostgreSQLConnection``). A streamed
/// cursor holds one row, or, once another statement has needed the connection, the rows
/// that were still on the wire then (``bufferRemaining()``).
final class PostgreSQLCursor: DriverCursor {
    /// The result the current row is in.
    private var result: OpaquePointer?
    private var rowCount: Int32
    private var nextRow: Int32 = 0
    /// The row ``advance()`` moved to.
    private var currentRow: Int32 = 0
    private let decoders: [PostgreSQLColumnDecoder]
    let columnNames: [String]
    let rowsAffected: Int
    var lastInsertRowID: Int64? { nil }
    /// The connection still sending this cursor's rows; nil for a whole result and
    /// once the statement has ended. Not retained: the connection detaches its
    /// streaming cursor before it closes (``detach()``).
    private unowned(unsafe) var source: PostgreSQLConnection?
    /// The statement, for the error raised should it fail part way through.
    let sql: String
    /// Rows taken off the connection ahead of the reader (one-row results, in order),
    /// and the error that ended them, if one did.
    private var buffered: [OpaquePointer] = []
    private var bufferedNext = 0
    private var bufferedError: (any Error)?

    /// Takes ownership of `result`, which has status `PGRES_TUPLES_OK`.
    init(result: OpaquePointer) {
        self.result = result
        rowCount = PQntuples(result)
        (columnNames, decoders) = PostgreSQLCursor.columns(result)
        rowsAffected = PostgreSQLCursor.rowsAffected(result)
        sql = ""
    }

    /// Takes ownership of `first`, the first row (`PGRES_SINGLE_TUPLE`) of a statement
    /// that `connection` is streaming.
    init(result first: OpaquePointer, streamingFrom connection: PostgreSQLConnection, sql: String) {
        result = first
        rowCount = PQntuples(first)
        (columnNames, decoders) = PostgreSQLCursor.columns(first)
        rowsAffected = -1  // a query: no count
        source = connection
        self.sql = sql
    }

    deinit { close() }

    private static func columns(_ result: OpaquePointer) -> ([String], [PostgreSQLColumnDecoder]) {
        let columnCount = PQnfields(result)
        var names: [String] = []
        var decoders: [PostgreSQLColumnDecoder] = []
        names.reserveCapacity(Int(columnCount))
        decoders.reserveCapacity(Int(columnCount))
        for i in 0..<columnCount {
            names.append(PQfname(result, i).map { String(cString: $0) } ?? "column\(i + 1)")
            decoders.append(PostgreSQLColumnDecoder(oid: PQftype(result, i)))
        }
        return (names, decoders)
    }

    /// Rows changed according to the command tag (`INSERT 0 5`, `UPDATE 3`, …); -1 for
    /// queries and commands that report no count.
    static func rowsAffected(_ result: OpaquePointer) -> Int {
        if let status = PQcmdStatus(result), strncmp(status, "SELECT", 6) == 0 { return -1 }
        guard let tuples = PQcmdTuples(result), tuples.pointee != 0 else { return -1 }
        return Int(String(cString: tuples)) ?? -1
    }

    /// Rows the cursor holds in memory now: those of its current result not yet read,
    /// plus any taken off the connection ahead of the reader. A streamed cursor read
    /// without interruption holds at most one.
    var rowsHeld: Int {
        (result == nil ? 0 : Int(rowCount - nextRow) + (nextRow > 0 ? 1 : 0)) + (buffered.count - bufferedNext)
    }

    func next() throws -> [SQLValue]? {
        guard try advance(), let result else { return nil }
        var values = [SQLValue]()
        values.reserveCapacity(decoders.count)
        for (i, decoder) in decoders.enumerated() {
            values.append(cell(result, currentRow, Int32(i), decoder))
        }
        return values
    }

    func next(into values: inout [SQLValue]) throws -> Bool {
        guard try advance(), let result else { return false }
        values.removeAll(keepingCapacity: true)
        values.reserveCapacity(decoders.count)
        for (i, decoder) in decoders.enumerated() {
            values.append(cell(result, currentRow, Int32(i), decoder))
        }
        return true
    }

    func advance() throws -> Bool {
        guard result != nil else {
            if let error = bufferedError {  // stopped: see stop(_:)
                bufferedError = nil
                throw error
            }
            return false
        }
        if nextRow < rowCount {
            currentRow = nextRow
            nextRow += 1
            return true
        }
        guard try nextResult() else {
            close()
            return false
        }
        currentRow = 0
        nextRow = 1
        return true
    }

    /// Replaces the read-out current result with the next row's, if there is one: from
    /// the rows taken ahead, else from the connection.
    private func nextResult() throws -> Bool {
        guard source != nil || bufferedNext < buffered.count || bufferedError != nil else { return false }
        if let old = result {
            result = nil
            PQclear(old)
        }
        let next: OpaquePointer?
        if bufferedNext < buffered.count {
            next = buffered[bufferedNext]
            bufferedNext += 1
            if bufferedNext == buffered.count {
                buffered.removeAll()
                bufferedNext = 0
            }
        } else if let error = bufferedError {
            bufferedError = nil
            throw error
        } else if let source {
            do {
                next = try source.nextStreamedRow(sql: sql)
            } catch {
                self.source = nil
                throw error
            }
            if next == nil { self.source = nil }
        } else {
            next = nil
        }
        guard let next else { return false }
        result = next
        rowCount = PQntuples(next)
        return true
    }

    /// Takes every row still on the wire off the connection (the error that ends them,
    /// too), so that the connection can run another statement; reading goes on from
    /// these rows.
    func bufferRemaining() {
        guard let source else { return }
        self.source = nil
        do {
            while let row = try source.nextStreamedRow(sql: sql) { buffered.append(row) }
        } catch {
            bufferedError = error
        }
    }

    /// Drops every row, reads what the connection still sends for the statement off
    /// (after a cancel request, that is soon), and leaves `error` for the next read.
    func stop(_ error: any Error) {
        close()
        bufferedError = error
    }

    /// Forgets the connection, which is closing (the rows still on the wire go with it).
    func detach() {
        source = nil
        close()
    }

    func value(at index: Int) -> SQLValue {
        cell(result!, currentRow, Int32(truncatingIfNeeded: index), decoders[index])
    }

    @inline(__always)
    private func cell(_ result: OpaquePointer, _ row: Int32, _ column: Int32, _ decoder: PostgreSQLColumnDecoder) -> SQLValue {
        if PQgetisnull(result, row, column) != 0 { return .null }
        guard let p = PQgetvalue(result, row, column) else { return .null }
        return decoder.decode(p, length: Int(PQgetlength(result, row, column)))
    }

    func close() {
        if let r = result {
            result = nil
            PQclear(r)
        }
        for r in buffered[bufferedNext...] { PQclear(r) }
        buffered.removeAll()
        bufferedNext = 0
        bufferedError = nil
        if let source {
            // Closed before the last row: the rest is read off and dropped.
            self.source = nil
            source.discardStream()
        }
    }
}

/// Parsers for PostgreSQL's text output, working on the bytes libpq hands back.
enum PostgreSQLDecoding {
    static func int64(_ p: UnsafePointer<UInt8>, length: Int) -> Int64? {
        guard length > 0 else { return nil }
        var i = 0
        let negative = p[0] == UInt8(ascii: "-")
        if negative || p[0] == UInt8(ascii: "+") { i = 1 }
        guard i < length else { return nil }
        var v: Int64 = 0
        while i < length {
            let d = p[i] &- 0x30
            guard d < 10 else { return nil }
            // Accumulate negatively so Int64.min parses.
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            v = s
            i += 1
        }
        if negative { return v }
        return v == Int64.min ? nil : -v
    }

    /// `strtod` accepts `NaN`, `Infinity` and `-Infinity` as PostgreSQL prints them.
    /// Should the process have switched to a locale with another decimal mark,
    /// Swift's locale-independent parser takes over.
    static func double(_ p: UnsafePointer<CChar>, length: Int) -> Double? {
        var end: UnsafeMutablePointer<CChar>?
        let v = strtod(p, &end)
        if let end, end == UnsafeMutablePointer(mutating: p) + length, length > 0 { return v }
        return Double(String(cString: p))
    }

    /// `Decimal` for up to 38 significant digits; nil otherwise (and for NaN, ±Infinity).
    static func decimal(_ p: UnsafePointer<UInt8>, length: Int) -> Decimal? {
        var i = 0
        var negative = false
        if length > 0, p[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0  // significant digits (leading zeros skipped)
        var scale = 0  // digits after the point
        var seenPoint = false
        var sawDigit = false
        var fitsUInt64 = true
        while i < length {
            let c = p[i]
            if c == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
            } else {
                let d = c &- 0x30
                guard d < 10 else { return nil }  // NaN, Infinity, exponents: not a plain number
                sawDigit = true
                if seenPoint { scale += 1 }
                if digits > 0 || d != 0 { digits += 1 }
                if digits > 38 { return nil }
                if fitsUInt64 {
                    let (m, o1) = mantissa.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(UInt64(d))
                    if o1 || o2 { fitsUInt64 = false } else { mantissa = s }
                }
            }
            i += 1
        }
        guard sawDigit, scale <= 127 else { return nil }
        if fitsUInt64 {
            return Decimal(sign: negative ? .minus : .plus, exponent: -scale, significand: Decimal(mantissa))
        }
        let text = String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self)
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Hex digit values; 0xFF for anything else.
    static let hexValues: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "0123456789abcdef".utf8.enumerated() { table[Int(c)] = UInt8(i) }
        for (i, c) in "ABCDEF".utf8.enumerated() { table[Int(c)] = UInt8(10 + i) }
        return table
    }()

    /// Decodes `bytea` output: hex (`\x0a1b…`, the default) directly into the blob's
    /// storage; the older escape format through libpq.
    static func bytea(_ p: UnsafePointer<CChar>, length: Int) -> Data? {
        let bytes = UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self)
        guard length >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x") else {
            var n = 0
            guard let out = PQunescapeBytea(bytes, &n) else { return nil }
            defer { PQfreemem(out) }
            return Data(bytes: out, count: n)
        }
        let hexCount = length - 2
        guard hexCount % 2 == 0 else { return nil }
        let count = hexCount / 2
        var data = Data(count: count)
        let ok = hexValues.withUnsafeBufferPointer { table -> Bool in
            data.withUnsafeMutableBytes { raw -> Bool in
                guard count > 0, let out = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
                var src = bytes + 2
                var bad: UInt8 = 0
                for j in 0..<count {
                    let hi = table[Int(src[0])]
                    let lo = table[Int(src[1])]
                    bad |= hi | lo
                    out[j] = (hi << 4) | (lo & 0x0F)
                    src += 2
                }
                return bad & 0xF0 == 0
            }
        }
        return ok ? data : nil
    }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` without building a String.
    static func uuid(_ p: UnsafePointer<UInt8>, length: Int) -> UUID? {
        guard length == 36 else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = hexValues.withUnsafeBufferPointer { table -> Bool in
            withUnsafeMutableBytes(of: &value) { out -> Bool in
                var j = 0
                var i = 0
                while i < 36 {
                    if i == 8 || i == 13 || i == 18 || i == 23 {
                        guard p[i] == UInt8(ascii: "-") else { return false }
                        i += 1
                        continue
                    }
                    let hi = table[Int(p[i])]
                    let lo = table[Int(p[i + 1])]
                    guard hi < 16, lo < 16 else { return false }
                    out[j] = hi << 4 | lo
                    j += 1
                    i += 2
                }
                return true
            }
        }
        return ok ? UUID(uuid: value) : nil
    }
}
