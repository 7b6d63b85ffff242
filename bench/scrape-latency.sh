#!/usr/bin/env bash
# /metrics latency under concurrent scrapers. Runs TraceExporter with every built-in probe plus a user probe
# that fills three maps of 3,334 keys each (10,002 series on the page with the built-ins' and self-metrics'
# few dozen), waits until they are all on the page, then lets `wrk` keep N connections scraping for D seconds
# and prints its latency percentiles and request rate: once asking for gzip, as Prometheus does, once not.
#
# Usage (root): bench/scrape-latency.sh [--short] [--connections N] [--seconds D] [--daemon PATH] [--bpftrace PATH]
#   --short     5 seconds (CI keeps the script working; no thresholds)
#   --daemon    the daemon to run (default: the native one scripts/publish makes; a .dll runs under dotnet)
#   --bpftrace  the bpftrace the daemon runs (default: bpftrace on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."

connections=50
seconds=30
daemon_path=""
bpftrace=bpftrace
while (($#)); do
  case "$1" in
    --short) seconds=5 ;;
    --connections) connections="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --daemon) daemon_path="$2"; shift ;;
    --bpftrace) bpftrace="$2"; shift ;;
    *) echo "usage: $0 [--short] [--connections N] [--seconds D] [--daemon PATH] [--bpftrace PATH]" >&2; exit 2 ;;
  esac
  shift
done

script=scrape-latency.sh
# shellcheck source=bench/common.sh
. bench/common.sh
bench_daemon_setup te-scrape "$bpftrace" wrk curl python3
bench_daemon "$daemon_path"

# Three maps of 3,336 keys; the BPF verifier takes about a thousand loop iterations per program run, so the
# keys are added 834 at a time, every 100 ms. The maps are cumulative (written once, printed every interval):
# a delta map's two copies would double the branches the verifier walks in the loop.
cat >"$work/probe.yaml" <<'YAML'
interval: 1s
probes:
  - name: scrape_bench
    program: |
      interval:ms:100 {
        if (@round < 4) {
          $i = 0;
          while ($i < 834) {
            $k = (uint64)(@round * 834 + $i);
            @a[$k] = count(); @b[$k] = count(); @c[$k] = count();
            $i++;
          }
          @round++;
        }
      }
    metrics:
      - { map: "@a", name: bench_series_a_total, help: "Scrape benchmark series.", series_limit: 4000, update: cumulative, labels: [{ name: key, kind: number }] }
      - { map: "@b", name: bench_series_b_total, help: "Scrape benchmark series.", series_limit: 4000, update: cumulative, labels: [{ name: key, kind: number }] }
      - { map: "@c", name: bench_series_c_total, help: "Scrape benchmark series.", series_limit: 4000, update: cumulative, labels: [{ name: key, kind: number }] }
YAML
with_bpftrace "$work/probe.yaml" "$bpftrace" "$work/config.yaml"

port=$(free_port)
url="http://127.0.0.1:$port/metrics"
"${daemon_cmd[@]}" --config.file "$work/config.yaml" --web.listen-address "127.0.0.1:$port" >"$work/daemon.log" 2>&1 &
daemon=$!
series=0
for ((i = 0; i < 600; i++)); do
  series=$(curl -sf "$url" 2>/dev/null | grep -cv '^#' || true)
  [ "$series" -ge 10000 ] && break
  kill -0 "$daemon" 2>/dev/null || break
  sleep 0.1
done
if [ "$series" -lt 10000 ]; then
  echo "scrape-latency.sh: the page never reached 10,000 series (last: $series):" >&2; cat "$work/daemon.log" >&2; exit 1
fi
bytes=$(curl -sf "$url" | wc -c)
gzip_bytes=$(curl -sf -H 'Accept-Encoding: gzip' "$url" | wc -c)
echo "scrape-latency.sh: $series series, $bytes bytes per page ($gzip_bytes gzipped); wrk: $connections connections, ${seconds}s"

# Twice: as Prometheus scrapes (it asks for gzip), and uncompressed.
for encoding in gzip identity; do
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Accept-Encoding: $encoding" "$url" >"$work/wrk.txt"
  cat "$work/wrk.txt"
  awk -v enc="$encoding" '/^ +50%/ {p50 = $2} /^ +90%/ {p90 = $2} /^ +99%/ {p99 = $2} /^Requests\/sec/ {rps = $2}
    END {printf "scrapes (%s): p50 %s, p90 %s, p99 %s, %s requests/s\n", enc, p50, p90, p99, rps}' "$work/wrk.txt" >>"$work/summary"
  errors=$(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt" || true)
  [ -z "$errors" ] || { echo "scrape-latency.sh: failed requests ($encoding): $errors" >&2; exit 1; }
done
echo; cat "$work/summary"
