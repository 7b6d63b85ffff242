#!/usr/bin/env bash
# What tracing costs the traced host. In a network namespace of its own, runs a TCP workload (bench/tcpload.c:
# a connection storm, then a bulk transfer, over the namespace's lo) three ways in alternation:
#   none      no probes
#   exporter  TraceExporter with all built-in probes (config/trace-exporter.yaml)
#   naive     one bpftrace printf per inet_sock_set_state event, piped into `wc -l`
#   floor     empty bpftrace programs on the built-ins' tracepoints: what merely hooking them costs, the
#             part of the exporter's row no program of ours can take away
# and prints, per way: the workload's throughput as a ratio to the untraced run (median of the rounds),
# CPU seconds of the tracer (daemon + bpftrace, or bpftrace + wc) per million events and as % of one core
# during the storm, and memory: the tracer's processes' resident memory summed, at its highest while starting
# (sampled every 0.1 s: bpftrace compiling) and steady (after the workload).
#
# Events are counted by the kernel: after the timed rounds, one untimed round per tracer runs with
# kernel.bpf_stats_enabled=1 and sums run_cnt of the tracer's BPF programs, giving events per connection
# and per MB; timed rounds run with the setting as it was (stats cost time per event).
#
# With --attach-compare (bpftrace 0.24+) two more ways run in the same rounds:
#   exporter-tp  the exporter with bpftrace.attach: tracepoint (classic tracepoints; plain 'exporter' is on
#                typed raw tracepoints there)
#   floor-raw    empty programs on the same six raw tracepoints (rawtracepoint:vmlinux:NAME { })
#
# Usage (root): bench/overhead.sh [--short] [--rounds N] [--daemon PATH] [--bpftrace PATH] [--attach-compare]
#   --short     3 rounds of a small workload, < 2 minutes (CI keeps the harness working; no thresholds)
#   --daemon    the daemon to run (default: the native one scripts/publish makes; a .dll runs under dotnet)
#   --bpftrace  the bpftrace of every way (default: bpftrace on PATH), e.g. scripts/bpftrace-chroot's wrapper
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=9
connections=100000000 # the storm runs for max_seconds
megabytes=4096
max_seconds=6
settle=3
daemon_path=""
bpftrace=bpftrace
ways="none floor exporter naive"
while (($#)); do
  case "$1" in
    --short) rounds=3; megabytes=512; max_seconds=2; settle=2 ;;
    --rounds) rounds="$2"; shift ;;
    --daemon) daemon_path="$2"; shift ;;
    --bpftrace) bpftrace="$2"; shift ;;
    --attach-compare) ways="none floor floor-raw exporter exporter-tp naive" ;;
    *) echo "usage: $0 [--short] [--rounds N] [--daemon PATH] [--bpftrace PATH] [--attach-compare]" >&2; exit 2 ;;
  esac
  shift
done

script=overhead.sh
work_prefix=te-overhead
ns_prefix=te-bench
# shellcheck source=bench/common.sh
. bench/common.sh
bench_setup "$bpftrace" ip cc curl python3
with_bpftrace config/trace-exporter.yaml "$bpftrace" "$work/config.yaml"
sed '/^bpftrace:/a\  attach: tracepoint' "$work/config.yaml" >"$work/config-tp.yaml"
[[ " $ways " == *" floor-raw "* ]] && hold_btf_anchor
in_ns() { ip netns exec "$ns" "$@"; }

clk_tck=$(getconf CLK_TCK)
# utime + stime of one process, in clock ticks (fields 14 and 15, counted after the ')' closing comm).
ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0; }
rss_kb() { awk '/^VmRSS:/ {v = $2} END {print v + 0}' "/proc/$1/status" 2>/dev/null || echo 0; }
# Resident kB of the given processes and their children, summed.
tree_rss() {
  local t=0 pid
  for pid in $(printf '%s\n' "$@" $(pgrep -P "$(IFS=,; echo "$*")" || true) | sort -u); do t=$((t + $(rss_kb "$pid"))); done
  echo "$t"
}
# Samples tree_rss of the given processes every 0.1 s into $work/start-peak, keeping the highest; the caller
# kills it when the tracer has settled.
sample_start_peak() {
  local peak=0 now
  while :; do
    now=$(tree_rss "$@")
    if ((now > peak)); then peak=$now; echo "$peak" >"$work/start-peak"; fi
    sleep 0.1
  done
}
sampler=""
start_sampling() { echo 0 >"$work/start-peak"; sample_start_peak "$@" & sampler=$!; pids+=("$sampler"); }
stop_sampling() { kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; }
# Waits for a condition with a deadline, in tenths of a second.
wait_for() {
  local tenths=$1; shift
  for ((i = 0; i < tenths; i++)); do "$@" && return 0; sleep 0.1; done
  return 1
}

# The tracer's processes for the current way; set by start_*.
tracer=()
port=""
healthy() { kill -0 "$1" 2>/dev/null && curl -sf "http://127.0.0.1:$port/healthz" -o /dev/null; }
start_exporter() {
  local config=${1:-$work/config.yaml}
  port=$(free_port)
  # Tracers run in the host's namespaces (probes see every namespace; `ip netns exec` would hide tracefs).
  "${daemon_cmd[@]}" --config.file "$config" \
    --web.listen-address "127.0.0.1:$port" >"$work/daemon.log" 2>&1 &
  local daemon=$!
  pids+=("$daemon")
  start_sampling "$daemon"
  if ! wait_for 600 healthy "$daemon"; then
    echo "overhead.sh: the daemon did not become healthy:" >&2; cat "$work/daemon.log" >&2; exit 1
  fi
  local child
  child=$(pgrep -P "$daemon" -x bpftrace | head -n1)
  [ -n "$child" ] || { echo "overhead.sh: no bpftrace under the daemon" >&2; exit 1; }
  tracer=("$daemon" "$child")
  sleep "$settle" # measure the steady state, not the start-up's JIT and first print
  stop_sampling
}
start_exporter-tp() { start_exporter "$work/config-tp.yaml"; }
start_floor() {
  local points=(sock:inet_sock_set_state skb:kfree_skb sock:sock_recv_length tcp:tcp_retransmit_skb tcp:tcp_retransmit_synack sched:sched_process_exec)
  local program="" point fd_kind=perf_event
  if [ "${1:-}" = raw ]; then
    for point in "${points[@]}"; do program+="rawtracepoint:vmlinux:${point#*:} { } "; done
    fd_kind=bpf_link
  else
    for point in "${points[@]}"; do program+="tracepoint:$point { } "; done
  fi
  "$bpftrace" -e "$program" >"$work/floor.err" 2>&1 &
  local tracer_pid=$!
  pids+=("$tracer_pid")
  start_sampling "$tracer_pid"
  if ! wait_for 300 bash -c "kill -0 $tracer_pid && [ \"\$(ls -l /proc/$tracer_pid/fd | grep -c $fd_kind)\" -ge ${#points[@]} ]"; then
    echo "overhead.sh: the floor bpftrace did not attach:" >&2; cat "$work/floor.err" >&2; exit 1
  fi
  sleep "$settle"
  stop_sampling
  tracer=("$tracer_pid")
}
start_floor-raw() { start_floor raw; }
start_naive() {
  rm -f "$work/fifo"; mkfifo "$work/fifo"
  wc -l <"$work/fifo" >"$work/naive.count" &
  local counter=$!
  "$bpftrace" -e 'tracepoint:sock:inet_sock_set_state { printf("%d %d %d %d\n", pid, args->sport, args->oldstate, args->newstate); }' \
    >"$work/fifo" 2>"$work/naive.err" &
  local tracer_pid=$!
  pids+=("$counter" "$tracer_pid")
  start_sampling "$tracer_pid" "$counter"
  # Attached once the program's perf event exists; a moment more for bpftrace to start polling.
  if ! wait_for 300 bash -c "kill -0 $tracer_pid && ls -l /proc/$tracer_pid/fd | grep -q perf_event"; then
    echo "overhead.sh: the naive bpftrace did not attach:" >&2; cat "$work/naive.err" >&2; exit 1
  fi
  sleep "$settle"
  stop_sampling
  tracer=("$tracer_pid" "$counter")
}
# The first process of a tracer is the one to stop (the daemon stops its bpftrace; wc ends at end of input).
# SIGTERM: background jobs of a script ignore SIGINT.
stop_tracer() {
  local pid
  kill -TERM "${tracer[0]}" 2>/dev/null || true
  for pid in "${tracer[@]}"; do
    wait "$pid" 2>/dev/null || true
    wait_for 100 bash -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null || true
  done
  tracer=()
}
tracer_ticks() { local t=0 pid; for pid in "${tracer[@]}"; do t=$((t + $(ticks "$pid"))); done; echo "$t"; }
# Sum of run_cnt of the BPF programs the tracer's processes hold (needs kernel.bpf_stats_enabled=1).
tracer_runs() {
  local pid
  for pid in "${tracer[@]}"; do cat /proc/"$pid"/fdinfo/* 2>/dev/null || true; done | awk '/^run_cnt:/ {n += $2} END {print n + 0}'
}

workload_port=7000
# Runs one workload, appending "<way> <kind> <rate> <work> <cpu_ticks>" to results.
run_workload() {
  local way=$1 kind=$2 count=$3 before after line
  workload_port=$((workload_port + 1))
  before=$(tracer_ticks)
  line=$(in_ns "$work/tcpload" "$kind" "$workload_port" "$count" "$max_seconds")
  after=$(tracer_ticks)
  # storm: rate = connections/s, work = connections; bulk: rate = MB/s, work = MB
  set -- $line
  if [ "$kind" = storm ]; then
    echo "$way storm $4 $2 $((after - before)) $3" >>"$work/results"
  else
    echo "$way bulk $4 $(($2 / 1000000)) $((after - before)) $3" >>"$work/results"
  fi
}

: >"$work/results"
: >"$work/memory"
echo "overhead.sh: $rounds rounds of: storm for ${max_seconds}s, bulk $megabytes MB (at most ${max_seconds}s), ways ${ways// //}"
for ((round = 1; round <= rounds; round++)); do
  for way in $ways; do
    [ "$way" = none ] || "start_$way"
    run_workload "$way" storm "$connections"
    run_workload "$way" bulk "$megabytes"
    if [ "$way" != none ]; then
      echo "$way $(tree_rss "${tracer[@]}") $(cat "$work/start-peak")" >>"$work/memory"
      [ "$round" -eq 1 ] && for pid in "${tracer[@]}"; do echo "  $way: $(tr -d '\0' </proc/"$pid"/comm) VmRSS $(rss_kb "$pid") kB"; done
      stop_tracer
    fi
  done
  echo "  round $round done"
done

# Events per unit of work, counted by the kernel in one untimed round per tracer.
echo 1 >/proc/sys/kernel/bpf_stats_enabled
: >"$work/events"
for way in ${ways#none }; do
  "start_$way"
  for kind in storm bulk; do
    count=$connections; [ "$kind" = bulk ] && count=$megabytes
    before=$(tracer_runs)
    workload_port=$((workload_port + 1))
    set -- $(in_ns "$work/tcpload" "$kind" "$workload_port" "$count" "$max_seconds")
    after=$(tracer_runs)
    work_done=$2; [ "$kind" = bulk ] && work_done=$(($2 / 1000000))
    echo "$way $kind $(awk -v e=$((after - before)) -v w="$work_done" 'BEGIN {print (w > 0 ? e / w : 0)}')" >>"$work/events"
  done
  stop_tracer
done
echo "$stats_before" >/proc/sys/kernel/bpf_stats_enabled

if [ -s "$work/naive.err" ] && grep -qi lost "$work/naive.err"; then
  echo "note: the naive bpftrace lost events: $(grep -i lost "$work/naive.err" | tail -n1)"
fi

echo "per round (way load rate work cpu-ticks seconds):"
sed 's/^/  /' "$work/results"
awk -v clk="$clk_tck" -v rounds="$rounds" -v waylist="$ways" '
  function median(list, n,   a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  FILENAME ~ /events$/ { per[$1 " " $2] = $3; next }
  FILENAME ~ /memory$/ { steady[$1] = steady[$1] > $2 ? steady[$1] : $2; peak[$1] = peak[$1] > $3 ? peak[$1] : $3; next }
  {
    rate[$1 " " $2] = rate[$1 " " $2] " " $3
    nth[$1 " " $2]++; byround[$1 " " $2, nth[$1 " " $2]] = $3
    work[$1 " " $2] += $4; cpu[$1 " " $2] += $5; secs[$1 " " $2] += $6
  }
  END {
    printf "\n%-12s %-6s %12s %8s %13s %12s %14s %10s %10s %9s\n", "way", "load", "median rate", "ratio", "ratio range", "events/unit", "cpu s/Mevent", "cpu %core", "start MB", "steady MB"
    nways = split(waylist, ways, " "); split("storm bulk", kinds, " ")
    for (k = 1; k <= 2; k++) {
      base = median(rate["none " kinds[k]])
      for (w = 1; w <= nways; w++) {
        key = ways[w] " " kinds[k]
        m = median(rate[key])
        unit = kinds[k] == "storm" ? "conn/s" : "MB/s"
        if (ways[w] == "none") {
          printf "%-12s %-6s %12.0f %8s %13s %12s %14s %10s %10s %9s\n", ways[w], kinds[k], m, "1.000", "-", "-", "-", "-", "-", "-"
          continue
        }
        # Each round against the untraced run of the same round (run just before it): slow drift of the
        # machine cancels out, which medians of the ways taken separately do not do.
        ratios = ""; lo = 1e9; hi = 0
        for (i = 1; i <= nth[key]; i++) {
          q = byround[key, i] / byround["none " kinds[k], i]
          ratios = ratios " " q; lo = q < lo ? q : lo; hi = q > hi ? q : hi
        }
        events = per[key] * work[key]
        cpusec = cpu[key] / clk
        printf "%-12s %-6s %12.0f %8.3f %13s %12.2f %14s %10.2f %10.0f %9.0f\n", ways[w], kinds[k], m, median(ratios), sprintf("%.3f-%.3f", lo, hi), per[key],
          (per[key] >= 1 ? sprintf("%.3f", cpusec / (events / 1e6)) : "-"), (secs[key] > 0 ? 100 * cpusec / secs[key] : 0),
          peak[ways[w]] / 1024, steady[ways[w]] / 1024
      }
    }
    printf "(rate: storm in connections/s, bulk in MB/s; ratio: median over %d alternating rounds of the rate / the untraced rate\n", rounds
    printf " of the same round, and its range;"
    printf " events/unit: BPF program runs per connection or per MB; cpu: tracer processes during the workload;\n"
    printf " start MB: highest VmRSS sum while the tracer started, sampled every 0.1 s; steady MB: VmRSS sum after the workload)\n"
  }' "$work/events" "$work/memory" "$work/results"
