// SPDX-License-Identifier: GPL-2.0
// The reference for what a built-in probe could cost: the same counting as TraceExporter's built-ins,
// written by hand against libbpf, with nothing a general tool adds. Field offsets come from the running
// kernel's BTF: vmlinux.h (bpftool) marks its structs preserve_access_index, so each plain load from the
// tracepoint's raw context struct is a CO-RE relocation libbpf fixes up at load time. No kprobes.
//
//   tcp_read_bytes      sock:sock_recv_length, TCP, ret > 0, not MSG_PEEK: bytes summed by the task's comm
//   tcp_connects        sock:inet_sock_set_state, TCP, -> SYN_SENT: count by the task's comm
//   tcp_accepts         sock:inet_sock_set_state, TCP, SYN_RECV -> ESTABLISHED: count by local port
//   tcp_connects_accepts  both in one program, as the daemon joins the two built-ins on their tracepoint
//   empty_*             the same attach points with programs that do nothing: the floor
//
// Each counter is a per-CPU hash map: an event adds to its own CPU's slot without atomics or locks, and
// only a key seen for the first time on a CPU calls the map update.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define IPPROTO_TCP_NUMBER 6
#define MSG_PEEK_FLAG 2
#define STATE_ESTABLISHED 1
#define STATE_SYN_SENT 2
#define STATE_SYN_RECV 3
#define MAX_KEYS 4096 // bpftrace's default map size

struct comm_key {
	char comm[16]; // TASK_COMM_LEN
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MAX_KEYS);
	__type(key, struct comm_key);
	__type(value, __u64);
} read_bytes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MAX_KEYS);
	__type(key, struct comm_key);
	__type(value, __u64);
} connects SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MAX_KEYS);
	__type(key, __u64);
	__type(value, __u64);
} accepts SEC(".maps");

// Adds delta to this CPU's value of key; a key new to this CPU is inserted (BPF_NOEXIST: if another
// program inserted it meanwhile on this CPU, which cannot happen here, nothing is counted twice).
static __always_inline void add(void *map, const void *key, __u64 delta)
{
	__u64 *value = bpf_map_lookup_elem(map, key);
	if (value) {
		*value += delta;
		return;
	}
	bpf_map_update_elem(map, key, &delta, BPF_NOEXIST);
}

SEC("tracepoint/sock/sock_recv_length")
int tcp_read_bytes(struct trace_event_raw_sock_msg_length *ctx)
{
	int ret = ctx->ret;
	if (ctx->protocol != IPPROTO_TCP_NUMBER || ret <= 0 || (ctx->flags & MSG_PEEK_FLAG))
		return 0;
	struct comm_key key; // bpf_get_current_comm fills all 16 bytes, zero-padded
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	add(&read_bytes, &key, (__u64)ret);
	return 0;
}

static __always_inline void count_connect(void)
{
	struct comm_key key;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	add(&connects, &key, 1);
}

static __always_inline void count_accept(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 port = ctx->sport;
	add(&accepts, &port, 1);
}

SEC("tracepoint/sock/inet_sock_set_state")
int tcp_connects(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol == IPPROTO_TCP_NUMBER && ctx->newstate == STATE_SYN_SENT)
		count_connect();
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int tcp_accepts(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol == IPPROTO_TCP_NUMBER && ctx->oldstate == STATE_SYN_RECV && ctx->newstate == STATE_ESTABLISHED)
		count_accept(ctx);
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int tcp_connects_accepts(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP_NUMBER)
		return 0;
	int newstate = ctx->newstate;
	if (newstate == STATE_SYN_SENT)
		count_connect();
	else if (newstate == STATE_ESTABLISHED && ctx->oldstate == STATE_SYN_RECV)
		count_accept(ctx);
	return 0;
}

SEC("tracepoint/sock/sock_recv_length")
int empty_recv_length(void *ctx)
{
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int empty_set_state(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
