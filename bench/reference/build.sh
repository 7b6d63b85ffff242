#!/usr/bin/env bash
# Builds bench/reference/counters (libbpf loader + BPF object, embedded through a bpftool skeleton) into
# OUTDIR (default: a folder of its own under /tmp), and prints the executable's path. vmlinux.h is made
# from this machine's kernel BTF each time, so the CO-RE relocations are checked against it at build time.
# Needs clang, bpftool and libbpf-dev (scripts/setup installs them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$(mktemp -d /tmp/te-reference.XXXXXX)}
mkdir -p "$out"
arch=$(uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')
bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$out/vmlinux.h"
clang -g -O2 -target bpf -D__TARGET_ARCH_"$arch" -I"$out" -c "$here/counters.bpf.c" -o "$out/counters.bpf.o"
bpftool gen skeleton "$out/counters.bpf.o" name counters_bpf >"$out/counters.skel.h"
cc -O2 -Wall -Wextra -I"$out" "$here/counters.c" -o "$out/counters" -lbpf
echo "$out/counters"
