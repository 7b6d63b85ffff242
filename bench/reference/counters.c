// SPDX-License-Identifier: GPL-2.0
// Loads and attaches programs of counters.bpf.c (bench/probe-cost.sh's hand-written reference), prints
// "attached" once they are, and on SIGINT or SIGTERM prints what their maps counted, summed over the CPUs,
// one line per key:
//   read_bytes COMM BYTES | connects COMM COUNT | accepts PORT COUNT
// COMM is written with every byte outside printable ASCII (and the backslash) as \xNN.
//
// Usage: counters PROGRAM...   PROGRAM: tcp_read_bytes, tcp_connects, tcp_accepts, tcp_connects_accepts,
//                                       empty_recv_length, empty_set_state
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "counters.skel.h"

#define MAX_ATTACHED 8

static int chosen(const char *name, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(name, argv[i]) == 0)
			return 1;
	return 0;
}

static void print_comm(const unsigned char *comm)
{
	for (int i = 0; i < 16 && comm[i]; i++) {
		if (comm[i] > ' ' && comm[i] < 0x7f && comm[i] != '\\')
			putchar(comm[i]);
		else
			printf("\\x%02x", comm[i]);
	}
}

// Every key of a per-CPU map with its values summed over the possible CPUs.
static int print_map(const struct bpf_map *map, const char *label, int key_is_comm)
{
	int fd = bpf_map__fd(map);
	int cpus = libbpf_num_possible_cpus();
	unsigned char key[16] = {0}, next[16] = {0};
	__u64 *values = calloc(cpus, sizeof(*values));
	if (cpus <= 0 || !values || bpf_map__key_size(map) > sizeof(key))
		return -1;
	void *previous = NULL;
	while (bpf_map_get_next_key(fd, previous, next) == 0) {
		if (bpf_map_lookup_elem(fd, next, values) == 0) {
			__u64 sum = 0;
			for (int cpu = 0; cpu < cpus; cpu++)
				sum += values[cpu];
			printf("%s ", label);
			if (key_is_comm)
				print_comm(next);
			else
				printf("%llu", (unsigned long long)*(__u64 *)next);
			printf(" %llu\n", (unsigned long long)sum);
		}
		memcpy(key, next, sizeof(key));
		previous = key;
	}
	free(values);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PROGRAM... (tcp_read_bytes, tcp_connects, tcp_accepts, tcp_connects_accepts, empty_recv_length, empty_set_state)\n", argv[0]);
		return 2;
	}
	struct counters_bpf *skel = counters_bpf__open();
	if (!skel) {
		fprintf(stderr, "counters: cannot open the BPF object\n");
		return 1;
	}
	struct bpf_program *prog;
	int selected = 0;
	bpf_object__for_each_program(prog, skel->obj) {
		int on = chosen(bpf_program__name(prog), argc, argv);
		bpf_program__set_autoload(prog, on);
		selected += on;
	}
	if (selected != argc - 1) {
		fprintf(stderr, "counters: unknown program among the arguments\n");
		return 2;
	}
	int err = counters_bpf__load(skel);
	if (err) {
		fprintf(stderr, "counters: loading failed: %s\n", strerror(-err));
		return 1;
	}

	// Block the stop signals before attaching, then wait for one: no signal can slip in between. Their
	// disposition is reset first: a shell starts background jobs with SIGINT ignored, and an ignored
	// signal is discarded instead of left pending for sigwait.
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);

	struct bpf_link *links[MAX_ATTACHED];
	int attached = 0;
	bpf_object__for_each_program(prog, skel->obj) {
		if (!bpf_program__autoload(prog))
			continue;
		struct bpf_link *link = bpf_program__attach(prog);
		if (!link || attached == MAX_ATTACHED) {
			fprintf(stderr, "counters: attaching %s failed\n", bpf_program__name(prog));
			return 1;
		}
		links[attached++] = link;
	}
	printf("attached\n");
	fflush(stdout);

	int signal_number;
	sigwait(&stop, &signal_number);

	for (int i = 0; i < attached; i++)
		bpf_link__destroy(links[i]);
	print_map(skel->maps.read_bytes, "read_bytes", 1);
	print_map(skel->maps.connects, "connects", 1);
	print_map(skel->maps.accepts, "accepts", 0);
	counters_bpf__destroy(skel);
	return 0;
}
