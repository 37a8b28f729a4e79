import Foundation

/// Bind and result processing: how a value meets a column of a given type.
///
/// A `Date` compared with a `date` column binds as its day (`2026-11-21`), with a
/// `time` column as its time of day (`12:30:00`), with a `datetime` column as a
/// timestamp; a `Double` bound to a `numeric` column becomes an exact `Decimal`. The
/// compiler applies ``processBind(_:)`` to every value bound against a typed column;
/// a dialect's ``TypeCompiler`` may override it.
///
/// ```swift
/// SQLType.date.processBind(.timestamp(someDate))   // .text("2026-11-21")
/// SQLType.numeric(10, 2).processResult(.real(12.5))   // .decimal(12.50)
/// ```
extension SQLType {
    /// The value to bind for a parameter of this type.
    public func processBind(_ value: SQLValue) -> SQLValue {
        switch (self, value) {
        case (_, .null):
            return .null
        case (.date, .timestamp(let d)):
            return .text(SQLDateFormat.dateString(d))
        case (.time, .timestamp(let d)):
            return .text(SQLDateFormat.timeString(d))
        case (.numeric, .real(let d)):
            return Decimal(string: String(d), locale: posixLocale).map(SQLValue.decimal) ?? value
        case (.boolean, .integer(let i)) where i == 0 || i == 1:
            return .bool(i == 1)
        case (.uuid, .text(let s)):
            return UUID(uuidString: s).map(SQLValue.uuid) ?? value
        case (.json, .blob(let data)):
            return String(validating: data, as: UTF8.self).map(SQLValue.text) ?? value
        case (.string, .uuid(let u)), (.text, .uuid(let u)):
            return .text(u.uuidString.lowercased())
        case (.string, .decimal(let d)), (.text, .decimal(let d)):
            // Every digit, as text: a decimal kept in a text column stays exact.
            return .text(d.description)
        case (.integer, .bool(let b)), (.bigint, .bool(let b)), (.smallint, .bool(let b)):
            return .integer(b ? 1 : 0)
        case (.float, .integer(let i)), (.double, .integer(let i)):
            return .real(Double(i))
        default:
            return value
        }
    }

    /// The value a result column of this type reads as: `numeric` as `.decimal`
    /// (rounded to the declared scale when SQLite stored it as a float), `boolean` as
    /// `.bool`, `uuid` as `.uuid`, `json` as `.text`. Other values pass unchanged.
    public func processResult(_ value: SQLValue) -> SQLValue {
        switch (self, value) {
        case (.numeric(_, let scale), .real(let d)):
            guard d.isFinite else { return value }
            let text: String
            if let scale { text = String(format: "%.\(scale)f", locale: posixLocale, d) } else { text = String(d) }
            return Decimal(string: text, locale: posixLocale).map(SQLValue.decimal) ?? value
        case (.numeric, .integer(let i)):
            return .decimal(Decimal(i))
        case (.numeric, .text(let s)):
            return Decimal(string: s, locale: posixLocale).map(SQLValue.decimal) ?? value
        case (.numeric, .blob(let data)):
            return String(validating: data, as: UTF8.self).flatMap { Decimal(string: $0, locale: posixLocale) }
                .map(SQLValue.decimal) ?? value
        case (.boolean, .integer(let i)) where i == 0 || i == 1:
            return .bool(i == 1)
        case (.boolean, .text(let s)):
            switch s {
            case "t", "true", "1": return .bool(true)
            case "f", "false", "0": return .bool(false)
            default: return value
            }
        case (.uuid, .text(let s)):
            return UUID(uuidString: s).map(SQLValue.uuid) ?? value
        case (.uuid, .blob(let d)) where d.count == 16:
            return (try? UUID(sqlValue: value)).map(SQLValue.uuid) ?? value
        case (.json, .blob(let data)):
            return String(validating: data, as: UTF8.self).map(SQLValue.text) ?? value
        default:
            return value
        }
    }
}

private let posixLocale = Locale(identifier: "en_US_POSIX")
