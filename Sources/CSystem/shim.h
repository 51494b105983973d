#ifndef HUBDIFFER_CSYSTEM_SHIM_H
#define HUBDIFFER_CSYSTEM_SHIM_H
/* libc facilities that Swift's Glibc module does not bring in: accept4 and pipe2, which glibc
 * declares only under _GNU_SOURCE, and malloc tuning, in <malloc.h>. Every helper returns what
 * the libc call returned (-1 with errno set, for the system calls); callers check it. */
#include <fcntl.h>
#include <stdio.h>
#include <malloc.h>
#include <sys/socket.h>
#include <unistd.h>

/* _GNU_SOURCE is not defined here: it changes libc's own structures (fd_set's member is
 * `fds_bits` under it, `__fds_bits` without), and clang refuses to import into one Swift module
 * two modules whose copies of a libc structure differ (ParseBenchmark imports this module and
 * CXML2). So the two GNU functions, which glibc always exports, are declared here as glibc's
 * headers declare them (without __USE_GNU, `__SOCKADDR_ARG` is a plain pointer); a build with
 * _GNU_SOURCE gets glibc's own declarations instead. */
#ifndef __USE_GNU
extern int accept4(int __fd, struct sockaddr *__restrict __addr, socklen_t *__restrict __addr_len,
                   int __flags);
extern int pipe2(int __pipedes[2], int __flags);
#endif

/* accept4(2) with SOCK_NONBLOCK and SOCK_CLOEXEC: the connection's descriptor has both flags
 * from the start (no window in which an exec in another thread inherits it). The peer's
 * address is not asked for. */
static inline int hd_accept4_nonblocking_cloexec(int listen_fd) {
    return accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

/* pipe2(2) with O_NONBLOCK and O_CLOEXEC on both ends: fds[0] reads, fds[1] writes. */
static inline int hd_pipe2_nonblocking_cloexec(int fds[2]) {
    return pipe2(fds, O_NONBLOCK | O_CLOEXEC);
}

/* Keeps freed memory for reuse: allocations up to `mmap_threshold` bytes come from the heap,
 * and the heap gives memory back to the kernel only above `trim_threshold` free at its top.
 * 1 when glibc took both settings, 0 when it refused one (mallopt's own convention). */
static inline int hd_malloc_keep_memory(int mmap_threshold, int trim_threshold) {
    int mmap_taken = mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    int trim_taken = mallopt(M_TRIM_THRESHOLD, trim_threshold);
    return mmap_taken == 1 && trim_taken == 1;
}

/* How hubdiffer sets malloc (the reasons are in Sources/HubDiffer/AllocatorTuning.swift); the
 * parse benchmark sets the same, to measure what hubdiffer runs. 1 when glibc took it. */
static inline int hd_malloc_tune_for_polling(void) { return hd_malloc_keep_memory(8 << 20, 256 << 20); }
/* Standard output flushed at every line, even into a file or a pipe (a long-running command's
 * progress must show while it runs). Returns what setvbuf(3) returned: 0, or nonzero on error. */
static inline int hd_line_buffer_stdout(void) {
    return setvbuf(stdout, NULL, _IOLBF, 0);
}

#endif
