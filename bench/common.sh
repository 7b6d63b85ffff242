# Shared set-up of the bench scripts (sourced, not run): root and tools checked, a work folder and a network
# namespace of their own, every started process and the bpf_stats switch put back on exit, the daemon and
# the workload built. Expects: $script (for messages), $work_prefix, $ns_prefix, $daemon_path (may be empty; "none" runs no daemon),
# and the tools to check as arguments to bench_setup. Sets daemon_cmd (bench_daemon).
# program_totals PID: the run_time_ns and run_cnt of the programs PID attached.

# Exits 3 unless run as root with every tool given on PATH. Expects $script.
bench_check() {
  [ "$(id -u)" -eq 0 ] || { echo "$script: run as root" >&2; exit 3; }
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$script: $tool is missing" >&2; exit 3; }
  done
}

bench_setup() {
  bench_check "$@"
  work=$(mktemp -d "/tmp/$work_prefix.XXXXXX")
  ns="$ns_prefix-$$"
  pids=()
  stats_before=$(cat /proc/sys/kernel/bpf_stats_enabled)
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM

  [ "$daemon_path" = none ] || bench_daemon "$daemon_path"
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
ids = {e["prog_id"] for e in json.load(sys.stdin) if e.get("pid") == pid and e.get("fd_type") in ("tracepoint", "raw_tracepoint", "kprobe")}
ns = cnt = 0
for i in ids:
    p = json.loads(subprocess.check_output(["bpftool", "prog", "show", "id", str(i), "--json"]))
    ns += p.get("run_time_ns", 0); cnt += p.get("run_cnt", 0)
print(ns, cnt)' "$1"
}

# The set-up of the scripts that run one daemon at a time and no namespace: root and the tools given checked,
# a work folder /tmp/$1.XXXXXX ($work), and $daemon (the running daemon's pid, or empty) stopped and the work
# folder removed on exit. Expects $script.
bench_daemon_setup() {
  local prefix=$1
  shift
  bench_check "$@"
  work=$(mktemp -d "/tmp/$prefix.XXXXXX")
  daemon=""
  trap bench_daemon_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_daemon_cleanup() {
  if [ -n "$daemon" ]; then kill -TERM "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
  rm -rf "$work"
}

# The daemon to run, as the command array daemon_cmd: the path given (--daemon; a .dll, the JIT build, runs
# under dotnet), else the native executable scripts/publish makes, as it ships.
bench_daemon() {
  local path=${1:-}
  if [ -z "$path" ]; then
    path=$(scripts/publish 2>"$work/publish.log") || { cat "$work/publish.log" >&2; exit 1; }
  fi
  [ -f "$path" ] || { echo "${script:-bench}: no daemon at $path" >&2; exit 1; }
  case "$path" in
    *.dll) daemon_cmd=(dotnet "$path") ;;
    *) daemon_cmd=("$path") ;;
  esac
}

# The configuration file $1 with bpftrace.path set to $2, written to $3 (for --bpftrace): the path of its
# bpftrace: section replaced, or the section added.
with_bpftrace() {
  awk -v path="$2" '
    /^[^ #]/ { if (section && !done) { print "  path: " path; done = 1 } section = ($0 ~ /^bpftrace:/) }
    section && /^  path:/ { if (!done) print "  path: " path; done = 1; next }
    { print }
    END { if (!section && !done) print "bpftrace:"; if (!done) print "  path: " path }' "$1" >"$3"
}

# bpftrace 0.24+ finds raw tracepoints only while some BTF object besides vmlinux's is loaded (the daemon loads
# one of its own on such kernels: src/TraceExporter/Kernel/BtfAnchor.cs). For a bpftrace run without the daemon,
# this holds the same 45-byte object (one int type) from a background python3 until the script ends.
hold_btf_anchor() {
  ls /sys/kernel/btf | grep -qv '^vmlinux$' && return 0
  python3 -c '
import ctypes, os, signal, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
strings = b"\0int\0"
types = struct.pack("<IIII", 1, 1 << 24, 4, (1 << 24) | 32)
blob = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strings)) + types + strings
buf = ctypes.create_string_buffer(blob, len(blob))
attr = ctypes.create_string_buffer(struct.pack("<QQIII", ctypes.addressof(buf), 0, len(blob), 0, 0), 32)
number = {"x86_64": 321, "aarch64": 280}[os.uname().machine]
if libc.syscall(number, 18, attr, 32) < 0:
    sys.exit("BPF_BTF_LOAD: " + os.strerror(ctypes.get_errno()))
print("held", flush=True)
signal.pause()' >"$work/btf-anchor.log" 2>&1 &
  pids+=("$!")
  wait_until_file_says "$work/btf-anchor.log" held
}
wait_until_file_says() {
  local i
  for ((i = 0; i < 50; i++)); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "$script: $1 never said '$2': $(cat "$1")" >&2; exit 1
}

# A TCP port on 127.0.0.1 that nothing listens on now, picked by the kernel (a fixed or pid-derived port may
# be taken by another program on a shared machine).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
