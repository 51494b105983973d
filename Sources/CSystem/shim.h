#ifndef HUBDIFFER_CSYSTEM_SHIM_H
#define HUBDIFFER_CSYSTEM_SHIM_H
/* libc facilities that Swift's Glibc module does not bring in. */
#include <malloc.h>

/* Keeps freed memory for reuse: allocations up to `mmap_threshold` bytes come from the heap,
 * and the heap gives memory back to the kernel only above `trim_threshold` free at its top. */
static inline void hd_malloc_keep_memory(int mmap_threshold, int trim_threshold) {
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
}

/* How hubdiffer sets malloc (the reasons are in Sources/HubDiffer/AllocatorTuning.swift); the
 * parse benchmark sets the same, to measure what hubdiffer runs. */
static inline void hd_malloc_tune_for_polling(void) { hd_malloc_keep_memory(8 << 20, 256 << 20); }
#endif
