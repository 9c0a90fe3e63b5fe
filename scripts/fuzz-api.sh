#!/usr/bin/env bash
# Fuzzes the JSON API against its own OpenAPI document with schemathesis:
# a fresh SQLite database in a temporary folder, `almanach serve --demo` on a
# free local port, then every operation with generated (valid and invalid)
# input, checking that no answer is a server error (5xx).
#
# It runs unauthenticated (reads, and every write's 401), and once more with
# an admin API token of the demo administrator (made with `almanach token
# create`), so the writes are fuzzed too; ALMANACH_FUZZ_TOKEN overrides it.
#
# Usage: scripts/fuzz-api.sh [ALMANACH_BINARY]
# Settings (environment):
#   ALMANACH_FUZZ_TOKEN     bearer token for the second run [a new demo admin token]
#   ALMANACH_FUZZ_DB        SQLite file to use instead of a fresh one (optional)
#   ALMANACH_BIN            the almanach binary, unless given as the argument
#                           [target/debug/almanach, built (debug) first]
#   SCHEMATHESIS            the `st` command [a venv in target/schemathesis-venv, made if missing]
#   MAX_EXAMPLES            generated cases per operation and phase [30]
#   ST_ARGS                 more arguments for `st run` (e.g. "--seed 1 --checks all")
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
max_examples=${MAX_EXAMPLES:-30}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/almanach-fuzz.XXXXXX")
server_pid=""
status=0

# Stops the server; keeps the folder (server log, reports) when something failed.
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$status" = 0 ]; then
        rm -rf "$tmp"
    else
        echo "server log and schemathesis reports kept in $tmp" >&2
    fi
}
trap cleanup EXIT

bin=${1:-${ALMANACH_BIN:-}}
if [ -z "$bin" ]; then
    bin=$root/target/debug/almanach
    cargo build --quiet --manifest-path "$root/Cargo.toml" -p almanach
fi
[ -x "$bin" ] || { echo "no almanach binary at $bin" >&2; exit 1; }

st=${SCHEMATHESIS:-}
if [ -z "$st" ]; then
    venv=$root/target/schemathesis-venv
    if [ ! -x "$venv/bin/st" ]; then
        echo "installing schemathesis into $venv…"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet schemathesis
    fi
    st=$venv/bin/st
fi

# A free port: bind port 0, read what the system gave, let it go.
port=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
base="http://127.0.0.1:$port"
db=${ALMANACH_FUZZ_DB:-$tmp/db.sqlite3}
"$bin" --database "sqlite://$db" demo >/dev/null
if [ -z "${ALMANACH_FUZZ_TOKEN:-}" ]; then
    ALMANACH_FUZZ_TOKEN=$("$bin" --database "sqlite://$db" token create --email admin@demo.almanach --name fuzz --role admin)
fi

# Registration limits lifted, so generated registrations reach the store.
"$bin" serve --database "sqlite://$db" --listen "127.0.0.1:$port" --demo --rate-limit-ip 0 --rate-limit-email 0 >"$tmp/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 120); do
    if curl -fsS "$base/healthz" >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "the server stopped:" >&2
        cat "$tmp/server.log" >&2
        status=1
        exit 1
    fi
    sleep 0.5
done
if ! curl -fsS "$base/healthz" >/dev/null; then
    echo "the server did not answer on $base/healthz" >&2
    status=1
    exit 1
fi
echo "server on $base (log: $tmp/server.log)"

fuzz() {
    local label=$1
    shift
    echo "== schemathesis, $label"
    # From the temporary folder, so its caches (.hypothesis, .schemathesis)
    # stay out of the repository.
    # shellcheck disable=SC2086 # ST_ARGS is a list of arguments on purpose
    if ! (cd "$tmp" && "$st" run "$base/api/v1/openapi.json" \
        --checks not_a_server_error \
        --max-examples "$max_examples" \
        --report-dir "$tmp/report-${label// /-}" \
        "$@" ${ST_ARGS:-}); then
        status=1
    fi
}

fuzz "without a token"
if [ -n "${ALMANACH_FUZZ_TOKEN:-}" ]; then
    fuzz "with a token" --header "Authorization: Bearer $ALMANACH_FUZZ_TOKEN"
else
    echo "ALMANACH_FUZZ_TOKEN is not set: writes were only tried without a token"
fi

if grep -qiE "panicked|internal error" "$tmp/server.log"; then
    echo "the server log reports errors:" >&2
    grep -iE "panicked|internal error" "$tmp/server.log" | head -20 >&2
    status=1
fi
exit $status
