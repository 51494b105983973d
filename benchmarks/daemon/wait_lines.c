/* The fresh-start benchmark's stopwatch (benchmarks/daemon/fresh.sh): waits for GO to exist
 * (it holds the start time, seconds since the epoch, written by the script right before the
 * pings), then for FILE to hold EXPECTED lines, and prints the seconds since that start.
 *
 *   wait_lines FILE EXPECTED GO DEADLINE_SECONDS PID
 *
 * It reads FILE as it grows and counts line feeds with memchr: the daemon's output of a fresh
 * start is ~280 MB, and a Python loop counting it took half a second of CPU, a quarter of the
 * daemon's own, on the same two cores. Exits 1 when PID is gone or DEADLINE_SECONDS pass first. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    if (clock_gettime(CLOCK_REALTIME, &t) != 0) {
        perror("clock_gettime");
        exit(1);
    }
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A whole-string number, or exit 64 saying which argument is not one. */
static double number(const char *text, const char *name) {
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || value < 0) {
        fprintf(stderr, "wait_lines: %s must be a number, not '%s'\n", name, text);
        exit(64);
    }
    return value;
}

static void pause_briefly(void) {
    struct timespec wait = {0, 5 * 1000 * 1000};
    nanosleep(&wait, NULL);
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: wait_lines FILE EXPECTED GO DEADLINE_SECONDS PID\n");
        return 64;
    }
    const char *path = argv[1], *go = argv[3];
    long expected = (long)number(argv[2], "EXPECTED");
    double deadline = number(argv[4], "DEADLINE_SECONDS");
    pid_t pid = (pid_t)number(argv[5], "PID");

    double started = now(), t0 = 0;
    for (;;) {
        FILE *start = fopen(go, "r");
        if (start != NULL) {
            int scanned = fscanf(start, "%lf", &t0);
            fclose(start);
            if (scanned == 1) break;
        }
        if (now() - started > deadline) { fprintf(stderr, "the clock never started\n"); return 1; }
        pause_briefly();
    }

    int fd = open(path, O_RDONLY);
    if (fd < 0) { fprintf(stderr, "%s: %s\n", path, strerror(errno)); return 1; }
    static char buffer[1 << 22];
    long lines = 0;
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "%s: %s\n", path, strerror(errno));
            return 1;
        }
        if (n > 0) {
            const char *p = buffer, *end = buffer + n;
            while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) { lines++; p++; }
            if (lines >= expected) {
                printf("%.3f\n", now() - t0);
                return 0;
            }
        }
        if (now() - t0 > deadline) {  /* also while the output still grows */
            fprintf(stderr, "%ld of %ld entries out after %g s\n", lines, expected, deadline);
            return 1;
        }
        if (n > 0) continue;
        if (kill(pid, 0) != 0 && errno == ESRCH) {
            fprintf(stderr, "the daemon died with %ld of %ld entries out\n", lines, expected);
            return 1;
        }
        pause_briefly();
    }
}
