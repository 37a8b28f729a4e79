#!/usr/bin/env bash
# The load runs of the README's "Under load" table: wrk against each endpoint of a
# running book-server (or of any service with the same endpoints), on this machine
# only. Seed the database first (seed.sql). Each run is bounded (DURATION, 30 s, and a
# hard stop after 2 minutes) and prints one SUMMARY line, with the load average beside it.
#
#   loadtest/run.sh [BASE_URL]          # default http://127.0.0.1:8080
#   ENDPOINTS="get-one list-20" DURATION=10s loadtest/run.sh
#
# Settings: ENDPOINTS (get-one list-20 search update create delete), DURATION (30s),
# CONNECTIONS (64), THREADS (2), FIRST_ID (delete: the first id to delete; every id
# from it on is deleted once, so seed spare books first: compare.sh does).
set -euo pipefail
base=${1:-http://127.0.0.1:8080}
case "$base" in
    http://127.0.0.1:* | http://localhost:* | "http://[::1]:"*) ;;
    *) echo "run.sh: $base is not on this machine; load runs go to 127.0.0.1, localhost or [::1] only" >&2; exit 2 ;;
esac
command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (Debian: apt-get install wrk)" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name, path, request script (empty: a plain GET of the path)
endpoint() {
    case "$1" in
        get-one) echo "/books/1 getone.lua" ;;
        list-20) echo "/books?limit=20 -" ;;
        search) echo "/books/search?title=book%2012&limit=20 -" ;;
        update) echo "/books update.lua" ;;
        create) echo "/books create.lua" ;;
        delete) echo "/books delete.lua" ;;
        *) echo "run.sh: unknown endpoint $1 (get-one, list-20, search, update, create, delete)" >&2; exit 2 ;;
    esac
}

export THREADS=${THREADS:-2}
for name in ${ENDPOINTS:-get-one list-20 search update create delete}; do
    read -r path script <<<"$(endpoint "$name")"
    if [ "$script" = "-" ]; then cp "$here/report.lua" "$tmp/$name.lua"; else cat "$here/$script" "$here/report.lua" >"$tmp/$name.lua"; fi
    before=$(cut -d' ' -f1-3 /proc/loadavg)
    summary=$(timeout 120 wrk -t"$THREADS" -c"${CONNECTIONS:-64}" -d"${DURATION:-30s}" --timeout 10s \
        -s "$tmp/$name.lua" "$base$path" | grep '^SUMMARY' || echo "SUMMARY failed")
    echo "$name ${summary#SUMMARY } load_average_before=${before// /,} after=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ',')"
done
