#!/usr/bin/env bash
# In-kernel cost per event of adding bpftrace's `cgroup` builtin to a map key (issue 12).
#
# Three bpftrace programs on one tracepoint, each run alone (one after another, in a rotating order, so no
# program warms the caches for another):
#   floor        tracepoint:X { }                                  (what any program there costs)
#   comm         @m[COMM_LO, COMM_HI] = count();                   (a name as two u64 read through BTF, as the built-ins do)
#   cgroup+comm  @m[cgroup, COMM_LO, COMM_HI] = count();           (the same, keyed by cgroup id too)
# With kernel.bpf_stats_enabled=1 the kernel adds up run_time_ns and run_cnt of each program; the cost per
# event is run_time_ns / run_cnt over the workload. No filter: every event updates the map, so the difference between comm and
# cgroup+comm is what the wider key costs per update. Tracepoints: sock:inet_sock_set_state (a connection storm
# in a network namespace of our own, about six events per connection) and sched:sched_process_exec (execs of
# /bin/true; rare events, cold caches, so noisy). bpf_stats_enabled is restored afterwards.
#
# Usage (root, under the shared lock): flock /tmp/te-kernel.lock bench/cgroup-key-cost.sh [--short] [--rounds N]
#   [--tracepoint sock:inet_sock_set_state|sched:sched_process_exec] [--bpftrace PATH]
set -euo pipefail
cd "$(dirname "$0")/.."

connections=20000
execs=1000
rounds=5
bpftrace=bpftrace
tracepoints=(sock:inet_sock_set_state sched:sched_process_exec)
while (($#)); do
  case "$1" in
    --short) connections=3000; execs=60; rounds=1 ;;
    --rounds) rounds="$2"; shift ;;
    --bpftrace) bpftrace="$2"; shift ;;
    --tracepoint) tracepoints=("$2"); shift ;;
    --daemon) shift ;; # accepted for the bench-script tests; no daemon is run
    *) echo "usage: $0 [--short] [--rounds N] [--tracepoint sock:inet_sock_set_state|sched:sched_process_exec] [--bpftrace PATH]" >&2; exit 2 ;;
  esac
  shift
done

for tp in "${tracepoints[@]}"; do
  case "$tp" in sock:inet_sock_set_state | sched:sched_process_exec) ;; *) echo "$0: no workload for $tp" >&2; exit 2 ;; esac
done

script=cgroup-key-cost.sh
work_prefix=te-cgkeycost
ns_prefix=te-cgkey
daemon_path=none # not built: only bpftrace runs here
# shellcheck source=bench/common.sh
. bench/common.sh
bench_setup "$bpftrace" bpftool ip cc python3

# task_struct.comm's offset from the kernel's BTF, as the daemon fills in {{offsetof task_struct.comm}}. awk reads to the
# end: stopping early would fail the pipeline (pipefail) with bpftool's SIGPIPE.
comm_offset=$(bpftool btf dump file /sys/kernel/btf/vmlinux format raw |
  awk '/^\[[0-9]+\] STRUCT .task_struct. /{f=1; next} f && /^\[/{f = 0} f && /^\t.comm. /{sub(/.*bits_offset=/, ""); print $1 / 8}')
[ -n "$comm_offset" ] || { echo "$script: no task_struct.comm in the kernel's BTF" >&2; exit 3; }
comm_lo="*(uint64 *)((uint64)curtask + $comm_offset)"
comm_hi="*(uint64 *)((uint64)curtask + $comm_offset + 8)"

program() { # tracepoint variant
  case "$2" in
    floor) echo "tracepoint:$1 { }" ;;
    comm) echo "tracepoint:$1 { @m[$comm_lo, $comm_hi] = count(); }" ;;
    cgroup+comm) echo "tracepoint:$1 { @m[cgroup, $comm_lo, $comm_hi] = count(); }" ;;
  esac
}

wait_attached() {
  local pid=$1
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(bpftool perf show | grep -c "^pid $pid ")" -ge 1 ] && return 0
    sleep 0.1
  done
  return 1
}

workload() {
  case "$1" in
    sock:inet_sock_set_state) ip netns exec "$ns" "$work/tcpload" storm "$((7000 + RANDOM % 900))" "$connections" 30 >/dev/null ;;
    sched:sched_process_exec) for ((i = 0; i < execs; i++)); do /bin/true; done ;;
  esac
}

variants=(floor comm cgroup+comm)
echo "cgroup-key-cost.sh: $("$bpftrace" --version), kernel $(uname -r), task_struct.comm at +$comm_offset"
echo 1 >/proc/sys/kernel/bpf_stats_enabled
printf "%-26s %5s %-12s %10s %10s\n" tracepoint round program events "ns/event"
for tp in "${tracepoints[@]}"; do
  for ((round = 0; round < rounds; round++)); do
    for ((k = 0; k < ${#variants[@]}; k++)); do
      v=${variants[$(((k + round) % ${#variants[@]}))]}
      "$bpftrace" -e "$(program "$tp" "$v")" >"$work/$v.log" 2>&1 &
      pid=$!
      pids+=("$pid")
      wait_attached "$pid" || { echo "$script: bpftrace ($v on $tp) did not attach:" >&2; cat "$work/$v.log" >&2; exit 1; }
      read -r ns0 cnt0 < <(program_totals "$pid")
      workload "$tp"
      read -r ns1 cnt1 < <(program_totals "$pid")
      kill -INT "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      awk -v tp="$tp" -v r="$((round + 1))" -v v="$v" -v n=$((ns1 - ns0)) -v c=$((cnt1 - cnt0)) \
        'BEGIN { printf "%-26s %5d %-12s %10d %10.1f\n", tp, r, v, c, (c > 0 ? n / c : 0) }' | tee -a "$work/results"
    done
  done
done
echo
echo "median ns/event over $rounds rounds:"
python3 - "$work/results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    tp, _, program, _, ns = line.split()
    runs.setdefault((tp, program), []).append(float(ns))
for (tp, program), values in runs.items():
    print(f"  {tp:26} {program:12} {statistics.median(values):8.1f}  (range {min(values):.1f}-{max(values):.1f})")
PY
echo "(ns/event: run_time_ns / run_cnt from kernel.bpf_stats_enabled; each program ran alone on its own workload, in a rotating order)"
