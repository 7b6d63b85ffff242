#!/usr/bin/env bash
# What the daemon itself costs to start and to keep, as it ships (the native executable) next to the JIT
# build of the same code. Each round starts it on the shipped configuration (every built-in probe) and
# measures, for the daemon process alone (its bpftrace child is the same in both forms):
#   http      time from exec to the first HTTP answer (the runtime and host are up)
#   healthy   time from exec to /healthz 200 (every probe attached: bpftrace compiled and loaded)
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
[ "$(id -u)" -eq 0 ] || { echo "$script: run as root" >&2; exit 3; }
for tool in "$bpftrace" curl python3; do
  command -v "$tool" >/dev/null || { echo "$script: $tool is missing" >&2; exit 3; }
done
work=$(mktemp -d /tmp/te-footprint.XXXXXX)
daemon=""
cleanup() {
  if [ -n "$daemon" ]; then kill -TERM "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/common.sh
. bench/common.sh
bench_daemon "$native"
native_cmd=("${daemon_cmd[@]}")
if [ -z "$jit" ]; then
  dotnet build src/TraceExporter -c Release --nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
  jit=src/TraceExporter/bin/Release/net10.0/trace-exporter.dll
fi
bench_daemon "$jit"
jit_cmd=("${daemon_cmd[@]}")
with_bpftrace config/trace-exporter.yaml "$bpftrace" "$work/config.yaml"

status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
now_ms() { date +%s%3N; }

# One round of form $1 (the command follows): appends "form http_ms healthy_ms peak_kb rss_kb" to the rounds.
measure() {
  local form=$1 port=$((20000 + RANDOM % 20000)) start http="" healthy="" code
  shift
  start=$(now_ms)
  "$@" --config.file "$work/config.yaml" --web.listen-address "127.0.0.1:$port" >"$work/daemon-$form.log" 2>&1 &
  daemon=$!
  for ((i = 0; i < 3000; i++)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" 2>/dev/null || true)
    [ -z "$http" ] && [ "$code" != 000 ] && http=$(($(now_ms) - start))
    [ "$code" = 200 ] && { healthy=$(($(now_ms) - start)); break; }
    kill -0 "$daemon" 2>/dev/null || break
    sleep 0.02
  done
  if [ -z "$healthy" ]; then
    echo "$script: the $form daemon did not become healthy:" >&2; cat "$work/daemon-$form.log" >&2; exit 1
  fi
  local peak
  peak=$(status_kb "$daemon" VmHWM)
  for ((i = 0; i < scrapes; i++)); do
    curl -sf -H 'Accept-Encoding: gzip' -o /dev/null "http://127.0.0.1:$port/metrics"
  done
  echo "$form $http $healthy $peak $(status_kb "$daemon" VmRSS)" >>"$work/rounds"
  kill -TERM "$daemon"
  wait "$daemon" 2>/dev/null || true
  daemon=""
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
print(f"{'form':<8} {'http ms':>8} {'healthy ms':>11} {'peak MB':>8} {'rss MB':>7}   (medians; daemon process only)")
for form in ("native", "jit"):
    r = [list(map(int, row[1:])) for row in rows if row[0] == form]
    med = [statistics.median(col) for col in zip(*r)]
    print(f"{form:<8} {med[0]:>8.0f} {med[1]:>11.0f} {med[2] / 1024:>8.1f} {med[3] / 1024:>7.1f}")
print("rounds:")
for row in rows:
    print(f"  {row[0]:<6} http {row[1]} ms, healthy {row[2]} ms, peak {int(row[3]) / 1024:.1f} MB, rss {int(row[4]) / 1024:.1f} MB")
EOF
