#!/usr/bin/env bash
# Queued delivery (issue 16): the drain rate of a backlog. For each store, one cutover in queued mode accepts BACKLOG
# webhooks (unique ids, USERS users) while nothing listens on its upstreams' ports; then the nginx upstreams start on
# those ports and the script times, from the upstreams' log and /admin/status, how fast the backlog is delivered.
# See README.md beside this file.
#
#   bench/queued/drain.sh                                      # sqlite then postgres, 100,000 each: ~6 min
#   PROVIDERS=sqlite BACKLOG=20000 bench/queued/drain.sh       # smaller
#
# Environment: BACKLOG=100000 BACKLOG_PG (default BACKLOG) PROVIDERS="sqlite postgres" USERS=10000 THREADS=2 CONNECTIONS=32 SERVER_CPU=0 LOAD_CPU=1
# BUILD=1 DRAIN_TIMEOUT=900 CUTOVER_DLL OUT=bench/results/drain-<time> PG_BIN=/usr/lib/postgresql/15/bin
# DRAIN_ENV (K=V,... for cutover; default: circuits probed from 100 ms on, retries from 10 ms capped at 1 s, so the
# retry schedule, which is not what is measured, hands the backlog back within about a second of the upstreams' return)
set -euo pipefail

BACKLOG=${BACKLOG:-100000}
read -r -a PROVIDERS <<<"${PROVIDERS:-sqlite postgres}"
USERS=${USERS:-10000}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
BUILD=${BUILD:-1}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-900}
CHUNK=${CHUNK:-10}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DRAIN_ENV=${DRAIN_ENV:-Cutover__Delivery__BreakDuration=00:00:00.100,Cutover__Delivery__RetryBase=00:00:00.010,Cutover__Delivery__RetryCap=00:00:01,Cutover__Delivery__MaxAttempts=100}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$ROOT/bench/results/drain-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export BODY=$ROOT/bench/wrk/body.json USERS

# shellcheck source=common.sh
source "$HERE/common.sh"
if [[ $BUILD == 1 ]]; then build_all; fi
CUTOVER_DLL=${CUTOVER_DLL:-$ROOT/src/Cutover.Cli/bin/Release/net10.0/cutover.dll}
echo "COMMIT $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src || echo ' (src modified)') dll=$CUTOVER_DLL" | tee -a "$OUT/results.txt"
echo "UPTIME start $(uptime)" | tee -a "$OUT/results.txt"

declare -A URL PID_OF
now() { date +%s.%N; }
for provider in "${PROVIDERS[@]}"; do
    name=drain-$provider
    PORT_A=$(free_port); PORT_B=$(free_port)
    [[ $provider == postgres ]] && start_pg "$OUT/pg"
    start_cutover "$name" queued "$provider" "http://127.0.0.1:$PORT_A/" "http://127.0.0.1:$PORT_B/" "$DRAIN_ENV"
    wait_ready "$name"

    # :: Accept the backlog with every upstream down.
    # wrk runs for its whole -d even when its threads stop early, so: runs of CHUNK seconds until BACKLOG are answered.
    target=$BACKLOG; [[ $provider == postgres ]] && target=${BACKLOG_PG:-$BACKLOG}
    sent=0; chunks=0
    while (( sent < target )); do
        line=$(wrk_run "$name" "$CHUNK")
        echo "CHUNK name=$name-accept ${line#RESULT }" >>"$OUT/results.txt"
        sent=$((sent + $(field "$line" reqs))); chunks=$((chunks + 1))
    done
    p99s=$(grep "^CHUNK name=$name-accept " "$OUT/results.txt" | while read -r l; do field "$l" p99_us; done | median)
    echo "RESULT name=$name-accept reqs=$sent rps=$(awk -v n="$sent" -v s="$((chunks * CHUNK))" 'BEGIN{printf "%.0f", n/s}') p99_us=$p99s chunks=$chunks" | tee -a "$OUT/results.txt"
    sleep 2.5
    before=$(curl -s -m 5 "${URL[$name]%/webhook}/admin/status" | jq -c '.queue | {pending, in_flight, dead, delivered, oldest_undelivered_age_seconds}' | tr -d ' ')
    echo "QUEUE $name before=$before" | tee -a "$OUT/results.txt"

    # :: The upstreams come back; time until the queue is empty.
    start_upstreams "$OUT/upstream-$provider" "$PORT_A" "$PORT_B"
    up=$(now)
    result=no
    while (( $(awk -v a="$up" -v b="$(now)" 'BEGIN{print int(b-a)}') < DRAIN_TIMEOUT )); do
        sleep 0.5
        left=$(queue_left "$name")
        echo "$(now) $left" >>"$OUT/$name-queue.log"
        [[ $left == 0 ]] && { result=yes; break; }
    done
    empty=$(now)
    sleep 1.5 # the access log is flushed every second
    after=$(curl -s -m 5 "${URL[$name]%/webhook}/admin/status" | jq -c '.queue | {pending, in_flight, dead, delivered}' | tr -d ' ')
    # Deliveries at the upstreams: first and last time, count, and the busiest/median 1-s windows.
    python3 - "$OUT/upstream-$provider/lag.log" "$up" "$empty" "$name" "$result" "$after" <<'PY' | tee -a "$OUT/results.txt"
import sys, collections
path, up, empty, name, result, after = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
times = sorted(float(l.split()[0]) for l in open(path) if len(l.split()) == 2)
n = len(times)
if n == 0:
    print(f"RESULT name={name} delivered_logged=0 drained={result} after={after}"); sys.exit()
first, last = times[0], times[-1]
per_s = collections.Counter(int(t - first) for t in times)
full = sorted(per_s[s] for s in range(int(last - first)))  # whole seconds only
med = full[len(full) // 2] if full else n
print(f"RESULT name={name} delivered_logged={n} up_to_first_s={first - up:.1f} first_to_last_s={last - first:.1f} "
      f"rate_per_s={n / max(last - first, 1e-3):.0f} median_1s={med} best_1s={max(per_s.values())} "
      f"up_to_empty_status_s={empty - up:.1f} drained={result} after={after}")
PY
    kill "${PID_OF[$name]}" "$UPSTREAM_PID" 2>/dev/null || true
    sleep 2
done
echo "UPTIME end $(uptime)" | tee -a "$OUT/results.txt"
{
    echo
    echo "Backlog of $BACKLOG webhooks (PostgreSQL: ${BACKLOG_PG:-$BACKLOG}) ($USERS users) accepted with the upstreams down, then the upstreams started; cutover env: $DRAIN_ENV"
    echo
    echo "| store | accepted/s with upstreams down | ack p99 ms (median of the chunks) | upstreams up → first delivery s | first → last delivery s | deliveries/s | median 1-s window | up → queue empty (status) s |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for provider in "${PROVIDERS[@]}"; do
        a=$(grep "^RESULT name=drain-$provider-accept " "$OUT/results.txt"); r=$(grep "^RESULT name=drain-$provider " "$OUT/results.txt")
        echo "| $provider | $(field "$a" rps) | $(awk -v p="$(field "$a" p99_us)" 'BEGIN{printf "%.1f", p/1000}') | $(field "$r" up_to_first_s) | $(field "$r" first_to_last_s) | $(field "$r" rate_per_s) | $(field "$r" median_1s) | $(field "$r" up_to_empty_status_s) |"
    done
    echo
    echo '```'
    cat "$OUT/results.txt"
    echo '```'
} | tee "$OUT/summary.md"
