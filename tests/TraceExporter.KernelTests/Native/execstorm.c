/*
 * One binary, two roles, for the kernel tests' cardinality storms.
 *
 *   execstorm --storm DIR PREFIX FIRST COUNT PORT
 *       runs DIR/PREFIX<n> for n = FIRST .. FIRST+COUNT-1 (six digits), one after another; each is a
 *       symlink to this binary, so after exec its comm is that name. Prints how many ran and failed.
 *   PREFIXnnnnnn PORT      (what the symlinks run)
 *       connects to 127.0.0.1:PORT (PORT 0: does nothing), reads until the server closes, and exits 0
 *       when it read at least one byte.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int client(int port)
{
    if (port == 0)
        return 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 2;
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        return 3;
    char buffer[256];
    long total = 0;
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0)
        total += n;
    close(fd);
    return total > 0 ? 0 : 4;
}

static int storm(const char *dir, const char *prefix, long first, long count, const char *port)
{
    long failed = 0;
    char path[4096];
    for (long n = first; n < first + count; n++) {
        snprintf(path, sizeof path, "%s/%s%06ld", dir, prefix, n);
        pid_t pid = vfork();
        if (pid == 0) {
            char *argv[] = { path, (char *)port, NULL };
            execv(path, argv);
            _exit(127);
        }
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed++;
    }
    printf("ran %ld failed %ld\n", count, failed);
    return failed == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 7 && strcmp(argv[1], "--storm") == 0)
        return storm(argv[2], argv[3], atol(argv[4]), atol(argv[5]), argv[6]);
    if (argc == 2)
        return client(atoi(argv[1]));
    fprintf(stderr, "usage: %s --storm DIR PREFIX FIRST COUNT PORT | %s PORT\n", argv[0], argv[0]);
    return 2;
}
