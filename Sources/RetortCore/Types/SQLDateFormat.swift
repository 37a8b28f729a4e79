import Foundation

/// Fast, locale-free formatting and parsing of the date and time spellings that SQLite
/// stores and PostgreSQL prints: `2026-11-21`, `2026-11-21 12:00:00`,
/// `2026-11-21 12:00:00.123456`, `2026-11-21T12:00:00Z`, `2026-11-21 12:00:00+02`,
/// `12:30:00`. Times without an offset are taken as UTC.
///
/// Retort writes SQLAlchemy's spelling: always six fractional digits
/// (`2021-01-04 03:21:39.000000`). The width is fixed, so on SQLite, where timestamps
/// are text, text order is time order, and a database shared with a Python service or
/// migrated from Alembic compares the same way from both sides. Every spelling above
/// (and PostgreSQL's, and SQLite's `CURRENT_TIMESTAMP`) reads back.
public enum SQLDateFormat {
    /// `YYYY-MM-DD HH:MM:SS.ffffff` in UTC, always with six fractional digits.
    public static func timestampString(_ date: Date) -> String {
        let (days, secondsOfDay, micros) = split(date)
        var s = dateString(days: days)
        s += " "
        s += timeString(seconds: secondsOfDay, micros: micros)
        return s
    }

    /// `YYYY-MM-DD` of the date's UTC day.
    public static func dateString(_ date: Date) -> String {
        dateString(days: split(date).days)
    }

    /// `HH:MM:SS.ffffff` of the date's UTC time of day (SQLAlchemy's spelling of a time).
    public static func timeString(_ date: Date) -> String {
        let (_, secs, micros) = split(date)
        return timeString(seconds: secs, micros: micros)
    }

    /// Splits a date into days since 1970-01-01, seconds of that day and microseconds.
    private static func split(_ date: Date) -> (days: Int, seconds: Int, micros: Int) {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let t = Int64(totalMicros)
        var days = t / 86_400_000_000
        var rem = t % 86_400_000_000
        if rem < 0 {
            rem += 86_400_000_000
            days -= 1
        }
        return (Int(days), Int(rem / 1_000_000), Int(rem % 1_000_000))
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func dateString(days: Int) -> String {
        let (y, m, d) = civilFromDays(days)
        return (y < 0 ? "-" : "") + pad(abs(y), 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    private static func timeString(seconds: Int, micros: Int) -> String {
        var s = pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        s += "." + pad(micros, 6)
        return s
    }

    // Howard Hinnant's days-from-civil algorithms (public domain arithmetic).
    private static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = m > 2 ? m - 3 : m + 9
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Parses a date, a timestamp (with `T` or a space, optional fraction, optional `Z`
    /// or `±HH[:MM]` offset) or a bare time of day (on 1970-01-01). Nil when the text
    /// is none of these.
    public static func parse(_ text: String) -> Date? {
        var bytes = Array(text.utf8)
        // Trim surrounding spaces.
        while let last = bytes.last, last == 0x20 { bytes.removeLast() }
        var i = 0
        while i < bytes.count, bytes[i] == 0x20 { i += 1 }

        func digits(_ n: Int) -> Int? {
            guard i + n <= bytes.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = bytes[i + k]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == c else { return false }
            i += 1
            return true
        }

        var days = 0
        let start = i
        // A bare time "HH:MM:SS" has a colon at offset 2.
        let isBareTime = bytes.count >= start + 3 && bytes[start + 2] == 0x3A
        if !isBareTime {
            var negative = false
            if expect(0x2D) { negative = true }
            // Years may have more than four digits in PostgreSQL; read until '-'.
            var year = 0
            var n = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                year = year * 10 + Int(bytes[i] - 0x30)
                i += 1
                n += 1
            }
            guard n >= 4, expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2) else { return nil }
            guard (1...12).contains(month), (1...31).contains(day) else { return nil }
            days = daysFromCivil(negative ? -year : year, month, day)
            if i == bytes.count { return Date(timeIntervalSince1970: Double(days) * 86_400) }
            guard expect(0x20) || expect(0x54) else { return nil }  // ' ' or 'T'
        }
        guard let hh = digits(2), expect(0x3A), let mm = digits(2) else { return nil }
        var ss = 0
        if expect(0x3A) {
            guard let s = digits(2) else { return nil }
            ss = s
        }
        var micros = 0
        if expect(0x2E) {
            var scale = 100_000
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                micros += Int(bytes[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        guard hh <= 24, mm < 60, ss <= 60 else { return nil }
        var offsetSeconds = 0
        if i < bytes.count {
            if expect(0x5A) {  // 'Z'
            } else if bytes[i] == 0x2B || bytes[i] == 0x2D {
                let sign = bytes[i] == 0x2D ? -1 : 1
                i += 1
                guard let oh = digits(2) else { return nil }
                var om = 0
                if expect(0x3A) {
                    guard let v = digits(2) else { return nil }
                    om = v
                } else if let v = digits(2) {
                    om = v
                }
                var os = 0
                if expect(0x3A), let v = digits(2) { os = v }
                offsetSeconds = sign * (oh * 3600 + om * 60 + os)
            } else {
                return nil
            }
        }
        guard i == bytes.count else { return nil }
        let seconds = Int64(days) * 86_400 + Int64(hh * 3600 + mm * 60 + ss) - Int64(offsetSeconds)
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }
}
