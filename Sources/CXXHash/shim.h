#ifndef HUBDIFFER_CXXHASH_SHIM_H
#define HUBDIFFER_CXXHASH_SHIM_H
/* Debian's libxxhash (0.8.x): XXH3-64 is stable across versions and has published vectors. */
#include <xxhash.h>
#include <stddef.h>
#include <stdint.h>

static inline uint64_t hd_xxh3_64(const void *data, size_t length) {
    return (uint64_t)XXH3_64bits(data, length);
}
static inline unsigned hd_xxhash_version(void) { return XXH_versionNumber(); }
#endif
