# Shared set-up of the bench scripts (sourced, not run): root and tools checked, a work folder and a network
# namespace of their own, every started process and the bpf_stats switch put back on exit, the daemon and
# the workload built. Expects: $script (for messages), $work_prefix, $ns_prefix, $daemon_dll (may be empty),
# and the tools to check as arguments to bench_setup. program_totals PID: the run_time_ns and run_cnt of the programs PID attached.

bench_setup() {
  [ "$(id -u)" -eq 0 ] || { echo "$script: run as root" >&2; exit 3; }
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$script: $tool is missing" >&2; exit 3; }
  done

  work=$(mktemp -d "/tmp/$work_prefix.XXXXXX")
  ns="$ns_prefix-$$"
  pids=()
  stats_before=$(cat /proc/sys/kernel/bpf_stats_enabled)
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM

  if [ -z "$daemon_dll" ]; then
    dotnet build src/TraceExporter -c Release --nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
    daemon_dll=src/TraceExporter/bin/Release/net10.0/trace-exporter.dll
  fi
  cc -O2 -pthread -o "$work/tcpload" bench/tcpload.c

  ip netns add "$ns"
  ip -n "$ns" link set lo up
}

bench_cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "$stats_before" >/proc/sys/kernel/bpf_stats_enabled
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
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
