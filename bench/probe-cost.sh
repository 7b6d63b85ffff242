#!/usr/bin/env bash
# In-kernel cost per event of each built-in probe, from the kernel's own accounting, next to the floor.
#
# For each built-in probe: TraceExporter runs with only that probe enabled, and beside it a bpftrace with an
# empty program on each of the probe's attach points (`tracepoint:X { }`, or `rawtracepoint:vmlinux:X { }` where
# the daemon attaches its built-ins to typed raw tracepoints: the same points as the daemon's), the floor: what any BPF program on
# that tracepoint costs. With kernel.bpf_stats_enabled=1 the kernel adds up run_time_ns and run_cnt of every
# program; a workload in a network namespace of our own fires the tracepoints (a connection storm, a bulk
# transfer, a transfer through a lossy nftables rule for retransmits and drops, and a few hundred execs), and
# the cost per event is run_time_ns / run_cnt of the programs attached by each process (`bpftool perf show`
# says which program is attached where). bpf_stats_enabled is restored afterwards.
#
# For tcp_read_bytes, tcp_connects, tcp_accepts and the two joined (tcp_connects+tcp_accepts, as they ship),
# bench/reference's hand-written libbpf program counting the same runs beside them too: what the counting
# itself costs without anything a general tool adds.
#
# Usage (root): bench/probe-cost.sh [--short] [--daemon PATH] [--probe NAME] [--bpftrace PATH] [--attach auto|tracepoint]
#   --daemon    the daemon to run (default: the native one scripts/publish makes; a .dll runs under dotnet)
#   --bpftrace  the bpftrace to run, for the probe and the floor alike (default: bpftrace on PATH); e.g. a
#               script running a newer bpftrace in a chroot, as tests/fixtures/record-fixtures.sh describes
#   --attach    the daemon's bpftrace.attach (default auto: typed raw tracepoints on bpftrace 0.24+); the floor
#               attaches where the daemon's built-ins do
set -euo pipefail
cd "$(dirname "$0")/.."

connections=20000
megabytes=1024
execs=300
daemon_path=""
only=""
bpftrace=bpftrace
attach=auto
while (($#)); do
  case "$1" in
    --short) connections=5000; megabytes=256; execs=100 ;;
    --daemon) daemon_path="$2"; shift ;;
    --probe) only="$2"; shift ;;
    --bpftrace) bpftrace="$2"; shift ;;
    --attach) attach="$2"; shift ;;
    *) echo "usage: $0 [--short] [--daemon PATH] [--probe NAME] [--bpftrace PATH] [--attach auto|tracepoint]" >&2; exit 2 ;;
  esac
  shift
done

script=probe-cost.sh
work_prefix=te-probecost
ns_prefix=te-cost
# shellcheck source=bench/common.sh
. bench/common.sh
bench_setup "$bpftrace" bpftool ip nft cc curl python3 clang
reference=$(bench/reference/build.sh "$work/reference") || { echo "probe-cost.sh: cannot build bench/reference" >&2; exit 1; }
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

# The attach points of probe $1 as the daemon on port $2 runs it (typed raw tracepoints on bpftrace 0.24+,
# classic ones before), from the "attached to" column of its landing page: the floor attaches to the same.
attach_points() {
  curl -sf "http://127.0.0.1:$2/" | sed -n "s|.*<tr><td>$1</td><td>builtin</td><td>[^<]*</td><td>\([^<]*\)</td>.*|\1|p" | tr -d ','
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
# bench/reference's hand-written libbpf program for a probe ("" when there is none).
reference_program() {
  case "$1" in
    tcp_read_bytes) echo tcp_read_bytes ;;
    tcp_connects) echo tcp_connects ;;
    tcp_accepts) echo tcp_accepts ;;
    tcp_connects+tcp_accepts) echo tcp_connects_accepts ;;
  esac
}

# Starts a tracer in the background (its pid in $started) and waits until it has $2 programs attached.
start_attached() {
  local log=$1 points=$2
  shift 2
  "$@" >"$log" 2>&1 &
  started=$!
  pids+=("$started")
  if ! wait_for 300 bash -c "kill -0 $started && [ \"\$(bpftool perf show | grep -c 'pid $started ')\" -ge $points ]"; then
    echo "probe-cost.sh: $* did not attach:" >&2; cat "$log" >&2; exit 1
  fi
}

per_event() { awk -v ns="$1" -v cnt="$2" 'BEGIN { if (cnt > 0) printf "%.1f", ns / cnt; else printf "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b != "-" && b > 0) printf "%.2f", a / b; else printf "-" }'; }

printf "%-24s %10s %10s %10s %10s %8s %8s\n" probe events bpftrace reference floor bt/floor ref/floor
for probe in tcp_connects tcp_accepts tcp_connects+tcp_accepts skb_drops tcp_read_bytes tcp_retransmits process_execs; do
  [ -n "$only" ] && [ "$only" != "$probe" ] && continue
  {
    echo "interval: 5s"
    echo "builtin:"
    for p in tcp_connects tcp_accepts skb_drops tcp_read_bytes tcp_retransmits process_execs; do
      [[ "+$probe+" == *"+$p+"* ]] && echo "  $p: true" || echo "  $p: false"
    done
    echo "bpftrace:"
    echo "  path: $bpftrace"
    echo "  attach: $attach"
  } >"$work/config.yaml"
  port=$(free_port)
  "${daemon_cmd[@]}" --config.file "$work/config.yaml" --web.listen-address "127.0.0.1:$port" >"$work/daemon.log" 2>&1 &
  daemon=$!
  pids+=("$daemon")
  if ! wait_for 600 bash -c "kill -0 $daemon && curl -sf http://127.0.0.1:$port/healthz -o /dev/null"; then
    echo "probe-cost.sh: the daemon did not become healthy:" >&2; cat "$work/daemon.log" >&2; exit 1
  fi
  # The process holding the programs: bpftrace itself (setpriv and any chroot wrapper exec it, keeping the pid).
  child=$(pgrep -P "$daemon" | head -n1)
  first_point=${probe%%+*}
  points=$(attach_points "$first_point" "$port" | wc -w)
  [ "$points" -gt 0 ] || { echo "probe-cost.sh: the daemon's landing page names no attach point for $first_point" >&2; exit 1; }

  floor_program=""
  for point in $(attach_points "$first_point" "$port"); do floor_program+="$point { } "; done
  start_attached "$work/floor.log" "$points" "$bpftrace" -e "$floor_program"
  floor=$started
  tracers=("$child" "$floor")
  ref=""
  if [ -n "$(reference_program "$probe")" ]; then
    start_attached "$work/reference.log" 1 "$reference" "$(reference_program "$probe")"
    ref=$started
    tracers+=("$ref")
  fi

  before=() after=()
  for t in "${tracers[@]}"; do before+=("$(program_totals "$t")"); done
  workload
  for t in "${tracers[@]}"; do after+=("$(program_totals "$t")"); done

  kill -TERM "$floor" "$daemon" ${ref:+"$ref"}
  wait "$floor" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  [ -z "$ref" ] || wait "$ref" 2>/dev/null || true

  costs=() events=()
  for i in "${!tracers[@]}"; do
    read -r ns0 cnt0 <<<"${before[i]}"
    read -r ns1 cnt1 <<<"${after[i]}"
    costs+=("$(per_event $((ns1 - ns0)) $((cnt1 - cnt0)))")
    events+=($((cnt1 - cnt0)))
  done
  bt=${costs[0]} fl=${costs[1]} rf=${costs[2]:--}
  printf "%-24s %10s %10s %10s %10s %8s %8s\n" "$probe" "${events[0]}" "$bt" "$rf" "$fl" "$(ratio "$bt" "$fl")" "$(ratio "$rf" "$fl")"
  # All three see the same events; a difference means one attached late or missed some (recursion).
  for i in "${!events[@]}"; do
    [ "${events[i]}" -eq "${events[0]}" ] || echo "  note: events differ: bpftrace ${events[0]}, floor ${events[1]}, reference ${events[2]:--}"
  done | sort -u
done
echo "(ns per event: run_time_ns / run_cnt, kernel.bpf_stats_enabled=1; bpftrace: the built-in alone in the daemon;"
echo " reference: bench/reference's hand-written libbpf program counting the same; floor: an empty bpftrace program"
echo " on the same attach points; all three attached at once, so they see the same events)"
