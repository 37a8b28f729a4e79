#!/usr/bin/env bash
# The README's "Under load" figures, reproduced: book-server on a throwaway PostgreSQL
# (pool 10) and on SQLite, and the same endpoints written with Vapor + Fluent on the
# same PostgreSQL schema and data, each loaded with wrk (run.sh) from this machine.
#
#   loadtest/compare.sh FLUENT_PACKAGE_DIR      # a package whose release product serves
#                                               # the endpoints on $PORT against $DATABASE_URL
#   SERVICES="retort-postgresql" loadtest/compare.sh -
#
# Settings: SERVICES (retort-postgresql retort-sqlite fluent-postgresql), ENDPOINTS and
# DURATION (passed to run.sh), POOL_SIZE (10), PGPORT (55433), BUILD (1: swift build
# -c release both packages first; 0: use the binaries as they are), FLUENT_BIN (the
# Fluent executable, when it is not the package's only one), ISOLATION (1: the
# slow-query check of isolation.sh while book-server on PostgreSQL is loaded).
#
# PostgreSQL: a throwaway cluster (initdb in a temporary directory, trust auth on
# 127.0.0.1 only, fsync off as in the tests), removed at the end. Before each service's
# run the tables are emptied and seeded again (seed.sql: 200 authors, 50 tags, 2,000
# books); before its delete run, 100,000 spare books are added for it to delete.
set -euo pipefail
fluent=${1:?"FLUENT_PACKAGE_DIR (or - to leave Fluent out)"}
here=$(cd "$(dirname "$0")" && pwd)
server=$(cd "$here/.." && pwd)
services=${SERVICES:-retort-postgresql retort-sqlite fluent-postgresql}
[ "$fluent" = "-" ] && services=${services//fluent-postgresql/}
pgport=${PGPORT:-55433}
pool=${POOL_SIZE:-10}
endpoints=${ENDPOINTS:-get-one list-20 search update create delete}
work=$(mktemp -d /tmp/book-load.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [ -n "${pgctl:-}" ] && [ -d "$work/pg" ]; then $as_postgres "$pgctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

if [ "${BUILD:-1}" = 1 ]; then
    (cd "$server" && swift build -c release --product book-server)
    [ "$fluent" != "-" ] && (cd "$fluent" && swift build -c release)
fi
book_server="$server/.build/release/book-server"
[ -x "$book_server" ] || { echo "compare.sh: $book_server is not built (swift build -c release)" >&2; exit 2; }
if [ "$fluent" != "-" ]; then
    fluent_bin=${FLUENT_BIN:-$(cd "$fluent" && swift build -c release --show-bin-path)/$(cd "$fluent" && swift package describe --type json 2>/dev/null \
        | python3 -c 'import json,sys; print([p["name"] for p in json.load(sys.stdin)["products"] if "executable" in p["type"]][0])')}
    [ -x "$fluent_bin" ] || { echo "compare.sh: no release executable in $fluent" >&2; exit 2; }
fi

# A throwaway PostgreSQL cluster (run as the postgres user when this runs as root).
pgbin=$(dirname "$(command -v initdb || ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
pgctl=$pgbin/pg_ctl
as_postgres=""
if [ "$(id -u)" = 0 ]; then as_postgres="runuser -u postgres --"; chown postgres "$work"; fi
$as_postgres "$pgbin/initdb" -D "$work/pg" --auth=trust -U postgres --no-sync >"$work/initdb.log"
$as_postgres "$pgctl" -D "$work/pg" -l "$work/pg.log" -w start \
    -o "-k $work -h 127.0.0.1 -p $pgport -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pgport" -U postgres)
"${psql[@]}" -d postgres -c "CREATE DATABASE books"
pg_url="postgresql://postgres@127.0.0.1:$pgport/books"

# Starts a service in the background and waits until it answers.
start() { # name port command...
    local name=$1 port=$2
    shift 2
    "$@" >"$work/$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 600); do
        curl -s -o /dev/null "http://127.0.0.1:$port/books/1" && return 0
        sleep 0.1
    done
    echo "compare.sh: $name did not start; its log:" >&2
    cat "$work/$name.log" >&2
    exit 2
}
stop() { kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; }

seed_postgresql() {
    "${psql[@]}" -d books -c "TRUNCATE book_tags, books, tags, authors RESTART IDENTITY CASCADE"
    "${psql[@]}" -d books -f "$here/seed.sql"
}
spare_postgresql() { # prints the first spare id
    "${psql[@]}" -d books -At -c "INSERT INTO books (title, author_id, in_print) SELECT 'Spare ' || i, 1 + i % 200, true
        FROM generate_series(1, 100000) AS i RETURNING id" | head -1
}
spare_sqlite() {
    sqlite3 "$1" "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 100000)
        INSERT INTO books (title, author_id, in_print) SELECT 'Spare ' || i, 1 + i % 200, 1 FROM s;
        SELECT max(id) - 99999 FROM books;"
}

# Runs every endpoint but delete, adds the spare books, runs delete.
load() { # label port spare-command...
    local label=$1 port=$2
    shift 2
    local first
    for name in $endpoints; do
        [ "$name" = delete ] && continue
        ENDPOINTS=$name "$here/run.sh" "http://127.0.0.1:$port" | sed "s/^/$label /"
    done
    if [[ " $endpoints " == *" delete "* ]]; then
        first=$("$@")
        FIRST_ID=$first ENDPOINTS=delete "$here/run.sh" "http://127.0.0.1:$port" | sed "s/^/$label /"
    fi
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for service in $services; do
    case $service in
        retort-postgresql)
            # book-server migrates the empty database to head on start-up.
            start "$service" 8080 env DATABASE_URL="$pg_url" POOL_SIZE="$pool" PORT=8080 MIGRATOR_CONFIG="$server/migrator.yaml" "$book_server"
            seed_postgresql
            load "$service" 8080 spare_postgresql
            if [ "${ISOLATION:-1}" = 1 ]; then
                seed_postgresql
                "$here/isolation.sh" http://127.0.0.1:8080 "host=127.0.0.1 port=$pgport dbname=books user=postgres" | sed "s/^/$service isolation: /"
            fi
            stop
            ;;
        retort-sqlite)
            db="$work/books.db"
            start "$service" 8082 env DATABASE_URL="sqlite:///$db" POOL_SIZE="$pool" PORT=8082 MIGRATOR_CONFIG="$server/migrator.yaml" "$book_server"
            sqlite3 "$db" <"$here/seed-sqlite.sql"
            load "$service" 8082 spare_sqlite "$db"
            stop
            ;;
        fluent-postgresql)
            # The tables as book-server's migrations made them (the retort-postgresql run,
            # or a start-up of book-server here when that run was left out).
            if ! "${psql[@]}" -d books -At -c "SELECT 1 FROM books LIMIT 0" >/dev/null 2>&1; then
                start migrate 8080 env DATABASE_URL="$pg_url" PORT=8080 MIGRATOR_CONFIG="$server/migrator.yaml" "$book_server"
                stop
            fi
            seed_postgresql
            start "$service" 8081 env DATABASE_URL="$pg_url" POOL_SIZE="$pool" PORT=8081 "$fluent_bin"
            load "$service" 8081 spare_postgresql
            stop
            ;;
        *) echo "compare.sh: unknown service $service" >&2; exit 2 ;;
    esac
done
