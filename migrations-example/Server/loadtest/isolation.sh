#!/usr/bin/env bash
# The slow-query isolation check under load: while wrk loads GET /books/:id (64
# connections), four PATCH requests are held inside the database for 10 s (psql
# holds their rows with SELECT … FOR UPDATE), each keeping one pooled connection, and
# so one thread, busy — more than the machine has cores. A probe times GET /books/1500
# every 100 ms throughout: a server whose database calls blocked the cooperative pool
# would stop answering for the 10 s; one that does not answers the probe as fast while
# the PATCHes wait as before and after.
#
#   loadtest/isolation.sh BASE_URL PSQL_CONNINFO     # e.g. http://127.0.0.1:8080 "host=127.0.0.1 port=5432 dbname=books user=app"
set -euo pipefail
base=${1:?BASE_URL}
conninfo=${2:?PSQL_CONNINFO}
case "$base" in
    http://127.0.0.1:* | http://localhost:* | "http://[::1]:"*) ;;
    *) echo "isolation.sh: $base is not on this machine" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; jobs -p | xargs -r kill 2>/dev/null || true' EXIT
cat "$here/getone.lua" "$here/report.lua" >"$tmp/getone.lua"

timeout 60 wrk -t2 -c64 -d30s --timeout 10s -s "$tmp/getone.lua" "$base" >"$tmp/wrk.out" &
wrk_pid=$!
# The probe: one request every 100 ms for 30 s, its time in ms and when it was sent.
(
    start=$(date +%s.%N)
    for _ in $(seq 300); do
        t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 20 "$base/books/1500" || echo 99)
        printf '%.1f %.1f\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$(echo "$t * 1000" | bc)"
        sleep 0.1
    done
) >"$tmp/probe.out" &
probe_pid=$!
sleep 10
# Hold four rows for 10 s, then four PATCHes of them wait inside the database.
psql "$conninfo" -q -c "BEGIN; SELECT id FROM books WHERE id IN (1, 2, 3, 4) FOR UPDATE; SELECT pg_sleep(10); COMMIT;" >/dev/null &
sleep 0.5
for id in 1 2 3 4; do
    curl -s -o /dev/null -w "PATCH /books/$id: %{http_code} in %{time_total} s\n" --max-time 30 -X PATCH \
        -H 'content-type: application/json' -d '{"pages": 123}' "$base/books/$id" >"$tmp/patch$id.out" &
done
wait $wrk_pid || true
wait $probe_pid || true
wait
cat "$tmp"/patch*.out
grep '^SUMMARY' "$tmp/wrk.out" | sed 's/^SUMMARY /get-one under the check: /'
# The probe's answers before (0-10 s), while the PATCHes were held (10.5-20 s), after.
awk '{ w = ($1 < 10) ? "before" : ($1 < 20 ? "while-held" : "after");
       n[w]++; s[w] += $2; if ($2 > m[w]) m[w] = $2 }
     END { for (w in n) printf "probe %s: %d requests, mean %.1f ms, worst %.1f ms\n", w, n[w], s[w] / n[w], m[w] }' "$tmp/probe.out"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
