import CMariaDB
import Foundation

/// Column-wise parameter arrays for MariaDB's bulk execution (`STMT_ATTR_ARRAY_SIZE`):
/// one `MYSQL_BIND` per parameter pointing at an array holding that parameter's value
/// for every set of the batch, with an indicator per value for NULL. The whole batch
/// travels in one `COM_STMT_BULK_EXECUTE` packet and runs as one statement on the
/// server (all its sets apply, or none).
///
/// A parameter's values must share one wire type across the batch (NULLs aside);
/// ``encode(_:)`` returns false when they do not (an integer in one set and a text in
/// another), and the caller executes that batch set by set instead.
final class MySQLBulkParameters {
    /// The wire type one parameter's values share.
    private enum Kind {
        case integer, real, tiny, string, blob, decimal, datetime, null

        init(_ value: SQLValue) {
            switch value {
            case .null: self = .null
            case .integer: self = .integer
            case .real: self = .real
            case .bool: self = .tiny
            case .text, .uuid: self = .string
            case .blob: self = .blob
            case .decimal: self = .decimal
            case .timestamp: self = .datetime
            }
        }

        var fixedSize: Int {
            switch self {
            case .integer, .real: return 8
            case .tiny: return 1
            case .datetime: return MemoryLayout<MYSQL_TIME>.stride
            case .string, .blob, .decimal, .null: return 0
            }
        }

        var bufferType: enum_field_types {
            switch self {
            case .integer: return MYSQL_TYPE_LONGLONG
            case .real: return MYSQL_TYPE_DOUBLE
            case .tiny: return MYSQL_TYPE_TINY
            case .string, .null: return MYSQL_TYPE_STRING
            case .blob: return MYSQL_TYPE_BLOB
            case .decimal: return MYSQL_TYPE_NEWDECIMAL
            case .datetime: return MYSQL_TYPE_DATETIME
            }
        }
    }

    private(set) var binds: UnsafeMutablePointer<MYSQL_BIND>?
    /// Every allocation of the current batch, freed by the next ``encode(_:)`` or deinit.
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { release() }

    private func release() {
        for a in allocations { a.deallocate() }
        allocations.removeAll(keepingCapacity: true)
        binds = nil
    }

    private func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 16)
        allocations.append(p)
        return p
    }

    /// Fills the arrays for `rows` (each with `parameterCount` values). False when a
    /// parameter's values do not share a wire type.
    func encode(_ rows: [[SQLValue]], parameterCount: Int) -> Bool {
        release()
        let n = rows.count
        var kinds: [Kind] = []
        kinds.reserveCapacity(parameterCount)
        for column in 0..<parameterCount {
            var kind = Kind.null
            for row in rows {
                let k = Kind(row[column])
                if k == .null || k == kind { continue }
                if kind == .null { kind = k } else { return false }
            }
            kinds.append(kind)
        }
        let bindArray = allocate(MemoryLayout<MYSQL_BIND>.stride * max(parameterCount, 1))
            .bindMemory(to: MYSQL_BIND.self, capacity: max(parameterCount, 1))
        bindArray.initialize(repeating: MYSQL_BIND(), count: max(parameterCount, 1))
        binds = bindArray
        for column in 0..<parameterCount {
            let kind = kinds[column]
            let indicators = allocate(n).bindMemory(to: CChar.self, capacity: n)
            let b = bindArray + column
            b.pointee.buffer_type = kind.bufferType
            b.pointee.u.indicator = indicators
            if kind.fixedSize > 0 {
                let values = allocate(kind.fixedSize * n)
                for (r, row) in rows.enumerated() {
                    let slot = values + r * kind.fixedSize
                    switch row[column] {
                    case .null:
                        indicators[r] = CChar(STMT_INDICATOR_NULL.rawValue)
                        continue
                    case .integer(let v): slot.storeBytes(of: v, as: Int64.self)
                    case .real(let v): slot.storeBytes(of: v, as: Double.self)
                    case .bool(let v): slot.storeBytes(of: v ? 1 : 0, as: Int8.self)
                    case .timestamp(let d): slot.storeBytes(of: MySQLTime.make(d), as: MYSQL_TIME.self)
                    default: break
                    }
                    indicators[r] = CChar(STMT_INDICATOR_NONE.rawValue)
                }
                if kind == .datetime {
                    // libmariadb reads fixed-size values of a type with no packed length
                    // (the temporal ones) through an array of pointers.
                    let pointers = allocate(MemoryLayout<UnsafeMutableRawPointer?>.stride * n)
                        .bindMemory(to: UnsafeMutableRawPointer?.self, capacity: n)
                    for r in 0..<n { pointers[r] = values + r * kind.fixedSize }
                    b.pointee.buffer = UnsafeMutableRawPointer(pointers)
                } else {
                    b.pointee.buffer = values
                }
                continue
            }
            // Variable length: an array of pointers into one arena, and their lengths.
            var total = 0
            for row in rows {
                switch row[column] {
                case .text(let t): total += t.utf8.count
                case .uuid: total += 36
                case .decimal: total += 48
                case .blob(let d): total += d.count
                default: break
                }
            }
            let arena = allocate(total)
            let pointers = allocate(MemoryLayout<UnsafeMutableRawPointer?>.stride * n)
                .bindMemory(to: UnsafeMutableRawPointer?.self, capacity: n)
            let lengths = allocate(MemoryLayout<UInt>.stride * n).bindMemory(to: UInt.self, capacity: n)
            var offset = 0
            func copy(_ raw: UnsafeRawBufferPointer, limit: Int = .max) -> Int {
                let count = min(raw.count, limit)
                if let base = raw.baseAddress, count > 0 { (arena + offset).copyMemory(from: base, byteCount: count) }
                return count
            }
            for (r, row) in rows.enumerated() {
                pointers[r] = arena + offset
                var length = 0
                switch row[column] {
                case .text(var t): length = t.withUTF8 { copy(UnsafeRawBufferPointer($0)) }
                case .uuid(let u):
                    var t = u.uuidString.lowercased()
                    length = t.withUTF8 { copy(UnsafeRawBufferPointer($0)) }
                case .decimal(let d):
                    var t = d.description
                    length = t.withUTF8 { copy(UnsafeRawBufferPointer($0), limit: 48) }
                case .blob(let d): length = d.withUnsafeBytes { copy($0) }
                default:
                    indicators[r] = CChar(STMT_INDICATOR_NULL.rawValue)
                    lengths[r] = 0
                    continue
                }
                indicators[r] = CChar(STMT_INDICATOR_NONE.rawValue)
                lengths[r] = UInt(length)
                offset += length
            }
            b.pointee.buffer = UnsafeMutableRawPointer(pointers)
            b.pointee.length = lengths
        }
        return true
    }
}
