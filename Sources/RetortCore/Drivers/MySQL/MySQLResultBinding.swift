import CMariaDB
import Foundation

/// How a result column arrives in the binary protocol and becomes a ``SQLValue``,
/// chosen once per column from its `MYSQL_FIELD`.
enum MySQLColumnKind: Equatable {
    /// TINYINT … BIGINT and YEAR, bound at their own width (no conversion) → `.integer`;
    /// an unsigned BIGINT above `Int64.max` → `.decimal`. `TINYINT(1)` stays an integer:
    /// the column's SQL type decides whether it is a boolean.
    case integer(width: Int, unsigned: Bool)
    /// FLOAT → `.real`, through its shortest decimal spelling (0.1, not 0.10000000149).
    case float
    /// DOUBLE → `.real`.
    case double
    /// DECIMAL → `.decimal` (`.text` beyond 38 significant digits, so nothing is rounded).
    case decimal
    /// DATETIME and TIMESTAMP → `.timestamp`, read as UTC (the session's time zone);
    /// the zero date `0000-00-00 00:00:00` → `.text` as the server spells it.
    case datetime
    /// DATE → `.text` `YYYY-MM-DD`; TIME → `.text` `[-]HH:MM:SS[.ffffff]`.
    case date, time
    /// BIT(n) → `.integer` (big-endian bytes).
    case bit
    /// Character data (CHAR, VARCHAR, TEXT, ENUM, SET, JSON) → `.text`.
    case text
    /// Binary data (BINARY, VARBINARY, BLOB, GEOMETRY) → `.blob`.
    case blob

    /// The kind of `field`.
    init(_ field: MYSQL_FIELD) {
        let unsigned = field.flags & UInt32(UNSIGNED_FLAG) != 0
        switch field.type {
        case MYSQL_TYPE_TINY: self = .integer(width: 1, unsigned: unsigned)
        case MYSQL_TYPE_SHORT, MYSQL_TYPE_YEAR: self = .integer(width: 2, unsigned: unsigned)
        case MYSQL_TYPE_LONG, MYSQL_TYPE_INT24: self = .integer(width: 4, unsigned: unsigned)
        case MYSQL_TYPE_LONGLONG: self = .integer(width: 8, unsigned: unsigned)
        case MYSQL_TYPE_FLOAT: self = .float
        case MYSQL_TYPE_DOUBLE: self = .double
        case MYSQL_TYPE_DECIMAL, MYSQL_TYPE_NEWDECIMAL: self = .decimal
        case MYSQL_TYPE_DATETIME, MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_DATETIME2, MYSQL_TYPE_TIMESTAMP2: self = .datetime
        case MYSQL_TYPE_DATE, MYSQL_TYPE_NEWDATE: self = .date
        case MYSQL_TYPE_TIME, MYSQL_TYPE_TIME2: self = .time
        case MYSQL_TYPE_BIT: self = .bit
        case MYSQL_TYPE_GEOMETRY: self = .blob
        default:
            // Character set 63 is `binary`: BINARY, VARBINARY and the BLOB types.
            self = field.charsetnr == 63 ? .blob : .text
        }
    }

    /// The buffer type bound for this kind and the bytes of a fixed-size value (0: variable).
    var binding: (type: enum_field_types, fixedSize: Int) {
        switch self {
        case .integer(let width, _):
            switch width {
            case 1: return (MYSQL_TYPE_TINY, 1)
            case 2: return (MYSQL_TYPE_SHORT, 2)
            case 4: return (MYSQL_TYPE_LONG, 4)
            default: return (MYSQL_TYPE_LONGLONG, 8)
            }
        case .float: return (MYSQL_TYPE_FLOAT, 4)
        case .double: return (MYSQL_TYPE_DOUBLE, 8)
        case .datetime: return (MYSQL_TYPE_DATETIME, MemoryLayout<MYSQL_TIME>.size)
        case .date: return (MYSQL_TYPE_DATE, MemoryLayout<MYSQL_TIME>.size)
        case .time: return (MYSQL_TYPE_TIME, MemoryLayout<MYSQL_TIME>.size)
        case .decimal, .text: return (MYSQL_TYPE_STRING, 0)
        case .bit, .blob: return (MYSQL_TYPE_BLOB, 0)
        }
    }
}

/// A column's decoding, flattened from ``MySQLColumnKind`` for the per-cell switch.
enum MySQLCellDecoder: UInt8 {
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64, float, double, decimal, datetime, date, time, bit, text,
        blob

    init(_ kind: MySQLColumnKind) {
        switch kind {
        case .integer(let width, let unsigned):
            switch width {
            case 1: self = unsigned ? .uint8 : .int8
            case 2: self = unsigned ? .uint16 : .int16
            case 4: self = unsigned ? .uint32 : .int32
            default: self = unsigned ? .uint64 : .int64
            }
        case .float: self = .float
        case .double: self = .double
        case .decimal: self = .decimal
        case .datetime: self = .datetime
        case .date: self = .date
        case .time: self = .time
        case .bit: self = .bit
        case .text: self = .text
        case .blob: self = .blob
        }
    }
}

/// The output buffers of one statement's result: a `MYSQL_BIND` per column and the
/// memory each value is fetched into. Variable-length columns start small and grow
/// to the longest value seen (a longer value is fetched whole with
/// `mysql_stmt_fetch_column`, then the buffer is rebound at its size).
final class MySQLResultBinding {
    /// What a column is: its kind, unsigned flag and character set decide the binding.
    struct Signature: Equatable {
        let kind: MySQLColumnKind
        let decimals: Int
    }

    let columnNames: [String]
    let signatures: [Signature]
    let count: Int
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let lengths: UnsafeMutablePointer<UInt>
    private let nulls: UnsafeMutablePointer<CChar>
    private let errors: UnsafeMutablePointer<CChar>
    /// Where each column's value is fetched to (the binds point there too).
    private let buffers: UnsafeMutablePointer<UnsafeMutableRawPointer>
    private var capacities: [Int]
    private let decoders: UnsafeMutablePointer<MySQLCellDecoder>
    /// Variable-length buffers start at this size (or the column's declared width, if smaller).
    static let initialCapacity = 256

    init(fields: UnsafeMutablePointer<MYSQL_FIELD>, count: Int) {
        self.count = count
        var names: [String] = []
        var signatures: [Signature] = []
        for i in 0..<count {
            let f = fields[i]
            names.append(f.name.map { String(cString: $0) } ?? "column\(i + 1)")
            signatures.append(Signature(kind: MySQLColumnKind(f), decimals: Int(f.decimals)))
        }
        columnNames = names
        self.signatures = signatures
        binds = .allocate(capacity: max(count, 1))
        binds.initialize(repeating: MYSQL_BIND(), count: max(count, 1))
        lengths = .allocate(capacity: max(count, 1))
        lengths.initialize(repeating: 0, count: max(count, 1))
        nulls = .allocate(capacity: max(count, 1))
        nulls.initialize(repeating: 0, count: max(count, 1))
        errors = .allocate(capacity: max(count, 1))
        errors.initialize(repeating: 0, count: max(count, 1))
        buffers = .allocate(capacity: max(count, 1))
        decoders = .allocate(capacity: max(count, 1))
        capacities = []
        for i in 0..<count {
            decoders[i] = MySQLCellDecoder(signatures[i].kind)
            let (type, fixed) = signatures[i].kind.binding
            var capacity = fixed
            if fixed == 0 {
                let declared = Int(fields[i].length)
                capacity = max(16, min(declared > 0 ? declared : MySQLResultBinding.initialCapacity,
                                       MySQLResultBinding.initialCapacity))
            }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
            (buffers + i).initialize(to: buffer)
            capacities.append(capacity)
            let b = binds + i
            b.pointee.buffer_type = type
            b.pointee.buffer = buffer
            b.pointee.buffer_length = UInt(capacity)
            b.pointee.length = lengths + i
            b.pointee.is_null = nulls + i
            b.pointee.error = errors + i
            if case .integer(_, let unsigned) = signatures[i].kind { b.pointee.is_unsigned = unsigned ? 1 : 0 }
        }
    }

    deinit {
        for i in 0..<count { buffers[i].deallocate() }
        buffers.deallocate()
        decoders.deallocate()
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        errors.deallocate()
    }

    /// True when a result with `fields` would bind the same way (so these buffers serve it).
    func matches(_ fields: UnsafeMutablePointer<MYSQL_FIELD>, count: Int) -> Bool {
        guard count == self.count else { return false }
        for i in 0..<count {
            let f = fields[i]
            guard signatures[i] == Signature(kind: MySQLColumnKind(f), decimals: Int(f.decimals)),
                f.name.map({ String(cString: $0) }) == columnNames[i]
            else { return false }
        }
        return true
    }

    /// After `mysql_stmt_fetch` reported truncation: fetches each cut value whole into a
    /// buffer grown to its length, and rebinds so later rows fit. Returns false when
    /// libmariadb refused.
    func refetchTruncated(_ stmt: UnsafeMutablePointer<MYSQL_STMT>) -> Bool {
        var rebind = false
        for i in 0..<count where nulls[i] == 0 && Int(lengths[i]) > capacities[i] {
            let needed = Int(lengths[i])
            let capacity = max(needed, capacities[i] * 2)
            buffers[i].deallocate()
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
            buffers[i] = buffer
            capacities[i] = capacity
            binds[i].buffer = buffer
            binds[i].buffer_length = UInt(capacity)
            guard mysql_stmt_fetch_column(stmt, binds + i, UInt32(i), 0) == 0 else { return false }
            lengths[i] = UInt(needed)
            rebind = true
        }
        if rebind { return mysql_stmt_bind_result(stmt, binds) == 0 }
        return true
    }

    /// Column `i` of the row last fetched.
    @inline(__always)
    func value(_ i: Int) -> SQLValue {
        if nulls[i] != 0 { return .null }
        let p = UnsafeRawPointer(buffers[i])
        switch decoders[i] {
        case .text:
            return .text(String(decoding: UnsafeRawBufferPointer(start: p, count: Int(lengths[i])), as: UTF8.self))
        case .int64: return .integer(p.load(as: Int64.self))
        case .int32: return .integer(Int64(p.load(as: Int32.self)))
        case .uint32: return .integer(Int64(p.load(as: UInt32.self)))
        case .int16: return .integer(Int64(p.load(as: Int16.self)))
        case .uint16: return .integer(Int64(p.load(as: UInt16.self)))
        case .int8: return .integer(Int64(p.load(as: Int8.self)))
        case .uint8: return .integer(Int64(p.load(as: UInt8.self)))
        case .uint64:
            let v = p.load(as: UInt64.self)
            return v <= UInt64(Int64.max) ? .integer(Int64(v)) : .decimal(Decimal(v))
        case .double:
            return .real(p.load(as: Double.self))
        case .float:
            let f = p.load(as: Float.self)
            return .real(f.isFinite ? Double(String(f)) ?? Double(f) : Double(f))
        case .decimal:
            let n = Int(lengths[i])
            let bytes = p.assumingMemoryBound(to: UInt8.self)
            if let d = PostgreSQLDecoding.decimal(bytes, length: n) { return .decimal(d) }
            return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: n), as: UTF8.self))
        case .datetime:
            let t = p.load(as: MYSQL_TIME.self)
            if let date = MySQLTime.date(t) { return .timestamp(date) }
            return .text(MySQLTime.text(t, as: .datetime, decimals: signatures[i].decimals))
        case .date:
            return .text(MySQLTime.text(p.load(as: MYSQL_TIME.self), as: .date, decimals: 0))
        case .time:
            return .text(MySQLTime.text(p.load(as: MYSQL_TIME.self), as: .time, decimals: signatures[i].decimals))
        case .bit:
            let n = Int(lengths[i])
            let bytes = p.assumingMemoryBound(to: UInt8.self)
            var v: UInt64 = 0
            for j in 0..<min(n, 8) { v = v << 8 | UInt64(bytes[j]) }
            return v <= UInt64(Int64.max) ? .integer(Int64(v)) : .decimal(Decimal(v))
        case .blob:
            return .blob(Data(bytes: p, count: Int(lengths[i])))
        }
    }
}
