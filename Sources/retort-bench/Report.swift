import Foundation

/// Times workloads and prints one line per workload:
/// `name  seconds  rows_per_s  ratio_to_raw` (or JSON with `--json`).
final class Report {
    let json: Bool
    let only: String?
    private var headerPrinted = false

    init(json: Bool, only: String?) {
        self.json = json
        self.only = only
    }

    func wants(_ name: String) -> Bool { only.map { name.contains($0) } ?? true }

    /// RETORT_BENCH_TRACE=1 prints every run's seconds to stderr (to tell the VM's slow
    /// phases, where every run of a process is slow, from a slow run among fast ones).
    private let trace = ProcessInfo.processInfo.environment["RETORT_BENCH_TRACE"] != nil

    /// Runs `body` `repeats` times (with `reset` before each) and returns the best seconds.
    func time(repeats: Int = 3, reset: () throws -> Void = {}, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<repeats {
            try reset()
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = min(best, elapsed)
            if trace { FileHandle.standardError.write(Data("  one run: \(elapsed) s\n".utf8)) }
        }
        return best
    }

    /// Prints a workload's figures. `raw` is the seconds of the raw-library loop doing
    /// the same `rows`; the ratio is Retort's rows/s over the raw loop's.
    func line(_ name: String, seconds: Double, rows: Int, raw: Double?, extra: [String: String] = [:]) {
        let rate = Double(rows) / seconds
        let ratio = raw.map { $0 / seconds }
        if json {
            var fields = ["\"name\": \"\(name)\"", "\"seconds\": \(fmt(seconds, 6))", "\"rows\": \(rows)",
                          "\"rows_per_s\": \(Int(rate))"]
            if let ratio { fields.append("\"ratio_to_raw\": \(fmt(ratio, 3))") }
            for (k, v) in extra.sorted(by: { $0.key < $1.key }) { fields.append("\"\(k)\": \(v)") }
            print("{" + fields.joined(separator: ", ") + "}")
        } else {
            if !headerPrinted {
                print(pad("name", 40) + pad("seconds", 12) + pad("rows_per_s", 14) + "ratio_to_raw")
                headerPrinted = true
            }
            let extras = extra.sorted(by: { $0.key < $1.key }).map { "  \($0.key)=\($0.value)" }.joined()
            print(pad(name, 40) + pad(fmt(seconds, 4), 12) + pad(String(Int(rate)), 14)
                  + (ratio.map { fmt($0, 2) } ?? "-") + extras)
        }
    }

    func fmt(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
}
