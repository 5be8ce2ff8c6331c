#!/usr/bin/env bash
# Fault to rollback (issue 17): how long after unified starts failing does the rollout controller roll back, and does
# healthy traffic ever roll back? A real `cutover serve` (Release, SQLite store, default health and controller
# settings) behind upstream.py, a steady signed load from load.py, a rollout step taken while the load runs.
#
#   1. For each failure share (SHARES, default 5%, 10%, 30% of unified's requests answered 503): start the rollout
#      (step 1, STEP% = 10%) 2 s into the load, turn the fault on FAULT_AFTER (3) s after the step, and time fault →
#      the rollout halted at 0% (Rollout:OnCritical zero), polling every 0.1 s, giving up after TIMEOUT (60) s.
#   2. Healthy: the same load with no fault for HEALTHY_SECONDS (600); every rollback is a false one: counted, and the
#      rollout resumed (force) so the run goes on.
#
# Everything listens on 127.0.0.1 and is stopped on exit; every run is bounded in time (about 3 × 70 s + HEALTHY_SECONDS).
# Results: one line per run in $OUT/results.txt (bench/results/, gitignored). Try it short first:
#   HEALTHY_SECONDS=30 SHARES=0.3 bench/health/fault_to_rollback.sh
# Needs: dotnet, python3, curl, jq.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RATE=${RATE:-150}
SHARES=${SHARES:-"0.05 0.10 0.30"}
STEP=${STEP:-10}
FAULT_AFTER=${FAULT_AFTER:-3}
TIMEOUT=${TIMEOUT:-60}
HEALTHY_SECONDS=${HEALTHY_SECONDS:-600}
OUT=${OUT:-$ROOT/bench/results/health-$(date -u +%Y%m%dT%H%M%SZ)}
CUTOVER_DLL=${CUTOVER_DLL:-$ROOT/src/Cutover.Cli/bin/Release/net10.0/cutover.dll}
SECRET=bench-app-secret-0123456789
mkdir -p "$OUT"

PIDS=()
stop_all() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    PIDS=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

free_port() {
    local port
    while true; do
        port=$((20000 + RANDOM % 40000))
        if [[ -z $(ss -Htan "( sport = :$port )" 2>/dev/null) ]]; then echo "$port"; return; fi
    done
}

# start NAME: upstream.py and cutover serve (a fresh SQLite store in OUT/NAME); sets UP, BASE.
start() {
    local name=$1 dir=$OUT/$1 port names=(unified jobs marketplace property mobility profile insurance default) upstreams="" n
    mkdir -p "$dir"
    UP=$(free_port)
    python3 "$HERE/upstream.py" "$UP" >"$dir/upstream.log" 2>&1 &
    PIDS+=($!)
    port=$(free_port)
    BASE=http://127.0.0.1:$port
    for n in "${names[@]}"; do upstreams+="${upstreams:+, }\"$n\": { \"Url\": \"http://127.0.0.1:$UP/$n\" }"; done
    cat >"$dir/cutover.json" <<JSON
{ "Cutover": { "Listen": "http://127.0.0.1:$port", "AppSecret": "$SECRET", "VerifyToken": "bench-verify-token",
  "Upstreams": { $upstreams },
  "Privacy": { "HashKey": "bench-hash-key-0123456789" },
  "Store": { "Provider": "sqlite", "ConnectionString": "Data Source=$dir/cutover.db" },
  "Rollout": { "Mode": "auto", "Steps": [ { "Percent": $STEP, "Soak": "01:00:00" }, { "Percent": 100, "Soak": "01:00:00" } ] } } }
JSON
    dotnet "$CUTOVER_DLL" serve --config "$dir/cutover.json" >"$dir/cutover.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 300); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' -m 1 "$BASE/readyz" || true) == 200 ]] \
            && [[ $(curl -s -o /dev/null -w '%{http_code}' -m 1 "http://127.0.0.1:$UP/_fail" || true) == 200 ]] && return
        sleep 0.1
    done
    echo "$name did not start; see $dir" >&2; exit 69
}

rollout() { curl -sf -m 5 -X POST -H 'Content-Type: application/json' -d "{\"reason\": \"bench\"$2}" "$BASE/admin/rollout/$1" >/dev/null; }
state() { curl -sf -m 5 "$BASE/admin/rollout" | jq -r '"\(.state) \(.percent)"'; }
rollbacks() { curl -sf -m 5 "$BASE/admin/rollbacks?limit=1000" | jq 'length'; }

dotnet build "$ROOT/src/Cutover.Cli/Cutover.Cli.csproj" -c Release -nologo -v q >"$OUT/build.log" 2>&1 || { tail -20 "$OUT/build.log" >&2; exit 1; }
echo "BENCH health rate=$RATE step=$STEP% fault_after=${FAULT_AFTER}s timeout=${TIMEOUT}s healthy=${HEALTHY_SECONDS}s load=$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/results.txt"

for share in $SHARES; do
    start "fault-$share"
    python3 "$HERE/load.py" "$BASE/webhook" "$SECRET" "$RATE" $((2 + FAULT_AFTER + TIMEOUT + 2)) >"$OUT/fault-$share/load.log" 2>&1 &
    LOAD=$!; PIDS+=("$LOAD")
    sleep 2
    rollout start ""
    sleep "$FAULT_AFTER"
    curl -sf -m 2 "http://127.0.0.1:$UP/_fail?share=$share" >/dev/null
    t0=$(date +%s.%N); after=timeout
    while (( $(echo "$(date +%s.%N) - $t0 < $TIMEOUT" | bc) )); do
        if [[ $(state) == "halted 0" ]]; then after=$(echo "$(date +%s.%N) - $t0" | bc); break; fi
        sleep 0.1
    done
    printf 'FAULT share=%s rollback_after_s=%s load=%s\n' "$share" "${after:0:6}" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/results.txt"
    stop_all
done

start healthy
python3 "$HERE/load.py" "$BASE/webhook" "$SECRET" "$RATE" $((2 + HEALTHY_SECONDS)) >"$OUT/healthy/load.log" 2>&1 &
LOAD=$!; PIDS+=("$LOAD")
sleep 2
rollout start ""
false_rollbacks=0; end=$((SECONDS + HEALTHY_SECONDS))
while (( SECONDS < end )); do
    seen=$(rollbacks)
    if (( seen > false_rollbacks )); then
        false_rollbacks=$seen
        echo "false rollback $seen at $((HEALTHY_SECONDS - end + SECONDS)) s: $(curl -sf -m 5 "$BASE/admin/rollbacks?limit=1" | jq -r '.[0].reason')" | tee -a "$OUT/results.txt"
        rollout resume ', "force": true' || true
    fi
    sleep 1
done
wait "$LOAD" || true
printf 'HEALTHY seconds=%s false_rollbacks=%s state=%s %s load=%s\n' "$HEALTHY_SECONDS" "$false_rollbacks" "$(state | tr ' ' '/')" \
    "$(tail -1 "$OUT/healthy/load.log")" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/results.txt"
stop_all
echo "results: $OUT/results.txt"
