#!/usr/bin/env bash
# A correct scrape during a flood of wrong basic-auth passwords. Runs TraceExporter with a web config of one
# user (bcrypt cost 10), every built-in probe and a user probe that printf's 5,000 lines a second through a
# small ring buffer (16 pages), so a daemon too busy to read bpftrace's output loses events. Prometheus has
# scraped once before the flood (its credentials are remembered); then `wrk` keeps N connections sending a
# password never sent before on every request, while curl scrapes with the right one every 250 ms.
# Prints the correct scrapes' p50/p99/max, the flood's request rate and answers, and the lost events; exits 1
# when the p99 is 1 s or more, a correct scrape fails, or an event was lost.
#
# Usage (root): bench/auth-flood.sh [--short] [--connections N] [--seconds D] [--daemon PATH] [--bpftrace PATH]
#   --daemon  the native executable, or a .dll run under dotnet (default: scripts/publish builds it)
#   --short   15 seconds (the kernel test runs this)
set -euo pipefail
cd "$(dirname "$0")/.."

connections=200
seconds=60
daemon_path=""
bpftrace=bpftrace
while (($#)); do
  case "$1" in
    --short) seconds=15 ;;
    --connections) connections="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --daemon) daemon_path="$2"; shift ;;
    --bpftrace) bpftrace="$2"; shift ;;
    *) echo "usage: $0 [--short] [--connections N] [--seconds D] [--daemon PATH] [--bpftrace PATH]" >&2; exit 2 ;;
  esac
  shift
done

script=auth-flood.sh
# shellcheck source=bench/common.sh
. bench/common.sh
bench_daemon_setup te-auth-flood "$bpftrace" wrk curl python3
bench_daemon "$daemon_path"

# The password is "scrape-secret" (a test credential, made with htpasswd -nbBC 10).
cat >"$work/web.yml" <<'YAML'
basic_auth_users:
  prometheus: $2b$10$Wxed.L/rrKlLPDPuUEHf/Owt1sTVxfZM4FB52k88TcFHVNDZcx52S
YAML
cat >"$work/probe.yaml" <<'YAML'
interval: 1s
probes:
  - name: flood_ticks
    buffer_pages: 16
    program: |
      interval:ms:1 { unroll(5) { printf("tick\n"); } }
    lines:
      - { regex: '^tick$', name: flood_ticks_total, help: "Lines the flood probe printed." }
YAML
with_bpftrace "$work/probe.yaml" "$bpftrace" "$work/config.yaml"

port=$(free_port)
url="http://127.0.0.1:$port/metrics"
"${daemon_cmd[@]}" --config.file "$work/config.yaml" --web.config.file "$work/web.yml" --web.listen-address "127.0.0.1:$port" >"$work/daemon.log" 2>&1 &
daemon=$!
metric() { # NAME{LABELS} → value, 0 when absent or the page cannot be read
  { curl -sf -u prometheus:scrape-secret "$url" || true; } | awk -v m="$1" '$1 == m {v = $2} END {print v + 0}'
}
ticks=0
for ((i = 0; i < 600; i++)); do
  ticks=$(metric flood_ticks_total)
  [ "$ticks" -gt 0 ] && break
  kill -0 "$daemon" 2>/dev/null || break
  sleep 0.1
done
if [ "$ticks" -eq 0 ]; then
  echo "auth-flood.sh: the flood probe never counted a line:" >&2; cat "$work/daemon.log" >&2; exit 1
fi

lost_before=$(metric 'trace_exporter_lost_events_total{probe="flood_ticks"}')
builtin_lost_before=$(metric 'trace_exporter_lost_events_total{probe="builtin"}')
echo "auth-flood.sh: ready after ${SECONDS}s; wrk: $connections connections of wrong passwords, ${seconds}s; a correct scrape every 250 ms"
wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s -s bench/auth-flood.lua "$url" >"$work/wrk.txt" 2>&1 &
flood=$!
end=$((SECONDS + seconds))
while ((SECONDS < end)); do
  curl -s -o /dev/null -m 10 -u prometheus:scrape-secret -w '%{http_code} %{time_total}\n' "$url" >>"$work/scrapes.txt" || echo "000 10" >>"$work/scrapes.txt"
  sleep 0.25
done
wait "$flood" || true
sleep 2 # the last map print reaches the counters
lost_after=$(metric 'trace_exporter_lost_events_total{probe="flood_ticks"}')
builtin_lost_after=$(metric 'trace_exporter_lost_events_total{probe="builtin"}')
refused=$(curl -sf -u prometheus:scrape-secret "$url" | grep '^trace_exporter_web_auth_refused_total' || true)
cat "$work/wrk.txt"
echo "$refused"

failed=$(awk '$1 != 200' "$work/scrapes.txt" | wc -l)
summary=$(sort -k2 -g "$work/scrapes.txt" | awk '{t[NR] = $2} END {
  p50 = t[int((NR - 1) * 0.50) + 1]; p99 = t[int((NR - 1) * 0.99) + 1];
  printf "correct scrapes: %d, p50 %.3fs, p99 %.3fs, max %.3fs", NR, p50, p99, t[NR] }')
rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")
echo
echo "$summary; failed $failed"
echo "wrong-password requests: ${rps:-?}/s"
echo "lost events: flood_ticks $lost_before -> $lost_after, builtin $builtin_lost_before -> $builtin_lost_after"
p99=$(sort -k2 -g "$work/scrapes.txt" | awk '{t[NR] = $2} END {print t[int((NR - 1) * 0.99) + 1]}')
awk -v p="$p99" 'BEGIN {exit !(p < 1)}' || { echo "auth-flood.sh: p99 ${p99}s is not under 1 s" >&2; exit 1; }
[ "$failed" -eq 0 ] || { echo "auth-flood.sh: $failed correct scrapes failed" >&2; exit 1; }
[ "$lost_before" = "$lost_after" ] && [ "$builtin_lost_before" = "$builtin_lost_after" ] || { echo "auth-flood.sh: events were lost during the flood" >&2; exit 1; }
