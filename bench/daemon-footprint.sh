#!/usr/bin/env bash
# What the daemon itself costs to start and to keep, as it ships (the native executable) next to the JIT
# build of the same code. Each round starts each form twice and measures, for the daemon process alone (its
# bpftrace child is the same in both forms):
#   bare      with no probes: time from exec to the first HTTP answer (runtime, host and web server up)
#   healthy   on the shipped configuration (every built-in): time from exec to /healthz 200 (bpftrace
#             compiled and attached; the daemon opens its port only then, so this includes the start above)
#   peak      VmHWM once healthy: the highest resident memory of the start-up
#   rss       VmRSS after N scrapes of /metrics (gzip, as Prometheus asks)
# Rounds alternate the two forms; the medians are printed, then every round.
#
# Usage (root): bench/daemon-footprint.sh [--short] [--rounds N] [--scrapes N] [--native PATH] [--jit PATH] [--bpftrace PATH]
#   --native    the native daemon (default: scripts/publish)
#   --jit       the JIT build's trace-exporter.dll (default: dotnet build -c Release)
#   --short     1 round, 30 scrapes (CI keeps the script working; no thresholds)
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5
scrapes=300
native=""
jit=""
bpftrace=bpftrace
while (($#)); do
  case "$1" in
    --short) rounds=1; scrapes=30 ;;
    --rounds) rounds="$2"; shift ;;
    --scrapes) scrapes="$2"; shift ;;
    --native) native="$2"; shift ;;
    --jit) jit="$2"; shift ;;
    --bpftrace) bpftrace="$2"; shift ;;
    *) echo "usage: $0 [--short] [--rounds N] [--scrapes N] [--native PATH] [--jit PATH] [--bpftrace PATH]" >&2; exit 2 ;;
  esac
  shift
done

script=daemon-footprint.sh
# shellcheck source=bench/common.sh
. bench/common.sh
bench_daemon_setup te-footprint "$bpftrace" curl python3
bench_daemon "$native"
native_cmd=("${daemon_cmd[@]}")
if [ -z "$jit" ]; then
  dotnet build src/TraceExporter -c Release --nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
  jit=src/TraceExporter/bin/Release/net10.0/trace-exporter.dll
fi
bench_daemon "$jit"
jit_cmd=("${daemon_cmd[@]}")
with_bpftrace config/trace-exporter.yaml "$bpftrace" "$work/config.yaml"
printf 'interval: 5s\nbuiltin: {}\n' >"$work/bare.yaml"
with_bpftrace "$work/bare.yaml" "$bpftrace" "$work/bare-config.yaml"

status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
now_ms() { date +%s%3N; }

# Starts form $1 (the command follows) on config $2; sets daemon and port.
start() {
  local form=$1 config=$2
  shift 2
  port=$(free_port)
  "$@" --config.file "$config" --web.listen-address "127.0.0.1:$port" >"$work/daemon-$form.log" 2>&1 &
  daemon=$!
}
stop() { kill -TERM "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=""; }
# Milliseconds from $1 until /healthz answers (any status, or only 200 with $2=200); fails if it never does.
wait_answer() {
  local since=$1 want=${2:-any} code
  for ((i = 0; i < 3000; i++)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" 2>/dev/null || true)
    if [ "$code" != 000 ] && { [ "$want" = any ] || [ "$code" = "$want" ]; }; then
      echo $(($(now_ms) - since)); return 0
    fi
    kill -0 "$daemon" 2>/dev/null || break
    sleep 0.02
  done
  return 1
}

# One round of form $1 (the command follows): appends "form bare_ms healthy_ms peak_kb rss_kb" to the rounds.
measure() {
  local form=$1 t bare healthy peak
  shift
  t=$(now_ms); start "$form" "$work/bare-config.yaml" "$@"
  bare=$(wait_answer "$t") || { echo "$script: the $form daemon did not answer:" >&2; cat "$work/daemon-$form.log" >&2; exit 1; }
  stop
  t=$(now_ms); start "$form" "$work/config.yaml" "$@"
  healthy=$(wait_answer "$t" 200) || { echo "$script: the $form daemon did not become healthy:" >&2; cat "$work/daemon-$form.log" >&2; exit 1; }
  peak=$(status_kb "$daemon" VmHWM)
  for ((i = 0; i < scrapes; i++)); do
    curl -sf -H 'Accept-Encoding: gzip' -o /dev/null "http://127.0.0.1:$port/metrics"
  done
  echo "$form $bare $healthy $peak $(status_kb "$daemon" VmRSS)" >>"$work/rounds"
  stop
}

: >"$work/rounds"
for ((r = 1; r <= rounds; r++)); do
  measure native "${native_cmd[@]}"
  measure jit "${jit_cmd[@]}"
done

echo "$script: ${native_cmd[*]} vs ${jit_cmd[*]}; $rounds rounds, $scrapes scrapes each; $("$bpftrace" --version)"
python3 - "$work/rounds" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
print(f"{'form':<8} {'bare ms':>8} {'healthy ms':>11} {'peak MB':>8} {'rss MB':>7}   (medians; daemon process only)")
for form in ("native", "jit"):
    r = [list(map(int, row[1:])) for row in rows if row[0] == form]
    med = [statistics.median(col) for col in zip(*r)]
    print(f"{form:<8} {med[0]:>8.0f} {med[1]:>11.0f} {med[2] / 1024:>8.1f} {med[3] / 1024:>7.1f}")
print("rounds:")
for row in rows:
    print(f"  {row[0]:<6} bare {row[1]} ms, healthy {row[2]} ms, peak {int(row[3]) / 1024:.1f} MB, rss {int(row[4]) / 1024:.1f} MB")
EOF
