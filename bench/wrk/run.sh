#!/usr/bin/env bash
# Whole-server benchmark on loopback: Cutover beside the upstream alone, an nginx split_clients proxy and
# a plain YARP proxy, measured in the same run, interleaved (A B C D A B C D ...), medians reported.
#
#   bench/wrk/run.sh                      # full run: 3 rounds of 10 s, 60 s warm-up: about 6 minutes
#   ROUNDS=1 DURATION=3 WARMUP=5 bench/wrk/run.sh     # smoke run, about 1 minute
#
# Environment (all optional):
#   ROUNDS=3          interleaved rounds at peak (and at half peak)
#   DURATION=10       seconds per wrk run
#   WARMUP=60         seconds of load on each .NET server before measuring: pinned to one CPU, both reach their
#                     steady rate only after 40-50 s (the runtime waits 10 x longer before tiering code up on a
#                     single-CPU process: TC_CallCountingDelayMs 100 ms x TC_DelaySingleProcMultiplier 10)
#   THREADS=2 CONNECTIONS=32   wrk -t / -c
#   TARGETS="upstream nginx-split plain-yarp cutover"   which configurations to measure, in this order
#   HALF=1            also measure Cutover and plain YARP at half of Cutover's peak rate (0 to skip)
#   PIN=1             layout P: servers under test on SERVER_CPU, wrk and the upstream on LOAD_CPU;
#                     PIN=0 is layout S (nothing pinned)
#   SERVER_CPU=0 LOAD_CPU=1
#   BUILD=1           dotnet build -c Release first (0 to use what is built)
#   CUTOVER_DLL=src/Cutover.Cli/bin/Release/net10.0/cutover.dll   the cutover to measure (another
#                     commit's Release build, e.g. from a `git worktree add`); not built by BUILD=1
#   OUT=bench/results/wrk-<time>   where configs, logs, the SQLite store and results go (gitignored)
#   CUTOVER_CWD=$OUT  the directory cutover runs in (its content root)
#   STORE_DIR=$OUT    where cutover's SQLite store goes; STORE_DIR=/dev/shm/... takes the disk out of
#                     the picture (a diagnostic: the default keeps the store on disk, as in production)
#   CUTOVER_ENV="K=V ..."   extra environment for the cutover process only, e.g.
#                     CUTOVER_ENV="DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0" (cutover sets it to 1 for
#                     itself when unset); PROXY_ENV likewise for the plain YARP proxy
#
# Everything listens on 127.0.0.1 on free ports; load goes to loopback only and each wrk run is bounded
# by -d and by `timeout`. Everything started here is stopped on exit.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-60}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
HALF=${HALF:-1}
read -r -a ORDER <<<"${TARGETS:-upstream nginx-split plain-yarp cutover}"
measuring() { [[ " ${ORDER[*]} " == *" $1 "* ]]; }
# The half-peak runs and the ratios need both Cutover and the plain proxy.
if ! measuring cutover || ! measuring plain-yarp; then HALF=0; fi
PIN=${PIN:-1}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
BUILD=${BUILD:-1}
CUTOVER_ENV=${CUTOVER_ENV:-}
PROXY_ENV=${PROXY_ENV:-}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$ROOT/bench/results/wrk-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BODY=$HERE/body.json
LUA=$HERE/post.lua
SECRET=cutover-bench-secret

for tool in wrk nginx curl jq openssl ss taskset timeout dotnet awk; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 69; }
done

# :: Processes this script started, stopped on exit (by pid, nothing else).
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        # Cutover drains its decision log on SIGTERM (bounded at 10 s); wait a little longer, then insist.
        for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
load1() { awk '{print $1}' /proc/loadavg; }

# Command prefixes that pin to a CPU in layout P (empty in layout S). Arrays, not a shell function, so
# that `"${PIN_SERVER[@]}" cmd &` leaves $! as the pid of cmd itself (taskset and env exec it): a
# backgrounded function is a subshell, and killing that would orphan the server.
pinned() { if [[ $PIN == 1 ]]; then echo "taskset -c $1"; fi; }
read -r -a PIN_SERVER <<<"$(pinned "$SERVER_CPU")"
read -r -a PIN_LOAD <<<"$(pinned "$LOAD_CPU")"

# A free loopback port: random in 20000-59999, not listened on, not handed out before in this run.
USED_PORTS=" "
free_port() {
    local port
    while true; do
        port=$((20000 + RANDOM % 40000))
        [[ $USED_PORTS == *" $port "* ]] && continue
        if [[ -z $(ss -Htan "( sport = :$port )" 2>/dev/null) ]]; then
            USED_PORTS+="$port "
            echo "$port"
            return
        fi
    done
}

wait_http() { # URL NAME: up to 60 s for any HTTP answer
    local url=$1 name=$2
    for _ in $(seq 1 600); do
        if curl -s -o /dev/null -m 1 "$url"; then return 0; fi
        sleep 0.1
    done
    echo "run.sh: $name did not answer at $url within 60 s; see $OUT" >&2
    exit 69
}

# :: Step 1. Build (Release: the benchmark is meaningless on a Debug build).
if [[ $BUILD == 1 ]]; then
    log "building Release: cutover and PlainProxy"
    dotnet build "$ROOT/src/Cutover.Cli/Cutover.Cli.csproj" -c Release -nologo -v q >"$OUT/build.log" 2>&1 \
        || { tail -20 "$OUT/build.log" >&2; exit 1; }
    dotnet build "$ROOT/bench/PlainProxy/PlainProxy.csproj" -c Release -nologo -v q >>"$OUT/build.log" 2>&1 \
        || { tail -20 "$OUT/build.log" >&2; exit 1; }
fi
CUTOVER_DLL=${CUTOVER_DLL:-$ROOT/src/Cutover.Cli/bin/Release/net10.0/cutover.dll}
PROXY_DLL=$ROOT/bench/PlainProxy/bin/Release/net10.0/PlainProxy.dll
[[ -f $CUTOVER_DLL && -f $PROXY_DLL ]] || { echo "run.sh: Release builds missing (run with BUILD=1)" >&2; exit 1; }

PORT_A=$(free_port); PORT_B=$(free_port)             # the two upstreams (layout P: on LOAD_CPU)
PORT_ALONE_A=$(free_port); PORT_ALONE_B=$(free_port) # the upstream config again, as a server under test
PORT_SPLIT=$(free_port); PORT_PROXY=$(free_port); PORT_CUTOVER=$(free_port)

# :: Step 2. nginx: the upstreams, the upstream alone (same config, on the server CPU), the split proxy.
declare -A PID_OF # configuration -> the pid of its server, for its CPU time
start_nginx() { # NAME TEMPLATE server|load PORT_A PORT_B [PORT_SPLIT]
    local name=$1 template=$2 prefix=$OUT/$1
    local -a pin=("${PIN_SERVER[@]}")
    if [[ $3 == load ]]; then pin=("${PIN_LOAD[@]}"); fi
    mkdir -p "$prefix/tmp"
    sed -e "s|@PREFIX@|$prefix|g" -e "s|@PORT_A@|$4|g" -e "s|@PORT_B@|$5|g" -e "s|@PORT_SPLIT@|${6:-0}|g" \
        "$HERE/$template" >"$prefix/nginx.conf"
    "${pin[@]}" nginx -p "$prefix/" -e "$prefix/error.log" -c "$prefix/nginx.conf" -g 'daemon off;' \
        >"$prefix/stdout.log" 2>&1 &
    PIDS+=($!)
    PID_OF[$name]=$!
}
start_nginx upstream nginx-upstream.conf.in load "$PORT_A" "$PORT_B"
start_nginx alone nginx-upstream.conf.in server "$PORT_ALONE_A" "$PORT_ALONE_B"
start_nginx split nginx-split.conf.in server "$PORT_A" "$PORT_B" "$PORT_SPLIT"
PID_OF[upstream]=${PID_OF[alone]}
PID_OF[nginx-split]=${PID_OF[split]}

# :: Step 3. Plain YARP proxy to upstream A.
# shellcheck disable=SC2086 # PROXY_ENV is a list of K=V words
"${PIN_SERVER[@]}" env $PROXY_ENV dotnet "$PROXY_DLL" \
    --listen "http://127.0.0.1:$PORT_PROXY" --destination "http://127.0.0.1:$PORT_A/" >"$OUT/plainproxy.log" 2>&1 &
PIDS+=($!)
PID_OF[plain-yarp]=$!

# :: Step 4. Cutover: every upstream at nginx, app secret set (signatures checked), decision log on
# (the default) into a fresh SQLite store. unified goes to A, every legacy upstream to B.
legacy="http://127.0.0.1:$PORT_B/"
STORE_DIR=${STORE_DIR:-$OUT}
mkdir -p "$STORE_DIR"
cat >"$OUT/cutover.json" <<JSON
{
  "Cutover": {
    "Listen": "http://127.0.0.1:$PORT_CUTOVER",
    "AppSecret": "$SECRET",
    "Upstreams": {
      "unified":     { "Url": "http://127.0.0.1:$PORT_A/" },
      "jobs":        { "Url": "$legacy" },
      "marketplace": { "Url": "$legacy" },
      "property":    { "Url": "$legacy" },
      "mobility":    { "Url": "$legacy" },
      "profile":     { "Url": "$legacy" },
      "insurance":   { "Url": "$legacy" },
      "default":     { "Url": "$legacy" }
    },
    "Store": { "Provider": "sqlite", "ConnectionString": "Data Source=$STORE_DIR/cutover.db" }
  }
}
JSON
# Run it as an operator would, from its own directory (cwd is the content root).
CUTOVER_CWD=${CUTOVER_CWD:-$OUT}
mkdir -p "$CUTOVER_CWD"
# shellcheck disable=SC2086 # CUTOVER_ENV is a list of K=V words
"${PIN_SERVER[@]}" env -C "$CUTOVER_CWD" $CUTOVER_ENV dotnet "$CUTOVER_DLL" serve --config "$OUT/cutover.json" \
    >"$OUT/cutover.log" 2>&1 &
PIDS+=($!)
PID_OF[cutover]=$!

wait_http "http://127.0.0.1:$PORT_A/" "nginx upstream"
wait_http "http://127.0.0.1:$PORT_ALONE_A/" "nginx upstream (alone)"
wait_http "http://127.0.0.1:$PORT_SPLIT/" "nginx split"
wait_http "http://127.0.0.1:$PORT_PROXY/" "plain YARP proxy"
for _ in $(seq 1 600); do
    curl -sf -o /dev/null -m 1 "http://127.0.0.1:$PORT_CUTOVER/readyz" && break
    sleep 0.1
done
curl -sf -o /dev/null -m 1 "http://127.0.0.1:$PORT_CUTOVER/readyz" \
    || { echo "run.sh: cutover is not ready; see $OUT/cutover.log" >&2; tail -20 "$OUT/cutover.log" >&2; exit 69; }

SIGNATURE="sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r "$BODY" | cut -d' ' -f1)"
export BODY SIGNATURE

declare -A URL=(
    [upstream]="http://127.0.0.1:$PORT_ALONE_A/webhook"
    [nginx-split]="http://127.0.0.1:$PORT_SPLIT/webhook"
    [plain-yarp]="http://127.0.0.1:$PORT_PROXY/webhook"
    [cutover]="http://127.0.0.1:$PORT_CUTOVER/webhook"
)

# Each target must answer the signed body with 200 before it is measured (Cutover: signature checked,
# parsed, routed, forwarded; a wrong signature must get 401).
for name in "${ORDER[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -X POST -H 'Content-Type: application/json' \
        -H "X-Hub-Signature-256: $SIGNATURE" -H 'X-User: 16505551234' --data-binary "@$BODY" "${URL[$name]}")
    [[ $code == 200 ]] || { echo "run.sh: $name answered $code to the signed body" >&2; exit 1; }
done
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -X POST -H 'Content-Type: application/json' \
    -H "X-Hub-Signature-256: sha256=$(printf '0%.0s' $(seq 64))" --data-binary "@$BODY" "${URL[cutover]}")
[[ $code == 401 ]] || { echo "run.sh: cutover answered $code to a wrong signature (expected 401)" >&2; exit 1; }

field() { # RESULT-LINE KEY
    sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { # PID: user + system clock ticks of a process and its children (nginx's workers)
    local total=0 pid stat
    for pid in "$1" $(pgrep -P "$1" || true); do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        read -r -a f <<<"${stat##*) }" # fields after "pid (comm) ": f[11] is utime, f[12] stime
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

# run_wrk LABEL CONFIGURATION SECONDS [DELAY_MS]: one bounded wrk run on the load CPU; prints its
# RESULT line with the server's CPU time per request and the load average before and after.
run_wrk() {
    local label=$1 name=$2 seconds=$3 pause=${4:-} before after line ticks cpu threads
    local url=${URL[$name]} pid=${PID_OF[$name]}
    [[ $url == http://127.0.0.1:* ]] || { echo "run.sh: refusing to load $url (loopback only)" >&2; exit 1; }
    before=$(load1)
    ticks=$(cpu_ticks "$pid")
    line=$(DELAY_MS=$pause "${PIN_LOAD[@]}" timeout $((seconds + 30)) \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$LUA" "$url" 2>&1 | tee -a "$OUT/wrk.log" | grep '^RESULT' || true)
    ticks=$(( $(cpu_ticks "$pid") - ticks ))
    after=$(load1)
    [[ -n $line ]] || { echo "run.sh: wrk printed no RESULT for $label; see $OUT/wrk.log" >&2; exit 1; }
    cpu=$(awk -v t="$ticks" -v hz="$CLK_TCK" -v n="$(field "$line" reqs)" 'BEGIN{printf "%.1f", (n>0 ? t*1e6/hz/n : 0)}')
    # Threads of the server after the run: on one pinned core the thread pool's worker count moves the CPU a request
    # costs (docs/benchmarks.md, "More thread-pool workers"), so a round that stands out can be checked against it.
    threads=$(ls "/proc/$pid/task" 2>/dev/null | wc -l)
    echo "RESULT name=$label ${line#RESULT } cpu_us_per_req=$cpu load1_before=$before load1_after=$after threads_after=$threads" | tee -a "$OUT/results.txt"
}

log "layout $([[ $PIN == 1 ]] && echo "P (servers on CPU $SERVER_CPU, wrk + upstream on CPU $LOAD_CPU)" || echo "S (nothing pinned)")"
log "uptime before: $(uptime)"
echo "UPTIME start $(uptime)" >>"$OUT/results.txt"

# :: Step 5. Warm the .NET servers (JIT tiers, pools, GC heap sizing) before anything is measured. Measured in 5-s
# windows from start (2026-11-26): both climb from a third of their rate to their steady rate at 40-50 s, when the
# tier-1 code with profile data arrives; a 30-s warm-up left Cutover's first round short of it.
if ((WARMUP > 0)); then
    log "warming plain YARP and cutover for ${WARMUP} s each"
    for name in "${ORDER[@]}"; do
        if [[ $name == plain-yarp || $name == cutover ]]; then
            run_wrk "warmup-$name" "$name" "$WARMUP" >/dev/null
        fi
    done
fi

# :: Step 6. Peak: interleaved rounds.
for round in $(seq 1 "$ROUNDS"); do
    for name in "${ORDER[@]}"; do
        log "round $round/$ROUNDS: $name"
        run_wrk "$name" "$name" "$DURATION" >/dev/null
    done
done

median() { sort -g | awk '{v[NR]=$1} END{ if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
stat() { # LABEL KEY -> median over the RESULT lines with name=LABEL
    grep "^RESULT name=$1 " "$OUT/results.txt" | while read -r line; do field "$line" "$2"; done | median
}

peak=$(measuring cutover && stat cutover rps || echo 0)

# :: Step 7. Half of Cutover's peak: pace every connection so the offered rate is about peak / 2.
# Each connection sends, waits for the answer, pauses DELAY_MS: rate = connections * 1000 / (pause + latency).
if [[ $HALF == 1 ]]; then
    target=$(awk -v p="$peak" 'BEGIN{printf "%.0f", p/2}')
    # The latency at half load is about the plain proxy's p50 at peak / 2; 0.4 ms is a fair guess and
    # the achieved rate is reported, so the guess only moves the offered rate a little.
    pause=$(awk -v c="$CONNECTIONS" -v t="$target" 'BEGIN{d=c*1000/t-0.4; if (d<0) d=0; printf "%.2f", d}')
    log "half peak: target $target req/s, DELAY_MS=$pause per connection"
    for round in $(seq 1 "$ROUNDS"); do
        for name in plain-yarp cutover; do
            log "half-peak round $round/$ROUNDS: $name"
            run_wrk "$name-half" "$name" "$DURATION" "$pause" >/dev/null
        done
    done
fi

echo "UPTIME end $(uptime)" >>"$OUT/results.txt"
log "uptime after: $(uptime)"

# :: Step 8. The decision log after the runs: let the writer catch up, then read its counters.
dlog='{}'
sent=0
if measuring cutover; then
    for _ in $(seq 1 100); do
        queued=$(curl -s -m 2 "http://127.0.0.1:$PORT_CUTOVER/admin/status" | jq -r '.decision_log.queued' 2>/dev/null || true)
        [[ $queued == 0 ]] && break
        sleep 0.1
    done
    curl -s -m 5 "http://127.0.0.1:$PORT_CUTOVER/admin/status" >"$OUT/admin-status.json"
    dlog=$(jq -c '.decision_log' "$OUT/admin-status.json")
    sent=$(grep -E '^RESULT name=(warmup-)?cutover(-half)? ' "$OUT/results.txt" | while read -r line; do field "$line" reqs; done | awk '{s+=$1} END{print s+0}')
fi

# :: Step 9. Report: a markdown table of medians, then the raw RESULT lines.
yarp_rps=$(measuring plain-yarp && stat plain-yarp rps || echo 0)
runs_of() { # LABEL KEY SCALE FORMAT -> "a, b, c"
    grep "^RESULT name=$1 " "$OUT/results.txt" | while read -r line; do field "$line" "$2"; done \
        | awk -v s="$3" -v f="$4" '{printf "%s" f, (NR>1?", ":""), $1/s}'
}
{
    echo
    echo "## wrk on loopback: -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS interleaved rounds, median; warm-up ${WARMUP} s per .NET server; layout $([[ $PIN == 1 ]] && echo P || echo S)"
    echo "cutover: $CUTOVER_DLL"
    [[ -n $CUTOVER_ENV ]] && echo "cutover environment: $CUTOVER_ENV"
    [[ -n $PROXY_ENV ]] && echo "plain YARP environment: $PROXY_ENV"
    [[ $STORE_DIR != "$OUT" ]] && echo "cutover's SQLite store: $STORE_DIR"
    echo
    echo "| configuration | req/s | p50 ms | p99 ms | req/s ÷ plain YARP | server CPU µs/req | runs (req/s) |"
    echo "|---|---:|---:|---:|---:|---:|---|"
    for name in "${ORDER[@]}"; do
        awk -v n="$name" -v r="$(stat "$name" rps)" -v a="$(stat "$name" p50_us)" -v b="$(stat "$name" p99_us)" \
            -v c="$(stat "$name" cpu_us_per_req)" -v y="$yarp_rps" -v runs="$(runs_of "$name" rps 1 %.0f)" \
            'BEGIN{printf "| %s | %.0f | %.2f | %.2f | %s | %.1f | %s |\n", n, r, a/1000, b/1000, (y>0 ? sprintf("%.2f", r/y) : "-"), c, runs}'
    done
    if [[ $HALF == 1 ]]; then
        echo
        echo "At half of Cutover's peak (target $target req/s, DELAY_MS=$pause):"
        echo
        echo "| configuration | achieved req/s | p50 ms | p99 ms | server CPU µs/req | p99 runs (ms) |"
        echo "|---|---:|---:|---:|---:|---|"
        for name in plain-yarp cutover; do
            awk -v n="$name" -v r="$(stat "$name-half" rps)" -v a="$(stat "$name-half" p50_us)" -v b="$(stat "$name-half" p99_us)" \
                -v c="$(stat "$name-half" cpu_us_per_req)" -v runs="$(runs_of "$name-half" p99_us 1000 %.2f)" \
                'BEGIN{printf "| %s | %.0f | %.2f | %.2f | %.1f | %s |\n", n, r, a/1000, b/1000, c, runs}'
        done
    fi
    echo
    if measuring cutover; then
        echo "Decision log after the runs (/admin/status decision_log): $dlog; wrk counted $sent completed POSTs to cutover (one update each, warm-up included)."
        echo
    fi
    if measuring cutover && measuring plain-yarp; then
        awk -v c="$peak" -v y="$yarp_rps" 'BEGIN{printf "Target cutover req/s >= 0.9 x plain YARP: %.2f x -> %s\n", c/y, (c/y>=0.9?"met":"NOT met")}'
    fi
    if [[ $HALF == 1 ]]; then
        awk -v c="$(stat cutover-half p99_us)" -v y="$(stat plain-yarp-half p99_us)" \
            'BEGIN{d=(c-y)/1000; printf "Target cutover p99 at half peak <= plain YARP p99 + 1 ms: %+.2f ms -> %s\n", d, (d<=1?"met":"NOT met")}'
    fi
    if measuring cutover; then
        dropped=$(jq -r '.dropped // empty' <<<"$dlog")
        echo "Target no decision-log drops at peak: dropped=${dropped:-unknown} -> $([[ $dropped == 0 ]] && echo met || echo "NOT met")"
    fi
    echo
    echo "Raw results ($OUT/results.txt):"
    echo '```'
    cat "$OUT/results.txt"
    echo '```'
} | tee "$OUT/summary.md"
