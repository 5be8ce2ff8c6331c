# Shared by run.sh and drain.sh (sourced; expects ROOT, HERE, OUT, SERVER_CPU, LOAD_CPU, THREADS, CONNECTIONS, PG_BIN).
# Everything listens on 127.0.0.1 and is stopped on exit, also on Ctrl+C.

PIDS=()
PG_DIRS=()
cleanup() {
    local pid dir
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    for dir in "${PG_DIRS[@]}"; do
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$dir"
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

USED_PORTS=" "
free_port() {
    local port
    while true; do
        port=$((20000 + RANDOM % 40000))
        [[ $USED_PORTS == *" $port "* ]] && continue
        if [[ -z $(ss -Htan "( sport = :$port )" 2>/dev/null) ]]; then USED_PORTS+="$port "; echo "$port"; return; fi
    done
}

build_all() {
    dotnet build "$ROOT/src/Cutover.Cli/Cutover.Cli.csproj" -c Release -nologo -v q >"$OUT/build.log" 2>&1 || { tail -20 "$OUT/build.log" >&2; exit 1; }
    dotnet build "$ROOT/bench/PlainProxy/PlainProxy.csproj" -c Release -nologo -v q >>"$OUT/build.log" 2>&1 || { tail -20 "$OUT/build.log" >&2; exit 1; }
}

# start_upstreams DIR [PORT_A PORT_B]: two nginx return-200 servers on the load CPU (the anchors' config). Each queued
# delivery (it carries X-Cutover-Attempt) is logged as "<msec> <X-Correlation-ID>" in DIR/lag.log: the correlation id is
# a UUIDv7 whose first 48 bits are the millisecond Cutover accepted the webhook, so the line gives accepted→delivered.
# With UPSTREAM_DELAY_MS > 0 they are slow_upstream.py instead, answering after that many milliseconds, as real handlers do.
start_upstreams() {
    local dir=$1
    PORT_A=${2:-$(free_port)}; PORT_B=${3:-$(free_port)}
    mkdir -p "$dir/tmp"
    if [[ ${UPSTREAM_DELAY_MS:-0} -gt 0 ]]; then
        : >"$dir/lag.log"
        taskset -c "$LOAD_CPU" python3 "$HERE/slow_upstream.py" "$PORT_A" "$PORT_B" "$UPSTREAM_DELAY_MS" "$dir/lag.log" >"$dir/stdout.log" 2>&1 &
        PIDS+=($!); UPSTREAM_PID=$!
        for _ in $(seq 1 100); do curl -s -o /dev/null -m $(( UPSTREAM_DELAY_MS / 1000 + 2 )) "http://127.0.0.1:$PORT_A/" && return; sleep 0.1; done
        echo "slow upstreams did not start; see $dir" >&2; exit 69
    fi
    sed -e "s|@PREFIX@|$dir|g" -e "s|@PORT_A@|$PORT_A|g" -e "s|@PORT_B@|$PORT_B|g" \
        -e "s|access_log off;|log_format lag '\$msec \$http_x_correlation_id'; access_log $dir/lag.log lag buffer=64k flush=1s if=\$http_x_cutover_attempt;|" \
        "$ROOT/bench/wrk/nginx-upstream.conf.in" >"$dir/nginx.conf"
    : >"$dir/lag.log"
    taskset -c "$LOAD_CPU" nginx -p "$dir/" -e "$dir/error.log" -c "$dir/nginx.conf" -g 'daemon off;' >"$dir/stdout.log" 2>&1 &
    PIDS+=($!); UPSTREAM_PID=$!
    for _ in $(seq 1 100); do curl -s -o /dev/null -m 1 "http://127.0.0.1:$PORT_A/" && return; sleep 0.1; done
    echo "nginx upstreams did not start; see $dir" >&2; exit 69
}

# start_pg DIR: a throwaway PostgreSQL 15 cluster with its default durability (fsync and synchronous_commit on), on the
# server CPU (the store is part of what the server costs here), as tests/Cutover.Testing/PostgresCluster.cs starts one.
start_pg() {
    local dir
    dir=$(mktemp -d /tmp/cq-pg.XXXXXX); chown postgres:postgres "$dir"; PG_DIRS+=("$dir")
    PG_PORT=$(free_port)
    (cd "$dir" && runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1) \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    (cd "$dir" && taskset -c "$SERVER_CPU" runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null) || { cat "$dir/server.log" >&2; exit 1; }
    psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c 'CREATE DATABASE cutover' >/dev/null
    PG_DATA=$dir/data
    PG_CONN="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=cutover"
    echo "PG port=$PG_PORT dir=$dir version=$("$PG_BIN/postgres" --version | awk '{print $3}') fsync=on synchronous_commit=on" | tee -a "$OUT/results.txt"
}

# start_cutover NAME MODE PROVIDER [UNIFIED_URL LEGACY_URL] [K=V,...]: cutover serve without AppSecret (see README.md),
# unified at upstream A and every legacy handler at B, its store in OUT/NAME (SQLite) or the cluster of start_pg.
start_cutover() {
    local name=$1 mode=$2 provider=$3 unified=${4:-http://127.0.0.1:$PORT_A/} legacy=${5:-http://127.0.0.1:$PORT_B/} extra=${6:-}
    local dir=$OUT/$name port store env_args=()
    mkdir -p "$dir"
    port=$(free_port)
    if [[ $provider == sqlite ]]; then
        store="\"Provider\": \"sqlite\", \"ConnectionString\": \"Data Source=$dir/cutover.db\""
    else
        store="\"Provider\": \"postgres\", \"ConnectionString\": \"$PG_CONN\""
    fi
    cat >"$dir/cutover.json" <<JSON
{ "Cutover": { "Listen": "http://127.0.0.1:$port",
  "Upstreams": { "unified": { "Url": "$unified" }, "jobs": { "Url": "$legacy" }, "marketplace": { "Url": "$legacy" },
    "property": { "Url": "$legacy" }, "mobility": { "Url": "$legacy" }, "profile": { "Url": "$legacy" }, "insurance": { "Url": "$legacy" },
    "default": { "Url": "$legacy" } },
  "Privacy": { "HashKey": "bench-hash-key-0123456789" },
  "Delivery": { "Mode": "$mode" },
  "Store": { $store } } }
JSON
    local vars="${CUTOVER_ENV:-}${CUTOVER_ENV:+,}$extra"
    IFS=, read -r -a env_args <<<"$vars"
    echo "CUTOVER $name mode=$mode store=$provider env=${env_args[*]:-}" >>"$OUT/results.txt"
    taskset -c "$SERVER_CPU" env -C "$dir" "${env_args[@]}" dotnet "$CUTOVER_DLL" serve --config "$dir/cutover.json" >"$dir/cutover.log" 2>&1 &
    PIDS+=($!); PID_OF[$name]=$!; URL[$name]=http://127.0.0.1:$port/webhook
}

# wait_ready NAME: the target answers a webhook with a fresh message id with 200.
wait_ready() {
    local name=$1 code
    for i in $(seq 1 600); do
        code=$(sed "s/wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=/wamid.ready-$name-$$-$i/" "$BODY" \
            | curl -s -o /dev/null -w '%{http_code}' -m 2 -X POST -H 'Content-Type: application/json' -H 'X-User: 16505551234' \
                --data-binary @- "${URL[$name]}" || true)
        [[ $code == 200 ]] && return
        [[ -n ${PID_OF[$name]:-} ]] && ! kill -0 "${PID_OF[$name]}" 2>/dev/null && break
        sleep 0.2
    done
    echo "$name does not answer 200 at ${URL[$name]}; see $OUT" >&2; exit 69
}

# ticks PID...: user + system clock ticks of the processes, their live children (nginx workers, PostgreSQL backends) and
# the children they reaped.
ticks() {
    local total=0 pid stat_line f
    for pid in "$@" $(for p in "$@"; do pgrep -P "$p" || true; done); do
        stat_line=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        read -r -a f <<<"${stat_line##*) }"
        total=$((total + f[11] + f[12] + f[13] + f[14])) # with children reaped (PostgreSQL backends that ended)
    done
    echo "$total"
}

# server_pids NAME: the processes whose CPU is the server's: the server, and for queued-pg the PostgreSQL cluster.
server_pids() {
    echo "${PID_OF[$1]}"
    if [[ $1 == *pg* && -n ${PG_DATA:-} ]]; then head -1 "$PG_DATA/postmaster.pid"; fi
}

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

# wrk_run NAME SECONDS [PAUSE]: one bounded wrk run (unique ids) on the load CPU; prints RESULT ... with the load average.
wrk_run() {
    local name=$1 seconds=$2 pause=${3:-} line before
    [[ ${URL[$name]} == http://127.0.0.1:* ]] || exit 1
    before=$(awk '{print $1}' /proc/loadavg)
    line=$(RUN_ID="$(date +%s%N)" DELAY_MS=$pause THREADS=$THREADS MAX_REQUESTS=${MAX_REQUESTS:-} taskset -c "$LOAD_CPU" timeout $((seconds + 30)) \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$HERE/unique.lua" "${URL[$name]}" | grep '^RESULT' || true)
    [[ -n $line ]] || { echo "no RESULT from wrk for $name" >&2; exit 1; }
    echo "$line load1_before=$before load1_after=$(awk '{print $1}' /proc/loadavg)"
}

# queue_left NAME: pending + in flight as /admin/status last read them (the monitor reads the store every 2 s).
queue_left() { curl -s -m 5 "${URL[$1]%/webhook}/admin/status" | jq '.queue.pending + .queue.in_flight'; }

# wait_drained NAME TIMEOUT: until the queue is empty (after one monitor period, so the reading is from after the load).
wait_drained() {
    local name=$1 timeout=$2 start left
    start=$(date +%s)
    sleep 2.5
    while (( $(date +%s) - start < timeout )); do
        left=$(queue_left "$name")
        [[ $left == 0 ]] && { echo yes; return; }
        sleep 0.5
    done
    echo "no(left=$left)"
}

# lag_of LOG OFFSET: accepted→delivered p50/p99 (ms) of the deliveries logged after byte OFFSET (see start_upstreams).
lag_of() {
    tail -c +"$(( $2 + 1 ))" "$1" | python3 -c '
import sys
v = sorted(float(t) * 1000 - int(c[:12], 16) for t, c in (l.split() for l in sys.stdin if len(l.split()) == 2 and len(l.split()[1]) == 32))
n = len(v)
pick = lambda q: v[min(n - 1, int(n * q))]
print("lag_n=0 lag_p50_ms=nan lag_p99_ms=nan" if n == 0 else
      "lag_n=%d lag_p50_ms=%.0f lag_p99_ms=%.0f lag_max_ms=%.0f" % (n, pick(0.5), pick(0.99), v[-1]))'
}

median() { sort -g | awk '{v[NR]=$1} END{ if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
stat() { grep "^RESULT name=$1 " "$OUT/results.txt" | while read -r line; do field "$line" "$2"; done | median; }
runs_of() { grep "^RESULT name=$1 " "$OUT/results.txt" | while read -r line; do field "$line" "$2"; done | awk '{printf "%s%.0f", (NR>1?" / ":""), $1}'; }
