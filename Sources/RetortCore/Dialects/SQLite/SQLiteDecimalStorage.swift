import Foundation

/// How a `Decimal` bound for a `numeric` column is stored on SQLite, exactly.
///
/// A `NUMERIC` column converts text that looks like a number into an INTEGER or a
/// REAL, and a REAL keeps only 15 significant digits. So a decimal goes as:
/// - an INTEGER when it is whole and fits 64 bits (exact, up to 19 digits);
/// - a REAL when it has at most 15 significant digits (read back through its
///   shortest decimal spelling, which is then the value itself);
/// - otherwise as a BLOB holding its canonical decimal text (`-12345678901234567890.0123456789`):
///   SQLite never converts a BLOB, so every digit survives.
///
/// The price is paid only by the values past 15 digits: they compare equal to the
/// same decimal bound again (same canonical bytes), but in `<`, `>` and ORDER BY a
/// BLOB sorts after every number and text, and arithmetic (`sum`) reads it as a
/// REAL. Everything else keeps SQLite's numeric comparisons and ordering.
enum SQLiteDecimalStorage {
    static func value(for decimal: Decimal) -> SQLValue {
        guard decimal.isFinite else { return .decimal(decimal) }
        let text = canonicalText(decimal)
        if !text.contains("."), let whole = Int64(text) { return .integer(whole) }
        if significantDigits(text) <= 15, let real = Double(text) { return .real(real) }
        return .blob(Data(text.utf8))
    }

    /// The decimal's plain spelling without trailing fractional zeros; `0` for zero.
    static func canonicalText(_ decimal: Decimal) -> String {
        var text = decimal.description
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    private static func significantDigits(_ text: String) -> Int {
        var digits = text.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }[...]
        while digits.first == 0x30 { digits.removeFirst() }
        while digits.last == 0x30 { digits.removeLast() }
        return digits.count
    }
}
