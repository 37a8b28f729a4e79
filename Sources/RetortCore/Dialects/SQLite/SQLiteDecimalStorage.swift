import Foundation

/// How a `Decimal` is bound on SQLite: always as a number, so that it compares and
/// sorts with the numbers already stored.
///
/// SQLite has two numeric storage classes: INTEGER (64 bits, exact to 19 digits) and
/// REAL (an IEEE double: 15 significant digits survive any round trip, 17 identify it).
/// Text that looks like a number is converted to one of them by a NUMERIC column
/// anyway, and a BLOB (which would keep every digit) sorts after every number, so
/// `salary > 33333.333333333333333333333333333` would match no row. So a decimal goes as:
/// - an INTEGER when it is whole and fits 64 bits (exact);
/// - otherwise a REAL: exact up to 15 significant digits (read back through its
///   shortest spelling, which is then the value itself), the nearest double beyond.
///
/// Values written by earlier versions as a BLOB of their decimal text still read back
/// as decimals (``SQLType/processResult(_:)``).
enum SQLiteDecimalStorage {
    static func value(for decimal: Decimal) -> SQLValue {
        guard decimal.isFinite else { return .decimal(decimal) }
        let text = canonicalText(decimal)
        if !text.contains("."), let whole = Int64(text) { return .integer(whole) }
        return Double(text).map(SQLValue.real) ?? .decimal(decimal)
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
}
