/*
 * tcpload: the TCP workload of bench/overhead.sh, on 127.0.0.1 of the network namespace it runs in.
 *
 *   tcpload storm PORT CONNECTIONS MAX_SECONDS   connect + close CONNECTIONS times, one after another
 *   tcpload bulk  PORT MEGABYTES   MAX_SECONDS   send MEGABYTES through one connection
 *
 * A server thread in the same process accepts (storm: and closes; bulk: and reads everything in 64 KiB
 * reads). Both stop at the count or at MAX_SECONDS, whichever comes first. Prints one line:
 *   storm <connections> <seconds> <connections/s>
 *   bulk <bytes> <seconds> <MB/s> <reads>
 * The client closes with SO_LINGER 0 (a RST), so no TIME_WAIT socket is left to exhaust the ports: every
 * connection still goes CLOSE → SYN_SENT → ESTABLISHED on the client and LISTEN → SYN_RECV → ESTABLISHED
 * on the server, which is what the probes watch.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static int listen_fd;
static int bulk_mode;
static long long bulk_reads;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static void *serve(void *unused)
{
    (void)unused;
    static char buffer[CHUNK];
    for (;;) {
        int c = accept(listen_fd, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL; /* listener closed: done */
        }
        if (bulk_mode) {
            ssize_t n;
            while ((n = read(c, buffer, sizeof buffer)) > 0)
                __atomic_add_fetch(&bulk_reads, 1, __ATOMIC_RELAXED);
        }
        close(c);
    }
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: tcpload storm|bulk PORT COUNT MAX_SECONDS\n");
        return 2;
    }
    bulk_mode = strcmp(argv[1], "bulk") == 0;
    if (!bulk_mode && strcmp(argv[1], "storm") != 0) {
        fprintf(stderr, "tcpload: unknown mode %s\n", argv[1]);
        return 2;
    }
    int port = atoi(argv[2]);
    long long count = atoll(argv[3]);
    double limit = atof(argv[4]);

    struct sockaddr_in address = loopback(port);
    int one = 1;
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0)
        die("socket");
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listen_fd, (struct sockaddr *)&address, sizeof address) < 0)
        die("bind");
    if (listen(listen_fd, 4096) < 0)
        die("listen");
    pthread_t server;
    pthread_create(&server, NULL, serve, NULL);

    double start = now(), deadline = start + limit;
    long long done = 0;
    if (!bulk_mode) {
        struct linger reset = {1, 0};
        for (; done < count; done++) {
            if ((done & 255) == 0 && now() > deadline)
                break;
            int s = socket(AF_INET, SOCK_STREAM, 0);
            if (s < 0)
                die("socket");
            if (connect(s, (struct sockaddr *)&address, sizeof address) < 0)
                die("connect");
            setsockopt(s, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
            close(s);
        }
    } else {
        static char buffer[CHUNK];
        memset(buffer, 'x', sizeof buffer);
        long long bytes = count * 1024 * 1024;
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0 || connect(s, (struct sockaddr *)&address, sizeof address) < 0)
            die("connect");
        while (done < bytes) {
            if ((done & ((64LL << 20) - 1)) < CHUNK && now() > deadline)
                break;
            size_t want = bytes - done < CHUNK ? (size_t)(bytes - done) : CHUNK;
            ssize_t n = write(s, buffer, want);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                die("write");
            }
            done += n;
        }
        shutdown(s, SHUT_WR);
        char tail[16];
        while (read(s, tail, sizeof tail) > 0) {
        }
        close(s);
    }
    double seconds = now() - start;

    shutdown(listen_fd, SHUT_RDWR);
    close(listen_fd);
    pthread_join(server, NULL);

    if (!bulk_mode)
        printf("storm %lld %.3f %.0f\n", done, seconds, done / seconds);
    else
        printf("bulk %lld %.3f %.1f %lld\n", done, seconds, done / seconds / 1e6, bulk_reads);
    return 0;
}
