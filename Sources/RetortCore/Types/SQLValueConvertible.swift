import Foundation

/// A Swift type that converts to and from ``SQLValue``: what you can bind as a
/// parameter and read out of a ``Row``.
///
/// ```swift
/// try conn.execute(text("INSERT INTO t (n, at) VALUES (:n, :at)"), ["n": 3, "at": Date()])
/// let at: Date = try row.get("at")
/// ```
///
/// Conversions are lenient where the database representation is (SQLite stores a
/// `Bool` as 0/1 and a `Date` as text) and strict where a value would change
/// (`Int16` from 70000 is a ``DataError``, not a wrapped number).
public protocol SQLValueConvertible: SQLExpressible {
    /// The value to bind.
    var sqlValue: SQLValue { get }
    /// Converts a value read from the database; throws ``DataError`` when it cannot.
    init(sqlValue: SQLValue) throws
    /// The values of a list given for an expanding parameter (``SQLValueList``); nil,
    /// the default, for a single value.
    var sqlValueList: [SQLValue]? { get }
}

extension SQLValueConvertible {
    public var sqlValueList: [SQLValue]? { nil }
}

@usableFromInline
func conversionError(_ value: SQLValue, _ target: String) -> DataError {
    if value.isNull {
        return DataError(message: "cannot read NULL as \(target); read it as \(target)? instead")
    }
    return DataError(message: "cannot convert \(value.kindName) value \(value) to \(target)")
}

extension SQLValue: SQLValueConvertible {
    public var sqlValue: SQLValue { self }
    public init(sqlValue: SQLValue) { self = sqlValue }
}

extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    // Inlinable, so that reading an `Int?` or `String?` column (every row of a model
    // with an optional property) is specialised where it is called, instead of looking
    // up `Optional<Wrapped>`'s metadata at run time for each value.
    @inlinable
    public var sqlValue: SQLValue {
        switch self {
        case .none: return .null
        case .some(let w): return w.sqlValue
        }
    }
    @inlinable
    public init(sqlValue: SQLValue) throws {
        if case .null = sqlValue { self = .none } else { self = .some(try Wrapped(sqlValue: sqlValue)) }
    }
}

extension Int64: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(self) }
    public init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .integer(let v): self = v
        case .bool(let b): self = b ? 1 : 0
        case .real(let d):
            guard d.rounded() == d, let v = Int64(exactly: d) else { throw conversionError(sqlValue, "Int64") }
            self = v
        case .decimal(let d):
            guard let v = Int64(exactly: NSDecimalNumber(decimal: d).doubleValue),
                Decimal(v) == d
            else { throw conversionError(sqlValue, "Int64") }
            self = v
        case .text(let s):
            guard let v = Int64(s) else { throw conversionError(sqlValue, "Int64") }
            self = v
        default: throw conversionError(sqlValue, "Int64")
        }
    }
}

/// Fixed-width integers convert through `Int64`, refusing values out of their range.
@usableFromInline
func narrowInteger<T: FixedWidthInteger>(_ value: SQLValue, _ name: String) throws -> T {
    if value.isNull { throw conversionError(value, name) }
    // The error names the type asked for (`Int`), not the one converted through.
    guard let wide = try? Int64(sqlValue: value) else { throw conversionError(value, name) }
    guard let v = T(exactly: wide) else {
        throw DataError(message: "value \(wide) is out of range for \(name)")
    }
    return v
}

extension Int: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init(sqlValue: SQLValue) throws {
        if case .integer(let v) = sqlValue { self = Int(v); return }
        self = try narrowInteger(sqlValue, "Int")
    }
}

extension Int32: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init(sqlValue: SQLValue) throws { self = try narrowInteger(sqlValue, "Int32") }
}

extension Int16: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init(sqlValue: SQLValue) throws { self = try narrowInteger(sqlValue, "Int16") }
}

extension Double: SQLValueConvertible {
    public var sqlValue: SQLValue { .real(self) }
    public init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .real(let v): self = v
        case .integer(let v): self = Double(v)
        case .decimal(let d): self = NSDecimalNumber(decimal: d).doubleValue
        case .text(let s):
            guard let v = Double(s) else { throw conversionError(sqlValue, "Double") }
            self = v
        default: throw conversionError(sqlValue, "Double")
        }
    }
}

extension Float: SQLValueConvertible {
    public var sqlValue: SQLValue { .real(Double(self)) }
    public init(sqlValue: SQLValue) throws { self = Float(try Double(sqlValue: sqlValue)) }
}

extension String: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(self) }
    public init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .text(let s): self = s
        case .integer(let v): self = String(v)
        case .real(let v): self = String(v)
        case .decimal(let d): self = d.description
        case .bool(let b): self = b ? "true" : "false"
        case .uuid(let u): self = u.uuidString.lowercased()
        case .timestamp(let d): self = SQLDateFormat.timestampString(d)
        case .blob(let data):
            // Text that was not valid UTF-8 arrives as a blob; refuse rather than repair.
            guard let s = String(validating: data, as: UTF8.self) else {
                throw DataError(message: "a \(data.count)-byte value is not valid UTF-8 text; read it as Data")
            }
            self = s
        case .null: throw conversionError(sqlValue, "String")
        }
    }
}

extension Bool: SQLValueConvertible {
    public var sqlValue: SQLValue { .bool(self) }
    public init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .bool(let b): self = b
        case .integer(let v) where v == 0 || v == 1: self = v == 1
        case .text(let s):
            switch s.lowercased() {
            case "t", "true", "1", "yes", "on": self = true
            case "f", "false", "0", "no", "off": self = false
            default: throw conversionError(sqlValue, "Bool")
            }
        default: throw conversionError(sqlValue, "Bool")
        }
    }
}

extension Data: SQLValueConvertible {
    public var sqlValue: SQLValue { .blob(self) }
    public init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .blob(let d): self = d
        case .text(let s): self = Data(s.utf8)
        default: throw conversionError(sqlValue, "Data")
        }
    }
}

extension Date: SQLValueConvertible {
    public var sqlValue: SQLValue { .timestamp(self) }
    public init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .timestamp(let d): self = d
        case .text(let s):
            guard let d = SQLDateFormat.parse(s) else { throw conversionError(sqlValue, "Date") }
            self = d
        case .integer(let v): self = Date(timeIntervalSince1970: Double(v))
        case .real(let v): self = Date(timeIntervalSince1970: v)
        default: throw conversionError(sqlValue, "Date")
        }
    }
}

extension UUID: SQLValueConvertible {
    public var sqlValue: SQLValue { .uuid(self) }
    public init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .uuid(let u): self = u
        case .text(let s):
            guard let u = UUID(uuidString: s) else { throw conversionError(sqlValue, "UUID") }
            self = u
        case .blob(let d) where d.count == 16:
            let b = [UInt8](d)
            self = UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                               b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
        default: throw conversionError(sqlValue, "UUID")
        }
    }
}

extension Decimal: SQLValueConvertible {
    public var sqlValue: SQLValue { .decimal(self) }
    public init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .decimal(let d): self = d
        case .integer(let v): self = Decimal(v)
        case .real(let v): self = Decimal(string: String(v)) ?? Decimal(v)
        case .text(let s):
            guard let d = Decimal(string: s, locale: Locale(identifier: "en_US_POSIX")) else {
                throw conversionError(sqlValue, "Decimal")
            }
            self = d
        case .blob(let data):
            // SQLite keeps decimals past 15 digits as a BLOB of their text.
            guard let s = String(validating: data, as: UTF8.self),
                  let d = Decimal(string: s, locale: Locale(identifier: "en_US_POSIX")) else {
                throw conversionError(sqlValue, "Decimal")
            }
            self = d
        default: throw conversionError(sqlValue, "Decimal")
        }
    }
}
