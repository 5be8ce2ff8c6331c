#!/usr/bin/env bash
# Queued delivery (issue 16), whole server on loopback: acknowledged webhooks/s and ack p50/p99 of cutover in
# queued mode on SQLite and on PostgreSQL, beside cutover in direct mode, plain YARP and nginx split_clients,
# interleaved in one run (medians); then the queued servers at half of their own peak, with arrival-to-delivery
# p50/p99 read at the upstream. See README.md beside this file.
#
#   bench/queued/run.sh                                   # ~15 min on the shared 2-core machine
#   ROUNDS=1 DURATION=3 WARMUP=5 bench/queued/run.sh      # smoke run
#
# Environment: ROUNDS=3 DURATION=8 WARMUP=40 THREADS=2 CONNECTIONS=32 SERVER_CPU=0 LOAD_CPU=1 BUILD=1 HALF=1
# TARGETS="nginx-split plain-yarp direct queued-sqlite queued-pg" USERS=10000 DRAIN_TIMEOUT=300
# CUTOVER_DLL (default: this tree's Release build) OUT=bench/results/queued-<time>
# CUTOVER_ENV (extra K=V,K=V for every cutover) PG_BIN=/usr/lib/postgresql/15/bin
# UPSTREAM_DELAY_MS=0 (> 0: the upstreams answer after that long, slow_upstream.py instead of nginx)
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-40}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
BUILD=${BUILD:-1}
HALF=${HALF:-1}
USERS=${USERS:-10000}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-300}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
read -r -a TARGETS <<<"${TARGETS:-nginx-split plain-yarp direct queued-sqlite queued-pg}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WRK_DIR=$ROOT/bench/wrk
OUT=${OUT:-$ROOT/bench/results/queued-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export BODY=$WRK_DIR/body.json USERS

# shellcheck source=common.sh
source "$HERE/common.sh"

if [[ $BUILD == 1 ]]; then build_all; fi
CUTOVER_DLL=${CUTOVER_DLL:-$ROOT/src/Cutover.Cli/bin/Release/net10.0/cutover.dll}
echo "COMMIT $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src || echo ' (src modified)') dll=$CUTOVER_DLL" | tee -a "$OUT/results.txt"

# :: The upstreams (nginx return 200 on the load CPU; queued deliveries logged with their time, for the lag).
start_upstreams "$OUT/upstream"

declare -A URL PID_OF
for name in "${TARGETS[@]}"; do
    case $name in
        nginx-split)
            port=$(free_port); mkdir -p "$OUT/split/tmp"
            sed -e "s|@PREFIX@|$OUT/split|g" -e "s|@PORT_A@|$PORT_A|g" -e "s|@PORT_B@|$PORT_B|g" -e "s|@PORT_SPLIT@|$port|g" \
                "$WRK_DIR/nginx-split.conf.in" >"$OUT/split/nginx.conf"
            taskset -c "$SERVER_CPU" nginx -p "$OUT/split/" -e "$OUT/split/error.log" -c "$OUT/split/nginx.conf" -g 'daemon off;' \
                >"$OUT/split/stdout.log" 2>&1 &
            PIDS+=($!); PID_OF[$name]=$!; URL[$name]=http://127.0.0.1:$port/webhook ;;
        plain-yarp)
            port=$(free_port)
            taskset -c "$SERVER_CPU" dotnet "$ROOT/bench/PlainProxy/bin/Release/net10.0/PlainProxy.dll" \
                --listen "http://127.0.0.1:$port" --destination "http://127.0.0.1:$PORT_A/" >"$OUT/plain-yarp.log" 2>&1 &
            PIDS+=($!); PID_OF[$name]=$!; URL[$name]=http://127.0.0.1:$port/webhook ;;
        direct) start_cutover "$name" direct sqlite ;;
        queued-sqlite) start_cutover "$name" queued sqlite ;;
        queued-pg) start_pg "$OUT/pg"; start_cutover "$name" queued postgres ;;
        *) echo "run.sh: unknown target $name" >&2; exit 64 ;;
    esac
done
for name in "${TARGETS[@]}"; do wait_ready "$name"; done

# run LABEL NAME SECONDS [PAUSE]: one bounded wrk run with unique message ids; a queued target is then left to drain
# (pending + in flight = 0, as /admin/status reports it) before anything else runs, and the drain time is recorded.
run() {
    local label=$1 name=$2 seconds=$3 pause=${4:-} line extra="" lag_from=0 t0 pids
    [[ $name == queued-* ]] && lag_from=$(wc -c <"$OUT/upstream/lag.log")
    read -r -a pids <<<"$(server_pids "$name" | tr '\n' ' ')"
    t0=$(ticks "${pids[@]}")
    line=$(wrk_run "$name" "$seconds" "$pause")
    if [[ $name == queued-* ]]; then
        local d0 drained
        d0=$(date +%s.%N)
        drained=$(wait_drained "$name" "$DRAIN_TIMEOUT")
        extra=" drain_after_s=$(awk -v a="$d0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') drained=$drained"
        extra+=" queue=$(curl -s -m 5 "${URL[$name]%/webhook}/admin/status" | jq -c '.queue | {pending, in_flight, dead, delivered}' | tr -d ' ')"
        sleep 1.5 # nginx flushes its access log every second
        extra+=" $(lag_of "$OUT/upstream/lag.log" "$lag_from")"
    fi
    # CPU of the server (and its PostgreSQL) over the run and, when queued, the drain after it, per webhook answered.
    extra+=" $(awk -v t="$(( $(ticks "${pids[@]}") - t0 ))" -v hz="$(getconf CLK_TCK)" -v n="$(field "$line" reqs)" 'BEGIN{printf "cpu_us_per_req=%.1f", t*1e6/hz/n}')"
    echo "RESULT name=$label ${line#RESULT }$extra" | tee -a "$OUT/results.txt"
}

echo "UPTIME start $(uptime)" | tee -a "$OUT/results.txt"
for name in "${TARGETS[@]}"; do
    [[ $name == nginx-split ]] && continue
    run "warmup-$name" "$name" "$WARMUP" >/dev/null
done
for _ in $(seq 1 "$ROUNDS"); do for name in "${TARGETS[@]}"; do run "$name" "$name" "$DURATION"; done; done

# :: Half of each queued target's own peak: each connection pauses DELAY_MS before its next request, so the offered
# rate is about CONNECTIONS × 1000 / (DELAY_MS + latency); the achieved rate is reported beside the target.
HALF_NAMES=()
declare -A PAUSE_OF
if [[ $HALF == 1 ]]; then
    for name in "${TARGETS[@]}"; do
        [[ $name == queued-* ]] || continue
        peak=$(stat "$name" rps)
        pause=$(awk -v c="$CONNECTIONS" -v p="$peak" -v l="$(stat "$name" p50_us)" 'BEGIN{t=p/2; d=c*1000/t-l/2000; if (d<0) d=0; printf "%.2f", d}')
        PAUSE_OF[$name]=$pause
        echo "HALF $name peak=$peak target=$(awk -v p="$peak" 'BEGIN{printf "%.0f", p/2}') DELAY_MS=$pause" | tee -a "$OUT/results.txt"
        HALF_NAMES+=("$name")
    done
    for _ in $(seq 1 "$ROUNDS"); do
        for name in "${HALF_NAMES[@]}"; do run "$name-half" "$name" "$DURATION" "${PAUSE_OF[$name]}"; done
    done
fi
echo "UPTIME end $(uptime)" | tee -a "$OUT/results.txt"

{
    echo
    echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, unique message ids ($USERS users), no AppSecret; $ROUNDS interleaved rounds, medians; warm-up ${WARMUP} s per .NET server"
    grep -E '^(COMMIT|UPTIME|HALF) ' "$OUT/results.txt" | sed 's/^/- /'
    echo
    echo "| configuration | req/s | ÷ direct | p50 ms | p99 ms | non-2xx | server CPU µs/webhook (queued: + its delivery) | runs (req/s) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    for name in "${TARGETS[@]}"; do
        awk -v n="$name" -v r="$(stat "$name" rps)" -v d="$(stat direct rps)" -v a="$(stat "$name" p50_us)" -v b="$(stat "$name" p99_us)" \
            -v e="$(stat "$name" err_status)" -v runs="$(runs_of "$name" rps)" -v c="$(stat "$name" cpu_us_per_req)" \
            'BEGIN{printf "| %s | %.0f | %s | %.2f | %.2f | %d | %.0f | %s |\n", n, r, (d>0 ? sprintf("%.2f", r/d) : "-"), a/1000, b/1000, e, c, runs}'
    done
    if [[ ${#HALF_NAMES[@]} -gt 0 ]]; then
        echo
        echo "| at half of its peak | req/s | ack p50 ms | ack p99 ms | ack p99 ≤ 20 ms | delivery lag p50 ms | lag p99 ms | deliveries logged | drain after run s |"
        echo "|---|---:|---:|---:|---|---:|---:|---:|---:|"
        for name in "${HALF_NAMES[@]}"; do
            awk -v n="$name" -v r="$(stat "$name-half" rps)" -v a="$(stat "$name-half" p50_us)" -v b="$(stat "$name-half" p99_us)" \
                -v l5="$(stat "$name-half" lag_p50_ms)" -v l9="$(stat "$name-half" lag_p99_ms)" -v ln="$(stat "$name-half" lag_n)" \
                -v dr="$(stat "$name-half" drain_after_s)" \
                'BEGIN{printf "| %s | %.0f | %.2f | %.2f | %s | %.0f | %.0f | %.0f | %.1f |\n", n, r, a/1000, b/1000, (b<=20000?"met":"NOT met"), l5, l9, ln, dr}'
        done
    fi
    echo
    for name in "${TARGETS[@]}"; do
        [[ $name == queued-* ]] || continue
        awk -v n="$name" -v q="$(stat "$name" rps)" -v d="$(stat direct rps)" -v s="$(stat nginx-split rps)" \
            'BEGIN{printf "%s: ÷ direct %.2f (target ≥ 2: %s), ÷ nginx split %.2f (aim ≥ 1: %s)\n", n, q/d, (q>=2*d?"met":"NOT met"), (s>0?q/s:0), (s>0 && q>=s?"met":"not met")}'
    done
    echo
    for name in "${TARGETS[@]}"; do
        [[ $name == direct || $name == queued-* ]] || continue
        echo "$name status: $(curl -s -m 5 "${URL[$name]%/webhook}/admin/status" | jq -c '{queue, decision_log}')"
    done
    echo
    echo '```'
    cat "$OUT/results.txt"
    echo '```'
} | tee "$OUT/summary.md"
