import CMariaDB
import Foundation

/// A connection's parameter buffers for the binary protocol, reused for every
/// statement: one `MYSQL_BIND` per parameter, pointing into one byte buffer that holds
/// the values in the wire's own form (no text conversion).
///
/// | SQLValue | sent as |
/// |---|---|
/// | `.null` | `MYSQL_TYPE_NULL` |
/// | `.integer` | `MYSQL_TYPE_LONGLONG` |
/// | `.real` | `MYSQL_TYPE_DOUBLE` |
/// | `.bool` | `MYSQL_TYPE_TINY` 1 or 0 |
/// | `.text`, `.uuid` | `MYSQL_TYPE_STRING` (UTF-8; a UUID in lower-case hex with dashes) |
/// | `.blob` | `MYSQL_TYPE_BLOB` |
/// | `.decimal` | `MYSQL_TYPE_NEWDECIMAL`, its exact decimal text |
/// | `.timestamp` | `MYSQL_TYPE_DATETIME` in UTC with microseconds |
final class MySQLParameters {
    private(set) var binds: UnsafeMutablePointer<MYSQL_BIND>
    private var lengths: UnsafeMutablePointer<UInt>
    private var bindCapacity: Int
    private var storage: UnsafeMutableRawPointer
    private var storageCapacity: Int
    private(set) var count = 0

    init() {
        bindCapacity = 16
        binds = .allocate(capacity: bindCapacity)
        binds.initialize(repeating: MYSQL_BIND(), count: bindCapacity)
        lengths = .allocate(capacity: bindCapacity)
        storageCapacity = 4096
        storage = .allocate(byteCount: storageCapacity, alignment: 16)
    }

    deinit {
        binds.deallocate()
        lengths.deallocate()
        storage.deallocate()
    }

    /// Fills the binds for `values`. The buffers stay valid until the next `encode`.
    func encode(_ values: [SQLValue]) {
        let n = values.count
        if n > bindCapacity {
            binds.deallocate()
            lengths.deallocate()
            bindCapacity = max(n, bindCapacity * 2)
            binds = .allocate(capacity: bindCapacity)
            binds.initialize(repeating: MYSQL_BIND(), count: bindCapacity)
            lengths = .allocate(capacity: bindCapacity)
        }
        // Bytes needed: fixed slots of 16 (8-aligned), plus the variable values.
        var needed = 0
        for value in values {
            switch value {
            case .text(let s): needed += s.utf8.count + 8
            case .blob(let d): needed += d.count + 8
            case .decimal: needed += 48
            case .uuid: needed += 40
            case .timestamp: needed += (MemoryLayout<MYSQL_TIME>.stride + 15) & ~7
            default: needed += 16
            }
        }
        if needed > storageCapacity {
            storage.deallocate()
            storageCapacity = max(needed, storageCapacity * 2)
            storage = .allocate(byteCount: storageCapacity, alignment: 16)
        }
        var offset = 0
        for (i, value) in values.enumerated() {
            let b = binds + i
            b.pointee = MYSQL_BIND()
            b.pointee.length = lengths + i
            let slot = storage + offset
            var used = 16
            func put(_ type: enum_field_types, _ length: Int) {
                b.pointee.buffer_type = type
                b.pointee.buffer = slot
                b.pointee.buffer_length = UInt(length)
                lengths[i] = UInt(length)
            }
            switch value {
            case .null:
                b.pointee.buffer_type = MYSQL_TYPE_NULL
                lengths[i] = 0
            case .integer(let v):
                slot.storeBytes(of: v, as: Int64.self)
                put(MYSQL_TYPE_LONGLONG, 8)
            case .real(let v):
                slot.storeBytes(of: v, as: Double.self)
                put(MYSQL_TYPE_DOUBLE, 8)
            case .bool(let v):
                slot.storeBytes(of: v ? 1 : 0, as: Int8.self)
                put(MYSQL_TYPE_TINY, 1)
            case .text(let s):
                let n = MySQLParameters.copyUTF8(s, to: slot)
                put(MYSQL_TYPE_STRING, n)
                used = (n + 8) & ~7
            case .blob(let d):
                d.withUnsafeBytes { raw in
                    if let base = raw.baseAddress, raw.count > 0 { slot.copyMemory(from: base, byteCount: raw.count) }
                }
                put(MYSQL_TYPE_BLOB, d.count)
                used = (d.count + 8) & ~7
            case .decimal(let d):
                let n = MySQLParameters.copyUTF8(d.description, to: slot, limit: 47)
                put(MYSQL_TYPE_NEWDECIMAL, n)
                used = 48
            case .uuid(let u):
                let n = MySQLParameters.copyUTF8(u.uuidString.lowercased(), to: slot)
                put(MYSQL_TYPE_STRING, n)
                used = 40
            case .timestamp(let date):
                slot.storeBytes(of: MySQLTime.make(date), as: MYSQL_TIME.self)
                put(MYSQL_TYPE_DATETIME, MemoryLayout<MYSQL_TIME>.size)
                used = (MemoryLayout<MYSQL_TIME>.stride + 15) & ~7
            }
            offset += used
        }
        count = n
    }

    /// Copies `s`'s UTF-8 bytes to `out` (at most `limit`), returning how many.
    @inline(__always)
    private static func copyUTF8(_ s: String, to out: UnsafeMutableRawPointer, limit: Int = .max) -> Int {
        var s = s
        return s.withUTF8 { bytes in
            let n = min(bytes.count, limit)
            if n > 0, let base = bytes.baseAddress { out.copyMemory(from: base, byteCount: n) }
            return n
        }
    }
}

/// Conversions between `Date` (an instant) and `MYSQL_TIME` (a UTC wall-clock time with
/// microseconds), and the text spellings of dates and times.
enum MySQLTime {
    /// `date` as a UTC `DATETIME` with microseconds (rounded to the nearest).
    static func make(_ date: Date) -> MYSQL_TIME {
        let t = date.timeIntervalSince1970
        var seconds = Int(t.rounded(.down))
        var micros = Int(((t - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            seconds += 1
            micros -= 1_000_000
        }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var value = MYSQL_TIME()
        value.year = UInt32(parts.tm_year + 1900)
        value.month = UInt32(parts.tm_mon + 1)
        value.day = UInt32(parts.tm_mday)
        value.hour = UInt32(parts.tm_hour)
        value.minute = UInt32(parts.tm_min)
        value.second = UInt32(parts.tm_sec)
        value.second_part = UInt(micros)
        value.time_type = MYSQL_TIMESTAMP_DATETIME
        return value
    }

    /// The instant of a UTC `DATETIME`; nil for the zero date and other values with no instant.
    static func date(_ v: MYSQL_TIME) -> Date? {
        guard v.year > 0, v.month >= 1, v.month <= 12, v.day >= 1 else { return nil }
        var parts = tm()
        parts.tm_year = Int32(v.year) - 1900
        parts.tm_mon = Int32(v.month) - 1
        parts.tm_mday = Int32(v.day)
        parts.tm_hour = Int32(v.hour)
        parts.tm_min = Int32(v.minute)
        parts.tm_sec = Int32(v.second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds) + Double(v.second_part) / 1_000_000)
    }

    /// What a value is spelled as: the column's type, not the value's own `time_type`
    /// (libmariadb marks a zero DATETIME as a date).
    enum Spelling { case date, time, datetime }

    /// `2024-02-29`, `2024-02-29 13:45:00[.123456]` or `-838:59:59[.000001]`, as the server spells it.
    static func text(_ v: MYSQL_TIME, as spelling: Spelling, decimals: Int) -> String {
        func pad(_ n: UInt32, _ width: Int) -> String {
            let s = String(n)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        var fraction = ""
        if decimals > 0 && decimals <= 6 {
            let micros = pad(UInt32(v.second_part), 6)
            fraction = "." + micros.prefix(decimals)
        } else if v.second_part > 0 {
            fraction = "." + pad(UInt32(v.second_part), 6)
        }
        switch spelling {
        case .date:
            return "\(pad(v.year, 4))-\(pad(v.month, 2))-\(pad(v.day, 2))"
        case .time:
            let hours = v.day * 24 + v.hour
            return (v.neg != 0 ? "-" : "") + "\(pad(hours, 2)):\(pad(v.minute, 2)):\(pad(v.second, 2))" + fraction
        case .datetime:
            return "\(pad(v.year, 4))-\(pad(v.month, 2))-\(pad(v.day, 2)) "
                + "\(pad(v.hour, 2)):\(pad(v.minute, 2)):\(pad(v.second, 2))" + fraction
        }
    }
}
