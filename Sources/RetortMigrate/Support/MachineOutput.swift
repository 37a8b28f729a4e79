import Foundation
import RetortCore

/// The exit statuses every command uses (DESIGN.md, "Exit codes and machine output").
public enum ExitStatus: Int32, Sendable {
    /// It ran and the answer is yes (or there was no question).
    case success = 0
    /// It ran and the answer is no: `check` found drift or the database is behind head.
    case no = 1
    /// It could not run: bad config, no server, malformed files, a failed revision.
    case couldNotRun = 2
}

/// The one JSON object a command prints on stdout with `--format json`, in every case,
/// errors included; its `status` says which case it is.
///
/// ```json
/// {"status": "error", "message": "cannot read the metadata file m.json", "hint": "check the path ..."}
/// ```
public enum MachineOutput {
    /// `fields` with `status` added, as one JSON object (keys sorted, pretty-printed).
    public static func object(status: String, _ fields: [String: Any] = [:]) -> String {
        var all = fields
        all["status"] = status
        let data = (try? JSONSerialization.data(withJSONObject: all, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// `{"status": "error", ...}`: the error's message, where (file, line, column), the
    /// hint, and for a database error its code, as `fields(of:)` gives them.
    public static func error(_ error: any Error) -> String {
        object(status: "error", fields(of: error))
    }

    /// What a person needs from an error, as JSON fields: `message`, and when known
    /// `file`, `line`, `column`, `hint`, `code`.
    public static func fields(of error: any Error) -> [String: Any] {
        if let e = error as? MetadataJSONError { return fields(of: MigrateError(e)) }
        var out: [String: Any] = ["message": describe(error)]
        switch error {
        case let e as MigrateError:
            out["message"] = e.message
            if let l = e.location {
                out["file"] = l.file
                if let line = l.line { out["line"] = line }
                if let column = l.column { out["column"] = column }
            }
            if let hint = e.hint { out["hint"] = hint }
        case let e as any DatabaseError:
            out["message"] = e.message
            if let code = e.code { out["code"] = code }
        default:
            break
        }
        return out
    }

    /// The one line the CLI prints for `error` on stderr.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let e as MigrateError: return e.description
        case let e as MetadataJSONError: return MigrateError(e).description
        case let e as any DatabaseError: return e.message + (e.code.map { " [\($0)]" } ?? "")
        case let e as ArgumentError: return e.message
        default: return "\(error)"
        }
    }
}
