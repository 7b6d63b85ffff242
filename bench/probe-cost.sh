#!/usr/bin/env bash
# In-kernel cost per event of each built-in probe, from the kernel's own accounting, next to the floor.
#
# For each built-in probe: TraceExporter runs with only that probe enabled, and beside it a bpftrace with an
# empty program on each of the probe's attach points (`tracepoint:X { }`), the floor: what any BPF program on
# that tracepoint costs. With kernel.bpf_stats_enabled=1 the kernel adds up run_time_ns and run_cnt of every
# program; a workload in a network namespace of our own fires the tracepoints (a connection storm, a bulk
# transfer, a transfer through a lossy nftables rule for retransmits and drops, and a few hundred execs), and
# the cost per event is run_time_ns / run_cnt of the programs attached by each process (`bpftool perf show`
# says which program is attached where). bpf_stats_enabled is restored afterwards.
#
# Usage (root): bench/probe-cost.sh [--short] [--daemon PATH] [--probe NAME] [--bpftrace PATH]
#   --daemon    the daemon to run (default: the native one scripts/publish makes; a .dll runs under dotnet)
#   --bpftrace  the bpftrace to run, for the probe and the floor alike (default: bpftrace on PATH); e.g. a
#               script running a newer bpftrace in a chroot, as tests/fixtures/record-fixtures.sh describes
set -euo pipefail
cd "$(dirname "$0")/.."

connections=20000
megabytes=1024
execs=300
daemon_path=""
only=""
bpftrace=bpftrace
while (($#)); do
  case "$1" in
    --short) connections=5000; megabytes=256; execs=100 ;;
    --daemon) daemon_path="$2"; shift ;;
    --probe) only="$2"; shift ;;
    --bpftrace) bpftrace="$2"; shift ;;
    *) echo "usage: $0 [--short] [--daemon PATH] [--probe NAME] [--bpftrace PATH]" >&2; exit 2 ;;
  esac
  shift
done

script=probe-cost.sh
work_prefix=te-probecost
ns_prefix=te-cost
# shellcheck source=bench/common.sh
. bench/common.sh
bench_setup "$bpftrace" bpftool ip nft cc curl python3
lossy_port=7999
# One packet in 25 to the lossy port is dropped: retransmits, and kfree_skb with reason NETFILTER_DROP.
ip netns exec "$ns" nft -f - <<EOF
table inet te_cost {
  chain input {
    type filter hook input priority 0;
    tcp dport $lossy_port numgen random mod 25 == 0 drop
  }
}
EOF

wait_for() {
  local tenths=$1; shift
  for ((i = 0; i < tenths; i++)); do "$@" && return 0; sleep 0.1; done
  return 1
}

# The attach points of each probe, as its program on this kernel uses them (for the floor).
attach_points() {
  case "$1" in
    tcp_connects | tcp_accepts) echo "tracepoint:sock:inet_sock_set_state" ;;
    skb_drops) echo "tracepoint:skb:kfree_skb" ;;
    tcp_read_bytes)
      if [ -d /sys/kernel/tracing/events/sock/sock_recv_length ]; then echo "tracepoint:sock:sock_recv_length"; else echo "kprobe:tcp_cleanup_rbuf"; fi ;;
    tcp_retransmits) echo "tracepoint:tcp:tcp_retransmit_skb tracepoint:tcp:tcp_retransmit_synack" ;;
    process_execs) echo "tracepoint:sched:sched_process_exec" ;;
  esac
}

# "run_time_ns run_cnt" summed over the tracepoint/kprobe programs process $1 has attached.
program_totals() {
  bpftool perf show --json | python3 -c '
import json, subprocess, sys
pid = int(sys.argv[1])
ids = {e["prog_id"] for e in json.load(sys.stdin) if e.get("pid") == pid and e.get("fd_type") in ("tracepoint", "kprobe")}
ns = cnt = 0
for i in ids:
    p = json.loads(subprocess.check_output(["bpftool", "prog", "show", "id", str(i), "--json"]))
    ns += p.get("run_time_ns", 0); cnt += p.get("run_cnt", 0)
print(ns, cnt)' "$1"
}

workload() {
  local port=$((7000 + RANDOM % 900))
  ip netns exec "$ns" "$work/tcpload" storm "$port" "$connections" 20 >/dev/null
  ip netns exec "$ns" "$work/tcpload" bulk "$((port + 1))" "$megabytes" 20 >/dev/null
  ip netns exec "$ns" "$work/tcpload" bulk "$lossy_port" 16 20 >/dev/null
  for ((i = 0; i < execs; i++)); do /bin/true; done
}

echo "probe-cost.sh: $("$bpftrace" --version)"
echo 1 >/proc/sys/kernel/bpf_stats_enabled
port=$((20000 + $$ % 20000))
printf "%-16s %12s %12s %12s %12s %7s\n" probe events "probe ns/ev" "floor events" "floor ns/ev" ratio
for probe in tcp_connects tcp_accepts skb_drops tcp_read_bytes tcp_retransmits process_execs; do
  [ -n "$only" ] && [ "$only" != "$probe" ] && continue
  {
    echo "interval: 5s"
    echo "builtin:"
    for p in tcp_connects tcp_accepts skb_drops tcp_read_bytes tcp_retransmits process_execs; do
      [ "$p" = "$probe" ] && echo "  $p: true" || echo "  $p: false"
    done
    echo "bpftrace:"
    echo "  path: $bpftrace"
  } >"$work/config.yaml"
  port=$((port + 1))
  "${daemon_cmd[@]}" --config.file "$work/config.yaml" --web.listen-address "127.0.0.1:$port" >"$work/daemon.log" 2>&1 &
  daemon=$!
  pids+=("$daemon")
  if ! wait_for 600 bash -c "kill -0 $daemon && curl -sf http://127.0.0.1:$port/healthz -o /dev/null"; then
    echo "probe-cost.sh: the daemon did not become healthy:" >&2; cat "$work/daemon.log" >&2; exit 1
  fi
  # The process holding the programs: bpftrace itself (setpriv and any chroot wrapper exec it, keeping the pid).
  child=$(pgrep -P "$daemon" | head -n1)

  floor_program=""
  for point in $(attach_points "$probe"); do floor_program+="$point { } "; done
  "$bpftrace" -e "$floor_program" >"$work/floor.log" 2>&1 &
  floor=$!
  pids+=("$floor")
  if ! wait_for 300 bash -c "kill -0 $floor && [ \"\$(bpftool perf show | grep -c 'pid $floor ')\" -ge $(attach_points "$probe" | wc -w) ]"; then
    echo "probe-cost.sh: the floor bpftrace did not attach:" >&2; cat "$work/floor.log" >&2; exit 1
  fi

  read -r p_ns0 p_cnt0 < <(program_totals "$child")
  read -r f_ns0 f_cnt0 < <(program_totals "$floor")
  workload
  read -r p_ns1 p_cnt1 < <(program_totals "$child")
  read -r f_ns1 f_cnt1 < <(program_totals "$floor")

  kill -TERM "$floor" "$daemon"
  wait "$floor" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true

  awk -v probe="$probe" -v pn=$((p_ns1 - p_ns0)) -v pc=$((p_cnt1 - p_cnt0)) -v fn=$((f_ns1 - f_ns0)) -v fc=$((f_cnt1 - f_cnt0)) 'BEGIN {
    pe = pc > 0 ? pn / pc : 0; fe = fc > 0 ? fn / fc : 0
    printf "%-16s %12d %12.1f %12d %12.1f %7s\n", probe, pc, pe, fc, fe, (fe > 0 ? sprintf("%.2f", pe / fe) : "-")
  }'
done
echo "(ns/ev: run_time_ns / run_cnt from kernel.bpf_stats_enabled; floor: an empty bpftrace program on the same attach points, run at the same time)"
