#!/usr/bin/env bash
# A/B runs for investigating Cutover's cost: the plain YARP proxy and several cutover processes that
# differ only in their environment, measured interleaved in one run (A B C ... A B C ...), medians
# reported. For the comparison the issue asks for, use run.sh; this is for "what does X cost".
#
#   VARIANTS="default:- flush0:Cutover__DecisionLog__FlushInterval=00:00:00" bench/wrk/variants.sh
#   VARIANTS="disk:- tmpfs:STORE_DIR=/dev/shm/cutover-ab" PAUSE_MS=5 bench/wrk/variants.sh
#   VARIANTS="before:DLL=/tmp/cutover-before/src/Cutover.Cli/bin/Release/net10.0/cutover.dll head:-" bench/wrk/variants.sh
#
# VARIANTS is a space-separated list of NAME:K=V,K=V,... ("-" for no variables). Three pseudo-variables
# are not passed to the process: STORE_DIR=DIR puts that variant's SQLite store in DIR, CWD=DIR runs it
# there, DLL=PATH runs that cutover.dll instead of CUTOVER_DLL (another commit's Release build, to compare
# builds). Everything else is passed as environment (Cutover__… keys override the config, DOTNET_… the runtime).
#
# Environment: ROUNDS=3 DURATION=8 WARMUP=60 (seconds per .NET server; run.sh says why 60) PAUSE_MS (also run paced, with
# this pause per request per connection, as run.sh does for half peak) THREADS=2 CONNECTIONS=32
# SERVER_CPU=0 LOAD_CPU=1 BUILD=1 OUT=bench/results/variants-<time>
# BASELINE=NAME (a variant) adds each other variant's req/s and CPU per request as a ratio to it
# CUTOVER_DLL=src/Cutover.Cli/bin/Release/net10.0/cutover.dll (built here when BUILD=1) the default cutover
# UPSTREAM_HANDLER=NAME (empty: none) makes the nginx upstreams answer with X-Handled-By: NAME, so cutover
# records a handler for every decision (the header of Handlers:Header's default). Servers are pinned as in run.sh's
# layout P; everything listens on 127.0.0.1 and is stopped on exit. About (servers × (WARMUP +
# ROUNDS × DURATION × (1 + paced))) seconds.
set -euo pipefail

VARIANTS=${VARIANTS:?set VARIANTS, for example VARIANTS=\"default:- flush0:Cutover__DecisionLog__FlushInterval=00:00:00\"}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-60}
PAUSE_MS=${PAUSE_MS:-}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
BUILD=${BUILD:-1}
UPSTREAM_HANDLER=${UPSTREAM_HANDLER:-}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$ROOT/bench/results/variants-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SECRET=cutover-bench-secret
export BODY=$HERE/body.json
SIGNATURE="sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r "$BODY" | cut -d' ' -f1)"
export SIGNATURE

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
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

if [[ $BUILD == 1 ]]; then
    dotnet build "$ROOT/src/Cutover.Cli/Cutover.Cli.csproj" -c Release -nologo -v q >"$OUT/build.log" 2>&1 || { tail -20 "$OUT/build.log" >&2; exit 1; }
    dotnet build "$ROOT/bench/PlainProxy/PlainProxy.csproj" -c Release -nologo -v q >>"$OUT/build.log" 2>&1 || { tail -20 "$OUT/build.log" >&2; exit 1; }
fi
CUTOVER_DLL=${CUTOVER_DLL:-$ROOT/src/Cutover.Cli/bin/Release/net10.0/cutover.dll}

# The upstream: nginx return 200 on the load CPU (as in run.sh).
PORT_A=$(free_port); PORT_B=$(free_port)
mkdir -p "$OUT/upstream/tmp"
handler_header=""
if [[ -n $UPSTREAM_HANDLER ]]; then
    [[ $UPSTREAM_HANDLER =~ ^[A-Za-z0-9._-]+$ ]] || { echo "variants.sh: UPSTREAM_HANDLER must be a plain name" >&2; exit 64; }
    handler_header="add_header X-Handled-By $UPSTREAM_HANDLER always; "
fi
sed -e "s|@PREFIX@|$OUT/upstream|g" -e "s|@PORT_A@|$PORT_A|g" -e "s|@PORT_B@|$PORT_B|g" \
    -e "s|location / { return 200|location / { ${handler_header}return 200|g" "$HERE/nginx-upstream.conf.in" >"$OUT/upstream/nginx.conf"
taskset -c "$LOAD_CPU" nginx -p "$OUT/upstream/" -e "$OUT/upstream/error.log" -c "$OUT/upstream/nginx.conf" -g 'daemon off;' \
    >"$OUT/upstream/stdout.log" 2>&1 &
PIDS+=($!)

declare -A URL PID_OF
NAMES=(plain-yarp)
port=$(free_port)
taskset -c "$SERVER_CPU" dotnet "$ROOT/bench/PlainProxy/bin/Release/net10.0/PlainProxy.dll" \
    --listen "http://127.0.0.1:$port" --destination "http://127.0.0.1:$PORT_A/" >"$OUT/plain-yarp.log" 2>&1 &
PIDS+=($!); PID_OF[plain-yarp]=$!; URL[plain-yarp]=http://127.0.0.1:$port/webhook

for variant in $VARIANTS; do
    name=${variant%%:*}; vars=${variant#*:}; [[ $vars == - ]] && vars=""
    dir=$OUT/$name; store=$dir; cwd=$dir; dll=$CUTOVER_DLL; env_args=()
    IFS=, read -r -a assignments <<<"$vars"
    for assignment in "${assignments[@]}"; do
        case $assignment in
            STORE_DIR=*) store=${assignment#STORE_DIR=} ;;
            CWD=*) cwd=${assignment#CWD=} ;;
            DLL=*) dll=${assignment#DLL=} ;;
            *=*) env_args+=("$assignment") ;;
            *) echo "variants.sh: '$assignment' in $name is not K=V" >&2; exit 64 ;;
        esac
    done
    mkdir -p "$dir" "$store" "$cwd"
    [[ -f $dll ]] || { echo "variants.sh: $name: no $dll (build it in Release)" >&2; exit 66; }
    echo "VARIANT $name dll=$dll env=${env_args[*]:-}" >>"$OUT/results.txt"
    port=$(free_port)
    legacy="http://127.0.0.1:$PORT_B/"
    cat >"$dir/cutover.json" <<JSON
{ "Cutover": { "Listen": "http://127.0.0.1:$port", "AppSecret": "$SECRET",
  "Upstreams": { "unified": { "Url": "http://127.0.0.1:$PORT_A/" }, "jobs": { "Url": "$legacy" }, "marketplace": { "Url": "$legacy" },
    "property": { "Url": "$legacy" }, "mobility": { "Url": "$legacy" }, "profile": { "Url": "$legacy" }, "insurance": { "Url": "$legacy" },
    "default": { "Url": "$legacy" } },
  "Store": { "Provider": "sqlite", "ConnectionString": "Data Source=$store/cutover.db" } } }
JSON
    taskset -c "$SERVER_CPU" env -C "$cwd" "${env_args[@]}" dotnet "$dll" \
        serve --config "$dir/cutover.json" >"$dir/cutover.log" 2>&1 &
    PIDS+=($!); PID_OF[$name]=$!; URL[$name]=http://127.0.0.1:$port/webhook
    NAMES+=("$name")
done

for name in "${NAMES[@]}"; do
    ok=0
    for _ in $(seq 1 600); do
        code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 -X POST -H 'Content-Type: application/json' \
            -H "X-Hub-Signature-256: $SIGNATURE" --data-binary "@$BODY" "${URL[$name]}" || true)
        [[ $code == 200 ]] && { ok=1; break; }
        sleep 0.1
    done
    [[ $ok == 1 ]] || { echo "variants.sh: $name does not answer 200 at ${URL[$name]}; see $OUT" >&2; exit 69; }
done

ticks() { # PID [user]: user + system clock ticks of a process and its children; with "user", user time only
    local total=0 pid stat
    for pid in "$1" $(pgrep -P "$1" || true); do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        read -r -a f <<<"${stat##*) }"
        if [[ ${2:-} == user ]]; then total=$((total + f[11])); else total=$((total + f[11] + f[12])); fi
    done
    echo "$total"
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
run() { # LABEL NAME SECONDS [PAUSE]
    local label=$1 name=$2 seconds=$3 pause=${4:-} t0 u0 line before
    [[ ${URL[$name]} == http://127.0.0.1:* ]] || exit 1
    before=$(awk '{print $1}' /proc/loadavg)
    t0=$(ticks "${PID_OF[$name]}"); u0=$(ticks "${PID_OF[$name]}" user)
    line=$(DELAY_MS=$pause taskset -c "$LOAD_CPU" timeout $((seconds + 30)) \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$HERE/post.lua" "${URL[$name]}" | grep '^RESULT' || true)
    [[ -n $line ]] || { echo "variants.sh: no RESULT from wrk for $label" >&2; exit 1; }
    awk -v t="$(( $(ticks "${PID_OF[$name]}") - t0 ))" -v u="$(( $(ticks "${PID_OF[$name]}" user) - u0 ))" -v hz="$(getconf CLK_TCK)" -v n="$(field "$line" reqs)" -v l="$label" \
        -v r="${line#RESULT }" -v b="$before" -v a="$(awk '{print $1}' /proc/loadavg)" \
        'BEGIN{printf "RESULT name=%s %s cpu_us_per_req=%.1f user_us_per_req=%.1f load1_before=%s load1_after=%s\n", l, r, t*1e6/hz/n, u*1e6/hz/n, b, a}' \
        | tee -a "$OUT/results.txt"
}

echo "UPTIME start $(uptime)" | tee -a "$OUT/results.txt"
for name in "${NAMES[@]}"; do run "warmup-$name" "$name" "$WARMUP" >/dev/null; done
for _ in $(seq 1 "$ROUNDS"); do for name in "${NAMES[@]}"; do run "$name" "$name" "$DURATION"; done; done
if [[ -n $PAUSE_MS ]]; then
    for _ in $(seq 1 "$ROUNDS"); do for name in "${NAMES[@]}"; do run "$name-paced" "$name" "$DURATION" "$PAUSE_MS"; done; done
fi
echo "UPTIME end $(uptime)" | tee -a "$OUT/results.txt"

median() { sort -g | awk '{v[NR]=$1} END{ if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
stat() { grep "^RESULT name=$1 " "$OUT/results.txt" | while read -r line; do field "$line" "$2"; done | median; }
{
    echo
    echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS interleaved rounds, medians; warm-up ${WARMUP} s per server$([[ -n $UPSTREAM_HANDLER ]] && echo "; upstreams answer X-Handled-By: $UPSTREAM_HANDLER")"
    grep '^VARIANT ' "$OUT/results.txt" | sed 's/^VARIANT /- /'
    echo
    echo "| variant | req/s | ÷ plain YARP | p50 ms | p99 ms | CPU µs/req | user µs/req | runs (req/s) |$([[ -n $PAUSE_MS ]] && echo " paced req/s | paced p50 ms | paced p99 ms | paced CPU µs/req |")"
    echo "|---|---:|---:|---:|---:|---:|---:|---|$([[ -n $PAUSE_MS ]] && echo "---:|---:|---:|---:|")"
    for name in "${NAMES[@]}"; do
        runs=$(grep "^RESULT name=$name " "$OUT/results.txt" | while read -r line; do field "$line" rps; done | awk '{printf "%s%.0f", (NR>1?" / ":""), $1}')
        row=$(awk -v n="$name" -v r="$(stat "$name" rps)" -v y="$(stat plain-yarp rps)" -v a="$(stat "$name" p50_us)" -v b="$(stat "$name" p99_us)" \
            -v c="$(stat "$name" cpu_us_per_req)" -v u="$(stat "$name" user_us_per_req)" -v runs="$runs" \
            'BEGIN{printf "| %s | %.0f | %.2f | %.2f | %.2f | %.1f | %.1f | %s |", n, r, r/y, a/1000, b/1000, c, u, runs}')
        if [[ -n $PAUSE_MS ]]; then
            row+=$(awk -v r="$(stat "$name-paced" rps)" -v a="$(stat "$name-paced" p50_us)" -v b="$(stat "$name-paced" p99_us)" -v c="$(stat "$name-paced" cpu_us_per_req)" \
                'BEGIN{printf " %.0f | %.2f | %.2f | %.1f |", r, a/1000, b/1000, c}')
        fi
        echo "$row"
    done
    if [[ -n ${BASELINE:-} ]]; then
        echo
        for name in "${NAMES[@]}"; do
            [[ $name == plain-yarp || $name == "$BASELINE" ]] && continue
            awk -v n="$name" -v base="$BASELINE" -v r="$(stat "$name" rps)" -v r0="$(stat "$BASELINE" rps)" \
                -v c="$(stat "$name" cpu_us_per_req)" -v c0="$(stat "$BASELINE" cpu_us_per_req)" \
                -v u="$(stat "$name" user_us_per_req)" -v u0="$(stat "$BASELINE" user_us_per_req)" \
                'BEGIN{printf "%s ÷ %s: req/s %.3f (%+.1f%%), CPU µs/req %.3f, user CPU µs/req %.3f (%.1f against %.1f)\n", n, base, r/r0, 100*(r/r0-1), c/c0, u/u0, u, u0}'
        done
    fi
    echo
    for name in "${NAMES[@]}"; do
        [[ $name == plain-yarp ]] && continue
        echo "$name decision_log: $(curl -s -m 5 "${URL[$name]%/webhook}/admin/status" | jq -c .decision_log)"
    done
    echo
    echo '```'
    cat "$OUT/results.txt"
    echo '```'
} | tee "$OUT/summary.md"
