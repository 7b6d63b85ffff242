#!/usr/bin/env bash
# Records real strace output for the parser tests (StraceLineParserTests). Run from anywhere, as root or not;
# needs strace and dash. Each scenario writes NAME.txt (strace's -o output, exactly as the daemon reads it).
# The daemon runs strace with "-f -q -xx -s 4096 -o PIPE"; two scenarios use strace's default string
# format instead (no -xx) so the parser is also tested on C escapes. Paths are made under a fixed directory
# so the tests can name them.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)"
work=/tmp/te-strace-fixture
rm -rf "$work" && mkdir -p "$work"
cd "$work"
echo hello > present.txt
common=(-f -q -xx -s 4096)
record() { local name=$1; shift; strace "$@" >/dev/null 2>&1 || true; echo "recorded $name"; }

# 5 opens of a missing file and 3 of an existing one, by the shell itself (no helper binaries).
record opens_5_missing_3_present "${common[@]}" -e trace=openat -o "$out/opens_5_missing_3_present.txt" \
  dash -c 'for i in 1 2 3 4 5; do true < '"$work"'/missing.txt; done; for i in 1 2 3; do true < '"$work"'/present.txt; done'

# Several processes at once: unfinished/resumed lines, SIGCHLD, exits with codes.
record interleaved "${common[@]}" -o "$out/interleaved.txt" \
  dash -c 'cat '"$work"'/present.txt & cat '"$work"'/missing.txt & (sleep 0.05; exit 3) & wait; wait; exit 0'

# A child killed by SIGKILL; wait4 reports it.
record killed "${common[@]}" -e trace=%process,openat -o "$out/killed.txt" \
  dash -c 'sleep 5 & kill -9 $!; wait; exit 4'

# Only failed calls (status=failed), file class.
record status_failed "${common[@]}" -e trace=file -e status=failed -o "$out/status_failed.txt" \
  dash -c 'true < '"$work"'/missing.txt; ls '"$work"'/nope 2>/dev/null; exit 0'

# Network class: a connect that fails (nothing listens on port 1).
record network "${common[@]}" -e trace=network -o "$out/network.txt" \
  bash -c 'exec 3<>/dev/tcp/127.0.0.1/1' 

# Odd file names, default string format (C escapes) and -xx, and a name longer than -s.
odd=$'quote"back\\slash\nnewline tab\t\xc3\xa9 \xff'
long=$(printf 'x%.0s' $(seq 1 300))
record odd_names_escaped -f -q -s 64 -e trace=openat -o "$out/odd_names_escaped.txt" \
  dash -c 'true < "$1"; true < "$2"' sh "$work/$odd" "$work/$long"
record odd_names_hex "${common[@]}" -e trace=openat -o "$out/odd_names_hex.txt" \
  dash -c 'true < "$1"; true < "$2"' sh "$work/$odd" "$work/$long"

# The guard's options: failed openat calls held at exit (delay_exit adds " (DELAYED)").
record delayed "${common[@]}" -e trace=openat -e status=failed -e inject=openat:delay_exit=1ms \
  -o "$out/delayed.txt" dash -c 'true < '"$work"'/missing.txt; exit 0'

# Whole-program trace of a threaded program: many interleaved unfinished/resumed lines.
record threads "${common[@]}" -o "$out/threads.txt" \
  perl -e 'if (fork) { open(my $f, "<", "'"$work"'/present.txt"); wait } else { open(my $f, "<", "'"$work"'/missing.txt"); select(undef,undef,undef,0.02); exit 2 }'

strace -V | head -1 > "$out/VERSION"
rm -rf "$work"
