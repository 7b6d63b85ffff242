#!/usr/bin/env python3
"""BPF map syscalls without pause for SECONDS: looks up the one key of a per-CPU hash map of its own in a loop.

The kernel holds the CPU's bpf_prog_active guard during each lookup (bpf_disable_instrumentation), as it does
whenever bpftrace prints or clears a map; a classic tracepoint that fires meanwhile on that CPU runs none of its
BPF programs and counts a recursion miss for each. Run one per CPU to make that frequent (retransmit-gap.sh --storm).

Usage: map-storm.py SECONDS   (root; x86_64 or arm64)
"""
import ctypes
import platform
import struct
import sys
import time

BPF = {"x86_64": 321, "aarch64": 280}[platform.machine()]
MAP_CREATE, MAP_LOOKUP_ELEM, MAP_UPDATE_ELEM = 0, 1, 2
PERCPU_HASH = 5

libc = ctypes.CDLL(None, use_errno=True)


def bpf(command, attr):
    result = libc.syscall(BPF, command, attr, len(attr))
    if result < 0:
        raise OSError(ctypes.get_errno(), f"bpf({command})")
    return result


def main():
    seconds = float(sys.argv[1])
    fd = bpf(MAP_CREATE, ctypes.create_string_buffer(struct.pack("<IIIII", PERCPU_HASH, 4, 8, 1, 0), 72))
    key = ctypes.create_string_buffer(4)
    value = ctypes.create_string_buffer(8 * 4096)  # a per-CPU value is copied for every possible CPU
    element = ctypes.create_string_buffer(struct.pack("<IIQQQ", fd, 0, ctypes.addressof(key), ctypes.addressof(value), 0), 72)
    bpf(MAP_UPDATE_ELEM, element)
    lookups = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for _ in range(1000):
            libc.syscall(BPF, MAP_LOOKUP_ELEM, element, 72)
        lookups += 1000
    print(f"map-storm: {lookups} lookups")


if __name__ == "__main__":
    main()
