-- Prints one summary line after the run: requests/s, p50, p99, errors (non-2xx,
-- socket errors and timeouts), for the table in the README.
done = function(summary, latency, requests)
    local errors = summary.errors.status + summary.errors.connect + summary.errors.read
        + summary.errors.write + summary.errors.timeout
    io.write(string.format("SUMMARY requests/s=%.0f p50_ms=%.1f p99_ms=%.1f requests=%d errors=%d\n",
        summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, summary.requests, errors))
end
